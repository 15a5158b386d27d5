package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// parseRoots decodes custom roots and checks them with appraise.ParseRoots, the
// parser the command line uses too: every certificate parses, each SEV-SNP set is
// what appraise.NewSNPRoots accepts (ARK self-signed, intermediates signed by it),
// and the TDX root is a self-signed CA.
func parseRoots(rootsJSON []byte) (*appraise.SNPRoots, *x509.Certificate, rootsInfo, error) {
	var w rootsWire
	dec := json.NewDecoder(bytes.NewReader(rootsJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, nil, rootsInfo{}, fmt.Errorf("%w: roots JSON: %w", appraise.ErrRoots, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) { // More misses a trailing '}' or ']'
		return nil, nil, rootsInfo{}, fmt.Errorf("%w: roots JSON: data after the object", appraise.ErrRoots)
	}
	in := appraise.RootsInput{SNPName: "snp", TDXName: "tdx_root", RequireBoth: true}
	for _, s := range w.SNP {
		in.SNPSets = append(in.SNPSets, appraise.SNPRootCerts{ProductLine: s.ProductLine, ARK: s.ARK, ASK: s.ASK, ASVK: s.ASVK})
	}
	in.TDXRoot = w.TDXRoot
	r, err := appraise.ParseRoots(in)
	if err != nil {
		return nil, nil, rootsInfo{}, err // wraps appraise.ErrRoots
	}
	info := rootsInfo{Kind: "custom", TDXRootSHA256: certHash(r.TDX)}
	for _, s := range w.SNP {
		info.SNP = append(info.SNP, snpRootInfo{ProductLine: s.ProductLine, ARKSHA256: certHash(r.SNP.Set(s.ProductLine).ARK)})
	}
	return r.SNP, r.TDX, info, nil
}

func certHash(c *x509.Certificate) string { return common.Hash(sha256.Sum256(c.Raw)).Hex() }
