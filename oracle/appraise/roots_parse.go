package appraise

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// CustomRoots are trusted roots replacing the vendors' production roots (a test
// network's, the devnet's, a simulation's). A nil field keeps that TEE's vendor
// roots.
type CustomRoots struct {
	SNP *SNPRoots
	TDX *x509.Certificate
}

// SNPRootCerts is one AMD product line's roots as bytes: each certificate DER or a
// single PEM CERTIFICATE block; ASK and ASVK may be empty.
type SNPRootCerts struct {
	ProductLine    string
	ARK, ASK, ASVK []byte
}

// RootsInput is custom roots as read from files (serve, verify, audit: --snp-roots,
// --tdx-root) or from the WebAssembly module's roots JSON. Both SNP forms may be
// given; their sets are checked together as NewSNPRoots does.
type RootsInput struct {
	// SNPPEM is a PEM file of ARK, ASK and ASVK certificates in any order, grouped
	// into product lines by their subjects (ParseSNPRootsPEM).
	SNPPEM []byte
	// SNPSets are product lines' roots named explicitly.
	SNPSets []SNPRootCerts
	// TDXRoot is the root CA replacing Intel's SGX Root CA, DER or one PEM block. It
	// must be a self-signed CA.
	TDXRoot []byte
	// SNPName and TDXName name the inputs in errors; empty means "snp roots" and
	// "tdx_root".
	SNPName, TDXName string
	// RequireBoth refuses roots for one TEE only: custom roots then replace the
	// vendors' for both TEEs, so a result is never a mix of the two.
	RequireBoth bool
}

// ParseRoots reads and checks custom roots: the one parser of trusted roots for the
// command line and the WebAssembly module. Every error wraps ErrRoots and names the
// certificate that was wrong. Inputs left empty give nil roots (the vendors').
func ParseRoots(in RootsInput) (*CustomRoots, error) {
	snpName, tdxName := or(in.SNPName, "snp roots"), or(in.TDXName, "tdx_root")
	hasSNP := len(in.SNPPEM) > 0 || len(in.SNPSets) > 0
	if in.RequireBoth && (!hasSNP || len(in.TDXRoot) == 0) {
		return nil, fmt.Errorf("%w: custom roots need both SEV-SNP roots and a TDX root: they replace the vendors' roots for both TEEs", ErrRoots)
	}
	out := &CustomRoots{}
	if hasSNP {
		sets, err := snpSets(in, snpName)
		if err != nil {
			return nil, err
		}
		if out.SNP, err = NewSNPRoots(sets...); err != nil {
			return nil, fmt.Errorf("%s: %w", snpName, err) // wraps ErrRoots
		}
	}
	if len(in.TDXRoot) > 0 {
		tdx, err := parseRootCert(tdxName, in.TDXRoot)
		if err != nil {
			return nil, err
		}
		if !tdx.IsCA || !bytes.Equal(tdx.RawIssuer, tdx.RawSubject) {
			return nil, fmt.Errorf("%w: %s %q is not a self-issued CA", ErrRoots, tdxName, tdx.Subject.CommonName)
		}
		if err := tdx.CheckSignatureFrom(tdx); err != nil {
			return nil, fmt.Errorf("%w: %s is not self-signed: %w", ErrRoots, tdxName, err)
		}
		out.TDX = tdx
	}
	return out, nil
}

// snpSets gathers the SEV-SNP sets of both forms.
func snpSets(in RootsInput, name string) ([]SNPRootSet, error) {
	var sets []SNPRootSet
	if len(in.SNPPEM) > 0 {
		grouped, err := groupSNPRootsPEM(in.SNPPEM)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		sets = append(sets, grouped...)
	}
	for i, s := range in.SNPSets {
		set := SNPRootSet{ProductLine: s.ProductLine}
		var err error
		n := fmt.Sprintf("snp[%d] (%s)", i, s.ProductLine)
		if set.ARK, err = parseRootCert(n+".ark", s.ARK); err != nil {
			return nil, err
		}
		if set.ASK, err = parseOptionalCert(n+".ask", s.ASK); err != nil {
			return nil, err
		}
		if set.ASVK, err = parseOptionalCert(n+".asvk", s.ASVK); err != nil {
			return nil, err
		}
		sets = append(sets, set)
	}
	return sets, nil
}

func parseOptionalCert(name string, b []byte) (*x509.Certificate, error) {
	if len(b) == 0 {
		return nil, nil
	}
	return parseRootCert(name, b)
}

// parseRootCert reads one certificate, DER or a single PEM CERTIFICATE block.
func parseRootCert(name string, b []byte) (*x509.Certificate, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: %s is missing", ErrRoots, name)
	}
	der := b
	if t := bytes.TrimSpace(b); bytes.HasPrefix(t, []byte("-----BEGIN")) {
		blk, rest := pem.Decode(t)
		if blk == nil || blk.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("%w: %s: not a PEM CERTIFICATE block", ErrRoots, name)
		}
		if len(bytes.TrimSpace(rest)) != 0 {
			return nil, fmt.Errorf("%w: %s: more than one PEM block; give one certificate", ErrRoots, name)
		}
		der = blk.Bytes
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrRoots, name, err)
	}
	return c, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// RootsFile is a file of custom roots as given: its path (empty: none, keep the
// vendor's production roots) and the name errors call it by (a flag, say).
type RootsFile struct{ Name, Path string }

// ReadRoots reads the SEV-SNP roots PEM file and the TDX root file and parses them
// with ParseRoots; an empty file is an error, as is one that cannot be read.
func ReadRoots(snp, tdx RootsFile) (*CustomRoots, error) {
	in := RootsInput{SNPName: snp.Name + " " + snp.Path, TDXName: tdx.Name + " " + tdx.Path}
	for _, f := range []struct {
		RootsFile
		b *[]byte
	}{{snp, &in.SNPPEM}, {tdx, &in.TDXRoot}} {
		if f.Path == "" {
			continue
		}
		b, err := os.ReadFile(f.Path)
		if err == nil && len(b) == 0 {
			err = errors.New("empty file")
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		*f.b = b
	}
	return ParseRoots(in)
}

// DescribeRoots names the trust anchors ReadRoots gives for snp and tdx: the
// vendors' production roots, or which files replace them (for test networks only),
// as an audit reports what it re-verified under.
func DescribeRoots(snp, tdx RootsFile) string {
	if snp.Path == "" && tdx.Path == "" {
		return "AMD's and Intel's production roots"
	}
	s, t := "SEV-SNP from AMD's production roots", "TDX from Intel's production root"
	if snp.Path != "" {
		s = "SEV-SNP from " + snp.Name + " " + snp.Path
	}
	if tdx.Path != "" {
		t = "TDX from " + tdx.Name + " " + tdx.Path
	}
	return "custom, for test networks only: " + s + "; " + t
}
