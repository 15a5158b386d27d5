package main

import (
	"context"
	"errors"

	lc "github.com/teeoracle/teeoracle/internal/lifecycle"
)

// lifecycle is a long-running part of a command (internal/lifecycle).
type lifecycle = lc.Part

// lifecycleOptions says how runLifecycle stops its part.
type lifecycleOptions = lc.Options

// errInterrupted is the cause of the start context's end after an interrupt.
var errInterrupted = lc.ErrInterrupted

// errForced is the cause of the stop context's end after a second interrupt; the
// command then exits with exitForced.
var errForced = lc.ErrForced

// runLifecycle is lifecycle.Run, with a forced exit an exitError of exitForced.
func runLifecycle(ctx context.Context, app lifecycle, o lifecycleOptions) error {
	err := lc.Run(ctx, app, o)
	if errors.Is(err, lc.ErrForced) {
		return &exitError{code: exitForced, err: err}
	}
	return err
}

// newRunner adapts a blocking run to lifecycle (lifecycle.Runner).
func newRunner(run func(context.Context) error) *lc.Runner { return lc.NewRunner(run) }
