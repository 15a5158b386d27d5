package service

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/teeoracle/teeoracle/bindings"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// noteRegistry is the registry as the publisher's preparation reads it: fixed
// oracles, the verdicts accepted on-chain, and simulations that pass unless
// simErr is set.
type noteRegistry struct {
	registryView
	oracles map[common.Address]bool
	mu      sync.Mutex
	onChain map[common.Hash]uint64
	simErr  error
}

func (r *noteRegistry) IsOracle(_ context.Context, a common.Address) (bool, error) {
	return r.oracles[a], nil
}

func (r *noteRegistry) AcceptedDigests(context.Context, common.Hash, uint64) (map[common.Hash]uint64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[common.Hash]uint64{}
	for h, b := range r.onChain {
		out[h] = b
	}
	return out, nil
}

func (r *noteRegistry) SimulateSubmit(context.Context, common.Address, *verdict.Verdict, [][]byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.simErr
}

// noteTest is a node holding n verdicts it signed, with a threshold of 2 and one
// peer oracle (an HTTP server) that signs the verdicts of peerSigned.
type noteTest struct {
	t       *testing.T
	s       *Service
	st      *store.Store
	reg     *noteRegistry
	now     time.Time
	peerKey *ecdsa.PrivateKey
	peer    common.Address
	hashes  []common.Hash
	mu      sync.Mutex
	signed  map[common.Hash]bool
	asked   atomic.Int64 // signatures the peer was asked for
}

func newNoteTest(t *testing.T, n int) *noteTest {
	vs := make([]verdict.Verdict, n)
	for i := range vs {
		vs[i] = verdict.Verdict{MachineID: common.Hash{0x11, byte(i), byte(i >> 8)}, AnchorBlockNumber: 7}
	}
	return newNoteTestOf(t, vs)
}

// newNoteTestOf is newNoteTest with the verdicts vs (issued at the test's clock
// when IssuedAt is zero).
func newNoteTestOf(t *testing.T, vs []verdict.Verdict) *noteTest {
	st, err := store.Open(filepath.Join(t.TempDir(), "node.db"), store.Options{CommitDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	selfKey, _ := crypto.GenerateKey()
	nt := &noteTest{t: t, st: st, now: time.Unix(1_700_000_000, 0), signed: map[common.Hash]bool{}}
	nt.peerKey, _ = crypto.GenerateKey()
	self, peer := crypto.PubkeyToAddress(selfKey.PublicKey), crypto.PubkeyToAddress(nt.peerKey.PublicKey)
	nt.peer = peer
	srv := httptest.NewServer(http.HandlerFunc(nt.servePeer))
	t.Cleanup(srv.Close)
	nt.reg = &noteRegistry{oracles: map[common.Address]bool{self: true, peer: true}, onChain: map[common.Hash]uint64{}}
	nt.s = &Service{cfg: Config{Now: func() time.Time { return nt.now }, QuorumTimeout: time.Hour, Peers: []string{srv.URL},
		NoForward: true, OracleKey: selfKey}, st: st, reg: nt.reg, oracle: self, http: srv.Client(), log: slog.New(slog.DiscardHandler),
		quorum: map[common.Hash]*quorumState{}, m: newMetrics(prometheus.NewRegistry())}
	st.WatchSignatures(nt.s.waits.drop)
	for i, v := range vs {
		h := crypto.Keccak256Hash([]byte(fmt.Sprint("verdict", i)))
		nt.hashes = append(nt.hashes, h)
		id := fmt.Sprint("sub", i)
		if _, err := st.PutSubmission(store.NewSubmission{ID: id, MachineID: v.MachineID}, []byte(id)); err != nil {
			t.Fatal(err)
		}
		if v.IssuedAt == 0 {
			v.IssuedAt = uint64(nt.now.Unix())
		}
		body, _ := json.Marshal(v)
		sig, err := verdict.Sign(h, selfKey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.RecordDecision(id, store.Decision{Verdict: store.Verdict{Hash: h, MachineID: v.MachineID,
			IssuedAt: v.IssuedAt, Body: body}, Signer: self, Signature: sig}); err != nil {
			t.Fatal(err)
		}
	}
	return nt
}

// servePeer answers as a peer that reached every verdict and signed those of signed.
func (nt *noteTest) servePeer(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(r.URL.Path, "/") // "", v1, verdicts|evidence, hash, signature|verdicts
	if len(parts) != 5 {
		http.NotFound(w, r)
		return
	}
	h := common.HexToHash(parts[3])
	if parts[2] == "evidence" {
		_ = json.NewEncoder(w).Encode(map[string]any{"verdict_hashes": []common.Hash{h}})
		return
	}
	nt.asked.Add(1)
	nt.mu.Lock()
	ok := nt.signed[h]
	nt.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	sig, _ := verdict.Sign(h, nt.peerKey)
	_ = json.NewEncoder(w).Encode(api.SignatureView{Signer: nt.peer, Signature: hexutil.Encode(sig)})
}

// pass runs a publisher pass's preparation over the signed verdicts, returning
// those ready for publication and how many wait.
func (nt *noteTest) pass(threshold int) ([]common.Hash, int) {
	nt.t.Helper()
	w, err := nt.s.waiting()
	if err != nil {
		nt.t.Fatal(err)
	}
	cands, waiting := nt.s.prepareAll(context.Background(), w.order, w.groups, threshold)
	var ready []common.Hash
	for _, c := range cands {
		ready = append(ready, c.hash)
	}
	return ready, waiting
}

// expect runs a pass at threshold 2 and checks what it found ready and waiting,
// and the preparations made in all.
func (nt *noteTest) expect(step string, wantReady []common.Hash, wantWaiting int, wantPrepared int64) {
	nt.t.Helper()
	ready, waiting := nt.pass(2)
	if fmt.Sprint(ready) != fmt.Sprint(wantReady) || (wantWaiting >= 0 && waiting != wantWaiting) {
		nt.t.Fatalf("%s: ready %v, %d waiting; want %v, %d waiting", step, ready, waiting, wantReady, wantWaiting)
	}
	if got := nt.s.prepared.Load(); got != wantPrepared {
		nt.t.Fatalf("%s: %d preparations in all, want %d", step, got, wantPrepared)
	}
}

// published settles verdict i as a relayer's transaction would.
func (nt *noteTest) published(i int) {
	nt.t.Helper()
	if _, err := nt.st.Transition(fmt.Sprint("sub", i), store.StateConfirmed, "test: published"); err != nil {
		nt.t.Fatal(err)
	}
	nt.s.forget(nt.hashes[i])
}

// TestPublisherWaitingListReadAgainOnlyAfterACommit: a pass reuses the last pass's
// list of the verdicts waiting for publication while nothing was committed to the
// store, and reads it again after any commit, so a verdict settled (or newly signed)
// since is never missed.
func TestPublisherWaitingListReadAgainOnlyAfterACommit(t *testing.T) {
	nt := newNoteTest(t, 3)
	first, err := nt.s.waiting()
	if err != nil {
		t.Fatal(err)
	}
	if len(first.order) != 3 {
		t.Fatalf("%d verdicts waiting, want 3", len(first.order))
	}
	again, err := nt.s.waiting()
	if err != nil || again != first {
		t.Fatalf("nothing committed, and the list was read again (%v)", err)
	}
	nt.published(1)
	after, err := nt.s.waiting()
	if err != nil {
		t.Fatal(err)
	}
	if after == first || fmt.Sprint(after.order) != fmt.Sprint([]common.Hash{nt.hashes[0], nt.hashes[2]}) {
		t.Fatalf("after verdict 1 was published: waiting %v, want %v", after.order, []common.Hash{nt.hashes[0], nt.hashes[2]})
	}
	// Any commit counts, whatever it wrote.
	if err := nt.st.SetMeta("test", []byte{1}); err != nil {
		t.Fatal(err)
	}
	if last, err := nt.s.waiting(); err != nil || last == after {
		t.Fatalf("a commit since, and the list was reused (%v)", err)
	}
}

// TestPublisherPreparesWaitingVerdictsOnlyOnChange: a verdict short of its quorum's
// signatures is prepared once; later passes leave it as it was (its peers asked on
// the recheck schedule, nothing re-read) until an input changes, and it is ready
// for publication in the pass that learns the missing signature, from a peer or
// from the store. A verdict accepted on-chain meanwhile is settled, and a new
// threshold has every waiting verdict prepared again.
func TestPublisherPreparesWaitingVerdictsOnlyOnChange(t *testing.T) {
	const n = 20
	nt := newNoteTest(t, n)
	nt.expect("first pass", nil, n, n)
	if nt.asked.Load() != n {
		t.Fatalf("first pass asked the peer for %d signatures, want %d", nt.asked.Load(), n)
	}
	nt.expect("second pass, nothing due", nil, n, n)
	nt.now = nt.now.Add(time.Minute) // every recheck due: the peer is asked again, nothing prepared
	nt.expect("recheck, the peer has not signed", nil, n, n)
	if nt.asked.Load() != 2*n {
		t.Fatalf("the recheck asked the peer for %d signatures in all, want %d", nt.asked.Load(), 2*n)
	}
	// The peer signs the first verdict: the next pass that asks it has that verdict
	// ready, prepared once more; the others stay as they were.
	nt.mu.Lock()
	nt.signed[nt.hashes[0]] = true
	nt.mu.Unlock()
	nt.now = nt.now.Add(time.Minute)
	nt.expect("the peer signed", nt.hashes[:1], n-1, n+1)
	nt.published(0)

	// Without peers nothing is asked or prepared while nothing changes, however
	// much time passes (short of the quorum timeout).
	nt.s.cfg.Peers = nil
	before := nt.asked.Load()
	nt.now = nt.now.Add(time.Minute)
	nt.expect("no peers", nil, n-1, n+1)
	if nt.asked.Load() != before {
		t.Fatal("a peer was asked with no peers configured")
	}
	// A signature that reaches the store other than through a pass (one stored
	// before a restart) has its verdict prepared again.
	sig, err := verdict.Sign(nt.hashes[2], nt.peerKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := nt.st.PutSignature(nt.hashes[2], nt.peer, sig); err != nil {
		t.Fatal(err)
	}
	nt.expect("signature stored", nt.hashes[2:3], n-2, n+2)
	nt.published(2)
	// Another relayer lands a verdict: the pass settles it (prepared once).
	nt.reg.mu.Lock()
	nt.reg.onChain[nt.hashes[1]] = 9
	nt.reg.mu.Unlock()
	nt.expect("accepted on-chain", nil, -1, n+3)
	if sub, err := nt.st.Submission("sub1"); err != nil || sub.State != store.StateConfirmed {
		t.Fatalf("verdict accepted on-chain: submission %v (%v), want confirmed", sub.State, err)
	}
	// The threshold drops to 1: every waiting verdict is prepared again, and ready.
	ready, waiting := nt.pass(1)
	if len(ready) != n-3 || waiting != 0 || nt.s.prepared.Load() != 2*n {
		t.Fatalf("threshold 1: %d ready, %d waiting, %d preparations; want %d, 0, %d", len(ready), waiting, nt.s.prepared.Load(), n-3, 2*n)
	}
}

// revertingTx is a transaction manager whose transactions are all mined and
// reverted (the journal has then failed the submissions they carried).
type revertingTx struct{ sent int }

func (r *revertingTx) Recover(context.Context) error { return nil }

func (r *revertingTx) Send(context.Context, chain.TxCandidate) (*types.Receipt, error) {
	r.sent++
	return &types.Receipt{Status: types.ReceiptStatusFailed, BlockNumber: big.NewInt(9)},
		fmt.Errorf("tx in block 9: %w", chain.ErrReverted)
}

// TestPublisherForgetsRevertedBatch: a batch that reverts leaves nothing of its
// verdicts in the publisher's memory (quorum progress, recheck schedule, wait
// notes, relay claims): the journal failed their submissions, so nothing else
// would forget them for the life of the process.
func TestPublisherForgetsRevertedBatch(t *testing.T) {
	const n = 5
	nt := newNoteTest(t, n)
	tx := &revertingTx{}
	nt.s.tx = tx
	nt.expect("short of the quorum", nil, n, n) // quorum states, rechecks and wait notes
	mustClaim(t, nt.s, nt.hashes, nt.now.Add(time.Second))
	nt.now = nt.now.Add(time.Minute) // the claims expired, the rechecks due
	nt.s.cfg.Peers = nil
	groups := nt.groups()
	ready, _ := nt.s.prepareAll(context.Background(), nt.hashes, groups, 1)
	if len(ready) != n {
		t.Fatalf("%d verdicts ready at threshold 1, want %d", len(ready), n)
	}
	nt.s.send(context.Background(), ready, func() (chain.TxCandidate, error) { return chain.TxCandidate{}, nil })
	if tx.sent != 1 {
		t.Fatalf("%d transactions sent, want 1", tx.sent)
	}
	nt.s.qmu.Lock()
	quorum, claims := len(nt.s.quorum), len(nt.s.claims)
	nt.s.qmu.Unlock()
	if quorum != 0 || claims != 0 || len(nt.s.rechecks.m) != 0 || len(nt.s.waits.m) != 0 {
		t.Fatalf("after a reverted batch of %d: %d quorum states, %d claims, %d rechecks, %d wait notes kept; want none",
			n, quorum, claims, len(nt.s.rechecks.m), len(nt.s.waits.m))
	}
}

// handingBackTx is a transaction manager whose transactions are all mined and
// reverted for a reason that holds nothing against their verdicts, out of gas (the
// journal has then handed the submissions they carried back to signed).
type handingBackTx struct{ sent int }

func (r *handingBackTx) Recover(context.Context) error { return nil }

func (r *handingBackTx) Send(context.Context, chain.TxCandidate) (*types.Receipt, error) {
	r.sent++
	return &types.Receipt{Status: types.ReceiptStatusFailed, BlockNumber: big.NewInt(9)},
		fmt.Errorf("tx in block 9: %w (out of gas (all 100000 used)): %w", chain.ErrReverted, chain.ErrHandedBack)
}

// sizedRegistry is noteRegistry building submitVerdicts and submitBatch
// transactions, recording the verdicts each carries, in order, by their index in
// newNoteTest (their machine's); it decodes receipts as the node does.
type sizedRegistry struct {
	*noteRegistry
	real chainRegistry
	txs  [][]int
}

func (r *sizedRegistry) record(vs []*verdict.Verdict) (chain.TxCandidate, error) {
	var hs []int
	for _, v := range vs {
		hs = append(hs, int(v.MachineID[1]))
	}
	r.txs = append(r.txs, hs)
	return chain.TxCandidate{To: &common.Address{0x77}, Data: []byte{1}}, nil
}

func (r *sizedRegistry) SubmitVerdictsTx(vs []*verdict.Verdict, _ [][][]byte) (chain.TxCandidate, error) {
	return r.record(vs)
}

func (r *sizedRegistry) SubmitBatchTx(vs []*verdict.Verdict, _ [][]byte) (chain.TxCandidate, error) {
	return r.record(vs)
}

func (r *sizedRegistry) BatchOutcome(rcpt *types.Receipt) (map[common.Hash]bool, []chain.VerdictSkipped, error) {
	return r.real.BatchOutcome(rcpt)
}

// sizes returns how many verdicts each transaction built carried.
func (r *sizedRegistry) sizes() []int {
	var out []int
	for _, hs := range r.txs {
		out = append(out, len(hs))
	}
	return out
}

// readyAll prepares every verdict of nt at threshold 1 (its own signature
// suffices), after a pass at threshold 2 that left them waiting; all are ready.
func (nt *noteTest) readyAll() []*candidate {
	nt.t.Helper()
	n := len(nt.hashes)
	nt.expect("short of the quorum", nil, n, int64(n))
	nt.now = nt.now.Add(time.Minute)
	nt.s.cfg.Peers = nil
	ready, _ := nt.s.prepareAll(context.Background(), nt.hashes, nt.groups(), 1)
	if len(ready) != n {
		nt.t.Fatalf("%d verdicts ready at threshold 1, want %d", len(ready), n)
	}
	return ready
}

// TestPublisherHandedBackBatchIsSplit: a transaction of several verdicts that
// reverted for a reason holding nothing against them (out of gas: one provider's
// entries, front-run by key rotations, took more gas than its limit holds) counts
// against none of them: they stay signed, with their quorum progress, however
// often it happens, and the next pass sends each alone. A verdict whose own
// transaction reverted so maxHandBacks times in a row fails and is forgotten.
func TestPublisherHandedBackBatchIsSplit(t *testing.T) {
	const n = 2
	nt := newNoteTest(t, n)
	tx := &handingBackTx{}
	reg := &sizedRegistry{noteRegistry: nt.reg}
	nt.s.tx, nt.s.reg, nt.s.rpc = tx, reg, gasRPC{}
	nt.s.cfg.BatchMax = 32
	ready := nt.readyAll()
	for i := 1; i <= maxHandBacks; i++ {
		nt.s.send(context.Background(), ready, func() (chain.TxCandidate, error) { return chain.TxCandidate{}, nil })
		for j := range n {
			nt.state(fmt.Sprintf("after %d reverted transactions of both verdicts", i), j, store.StateSigned, "")
		}
	}
	for pass := 1; pass <= maxHandBacks; pass++ {
		nt.s.publishUncosigned(context.Background(), ready, nil)
		if want := fmt.Sprint(slices.Repeat([]int{1}, n*pass)); fmt.Sprint(reg.sizes()) != want {
			t.Fatalf("pass %d: transactions of %v verdicts sent, want %s (each verdict alone)", pass, reg.sizes(), want)
		}
		nt.s.qmu.Lock()
		quorum := len(nt.s.quorum)
		nt.s.qmu.Unlock()
		want, wantQuorum, reason := store.StateSigned, n, ""
		if pass == maxHandBacks {
			want, wantQuorum, reason = store.StateFailed, 0, "carrying the verdict alone reverted"
		}
		for j := range n {
			nt.state(fmt.Sprintf("pass %d", pass), j, want, reason)
		}
		if quorum != wantQuorum {
			t.Fatalf("pass %d: %d quorum states kept, want %d", pass, quorum, wantQuorum)
		}
	}
	if want := maxHandBacks + n*maxHandBacks; tx.sent != want {
		t.Fatalf("%d transactions sent, want %d", tx.sent, want)
	}
	if got := metricValue(t, nt.s.m.publishFailed.WithLabelValues("reverted")); got != n {
		t.Fatalf("publish_failed_verdicts_total{cause=reverted} = %v, want %d", got, n)
	}
}

// receiptsTx is a transaction manager whose transactions are mined with its
// receipts, in turn.
type receiptsTx struct{ rcpts []*types.Receipt }

func (*receiptsTx) Recover(context.Context) error { return nil }

func (r *receiptsTx) Send(context.Context, chain.TxCandidate) (*types.Receipt, error) {
	rcpt := r.rcpts[0]
	r.rcpts = r.rcpts[1:]
	return rcpt, nil
}

// TestPublisherDeferredVerdictLeadsItsNextBatch: a verdict a mined batch did not
// try for want of gas (InsufficientGasForEntry: entries before it, front-run by
// key rotations, took the gas) is sent first in its next batch, where it finds
// the batch's whole limit; the other verdicts keep their order. One deferred
// maxDeferrals times as the first entry (only its own machine's key binding
// changing after each estimate does that) fails, saying why.
func TestPublisherDeferredVerdictLeadsItsNextBatch(t *testing.T) {
	nt := newNoteTest(t, 5)
	registry := common.HexToAddress("0x00000000000000000000000000000000000000f1")
	reg := &sizedRegistry{noteRegistry: nt.reg, real: chainRegistry{r: chain.NewRegistry(nil, registry, 1)}}
	deferred := func(index int64) *types.Receipt {
		return &types.Receipt{Status: types.ReceiptStatusSuccessful, BlockNumber: big.NewInt(9), Logs: []*types.Log{
			skippedLog(t, registry, index, nt.hashes[1], "InsufficientGasForEntry", big.NewInt(90_000), big.NewInt(211_000))}}
	}
	tx := &receiptsTx{rcpts: []*types.Receipt{deferred(1), deferred(0), deferred(0), deferred(0)}}
	nt.s.tx, nt.s.reg, nt.s.rpc = tx, reg, gasRPC{}
	nt.s.cfg.BatchMax = 32
	c := nt.readyAll()
	steps := []struct {
		ready []*candidate
		sent  []int
	}{
		{[]*candidate{c[0], c[1]}, []int{0, 1}},          // verdict 1 deferred behind verdict 0
		{[]*candidate{c[2], c[1], c[3]}, []int{1, 2, 3}}, // it leads; deferred again, first
		{[]*candidate{c[1], c[4]}, []int{1, 4}},
		{[]*candidate{c[1]}, []int{1}},
	}
	for i, st := range steps {
		nt.s.publishBatches(context.Background(), st.ready, 1)
		if got := reg.txs[len(reg.txs)-1]; fmt.Sprint(got) != fmt.Sprint(st.sent) {
			t.Fatalf("step %d: batch of verdicts %v sent, want %v", i, got, st.sent)
		}
		if i < len(steps)-1 {
			nt.state(fmt.Sprintf("step %d", i), 1, store.StateSigned, "")
		}
	}
	if len(reg.txs) != len(steps) {
		t.Fatalf("%d transactions sent, want %d", len(reg.txs), len(steps))
	}
	nt.state("deferred three times as the first entry", 1, store.StateFailed, "InsufficientGasForEntry")
	if got := metricValue(t, nt.s.m.publishFailed.WithLabelValues("deferred")); got != 1 {
		t.Fatalf("publish_failed_verdicts_total{cause=deferred} = %v, want 1", got)
	}
	nt.s.qmu.Lock()
	_, kept := nt.s.quorum[nt.hashes[1]]
	nt.s.qmu.Unlock()
	if kept {
		t.Fatal("the failed verdict's quorum state is kept")
	}
}

// TestPublisherAloneVerdictsDoNotShortenBatches: verdicts to be sent alone (a
// transaction of several carrying them reverted) are set aside before a batch is
// cut to BatchMax, so the verdicts after them fill it.
func TestPublisherAloneVerdictsDoNotShortenBatches(t *testing.T) {
	nt := newNoteTest(t, 5)
	registry := common.HexToAddress("0x00000000000000000000000000000000000000f1")
	reg := &sizedRegistry{noteRegistry: nt.reg, real: chainRegistry{r: chain.NewRegistry(nil, registry, 1)}}
	mined := func() *types.Receipt {
		return &types.Receipt{Status: types.ReceiptStatusSuccessful, BlockNumber: big.NewInt(9)}
	}
	nt.s.tx, nt.s.reg, nt.s.rpc = &receiptsTx{rcpts: []*types.Receipt{mined(), mined(), mined(), mined(), mined()}}, reg, gasRPC{}
	nt.s.cfg.BatchMax = 3
	c := nt.readyAll()
	for _, i := range []int{1, 2} {
		q := nt.s.quorumOf(nt.hashes[i])
		nt.s.qmu.Lock()
		q.alone = true
		nt.s.qmu.Unlock()
	}
	nt.s.publishBatches(context.Background(), c, 1)
	if got, want := fmt.Sprint(reg.txs), fmt.Sprint([][]int{{0, 3, 4}, {1}, {2}}); got != want {
		t.Fatalf("batches of verdicts %s sent, want %s", got, want)
	}
}

// TestPublisherRefusalOfALaterBlockWaitsForALaterHead: a pass counts a verdict's
// signatures and looks for it on-chain at its pinned head, and simulates it at the
// latest block. A refusal that a change between the two can cause (an oracle
// removed, the threshold raised, the same verdict landed by another relayer) does
// not fail the verdict: a pass at a later head looks again, and fails it only if it
// is still refused there; one landed meanwhile is confirmed. Any other refusal
// fails it at once.
func TestPublisherRefusalOfALaterBlockWaitsForALaterHead(t *testing.T) {
	for _, tc := range []struct {
		name  string
		waits bool
	}{{"StaleVerdict", true}, {"UnknownSigner", true}, {"InsufficientSignatures", true}, {"KeyNotAuthorized", false}} {
		t.Run(tc.name, func(t *testing.T) {
			nt := newNoteTest(t, 2)
			nt.s.cfg.Peers = nil
			nt.reg.simErr = fmt.Errorf("simulate: %w", &chain.RevertError{Name: tc.name})
			nt.refusedPass(10)
			if !tc.waits {
				nt.state("refused", 0, store.StateFailed, tc.name)
				return
			}
			nt.state("refused at the latest block", 0, store.StateSigned, "")
			nt.refusedPass(10)
			nt.state("the same head again", 0, store.StateSigned, "")
			// A simulation that passes starts the count afresh: refused again at a
			// later head, the verdict waits for yet another one.
			nt.reg.mu.Lock()
			nt.reg.simErr = nil
			nt.reg.mu.Unlock()
			if ready, _ := nt.s.prepareAll(withHead(context.Background(), 11), nt.hashes, nt.groups(), 1); len(ready) != 2 {
				t.Fatalf("%d verdicts ready once the registry takes them, want 2", len(ready))
			}
			nt.now = nt.now.Add(time.Minute)
			nt.reg.mu.Lock()
			nt.reg.simErr = fmt.Errorf("simulate: %w", &chain.RevertError{Name: tc.name})
			nt.reg.mu.Unlock()
			nt.refusedPass(12)
			nt.state("refused again after a simulation passed", 0, store.StateSigned, "")
			nt.reg.mu.Lock()
			nt.reg.onChain[nt.hashes[0]] = 13 // another relayer landed verdict 0
			nt.reg.mu.Unlock()
			nt.refusedPass(13)
			nt.state("landed by another relayer", 0, store.StateConfirmed, "")
			nt.state("still refused at a later head", 1, store.StateFailed, tc.name)
		})
	}
}

// refusedPass runs a pass's preparation at threshold 1 with head pinned, over the
// verdicts still signed, which the registry refuses: none is ready. It moves the
// clock on so that every recheck is due for the next pass.
func (nt *noteTest) refusedPass(head uint64) {
	nt.t.Helper()
	groups := nt.groups()
	var order []common.Hash
	for _, h := range nt.hashes {
		if groups[h] != nil {
			order = append(order, h)
		}
	}
	if ready, _ := nt.s.prepareAll(withHead(context.Background(), head), order, groups, 1); len(ready) != 0 {
		nt.t.Fatalf("head %d: %d verdicts ready while the registry refuses them", head, len(ready))
	}
	nt.now = nt.now.Add(time.Minute)
}

// groups returns the submissions still signed by verdict hash.
func (nt *noteTest) groups() map[common.Hash][]store.Submission {
	nt.t.Helper()
	groups := map[common.Hash][]store.Submission{}
	for i, h := range nt.hashes {
		if sub, err := nt.st.Submission(fmt.Sprint("sub", i)); err == nil && sub.State == store.StateSigned {
			groups[h] = []store.Submission{sub}
		}
	}
	return groups
}

// state checks that submission i is in state want with a reason containing reason.
func (nt *noteTest) state(step string, i int, want store.State, reason string) {
	nt.t.Helper()
	sub, err := nt.st.Submission(fmt.Sprint("sub", i))
	if err != nil || sub.State != want || !strings.Contains(sub.Reason, reason) {
		nt.t.Fatalf("%s: submission %d %s (%q, %v), want %s with %q", step, i, sub.State, sub.Reason, err, want, reason)
	}
}

// skippedLog is the registry's VerdictSkipped event of entry index for digest,
// with the custom error name(args...) as its reason, as a receipt carries it.
func skippedLog(t *testing.T, registry common.Address, index int64, digest common.Hash, name string, args ...any) *types.Log {
	t.Helper()
	a, err := bindings.TeeRegistryMetaData.ParseABI()
	if err != nil {
		t.Fatal(err)
	}
	e := a.Errors[name]
	enc, err := e.Inputs.Pack(args...)
	if err != nil {
		t.Fatal(err)
	}
	ev := a.Events["VerdictSkipped"]
	data, err := ev.Inputs.NonIndexed().Pack(big.NewInt(index), append(e.ID.Bytes()[:4], enc...))
	if err != nil {
		t.Fatal(err)
	}
	return &types.Log{Address: registry, Topics: []common.Hash{ev.ID, {0x11}, {}, digest}, Data: data}
}

// TestBatchOutcomeHandsBackEntriesShortOfGas: a verdict the registry did not try
// because the batch ran short of gas before it (InsufficientGasForEntry: a change
// after the estimate made an earlier entry costlier) holds nothing against the
// verdict: the outcome hands it back (retry), for the journal to put it back to
// signed, while an entry refused for its own sake fails; and the publisher keeps
// the handed-back verdict's quorum progress for the pass that publishes it again,
// forgetting only the settled ones.
func TestBatchOutcomeHandsBackEntriesShortOfGas(t *testing.T) {
	const n = 3
	nt := newNoteTest(t, n)
	registry := common.HexToAddress("0x00000000000000000000000000000000000000f1")
	nt.s.reg = &outcomeRegistry{noteRegistry: nt.reg, real: chainRegistry{r: chain.NewRegistry(nil, registry, 1)}}
	short, retired := nt.hashes[1], nt.hashes[2]
	rcpt := &types.Receipt{Status: types.ReceiptStatusSuccessful, BlockNumber: big.NewInt(9), Logs: []*types.Log{
		skippedLog(t, registry, 1, short, "InsufficientGasForEntry", big.NewInt(90_000), big.NewInt(211_000)),
		skippedLog(t, registry, 2, retired, "MachineIdRetired", [32]byte{0x11}),
	}}
	skipped, retry, err := nt.s.batchOutcome(context.Background(), rcpt)
	if err != nil {
		t.Fatal(err)
	}
	if len(retry) != 1 || !strings.Contains(retry[short], "InsufficientGasForEntry") {
		t.Fatalf("retry = %v, want the entry short of gas", retry)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[retired], "MachineIdRetired") {
		t.Fatalf("skipped = %v, want the retired machine's entry", skipped)
	}

	nt.expect("short of the quorum", nil, n, n)
	nt.now = nt.now.Add(time.Minute)
	nt.s.cfg.Peers = nil
	groups := nt.groups()
	// The retired machine's verdict was withdrawn with its skipped entry
	// (withdraw.go): a pass fails it instead of making it ready.
	ready, _ := nt.s.prepareAll(context.Background(), nt.hashes, groups, 1)
	if len(ready) != n-1 {
		t.Fatalf("%d verdicts ready at threshold 1, want %d", len(ready), n-1)
	}
	for _, c := range ready {
		if c.hash == retired {
			t.Fatal("the withdrawn verdict of the retired machine is ready")
		}
	}
	nt.s.tx = minedTx{rcpt}
	nt.s.send(context.Background(), ready, func() (chain.TxCandidate, error) { return chain.TxCandidate{}, nil })
	nt.s.qmu.Lock()
	_, kept := nt.s.quorum[short]
	left := len(nt.s.quorum)
	nt.s.qmu.Unlock()
	if !kept || left != 1 {
		t.Fatalf("after the batch: %d quorum states kept (the handed-back one: %v), want only the handed-back verdict's", left, kept)
	}
}

// outcomeRegistry decodes receipts as the node does (chain.Registry) and answers
// the rest as noteRegistry.
type outcomeRegistry struct {
	*noteRegistry
	real chainRegistry
}

func (r *outcomeRegistry) BatchOutcome(rcpt *types.Receipt) (map[common.Hash]bool, []chain.VerdictSkipped, error) {
	return r.real.BatchOutcome(rcpt)
}

// minedTx is a transaction manager whose transactions are all mined with rcpt.
type minedTx struct{ rcpt *types.Receipt }

func (minedTx) Recover(context.Context) error { return nil }

func (m minedTx) Send(context.Context, chain.TxCandidate) (*types.Receipt, error) { return m.rcpt, nil }

// TestOneVerdictPerMachinePerBatch: of the verdicts a pass finds ready, at most one
// per machine is relayed, the one issued last (the first on a tie), and none not
// issued after a verdict of its machine a pending transaction carries; the others'
// submissions fail, not as their evidence's fault, and they are not relayed.
func TestOneVerdictPerMachinePerBatch(t *testing.T) {
	a, b, c := common.Hash{0xa}, common.Hash{0xb}, common.Hash{0xc}
	const t0 = 1_700_000_000
	nt := newNoteTestOf(t, []verdict.Verdict{
		{MachineID: a, IssuedAt: t0},      // 0: superseded by 1
		{MachineID: a, IssuedAt: t0 + 10}, // 1: relayed
		{MachineID: b, IssuedAt: t0},      // 2: relayed
		{MachineID: a, IssuedAt: t0 + 10}, // 3: a tie with 1, after it
		{MachineID: c, IssuedAt: t0 + 5},  // 4: not after 5
		{MachineID: c, IssuedAt: t0 + 5},  // 5: carried by a pending transaction
	})
	raw := []byte{1}
	if err := nt.st.RecordAttempt(common.Address{1}, 0, crypto.Keccak256Hash(raw), raw, nt.hashes[5:]); err != nil {
		t.Fatal(err)
	}
	nt.s.cfg.Peers = nil
	ready, _ := nt.pass(1)
	if want := []common.Hash{nt.hashes[1], nt.hashes[2]}; fmt.Sprint(ready) != fmt.Sprint(want) {
		t.Fatalf("ready %v, want %v (verdicts 1 and 2)", ready, want)
	}
	for i, want := range []store.State{store.StateFailed, store.StateSigned, store.StateSigned, store.StateFailed,
		store.StateFailed, store.StateSubmitted} {
		sub, err := nt.st.Submission(fmt.Sprint("sub", i))
		if err != nil {
			t.Fatal(err)
		}
		if sub.State != want || sub.EvidenceFault {
			t.Fatalf("verdict %d: submission %s (evidence fault %t, %q), want %s, not the evidence's fault",
				i, sub.State, sub.EvidenceFault, sub.Reason, want)
		}
	}
}
