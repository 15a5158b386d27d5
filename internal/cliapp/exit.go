package cliapp

import (
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"
)

// ExitError carries a process exit status through urfave/cli (a cli.ExitCoder); a
// nil Err prints nothing.
type ExitError struct {
	Code int
	Err  error
}

// Exit returns err with the exit status code, unless err already carries a status
// (a cli.ExitCoder, such as a forced exit's 130), which it keeps.
func Exit(code int, err error) error {
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		return err
	}
	return &ExitError{Code: code, Err: err}
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

// Unwrap returns the error the status is for.
func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode is the process exit status.
func (e *ExitError) ExitCode() int { return e.Code }

// ExitStatus prints err to stderr as "name: message" (when it has a message) and
// returns the process exit status: the code of the first cli.ExitCoder it wraps, 0
// for no error, and otherwise fallback (a flag urfave/cli could not parse, say).
func ExitStatus(err error, stderr io.Writer, name string, fallback int) int {
	if err == nil {
		return 0
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(stderr, name+":", msg)
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return fallback
}
