package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
)

// TestHelpEveryCommand renders --help of every command: placeholders without backticks, no
// "MISC" section, and no default written into a usage text (the default shown is
// the flag's value, which the command uses).
func TestHelpEveryCommand(t *testing.T) {
	bareValue := regexp.MustCompile(`--[a-z-]+ value\b`)
	app := newApp(appDeps{Stdout: io.Discard, Stderr: io.Discard, Now: time.Now})
	var walk func(path []string, cmds []*cli.Command)
	walk = func(path []string, cmds []*cli.Command) {
		for _, c := range cmds {
			p := append(append([]string{}, path...), c.Name)
			walk(p, c.Subcommands)
			out, _, code := run(t, append(p, "--help")...)
			if code != 0 {
				t.Errorf("%v --help: exit %d", p, code)
			}
			if strings.Contains(out, "`") || strings.Contains(out, "MISC") || bareValue.MatchString(out) {
				t.Errorf("%v --help has backticks, a MISC section or a bare 'value' placeholder:\n%s", p, out)
			}
			for _, f := range c.Flags {
				u := f.(cli.DocGenerationFlag).GetUsage()
				if strings.Contains(u, "(default") {
					t.Errorf("%v --%s: usage states a default (%q); set the flag's value instead", p, f.Names()[0], u)
				}
			}
		}
	}
	walk(nil, app.Commands)
}

// flagValue is the default a command's flag declares.
func flagValue(t *testing.T, cmdPath []string, name string) any {
	t.Helper()
	app := newApp(appDeps{Stdout: io.Discard, Stderr: io.Discard, Now: time.Now})
	cmds := app.Commands
	var cmd *cli.Command
	for _, n := range cmdPath {
		for _, c := range cmds {
			if c.Name == n {
				cmd, cmds = c, c.Subcommands
			}
		}
	}
	for _, f := range cmd.Flags {
		if f.Names()[0] == name {
			return f.(interface{ GetValue() string }).GetValue()
		}
	}
	t.Fatalf("%v has no --%s", cmdPath, name)
	return nil
}

// TestHelpDefaultsAreUsed: the default --help shows for a flag is the value the
// command goes on to use when the flag is not given.
func TestHelpDefaultsAreUsed(t *testing.T) {
	cfg, stderr, code := serveConfigOf(t, "--rpc-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa", "--key-file", "k")
	if code != 0 {
		t.Fatalf("serve: exit %d: %s", code, stderr)
	}
	for flag, used := range map[string]time.Duration{
		flagDueWithin: cfg.DueWithin, flagReappraiseInterval: cfg.ReappraiseInterval, flagReappraiseEpoch: cfg.ReappraiseEpoch,
		flagPollInterval: cfg.PollInterval, flagCollateralWait: cfg.CollateralWait, flagCollateralRetry: cfg.CollateralRetry,
		flagResubmitAfter: cfg.TxManager.ResubmissionTimeout, flagReceiptPoll: cfg.TxManager.ReceiptQueryInterval, flagRelayDelay: cfg.RelayDelay,
		flagQuorumTimeout: cfg.QuorumTimeout, flagRetainFailed: cfg.RetainFailed, flagMaxHeadLag: cfg.MaxHeadLag,
		flagHealthInterval: cfg.HealthInterval,
	} {
		if shown := flagValue(t, []string{"serve"}, flag); shown != used.String() {
			t.Errorf("serve --%s: help shows %v, serve uses %s", flag, shown, used)
		}
	}

	if shown := flagValue(t, []string{"serve"}, flagGasPerVerdict); shown != fmt.Sprint(cfg.GasPerVerdict) {
		t.Errorf("serve --%s: help shows %v, serve uses %d", flagGasPerVerdict, shown, cfg.GasPerVerdict)
	}
	if shown := flagValue(t, []string{"serve"}, flagReserveVerdicts); shown != fmt.Sprint(cfg.ReserveVerdicts) {
		t.Errorf("serve --%s: help shows %v, serve uses %d", flagReserveVerdicts, shown, cfg.ReserveVerdicts)
	}

	// registry commands: --tx-timeout
	var used time.Duration
	app := newApp(appDeps{Stdout: io.Discard, Stderr: io.Discard, Now: time.Now})
	for _, c := range app.Commands {
		if c.Name == "query" {
			c.Action = func(c *cli.Context) error { used = txTimeout(c); return nil }
		}
	}
	if err := app.Run([]string{"teeoracle", "query"}); err != nil {
		t.Fatal(err)
	}
	if shown := flagValue(t, []string{"query"}, flagTxTimeout); shown != used.String() {
		t.Errorf("--%s: help shows %v, commands use %s", flagTxTimeout, shown, used)
	}

	// agent: --reattest-fraction
	var frac float64
	app = newApp(appDeps{Stdout: io.Discard, Stderr: io.Discard, Now: time.Now})
	for _, c := range app.Commands {
		if c.Name == "agent" {
			c.Action = func(c *cli.Context) error {
				cfg, err := readAgentFlags(c)
				if err != nil {
					return err
				}
				frac = cfg.ReattestFraction
				return nil
			}
		}
	}
	if err := app.Run([]string{"teeoracle", "agent", "--oracle-url", "http://o", "--registry", "0x00000000000000000000000000000000000000aa", "--chain-id", "1",
		"--machine-id", "0x" + strings.Repeat("11", 32), "--tee-key-file", "k"}); err != nil {
		t.Fatal(err)
	}
	if frac != defaultReattestFraction || flagValue(t, []string{"agent"}, flagReattestFraction) != "0.6666666666666666" {
		t.Errorf("--%s: agent uses %v, flag declares %v", flagReattestFraction, frac, flagValue(t, []string{"agent"}, flagReattestFraction))
	}
}

// registry deploy has no --registry (it makes one), and a threshold above the
// number of oracles given is refused naming both, before anything is dialled.
func TestDeployFlagsAndThreshold(t *testing.T) {
	out, _, _ := run(t, "registry", "deploy", "--help")
	if strings.Contains(out, "--registry ") {
		t.Errorf("registry deploy --help lists --registry:\n%s", out)
	}
	_, stderr, code := run(t, "registry", "deploy", "--rpc-url", "http://127.0.0.1:1", "--key-file", "k",
		"--oracle", "0x00000000000000000000000000000000000000bb", "--threshold", "2")
	if code != exitBadInput || !strings.Contains(stderr, "--threshold 2") || !strings.Contains(stderr, "1 --oracle") {
		t.Errorf("--threshold 2 with one oracle: exit %d, %q", code, stderr)
	}
	_, stderr, _ = run(t, "registry", "deploy", "--rpc-url", "http://127.0.0.1:1", "--key-file", "k",
		"--oracle", "0x00000000000000000000000000000000000000bb")
	if !strings.Contains(stderr, "--threshold is required") {
		t.Errorf("no --threshold: %q", stderr)
	}
}
