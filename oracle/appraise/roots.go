package appraise

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"errors"
	"fmt"
	"sort"
)

// amdRootFiles holds AMD's public ASK/ASVK + ARK bundles; see roots/README.md.
//
//go:embed roots/*.pem
var amdRootFiles embed.FS

// ErrRoots is returned (wrapped) when a trusted-root configuration is unusable: a
// certificate does not parse, an intermediate is not signed by its ARK, or a product
// line is named twice.
var ErrRoots = errors.New("invalid trusted roots")

// SNPRootSet is the trust anchor of one AMD product line: its self-signed ARK and the
// intermediates the ARK signs, the ASK (which signs VCEKs) and the ASVK (which signs
// VLEKs). Either intermediate may be nil, in which case reports signed with that kind of
// key cannot be verified for this product line.
type SNPRootSet struct {
	ProductLine string // "Milan", "Genoa", "Turin"
	ARK         *x509.Certificate
	ASK         *x509.Certificate
	ASVK        *x509.Certificate
}

// SNPRoots is an immutable set of trusted AMD roots, at most one SNPRootSet per
// product line. It is safe for concurrent use.
type SNPRoots struct {
	lines map[string]*SNPRootSet
}

// NewSNPRoots checks each set (ARK self-signed and a CA, ASK and ASVK signed by that
// ARK and CAs) and returns them as trusted roots. Signatures are checked here, once, so
// appraisals only check the VCEK or VLEK against its intermediate. Validity periods are
// not checked here: they are checked as of each appraisal's time.
func NewSNPRoots(sets ...SNPRootSet) (*SNPRoots, error) {
	r := &SNPRoots{lines: make(map[string]*SNPRootSet, len(sets))}
	for i := range sets {
		s := sets[i]
		if s.ProductLine == "" {
			return nil, fmt.Errorf("%w: root set %d has no product line", ErrRoots, i)
		}
		if _, dup := r.lines[s.ProductLine]; dup {
			return nil, fmt.Errorf("%w: product line %s given twice", ErrRoots, s.ProductLine)
		}
		if s.ARK == nil {
			return nil, fmt.Errorf("%w: %s has no ARK", ErrRoots, s.ProductLine)
		}
		if !s.ARK.IsCA || !bytes.Equal(s.ARK.RawIssuer, s.ARK.RawSubject) {
			return nil, fmt.Errorf("%w: %s ARK %q is not a self-issued CA", ErrRoots, s.ProductLine, s.ARK.Subject.CommonName)
		}
		if err := s.ARK.CheckSignatureFrom(s.ARK); err != nil {
			return nil, fmt.Errorf("%w: %s ARK is not self-signed: %w", ErrRoots, s.ProductLine, err)
		}
		for _, ica := range []struct {
			name string
			cert *x509.Certificate
		}{{"ASK", s.ASK}, {"ASVK", s.ASVK}} {
			if ica.cert == nil {
				continue
			}
			if err := ica.cert.CheckSignatureFrom(s.ARK); err != nil {
				return nil, fmt.Errorf("%w: %s %s is not signed by its ARK: %w", ErrRoots, s.ProductLine, ica.name, err)
			}
			if !bytes.Equal(ica.cert.RawIssuer, s.ARK.RawSubject) {
				return nil, fmt.Errorf("%w: %s %s issuer is not the ARK's subject", ErrRoots, s.ProductLine, ica.name)
			}
		}
		if s.ASK == nil && s.ASVK == nil {
			return nil, fmt.Errorf("%w: %s has neither ASK nor ASVK", ErrRoots, s.ProductLine)
		}
		r.lines[s.ProductLine] = &s
	}
	if len(r.lines) == 0 {
		return nil, fmt.Errorf("%w: no root sets", ErrRoots)
	}
	return r, nil
}

// ProductLines returns the product lines the roots cover, sorted.
func (r *SNPRoots) ProductLines() []string {
	out := make([]string, 0, len(r.lines))
	for k := range r.lines {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Set returns the root set of a product line, or nil.
func (r *SNPRoots) Set(productLine string) *SNPRootSet {
	return r.lines[productLine]
}

// ParseKDSCertChain reads a KDS cert_chain bundle (PEM: ASK or ASVK, then ARK) into
// its intermediate and root certificates.
func ParseKDSCertChain(bundle []byte) (ica, ark *x509.Certificate, err error) {
	var certs []*x509.Certificate
	rest := bundle
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return nil, nil, fmt.Errorf("%w: cert_chain has a %q PEM block", ErrRoots, b.Type)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: cert_chain certificate %d: %w", ErrRoots, len(certs), err)
		}
		certs = append(certs, c)
	}
	if len(bytes.TrimSpace(rest)) != 0 || len(certs) != 2 {
		return nil, nil, fmt.Errorf("%w: cert_chain has %d certificates and %d trailing bytes, want 2 and 0", ErrRoots, len(certs), len(bytes.TrimSpace(rest)))
	}
	return certs[0], certs[1], nil
}

// AMDSNPRoots returns AMD's production roots for Milan, Genoa and Turin, each with
// its ARK, ASK and ASVK, from the bundles embedded in this package (see
// roots/README.md for their provenance).
func AMDSNPRoots() (*SNPRoots, error) {
	var sets []SNPRootSet
	for _, line := range []struct{ name, vcek, vlek string }{
		{"Milan", "ask_ark_milan.pem", "ask_ark_milan_vlek.pem"},
		{"Genoa", "ask_ark_genoa.pem", "ask_ark_genoa_vlek.pem"},
		{"Turin", "ask_ark_turin_vcek.pem", "ask_ark_turin_vlek.pem"},
	} {
		vb, err := amdRootFiles.ReadFile("roots/" + line.vcek)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrRoots, line.vcek, err)
		}
		lb, err := amdRootFiles.ReadFile("roots/" + line.vlek)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrRoots, line.vlek, err)
		}
		ask, ark, err := ParseKDSCertChain(vb)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", line.vcek, err)
		}
		asvk, ark2, err := ParseKDSCertChain(lb)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", line.vlek, err)
		}
		if !bytes.Equal(ark.Raw, ark2.Raw) {
			return nil, fmt.Errorf("%w: %s: the VCEK and VLEK bundles name different ARKs", ErrRoots, line.name)
		}
		sets = append(sets, SNPRootSet{ProductLine: line.name, ARK: ark, ASK: ask, ASVK: asvk})
	}
	return NewSNPRoots(sets...)
}

// fingerprint is the SHA-256 of a certificate's DER.
func fingerprint(c *x509.Certificate) [32]byte { return sha256.Sum256(c.Raw) }
