package cliapp

import (
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"
	"gopkg.in/yaml.v3"
)

// Configurable makes flags readable from a settings file (LoadConfigFile) (urfave/cli's
// altsrc): a flag given on the command line or through its TEEORACLE_ variable
// overrides the file.
func Configurable(flags []cli.Flag) []cli.Flag {
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

// MaxConfigFile bounds a settings file: settings are a few hundred bytes.
const MaxConfigFile = 64 << 10

// LoadConfigFile applies the settings file the flag named flag gives: a YAML mapping
// of flag names to values, under the command line and the flags' environment
// variables. A key that is no flag of the command is refused (a typo would otherwise
// be ignored), as is a value that does not parse as its flag's type. The file may
// hold an RPC URL with an API key and names key files: it is as trusted as the
// command line, so one others may change is refused, and at most MaxConfigFile
// bytes are read.
func LoadConfigFile(c *cli.Context, flag string) error {
	path := c.String(flag)
	if path == "" {
		return nil
	}
	b, err := readConfigFile(path, flag)
	if err != nil {
		return err
	}
	var keys map[string]any
	if err := yaml.Unmarshal(b, &keys); err != nil {
		return fmt.Errorf("--%s %s: %w", flag, path, err)
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
		if k == flag || !slices.Contains(names, k) {
			return fmt.Errorf("--%s %s: %q is not a %s setting (keys are %s's flag names, e.g. rpc-url)", flag, path, k, c.Command.Name, c.Command.Name)
		}
		if n, ok := v.(int); ok && slices.Contains(floats, k) {
			v = float64(n) // max-fee-gwei: 50
		}
		values[k] = v
	}
	src := altsrc.NewMapInputSource(path, values)
	if err := altsrc.ApplyInputSourceValues(c, src, c.Command.Flags); err != nil {
		return fmt.Errorf("--%s %s: %w", flag, path, err)
	}
	return nil
}

// readConfigFile reads a settings file others cannot change, of at most
// MaxConfigFile bytes.
func readConfigFile(path, flag string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flag, err)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return nil, fmt.Errorf("--%s %s: mode %04o lets others change the node's settings (chmod go-w %s)", flag, path, st.Mode().Perm(), path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flag, err)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxConfigFile+1))
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flag, err)
	}
	if len(b) > MaxConfigFile {
		return nil, fmt.Errorf("--%s %s: more than %d bytes", flag, path, MaxConfigFile)
	}
	return b, nil
}
