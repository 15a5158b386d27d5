package service_test

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/store"
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

// pausingEndpoint is a chain endpoint that, when the node first broadcasts a
// transaction to the registry, has the owner pause the registry and waits for the
// pause to be mined before passing the node's transaction on: the transaction was
// estimated and its verdicts simulated with the registry unpaused, and it is mined
// paused, reverting with RegistryPaused.
type pausingEndpoint struct {
	*ethclient.Client
	registry common.Address
	pause    func(ctx context.Context) error
	once     sync.Once
	sent     chan *types.Transaction // the node's transaction mined paused
	err      error
}

func (p *pausingEndpoint) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	if to := tx.To(); to == nil || *to != p.registry {
		return p.Client.SendTransaction(ctx, tx)
	}
	first := false
	p.once.Do(func() {
		first = true
		p.err = p.pause(ctx)
	})
	if first && p.err != nil {
		close(p.sent)
		return p.err
	}
	err := p.Client.SendTransaction(ctx, tx)
	if first {
		p.sent <- tx
	}
	return err
}

// sendAndWait sends calldata to the registry from key and waits for it to be mined
// successfully, without the test's t (it runs in the node's goroutines).
func (e *chainEnv) sendAndWait(ctx context.Context, key *ecdsa.PrivateKey, data []byte) error {
	opts := bind.NewKeyedTransactor(key, new(big.Int).SetUint64(e.chainID))
	opts.Context = ctx
	tx, err := e.reg.Instance(e.client, e.registry).RawTransact(opts, data)
	if err != nil {
		return err
	}
	r, err := bind.WaitMined(ctx, e.client, tx.Hash())
	if err != nil {
		return err
	}
	if r.Status != types.ReceiptStatusSuccessful {
		return fmt.Errorf("tx %s reverted", tx.Hash())
	}
	return nil
}

// TestE2EBatchRevertedByAPauseIsPublishedAfterUnpause: the owner pauses the
// registry after the publisher simulated a verdict and before its transaction is
// mined, so the transaction reverts with RegistryPaused. That says nothing against
// the verdict: the journal hands it back to signed (with its signature) instead of
// failing it, the publisher waits for the pause to end, and once the registry is
// unpaused the verdict is published again and its machine is trusted on-chain.
func TestE2EBatchRevertedByAPauseIsPublishedAfterUnpause(t *testing.T) {
	t.Parallel()
	key, oracle := testchain.DevKey(3)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 255)
	good := measurement(0x11)
	pol := testPolicy(t, "paused-race", 600, good)
	e.registerPolicy(t, pol)
	m := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	rpc := &pausingEndpoint{Client: e.client, registry: e.registry, sent: make(chan *types.Transaction, 1),
		pause: func(ctx context.Context) error { return e.sendAndWait(ctx, e.owner, e.reg.PackPause()) }}
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	n := startNode(t, e, nodeOpts{key: key, policy: pol, snp: snp, rpc: rpc})
	ag := e.newAgent(t, snp, m)
	ch := ag.challenge(t, n)
	code, res := ag.submit(t, n, ch.AnchorBlockNumber, ag.evidenceFor(t, ch, good, nil))
	if code != 202 {
		t.Fatalf("submit: HTTP %d %s", code, res.Error)
	}

	var tx *types.Transaction
	select {
	case tx = <-rpc.sent:
	case <-time.After(60 * time.Second):
		t.Fatal("the node never sent a transaction to the registry")
	}
	if tx == nil {
		t.Fatalf("pausing the registry: %v", rpc.err)
	}
	rcpt, err := bind.WaitMined(ctxT(t), e.client, tx.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if rcpt.Status != types.ReceiptStatusFailed {
		t.Fatalf("the node's transaction %s did not revert while the registry was paused", tx.Hash())
	}
	// The journal settles the reverted transaction: its verdict goes back to
	// signed (waitState fails the test if it ended failed), and the record says so.
	var rec store.Tx
	if !eventually(30*time.Second, 100*time.Millisecond, func() bool {
		rec, err = n.store.Tx(oracle, tx.Nonce())
		return err == nil && rec.State != store.TxPending
	}) {
		t.Fatalf("the reverted transaction is not settled in the journal: %+v, %v", rec, err)
	}
	waitState(t, n, res.ID, 10*time.Second, "signed")
	if rec.Success || !rec.Retried {
		t.Fatalf("journal record of the reverted transaction: success %v, retried %v (%s); want its verdicts handed back",
			rec.Success, rec.Retried, rec.Reason)
	}
	if e.isTrusted(t, m) {
		t.Fatal("machine trusted while the registry is paused")
	}

	e.send(t, e.owner, e.reg.PackUnpause())
	v := waitState(t, n, res.ID, 60*time.Second, "confirmed")
	if !e.isTrusted(t, m) {
		t.Fatal("verdict confirmed but the machine is not trusted on-chain")
	}
	if v.TxHash == nil || *v.TxHash == tx.Hash() {
		t.Fatalf("verdict confirmed by transaction %v, want a new one after %s", v.TxHash, tx.Hash())
	}
}
