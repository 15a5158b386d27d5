package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// lifecycle is a long-running part of a command: Start returns once it runs, Stop
// ends it and waits, at most until its context ends.
type lifecycle interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// errInterrupted is the cause of the application context's end after an interrupt.
var errInterrupted = errors.New("interrupted")

// errForced is the cause of the stop context's end after a second interrupt; the
// command then exits with exitForced.
var errForced = errors.New("second interrupt: forced exit")

// lifecycleOptions says how runLifecycle stops its part.
type lifecycleOptions struct {
	// StopTimeout bounds Stop; 0 means no bound but a second interrupt.
	StopTimeout time.Duration
	// Stderr receives a line for each interrupt; nil means none.
	Stderr io.Writer
	// Signals delivers the interrupts; nil means SIGINT and SIGTERM.
	Signals <-chan os.Signal
}

// runLifecycle runs app until an interrupt, ctx's end, or, for an app with a
// Done() <-chan struct{}, the closing of that channel: it calls Start with a context
// the first interrupt cancels, waits, then calls Stop with a context a second
// interrupt cancels, in which case the error is an exitError with exitForced. A
// failed Start is returned joined with the reason the context ended, if it did.
func runLifecycle(ctx context.Context, app lifecycle, o lifecycleOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	sigs := o.Signals
	if sigs == nil {
		ch := make(chan os.Signal, 2)
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
		defer signal.Stop(ch)
		sigs = ch
	}
	stderr := o.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	appCtx, appCancel := context.WithCancelCause(ctx)
	defer appCancel(nil)
	stopCtx, stopCancel := context.WithCancelCause(context.Background())
	defer stopCancel(nil)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "teeoracle: %s: stopping (send it again to force exit)\n", s)
			appCancel(fmt.Errorf("%s: %w", s, errInterrupted))
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "teeoracle: second %s: forced exit\n", s)
			stopCancel(errForced)
		case <-done:
		}
	}()

	if err := app.Start(appCtx); err != nil {
		if appCtx.Err() != nil {
			return errors.Join(err, context.Cause(appCtx))
		}
		return err
	}
	var ended <-chan struct{}
	if d, ok := app.(interface{ Done() <-chan struct{} }); ok {
		ended = d.Done()
	}
	select {
	case <-appCtx.Done():
	case <-ended:
	}
	sctx := context.Context(stopCtx)
	if o.StopTimeout > 0 {
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(stopCtx, o.StopTimeout)
		defer cancel()
	}
	err := app.Stop(sctx)
	if errors.Is(context.Cause(stopCtx), errForced) {
		return &exitError{code: exitForced, err: errors.Join(err, errForced)}
	}
	return err
}

// runner adapts a blocking run to lifecycle: Start runs it in the background with
// the start context (the first interrupt cancels it), Done closes when it returns,
// and Stop waits for it and returns its error.
type runner struct {
	run  func(context.Context) error
	done chan struct{}
	err  error
}

func newRunner(run func(context.Context) error) *runner {
	return &runner{run: run, done: make(chan struct{})}
}

func (r *runner) Start(ctx context.Context) error {
	go func() {
		defer close(r.done)
		r.err = r.run(ctx)
	}()
	return nil
}

func (r *runner) Done() <-chan struct{} { return r.done }

func (r *runner) Stop(ctx context.Context) error {
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
