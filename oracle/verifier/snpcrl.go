package verifier

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/teeoracle/teeoracle/internal/x509memo"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// ErrNotGiven is returned by SNPCRLs for collateral the request did not carry. The
// appraiser then records the CRL check as skipped with this reason.
var ErrNotGiven = collateral.ErrNotGiven

// SNPCRLs serves AMD CRLs held in memory as an appraise.SNPCollateral
// (collateral.SNPCRLs). It holds no VCEKs: those come with the evidence or as
// certificates.
type SNPCRLs = collateral.SNPCRLs

var (
	_ appraise.SNPCollateral = (*SNPCRLs)(nil)
	_ appraise.SNPCRLLister  = (*SNPCRLs)(nil)
	_ appraise.SNPCollateral = (*collateral.CRLDir)(nil)
	_ appraise.SNPCRLLister  = (*collateral.CRLDir)(nil)
)

// ParseSNPCRLs reads AMD CRLs (DER or PEM), as collateral.ParseSNPCRLs; errors wrap
// ErrCollateral.
func ParseSNPCRLs(inputs []evidence.Input) (*SNPCRLs, error) {
	c, err := collateral.ParseSNPCRLs(inputs)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCollateral, err)
	}
	return c, nil
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

// SNPCollateral is an SNPCRLLister, as SNPCRLs and CRLDir are: the appraiser checks
// the chain against every current CRL given, so a request's CRLs (verify
// --collateral, the WebAssembly module, an audit's archived CRLs) give the verdict
// the node gave from its --collateral directory.
var (
	_ appraise.SNPCollateral = (*SNPCollateral)(nil)
	_ appraise.SNPCRLLister  = (*SNPCollateral)(nil)
)

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
		cert, err := x509memo.Certificate(b)
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

// CRLs is SNPCRLs.CRLs.
func (s *SNPCollateral) CRLs(ctx context.Context, productLine string, asOf time.Time) ([][]byte, error) {
	return s.crls.CRLs(ctx, productLine, asOf)
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
