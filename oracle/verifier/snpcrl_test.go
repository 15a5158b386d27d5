package verifier_test

import (
	"context"
	"strings"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verifier"
	"github.com/teeoracle/teeoracle/oracle/verifier/verifiertest"
)

// TestSNPEveryCRLIsCheckedThroughVerify: CRLs given with a request (verify
// --collateral, the WebAssembly module's snp_crls, audit's archived snp-crl items)
// are checked as serve --collateral checks them, every current one: given the ASK's
// list (newer) and the ASVK's list (older, revoking the ASVK), a VLEK report fails
// snp.crl rather than passing on the newest list alone. Test-only PKI.
func TestSNPEveryCRLIsCheckedThroughVerify(t *testing.T) {
	fix, err := verifiertest.NewRevokedASVK()
	if err != nil {
		t.Fatal(err)
	}
	pki, at, askList, asvkList, report := fix.PKI, fix.At, fix.ASKList, fix.ASVKList, fix.Report
	v, err := verifier.New(verifier.Options{SNPRoots: pki.Roots})
	if err != nil {
		t.Fatal(err)
	}
	verify := func(crls ...[]byte) (appraise.Check, *verifier.Result) {
		t.Helper()
		req := &verifier.Request{Evidence: evidence.Input{Name: "report", Data: report},
			Certificates: []evidence.Input{{Name: "vlek", Data: pki.VLEK.Raw}}, At: at}
		for i, c := range crls {
			req.Collateral.SNPCRLs = append(req.Collateral.SNPCRLs, evidence.Input{Name: []string{"ask.crl", "asvk.crl"}[i], Data: c})
		}
		res, err := v.Verify(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Appraisal.Checks {
			if c.Name == appraise.CheckSNPCRL {
				return c, res
			}
		}
		t.Fatalf("no %s check in %+v", appraise.CheckSNPCRL, res.Appraisal.Checks)
		return appraise.Check{}, nil
	}
	// The ASK's list alone revokes nothing: the chain is otherwise sound.
	if c, res := verify(askList); c.Outcome != appraise.Pass || !res.Appraisal.Authentic {
		t.Fatalf("ASK's list only: %s = %s (%s), authentic %v; want a pass", c.Name, c.Outcome, c.Detail, res.Appraisal.Authentic)
	}
	c, res := verify(askList, asvkList)
	if c.Outcome != appraise.Fail || !strings.Contains(c.Detail, "revoked") || res.Appraisal.Authentic || res.Decision.Trusted {
		t.Fatalf("ASK's and ASVK's lists: %s = %s (%s), authentic %v, trusted %v; want the ASVK revoked",
			c.Name, c.Outcome, c.Detail, res.Appraisal.Authentic, res.Decision.Trusted)
	}
	crls := 0
	for _, ref := range res.Appraisal.Collateral {
		if ref.Kind == "crl" {
			crls++
		}
	}
	if crls != 2 {
		t.Errorf("%d CRLs recorded in the appraisal, want both", crls)
	}
}
