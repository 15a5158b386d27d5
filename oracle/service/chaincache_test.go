package service

import (
	"context"
	"errors"
	"math/big"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// countingView is a registry view whose machine records and authorised keys are
// set by the test, counting the reads that reach it.
type countingView struct {
	registryView
	mu    sync.Mutex
	auth  common.Address
	fail  error
	reads atomic.Int64
}

func (c *countingView) AuthorizedKey(context.Context, common.Hash) (common.Address, error) {
	c.reads.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.auth, c.fail
}

func (c *countingView) set(a common.Address, err error) {
	c.mu.Lock()
	c.auth, c.fail = a, err
	c.mu.Unlock()
}

// A cached registry read is shared only by reads pinned to the same head: a new
// head reads again (a key revoked in it is seen), a read without a pinned head
// always goes to the chain, and a failed read is not kept.
func TestCachedViewPerHead(t *testing.T) {
	inner := &countingView{}
	v := newCachedView(inner)
	id := common.HexToHash("0x01")
	k1, k2 := common.HexToAddress("0xa1"), common.HexToAddress("0xa2")
	inner.set(k1, nil)
	at10 := withHead(context.Background(), 10)
	for range 3 {
		if got, err := v.AuthorizedKey(at10, id); err != nil || got != k1 {
			t.Fatalf("at head 10: %s, %v; want %s", got, err, k1)
		}
	}
	if n := inner.reads.Load(); n != 1 {
		t.Fatalf("three reads at one head reached the chain %d times, want 1", n)
	}
	// The provider revokes k1 and authorises k2 in block 11.
	inner.set(k2, nil)
	if got, _ := v.AuthorizedKey(withHead(context.Background(), 11), id); got != k2 {
		t.Fatalf("at head 11: %s, want the key authorised in block 11 (%s)", got, k2)
	}
	if got, _ := v.AuthorizedKey(context.Background(), id); got != k2 || inner.reads.Load() != 3 {
		t.Fatalf("unpinned read: %s after %d chain reads, want %s read from the chain", got, inner.reads.Load(), k2)
	}
	// A caller still at head 10 (it read the head just before block 11) does not
	// bring head 10's answers back: its read goes to the chain.
	if got, _ := v.AuthorizedKey(at10, id); got != k2 {
		t.Fatalf("late caller at head 10: %s, want %s", got, k2)
	}
	outage := errors.New("injected outage")
	inner.set(common.Address{}, outage)
	at12 := withHead(context.Background(), 12)
	if _, err := v.AuthorizedKey(at12, id); !errors.Is(err, outage) {
		t.Fatalf("read during an outage: %v", err)
	}
	inner.set(k2, nil)
	if got, err := v.AuthorizedKey(at12, id); err != nil || got != k2 {
		t.Fatalf("after the outage at the same head: %s, %v; the failure must not be kept", got, err)
	}
}

// Concurrent reads at one head share one request.
func TestCachedViewSharesConcurrentReads(t *testing.T) {
	inner := &countingView{}
	inner.set(common.HexToAddress("0xa1"), nil)
	v := newCachedView(inner)
	ctx := withHead(context.Background(), 7)
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := v.AuthorizedKey(ctx, common.HexToHash("0x01")); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := inner.reads.Load(); n != 1 {
		t.Fatalf("32 concurrent reads at one head reached the chain %d times, want 1", n)
	}
}

// Holders of different keys do not wait for each other; holders of one key do.
func TestKeyedMutex(t *testing.T) {
	var k keyedMutex
	a, b := common.HexToHash("0x0a"), common.HexToHash("0x0b")
	k.Lock(a)
	done := make(chan struct{})
	go func() { k.Lock(b); k.Unlock(b); close(done) }()
	<-done // would deadlock if b waited for a
	got, released := make(chan struct{}), make(chan struct{})
	go func() { k.Lock(a); close(got); k.Unlock(a); close(released) }()
	select {
	case <-got:
		t.Fatal("a second holder of the same key did not wait")
	case <-time.After(50 * time.Millisecond):
	}
	k.Unlock(a)
	<-got
	<-released // the second holder has left too
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.held) != 0 {
		t.Fatalf("%d keys still held after every holder left", len(k.held))
	}
}

// A verdict found waiting for its quorum is looked at again after a growing pause,
// at most recheckMax; a forgotten one at once.
func TestRechecksBackOff(t *testing.T) {
	var r rechecks
	h := common.HexToHash("0x01")
	now := time.Unix(1000, 0)
	if !r.due(h, now) {
		t.Fatal("a new verdict is not due")
	}
	want := []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
		800 * time.Millisecond, time.Second, time.Second}
	for _, gap := range want {
		r.later(h, now)
		if r.due(h, now.Add(gap-time.Millisecond)) || !r.due(h, now.Add(gap)) {
			t.Fatalf("recheck gap is not %s", gap)
		}
	}
	r.forget(h)
	if !r.due(h, now) {
		t.Fatal("a forgotten verdict is not due at once")
	}
	if got := passPause(time.Millisecond, time.Second); got != 50*time.Millisecond {
		t.Errorf("pause after a 1 ms pass: %s", got)
	}
	if got := passPause(100*time.Millisecond, 200*time.Millisecond); got != 200*time.Millisecond {
		t.Errorf("pause after a 100 ms pass with 200 ms polls: %s", got)
	}
}

// TestCachedViewBoundedAtOneHead: on a chain whose head does not move (stalled, or
// a development chain), reads of ever new ids, which /v1/challenge and
// /v1/evidence let anyone name, keep a memo within chainMemoMax entries, and
// values read after it started afresh are still right.
func TestCachedViewBoundedAtOneHead(t *testing.T) {
	inner := &countingView{}
	k := common.HexToAddress("0xa1")
	inner.set(k, nil)
	v := newCachedView(inner)
	at := withHead(context.Background(), 10)
	for i := range chainMemoMax + 1 {
		id := common.BigToHash(new(big.Int).SetInt64(int64(i) + 1))
		if got, err := v.AuthorizedKey(at, id); err != nil || got != k {
			t.Fatalf("read %d: %s, %v; want %s", i, got, err, k)
		}
	}
	v.auth.mu.Lock()
	n := len(v.auth.m)
	v.auth.mu.Unlock()
	if n > chainMemoMax {
		t.Fatalf("after %d distinct ids at one head the memo holds %d entries, want at most %d", chainMemoMax+1, n, chainMemoMax)
	}
	if r := inner.reads.Load(); r != chainMemoMax+1 {
		t.Fatalf("%d chain reads for %d distinct ids", r, chainMemoMax+1)
	}
}
