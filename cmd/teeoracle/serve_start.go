package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"slices"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"
	"gopkg.in/yaml.v3"

	"github.com/teeoracle/teeoracle/oracle/chain"
)

// rpcStartWait is how long serve keeps asking --rpc-url for its chain id at start
// (an endpoint that is restarting, or not up yet) before it gives up; documented in
// docs/operator.md.
const rpcStartWait = time.Minute

// errNoChain is wrapped by waitForChainID's error when the endpoint never answered.
var errNoChain = chain.ErrNoChain

// waitForChainID, redactURL and scrubURL are the chain package's, for serve and the
// registry commands.
func waitForChainID(ctx context.Context, chainID func(context.Context) (*big.Int, error), wait time.Duration, log *slog.Logger) (*big.Int, error) {
	return chain.WaitForChainID(ctx, chainID, wait, log)
}

func redactURL(s string) string { return chain.RedactURL(s) }

func scrubURL(err error, rawURL string) error { return chain.ScrubURL(err, rawURL) }

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
