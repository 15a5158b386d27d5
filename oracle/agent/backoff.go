package agent

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff is capped exponential backoff with jitter: the n-th retry (from 0) waits
// Initial·2ⁿ, at most Max, each wait scaled by a random factor in [1-Jitter, 1+Jitter]
// so that many agents that lost the oracle at once do not return at once.
type Backoff struct {
	// Initial is the first wait; 0 means 1 s.
	Initial time.Duration
	// Max caps every wait; 0 means 2 min.
	Max time.Duration
	// Jitter is the relative spread, 0..1; 0 means 0.2. Negative means none.
	Jitter float64
	// Rand returns a number in [0, 1); nil means math/rand/v2.
	Rand func() float64
}

// Delay returns the wait before retry n (0 for the first retry).
func (b Backoff) Delay(n int) time.Duration {
	initial, max, jitter := b.Initial, b.Max, b.Jitter
	if initial <= 0 {
		initial = time.Second
	}
	if max <= 0 {
		max = 2 * time.Minute
	}
	if jitter == 0 {
		jitter = 0.2
	}
	if jitter < 0 {
		jitter = 0
	}
	if jitter > 1 {
		jitter = 1
	}
	d := initial
	for i := 0; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	r := b.Rand
	if r == nil {
		r = rand.Float64
	}
	f := 1 + jitter*(2*r()-1)
	out := time.Duration(float64(d) * f)
	if out > max {
		out = max
	}
	if out <= 0 {
		out = time.Millisecond
	}
	return out
}

// sleep waits d or until ctx ends, and returns ctx.Err() in the latter case.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
