package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"
	"gopkg.in/yaml.v3"

	"github.com/teeoracle/teeoracle/internal/retry"
)

// rpcStartWait is how long serve keeps asking --rpc-url for its chain id at start
// (an endpoint that is restarting, or not up yet) before it gives up; documented in
// docs/operator.md.
const rpcStartWait = time.Minute

// errNoChain is wrapped by waitForChainID's error when the endpoint never answered.
var errNoChain = errors.New("no answer to eth_chainId")

// waitForChainID asks chainID until it answers, backing off from 500 ms doubling to
// 8 s, and gives up with the last error rather than wait past wait.
func waitForChainID(ctx context.Context, chainID func(context.Context) (*big.Int, error), wait time.Duration, log *slog.Logger) (*big.Int, error) {
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
		return nil, fmt.Errorf("%w within %s (%d attempts); last error: %w", errNoChain, wait, attempts, err)
	}
}

// redactURL shows an RPC URL without what may be a credential: its path, query and
// user info (providers put API keys there).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "(unparsable URL)"
	}
	out := u.Scheme + "://" + u.Host
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		out += "/…"
	}
	return out
}

// scrubURL returns err with every occurrence of rawURL in its message shown as
// redactURL does (net/http puts the whole URL into its errors: Post "https://...",
// with a user's password as *** but the path and query, where API keys sit, as
// given); errors.Is and errors.As still see err.
func scrubURL(err error, rawURL string) error {
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
		msg = strings.ReplaceAll(msg, f, redactURL(rawURL))
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

// configurable makes flags readable from serve's --config file (urfave/cli's
// altsrc): a flag given on the command line or through its TEEORACLE_ variable
// overrides the file.
func configurable(flags []cli.Flag) []cli.Flag {
	out := make([]cli.Flag, len(flags))
	for i, f := range flags {
		switch v := f.(type) {
		case *cli.StringFlag:
			out[i] = altsrc.NewStringFlag(v)
		case *cli.StringSliceFlag:
			out[i] = altsrc.NewStringSliceFlag(v)
		case *cli.IntFlag:
			out[i] = altsrc.NewIntFlag(v)
		case *cli.Int64Flag:
			out[i] = altsrc.NewInt64Flag(v)
		case *cli.Uint64Flag:
			out[i] = altsrc.NewUint64Flag(v)
		case *cli.Float64Flag:
			out[i] = altsrc.NewFloat64Flag(v)
		case *cli.DurationFlag:
			out[i] = altsrc.NewDurationFlag(v)
		case *cli.BoolFlag:
			out[i] = altsrc.NewBoolFlag(v)
		default:
			out[i] = f
		}
	}
	return out
}

// maxConfigFile bounds a --config file: settings are a few hundred bytes.
const maxConfigFile = 64 << 10

// loadServeConfigFile applies --config: a YAML mapping of flag names to values.
// A key that is no serve flag is refused (a typo would otherwise be ignored), as is
// a value that does not parse as its flag's type.
func loadServeConfigFile(c *cli.Context) error {
	path := c.String(flagConfig)
	if path == "" {
		return nil
	}
	// The file may hold the RPC URL (often with an API key) and names the key files:
	// it is as trusted as the command line. Refuse one others may change, and bound
	// what is read.
	st, err := os.Stat(path)
	if err != nil {
		return badInput(fmt.Errorf("--%s: %w", flagConfig, err))
	}
	if st.Mode().Perm()&0o022 != 0 {
		return badInput(fmt.Errorf("--%s %s: mode %04o lets others change the node's settings (chmod go-w %s)", flagConfig, path, st.Mode().Perm(), path))
	}
	f, err := os.Open(path)
	if err != nil {
		return badInput(fmt.Errorf("--%s: %w", flagConfig, err))
	}
	b, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	f.Close()
	if err != nil {
		return badInput(fmt.Errorf("--%s: %w", flagConfig, err))
	}
	if len(b) > maxConfigFile {
		return badInput(fmt.Errorf("--%s %s: more than %d bytes", flagConfig, path, maxConfigFile))
	}
	var keys map[string]any
	if err := yaml.Unmarshal(b, &keys); err != nil {
		return badInput(fmt.Errorf("--%s %s: %w", flagConfig, path, err))
	}
	var names, floats []string
	for _, f := range c.Command.Flags {
		names = append(names, f.Names()...)
		if _, ok := f.(*altsrc.Float64Flag); ok {
			floats = append(floats, f.Names()...)
		}
	}
	values := map[any]any{}
	for k, v := range keys {
		if k == flagConfig || !slices.Contains(names, k) {
			return badInput(fmt.Errorf("--%s %s: %q is not a serve setting (keys are serve's flag names, e.g. rpc-url)", flagConfig, path, k))
		}
		if n, ok := v.(int); ok && slices.Contains(floats, k) {
			v = float64(n) // max-fee-gwei: 50
		}
		values[k] = v
	}
	src := altsrc.NewMapInputSource(path, values)
	if err := altsrc.ApplyInputSourceValues(c, src, c.Command.Flags); err != nil {
		return badInput(fmt.Errorf("--%s %s: %w", flagConfig, path, err))
	}
	return nil
}
