package cliapp

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// runWithConfig runs a command with a --config flag and two settings, and returns
// the settings it saw.
func runWithConfig(t *testing.T, args ...string) (string, float64, error) {
	t.Helper()
	var name string
	var fee float64
	app := &cli.App{Name: "t", Writer: io.Discard, ErrWriter: io.Discard, ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{{
			Name: "serve",
			Flags: Configurable([]cli.Flag{
				&cli.StringFlag{Name: "config"},
				&cli.StringFlag{Name: "rpc-url"},
				&cli.Float64Flag{Name: "max-fee-gwei", Value: 200},
			}),
			Before: func(c *cli.Context) error { return LoadConfigFile(c, "config") },
			Action: func(c *cli.Context) error {
				name, fee = c.String("rpc-url"), c.Float64("max-fee-gwei")
				return nil
			},
		}}}
	err := app.Run(append([]string{"t", "serve"}, args...))
	return name, fee, err
}

func writeConfig(t *testing.T, body string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// A settings file sets flags under the command line; an unknown key, a file others
// may change and one over MaxConfigFile are refused naming the flag.
func TestLoadConfigFile(t *testing.T) {
	p := writeConfig(t, "rpc-url: http://a\nmax-fee-gwei: 50\n", 0o600)
	if url, fee, err := runWithConfig(t, "--config", p); err != nil || url != "http://a" || fee != 50 {
		t.Fatalf("from the file: %q %v %v", url, fee, err)
	}
	if url, _, err := runWithConfig(t, "--config", p, "--rpc-url", "http://b"); err != nil || url != "http://b" {
		t.Fatalf("the command line over the file: %q %v", url, err)
	}
	for name, tc := range map[string]struct {
		path string
		want string
	}{
		"unknown key":    {writeConfig(t, "rpc-ur1: x\n", 0o600), `"rpc-ur1" is not a serve setting`},
		"group-writable": {writeConfig(t, "rpc-url: x\n", 0o620), "chmod go-w"},
		"too large":      {writeConfig(t, "# "+strings.Repeat("x", MaxConfigFile), 0o600), "more than"},
		"not YAML":       {writeConfig(t, "rpc-url: [\n", 0o600), "--config"},
		"missing":        {filepath.Join(t.TempDir(), "none.yaml"), "--config"},
	} {
		if _, _, err := runWithConfig(t, "--config", tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want one saying %q", name, err, tc.want)
		}
	}
}

// --help shows a flag's placeholder, a default that is not the zero value, and its
// environment variable; an unknown variable with the prefix is reported.
func TestFlagHelpAndUnknownEnv(t *testing.T) {
	got := FlagHelp(&cli.DurationFlag{Name: "wait", EnvVars: []string{"P_WAIT"}, Value: 0, Usage: "`DURATION` to wait"})
	if !strings.Contains(got, "--wait DURATION") || strings.Contains(got, "default") || !strings.Contains(got, "[$P_WAIT]") || strings.Contains(got, "`") {
		t.Errorf("zero default: %q", got)
	}
	got = FlagHelp(&cli.IntFlag{Name: "n", Value: 3, Usage: "`COUNT`"})
	if !strings.Contains(got, "(default: 3)") {
		t.Errorf("non-zero default: %q", got)
	}
	app := &cli.App{Flags: []cli.Flag{&cli.StringFlag{Name: "a", EnvVars: []string{"P_A"}}},
		Commands: []*cli.Command{{Name: "c", Subcommands: []*cli.Command{{Name: "d", Flags: []cli.Flag{&cli.StringFlag{Name: "b", EnvVars: []string{"P_B"}}}}}}}}
	var buf bytes.Buffer
	buf.WriteString(strings.Join(UnknownEnv(app, []string{"P_A=1", "P_B=2", "P_C=3", "HOME=/"}, "P_"), ","))
	if buf.String() != "P_C" {
		t.Errorf("UnknownEnv = %q, want P_C", buf.String())
	}
}
