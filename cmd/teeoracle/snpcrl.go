package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// errNoSNPCollateral is returned by localSNPCRLs for anything it does not hold.
var errNoSNPCollateral = errors.New("not in the --collateral given")

// localSNPCRLs serves AMD CRLs read from files, for --collateral with SEV-SNP
// evidence. It holds no VCEKs: those come with the evidence or --cert.
type localSNPCRLs struct {
	crls []localCRL
}

type localCRL struct {
	productLine string // from the issuer, "ARK-<line>"
	thisUpdate  time.Time
	der         []byte
}

// loadSNPCRLs reads one CRL file (DER or PEM) or every file in a directory.
func loadSNPCRLs(path string) (*localSNPCRLs, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("collateral: %w", err)
	}
	files := []string{path}
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("collateral: %w", err)
		}
		files = files[:0]
		for _, e := range entries {
			if !e.IsDir() {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
	}
	out := &localSNPCRLs{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("collateral: %w", err)
		}
		if blk, _ := pem.Decode(b); blk != nil {
			b = blk.Bytes
		}
		crl, err := x509.ParseRevocationList(b)
		if err != nil {
			return nil, fmt.Errorf("collateral %s: not an AMD CRL (DER or PEM): %w", f, err)
		}
		line, ok := strings.CutPrefix(crl.Issuer.CommonName, "ARK-")
		if !ok {
			return nil, fmt.Errorf("collateral %s: CRL issuer %q is not an AMD ARK", f, crl.Issuer.CommonName)
		}
		out.crls = append(out.crls, localCRL{productLine: line, thisUpdate: crl.ThisUpdate, der: b})
	}
	return out, nil
}

// VCEK is never served from local files.
func (l *localSNPCRLs) VCEK(context.Context, string, []byte, uint64) ([]byte, error) {
	return nil, fmt.Errorf("VCEK: %w (pass it with --cert)", errNoSNPCollateral)
}

// CRL returns the newest CRL of productLine's ARK issued no later than asOf. The ASK
// and ASVK CRLs have the same issuer; the appraiser checks whichever it gets against
// the chain in use, so the choice only decides which revocations are seen.
func (l *localSNPCRLs) CRL(_ context.Context, productLine string, _ bool, asOf time.Time) ([]byte, error) {
	var best *localCRL
	for i := range l.crls {
		c := &l.crls[i]
		if c.productLine == productLine && !c.thisUpdate.After(asOf) && (best == nil || c.thisUpdate.After(best.thisUpdate)) {
			best = c
		}
	}
	if best == nil {
		return nil, fmt.Errorf("CRL of ARK-%s as of %s: %w", productLine, asOf.Format(time.RFC3339), errNoSNPCollateral)
	}
	return best.der, nil
}
