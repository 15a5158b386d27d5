package service

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verifier/verifiertest"
)

// A node with a CRL directory (serve --collateral DIR) checks the chain against
// every current CRL in it, through the recording source, and archives each one, so
// that an audit replaying the archive through verifier.Verify gives the same
// verdict: with the ASK's list (newer) and the ASVK's list (older, revoking the ASVK),
// a VLEK report fails snp.crl. Test-only PKI.
func TestNodeChecksEveryCRLOfItsDirectory(t *testing.T) {
	fix, err := verifiertest.NewRevokedASVK()
	if err != nil {
		t.Fatal(err)
	}
	pki, at, askList, asvkList, report := fix.PKI, fix.At, fix.ASKList, fix.ASVKList, fix.Report
	dir := t.TempDir()
	for name, b := range map[string][]byte{"ask.crl": askList, "asvk.crl": asvkList} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	crls, err := collateral.OpenCRLDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := NewAppraiser(&collateral.Sources{SNP: crls, CRLs: crls}, &appraise.CustomRoots{SNP: pki.Roots}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, rec := withRecorder(context.Background(), "")
	ev := &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: report, Certificates: [][]byte{pki.VLEK.Raw}}
	ap, err := a.Appraise(ctx, ev, at)
	if err != nil {
		t.Fatal(err)
	}
	var crl appraise.Check
	for _, c := range ap.Checks {
		if c.Name == appraise.CheckSNPCRL {
			crl = c
		}
	}
	if crl.Outcome != appraise.Fail || ap.Authentic {
		t.Fatalf("%s = %s (%s), authentic %v; want the ASVK revoked", appraise.CheckSNPCRL, crl.Outcome, crl.Detail, ap.Authentic)
	}
	for name, b := range map[string][]byte{"ask.crl": askList, "asvk.crl": asvkList} {
		if it, ok := rec.items[sha256.Sum256(b)]; !ok || it.kind != audit.CollateralSNPCRL {
			t.Errorf("%s not archived as %s (%d items recorded)", name, audit.CollateralSNPCRL, len(rec.items))
		}
	}
}
