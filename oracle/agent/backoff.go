package agent

import (
	"context"
	"time"

	"github.com/teeoracle/teeoracle/internal/retry"
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
	return max(b.policy().Delay(n), time.Millisecond)
}

// policy is b with its defaults filled in, as a retry policy without bound.
func (b Backoff) policy() retry.Policy {
	p := retry.Policy{Initial: b.Initial, Max: b.Max, Jitter: b.Jitter, Rand: b.Rand}
	if p.Initial <= 0 {
		p.Initial = time.Second
	}
	if p.Max <= 0 {
		p.Max = 2 * time.Minute
	}
	if p.Jitter == 0 {
		p.Jitter = 0.2
	}
	return p
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
