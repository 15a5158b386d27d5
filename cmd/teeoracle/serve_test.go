package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/oracle/chain"
)

// serve checks its flags before it opens or dials anything: a non-positive duration
// is refused naming the flag.
func TestServeRefusesNonPositiveDurations(t *testing.T) {
	base := []string{"serve", "--rpc-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa",
		"--key-file", "/nonexistent/key", "--db", t.TempDir() + "/node.db"}
	for _, flag := range []string{flagCollateralWait, flagCollateralRetry, flagResubmitAfter, flagReceiptPoll, flagPollInterval,
		flagMaxHeadLag, flagHealthInterval} {
		t.Run(flag, func(t *testing.T) {
			_, stderr, code := run(t, append(base, "--"+flag, "0s")...)
			if code == 0 || !strings.Contains(stderr, "--"+flag) || !strings.Contains(stderr, "must be positive") {
				t.Fatalf("serve --%s 0s: exit %d, stderr %q; want a refusal naming the flag", flag, code, stderr)
			}
		})
	}
}

// serve refuses a negative retention and a zero balance estimate, naming the flag.
func TestServeRefusesBadRetentionAndReserve(t *testing.T) {
	base := []string{"serve", "--rpc-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa",
		"--key-file", "/nonexistent/key", "--db", t.TempDir() + "/node.db"}
	for flag, value := range map[string]string{flagRetainFailed: "-1h", flagGasPerVerdict: "0", flagReserveVerdicts: "0"} {
		t.Run(flag, func(t *testing.T) {
			_, stderr, code := run(t, append(base, "--"+flag, value)...)
			if code == 0 || !strings.Contains(stderr, "--"+flag) {
				t.Fatalf("serve --%s %s: exit %d, stderr %q; want a refusal naming the flag", flag, value, code, stderr)
			}
		})
	}
}

// serve refuses API limits that are not positive and a --trust-proxy that is not a
// CIDR, naming the flag.
func TestServeRefusesBadLimits(t *testing.T) {
	base := []string{"serve", "--rpc-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa",
		"--key-file", "/nonexistent/key", "--db", t.TempDir() + "/node.db"}
	for _, args := range [][]string{
		{"--" + flagMaxConns, "0"}, {"--" + flagMaxConnsPerClient, "-1"}, {"--" + flagEvidenceInFlight, "0"},
		{"--" + flagEvidencePerClient, "0"}, {"--" + flagEvidenceBytes, "0"}, {"--" + flagRateClients, "0"}, {"--" + flagFailedPerMachine, "0"},
		{"--" + flagIdleTimeout, "0s"}, {"--" + flagMemoryLimit, "-1"}, {"--" + flagTrustProxy, "10.0.0.1"},
	} {
		t.Run(args[0], func(t *testing.T) {
			_, stderr, code := run(t, append(base, args...)...)
			if code == 0 || !strings.Contains(stderr, args[0]) {
				t.Fatalf("serve %v: exit %d, stderr %q; want a refusal naming the flag", args, code, stderr)
			}
		})
	}
}

// serve's rules across flags (service.NodeConfig.Check) are refused naming the flags.
func TestServeCrossFlagRules(t *testing.T) {
	reg := []string{"--registry", "0x00000000000000000000000000000000000000aa"}
	for want, args := range map[string][]string{
		"--rpc-url is required":                   {"--key-file", "k"},
		"--registry is required":                  {"--rpc-url", "http://x", "--key-file", "k"},
		"give --key-file or --keystore, not both": append([]string{"--rpc-url", "http://x", "--key-file", "k", "--keystore", "s", "--password-file", "p"}, reg...),
		"an oracle key is required: --keystore with --password-file, or --key-file": append([]string{"--rpc-url", "http://x"}, reg...),
		"--keystore needs --password-file":                                          append([]string{"--rpc-url", "http://x", "--keystore", "s"}, reg...),
		"--db is required":                                                          append([]string{"--rpc-url", "http://x", "--key-file", "k", "--db", ""}, reg...),
	} {
		if _, stderr, code := serveConfigOf(t, args...); code != exitBadInput || !strings.Contains(stderr, want) {
			t.Errorf("serve %v: exit %d, %q; want %q", args, code, stderr, want)
		}
	}
}

// serveConfigOf runs `teeoracle serve args...` up to the checked configuration,
// without opening or dialling anything.
func serveConfigOf(t *testing.T, args ...string) (*serveConfig, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app := newApp(appDeps{Stdout: &stdout, Stderr: &stderr, Now: time.Now})
	var cfg *serveConfig
	for _, c := range app.Commands {
		if c.Name == "serve" {
			c.Action = func(c *cli.Context) error {
				var err error
				cfg, err = readServeFlags(c)
				if err != nil {
					return badInput(err)
				}
				return nil
			}
		}
	}
	code := exitCode(app.RunContext(context.Background(), append([]string{"teeoracle", "serve"}, args...)), &stderr)
	return cfg, stderr.String(), code
}

// --config: a YAML file keyed by flag names; the command line and TEEORACLE_
// variables override it; unknown keys and unparsable values are refused.
func TestServeConfigFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "serve.yaml")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`rpc-url: http://127.0.0.1:8545
registry: "0x00000000000000000000000000000000000000aa"
key-file: /etc/teeoracle/oracle.key
peers: [http://b:8080, http://c:8080]
relay-delay: 3s
quorum-timeout: 20m
no-forward: true
workers: 3
max-fee-gwei: 50
`)
	cfg, stderr, code := serveConfigOf(t, "--config", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if cfg.RPCURL != "http://127.0.0.1:8545" || cfg.Registry != common.HexToAddress("0xaa") || cfg.Key.KeyFile != "/etc/teeoracle/oracle.key" ||
		len(cfg.Peers) != 2 || cfg.RelayDelay != 3*time.Second || cfg.QuorumTimeout != 20*time.Minute || !cfg.NoForward ||
		cfg.Workers != 3 || cfg.MaxFeeGwei != 50 {
		t.Errorf("config from file: %+v", cfg)
	}
	if cfg.CollateralWait != 10*time.Minute {
		t.Errorf("a setting the file does not name keeps its default: collateral-wait %s", cfg.CollateralWait)
	}

	t.Setenv(envName(flagWorkers), "5")
	cfg, stderr, code = serveConfigOf(t, "--config", path, "--relay-delay", "4s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if cfg.RelayDelay != 4*time.Second || cfg.Workers != 5 || cfg.QuorumTimeout != 20*time.Minute {
		t.Errorf("flag and environment must override the file: relay-delay %s, workers %d", cfg.RelayDelay, cfg.Workers)
	}

	for name, body := range map[string]string{
		"unknown key":      "rpc-url: http://x\nrpc_url: http://y\n",
		"bad duration":     "relay-delay: soon\n",
		"not a mapping":    "- rpc-url\n",
		"config in config": "config: other.yaml\n",
	} {
		t.Run(name, func(t *testing.T) {
			write(body)
			if _, stderr, code := serveConfigOf(t, "--config", path); code != exitBadInput || !strings.Contains(stderr, "--config") {
				t.Errorf("exit %d, stderr %q; want a refusal naming --config", code, stderr)
			}
		})
	}
}

// The quorum settings operator.md describes are serve flags and reach the node's
// configuration with their documented defaults.
func TestServeQuorumFlags(t *testing.T) {
	base := []string{"--rpc-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa", "--key-file", "k"}
	cfg, stderr, code := serveConfigOf(t, base...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if cfg.RelayDelay != 1500*time.Millisecond || cfg.QuorumTimeout != 10*time.Minute || cfg.NoForward {
		t.Errorf("defaults: relay-delay %s, quorum-timeout %s, no-forward %v", cfg.RelayDelay, cfg.QuorumTimeout, cfg.NoForward)
	}
	cfg, _, _ = serveConfigOf(t, append(base, "--relay-delay", "2s", "--quorum-timeout", "1m", "--no-forward")...)
	if cfg.RelayDelay != 2*time.Second || cfg.QuorumTimeout != time.Minute || !cfg.NoForward {
		t.Errorf("set: relay-delay %s, quorum-timeout %s, no-forward %v", cfg.RelayDelay, cfg.QuorumTimeout, cfg.NoForward)
	}
}

// --explorer-wasm-dir needs --explorer-rpc-url, and an explorer that cannot be
// built is refused naming its flag, before the database is opened (the explorer
// itself: service's TestNodeExplorerNeverShowsRPCURL).
func TestServeExplorerFlags(t *testing.T) {
	if _, stderr, code := serveConfigOf(t, "--rpc-url", "http://x", "--registry", "0x00000000000000000000000000000000000000aa",
		"--key-file", "k", "--explorer-wasm-dir", t.TempDir()); code != exitBadInput || !strings.Contains(stderr, "--"+flagExplorerRPCURL) {
		t.Errorf("--explorer-wasm-dir alone: exit %d, %q", code, stderr)
	}
	key := writeSecret(t, "oracle.key", []byte("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318\n"))
	db := filepath.Join(t.TempDir(), "node.db")
	_, stderr, code := run(t, "serve", "--rpc-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa",
		"--key-file", key, "--db", db, "--offline", "--explorer-rpc-url", "https://public-rpc.example", "--explorer-wasm-dir", t.TempDir())
	if code != exitBadInput || !strings.Contains(stderr, "--"+flagExplorerWasm+": no teeoracle.wasm") {
		t.Errorf("--explorer-wasm-dir without the module: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("the database was opened before the explorer was built")
	}
	// A host that would change the page's Content-Security-Policy.
	_, stderr, code = run(t, "serve", "--rpc-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa",
		"--key-file", key, "--db", db, "--offline", "--explorer-rpc-url", "https://rpc.example;script-src*/")
	if code != exitBadInput || !strings.Contains(stderr, "--"+flagExplorerRPCURL) || !strings.Contains(stderr, "host") {
		t.Errorf("--explorer-rpc-url with ';' in its host: exit %d, %q", code, stderr)
	}
}

// The systemd unit's command line, with the example configuration file, is a valid
// serve configuration.
func TestDeployUnitAndExampleConfig(t *testing.T) {
	unit, err := os.ReadFile(filepath.Join("..", "..", "deploy", "teeoracle.service"))
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, line := range strings.Split(string(unit), "\n") {
		if rest, ok := strings.CutPrefix(line, "ExecStart="); ok {
			args = strings.Fields(rest)[1:]
		}
	}
	if len(args) == 0 {
		t.Fatal("no ExecStart")
	}
	for i, a := range args {
		if a == "/etc/teeoracle/serve.yaml" {
			args[i] = filepath.Join("..", "..", "deploy", "serve.example.yaml")
		}
	}
	// Global flags come before the command; serveConfigOf adds "serve" itself.
	var global []string
	for len(args) > 0 && args[0] != "serve" {
		global, args = append(global, args[0]), args[1:]
	}
	var stdout, stderr bytes.Buffer
	app := newApp(appDeps{Stdout: &stdout, Stderr: &stderr, Now: time.Now})
	var cfg *serveConfig
	for _, c := range app.Commands {
		if c.Name == "serve" {
			c.Action = func(c *cli.Context) error {
				var err error
				cfg, err = readServeFlags(c)
				return err
			}
		}
	}
	if err := app.Run(append(append([]string{"teeoracle"}, global...), args...)); err != nil {
		t.Fatalf("%v: %v %s", args, err, stderr.String())
	}
	if cfg.RPCURL == "" || cfg.Key.Keystore == "" || len(cfg.Peers) != 2 || cfg.ExplorerRPCURL != "" {
		t.Errorf("example configuration read as %+v", cfg)
	}
}

// An RPC URL with a key in it never reaches the terminal whole: registry commands
// and errors from net/http show it redacted.
func TestRPCURLNotPrinted(t *testing.T) {
	secret := "http://127.0.0.1:1/v2/SECRETKEY"
	_, stderr, code := run(t, "query", "--rpc-url", secret, "--registry", "0x00000000000000000000000000000000000000aa",
		"--machine-id", "0x"+strings.Repeat("11", 32), "--tx-timeout", "2s")
	if code != exitBadInput || strings.Contains(stderr, "SECRETKEY") || !strings.Contains(stderr, "127.0.0.1:1") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	inner := errors.New(`Post "` + secret + `": connection refused`)
	if err := chain.ScrubURL(inner, secret); strings.Contains(err.Error(), "SECRETKEY") || !errors.Is(err, inner) {
		t.Errorf("scrubURL: %v", err)
	}
	// net/http prints a URL with user info as its redacted form: its path still
	// carries the key.
	withUser := "https://user:PASSWORD@rpc.example/v2/SECRETKEY?apikey=SECRET2"
	inner = errors.New(`Post "https://user:***@rpc.example/v2/SECRETKEY?apikey=SECRET2": connection refused`)
	if err := chain.ScrubURL(inner, withUser); strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "PASSWORD") {
		t.Errorf("scrubURL of the redacted form: %v", err)
	}
}

// A --config file others may change, or one far larger than settings are, is
// refused before anything in it is applied.
func TestServeConfigFileRefusedWhenUnsafe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "serve.yaml")
	if err := os.WriteFile(path, []byte("rpc-url: http://127.0.0.1:8545\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := serveConfigOf(t, "--config", path); code != exitBadInput || !strings.Contains(stderr, "chmod go-w") {
		t.Errorf("group-writable config: exit %d, %s", code, stderr)
	}
	big := append([]byte("# "), bytes.Repeat([]byte("x"), cliapp.MaxConfigFile)...)
	if err := os.WriteFile(path, big, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := serveConfigOf(t, "--config", path); code != exitBadInput || !strings.Contains(stderr, "more than") {
		t.Errorf("oversized config: exit %d, %s", code, stderr)
	}
}
