package service_test

import (
	"context"
	"encoding/binary"
	"fmt"
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

// laggingEndpoint is a chain endpoint that, while lagging, answers as a node whose
// head is block head: eth_blockNumber says head, calls at the latest block run at
// head, event scans past head fail, and blocks above head are missing (forked:
// they are there with other hashes, as on a chain that was reset). It records the
// first block of each registry-wide event scan (the tracker's).
type laggingEndpoint struct {
	*ethclient.Client
	mu     sync.Mutex
	head   uint64 // 0: not lagging
	forked bool
	scans  []uint64
}

func (r *laggingEndpoint) lag(head uint64, forked bool) {
	r.mu.Lock()
	r.head, r.forked, r.scans = head, forked, nil
	r.mu.Unlock()
}

func (r *laggingEndpoint) state() (head uint64, forked bool, scans []uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.head, r.forked, append([]uint64(nil), r.scans...)
}

func (r *laggingEndpoint) BlockNumber(ctx context.Context) (uint64, error) {
	if head, _, _ := r.state(); head != 0 {
		return head, nil
	}
	return r.Client.BlockNumber(ctx)
}

func (r *laggingEndpoint) HeaderByNumber(ctx context.Context, n *big.Int) (*types.Header, error) {
	head, forked, _ := r.state()
	switch {
	case head == 0:
		return r.Client.HeaderByNumber(ctx, n)
	case n == nil:
		return r.Client.HeaderByNumber(ctx, new(big.Int).SetUint64(head))
	case n.Uint64() <= head:
		return r.Client.HeaderByNumber(ctx, n)
	case !forked:
		return nil, ethereum.NotFound
	}
	h, err := r.Client.HeaderByNumber(ctx, n)
	if err != nil {
		return nil, err
	}
	h.Extra = []byte("another chain")
	return h, nil
}

func (r *laggingEndpoint) CallContract(ctx context.Context, msg ethereum.CallMsg, block *big.Int) ([]byte, error) {
	if head, _, _ := r.state(); head != 0 && block == nil {
		block = new(big.Int).SetUint64(head)
	}
	return r.Client.CallContract(ctx, msg, block)
}

func (r *laggingEndpoint) FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	r.mu.Lock()
	head := r.head
	if len(q.Topics) == 1 && q.FromBlock != nil {
		r.scans = append(r.scans, q.FromBlock.Uint64())
	}
	r.mu.Unlock()
	if head != 0 && (q.ToBlock == nil || q.ToBlock.Uint64() > head) {
		return nil, fmt.Errorf("injected: block range extends beyond the current head block %d", head)
	}
	return r.Client.FilterLogs(ctx, q)
}

// lagSetup is a node tracking a machine with a trusted verdict.
type lagSetup struct {
	e       *chainEnv
	opts    nodeOpts
	n       *node
	machine common.Hash
	before  uint64 // the head before the machine was registered
}

// restart stops the node and starts it again on its store.
func (l *lagSetup) restart(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.n.svc.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.n.store.Close(); err != nil {
		t.Fatal(err)
	}
	l.n = startNode(t, l.e, l.opts)
}

// trackedNode starts a node behind rpc on a chain started at block number start
// (anvil's --number) with a machine that has a trusted verdict, and waits until
// the due list lists it. clock is added to the node's clock.
func trackedNode(t *testing.T, start string, rpc *laggingEndpoint, clock *atomic.Int64) *lagSetup {
	t.Helper()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32, "--number", start)
	rpc.Client = e.client
	e.rpc(t, "anvil_mine", "0xc8") // 200 blocks: a lag of 100 stays on the chain
	good := measurement(0x11)
	pol := testPolicy(t, "lag", 300, good) // due within 10 minutes of a head 100 blocks back
	e.registerPolicy(t, pol)
	before, err := e.client.BlockNumber(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	now := func() time.Time { return time.Now().Add(time.Duration(clock.Load())) }
	opts := nodeOpts{key: oracleKey, policy: pol, snp: snp, rpc: rpc, now: now, dir: t.TempDir()}
	n := startNode(t, e, opts)
	a := e.newAgent(t, snp, machine)
	ch := a.challenge(t, n)
	code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, nil))
	if code != 202 {
		t.Fatalf("submit: HTTP %d: %s", code, res.Error)
	}
	waitState(t, n, res.ID, 60*time.Second, "confirmed")
	if !eventually(30*time.Second, 200*time.Millisecond, func() bool { return dueLists(t, n, machine) == nil }) {
		t.Fatal("set-up: the due list never listed the machine")
	}
	return &lagSetup{e: e, opts: opts, n: n, machine: machine, before: before}
}

// dueLists returns why n's due list does not list exactly machine (nil: it does).
func dueLists(t *testing.T, n *node, machine common.Hash) error {
	var d struct {
		Machines []api.DueMachine `json:"machines"`
		Error    string           `json:"error"`
	}
	code := httpJSON(t, "GET", n.url+"/v1/machines/due", "", nil, &d)
	if code != 200 || len(d.Machines) != 1 || d.Machines[0].MachineID != machine {
		return fmt.Errorf("due list HTTP %d %q, %+v; want machine %s", code, d.Error, d.Machines, machine)
	}
	return nil
}

func lastScanned(t *testing.T, n *node) uint64 {
	t.Helper()
	b, err := n.store.Meta("attest/last_scanned_block")
	if err != nil || len(b) != 8 {
		t.Fatalf("last scanned block: %x, %v", b, err)
	}
	return binary.BigEndian.Uint64(b)
}

// TestTrackLaggingEndpointKeepsMachine: with a full refresh of the records due, or
// at a node's start, an endpoint whose head is a few blocks below the last scanned
// block (behind its peers) answers the records as of its old head, where a machine
// registered since is unregistered. The tracker commits nothing while it waits: the
// machine stays listed during the lag (a node just started answers 503) and after
// the endpoint catches up, where the table committed as current at the last
// scanned block dropped it for good.
func TestTrackLaggingEndpointKeepsMachine(t *testing.T) {
	t.Parallel()
	var clock atomic.Int64
	rpc := &laggingEndpoint{}
	l := trackedNode(t, "1000", rpc, &clock)
	rpc.lag(l.before, false)
	clock.Add(int64(11 * time.Minute)) // a full refresh is due
	l.n.tracks.wait(t, 2, 30*time.Second)
	if err := dueLists(t, l.n, l.machine); err != nil {
		t.Errorf("while the endpoint's head lags at block %d, below the machine's registration: %v", l.before, err)
	}
	rpc.lag(0, false)
	l.n.tracks.wait(t, 2, 30*time.Second)
	if err := dueLists(t, l.n, l.machine); err != nil {
		t.Errorf("after the endpoint caught up: %v", err)
	}

	rpc.lag(l.before, false)
	l.restart(t)
	l.n.tracks.wait(t, 2, 30*time.Second)
	if code, got := dueList(t, l.n); code != 503 {
		t.Errorf("a node started while the endpoint's head lags: due list HTTP %d, %+v; want 503 until it catches up", code, got)
	}
	rpc.lag(0, false)
	if !eventually(30*time.Second, 200*time.Millisecond, func() bool { return dueLists(t, l.n, l.machine) == nil }) {
		t.Errorf("a node started while the endpoint lagged, after the endpoint caught up: %v", dueLists(t, l.n, l.machine))
	}
}

// TestTrackLagIsNoReset: on a chain whose start block lies two chunks below the
// machine's registration, a head 100 blocks below the last scanned block (16 s on
// a chain of 4 blocks a second) whose endpoint does not have the last scanned
// block is a lag, not a reset: the node keeps its table and lists the machine
// during the lag and after. A head whose chain has the last scanned block with
// another hash was reset: the node rescans from the start block; so does a lag
// that lasts longer than 10 minutes.
func TestTrackLagIsNoReset(t *testing.T) {
	t.Parallel()
	var clock atomic.Int64
	rpc := &laggingEndpoint{}
	l := trackedNode(t, "10000", rpc, &clock)
	n, machine := l.n, l.machine
	for _, c := range []struct {
		name           string
		forked, rescan bool
		wait           time.Duration // the clock moves on by this during the lag
	}{
		{name: "lag", forked: false, rescan: false},
		{name: "reset chain", forked: true, rescan: true},
		{name: "lag of 11 minutes", forked: false, rescan: true, wait: 11 * time.Minute},
	} {
		n.tracks.wait(t, 2, 30*time.Second)
		head := lastScanned(t, n) - 100
		rpc.lag(head, c.forked)
		n.tracks.wait(t, 2, 30*time.Second)
		if c.wait > 0 {
			clock.Add(int64(c.wait))
			n.tracks.wait(t, 2, 30*time.Second)
		}
		_, _, scans := rpc.state()
		if got := slices.Contains(scans, 0); got != c.rescan {
			t.Errorf("%s: head 100 blocks below the last scanned block: scans from blocks %v; rescan from the start block (0): %v, want %v",
				c.name, scans, got, c.rescan)
		}
		if !c.rescan {
			if err := dueLists(t, n, machine); err != nil {
				t.Errorf("%s: during the lag: %v", c.name, err)
			}
		}
		rpc.lag(0, false)
		if !eventually(30*time.Second, 200*time.Millisecond, func() bool { return dueLists(t, n, machine) == nil }) {
			t.Errorf("%s: after the endpoint caught up: %v", c.name, dueLists(t, n, machine))
		}
	}
}
