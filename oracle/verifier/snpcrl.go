package verifier

import (
	"context"
	"crypto/x509"
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

var _ appraise.SNPCollateral = (*SNPCRLs)(nil)

type snpCRL struct {
	productLine string // from the issuer, "ARK-<line>"
	thisUpdate  time.Time
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
		out.crls = append(out.crls, snpCRL{productLine: line, thisUpdate: crl.ThisUpdate, der: b})
	}
	return out, nil
}

// VCEK is never served from request collateral.
func (s *SNPCRLs) VCEK(context.Context, string, []byte, uint64) ([]byte, error) {
	return nil, fmt.Errorf("VCEK: %w (give it as a certificate)", ErrNotGiven)
}

// CRL returns the newest CRL of productLine's ARK issued no later than asOf. The ASK
// and ASVK CRLs have the same issuer; the appraiser checks whichever it gets against
// the chain in use, so the choice only decides which revocations are seen. Ties on
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
