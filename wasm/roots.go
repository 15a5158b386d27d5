package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// rootsWire is the JSON form of custom trusted roots that withRoots reads (the
// JavaScript module writes it from load's roots option; docs/wasm.md). Certificates
// are base64 of DER or PEM, as every byte field of a request.
//
// Custom roots replace the vendors' roots for both TEEs, never add to them: a
// verifier under custom roots trusts nothing of AMD's or Intel's, so a result it
// reproduces is never a mix of the two. Hence both TEEs' roots are required.
type rootsWire struct {
	SNP []struct {
		ProductLine string `json:"product_line"`
		ARK         []byte `json:"ark"`
		ASK         []byte `json:"ask,omitempty"`
		ASVK        []byte `json:"asvk,omitempty"`
	} `json:"snp"`
	TDXRoot []byte `json:"tdx_root"`
}

// rootsInfo says which roots a module instance trusts; version() reports it, so
// that a page can show under what a report was reproduced.
type rootsInfo struct {
	// Kind is "vendor" (AMD's and Intel's production roots, the default) or
	// "custom" (roots given to withRoots, e.g. a devnet's test-only roots).
	Kind string `json:"kind"`
	// SNP and TDXRootSHA256 identify custom roots by their certificates' SHA-256.
	SNP           []snpRootInfo `json:"snp,omitempty"`
	TDXRootSHA256 string        `json:"tdx_root_sha256,omitempty"`
}

type snpRootInfo struct {
	ProductLine string `json:"product_line"`
	ARKSHA256   string `json:"ark_sha256"`
}

var vendorRoots = rootsInfo{Kind: "vendor"}

// withRoots returns a module on the same code that trusts only the roots in
// rootsJSON. Every error wraps appraise.ErrRoots (kind "roots") and names the
// certificate that was wrong.
func (m *module) withRoots(log *slog.Logger, rootsJSON []byte) (*module, error) {
	snp, tdx, info, err := parseRoots(rootsJSON)
	if err != nil {
		return nil, err
	}
	v, err := verifier.New(verifier.Options{SNPRoots: snp, TDXRoot: tdx, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", appraise.ErrRoots, err)
	}
	return &module{v: v, roots: info}, nil
}

// parseRoots decodes and checks custom roots: every certificate parses, each SEV-SNP
// set is what appraise.NewSNPRoots accepts (ARK self-signed, intermediates signed by
// it), and the TDX root is a self-signed CA.
func parseRoots(rootsJSON []byte) (*appraise.SNPRoots, *x509.Certificate, rootsInfo, error) {
	var w rootsWire
	dec := json.NewDecoder(bytes.NewReader(rootsJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, nil, rootsInfo{}, fmt.Errorf("%w: roots JSON: %w", appraise.ErrRoots, err)
	}
	if dec.More() {
		return nil, nil, rootsInfo{}, fmt.Errorf("%w: roots JSON: data after the object", appraise.ErrRoots)
	}
	if len(w.SNP) == 0 || len(w.TDXRoot) == 0 {
		return nil, nil, rootsInfo{}, fmt.Errorf("%w: custom roots need both SEV-SNP roots (snp) and a TDX root (tdx_root): they replace the vendors' roots for both TEEs", appraise.ErrRoots)
	}
	info := rootsInfo{Kind: "custom"}
	sets := make([]appraise.SNPRootSet, 0, len(w.SNP))
	for i, s := range w.SNP {
		set := appraise.SNPRootSet{ProductLine: s.ProductLine}
		var err error
		name := fmt.Sprintf("snp[%d] (%s)", i, s.ProductLine)
		if set.ARK, err = parseCert(name+".ark", s.ARK, true); err != nil {
			return nil, nil, rootsInfo{}, err
		}
		if set.ASK, err = parseCert(name+".ask", s.ASK, false); err != nil {
			return nil, nil, rootsInfo{}, err
		}
		if set.ASVK, err = parseCert(name+".asvk", s.ASVK, false); err != nil {
			return nil, nil, rootsInfo{}, err
		}
		sets = append(sets, set)
		info.SNP = append(info.SNP, snpRootInfo{ProductLine: s.ProductLine, ARKSHA256: certHash(set.ARK)})
	}
	snp, err := appraise.NewSNPRoots(sets...)
	if err != nil {
		return nil, nil, rootsInfo{}, err // wraps appraise.ErrRoots
	}
	tdx, err := parseCert("tdx_root", w.TDXRoot, true)
	if err != nil {
		return nil, nil, rootsInfo{}, err
	}
	if !tdx.IsCA || !bytes.Equal(tdx.RawIssuer, tdx.RawSubject) {
		return nil, nil, rootsInfo{}, fmt.Errorf("%w: tdx_root %q is not a self-issued CA", appraise.ErrRoots, tdx.Subject.CommonName)
	}
	if err := tdx.CheckSignatureFrom(tdx); err != nil {
		return nil, nil, rootsInfo{}, fmt.Errorf("%w: tdx_root is not self-signed: %w", appraise.ErrRoots, err)
	}
	info.TDXRootSHA256 = certHash(tdx)
	return snp, tdx, info, nil
}

// parseCert reads one certificate, DER or a single PEM CERTIFICATE block. An
// absent optional certificate is nil.
func parseCert(name string, b []byte, required bool) (*x509.Certificate, error) {
	if len(b) == 0 {
		if required {
			return nil, fmt.Errorf("%w: %s is missing", appraise.ErrRoots, name)
		}
		return nil, nil
	}
	der := b
	if t := bytes.TrimSpace(b); bytes.HasPrefix(t, []byte("-----BEGIN")) {
		blk, rest := pem.Decode(t)
		if blk == nil || blk.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("%w: %s: not a PEM CERTIFICATE block", appraise.ErrRoots, name)
		}
		if len(bytes.TrimSpace(rest)) != 0 {
			return nil, fmt.Errorf("%w: %s: more than one PEM block; give one certificate", appraise.ErrRoots, name)
		}
		der = blk.Bytes
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", appraise.ErrRoots, name, err)
	}
	return c, nil
}

func certHash(c *x509.Certificate) string { return common.Hash(sha256.Sum256(c.Raw)).Hex() }
