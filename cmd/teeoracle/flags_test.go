package main

import (
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
)

// envName is the one environment variable of a flag (cliapp.WithEnv gives it).
func envName(flag string) string { return cliapp.EnvName(envPrefix, flag) }

// TestFlagRules enforces, for every flag of every command: kebab-case names, no
// name twice in one command, exactly one environment variable named
// TEEORACLE_<NAME>, and one meaning per environment variable across commands
// (a flag of the same name in two commands must share its usage).
func TestFlagRules(t *testing.T) {
	app := newApp(appDeps{Stdout: io.Discard, Stderr: io.Discard, Now: time.Now})
	kebab := regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	usageByEnv := map[string]string{}
	check := func(where string, flags []cli.Flag) {
		seen := map[string]bool{}
		for _, f := range flags {
			names := f.Names()
			if len(names) != 1 {
				t.Errorf("%s: flag %v has aliases; one name per flag", where, names)
			}
			name := names[0]
			if !kebab.MatchString(name) {
				t.Errorf("%s: flag %q is not kebab-case", where, name)
			}
			if seen[name] {
				t.Errorf("%s: flag %q defined twice", where, name)
			}
			seen[name] = true
			ev, ok := f.(interface{ GetEnvVars() []string })
			if !ok {
				t.Errorf("%s: flag %q cannot carry environment variables", where, name)
				continue
			}
			envs := ev.GetEnvVars()
			if len(envs) != 1 || envs[0] != envName(name) {
				t.Errorf("%s: flag %q has env vars %v, want exactly [%s]", where, name, envs, envName(name))
				continue
			}
			usage := f.(cli.DocGenerationFlag).GetUsage()
			if usage == "" {
				t.Errorf("%s: flag %q has no usage text", where, name)
			}
			if prev, ok := usageByEnv[envs[0]]; ok && prev != usage {
				t.Errorf("%s: %s means two things: %q and %q", where, envs[0], prev, usage)
			}
			usageByEnv[envs[0]] = usage
		}
	}
	check("global", app.Flags)
	if len(app.Commands) == 0 {
		t.Fatal("no commands")
	}
	for _, c := range app.Commands {
		check(c.Name, c.Flags)
		for _, f := range c.Flags {
			for _, g := range app.Flags {
				if f.Names()[0] == g.Names()[0] {
					t.Errorf("command %s redefines global flag %q", c.Name, g.Names()[0])
				}
			}
		}
	}
}

func TestUnknownEnvWarned(t *testing.T) {
	app := newApp(appDeps{Stdout: io.Discard, Stderr: io.Discard, Now: time.Now})
	got := unknownEnv(app, []string{"TEEORACLE_EVIDENCE=x", "TEEORACLE_EVIDENSE=y", "HOME=/root", "TEEORACLE_LOG_LEVEL=debug"})
	if len(got) != 1 || got[0] != "TEEORACLE_EVIDENSE" {
		t.Errorf("unknownEnv = %v, want [TEEORACLE_EVIDENSE]", got)
	}
}

// Earlier flag names still work, hidden, for the one concept each now has one name
// for: --machine for --machine-id, --key for --tee-key, --tee-interface for --tee.
func TestOldFlagNames(t *testing.T) {
	for _, tc := range []struct{ args []string }{
		{[]string{"query", "--rpc-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa", "--machine", "0x01"}},
		{[]string{"query", "--rpc-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa", "--key", "0x01"}},
		{[]string{"agent", "--oracle-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa", "--chain-id", "1",
			"--machine-id", "0x" + strings.Repeat("11", 32), "--tee-key-file", "k", "--tee-interface", "sgx"}},
	} {
		// Each value is malformed, so the command stops at the current flag's
		// check, which names the current flag: proof the old name reached it.
		_, stderr, code := run(t, tc.args...)
		if code != exitBadInput || !strings.Contains(stderr, "--machine-id") && !strings.Contains(stderr, "--tee-key") && !strings.Contains(stderr, "--tee ") {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, stderr)
		}
	}
	// Hidden: --help shows one name per concept.
	out, _, _ := run(t, "query", "--help")
	if strings.Contains(out, "--machine ") || strings.Contains(out, "--key ") {
		t.Errorf("query --help lists an old name:\n%s", out)
	}
}
