package service_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestUnsettledSubmissionsPerMachineBound: the holder of one machine's key sends
// ten distinct authentic bundles while none can settle (a quorum of two, one node
// up). A bundle whose anchor is not after that of an unsettled submission of the
// machine is refused with 409; past two unsettled submissions, one with a newer
// anchor is refused with 429 and a Retry-After; at most two are accepted, the
// bound holds across a restart, and another machine is not held back.
func TestUnsettledSubmissionsPerMachineBound(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	_, other := testchain.DevKey(3)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle, other}, 2, 32)
	good := measurement(0x11)
	pol := testPolicy(t, "pending", 600, good)
	e.registerPolicy(t, pol)
	m1 := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	m2 := e.registerMachine(t, provider, 2, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	opts := nodeOpts{key: oracleKey, policy: pol, snp: snp, dir: t.TempDir()}
	n := startNode(t, e, opts)
	a1, a2 := e.newAgent(t, snp, m1), e.newAgent(t, snp, m2)
	var accepted, conflicts, tooMany int
	post := func(n *node, a *agent, fresh bool) int {
		t.Helper()
		if fresh {
			e.rpc(t, "evm_increaseTime", 2)
			e.rpc(t, "evm_mine")
		}
		ch := a.challenge(t, n)
		code, retryAfter, msg := postEvidence(t, n, a, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, nil))
		switch code {
		case http.StatusAccepted:
			accepted++
		case http.StatusConflict:
			conflicts++
		case http.StatusTooManyRequests:
			tooMany++
			if retryAfter < 1 {
				t.Fatalf("429 without a Retry-After (%s)", msg)
			}
		default:
			t.Fatalf("submission: HTTP %d (%s), want 202, 409 or 429", code, msg)
		}
		return code
	}
	// Five bundles for one challenge: the registry would take one at most.
	for i := range 5 {
		if code := post(n, a1, false); (i == 0) != (code == http.StatusAccepted) {
			t.Fatalf("bundle %d for one anchor: HTTP %d", i, code)
		}
	}
	// Five with anchors each newer than the last.
	for range 5 {
		post(n, a1, true)
	}
	if accepted != 2 || conflicts != 4 || tooMany != 4 {
		t.Fatalf("ten bundles for one machine: %d accepted, %d refused 409, %d refused 429; want 2, 4, 4",
			accepted, conflicts, tooMany)
	}
	metrics, err := httpGetText(n.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`teeoracle_submissions_refused_total{reason="not_newer"} 4`,
		`teeoracle_submissions_refused_total{reason="machine_pending"} 4`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if code := post(n, a2, false); code != http.StatusAccepted {
		t.Fatalf("another machine: HTTP %d, want 202", code)
	}
	restartNode(t, n)
	n = startNode(t, e, opts)
	if code := post(n, a1, true); code != http.StatusTooManyRequests {
		t.Fatalf("after a restart: HTTP %d, want 429", code)
	}
}
