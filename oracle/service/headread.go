package service

import (
	"context"
	"sync"
	"time"
)

// headReads shares the reads of the chain's head (eth_blockNumber) among the
// callers that want it at the same time (Submit, and every worker before it signs),
// without handing any caller a head read before it asked: a caller joins the next
// read to start, never one already under way. So at most one read is in flight and
// one gathers callers behind it, and each caller gets a head at least as new as a
// read of its own would have returned, for one request per round trip instead of
// one per caller.
type headReads struct {
	read func(context.Context) (uint64, error)

	mu      sync.Mutex
	busy    bool      // a read is in flight
	waiting *headRead // the read that starts when the one in flight ends, with its callers
}

// headRead is one shared read: done is closed when head and err are set.
type headRead struct {
	done    chan struct{}
	head    uint64
	err     error
	callers int // the callers that joined it (guarded by headReads.mu)
}

// headReadTimeout bounds one shared read (the chain context's bound): a caller
// stops waiting when its own context ends, the read goes on for the others.
const headReadTimeout = 10 * time.Second

// BlockNumber returns the head from a read that started after the call.
func (h *headReads) BlockNumber(ctx context.Context) (uint64, error) {
	h.mu.Lock()
	r := h.waiting
	if r == nil {
		r = &headRead{done: make(chan struct{})}
		h.waiting = r
	}
	r.callers++
	if !h.busy {
		h.busy, h.waiting = true, nil
		go h.run(r)
	}
	h.mu.Unlock()
	select {
	case <-r.done:
		return r.head, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// run makes read r, then the read that gathered callers meanwhile, until none did.
func (h *headReads) run(r *headRead) {
	for r != nil {
		ctx, cancel := context.WithTimeout(context.Background(), headReadTimeout)
		r.head, r.err = h.read(ctx)
		cancel()
		close(r.done)
		h.mu.Lock()
		r, h.waiting = h.waiting, nil
		h.busy = r != nil
		h.mu.Unlock()
	}
}
