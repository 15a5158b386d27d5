package service_test

import (
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestE2EPausedRegistryKeepsVerdictsWaiting: a verdict whose quorum completes
// while the owner has paused the registry (submitVerdicts and submitBatch revert
// with RegistryPaused) is not failed: it waits, signed with its quorum, while the
// pause lasts, and is published once the registry is unpaused.
func TestE2EPausedRegistryKeepsVerdictsWaiting(t *testing.T) {
	t.Parallel()
	ka, a0 := testchain.DevKey(3)
	kb, a1 := testchain.DevKey(4)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{a0, a1}, 2, 255)
	good := measurement(0x11)
	pol := testPolicy(t, "paused", 600, good)
	e.registerPolicy(t, pol)
	m := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	addrs, peersOf := meshOf(t, 2)
	// A signs alone first: its peer B is not up, so the verdict waits for B's signature.
	A := startNode(t, e, nodeOpts{key: ka, policy: pol, snp: snp, listen: addrs[0], peers: peersOf(0)})
	ag := e.newAgent(t, snp, m)
	ch := ag.challenge(t, A)
	code, res := ag.submit(t, A, ch.AnchorBlockNumber, ag.evidenceFor(t, ch, good, nil))
	if code != 202 {
		t.Fatalf("submit to A: HTTP %d %s", code, res.Error)
	}
	waitState(t, A, res.ID, 30*time.Second, "signed")
	e.send(t, e.owner, e.reg.PackPause())

	// B comes up, is given the evidence and signs: the quorum is complete while the
	// registry is paused.
	startNode(t, e, nodeOpts{key: kb, policy: pol, snp: snp, listen: addrs[1], peers: peersOf(1)})
	if !eventually(30*time.Second, 100*time.Millisecond, func() bool {
		v := waitState(t, A, res.ID, time.Second, "signed")
		return v.Quorum != nil && v.Quorum.Signatures >= 2
	}) {
		t.Fatal("A never held both signatures")
	}
	// Passes that find the quorum complete leave the verdict waiting (waitState
	// fails the test if it ended failed), and say the registry is paused. Fifteen
	// passes of 200 ms outlast the relay delay (1.5 s): A relays whichever of the
	// signers is lower.
	A.passes.wait(t, 15, 30*time.Second)
	waitState(t, A, res.ID, time.Second, "signed")
	if got := scrape(t, A, "teeoracle_registry_paused"); got != 1 {
		t.Fatalf("teeoracle_registry_paused = %g while paused, want 1", got)
	}
	if e.isTrusted(t, m) {
		t.Fatal("machine trusted while the registry is paused")
	}

	e.send(t, e.owner, e.reg.PackUnpause())
	waitState(t, A, res.ID, 60*time.Second, "confirmed")
	if !e.isTrusted(t, m) {
		t.Fatal("verdict confirmed but the machine is not trusted on-chain")
	}
	if !eventually(10*time.Second, 100*time.Millisecond, func() bool { return scrape(t, A, "teeoracle_registry_paused") == 0 }) {
		t.Fatal("teeoracle_registry_paused still 1 after the registry was unpaused")
	}
}
