package collateral

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// ErrNotGiven is returned by SNPCRLs and CRLDir for collateral they do not hold. The
// appraiser then records the check as skipped with this reason.
var ErrNotGiven = errors.New("not among the collateral given")

// SNPCRLs serves AMD CRLs held in memory as SEV-SNP collateral (the appraiser's
// SNPCollateral and SNPCRLLister). It holds no VCEKs: those come with the evidence
// or as certificates.
type SNPCRLs struct {
	crls []snpCRL
}

type snpCRL struct {
	productLine string // from the issuer, "ARK-<line>"
	thisUpdate  time.Time
	nextUpdate  time.Time
	der         []byte
}

// ParseSNPCRLs reads AMD CRLs: each input is one DER CRL, or PEM holding one or more
// "X509 CRL" blocks (a block of another type, or bytes after the last block other
// than white space, is an error). Each must be issued by an ARK ("ARK-<product
// line>"); its signature is checked by the appraiser against the trusted ARK, not
// here. An error names the input that is no AMD CRL.
func ParseSNPCRLs(inputs []evidence.Input) (*SNPCRLs, error) {
	out := &SNPCRLs{}
	for i, in := range inputs {
		name := in.Name
		if name == "" {
			name = fmt.Sprintf("snp_crls[%d]", i)
		}
		ders, err := crlDERs(in.Data)
		if err != nil {
			return nil, fmt.Errorf("%s: not an AMD CRL (DER or PEM): %w", name, err)
		}
		for j, b := range ders {
			what := name
			if len(ders) > 1 {
				what = fmt.Sprintf("%s (PEM block %d)", name, j+1)
			}
			crl, err := x509.ParseRevocationList(b)
			if err != nil {
				return nil, fmt.Errorf("%s: not an AMD CRL (DER or PEM): %w", what, err)
			}
			line, ok := strings.CutPrefix(crl.Issuer.CommonName, "ARK-")
			if !ok {
				return nil, fmt.Errorf("%s: CRL issuer %q is not an AMD ARK", what, crl.Issuer.CommonName)
			}
			out.crls = append(out.crls, snpCRL{productLine: line, thisUpdate: crl.ThisUpdate, nextUpdate: crl.NextUpdate, der: b})
		}
	}
	return out, nil
}

// crlDERs splits b into DER CRLs: b itself when it holds no PEM block, else every
// PEM block, each of which must be an "X509 CRL", with nothing but white space
// before, between and after them.
func crlDERs(b []byte) ([][]byte, error) {
	if blk, _ := pem.Decode(b); blk == nil {
		return [][]byte{b}, nil
	}
	var out [][]byte
	rest := b
	for {
		t := bytes.TrimSpace(rest)
		if len(t) == 0 {
			return out, nil
		}
		var blk *pem.Block
		if bytes.HasPrefix(t, []byte("-----BEGIN ")) {
			blk, rest = pem.Decode(t)
		}
		if blk == nil {
			return nil, fmt.Errorf("%d bytes after PEM block %d are not a PEM block", len(t), len(out))
		}
		if blk.Type != "X509 CRL" {
			return nil, fmt.Errorf("PEM block %d is %q, want \"X509 CRL\"", len(out)+1, blk.Type)
		}
		out = append(out, blk.Bytes)
	}
}

// VCEK is never served from CRLs.
func (s *SNPCRLs) VCEK(context.Context, string, []byte, uint64) ([]byte, error) {
	return nil, fmt.Errorf("VCEK: %w (give it as a certificate)", ErrNotGiven)
}

// CRL returns the newest CRL of productLine's ARK issued no later than asOf. The ASK
// and ASVK CRLs have the same issuer, so one CRL may miss a revocation: the appraiser
// asks CRLs instead, and uses this only as a fallback. Ties on thisUpdate go to the
// CRL given first, so the result does not depend on anything but the input.
func (s *SNPCRLs) CRL(_ context.Context, productLine string, _ bool, asOf time.Time) ([]byte, error) {
	var best *snpCRL
	for i := range s.crls {
		c := &s.crls[i]
		if c.productLine == productLine && !c.thisUpdate.After(asOf) && (best == nil || c.thisUpdate.After(best.thisUpdate)) {
			best = c
		}
	}
	if best == nil {
		return nil, fmt.Errorf("CRL of ARK-%s as of %s: %w", productLine, asOf.Format(time.RFC3339), ErrNotGiven)
	}
	return best.der, nil
}

// CRLs returns every CRL of productLine's ARK current as of asOf, in the order given:
// the ASK's and the ASVK's lists have the same issuer, so the appraiser checks the
// chain against all of them. When none is current it returns the newest issued by
// asOf (CRL's choice), so the check fails saying why.
func (s *SNPCRLs) CRLs(ctx context.Context, productLine string, asOf time.Time) ([][]byte, error) {
	var out [][]byte
	for _, c := range s.crls {
		if c.productLine == productLine && !c.thisUpdate.After(asOf) && (c.nextUpdate.IsZero() || asOf.Before(c.nextUpdate)) {
			out = append(out, c.der)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	der, err := s.CRL(ctx, productLine, false, asOf)
	if err != nil {
		return nil, err
	}
	return [][]byte{der}, nil
}

// CRLDir serves the AMD CRLs of a file, or of every file in a directory, as SEV-SNP
// collateral, and reads them again on Reload: the oracle node reloads it on every
// continuous-attestation pass, so a CRL dropped into the directory is picked up and
// the archived evidence re-appraised against it. It holds no VCEKs.
type CRLDir struct {
	path string
	mu   sync.RWMutex
	crls *SNPCRLs
}

// OpenCRLDir reads the CRLs at path; an error names the file that is no AMD CRL.
func OpenCRLDir(path string) (*CRLDir, error) {
	d := &CRLDir{path: path}
	if err := d.Reload(); err != nil {
		return nil, err
	}
	return d, nil
}

// ErrCRLsShrank is wrapped by a Reload that read fewer CRLs of a product line than
// the CRLDir holds.
var ErrCRLsShrank = errors.New("fewer CRLs than before")

// Reload reads the CRLs again. On an error (a file that is no AMD CRL, an unreadable
// directory) it keeps the CRLs it had and returns the error, naming the file. It
// also keeps them, returning an error wrapping ErrCRLsShrank, when the new read holds
// fewer CRLs of some product line than it had (none at all included): a directory
// being replaced in place (rm, then cp) must not make the appraiser fall back to the
// submitter's CRL or skip the check. Removing a CRL for good takes a restart
// (OpenCRLDir accepts any set).
func (d *CRLDir) Reload() error {
	in, err := ReadFiles(d.path)
	if err != nil {
		return err
	}
	crls, err := ParseSNPCRLs(in)
	if err != nil {
		return fmt.Errorf("collateral %s: %w", d.path, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.crls != nil {
		had, now := d.crls.perLine(), crls.perLine()
		lines := make([]string, 0, len(had))
		for line := range had {
			lines = append(lines, line)
		}
		sort.Strings(lines)
		for _, line := range lines {
			if now[line] < had[line] {
				return fmt.Errorf("collateral %s: %w: %d CRLs of ARK-%s, %d before; keeping the %d read before (restart to remove CRLs)",
					d.path, ErrCRLsShrank, now[line], line, had[line], had[line])
			}
		}
	}
	d.crls = crls
	return nil
}

// perLine counts the CRLs of each product line.
func (s *SNPCRLs) perLine() map[string]int {
	n := map[string]int{}
	for _, c := range s.crls {
		n[c.productLine]++
	}
	return n
}

func (d *CRLDir) current() *SNPCRLs {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.crls
}

// VCEK is never served from a CRL directory: the VCEK must come with the evidence.
func (d *CRLDir) VCEK(context.Context, string, []byte, uint64) ([]byte, error) {
	return nil, fmt.Errorf("VCEK: %w (it must come with the evidence)", ErrNotGiven)
}

// CRL is SNPCRLs.CRL over the CRLs last read.
func (d *CRLDir) CRL(ctx context.Context, productLine string, vlek bool, asOf time.Time) ([]byte, error) {
	return d.current().CRL(ctx, productLine, vlek, asOf)
}

// CRLs is SNPCRLs.CRLs over the CRLs last read.
func (d *CRLDir) CRLs(ctx context.Context, productLine string, asOf time.Time) ([][]byte, error) {
	return d.current().CRLs(ctx, productLine, asOf)
}
