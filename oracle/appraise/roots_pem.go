package appraise

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"sort"
	"strings"
)

// ParseSNPRootsPEM reads AMD root certificates from PEM (in any order), groups them
// into one set per product line by their subjects (ARK-<line>, SEV-<line> for the
// ASK, SEV-VLEK-<line> for the ASVK) and checks them as NewSNPRoots does. Errors
// wrap ErrRoots.
func ParseSNPRootsPEM(b []byte) (*SNPRoots, error) {
	sets := map[string]*SNPRootSet{}
	get := func(line string) *SNPRootSet {
		if sets[line] == nil {
			sets[line] = &SNPRootSet{ProductLine: line}
		}
		return sets[line]
	}
	for rest := b; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		cert, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrRoots, err)
		}
		cn := cert.Subject.CommonName
		switch {
		case strings.HasPrefix(cn, "ARK-"):
			get(strings.TrimPrefix(cn, "ARK-")).ARK = cert
		case strings.HasPrefix(cn, "SEV-VLEK-"):
			get(strings.TrimPrefix(cn, "SEV-VLEK-")).ASVK = cert
		case strings.HasPrefix(cn, "SEV-"):
			get(strings.TrimPrefix(cn, "SEV-")).ASK = cert
		default:
			return nil, fmt.Errorf("%w: certificate %q is not an ARK, ASK or ASVK", ErrRoots, cn)
		}
	}
	list := make([]SNPRootSet, 0, len(sets))
	for _, s := range sets {
		list = append(list, *s)
	}
	// NewSNPRoots reports the first bad set; the same one on every run.
	sort.Slice(list, func(i, j int) bool { return list[i].ProductLine < list[j].ProductLine })
	return NewSNPRoots(list...)
}

// ParseTDXRootPEM reads the first PEM certificate of b, a trusted root in place of
// Intel's SGX Root CA (a test or devnet root). Errors wrap ErrRoots.
func ParseTDXRootPEM(b []byte) (*x509.Certificate, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%w: no PEM certificate", ErrRoots)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRoots, err)
	}
	return c, nil
}
