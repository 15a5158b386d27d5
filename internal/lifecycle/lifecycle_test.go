package lifecycle

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
)

// A run that ends by itself ends Run with its error; a run that does not stop is
// given up on at the second interrupt, with ErrForced.
func TestRun(t *testing.T) {
	boom := errors.New("boom")
	if err := Run(context.Background(), NewRunner(func(context.Context) error { return boom }), Options{Signals: make(chan os.Signal)}); !errors.Is(err, boom) {
		t.Errorf("run ended by itself: %v, want its error", err)
	}
	sigs := make(chan os.Signal, 2)
	started := make(chan struct{})
	stuck := NewRunner(func(ctx context.Context) error {
		close(started)
		<-make(chan struct{}) // ignores its context
		return nil
	})
	done := make(chan error, 1)
	go func() { done <- Run(context.Background(), stuck, Options{Signals: sigs}) }()
	<-started
	sigs <- syscall.SIGINT
	sigs <- syscall.SIGTERM
	if err := <-done; !errors.Is(err, ErrForced) {
		t.Errorf("two interrupts: %v, want ErrForced", err)
	}
	stopped := NewRunner(func(ctx context.Context) error { <-ctx.Done(); return context.Cause(ctx) })
	go func() { done <- Run(context.Background(), stopped, Options{Signals: sigs}) }()
	sigs <- syscall.SIGINT
	if err := <-done; !errors.Is(err, ErrInterrupted) {
		t.Errorf("one interrupt: %v, want the run's error wrapping ErrInterrupted", err)
	}
}
