package service_test

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// meshOf picks n free API addresses and returns them with peersOf(i): every other
// node's URL, the peer list of node i.
func meshOf(t *testing.T, n int) ([]string, func(int) []string) {
	addrs := make([]string, n)
	for i := range addrs {
		addrs[i] = freeAddr(t)
	}
	return addrs, func(i int) []string {
		var out []string
		for j, a := range addrs {
			if j != i {
				out = append(out, "http://"+a)
			}
		}
		return out
	}
}

// TestE2EQuorum runs three oracle nodes against a registry with threshold 2. A
// verdict lands only once two nodes signed it; a node whose policy differs reaches a
// different verdict hash, which shows as a disagreement, and cannot make a machine
// trusted alone.
func TestE2EQuorum(t *testing.T) {
	// The end-to-end tests mostly wait for 1-second blocks, each on its own anvil:
	// run them side by side.
	t.Parallel()
	ka, a0 := testchain.DevKey(3)
	kb, a1 := testchain.DevKey(4)
	kc, a2 := testchain.DevKey(5)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{a0, a1, a2}, 2, 64)
	good, other := measurement(0x11), measurement(0x33)
	pol := testPolicy(t, "quorum-main", 600, good)
	odd := testPolicy(t, "quorum-odd", 600, other) // node C trusts another workload
	e.registerPolicy(t, pol)
	e.registerPolicy(t, odd)
	m1 := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	m2 := e.registerMachine(t, provider, 2, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))

	addrs, peersOf := meshOf(t, 3)
	// Evidence reaches a node only from the test, so each signature is accounted for
	// (TestE2EQuorumForwarding covers nodes handing evidence to each other).
	A := startNode(t, e, nodeOpts{key: ka, policy: pol, snp: snp, listen: addrs[0], peers: peersOf(0), noForward: true})
	B := startNode(t, e, nodeOpts{key: kb, policy: pol, snp: snp, listen: addrs[1], peers: peersOf(1), noForward: true})
	C := startNode(t, e, nodeOpts{key: kc, policy: odd, snp: snp, listen: addrs[2], peers: peersOf(2), noForward: true})

	submit := func(t *testing.T, ag *agent, n *node, ch api.Challenge, bundle []byte) string {
		t.Helper()
		code, res := ag.submit(t, n, ch.AnchorBlockNumber, bundle)
		if code != 202 {
			t.Fatalf("submit to %s: HTTP %d %s", n.url, code, res.Error)
		}
		return res.ID
	}

	t.Run("one signature is not enough, two are", func(t *testing.T) {
		ag := e.newAgent(t, snp, m1)
		ch := ag.challenge(t, A)
		bundle := ag.evidenceFor(t, ch, good, nil)
		idA := submit(t, ag, A, ch, bundle)
		waitState(t, A, idA, 20*time.Second, "signed")
		// Two whole publisher passes over the signed verdict (a pass sends what has
		// its quorum and waits for the receipt): it is still signed, not sent.
		A.passes.wait(t, 2, 20*time.Second)
		v := waitState(t, A, idA, time.Second, "signed")
		// The passes saw it and left it waiting; no transaction was tried.
		if w := scrape(t, A, "teeoracle_quorum_waiting"); w != 1 {
			t.Fatalf("quorum_waiting %g after two passes, want 1", w)
		}
		if m, err := httpGetText(A.url + "/metrics"); err != nil || strings.Contains(m, "teeoracle_publish_batches_total{") {
			t.Fatalf("a verdict transaction was tried with one signature of two (%v):\n%s", err, grepLines(m, "publish_batches"))
		}
		if e.isTrusted(t, m1) {
			t.Fatal("verdict landed with one signature of a 2-of-3 quorum")
		}
		if v.Quorum == nil || v.Quorum.Signatures != 1 || v.Quorum.Threshold != 2 {
			t.Fatalf("quorum status %+v, want 1 of 2", v.Quorum)
		}
		idB := submit(t, ag, B, ch, bundle)
		waitState(t, A, idA, 60*time.Second, "confirmed")
		waitState(t, B, idB, 60*time.Second, "confirmed")
		if !e.isTrusted(t, m1) || !e.consumerAccepts(t, ag.teeKey) {
			t.Fatal("verdict with two signatures not trusted on-chain")
		}
		// A re-attestation of the now bound key reaches all three nodes. C's policy
		// makes it untrusted: a downgrade of the bound key, which C signs and offers,
		// but A and B reached another verdict.
		ch = ag.challenge(t, A)
		bundle = ag.evidenceFor(t, ch, good, nil)
		idA = submit(t, ag, A, ch, bundle)
		idB = submit(t, ag, B, ch, bundle)
		idC := submit(t, ag, C, ch, bundle)
		va := waitState(t, A, idA, 60*time.Second, "confirmed")
		waitState(t, B, idB, 60*time.Second, "confirmed")
		if !e.isTrusted(t, m1) {
			t.Fatal("re-attested machine not trusted on-chain")
		}
		var vv api.VerdictView
		httpJSON(t, "GET", A.url+"/v1/verdicts/"+va.VerdictHash.String(), "", nil, &vv)
		if len(vv.Signatures) < 2 {
			t.Fatalf("published verdict holds %d signatures", len(vv.Signatures))
		}
		// C used another policy: another verdict hash, visible as a disagreement.
		var vc api.SubmissionView
		disagrees := eventually(20*time.Second, 300*time.Millisecond, func() bool {
			vc = api.SubmissionView{}
			httpJSON(t, "GET", C.url+"/v1/submissions/"+idC, "", nil, &vc)
			if vc.VerdictHash != nil && *vc.VerdictHash == *va.VerdictHash {
				t.Fatal("node with another policy reached the same verdict hash")
			}
			return vc.Quorum != nil && vc.Quorum.Disagreement
		})
		if !disagrees {
			t.Fatalf("odd node shows no disagreement: %+v quorum %+v", vc.State, vc.Quorum)
		}
		if vc.State == "confirmed" {
			t.Fatal("the odd node's verdict was confirmed")
		}
		if metric := scrape(t, C, "teeoracle_quorum_disagreements_total"); metric < 1 {
			t.Fatalf("disagreement metric %v", metric)
		}
	})

	t.Run("a node with another policy cannot trust alone", func(t *testing.T) {
		ag := e.newAgent(t, snp, m2)
		ch := ag.challenge(t, C)
		bundle := ag.evidenceFor(t, ch, other, nil) // allowed only by C's policy
		idC := submit(t, ag, C, ch, bundle)
		vc := waitState(t, C, idC, 20*time.Second, "signed")
		if vc.Trusted == nil || !*vc.Trusted {
			t.Fatalf("odd node did not trust its own workload: %+v", vc)
		}
		idA := submit(t, ag, A, ch, bundle)
		idB := submit(t, ag, B, ch, bundle)
		// A and B decide untrusted; an untrusted verdict never binds a key, so they do
		// not publish it (the machine has no key yet), and say why.
		for _, n := range []struct {
			n  *node
			id string
		}{{A, idA}, {B, idB}} {
			v := waitState(t, n.n, n.id, 60*time.Second, "failed")
			if v.Trusted == nil || *v.Trusted {
				t.Fatal("a node trusted a workload its policy does not allow")
			}
			if !strings.Contains(v.Reason, "never bind") {
				t.Fatalf("failed for %q, want the binding rule", v.Reason)
			}
		}
		// C holds its signed verdict; two whole passes of its publisher later it has
		// still not sent it alone.
		C.passes.wait(t, 2, 20*time.Second)
		if v := waitState(t, C, idC, time.Second, "signed"); v.Quorum == nil || v.Quorum.Signatures != 1 {
			t.Fatalf("odd node's submission %+v quorum %+v, want still signed with its own signature", v.State, v.Quorum)
		}
		if e.isTrusted(t, m2) {
			t.Fatal("machine trusted on one odd node's signature")
		}
		if rec := e.machine(t, m2); rec.Status != 0 || rec.TeeKey != (common.Address{}) {
			t.Fatalf("on-chain status %d key %s, want no verdict and no key", rec.Status, rec.TeeKey)
		}
	})
}

// scrape reads one unlabelled series from a node's /metrics.
func scrape(t *testing.T, n *node, name string) float64 {
	t.Helper()
	resp, err := httpGetText(n.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var v float64
	for _, line := range splitLines(resp) {
		if _, err := fmt.Sscanf(line, name+" %g", &v); err == nil {
			return v
		}
	}
	t.Fatalf("metric %s not found", name)
	return 0
}

// TestE2EQuorumForwarding: an agent attests to one node of a 2-of-3 quorum; that node
// gives the evidence to its peers, which appraise it as of the same anchor, sign the
// same verdict hash, and the verdict lands with two or more signatures.
func TestE2EQuorumForwarding(t *testing.T) {
	t.Parallel()
	ka, a0 := testchain.DevKey(3)
	kb, a1 := testchain.DevKey(4)
	kc, a2 := testchain.DevKey(5)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{a0, a1, a2}, 2, 64)
	good := measurement(0x11)
	pol := testPolicy(t, "quorum-forward", 600, good)
	e.registerPolicy(t, pol)
	m := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	addrs, peersOf := meshOf(t, 3)
	A := startNode(t, e, nodeOpts{key: ka, policy: pol, snp: snp, listen: addrs[0], peers: peersOf(0)})
	B := startNode(t, e, nodeOpts{key: kb, policy: pol, snp: snp, listen: addrs[1], peers: peersOf(1)})
	C := startNode(t, e, nodeOpts{key: kc, policy: pol, snp: snp, listen: addrs[2], peers: peersOf(2)})

	ag := e.newAgent(t, snp, m)
	ch := ag.challenge(t, A)
	code, res := ag.submit(t, A, ch.AnchorBlockNumber, ag.evidenceFor(t, ch, good, nil))
	if code != 202 {
		t.Fatalf("submit to A: HTTP %d %s", code, res.Error)
	}
	va := waitState(t, A, res.ID, 60*time.Second, "confirmed")
	if !e.isTrusted(t, m) || !e.consumerAccepts(t, ag.teeKey) {
		t.Fatal("verdict not trusted on-chain after attesting to one node")
	}
	// Whichever node gathered the quorum first published it (A learns of it from
	// the chain when B or C was quicker): that node holds two or more signatures.
	most := 0
	for _, n := range []*node{A, B, C} {
		var vv api.VerdictView
		if httpJSON(t, "GET", n.url+"/v1/verdicts/"+va.VerdictHash.String(), "", nil, &vv) == 200 {
			most = max(most, len(vv.Signatures))
		}
	}
	if most < 2 {
		t.Fatalf("no node holds more than %d signatures of the published verdict, want a quorum of 2", most)
	}
	// B appraised the forwarded evidence itself and reached the same verdict.
	var ev struct {
		VerdictHashes []common.Hash `json:"verdict_hashes"`
	}
	httpJSON(t, "GET", B.url+"/v1/evidence/"+va.EvidenceHash.String()+"/verdicts", "", nil, &ev)
	if len(ev.VerdictHashes) != 1 || ev.VerdictHashes[0] != *va.VerdictHash {
		t.Fatalf("peer B reached %v for the forwarded evidence, want [%s]", ev.VerdictHashes, va.VerdictHash)
	}
}
