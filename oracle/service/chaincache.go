package service

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// headerCacheMax bounds the block headers heads keeps: anchors sit a few blocks
// below the head and every submission of a round names one of a handful of them.
const headerCacheMax = 512

// flight is one chain read in progress or done, shared by every caller that asks
// for the same value at the same head.
type flight[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// memo holds the reads made at one head, one flight per key: concurrent callers
// asking for the same value share one request. Failed reads are not kept.
type memo[K comparable, V any] struct {
	mu  sync.Mutex
	gen uint64
	m   map[K]*flight[V]
}

// staleGens: a generation this far below the held one means the chain went back
// (a development chain restarted), and the memo starts afresh.
const staleGens = 64

// chainMemoMax bounds each memo: the ids a head's reads name come from requests
// (/v1/challenge, /v1/evidence), so on a chain whose head does not move (stalled,
// or a development chain) a memo would grow with every new id. A full memo starts
// afresh, which costs only reads again.
const chainMemoMax = 1 << 14

func (m *memo[K, V]) get(ctx context.Context, gen uint64, k K, read func(context.Context) (V, error)) (V, error) {
	m.mu.Lock()
	switch {
	case m.m == nil || gen > m.gen || m.gen-gen > staleGens:
		m.m, m.gen = map[K]*flight[V]{}, gen
	case gen < m.gen:
		// A caller that read the head just before another saw the next one: its
		// read is not kept (the held values are newer).
		m.mu.Unlock()
		return read(ctx)
	}
	f, ok := m.m[k]
	if !ok {
		if len(m.m) >= chainMemoMax {
			m.m = map[K]*flight[V]{}
		}
		f = &flight[V]{done: make(chan struct{})}
		m.m[k] = f
		m.mu.Unlock()
		f.v, f.err = read(ctx)
		close(f.done)
		if f.err != nil {
			m.mu.Lock()
			if m.m[k] == f {
				delete(m.m, k)
			}
			m.mu.Unlock()
		}
		return f.v, f.err
	}
	m.mu.Unlock()
	return f.wait(ctx)
}

// wait returns the flight's value once it is done, or ctx's error when ctx ends
// first.
func (f *flight[V]) wait(ctx context.Context) (V, error) {
	select {
	case <-f.done:
		return f.v, f.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// heads keeps the headers of recent blocks (anchors), which a burst of submissions
// names again and again.
type heads struct {
	rpc  RPC
	hdrs memo[uint64, *types.Header]
}

func newHeads(rpc RPC) *heads { return &heads{rpc: rpc} }

// withHead returns ctx with head n pinned: the registry reads made with it through
// cachedView are served from what was read at that head.
func withHead(ctx context.Context, n uint64) context.Context {
	return context.WithValue(ctx, pinnedHeadKey{}, n)
}

type pinnedHeadKey struct{}

// pinnedHead returns the head pinned in ctx by withHead.
func pinnedHead(ctx context.Context) (uint64, bool) {
	n, ok := ctx.Value(pinnedHeadKey{}).(uint64)
	return n, ok
}

// Header returns block n's header, read once while it is among the recent
// blocks. A reorganisation can replace block n: a caller that finds the hash
// does not fit (a proof of possession made for another hash) asks again with
// FreshHeader.
func (h *heads) Header(ctx context.Context, n uint64) (*types.Header, error) {
	// The generation changes every headerCacheMax blocks, which bounds the map.
	return h.hdrs.get(ctx, n/headerCacheMax, n, func(ctx context.Context) (*types.Header, error) {
		return h.rpc.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
	})
}

// FreshHeader reads block n's header from the chain and keeps it in place of the
// one held.
func (h *heads) FreshHeader(ctx context.Context, n uint64) (*types.Header, error) {
	hdr, err := h.rpc.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
	if err != nil {
		return nil, err
	}
	h.hdrs.mu.Lock()
	if h.hdrs.m != nil && h.hdrs.gen == n/headerCacheMax {
		f := &flight[*types.Header]{done: make(chan struct{}), v: hdr}
		close(f.done)
		h.hdrs.m[n] = f
	}
	h.hdrs.mu.Unlock()
	return hdr, nil
}

// cachedView is the registry view the node reads through. An operation that pins
// the head it started at (withHead: a submission's checks, a worker's binding
// facts before signing, a publisher pass) has the reads every submission makes
// (the machine's record, the key's authorisation, the governance values) and the
// publisher's settlement reads served from what was read at that head: the first
// read at head h asks the chain, concurrent and later ones at h share its answer,
// and a new head starts afresh. The reads are calls at the endpoint's latest block
// (a call at block h fails on a load-balanced endpoint whose backend lags), so a
// value kept for h is what the endpoint answered while its head was h: usually the
// state at h, and never relied on as exact, since the worker reads again at a new
// head and the registry re-checks every rule when a verdict lands.
// Reads without a pinned head, transactions, simulations, receipts and event scans
// of fixed ranges go to the chain.
type cachedView struct {
	registryView

	machines memo[common.Hash, MachineRecord]
	auth     memo[common.Hash, common.Address]
	keyOf    memo[common.Address, common.Hash]
	policies memo[common.Hash, policyState]
	oracles  memo[common.Address, bool]
	accepted memo[acceptedKey, map[common.Hash]uint64]
	// acceptedNow gathers the accepted-digest reads made at once (a pass prepares
	// verdicts concurrently) into one log read, when the inner view can.
	acceptedNow *gathered[acceptedKey, map[common.Hash]uint64]
	gov         memo[string, uint64]
}

type policyState struct {
	active   bool
	validity uint64
}

type acceptedKey struct {
	machine common.Hash
	from    uint64
}

var _ registryView = (*cachedView)(nil)

func newCachedView(inner registryView) *cachedView {
	c := &cachedView{registryView: inner}
	if many, ok := inner.(acceptedManyReader); ok {
		c.acceptedNow = &gathered[acceptedKey, map[common.Hash]uint64]{read: many.AcceptedDigestsMany}
	}
	return c
}

// cached reads through m at the head pinned in ctx, or from the chain when none is.
func cached[K comparable, V any](ctx context.Context, c *cachedView, m *memo[K, V], k K, read func(context.Context) (V, error)) (V, error) {
	gen, ok := pinnedHead(ctx)
	if !ok {
		return read(ctx)
	}
	return m.get(ctx, gen, k, read)
}

func (c *cachedView) Machine(ctx context.Context, id common.Hash) (MachineRecord, error) {
	return cached(ctx, c, &c.machines, id, func(ctx context.Context) (MachineRecord, error) {
		return c.registryView.Machine(ctx, id)
	})
}

func (c *cachedView) AuthorizedKey(ctx context.Context, id common.Hash) (common.Address, error) {
	return cached(ctx, c, &c.auth, id, func(ctx context.Context) (common.Address, error) {
		return c.registryView.AuthorizedKey(ctx, id)
	})
}

func (c *cachedView) MachineOfKey(ctx context.Context, key common.Address) (common.Hash, error) {
	return cached(ctx, c, &c.keyOf, key, func(ctx context.Context) (common.Hash, error) {
		return c.registryView.MachineOfKey(ctx, key)
	})
}

func (c *cachedView) PolicyActive(ctx context.Context, h common.Hash) (bool, uint64, error) {
	p, err := cached(ctx, c, &c.policies, h, func(ctx context.Context) (policyState, error) {
		a, v, err := c.registryView.PolicyActive(ctx, h)
		return policyState{active: a, validity: v}, err
	})
	return p.active, p.validity, err
}

func (c *cachedView) IsOracle(ctx context.Context, a common.Address) (bool, error) {
	return cached(ctx, c, &c.oracles, a, func(ctx context.Context) (bool, error) {
		return c.registryView.IsOracle(ctx, a)
	})
}

func (c *cachedView) Threshold(ctx context.Context) (int, error) {
	m, err := cached(ctx, c, &c.gov, "threshold", func(ctx context.Context) (uint64, error) {
		m, err := c.registryView.Threshold(ctx)
		return uint64(m), err
	})
	return int(m), err
}

func (c *cachedView) MaxAnchorAge(ctx context.Context) (uint64, error) {
	return cached(ctx, c, &c.gov, "maxAnchorAge", c.registryView.MaxAnchorAge)
}

// AcceptedDigests is shared between callers: they must not change the map.
func (c *cachedView) AcceptedDigests(ctx context.Context, machine common.Hash, from uint64) (map[common.Hash]uint64, error) {
	return cached(ctx, c, &c.accepted, acceptedKey{machine, from}, func(ctx context.Context) (map[common.Hash]uint64, error) {
		if c.acceptedNow != nil {
			return c.acceptedNow.get(ctx, acceptedKey{machine, from})
		}
		return c.registryView.AcceptedDigests(ctx, machine, from)
	})
}

// acceptedManyReader is a registry view that reads the accepted digests of many
// machines with few requests (chainRegistry: one log read per acceptedChunk
// machines). With an error it may answer some of the keys: those it read.
type acceptedManyReader interface {
	AcceptedDigestsMany(ctx context.Context, keys []acceptedKey) (map[acceptedKey]map[common.Hash]uint64, error)
}

// PrefetchAccepted reads, at the head pinned in ctx, the accepted digests of the
// keys not read at that head yet, in as few requests as the inner view can, and
// keeps them for the AcceptedDigests calls that follow: a publisher pass looks at
// every verdict waiting for its quorum, one log read per machine and head
// otherwise. What a failed read did not answer is not kept (each caller then
// reads its own).
func (c *cachedView) PrefetchAccepted(ctx context.Context, keys []acceptedKey) {
	gen, ok := pinnedHead(ctx)
	many, can := c.registryView.(acceptedManyReader)
	if !ok || !can {
		return
	}
	missing := c.accepted.missing(gen, keys)
	if len(missing) == 0 {
		return
	}
	got, _ := many.AcceptedDigestsMany(ctx, missing)
	c.accepted.put(gen, got)
}

// missing returns the keys of ks that hold no read at generation gen.
func (m *memo[K, V]) missing(gen uint64, ks []K) []K {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || gen != m.gen {
		return ks
	}
	var out []K
	for _, k := range ks {
		if _, ok := m.m[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

// put keeps the values read at generation gen for keys that hold no read yet (a
// read in flight or done is kept), as get would after reading them.
func (m *memo[K, V]) put(gen uint64, vs map[K]V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.m == nil || gen > m.gen || m.gen-gen > staleGens:
		m.m, m.gen = map[K]*flight[V]{}, gen
	case gen < m.gen:
		return
	}
	for k, v := range vs {
		if _, ok := m.m[k]; ok {
			continue
		}
		if len(m.m) >= chainMemoMax {
			return
		}
		f := &flight[V]{done: make(chan struct{}), v: v}
		close(f.done)
		m.m[k] = f
	}
}

// gathered reads keys in rounds: the keys asked for while a round is in flight
// go together in the next (one request for many, as headReads does for the head),
// and a caller never joins a round under way, so its answer is at least as new as
// a read of its own. A failed round fails each caller it did not answer.
type gathered[K comparable, V any] struct {
	read func(context.Context, []K) (map[K]V, error)

	mu      sync.Mutex
	busy    bool
	waiting map[K]*flight[V]
}

// gatherTimeout bounds one round (the chain context's bound); a caller stops
// waiting when its own context ends, the round goes on for the others.
const gatherTimeout = 10 * time.Second

func (g *gathered[K, V]) get(ctx context.Context, k K) (V, error) {
	g.mu.Lock()
	if g.waiting == nil {
		g.waiting = map[K]*flight[V]{}
	}
	f, ok := g.waiting[k]
	if !ok {
		f = &flight[V]{done: make(chan struct{})}
		g.waiting[k] = f
	}
	if !g.busy {
		g.busy = true
		go g.run()
	}
	g.mu.Unlock()
	return f.wait(ctx)
}

func (g *gathered[K, V]) run() {
	for {
		g.mu.Lock()
		round := g.waiting
		g.waiting = nil
		if len(round) == 0 {
			g.busy = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		keys := slices.Collect(maps.Keys(round))
		ctx, cancel := context.WithTimeout(context.Background(), gatherTimeout)
		got, err := g.read(ctx, keys)
		cancel()
		for k, f := range round {
			v, ok := got[k]
			switch {
			case ok:
				f.v = v
			case err != nil:
				f.err = err
			default:
				f.err = fmt.Errorf("no answer for %v in a read of %d", k, len(keys))
			}
			close(f.done)
		}
	}
}
