package service_test

import (
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestE2EDowngradeQuorumEpoch: two nodes of a 2-of-2 quorum, passing at different
// intervals (1 s and 3 s), re-appraise a machine on a new CRL revoking its chain as
// of the same time, the machine's own point of a 20-second epoch (its id modulo 20
// past a multiple of 20; shorter epochs let a loaded machine's nodes move on to the
// next epoch's downgrade before the first one's quorum meets), and so sign the same downgrade, which lands on-chain.
func TestE2EDowngradeQuorumEpoch(t *testing.T) {
	t.Parallel()
	ka, a0 := testchain.DevKey(3)
	kb, a1 := testchain.DevKey(4)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{a0, a1}, 2, 64)
	good := measurement(0x11)
	pol := testPolicy(t, "downgrade-epoch", 600, good)
	e.registerPolicy(t, pol)
	machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	const epoch = 20 * time.Second
	addrs, peersOf := meshOf(t, 2)
	A := startNode(t, e, nodeOpts{key: ka, policy: pol, snp: snp, listen: addrs[0], peers: peersOf(0), noForward: true,
		epoch: epoch, reappEvery: time.Second})
	B := startNode(t, e, nodeOpts{key: kb, policy: pol, snp: snp, listen: addrs[1], peers: peersOf(1), noForward: true,
		epoch: epoch, reappEvery: 3 * time.Second})
	ag := e.newAgent(t, snp, machine)
	ch := ag.challenge(t, A)
	bundle := ag.evidenceFor(t, ch, good, nil)
	var ids [2]string
	for i, n := range []*node{A, B} {
		code, res := ag.submit(t, n, ch.AnchorBlockNumber, bundle)
		if code != 202 {
			t.Fatalf("submit to %s: HTTP %d %s", n.url, code, res.Error)
		}
		ids[i] = res.ID
	}
	waitState(t, A, ids[0], 60*time.Second, "confirmed")
	if !e.isTrusted(t, machine) {
		t.Fatal("machine not trusted after both nodes signed")
	}
	head, err := e.client.HeaderByNumber(ctxT(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	chainNow := time.Unix(int64(head.Time), 0)
	snp.crls.add(snp.crl(t, chainNow.Add(-time.Second), chainNow.AddDate(0, 1, 0), snp.signer.Ask))
	if !eventually(120*time.Second, 500*time.Millisecond, func() bool { return !e.isTrusted(t, machine) }) {
		t.Fatal("machine still trusted 120 s after a CRL revoking its ASK appeared: the two nodes' downgrades did not meet")
	}
	rec := e.machine(t, machine)
	off := new(big.Int).Mod(new(big.Int).SetBytes(machine[:]), big.NewInt(int64(epoch/time.Second))).Uint64()
	if rec.Status != uint8(verdict.StatusUntrusted) || rec.IssuedAt%uint64(epoch/time.Second) != off {
		t.Fatalf("on-chain status %d issued at %d, want untrusted as of the machine's offset %d within the %s epoch", rec.Status, rec.IssuedAt, off, epoch)
	}
	t.Logf("downgrade as of %d: offset %d within the %s epoch", rec.IssuedAt, off, epoch)
}
