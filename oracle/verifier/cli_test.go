package verifier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/verifier"
	"github.com/teeoracle/teeoracle/oracle/verifier/verifiertest"
)

var repoRoot = filepath.Join("..", "..")

// loadCases returns every real-evidence case; a missing ../shared/vectors skips the
// test, except under CI where it fails.
func loadCases(t *testing.T) []verifiertest.Case {
	t.Helper()
	set, err := verifiertest.Load(repoRoot, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if set.SharedMissing != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set: %v", set.SharedMissing)
		}
		t.Logf("running testdata cases only: %v", set.SharedMissing)
	}
	return set.Cases
}

var cliOnce struct {
	sync.Once
	path string
	err  error
}

// teeoracleBinary builds cmd/teeoracle once per test binary run.
func teeoracleBinary(t *testing.T) string {
	t.Helper()
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "teeoracle-cli-")
		if err != nil {
			cliOnce.err = err
			return
		}
		cliOnce.path = filepath.Join(dir, "teeoracle")
		cmd := exec.Command("go", "build", "-o", cliOnce.path, "./cmd/teeoracle")
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			cliOnce.err = errors.Join(err, errors.New(string(out)))
		}
	})
	if cliOnce.err != nil {
		t.Fatalf("build teeoracle: %v", cliOnce.err)
	}
	return cliOnce.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if cliOnce.path != "" {
		os.RemoveAll(filepath.Dir(cliOnce.path))
	}
	os.Exit(code)
}

// reportJSON encodes a result exactly as `teeoracle verify --json` prints it.
func reportJSON(t *testing.T, res *verifier.Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res.Report()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSameAsCLI runs every real vector through the verify command and through the
// in-memory verifier and requires byte-identical JSON.
func TestSameAsCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/teeoracle")
	}
	bin := teeoracleBinary(t)
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			cmd := exec.Command(bin, append([]string{"verify", "--json"}, c.Args...)...)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if err != nil && (!errors.As(err, &exit) || exit.ExitCode() != 1) {
				t.Fatalf("teeoracle verify %v: %v\n%s", c.Args, err, stderr.String())
			}
			res, err := v.Verify(context.Background(), c.Request)
			if err != nil {
				t.Fatalf("verifier: %v", err)
			}
			if res.Decision.Trusted != (err == nil && cmd.ProcessState.ExitCode() == 0) {
				t.Errorf("verifier trusted=%v, CLI exit %d", res.Decision.Trusted, cmd.ProcessState.ExitCode())
			}
			got := reportJSON(t, res)
			if !bytes.Equal(got, stdout.Bytes()) {
				t.Errorf("verifier JSON differs from teeoracle verify --json\nverifier:\n%s\ncli:\n%s", got, stdout.String())
			}
		})
	}
}
