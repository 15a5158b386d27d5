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
	list, err := groupSNPRootsPEM(b)
	if err != nil {
		return nil, err
	}
	return NewSNPRoots(list...)
}

// groupSNPRootsPEM groups PEM root certificates into product lines' sets, sorted by
// product line (NewSNPRoots then reports the same bad set on every run).
func groupSNPRootsPEM(b []byte) ([]SNPRootSet, error) {
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
	sort.Slice(list, func(i, j int) bool { return list[i].ProductLine < list[j].ProductLine })
	return list, nil
}

// ParseTDXRootPEM reads a trusted root in place of Intel's SGX Root CA (a test or
// devnet root): one PEM certificate, a self-signed CA. It is ParseRoots for a TDX
// root alone. Errors wrap ErrRoots.
func ParseTDXRootPEM(b []byte) (*x509.Certificate, error) {
	r, err := ParseRoots(RootsInput{TDXRoot: b})
	if err != nil {
		return nil, err
	}
	if r.TDX == nil {
		return nil, fmt.Errorf("%w: no PEM certificate", ErrRoots)
	}
	return r.TDX, nil
}
