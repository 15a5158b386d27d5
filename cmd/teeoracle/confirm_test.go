package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/oracle/policy"
)

// runWith runs the app with a stdin that is (or is not) a terminal.
func runWith(t *testing.T, stdin string, terminal bool, args ...string) (string, string, int, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app := newApp(appDeps{Stdout: &stdout, Stderr: &stderr, Now: time.Now, Stdin: strings.NewReader(stdin),
		StdinIsTerminal: func() bool { return terminal }})
	err := app.RunContext(context.Background(), append([]string{"teeoracle"}, args...))
	return stdout.String(), stderr.String(), exitCode(err, &stderr), err
}

// Irreversible governance asks first: without --yes and without a terminal it
// refuses before it dials; at a terminal only "yes" goes on.
func TestIrreversibleCommandsConfirm(t *testing.T) {
	chainArgs := []string{"--rpc-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa",
		"--key-file", filepath.Join(t.TempDir(), "missing.key"), "--tx-timeout", "1s"}
	for _, cmd := range [][]string{
		{"policy", "retire", "--policy-hash", "0x" + strings.Repeat("ab", 32)},
		{"registry", "oracles", "remove", "--oracle", "0x00000000000000000000000000000000000000bb"},
		{"machine", "deregister", "--machine-id", "0x" + strings.Repeat("11", 32)},
	} {
		args := append(append([]string{}, cmd...), chainArgs...)
		t.Run(strings.Join(cmd[:2], " "), func(t *testing.T) {
			_, _, code, err := runWith(t, "", false, args...)
			if code != exitBadInput || !errors.Is(err, cliapp.ErrNotConfirmed) {
				t.Errorf("no terminal, no --yes: exit %d, %v; want a refusal", code, err)
			}
			_, stderr, code, err := runWith(t, "no\n", true, args...)
			if code != exitBadInput || !errors.Is(err, cliapp.ErrNotConfirmed) || !strings.Contains(stderr, "cannot be undone") {
				t.Errorf("answered no: exit %d, %v, %q", code, err, stderr)
			}
			// Confirmed (typed, or --yes), the command goes on to load its key.
			for _, run := range []func() error{
				func() error { _, _, _, err := runWith(t, "yes\n", true, args...); return err },
				func() error { _, _, _, err := runWith(t, "", false, append(args, "--yes")...); return err },
			} {
				if err := run(); err == nil || errors.Is(err, cliapp.ErrNotConfirmed) || !strings.Contains(err.Error(), "missing.key") {
					t.Errorf("confirmed: %v; want the command to proceed to its key", err)
				}
			}
		})
	}
}

// policy hash (offline) and policy show --policy print the canonical hash that
// policy.Load and Hash give.
func TestPolicyHashOffline(t *testing.T) {
	file := filepath.Join("..", "..", "testdata", "policies", "default.yaml")
	p, err := policy.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.Hash()
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"policy", "hash", file}, {"policy", "show", "--policy", file}} {
		out, stderr, code := run(t, args...)
		if code != 0 || !strings.Contains(out, "policy "+want.Hex()) || !strings.Contains(out, "validity-seconds") {
			t.Errorf("%v: exit %d, %q %q", args, code, out, stderr)
		}
	}
	if _, _, code := run(t, "policy", "hash"); code != exitBadInput {
		t.Errorf("policy hash without a file: exit %d", code)
	}
}
