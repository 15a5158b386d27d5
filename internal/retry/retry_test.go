package retry

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// fakeTime is a clock that sleeping advances; it records every wait.
type fakeTime struct {
	now   time.Time
	waits []time.Duration
	// onSleep, if set, runs at each wait (e.g. to cancel a context).
	onSleep func(n int)
}

func (f *fakeTime) Now() time.Time { return f.now }

func (f *fakeTime) Sleep(ctx context.Context, d time.Duration) error {
	f.waits = append(f.waits, d)
	if f.onSleep != nil {
		f.onSleep(len(f.waits))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f.now = f.now.Add(d)
	return nil
}

func (f *fakeTime) policy(p Policy) Policy {
	p.Now, p.Sleep = f.Now, f.Sleep
	return p
}

var errFlaky = errors.New("flaky")

func TestDoAttemptsBounded(t *testing.T) {
	ft := &fakeTime{now: time.Unix(0, 0)}
	calls := 0
	err := Do(context.Background(), ft.policy(Policy{Attempts: 3, Initial: time.Second}), func(context.Context) error {
		calls++
		return fmt.Errorf("call %d: %w", calls, errFlaky)
	})
	if !errors.Is(err, errFlaky) || err.Error() != "call 3: flaky" {
		t.Fatalf("err = %v, want the last error", err)
	}
	if calls != 3 || len(ft.waits) != 2 {
		t.Errorf("calls = %d, waits = %v; want 3 calls, 2 waits", calls, ft.waits)
	}
}

func TestDoSucceedsAfterFailures(t *testing.T) {
	ft := &fakeTime{now: time.Unix(0, 0)}
	calls := 0
	v, err := DoValue(context.Background(), ft.policy(Policy{Initial: time.Millisecond}), func(context.Context) (int, error) {
		if calls++; calls < 4 {
			return -1, errFlaky
		}
		return 42, nil
	})
	if err != nil || v != 42 || calls != 4 {
		t.Fatalf("DoValue = %d, %v after %d calls; want 42, nil after 4", v, err, calls)
	}
}

func TestDelayGrowsAndCaps(t *testing.T) {
	ft := &fakeTime{now: time.Unix(0, 0)}
	var seen []int
	p := ft.policy(Policy{Attempts: 7, Initial: 500 * time.Millisecond, Max: 4 * time.Second,
		OnRetry: func(attempt int, _ time.Duration, _ error) { seen = append(seen, attempt) }})
	_ = Do(context.Background(), p, func(context.Context) error { return errFlaky })
	s := time.Second / 2
	want := []time.Duration{s, 2 * s, 4 * s, 8 * s, 8 * s, 8 * s}
	if fmt.Sprint(ft.waits) != fmt.Sprint(want) {
		t.Errorf("waits = %v, want %v", ft.waits, want)
	}
	if fmt.Sprint(seen) != "[1 2 3 4 5 6]" {
		t.Errorf("OnRetry attempts = %v", seen)
	}
	if d := (Policy{Initial: time.Second}).Delay(1000); d <= 0 {
		t.Errorf("uncapped Delay(1000) = %v, want no overflow", d)
	}
	if d := (Policy{}).Delay(3); d != 0 {
		t.Errorf("zero policy Delay = %v, want 0", d)
	}
}

func TestDelayJitterWithinBounds(t *testing.T) {
	for _, tc := range []struct {
		name   string
		jitter float64
		r      float64
		max    time.Duration
		want   time.Duration
	}{
		{name: "lowest", jitter: 0.2, r: 0, want: 800 * time.Millisecond},
		{name: "middle", jitter: 0.2, r: 0.5, want: time.Second},
		{name: "highest", jitter: 0.2, r: 0.9999999999, want: 1200 * time.Millisecond},
		{name: "capped after jitter", jitter: 0.5, r: 0.9999999999, max: 1100 * time.Millisecond, want: 1100 * time.Millisecond},
		{name: "clamped to 1", jitter: 3, r: 0.75, want: 1500 * time.Millisecond},
		{name: "negative is none", jitter: -1, r: 0, want: time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Policy{Initial: time.Second, Max: tc.max, Jitter: tc.jitter, Rand: func() float64 { return tc.r }}
			got := p.Delay(0)
			if diff := got - tc.want; diff < -time.Microsecond || diff > time.Microsecond {
				t.Errorf("Delay = %v, want %v", got, tc.want)
			}
		})
	}
	// With the real source every wait stays within the bounds.
	p := Policy{Initial: time.Second, Max: time.Minute, Jitter: 0.3}
	for range 1000 {
		if d := p.Delay(2); d < 2800*time.Millisecond || d > 5200*time.Millisecond {
			t.Fatalf("Delay(2) = %v, want within [2.8 s, 5.2 s]", d)
		}
	}
}

func TestPermanentStopsAtOnce(t *testing.T) {
	ft := &fakeTime{now: time.Unix(0, 0)}
	errRevert := errors.New("reverted")
	calls := 0
	err := Do(context.Background(), ft.policy(Policy{Initial: time.Second}), func(context.Context) error {
		calls++
		return Permanent(errRevert)
	})
	if err != errRevert {
		t.Errorf("err = %#v, want the unwrapped error itself", err)
	}
	if calls != 1 || len(ft.waits) != 0 {
		t.Errorf("calls = %d, waits = %v; want 1 call, no wait", calls, ft.waits)
	}
	// Wrapped further, it still stops and keeps the outer context.
	err = Do(context.Background(), ft.policy(Policy{}), func(context.Context) error {
		return fmt.Errorf("read: %w", Permanent(errRevert))
	})
	if !errors.Is(err, errRevert) || err.Error() != "read: reverted" {
		t.Errorf("wrapped permanent: err = %v", err)
	}
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
}

func TestContextEndStops(t *testing.T) {
	errShutdown := errors.New("shutting down")
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	ft := &fakeTime{now: time.Unix(0, 0), onSleep: func(n int) {
		if n == 2 {
			cancel(errShutdown)
		}
	}}
	calls := 0
	err := Do(ctx, ft.policy(Policy{Initial: time.Second}), func(context.Context) error {
		calls++
		return errFlaky
	})
	if !errors.Is(err, errFlaky) || !errors.Is(err, errShutdown) {
		t.Errorf("err = %v, want the last error joined with the cause", err)
	}
	if calls != 2 {
		t.Errorf("calls = %d, want 2", calls)
	}

	// An error that already is the context's cause is returned as it is.
	ctx2, cancel2 := context.WithCancel(context.Background())
	err = Do(ctx2, ft.policy(Policy{}), func(ctx context.Context) error {
		cancel2()
		return fmt.Errorf("dial: %w", ctx.Err())
	})
	if err.Error() != "dial: context canceled" || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want the call's own error", err)
	}
}

func TestMaxElapsedGivesUpBeforeWaitingPast(t *testing.T) {
	ft := &fakeTime{now: time.Unix(0, 0)}
	calls := 0
	err := Do(context.Background(), ft.policy(Policy{Initial: 500 * time.Millisecond, MaxElapsed: 700 * time.Millisecond}),
		func(context.Context) error { calls++; return errFlaky })
	if !errors.Is(err, errFlaky) {
		t.Fatalf("err = %v", err)
	}
	// At 0 and after 500 ms; the next wait (1 s) would end past 700 ms.
	if calls != 2 {
		t.Errorf("calls = %d, want 2", calls)
	}
}

func TestAfterLengthensTheWait(t *testing.T) {
	ft := &fakeTime{now: time.Unix(0, 0)}
	errBusy := errors.New("HTTP 429")
	calls := 0
	err := Do(context.Background(), ft.policy(Policy{Initial: time.Second, Max: 2 * time.Second, MaxElapsed: 20 * time.Second}),
		func(context.Context) error {
			calls++
			if calls == 2 {
				return After(errBusy, 10*time.Second) // longer than Max
			}
			return After(errBusy, 100*time.Millisecond) // shorter than the back-off
		})
	if err != errBusy {
		t.Fatalf("err = %#v, want the unwrapped last error", err)
	}
	// 1 s, then the asked 10 s, then 2 s (capped) until the next would pass 20 s.
	want := []time.Duration{time.Second, 10 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second}
	if fmt.Sprint(ft.waits) != fmt.Sprint(want) {
		t.Errorf("waits = %v, want %v", ft.waits, want)
	}
	if After(nil, time.Second) != nil {
		t.Error("After(nil) != nil")
	}
}
