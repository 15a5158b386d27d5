package appraise

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/collateral"
)

// filesCRLs is a collateral source like CRL files a user gives: several CRLs of one
// ARK, with no way to tell the ASK's list from the ASVK's. CRL answers the newest.
type filesCRLs struct{ newestFirst [][]byte }

func (f filesCRLs) VCEK(context.Context, string, []byte, uint64) ([]byte, error) {
	return nil, errors.New("no VCEKs here")
}

func (f filesCRLs) CRL(context.Context, string, bool, time.Time) ([]byte, error) {
	return f.newestFirst[0], nil
}

// crlsOnly hides the CRLs method, leaving a source that can answer one CRL only.
type crlsOnly struct{ f filesCRLs }

func (c crlsOnly) VCEK(ctx context.Context, line string, chip []byte, tcb uint64) ([]byte, error) {
	return c.f.VCEK(ctx, line, chip, tcb)
}

func (c crlsOnly) CRL(ctx context.Context, line string, vlek bool, asOf time.Time) ([]byte, error) {
	return c.f.CRL(ctx, line, vlek, asOf)
}

func (f filesCRLs) CRLs(context.Context, string, time.Time) ([][]byte, error) {
	return f.newestFirst, nil
}

// TestSNPEveryCRLOfTheARKIsChecked: given the ASK's CRL (newer) and the ASVK's CRL
// (older, revoking the ASVK), a source that can only hand out one CRL misses the
// ASVK's revocation; an SNPCRLLister source has the VLEK chain checked against both.
func TestSNPEveryCRLOfTheARKIsChecked(t *testing.T) {
	pki := newTestPKI(t, "Milan", nil)
	tcb := SNPTCB{Bootloader: 3, TEE: 0, SNP: 8, Microcode: 115}
	vlek := pki.leaf(t, leafOpts{vlek: true, tcb: tcb})
	asOf := testT0.AddDate(0, 1, 0)
	report := pki.report(t, reportOpts{vlek: true, reportedTCB: tcb.Encode()})
	askList := pki.crl(t, asOf.AddDate(0, 0, -1), asOf.AddDate(0, 0, 6))
	asvkList := pki.crl(t, asOf.AddDate(0, 0, -2), asOf.AddDate(0, 0, 6), pki.asvk)
	src := filesCRLs{newestFirst: [][]byte{askList, asvkList}}

	one, err := NewSNP(SNPConfig{Roots: pki.roots, Collateral: crlsOnly{src}})
	if err != nil {
		t.Fatal(err)
	}
	ap, err := one.Appraise(t.Context(), snpEvidence(report, vlek), asOf)
	if err != nil {
		t.Fatal(err)
	}
	if got := checkOutcome(ap, CheckSNPCRL); got != Pass {
		t.Fatalf("one-CRL source: snp.crl %s; this test relies on it passing (the gap the lister closes)", got)
	}

	all, err := NewSNP(SNPConfig{Roots: pki.roots, Collateral: src})
	if err != nil {
		t.Fatal(err)
	}
	ap, errs, err := all.appraise(t.Context(), snpEvidence(report, vlek), asOf)
	if err != nil {
		t.Fatal(err)
	}
	if got := checkOutcome(ap, CheckSNPCRL); got != Fail || !errors.Is(errs[CheckSNPCRL], ErrSNPRevoked) || ap.Authentic {
		t.Fatalf("lister source: snp.crl %s (%v), authentic %v; want the ASVK revoked", got, errs[CheckSNPCRL], ap.Authentic)
	}
	crls := 0
	for _, c := range ap.Collateral {
		if c.Kind == "crl" {
			crls++
		}
	}
	if crls != 2 {
		t.Fatalf("%d CRLs recorded in the appraisal, want both", crls)
	}
}

// TestSNPBundleCRLOfTheChainsKind: with no CRL from a collateral source, a CRL from
// the evidence bundle counts only under the name of the chain's kind (vcek_crl for a
// VCEK chain, vlek_crl for a VLEK chain), never the first ARK-issued item by name: a
// VLEK chain given only the ASK's list has no CRL (skipped, not passed), and given
// both lists it is checked against the ASVK's, which revokes it.
func TestSNPBundleCRLOfTheChainsKind(t *testing.T) {
	pki := newTestPKI(t, "Milan", nil)
	tcb := SNPTCB{Bootloader: 3, TEE: 0, SNP: 8, Microcode: 115}
	vlek := pki.leaf(t, leafOpts{vlek: true, tcb: tcb})
	asOf := testT0.AddDate(0, 1, 0)
	report := pki.report(t, reportOpts{vlek: true, reportedTCB: tcb.Encode()})
	askList := pki.crl(t, asOf.AddDate(0, 0, -1), asOf.AddDate(0, 0, 6))
	asvkList := pki.crl(t, asOf.AddDate(0, 0, -2), asOf.AddDate(0, 0, 6), pki.asvk)
	for _, tc := range []struct {
		name       string
		collateral map[string][]byte
		src        SNPCollateral
		want       Outcome
		cause      error
	}{
		{"ASK's list as vcek_crl", map[string][]byte{"vcek_crl": askList}, nil, Skip, nil},
		{"ASK's list as vcek_crl, source without it", map[string][]byte{"vcek_crl": askList}, &collateral.SNPCRLs{}, Skip, nil},
		{"both lists", map[string][]byte{"vcek_crl": askList, "vlek_crl": asvkList}, nil, Fail, ErrSNPRevoked},
		{"ASVK's list as vlek_crl", map[string][]byte{"vlek_crl": asvkList}, nil, Fail, ErrSNPRevoked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := NewSNP(SNPConfig{Roots: pki.roots, Collateral: tc.src})
			if err != nil {
				t.Fatal(err)
			}
			ev := snpEvidence(report, vlek)
			ev.Collateral = tc.collateral
			ap, causes, err := a.appraise(t.Context(), ev, asOf)
			if err != nil {
				t.Fatal(err)
			}
			if got := checkOutcome(ap, CheckSNPCRL); got != tc.want || (tc.cause != nil && !errors.Is(causes[CheckSNPCRL], tc.cause)) {
				t.Fatalf("snp.crl %s (%v); want %s (%v)", got, causes[CheckSNPCRL], tc.want, tc.cause)
			}
		})
	}
}
