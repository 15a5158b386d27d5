package service

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// heldHead is a chain endpoint whose first head read waits for release; each read
// answers 100 plus its number, so a caller's head says which read it got.
type heldHead struct {
	RPC
	calls   atomic.Int64
	release chan struct{}
}

func (h *heldHead) BlockNumber(context.Context) (uint64, error) {
	n := h.calls.Add(1)
	if n == 1 {
		<-h.release
	}
	return uint64(100 + n), nil
}

// waitFor spins until cond holds (the goroutines it waits for need no timer), and
// fails the test if it does not within a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(time.Minute); !cond(); runtime.Gosched() {
		if time.Now().After(end) {
			t.Fatalf("never: %s", what)
		}
	}
}

// TestPinSharesHeadReads: the callers that read the head while a read is in flight
// share one read, begun after they asked (never the one in flight, which may be
// older than their call): nine concurrent pins cost two requests, not nine.
func TestPinSharesHeadReads(t *testing.T) {
	rpc := &heldHead{release: make(chan struct{})}
	s := &Service{rpc: rpc, headNow: &headReads{read: rpc.BlockNumber}}
	const later = 8
	heads := make([]uint64, later+1)
	var wg sync.WaitGroup
	pin := func(i int) {
		defer wg.Done()
		_, head, err := s.pin(context.Background())
		if err != nil {
			t.Errorf("pin %d: %v", i, err)
		}
		heads[i] = head
	}
	wg.Add(1)
	go pin(0)
	waitFor(t, "the first read is in flight", func() bool { return rpc.calls.Load() == 1 })
	wg.Add(later)
	for i := 1; i <= later; i++ {
		go pin(i)
	}
	// Every later caller has either asked the endpoint itself or joined the next read.
	waitFor(t, "every later caller asked", func() bool {
		s.headNow.mu.Lock()
		defer s.headNow.mu.Unlock()
		joined := 0
		if s.headNow.waiting != nil {
			joined = s.headNow.waiting.callers
		}
		return int(rpc.calls.Load())-1+joined == later
	})
	close(rpc.release)
	wg.Wait()
	if n := rpc.calls.Load(); n != 2 {
		t.Errorf("%d head reads for %d concurrent callers, want 2", n, later+1)
	}
	if heads[0] != 101 {
		t.Errorf("first caller got head %d, want 101 (its own read)", heads[0])
	}
	for i := 1; i <= later; i++ {
		if heads[i] != 102 {
			t.Errorf("caller %d got head %d, want 102 (the read begun after it asked)", i, heads[i])
		}
	}
}

// TestHeadReadsCallerLeaves: a caller whose context ends stops waiting; the read
// goes on and answers the callers still waiting.
func TestHeadReadsCallerLeaves(t *testing.T) {
	rpc := &heldHead{release: make(chan struct{})}
	h := &headReads{read: rpc.BlockNumber}
	ctx, cancel := context.WithCancel(context.Background())
	left := make(chan error, 1)
	go func() {
		_, err := h.BlockNumber(ctx)
		left <- err
	}()
	waitFor(t, "the read is in flight", func() bool { return rpc.calls.Load() == 1 })
	cancel()
	if err := <-left; !errors.Is(err, context.Canceled) {
		t.Fatalf("caller whose context ended: %v, want context.Canceled", err)
	}
	close(rpc.release)
	head, err := h.BlockNumber(context.Background())
	if err != nil || head < 101 {
		t.Fatalf("next caller: head %d, %v; want a head from a read after it asked", head, err)
	}
}
