package service_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestForwardRefusedNotResent: a peer that refuses the forwarded evidence with a
// 4xx other than 408 and 429 (here 422, as a peer of the other proof-of-possession
// version answers) is not sent the bundle again on later publisher passes: the
// refusal is final for that peer and verdict, and the quorum status says so.
func TestForwardRefusedNotResent(t *testing.T) {
	t.Parallel()
	ka, a0 := testchain.DevKey(3)
	_, a1 := testchain.DevKey(4)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{a0, a1}, 2, 64)
	good := measurement(0x11)
	pol := testPolicy(t, "forward-refused", 600, good)
	e.registerPolicy(t, pol)
	m := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	// The peer has neither a signature nor the evidence, and refuses the evidence.
	var posts atomic.Int32
	peer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/evidence" {
			posts.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = w.Write([]byte(`{"error":"pop: proof of possession does not recover to tee_key","field":"pop"}`))
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(peer.Close)
	n := startNode(t, e, nodeOpts{key: ka, policy: pol, snp: snp, peers: []string{peer.URL}})
	ag := e.newAgent(t, snp, m)
	ch := ag.challenge(t, n)
	code, res := ag.submit(t, n, ch.AnchorBlockNumber, ag.evidenceFor(t, ch, good, nil))
	if code != 202 {
		t.Fatalf("submit: HTTP %d %s", code, res.Error)
	}
	if !eventually(60*time.Second, 50*time.Millisecond, func() bool { return posts.Load() > 0 }) {
		t.Fatal("the evidence was never forwarded to the peer")
	}
	n.passes.wait(t, 3, 30*time.Second)
	if got := posts.Load(); got != 1 {
		t.Fatalf("the peer that refused the evidence (422) was sent it %d times over three more publisher passes, want once", got)
	}
	v := waitState(t, n, res.ID, 10*time.Second, "signed")
	if v.Quorum == nil || len(v.Quorum.Peers) != 1 || !strings.Contains(v.Quorum.Peers[0].Detail, "422") {
		t.Fatalf("quorum status %+v; want the peer's refusal (HTTP 422) named", v.Quorum)
	}
}
