package lifecycle

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
)

// fakePart records the contexts it is started and stopped with; its Stop waits for
// its context when block is set.
type fakePart struct {
	startErr  error
	block     bool
	started   chan context.Context
	stopErr   error // the stop context's error when Stop was called
	stopCalls int
}

func (p *fakePart) Start(ctx context.Context) error {
	p.started <- ctx
	return p.startErr
}

func (p *fakePart) Stop(ctx context.Context) error {
	p.stopCalls++
	p.stopErr = ctx.Err()
	if p.block {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func runAsync(app Part, sigs chan os.Signal) chan error {
	out := make(chan error, 1)
	go func() { out <- Run(context.Background(), app, Options{Signals: sigs}) }()
	return out
}

func TestLifecycleInterruptStopsGracefully(t *testing.T) {
	sigs := make(chan os.Signal)
	p := &fakePart{started: make(chan context.Context, 1)}
	res := runAsync(p, sigs)
	appCtx := <-p.started
	sigs <- syscall.SIGTERM
	if err := <-res; err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if !errors.Is(context.Cause(appCtx), ErrInterrupted) {
		t.Errorf("app context cause = %v, want ErrInterrupted", context.Cause(appCtx))
	}
	if p.stopCalls != 1 || p.stopErr != nil {
		t.Errorf("stop calls = %d, stop context error = %v; want one stop with a live context", p.stopCalls, p.stopErr)
	}
}

func TestLifecycleSecondInterruptForcesExit(t *testing.T) {
	sigs := make(chan os.Signal)
	p := &fakePart{started: make(chan context.Context, 1), block: true}
	res := runAsync(p, sigs)
	<-p.started
	sigs <- syscall.SIGINT
	sigs <- syscall.SIGINT
	err := <-res
	var ec interface{ ExitCode() int }
	if !errors.As(err, &ec) || ec.ExitCode() != ExitForced || !errors.Is(err, ErrForced) {
		t.Fatalf("Run = %v, want ErrForced with exit status %d", err, ExitForced)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want Stop's own error joined in", err)
	}
}

func TestLifecycleStartFails(t *testing.T) {
	errBoom := errors.New("boom")
	p := &fakePart{started: make(chan context.Context, 1), startErr: errBoom}
	err := <-runAsync(p, make(chan os.Signal))
	if !errors.Is(err, errBoom) {
		t.Fatalf("Run = %v, want the start error", err)
	}
	if p.stopCalls != 0 {
		t.Errorf("stop called %d times after a failed start", p.stopCalls)
	}
}

func TestLifecycleRunnerEndsOnItsOwn(t *testing.T) {
	errDone := errors.New("run ended")
	err := <-runAsync(NewRunner(func(context.Context) error { return errDone }), make(chan os.Signal))
	if !errors.Is(err, errDone) {
		t.Fatalf("Run = %v, want the run's error", err)
	}

	// An interrupt cancels the run's context and Stop returns what the run returned.
	sigs := make(chan os.Signal)
	running := make(chan struct{})
	res := runAsync(NewRunner(func(ctx context.Context) error {
		close(running)
		<-ctx.Done()
		return context.Cause(ctx)
	}), sigs)
	<-running
	sigs <- syscall.SIGTERM
	if err := <-res; !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Run = %v, want the run's error (the interrupt)", err)
	}
}
