package chain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/teeoracle/teeoracle/internal/retry"
)

// ErrNoChain is wrapped by WaitForChainID's error when the endpoint never answered.
var ErrNoChain = errors.New("no answer to eth_chainId")

// WaitForChainID asks chainID until it answers, backing off from 500 ms doubling to
// 8 s, and gives up with the last error rather than wait past wait.
func WaitForChainID(ctx context.Context, chainID func(context.Context) (*big.Int, error), wait time.Duration, log *slog.Logger) (*big.Int, error) {
	deadline := time.Now().Add(wait)
	attempts := 0
	p := retry.Policy{Initial: 500 * time.Millisecond, Max: 8 * time.Second, MaxElapsed: wait,
		OnRetry: func(attempt int, pause time.Duration, err error) {
			log.Warn("chain id query failed; retrying", "attempt", attempt, "in", pause, "gives_up_after", wait, "err", err)
		}}
	id, err := retry.DoValue(ctx, p, func(ctx context.Context) (*big.Int, error) {
		attempts++
		cctx, cancel := context.WithDeadline(ctx, deadline)
		defer cancel()
		return chainID(cctx)
	})
	switch {
	case err == nil:
		return id, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	default:
		return nil, fmt.Errorf("%w within %s (%d attempts); last error: %w", ErrNoChain, wait, attempts, err)
	}
}

// RedactURL shows an RPC URL without what may be a credential: its path, query and
// user info (providers put API keys there).
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "(unparsable URL)"
	}
	out := u.Scheme + "://" + u.Host
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		out += "/..."
	}
	return out
}

// ScrubURL returns err with every occurrence of rawURL in its message shown as
// RedactURL does (net/http puts the whole URL into its errors: Post "https://...",
// with a user's password as *** but the path and query, where API keys sit, as
// given); errors.Is and errors.As still see err.
func ScrubURL(err error, rawURL string) error {
	if err == nil || rawURL == "" {
		return err
	}
	forms := []string{rawURL}
	if u, perr := url.Parse(rawURL); perr == nil {
		forms = append(forms, u.Redacted(), u.String())
		if pw, ok := u.User.Password(); ok {
			// net/http's own redaction (url.Error) writes the password as ***.
			forms = append(forms, strings.Replace(rawURL, ":"+pw+"@", ":***@", 1))
		}
	}
	msg := err.Error()
	for _, f := range forms {
		msg = strings.ReplaceAll(msg, f, RedactURL(rawURL))
	}
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }
