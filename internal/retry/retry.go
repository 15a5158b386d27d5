// Package retry runs an operation again while it fails, with capped exponential
// backoff and jitter, until it succeeds, fails permanently, runs out of attempts or
// time, or its context ends.
package retry

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"time"
)

// Policy says how often and how long to retry. Its zero value retries without
// pause until the context ends.
type Policy struct {
	// Attempts bounds the calls of the operation, the first included; 0 means no
	// bound.
	Attempts int
	// Initial is the wait after the first failure, doubled after each further one;
	// 0 means no wait.
	Initial time.Duration
	// Max caps every wait, jitter included; 0 means no cap.
	Max time.Duration
	// Jitter scales each wait by a random factor in [1-Jitter, 1+Jitter] so that
	// many clients that failed at once do not return at once; it is clamped to
	// 0..1, and 0 means none.
	Jitter float64
	// MaxElapsed gives up, with the last error, instead of waiting past this long
	// after the first call; 0 means no limit.
	MaxElapsed time.Duration
	// OnRetry, if set, is called before each wait with the number of the call that
	// failed (from 1), the wait, and its error; callers log here.
	OnRetry func(attempt int, wait time.Duration, err error)
	// Rand returns a number in [0, 1); nil means math/rand/v2.
	Rand func() float64
	// Now is the clock MaxElapsed is measured by; nil means time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx ends, returning an error in the latter case; nil
	// means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Delay returns the wait after failure n (0 for the first).
func (p Policy) Delay(n int) time.Duration {
	d := p.Initial
	if d <= 0 {
		return 0
	}
	for i := 0; i < n && (p.Max <= 0 || d < p.Max) && d <= math.MaxInt64/2; i++ {
		d *= 2
	}
	if p.Max > 0 && d > p.Max {
		d = p.Max
	}
	if j := min(max(p.Jitter, 0), 1); j > 0 {
		r := p.Rand
		if r == nil {
			r = rand.Float64
		}
		d = time.Duration(float64(d) * (1 + j*(2*r()-1)))
		if p.Max > 0 && d > p.Max {
			d = p.Max
		}
	}
	return d
}

// permanentError marks an error that retrying cannot cure.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that retrying cannot cure: Do returns it at once,
// unwrapped from the mark. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// afterError asks for a wait of at least d before the next call.
type afterError struct {
	err error
	d   time.Duration
}

func (e *afterError) Error() string { return e.err.Error() }
func (e *afterError) Unwrap() error { return e.err }

// After marks err as a failure whose source asked for a wait of at least d before
// the next call (an HTTP Retry-After): the next wait is d if that is longer than
// the policy's (Max does not cap it; MaxElapsed still applies). Do returns err
// unwrapped from the mark. After(nil, d) is nil.
func After(err error, d time.Duration) error {
	if err == nil {
		return nil
	}
	return &afterError{err: err, d: d}
}

// Do calls fn until it returns nil or a Permanent error, the policy gives up, or
// ctx ends. It returns nil on success; the Permanent error unwrapped; the last
// error when attempts or MaxElapsed run out (unwrapped from After); and, when ctx ends, the last error
// joined with ctx's cause (the last error alone if it already is that cause).
func Do(ctx context.Context, p Policy, fn func(context.Context) error) error {
	_, err := DoValue(ctx, p, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) })
	return err
}

// DoValue is Do for an operation that returns a value; on failure it returns T's
// zero value.
func DoValue[T any](ctx context.Context, p Policy, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	now, sleep := p.Now, p.Sleep
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = timerSleep
	}
	start := now()
	for attempt := 1; ; attempt++ {
		v, err := fn(ctx)
		if err == nil {
			return v, nil
		}
		if pe, ok := err.(*permanentError); ok {
			return zero, pe.err
		}
		var pe *permanentError
		if errors.As(err, &pe) {
			return zero, err
		}
		var asked time.Duration
		if ae, ok := err.(*afterError); ok {
			asked, err = ae.d, ae.err
		}
		if ctx.Err() != nil {
			return zero, withCause(ctx, err)
		}
		if p.Attempts > 0 && attempt >= p.Attempts {
			return zero, err
		}
		d := max(p.Delay(attempt-1), asked)
		if p.MaxElapsed > 0 && now().Add(d).After(start.Add(p.MaxElapsed)) {
			return zero, err
		}
		if p.OnRetry != nil {
			p.OnRetry(attempt, d, err)
		}
		if sleep(ctx, d) != nil || ctx.Err() != nil {
			return zero, withCause(ctx, err)
		}
	}
}

// withCause joins err with the reason ctx ended, unless err already carries it.
func withCause(ctx context.Context, err error) error {
	cause := context.Cause(ctx)
	if cause == nil || errors.Is(err, cause) {
		return err
	}
	return errors.Join(err, cause)
}

func timerSleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
