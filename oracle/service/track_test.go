package service_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math/big"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// recordReads is a chain endpoint that counts the registry's machine(id) calls,
// by machine.
type recordReads struct {
	*ethclient.Client
	selector []byte
	mu       sync.Mutex
	reads    map[common.Hash]int
}

func (r *recordReads) CallContract(ctx context.Context, msg ethereum.CallMsg, block *big.Int) ([]byte, error) {
	if len(msg.Data) == 4+32 && bytes.Equal(msg.Data[:4], r.selector) {
		r.mu.Lock()
		r.reads[common.BytesToHash(msg.Data[4:])]++
		r.mu.Unlock()
	}
	return r.Client.CallContract(ctx, msg, block)
}

func (r *recordReads) count() map[common.Hash]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[common.Hash]int, len(r.reads))
	for k, v := range r.reads {
		out[k] = v
	}
	return out
}

// TestTrackReadsOnlyTouchedRecords: a starting node reads the record of every
// machine the registry's events name; after that a tracking pass (every 200 ms
// here) reads only the records of machines named by new events, not every tracked
// machine again: with 10,000 machines that was 10,000 calls a pass.
func TestTrackReadsOnlyTouchedRecords(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32)
	pol := testPolicy(t, "track", 600, measurement(0x11))
	e.registerPolicy(t, pol)
	var old []common.Hash
	for salt := byte(1); salt <= 3; salt++ {
		old = append(old, e.registerMachine(t, provider, salt, verdict.TEESEVSNP))
	}
	rpc := &recordReads{Client: e.client, selector: e.reg.PackMachine([32]byte{})[:4], reads: map[common.Hash]int{}}
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: newFakeSNP(t, time.Now().Add(-24*time.Hour)), rpc: rpc,
		reappEvery: 200 * time.Millisecond})
	allRead := func() bool {
		c := rpc.count()
		for _, id := range old {
			if c[id] == 0 {
				return false
			}
		}
		return true
	}
	if !eventually(30*time.Second, 50*time.Millisecond, allRead) {
		t.Fatalf("the starting node did not read every registered machine's record: %v", rpc.count())
	}
	// Passes with no new events (a block a second, a pass every 200 ms): three of
	// them end after the first read, then an event names a new machine.
	before := rpc.count()
	n.tracks.wait(t, 3, 30*time.Second)
	added := e.registerMachine(t, provider, 4, verdict.TEESEVSNP)
	if !eventually(30*time.Second, 50*time.Millisecond, func() bool { return rpc.count()[added] > 0 }) {
		t.Fatal("the machine registered after the start was never read")
	}
	// Two more passes end: at least one began after the new machine was read.
	n.tracks.wait(t, 2, 30*time.Second)
	after := rpc.count()
	for _, id := range old {
		if after[id] != before[id] {
			t.Errorf("machine %s: record read %d times after the first pass, want 0 (no event named it)", id, after[id]-before[id])
		}
	}
}

// slowScans is a chain endpoint whose registry-wide event scans (eth_getLogs with
// no machine named: the tracker's) each take delay, or until their context ends,
// as a public endpoint does on a large block range.
type slowScans struct {
	*ethclient.Client
	delay time.Duration
}

func (r *slowScans) FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	if len(q.Topics) == 1 {
		select {
		case <-time.After(r.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return r.Client.FilterLogs(ctx, q)
}

// dueList asks n for its due list, returning the HTTP status and the machines.
func dueList(t testing.TB, n *node) (int, []api.DueMachine) {
	t.Helper()
	var d struct {
		Machines []api.DueMachine `json:"machines"`
	}
	code := httpJSON(t, "GET", n.url+"/v1/machines/due", "", nil, &d)
	return code, d.Machines
}

// TestTrackCatchesUpChunkByChunk: a node whose start block lies 30,000 blocks (7
// eth_getLogs chunks) below the head, behind an endpoint that takes 2 s per
// chunk, catches up and lists the machine registered in the last chunk as due: each
// chunk has its own deadline and its progress is committed, where one deadline for
// the whole scan (10 s) lost every pass and left the due list answering 503.
func TestTrackCatchesUpChunkByChunk(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32, "--number", "30000")
	good := measurement(0x11)
	pol := testPolicy(t, "catch-up", 600, good)
	e.registerPolicy(t, pol)
	machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, rpc: &slowScans{Client: e.client, delay: 2 * time.Second}})
	a := e.newAgent(t, snp, machine)
	ch := a.challenge(t, n)
	code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, nil))
	if code != 202 {
		t.Fatalf("submit: HTTP %d: %s", code, res.Error)
	}
	waitState(t, n, res.ID, 60*time.Second, "confirmed")
	var last int
	listed := eventually(90*time.Second, 500*time.Millisecond, func() bool {
		code, got := dueList(t, n)
		last = code
		return code == 200 && len(got) == 1 && got[0].MachineID == machine
	})
	if !listed {
		t.Fatalf("the due list never listed the machine registered 30,000 blocks above the start block (last answer HTTP %d)", last)
	}
}

// flakyHead is a chain endpoint that, while armed, answers eth_blockNumber with
// below(the node's last scanned block) and fails the registry-wide event scans
// (the tracker's), recording the first block each of them asked for. Armed
// forked, it answers the headers above that head with other hashes (a reset chain).
type flakyHead struct {
	*ethclient.Client
	st interface{ Meta(string) ([]byte, error) }

	mu     sync.Mutex
	below  uint64 // blocks below the last scanned one; 0: not armed
	forked bool
	scans  []uint64
	failed int
}

func (r *flakyHead) arm(below uint64, forked bool) {
	r.mu.Lock()
	r.below, r.forked, r.scans = below, forked, nil
	r.mu.Unlock()
}

func (r *flakyHead) HeaderByNumber(ctx context.Context, n *big.Int) (*types.Header, error) {
	h, err := r.Client.HeaderByNumber(ctx, n)
	r.mu.Lock()
	forked := r.forked && r.below != 0
	r.mu.Unlock()
	if err != nil || !forked || n == nil {
		return h, err
	}
	if head, err := r.BlockNumber(ctx); err == nil && n.Uint64() > head {
		h.Extra = []byte("another chain")
	}
	return h, nil
}

func (r *flakyHead) armed() (below uint64, scans []uint64, failed int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.below, append([]uint64(nil), r.scans...), r.failed
}

func (r *flakyHead) BlockNumber(ctx context.Context) (uint64, error) {
	below, _, _ := r.armed()
	if below == 0 || r.st == nil {
		return r.Client.BlockNumber(ctx)
	}
	b, err := r.st.Meta("attest/last_scanned_block")
	if err != nil || len(b) != 8 {
		return r.Client.BlockNumber(ctx)
	}
	return binary.BigEndian.Uint64(b) - below, nil
}

func (r *flakyHead) FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	r.mu.Lock()
	armed := r.below != 0 && len(q.Topics) == 1
	if armed {
		r.scans = append(r.scans, q.FromBlock.Uint64())
		r.failed++
	}
	r.mu.Unlock()
	if armed {
		return nil, errors.New("injected: eth_getLogs failed")
	}
	return r.Client.FilterLogs(ctx, q)
}

// TestTrackHeadBelowLastScanned: an endpoint answering with a head one block below
// the node's last scanned block (routine behind a load balancer) does not make the
// tracker rescan from the start block: it waits for the head. A head below it on a
// chain that has another block at its number (a chain reset) starts a rescan, and
// when that rescan fails the node keeps its machine table: after the next normal pass the due list still lists the machine
// whose events lie far behind the last scanned block.
func TestTrackHeadBelowLastScanned(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32, "--number", "1000")
	good := measurement(0x11)
	pol := testPolicy(t, "head-below", 600, good)
	e.registerPolicy(t, pol)
	machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	rpc := &flakyHead{Client: e.client}
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, rpc: rpc})
	rpc.mu.Lock()
	rpc.st = n.store
	rpc.mu.Unlock()
	a := e.newAgent(t, snp, machine)
	ch := a.challenge(t, n)
	code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, nil))
	if code != 202 {
		t.Fatalf("submit: HTTP %d: %s", code, res.Error)
	}
	waitState(t, n, res.ID, 60*time.Second, "confirmed")
	listed := func() bool {
		code, got := dueList(t, n)
		return code == 200 && len(got) == 1 && got[0].MachineID == machine
	}
	if !eventually(30*time.Second, 200*time.Millisecond, listed) {
		t.Fatal("set-up: the due list never listed the machine")
	}
	for _, below := range []uint64{1, 100} {
		rpc.arm(below, below == 100)
		n.tracks.wait(t, 3, 30*time.Second)
		_, scans, _ := rpc.armed()
		rpc.arm(0, false)
		// A pass under way when the endpoint turned may have asked for the blocks
		// after the last scanned one; only a rescan asks for the start block's.
		if below == 1 && slices.Contains(scans, 0) {
			t.Errorf("head 1 block below the last scanned one: the tracker scanned from blocks %v, want no rescan from the start block (0)", scans)
		}
		if below == 100 && !slices.Contains(scans, 0) {
			t.Errorf("head 100 blocks below the last scanned one on a reset chain: scans from blocks %v, want a rescan from the start block (0)", scans)
		}
		n.tracks.wait(t, 2, 30*time.Second)
		if code, got := dueList(t, n); code != 200 || len(got) != 1 || got[0].MachineID != machine {
			t.Fatalf("after a head %d blocks below the last scanned block and a normal pass: due list HTTP %d, %+v; want the machine tracked before", below, code, got)
		}
	}
}

// scannedHeaders is a chain endpoint that counts header reads by number (the
// tracker's read of the last scanned block; the chain-time and health reads ask
// for the latest header) and, while pinned, answers eth_blockNumber with the
// node's last scanned block: the normal state of a node between two blocks.
type scannedHeaders struct {
	*ethclient.Client
	st interface{ Meta(string) ([]byte, error) }

	mu     sync.Mutex
	pinned bool
	reads  int
}

func (r *scannedHeaders) HeaderByNumber(ctx context.Context, n *big.Int) (*types.Header, error) {
	if n != nil {
		r.mu.Lock()
		r.reads++
		r.mu.Unlock()
	}
	return r.Client.HeaderByNumber(ctx, n)
}

func (r *scannedHeaders) BlockNumber(ctx context.Context) (uint64, error) {
	r.mu.Lock()
	pinned := r.pinned
	r.mu.Unlock()
	if pinned {
		if b, err := r.st.Meta("attest/last_scanned_block"); err == nil && len(b) == 8 {
			return binary.BigEndian.Uint64(b), nil
		}
	}
	return r.Client.BlockNumber(ctx)
}

func (r *scannedHeaders) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reads
}

// TestDueListReadsChainOncePerBound: the due list is public; 20 requests within
// DueFresh of the first (the node's clock stands still) answer from the table
// without a tracking pass: no pass, no header read, no store commit. Requests each past
// the bound run a pass, and with the head still at the last scanned block and no
// full refresh due a pass commits nothing and reads no header of that block.
// Every request ran a pass and committed before.
func TestDueListReadsChainOncePerBound(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32)
	pol := testPolicy(t, "due-fresh", 600, measurement(0x11))
	e.registerPolicy(t, pol)
	e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	// The node's clock stands still but for what the test adds.
	var clock atomic.Int64
	base := time.Now()
	rpc := &scannedHeaders{Client: e.client}
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: newFakeSNP(t, time.Now().Add(-24*time.Hour)), rpc: rpc,
		reappEvery: time.Hour, now: func() time.Time { return base.Add(time.Duration(clock.Load())) }})
	rpc.mu.Lock()
	rpc.st = n.store
	rpc.mu.Unlock()
	// The loop's first pass runs at the start, the next an hour later.
	n.tracks.wait(t, 1, 30*time.Second)
	if code, got := dueList(t, n); code != 200 || len(got) != 0 {
		t.Fatalf("due list: HTTP %d, %+v; want 200 and no machine (none has a verdict)", code, got)
	}
	headers, commits, passes := rpc.count(), n.store.Commits(), n.tracks.count()
	for range 20 {
		if code, _ := dueList(t, n); code != 200 {
			t.Fatalf("due list: HTTP %d", code)
		}
	}
	if h, c, p := rpc.count()-headers, n.store.Commits()-commits, n.tracks.count()-passes; h != 0 || c != 0 || p != 0 {
		t.Errorf("20 due-list requests within the bound: %d header reads, %d store commits, %d tracking passes; want none", h, c, p)
	}
	// The head stays at the last scanned block; each request comes 6 s of node
	// clock after the last, past the bound, and runs a pass.
	rpc.mu.Lock()
	rpc.pinned = true
	rpc.mu.Unlock()
	clock.Add(int64(6 * time.Second))
	if code, _ := dueList(t, n); code != 200 { // may scan the blocks since the last pass
		t.Fatalf("due list: HTTP %d", code)
	}
	headers, commits = rpc.count(), n.store.Commits()
	for range 20 {
		clock.Add(int64(6 * time.Second))
		if code, _ := dueList(t, n); code != 200 {
			t.Fatalf("due list: HTTP %d", code)
		}
	}
	if h, c := rpc.count()-headers, n.store.Commits()-commits; h != 0 || c != 0 {
		t.Errorf("20 due-list passes with no new block: %d header reads, %d store commits; want 0 and 0 (nothing changed)", h, c)
	}
}
