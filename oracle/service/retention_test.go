package service_test

import (
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestE2EFailedEvidenceIsPruned: evidence that made no published verdict is
// deleted, with its submission, once the retention time has passed; the evidence
// of the published verdict stays, and the archive metrics count what is left.
func TestE2EFailedEvidenceIsPruned(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32)
	good := measurement(0x11)
	pol := testPolicy(t, "retention", 600, good)
	e.registerPolicy(t, pol)
	machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, retain: 2 * time.Second})
	a := e.newAgent(t, snp, machine)
	submit := func(corrupt bool, want string) string {
		t.Helper()
		ch := a.challenge(t, n)
		code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, func(o *reportOpts) { o.corrupt = corrupt }))
		if code != 202 {
			t.Fatalf("submit: HTTP %d (%s)", code, res.Error)
		}
		v := waitState(t, n, res.ID, 60*time.Second, want)
		return v.EvidenceHash.String()
	}
	kept := submit(false, "confirmed")
	forged := submit(true, "failed")
	if !eventually(30*time.Second, 200*time.Millisecond, func() bool {
		return httpJSON(t, "GET", n.url+"/v1/archive/evidence/"+forged, "", nil, nil) == 404
	}) {
		t.Fatal("failed submission's evidence still served 30 s after its 2 s retention")
	}
	if code := httpJSON(t, "GET", n.url+"/v1/archive/evidence/"+kept, "", nil, nil); code != 200 {
		t.Fatalf("published verdict's evidence: HTTP %d", code)
	}
	if v := scrape(t, n, "teeoracle_pruned_submissions_total"); v < 1 {
		t.Fatalf("pruned submissions %g", v)
	}
	if v := scrape(t, n, `teeoracle_archive_entries{kind="evidence"}`); v != 1 {
		t.Fatalf("evidence archive entries %g, want 1", v)
	}
}
