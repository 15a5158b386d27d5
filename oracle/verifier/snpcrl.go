package verifier

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// ErrNotGiven is returned by SNPCRLs for collateral the request did not carry. The
// appraiser then records the CRL check as skipped with this reason.
var ErrNotGiven = errors.New("not among the collateral given")

// SNPCRLs serves AMD CRLs held in memory as an appraise.SNPCollateral. It holds no
// VCEKs: those come with the evidence or as certificates.
type SNPCRLs struct {
	crls []snpCRL
}

var (
	_ appraise.SNPCollateral = (*SNPCRLs)(nil)
	_ appraise.SNPCRLLister  = (*SNPCRLs)(nil)
)

type snpCRL struct {
	productLine string // from the issuer, "ARK-<line>"
	thisUpdate  time.Time
	nextUpdate  time.Time
	der         []byte
}

// ParseSNPCRLs reads AMD CRLs (DER or PEM). Each must be issued by an ARK
// ("ARK-<product line>"); its signature is checked by the appraiser against the
// trusted ARK, not here.
func ParseSNPCRLs(inputs []evidence.Input) (*SNPCRLs, error) {
	out := &SNPCRLs{}
	for i, in := range inputs {
		name := inputName(in, fmt.Sprintf("snp_crls[%d]", i))
		b := in.Data
		if blk, _ := pem.Decode(b); blk != nil {
			b = blk.Bytes
		}
		crl, err := x509.ParseRevocationList(b)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: not an AMD CRL (DER or PEM): %w", ErrCollateral, name, err)
		}
		line, ok := strings.CutPrefix(crl.Issuer.CommonName, "ARK-")
		if !ok {
			return nil, fmt.Errorf("%w: %s: CRL issuer %q is not an AMD ARK", ErrCollateral, name, crl.Issuer.CommonName)
		}
		out.crls = append(out.crls, snpCRL{productLine: line, thisUpdate: crl.ThisUpdate, nextUpdate: crl.NextUpdate, der: b})
	}
	return out, nil
}

// VCEK is never served from request collateral.
func (s *SNPCRLs) VCEK(context.Context, string, []byte, uint64) ([]byte, error) {
	return nil, fmt.Errorf("VCEK: %w (give it as a certificate)", ErrNotGiven)
}

// CRL returns the newest CRL of productLine's ARK issued no later than asOf. The ASK
// and ASVK CRLs have the same issuer, so one CRL may miss a revocation: the appraiser
// asks CRLs (appraise.SNPCRLLister) instead, and uses this only as a fallback. Ties on
// thisUpdate go to the CRL given first, so the result does not depend on anything
// but the request.
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

// oidHWID is the VCEK extension holding the chip's HWID (AMD's VCEK specification):
// 64 bytes before Turin, 8 bytes on Turin.
var oidHWID = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1, 4}

// SNPCollateral serves AMD collateral held in memory: CRLs (as SNPCRLs) and VCEKs,
// for reports whose evidence carries no VCEK. That is how the oracle node archives
// a VCEK it fetched from AMD KDS: as collateral, outside the evidence, so the
// evidence hash does not change; giving it back as a certificate beside the
// evidence would change the hash and the verdict.
type SNPCollateral struct {
	crls  *SNPCRLs
	vceks []*x509.Certificate
}

var _ appraise.SNPCollateral = (*SNPCollateral)(nil)

// ParseSNPCollateral reads AMD CRLs (see ParseSNPCRLs) and VCEKs (DER or PEM).
func ParseSNPCollateral(crls, vceks []evidence.Input) (*SNPCollateral, error) {
	c, err := ParseSNPCRLs(crls)
	if err != nil {
		return nil, err
	}
	out := &SNPCollateral{crls: c}
	for i, in := range vceks {
		b := in.Data
		if blk, _ := pem.Decode(b); blk != nil {
			b = blk.Bytes
		}
		cert, err := x509.ParseCertificate(b)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: not a VCEK certificate (DER or PEM): %w", ErrCollateral, inputName(in, fmt.Sprintf("snp_vceks[%d]", i)), err)
		}
		out.vceks = append(out.vceks, cert)
	}
	return out, nil
}

// VCEK returns the given VCEK whose HWID is chipID; with none matching, the first
// one given (the appraisal then fails its chip-id check and says so).
func (s *SNPCollateral) VCEK(_ context.Context, productLine string, chipID []byte, _ uint64) ([]byte, error) {
	if len(s.vceks) == 0 {
		return nil, fmt.Errorf("VCEK of a %s chip: %w", productLine, ErrNotGiven)
	}
	for _, c := range s.vceks {
		if hwid := certHWID(c); len(hwid) > 0 && len(hwid) <= len(chipID) && bytes.Equal(hwid, chipID[:len(hwid)]) {
			return c.Raw, nil
		}
	}
	return s.vceks[0].Raw, nil
}

// CRL is SNPCRLs.CRL.
func (s *SNPCollateral) CRL(ctx context.Context, productLine string, vlek bool, asOf time.Time) ([]byte, error) {
	return s.crls.CRL(ctx, productLine, vlek, asOf)
}

// certHWID returns the HWID extension's bytes: AMD writes them raw, some tools as an
// OCTET STRING; both are read.
func certHWID(c *x509.Certificate) []byte {
	for _, e := range c.Extensions {
		if e.Id.Equal(oidHWID) {
			var inner []byte
			if rest, err := asn1.Unmarshal(e.Value, &inner); err == nil && len(rest) == 0 {
				return inner
			}
			return e.Value
		}
	}
	return nil
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
