package service

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// manyRegistry answers AcceptedDigestsMany with each key's machine's first byte
// as its one digest, accepted in the key's block, and counts its reads and their
// keys; a read waits while hold is open and fails with fail when set.
type manyRegistry struct {
	registryView
	mu    sync.Mutex
	reads [][]acceptedKey
	hold  chan struct{}
	fail  error
	// unread, with fail, is a machine the read did not answer: the others are.
	unread common.Hash
}

func (r *manyRegistry) AcceptedDigestsMany(_ context.Context, keys []acceptedKey) (map[acceptedKey]map[common.Hash]uint64, error) {
	r.mu.Lock()
	r.reads = append(r.reads, keys)
	h, fail := r.hold, r.fail
	r.mu.Unlock()
	if h != nil {
		<-h
	}
	if fail != nil && r.unread == (common.Hash{}) {
		return nil, fail
	}
	out := map[acceptedKey]map[common.Hash]uint64{}
	for _, k := range keys {
		if fail == nil || k.machine != r.unread {
			out[k] = map[common.Hash]uint64{{k.machine[0]}: k.from}
		}
	}
	return out, fail
}

func (r *manyRegistry) AcceptedDigests(context.Context, common.Hash, uint64) (map[common.Hash]uint64, error) {
	return nil, errors.New("read one machine at a time")
}

func (r *manyRegistry) readCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reads)
}

// TestAcceptedReadsAreGathered: the accepted-digest reads made at once at a head
// go to the chain in one read for all of them (after the one in flight), each
// caller gets its own machine's answer, and a read of the same key at the same
// head is not made again.
func TestAcceptedReadsAreGathered(t *testing.T) {
	inner := &manyRegistry{hold: make(chan struct{})}
	c := newCachedView(inner)
	ctx := withHead(context.Background(), 100)
	first := make(chan error, 1)
	go func() {
		_, err := c.AcceptedDigests(ctx, common.Hash{0xf0}, 90)
		first <- err
	}()
	for inner.readCount() == 0 {
		time.Sleep(time.Millisecond)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := common.Hash{byte(i + 1)}
			got, err := c.AcceptedDigests(ctx, m, uint64(i))
			if err != nil || len(got) != 1 || got[common.Hash{byte(i + 1)}] != uint64(i) {
				t.Errorf("machine %d: %v, %v; want its own digest", i+1, got, err)
			}
		}()
	}
	for {
		c.acceptedNow.mu.Lock()
		n := len(c.acceptedNow.waiting)
		c.acceptedNow.mu.Unlock()
		if n == 20 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(inner.hold)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := inner.readCount(); n != 2 || len(inner.reads[1]) != 20 {
		t.Fatalf("%d reads, want the first alone and the 20 made during it in one", n)
	}
	if _, err := c.AcceptedDigests(ctx, common.Hash{3}, 2); err != nil || inner.readCount() != 2 {
		t.Fatalf("a key read at this head was read again (%d reads), %v", inner.readCount(), err)
	}
	if _, err := c.AcceptedDigests(withHead(context.Background(), 101), common.Hash{3}, 2); err != nil || inner.readCount() != 3 {
		t.Fatalf("a key was not read again at a new head (%d reads), %v", inner.readCount(), err)
	}
}

// TestPrefetchAccepted: a prefetch reads the keys not held at the head in one
// read, and the calls that follow make none; a failed prefetch keeps nothing, so
// the callers read for themselves, and a failed read is not kept.
func TestPrefetchAccepted(t *testing.T) {
	inner := &manyRegistry{}
	c := newCachedView(inner)
	ctx := withHead(context.Background(), 7)
	keys := []acceptedKey{{common.Hash{1}, 3}, {common.Hash{2}, 4}, {common.Hash{3}, 5}}
	if _, err := c.AcceptedDigests(ctx, common.Hash{2}, 4); err != nil {
		t.Fatal(err)
	}
	c.PrefetchAccepted(ctx, keys)
	if n := inner.readCount(); n != 2 || len(inner.reads[1]) != 2 {
		t.Fatalf("reads %v: want the prefetch to read only the two keys not held", inner.reads)
	}
	for _, k := range keys {
		got, err := c.AcceptedDigests(ctx, k.machine, k.from)
		if err != nil || got[common.Hash{k.machine[0]}] != k.from {
			t.Fatalf("key %v: %v, %v", k, got, err)
		}
	}
	if n := inner.readCount(); n != 2 {
		t.Fatalf("%d reads after the prefetch, want none more", n)
	}
	inner.fail = errors.New("endpoint down")
	next := withHead(context.Background(), 8)
	c.PrefetchAccepted(next, keys)
	if _, err := c.AcceptedDigests(next, common.Hash{1}, 3); err == nil {
		t.Fatal("a read after a failed prefetch answered without reading")
	}
	inner.fail = nil
	if got, err := c.AcceptedDigests(next, common.Hash{1}, 3); err != nil || got[common.Hash{1}] != 3 {
		t.Fatalf("a failed read was kept: %v, %v", got, err)
	}
}

// TestAcceptedPartialRead: a read that fails for some machines (one of its log
// reads failed) answers the others: a prefetch keeps what it got, and of the
// callers of one round only those it did not answer get the error.
func TestAcceptedPartialRead(t *testing.T) {
	inner := &manyRegistry{fail: errors.New("one log read timed out"), unread: common.Hash{2}}
	c := newCachedView(inner)
	ctx := withHead(context.Background(), 5)
	c.PrefetchAccepted(ctx, []acceptedKey{{common.Hash{1}, 1}, {common.Hash{2}, 1}})
	if got, err := c.AcceptedDigests(ctx, common.Hash{1}, 1); err != nil || got[common.Hash{1}] != 1 || inner.readCount() != 1 {
		t.Fatalf("machine 1, answered by the partial prefetch: %v, %v after %d reads, want it kept", got, err, inner.readCount())
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.AcceptedDigests(withHead(context.Background(), 6), common.Hash{byte(i + 1)}, 1)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (err != nil) != (i == 1) {
			t.Errorf("machine %d in a round that did not read machine 2: %v", i+1, err)
		}
	}
}
