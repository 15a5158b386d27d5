// Package lifecycle runs a long-running part of a command (the oracle node, the
// agent, the devnet) until an interrupt, in the manner of op-service's
// cliapp.LifecycleCmd: the first SIGINT or SIGTERM stops it gracefully, a second
// forces the exit.
package lifecycle

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

// Part is a long-running part of a command: Start returns once it runs, Stop ends
// it and waits, at most until its context ends.
type Part interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// ErrInterrupted is the cause of the start context's end after an interrupt.
var ErrInterrupted = errors.New("interrupted")

// ErrForced is the cause of the stop context's end after a second interrupt; Run's
// error then wraps it, and the command exits at once, with the status its ExitCode
// gives (urfave/cli's ExitCoder): 130, the shell's for an interrupted process.
var ErrForced error = forcedError{}

type forcedError struct{}

func (forcedError) Error() string { return "second interrupt: forced exit" }

// ExitCode is the process exit status of a forced exit.
func (forcedError) ExitCode() int { return ExitForced }

// ExitForced is the exit status of a command a second interrupt ended.
const ExitForced = 130

// Options say how Run stops its part.
type Options struct {
	// StopTimeout bounds Stop; 0 means no bound but a second interrupt.
	StopTimeout time.Duration
	// Stderr receives a line for each interrupt; nil means none.
	Stderr io.Writer
	// Signals delivers the interrupts; nil means SIGINT and SIGTERM.
	Signals <-chan os.Signal
}

// Run runs app until an interrupt, ctx's end, or, for an app with a
// Done() <-chan struct{}, the closing of that channel: it calls Start with a context
// the first interrupt cancels, waits, then calls Stop with a context a second
// interrupt cancels, in which case the error wraps ErrForced. A failed Start is
// returned joined with the reason the context ended, if it did.
func Run(ctx context.Context, app Part, o Options) error {
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
			appCancel(fmt.Errorf("%s: %w", s, ErrInterrupted))
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "teeoracle: second %s: forced exit\n", s)
			stopCancel(ErrForced)
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
	if errors.Is(context.Cause(stopCtx), ErrForced) {
		return errors.Join(err, ErrForced)
	}
	return err
}

// Runner adapts a blocking run to Part: Start runs it in the background with
// the start context (the first interrupt cancels it), Done closes when it returns,
// and Stop waits for it and returns its error.
type Runner struct {
	run  func(context.Context) error
	done chan struct{}
	err  error
}

// NewRunner returns a Runner of run.
func NewRunner(run func(context.Context) error) *Runner {
	return &Runner{run: run, done: make(chan struct{})}
}

// Start runs the run in the background.
func (r *Runner) Start(ctx context.Context) error {
	go func() {
		defer close(r.done)
		r.err = r.run(ctx)
	}()
	return nil
}

// Done closes when the run has returned.
func (r *Runner) Done() <-chan struct{} { return r.done }

// Stop waits for the run and returns its error, or ctx's cause when it ends first.
func (r *Runner) Stop(ctx context.Context) error {
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
