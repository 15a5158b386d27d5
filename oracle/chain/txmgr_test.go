package chain

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/teeoracle/teeoracle/oracle/store"
)

type simChain struct {
	sim     *simulated.Backend
	client  simulated.Client
	faults  *faultClient
	chainID *big.Int
	mining  chan bool // send false to pause block production, true to resume
}

// newSim starts go-ethereum's simulated chain with the test key funded and a
// goroutine committing a block every 20 ms (pausable).
func newSim(t *testing.T) *simChain {
	t.Helper()
	_, from := anvilKey(t)
	poor := crypto.PubkeyToAddress(poorKey(t).PublicKey)
	sim := simulated.NewBackend(types.GenesisAlloc{
		from: {Balance: new(big.Int).Mul(big.NewInt(1e18), big.NewInt(1000))},
		poor: {Balance: big.NewInt(1e15)},
	})
	t.Cleanup(func() { _ = sim.Close() })
	c := &simChain{sim: sim, client: sim.Client(), mining: make(chan bool)}
	c.faults = newFaultClient(c.client)
	id, err := c.client.ChainID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.chainID = id
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		on := true
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case on = <-c.mining:
			case <-tick.C:
				if on {
					sim.Commit()
				}
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return c
}

func poorKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := crypto.HexToECDSA("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (c *simChain) balance(t *testing.T, a common.Address) *big.Int {
	t.Helper()
	b, err := c.client.BalanceAt(context.Background(), a, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (c *simChain) nonce(t *testing.T, a common.Address) uint64 {
	t.Helper()
	n, err := c.client.NonceAt(context.Background(), a, nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func newManager(t *testing.T, cfg TxManagerConfig, c Client, j Journal) *TxManager {
	t.Helper()
	m, err := NewTxManager(cfg, c, j)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestConfigValidation(t *testing.T) {
	key, from := anvilKey(t)
	good := testConfig(t, key, big.NewInt(1337), nil)
	tests := []struct {
		name string
		edit func(*TxManagerConfig)
	}{
		{"zero from", func(c *TxManagerConfig) { c.From = common.Address{} }},
		{"no signer", func(c *TxManagerConfig) { c.Signer = nil }},
		{"no max fee", func(c *TxManagerConfig) { c.MaxFeeCap = nil }},
		{"bump below 10%", func(c *TxManagerConfig) { c.FeeBumpPercent = 5 }},
		{"min tip above max fee", func(c *TxManagerConfig) { c.MinTipCap = big.NewInt(600e9) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.edit(&cfg)
			if _, err := NewTxManager(cfg, newFaultClient(nil), openJournal(t, "")); !errors.Is(err, ErrBadConfig) {
				t.Fatalf("got %v, want ErrBadConfig", err)
			}
		})
	}
	if _, err := NewTxManager(good, nil, openJournal(t, "")); !errors.Is(err, ErrBadConfig) {
		t.Fatalf("nil client: %v", err)
	}
	// A signer that signs for another account is caught before anything is journaled.
	c := newSim(t)
	j := openJournal(t, "")
	wrong := good
	other := poorKey(t)
	wrong.Signer = func(_ common.Address, tx *types.Transaction) (*types.Transaction, error) {
		return types.SignTx(tx, types.LatestSignerForChainID(c.chainID), other)
	}
	m := newManager(t, wrong, c.client, j)
	if _, err := m.Send(ctxTimeout(t, 5*time.Second), transfer(1)); !errors.Is(err, ErrBadConfig) {
		t.Fatalf("foreign signer: %v", err)
	}
	if _, err := j.Tx(from, 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("journaled a foreign transaction: %v", err)
	}
}

func TestSendOrdersNoncesAndConfirms(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	j := openJournal(t, "")
	mt := &countingMetrics{}
	cfg := testConfig(t, key, c.chainID, mt)
	cfg.NumConfirmations = 3
	m := newManager(t, cfg, c.client, j)
	before := c.balance(t, recipient)

	const n = 5
	rcpts := make([]*types.Receipt, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rcpts[i], errs[i] = m.Send(ctxTimeout(t, 20*time.Second), transfer(int64(1000+i)))
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("send %d: %v", i, errs[i])
		}
		head, _ := c.client.BlockNumber(context.Background())
		if head+1 < rcpts[i].BlockNumber.Uint64()+3 {
			t.Fatalf("send %d returned at depth %d, want 3 confirmations", i, head+1-rcpts[i].BlockNumber.Uint64())
		}
	}
	for nonce := range uint64(n) {
		rec, err := j.Tx(from, nonce)
		if err != nil {
			t.Fatalf("journal nonce %d: %v", nonce, err)
		}
		if rec.State != store.TxConfirmed || len(rec.Attempts) != 1 {
			t.Fatalf("nonce %d: %+v", nonce, rec)
		}
	}
	if got := c.nonce(t, from); got != n {
		t.Fatalf("account nonce %d, want %d: no gaps, no extras", got, n)
	}
	want := new(big.Int).Add(before, big.NewInt(5*1000+0+1+2+3+4))
	if got := c.balance(t, recipient); got.Cmp(want) != 0 {
		t.Fatalf("recipient got %s, want %s", got, want)
	}
	if mt.confirmed.Load() != n || mt.bumps.Load() != 0 {
		t.Fatalf("metrics: confirmed %d bumps %d", mt.confirmed.Load(), mt.bumps.Load())
	}
}

func TestContractDeployCallAndRevert(t *testing.T) {
	c := newSim(t)
	key, _ := anvilKey(t)
	j := openJournal(t, "")
	m := newManager(t, testConfig(t, key, c.chainID, nil), c.client, j)
	ctx := ctxTimeout(t, 20*time.Second)

	r, err := m.Send(ctx, TxCandidate{Data: setterInit}) // estimated gas, contract creation
	if err != nil {
		t.Fatal(err)
	}
	setter := r.ContractAddress
	word := common.HexToHash("0x1234")
	if _, err := m.Send(ctx, TxCandidate{To: &setter, Data: word[:]}); err != nil {
		t.Fatal(err)
	}
	got, err := c.client.StorageAt(ctx, setter, common.Hash{}, nil)
	if err != nil || common.BytesToHash(got) != word {
		t.Fatalf("slot 0 = %x (%v), want %s", got, err, word)
	}

	r, err = m.Send(ctx, TxCandidate{Data: reverterInit})
	if err != nil {
		t.Fatal(err)
	}
	reverter := r.ContractAddress
	// Estimation fails on a reverting call: nothing is signed or journaled.
	if _, err := m.Send(ctx, TxCandidate{To: &reverter}); err == nil {
		t.Fatal("estimating a reverting call succeeded")
	}
	// With an explicit gas limit it is mined and reverts.
	r, err = m.Send(ctx, TxCandidate{To: &reverter, GasLimit: 50000})
	if !errors.Is(err, ErrReverted) || r == nil || r.Status != types.ReceiptStatusFailed {
		t.Fatalf("reverting call: %v %+v", err, r)
	}
}

func TestStuckTransactionGetsFeeBump(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	j := openJournal(t, "")
	mt := &countingMetrics{}
	m := newManager(t, testConfig(t, key, c.chainID, mt), c.faults, j)
	// Nothing is mined until the manager has journaled a replacement: the first
	// attempt waits in the pool, stuck.
	c.mining <- false
	resumed := make(chan struct{})
	go func() {
		defer close(resumed)
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			if rec, err := j.Tx(from, 0); err == nil && len(rec.Attempts) >= 2 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		c.mining <- true
	}()
	r, err := m.Send(ctxTimeout(t, 20*time.Second), transfer(1))
	<-resumed
	if err != nil {
		t.Fatal(err)
	}
	rec, err := j.Tx(from, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Attempts) < 2 || rec.Mined != r.TxHash || rec.Mined != rec.Attempts[len(rec.Attempts)-1].Hash {
		t.Fatalf("journal %d attempts, mined %s; want the bumped attempt mined", len(rec.Attempts), rec.Mined)
	}
	var first, second types.Transaction
	if err := first.UnmarshalBinary(rec.Attempts[0].Raw); err != nil {
		t.Fatal(err)
	}
	if err := second.UnmarshalBinary(rec.Attempts[1].Raw); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name     string
		old, new *big.Int
	}{{"tip", first.GasTipCap(), second.GasTipCap()}, {"fee cap", first.GasFeeCap(), second.GasFeeCap()}} {
		min := new(big.Int).Mul(p.old, big.NewInt(110))
		min.Div(min, big.NewInt(100))
		if p.new.Cmp(min) < 0 {
			t.Fatalf("%s bumped %s -> %s, want at least +10%%", p.name, p.old, p.new)
		}
	}
	if second.Nonce() != first.Nonce() {
		t.Fatal("bump changed the nonce")
	}
	if mt.bumps.Load() < 1 {
		t.Fatal("no fee bump recorded")
	}
}

func TestBumpStopsAtMaxFeeCap(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	j := openJournal(t, "")
	cfg := testConfig(t, key, c.chainID, nil)
	head, err := c.client.HeaderByNumber(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Room for the first attempt's fees only: tip + 2×base fee is above the cap, so
	// the first fee cap is the cap itself and no bump fits.
	cfg.MaxFeeCap = new(big.Int).Add(head.BaseFee, big.NewInt(1))
	m := newManager(t, cfg, c.faults, j)
	c.faults.dropSends = 1
	if _, err := m.Send(ctxTimeout(t, 20*time.Second), transfer(1)); err != nil {
		t.Fatal(err)
	}
	rec, err := j.Tx(from, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Attempts) != 1 {
		t.Fatalf("%d attempts: bumped past MaxFeeCap", len(rec.Attempts))
	}
	var tx types.Transaction
	_ = tx.UnmarshalBinary(rec.Attempts[0].Raw)
	if tx.GasFeeCap().Cmp(cfg.MaxFeeCap) > 0 {
		t.Fatalf("fee cap %s above max %s", tx.GasFeeCap(), cfg.MaxFeeCap)
	}

	// A base fee above the cap stops Send before anything is signed.
	cfg.MaxFeeCap = big.NewInt(1)
	m2 := newManager(t, cfg, c.client, j)
	if _, err := m2.Send(ctxTimeout(t, 5*time.Second), transfer(1)); !errors.Is(err, ErrFeeCapExceeded) {
		t.Fatalf("got %v, want ErrFeeCapExceeded", err)
	}
	if _, err := j.Tx(from, 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("journaled despite fee cap: %v", err)
	}
}

func TestRPCErrorsAreRetried(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	j := openJournal(t, "")
	mt := &countingMetrics{}
	m := newManager(t, testConfig(t, key, c.chainID, mt), c.faults, j)
	for _, meth := range []string{"ChainID", "PendingNonceAt", "NonceAt", "SuggestGasTipCap", "HeaderByNumber",
		"EstimateGas", "SendTransaction", "TransactionReceipt", "BlockNumber"} {
		c.faults.fail[meth] = 2
	}
	// And the node accepts the first broadcast but the reply is lost, so the manager
	// broadcasts again: the node must not see two transactions.
	c.faults.lostReplies = 1
	before := c.balance(t, recipient)
	r, err := m.Send(ctxTimeout(t, 20*time.Second), TxCandidate{To: &recipient, Value: big.NewInt(7)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != types.ReceiptStatusSuccessful {
		t.Fatal("failed receipt")
	}
	if got := c.nonce(t, from); got != 1 {
		t.Fatalf("account nonce %d, want 1", got)
	}
	if d := new(big.Int).Sub(c.balance(t, recipient), before); d.Int64() != 7 {
		t.Fatalf("recipient received %s, want 7 once", d)
	}
	if mt.rpcErrors.Load() < 10 {
		t.Fatalf("only %d RPC errors seen", mt.rpcErrors.Load())
	}
}

func TestNodeRejectionDropsAndHandsWorkBack(t *testing.T) {
	c := newSim(t)
	key := poorKey(t)
	from := crypto.PubkeyToAddress(key.PublicKey)
	j := openJournal(t, "")
	ref := signedSubmission(t, j, "sub-1")
	m := newManager(t, testConfig(t, key, c.chainID, nil), c.client, j)
	// More value than the account holds: the node refuses it.
	cand := TxCandidate{To: &recipient, GasLimit: 21000, Value: big.NewInt(1e18), Refs: []common.Hash{ref}}
	if _, err := m.Send(ctxTimeout(t, 10*time.Second), cand); !errors.Is(err, ErrRejected) || !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("got %v, want ErrRejected and ErrInsufficientFunds", err)
	}
	rec, err := j.Tx(from, 0)
	if err != nil || rec.State != store.TxDropped {
		t.Fatalf("journal: %+v %v", rec, err)
	}
	if sub, _ := j.Submission("sub-1"); sub.State != store.StateSigned {
		t.Fatalf("submission %s, want back to signed", sub.State)
	}
	// The nonce was not consumed: the next send uses it.
	cand.Value = big.NewInt(1)
	if _, err := m.Send(ctxTimeout(t, 10*time.Second), cand); err != nil {
		t.Fatal(err)
	}
	if rec, _ := j.Tx(from, 0); rec.State != store.TxConfirmed {
		t.Fatalf("nonce 0 now %s", rec.State)
	}
	if sub, _ := j.Submission("sub-1"); sub.State != store.StateConfirmed || sub.Reason != "" {
		t.Fatalf("submission %s (reason %q), want confirmed without the earlier drop's reason", sub.State, sub.Reason)
	}
}

func TestUnderpricedAttemptIsRepricedNotResent(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	j := openJournal(t, "")
	mt := &countingMetrics{}
	m := newManager(t, testConfig(t, key, c.chainID, mt), c.faults, j)
	tip, err := c.client.SuggestGasTipCap(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The node's floor is above the suggested tip: the first attempt is refused.
	c.faults.minTip = new(big.Int).Mul(tip, big.NewInt(3))
	r, err := m.Send(ctxTimeout(t, 15*time.Second), transfer(1))
	if err != nil {
		t.Fatalf("send with an underpriced first tip: %v", err)
	}
	rec, err := j.Tx(from, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Attempts) < 2 || rec.Mined != r.TxHash {
		t.Fatalf("%d attempts, mined %s: want a repriced attempt mined", len(rec.Attempts), rec.Mined)
	}
	var mined types.Transaction
	if err := mined.UnmarshalBinary(rec.Attempts[len(rec.Attempts)-1].Raw); err != nil {
		t.Fatal(err)
	}
	if mined.GasTipCap().Cmp(c.faults.minTip) < 0 {
		t.Fatalf("mined tip %s below the node's floor %s", mined.GasTipCap(), c.faults.minTip)
	}
	if mt.bumps.Load() < 1 {
		t.Fatal("no fee bump recorded")
	}
}

func TestUnderpricedBeyondMaxFeeCapIsRejected(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	j := openJournal(t, "")
	cfg := testConfig(t, key, c.chainID, nil)
	m := newManager(t, cfg, c.faults, j)
	c.faults.minTip = new(big.Int).Add(cfg.MaxFeeCap, big.NewInt(1))
	_, err := m.Send(ctxTimeout(t, 15*time.Second), transfer(1))
	if !errors.Is(err, ErrRejected) || !errors.Is(err, ErrFeeCapExceeded) {
		t.Fatalf("got %v, want ErrRejected and ErrFeeCapExceeded", err)
	}
	if rec, err := j.Tx(from, 0); err != nil || rec.State != store.TxDropped {
		t.Fatalf("journal %+v %v, want the nonce dropped", rec, err)
	}
}

// TestClassifySend maps node answers, as JSON-RPC delivers them (messages only),
// to the manager's actions.
func TestClassifySend(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  string
		want error // nil: the node holds the transaction
	}{
		{"geth already known", "already known", nil},
		{"anvil already imported", "transaction already imported", nil},
		{"replacement underpriced", "replacement transaction underpriced", nil},
		{"underpriced", "transaction underpriced: tip needed 1000000000, tip permitted 1", errUnderpriced},
		{"below pool minimum", "transaction gas price below minimum: gas tip cap 1, minimum needed 2", errUnderpriced},
		{"fee cap below base fee", "max fee per gas less than block base fee: address 0x1, maxFeePerGas: 1, baseFee: 7", errUnderpriced},
		{"nonce too low", "nonce too low: address 0x1, tx: 0 state: 3", errNonceTooLow},
		{"insufficient funds", "insufficient funds for gas * price + value: balance 0, tx cost 21000", ErrInsufficientFunds},
		{"anvil insufficient funds", "Insufficient funds for gas * price + value", ErrInsufficientFunds},
		{"intrinsic gas", "intrinsic gas too low: gas 1, minimum needed 21000", ErrRejected},
		{"block gas limit", "exceeds block gas limit", ErrRejected},
		{"rpc fee cap", "tx fee (2.00 ether) exceeds the configured cap (1.00 ether)", ErrRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := classifySend(errors.New(tc.msg))
			if tc.want == nil {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			var p permanent
			if !errors.As(err, &p) || !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want permanent %v", err, tc.want)
			}
		})
	}
	if err := classifySend(errInjected); errors.As(err, new(permanent)) {
		t.Fatalf("transport failure %v is not retried", err)
	}
}

func TestNonceTakenByAnotherTransaction(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	j := openJournal(t, "")
	m := newManager(t, testConfig(t, key, c.chainID, nil), c.client, j)
	ctx := ctxTimeout(t, 20*time.Second)
	if _, err := m.Send(ctx, transfer(1)); err != nil {
		t.Fatal(err)
	}
	// Someone else with the same key takes nonce 1 behind the manager's back.
	other := types.MustSignNewTx(key, types.LatestSignerForChainID(c.chainID), &types.DynamicFeeTx{
		ChainID: c.chainID, Nonce: 1, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(100e9), Gas: 21000,
		To: &common.Address{1}, Value: big.NewInt(1)})
	if err := c.client.SendTransaction(ctx, other); err != nil {
		t.Fatal(err)
	}
	waitNonce(t, c, from, 2)
	r, err := m.Send(ctx, transfer(2))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := j.Tx(from, 1)
	if err != nil || rec.State != store.TxDropped {
		t.Fatalf("nonce 1 journal: %+v %v", rec.State, err)
	}
	rec, err = j.Tx(from, 2)
	if err != nil || rec.State != store.TxConfirmed || rec.Mined != r.TxHash {
		t.Fatalf("nonce 2 journal: %+v %v", rec.State, err)
	}
}

// signedSubmission puts a submission in state signed and returns its verdict hash.
func signedSubmission(t *testing.T, j *store.Store, id string) common.Hash {
	t.Helper()
	m := crypto.Keccak256Hash([]byte(id))
	if _, err := j.PutSubmission(store.NewSubmission{ID: id, MachineID: m}, []byte("evidence of "+id)); err != nil {
		t.Fatal(err)
	}
	body := []byte(fmt.Sprintf(`{"sub":%q}`, id))
	v := store.Verdict{Hash: crypto.Keccak256Hash(body), MachineID: m, IssuedAt: 1, Body: body}
	if _, err := j.RecordVerdict(id, v); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Transition(id, store.StateSigned, ""); err != nil {
		t.Fatal(err)
	}
	return v.Hash
}

func TestRestartPublishesNothingTwice(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	path := filepath.Join(t.TempDir(), "node.db")
	j := openJournal(t, path)
	refA := signedSubmission(t, j, "a")
	before := c.balance(t, recipient)

	// Run 1: the broadcast never reaches the node and the process stops waiting
	// (as if killed): the attempt is only in the journal.
	c.faults.dropAll = true
	m1 := newManager(t, testConfig(t, key, c.chainID, nil), c.faults, j)
	cand := transfer(5)
	cand.Refs = []common.Hash{refA}
	_, err := m1.Send(ctxTimeout(t, 300*time.Millisecond), cand)
	if !errors.Is(err, ErrInFlight) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want ErrInFlight", err)
	}
	if sub, _ := j.Submission("a"); sub.State != store.StateSubmitted {
		t.Fatalf("submission %s after journaling, want submitted", sub.State)
	}
	// Run 2, the broadcast reaches the node but the process dies before the receipt.
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j = openJournal(t, path)
	c.faults.dropAll = false
	c.mining <- false
	refB := signedSubmission(t, j, "b")
	m2 := newManager(t, testConfig(t, key, c.chainID, nil), c.faults, j)
	if err := m2.Recover(ctxTimeout(t, 300*time.Millisecond)); !errors.Is(err, ErrInFlight) {
		t.Fatalf("recover without mining: %v", err)
	}
	if c.faults.sentCount() != 1 {
		t.Fatalf("recover broadcast %d transactions, want the journaled one", c.faults.sentCount())
	}

	// Run 3: a new manager over the reopened journal settles it before anything new.
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j = openJournal(t, path)
	c.mining <- true
	m3 := newManager(t, testConfig(t, key, c.chainID, nil), c.faults, j)
	candB := transfer(6)
	candB.Refs = []common.Hash{refB}
	r, err := m3.Send(ctxTimeout(t, 20*time.Second), candB)
	if err != nil {
		t.Fatal(err)
	}
	var tx types.Transaction
	rec, _ := j.Tx(from, 1)
	_ = tx.UnmarshalBinary(rec.Attempts[0].Raw)
	if tx.Hash() != r.TxHash || tx.Nonce() != 1 {
		t.Fatalf("new work went out as nonce %d, want 1", tx.Nonce())
	}
	if got := c.nonce(t, from); got != 2 {
		t.Fatalf("account nonce %d, want 2", got)
	}
	if d := new(big.Int).Sub(c.balance(t, recipient), before); d.Int64() != 11 {
		t.Fatalf("recipient received %s, want 5+6 (each once)", d)
	}
	for _, id := range []string{"a", "b"} {
		if sub, _ := j.Submission(id); sub.State != store.StateConfirmed {
			t.Fatalf("submission %s %s, want confirmed", id, sub.State)
		}
	}
	if err := j.Check(); err != nil {
		t.Fatal(err)
	}
}

// A lagging RPC node briefly reports nonces below ours; that alone must not make the
// manager drop its transaction (and so republish the work).
func TestLaggingNodeDoesNotDropTransaction(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	j := openJournal(t, "")
	mt := &countingMetrics{}
	m := newManager(t, testConfig(t, key, c.chainID, mt), c.faults, j)
	ctx := ctxTimeout(t, 20*time.Second)
	for i := range 2 {
		if _, err := m.Send(ctx, transfer(int64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	c.faults.mu.Lock()
	c.faults.staleUntil = time.Now().Add(150 * time.Millisecond) // < ResubmissionTimeout (400 ms)
	c.faults.mu.Unlock()
	r, err := m.Send(ctx, transfer(3))
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := j.Tx(from, 2); err != nil || rec.State != store.TxConfirmed || rec.Mined != r.TxHash {
		t.Fatalf("nonce 2: %+v %v", rec.State, err)
	}
	if mt.dropped.Load() != 0 {
		t.Fatalf("%d transactions dropped because of a lagging node", mt.dropped.Load())
	}
	if got := c.nonce(t, from); got != 3 {
		t.Fatalf("account nonce %d, want 3", got)
	}
}

// The journal refuses a second transaction for work that is already in flight or
// mined, so even a caller that asks twice cannot publish twice.
func TestSameWorkIsNotPublishedTwice(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	j := openJournal(t, "")
	ref := signedSubmission(t, j, "once")
	m := newManager(t, testConfig(t, key, c.chainID, nil), c.faults, j)
	cand := transfer(1)
	cand.Refs = []common.Hash{ref}
	if _, err := m.Send(ctxTimeout(t, 20*time.Second), cand); err != nil {
		t.Fatal(err)
	}
	sent := c.faults.sentCount()
	if _, err := m.Send(ctxTimeout(t, 20*time.Second), cand); !errors.Is(err, store.ErrAlreadyPublished) {
		t.Fatalf("second send of the same work: %v, want store.ErrAlreadyPublished", err)
	}
	if c.faults.sentCount() != sent {
		t.Fatal("the refused transaction was broadcast")
	}
	if got := c.nonce(t, from); got != 1 {
		t.Fatalf("account nonce %d, want 1", got)
	}
}

// A receipt query that fails says nothing about the transaction. When the account
// nonce has moved past ours while every receipt query fails, the manager must keep
// the nonce (and wait) rather than drop it: dropping would hand the work back and
// publish it again under a new nonce, twice on-chain.
func TestFailedReceiptQueriesDoNotDropAMinedTransaction(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	j := openJournal(t, "")
	ref := signedSubmission(t, j, "mined")
	mt := &countingMetrics{}
	m := newManager(t, testConfig(t, key, c.chainID, mt), c.faults, j)
	before := c.balance(t, recipient)
	// Every receipt query fails for well past ResubmissionTimeout (400 ms at one
	// query per 20 ms), so the manager checks the nonce while blind to receipts:
	// the chain's nonce is past ours because our own transaction was mined.
	c.faults.fail["TransactionReceipt"] = 80
	cand := transfer(9)
	cand.Refs = []common.Hash{ref}
	r, err := m.Send(ctxTimeout(t, 30*time.Second), cand)
	if err != nil {
		t.Fatal(err)
	}
	c.faults.mu.Lock()
	receiptCalls := c.faults.calls["TransactionReceipt"]
	c.faults.mu.Unlock()
	if receiptCalls <= 80 {
		t.Fatalf("only %d receipt queries: the failures did not cover the nonce check", receiptCalls)
	}
	if mt.dropped.Load() != 0 {
		t.Fatalf("%d transactions dropped while receipt queries failed", mt.dropped.Load())
	}
	rec, err := j.Tx(from, 0)
	if err != nil || rec.State != store.TxConfirmed || rec.Mined != r.TxHash {
		t.Fatalf("nonce 0 journal: %+v %v", rec.State, err)
	}
	if _, err := j.Tx(from, 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a second nonce was journaled for the same work: %v", err)
	}
	if got := c.nonce(t, from); got != 1 {
		t.Fatalf("account nonce %d, want 1", got)
	}
	if d := new(big.Int).Sub(c.balance(t, recipient), before); d.Int64() != 9 {
		t.Fatalf("recipient received %s, want 9 once", d)
	}
	if sub, _ := j.Submission("mined"); sub.State != store.StateConfirmed {
		t.Fatalf("submission %s, want confirmed", sub.State)
	}
}

// The same after a restart: the journal holds a transaction that was mined while
// the node was down, and the restarted manager cannot read receipts for a while.
// Recover must wait for a real answer, not drop the nonce.
func TestRecoverKeepsNonceWhileReceiptsFail(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	path := filepath.Join(t.TempDir(), "node.db")
	j := openJournal(t, path)
	ref := signedSubmission(t, j, "restart")
	c.mining <- false
	m1 := newManager(t, testConfig(t, key, c.chainID, nil), c.faults, j)
	cand := transfer(4)
	cand.Refs = []common.Hash{ref}
	if _, err := m1.Send(ctxTimeout(t, 200*time.Millisecond), cand); !errors.Is(err, ErrInFlight) {
		t.Fatalf("got %v, want ErrInFlight", err)
	}
	if c.faults.sentCount() != 1 {
		t.Fatalf("%d broadcasts reached the node, want 1", c.faults.sentCount())
	}
	c.mining <- true
	waitNonce(t, c, from, 1)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j = openJournal(t, path)
	c.faults.fail["TransactionReceipt"] = 60
	mt := &countingMetrics{}
	m2 := newManager(t, testConfig(t, key, c.chainID, mt), c.faults, j)
	if err := m2.Recover(ctxTimeout(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if mt.dropped.Load() != 0 {
		t.Fatalf("recover dropped %d transactions while receipt queries failed", mt.dropped.Load())
	}
	if rec, err := j.Tx(from, 0); err != nil || rec.State != store.TxConfirmed {
		t.Fatalf("nonce 0 journal: %+v %v", rec.State, err)
	}
	if sub, _ := j.Submission("restart"); sub.State != store.StateConfirmed {
		t.Fatalf("submission %s, want confirmed", sub.State)
	}
}

// A broadcast the node never received (or lost, as a restarted node loses its
// pool) is sent again as soon as the node's pending nonce shows it is missing, long
// before ResubmissionTimeout would bump it.
func TestAttemptLostFromPoolIsBroadcastAgain(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	j := openJournal(t, "")
	mt := &countingMetrics{}
	cfg := testConfig(t, key, c.chainID, mt)
	cfg.ResubmissionTimeout = time.Minute
	m := newManager(t, cfg, c.faults, j)
	c.faults.dropSends = 1
	r, err := m.Send(ctxTimeout(t, 10*time.Second), transfer(3))
	if err != nil {
		t.Fatalf("a lost broadcast was not sent again before the deadline: %v", err)
	}
	rec, err := j.Tx(from, 0)
	if err != nil || rec.State != store.TxConfirmed || len(rec.Attempts) != 1 || rec.Mined != r.TxHash {
		t.Fatalf("journal: %+v %v; want the one attempt confirmed", rec, err)
	}
	if mt.bumps.Load() != 0 {
		t.Fatalf("%d fee bumps; the same attempt should have been sent again", mt.bumps.Load())
	}
	if c.faults.sentCount() != 1 {
		t.Fatalf("%d broadcasts reached the node, want 1", c.faults.sentCount())
	}
}

// waitNonce waits, up to 10 s, until the chain's pending nonce of from reaches n.
func waitNonce(t *testing.T, c *simChain, from common.Address, n uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.nonce(t, from) < n {
		if time.Now().After(deadline) {
			t.Fatalf("nonce of %s did not reach %d in 10 s", from, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRevertedWorkHandedBack: a mined transaction that reverted for a reason the
// Reverted hook says holds nothing against its refs hands them back (signed,
// carried by nothing) and Send returns ErrHandedBack with ErrReverted; a hook that
// cannot tell yet leaves the confirmation for the next poll. When the process
// stops before the receipt, the next run settles it the same way, once.
func TestRevertedWorkHandedBack(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	path := filepath.Join(t.TempDir(), "node.db")
	j := openJournal(t, path)
	plain := newManager(t, testConfig(t, key, c.chainID, nil), c.client, j)
	r, err := plain.Send(ctxTimeout(t, 20*time.Second), TxCandidate{Data: reverterInit})
	if err != nil {
		t.Fatal(err)
	}
	reverter := r.ContractAddress

	var calls atomic.Int32
	var mined atomic.Value
	cfg := testConfig(t, key, c.chainID, nil)
	cfg.Reverted = func(_ context.Context, tx *types.Transaction, rcpt *types.Receipt) (bool, string, error) {
		if calls.Add(1) == 1 {
			return false, "", errors.New("replay unanswered")
		}
		mined.Store(tx.Hash() == rcpt.TxHash)
		return true, "paused", nil
	}
	m := newManager(t, cfg, c.client, j)
	refA := signedSubmission(t, j, "a")
	r, err = m.Send(ctxTimeout(t, 20*time.Second), TxCandidate{To: &reverter, GasLimit: 50000, Refs: []common.Hash{refA}})
	if !errors.Is(err, ErrReverted) || !errors.Is(err, ErrHandedBack) || r == nil {
		t.Fatalf("reverted send: %v, want ErrReverted and ErrHandedBack", err)
	}
	if calls.Load() != 2 || mined.Load() != true {
		t.Fatalf("hook called %d times (mined attempt given: %v), want twice with the mined attempt", calls.Load(), mined.Load())
	}
	if sub, _ := j.Submission("a"); sub.State != store.StateSigned || sub.TxNonce != nil {
		t.Fatalf("submission a %s (nonce %v) after the revert, want signed and carried by nothing", sub.State, sub.TxNonce)
	}
	if rec, err := j.Tx(from, 1); err != nil || !rec.Retried || rec.Success || rec.Reason != "paused" {
		t.Fatalf("journal record %+v, %v", rec, err)
	}

	// The process stops while the next revert waits to be mined; the next run's
	// Recover settles it with the hook.
	refB := signedSubmission(t, j, "b")
	c.mining <- false
	_, err = m.Send(ctxTimeout(t, 300*time.Millisecond), TxCandidate{To: &reverter, GasLimit: 50000, Refs: []common.Hash{refB}})
	if !errors.Is(err, ErrInFlight) {
		t.Fatalf("send without mining: %v", err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j = openJournal(t, path)
	c.mining <- true
	calls.Store(1)
	m2 := newManager(t, cfg, c.client, j)
	if err := m2.Recover(ctxTimeout(t, 20*time.Second)); err != nil {
		t.Fatal(err)
	}
	if sub, _ := j.Submission("b"); sub.State != store.StateSigned {
		t.Fatalf("submission b %s after the restart, want signed", sub.State)
	}
	if err := m2.Recover(ctxTimeout(t, 20*time.Second)); err != nil || calls.Load() != 2 {
		t.Fatalf("second recover: %v, hook calls %d, want nothing more settled", err, calls.Load())
	}
	if err := j.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestOutcomeRetryHandsBack: a mined, successful transaction whose Outcome says it
// did not apply one of its refs for a reason that holds nothing against it (retry:
// the registry ran short of gas before the entry) hands that ref back (signed,
// carried by nothing, published by a later transaction) in the same commit that
// confirms the applied ref and fails the skipped one; Send returns no error.
func TestOutcomeRetryHandsBack(t *testing.T) {
	c := newSim(t)
	key, from := anvilKey(t)
	j := openJournal(t, filepath.Join(t.TempDir(), "node.db"))
	refA, refB, refC := signedSubmission(t, j, "a"), signedSubmission(t, j, "b"), signedSubmission(t, j, "c")
	cfg := testConfig(t, key, c.chainID, nil)
	cfg.Outcome = func(context.Context, *types.Receipt) (map[common.Hash]string, map[common.Hash]string, error) {
		return map[common.Hash]string{refB: "StaleVerdict(1, 2)"}, map[common.Hash]string{refC: "InsufficientGasForEntry(90000, 211000)"}, nil
	}
	m := newManager(t, cfg, c.client, j)
	if _, err := m.Send(ctxTimeout(t, 20*time.Second), TxCandidate{Data: reverterInit, Refs: []common.Hash{refA, refB, refC}}); err != nil {
		t.Fatal(err)
	}
	a, _ := j.Submission("a")
	b, _ := j.Submission("b")
	sc, _ := j.Submission("c")
	if a.State != store.StateConfirmed || b.State != store.StateFailed || sc.State != store.StateSigned || sc.TxNonce != nil {
		t.Fatalf("after the outcome: a %s, b %s, c %s (nonce %v); want confirmed, failed, signed and carried by nothing",
			a.State, b.State, sc.State, sc.TxNonce)
	}
	if rec, err := j.Tx(from, 0); err != nil || !rec.Success {
		t.Fatalf("journal record %+v, %v", rec, err)
	}
	// A later transaction carries the handed-back verdict.
	m2 := newManager(t, testConfig(t, key, c.chainID, nil), c.client, j)
	if _, err := m2.Send(ctxTimeout(t, 20*time.Second), TxCandidate{Data: reverterInit, Refs: []common.Hash{refC}}); err != nil {
		t.Fatal(err)
	}
	if sc, _ = j.Submission("c"); sc.State != store.StateConfirmed {
		t.Fatalf("handed-back submission c %s after a later transaction, want confirmed", sc.State)
	}
	if err := j.Check(); err != nil {
		t.Fatal(err)
	}
}
