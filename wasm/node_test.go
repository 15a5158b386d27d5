//go:build !(js && wasm)

package main

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNode builds the WebAssembly module once (scripts/build-wasm), fails when it is
// over the size limits (maxModuleBytes, maxModuleGzipBytes), and runs the Node
// tests in wasm/test against it: the module's report must equal the native
// verifier's, byte for byte, on every real vector, and on devnet-style evidence
// under the devnet's roots. Without node the test skips,
// except under CI, where it fails.
func TestNode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the WebAssembly module")
	}
	out := t.TempDir()
	build := exec.Command(filepath.Join("..", "scripts", "build-wasm"), out)
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("scripts/build-wasm: %v\n%s", err, b)
	}
	checkModuleSize(t, filepath.Join(out, "teeoracle.wasm"))
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and node is missing: %v", err)
		}
		t.Skipf("node not found: %v", err)
	}
	fixtures, err := json.Marshal(nativeFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(t.TempDir(), "cases.json")
	if err := os.WriteFile(manifest, fixtures, 0o600); err != nil {
		t.Fatal(err)
	}
	devnetCases, err := json.Marshal(devnetFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	devnetManifest := filepath.Join(t.TempDir(), "devnet.json")
	if err := os.WriteFile(devnetManifest, devnetCases, 0o600); err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "--test", "--test-reporter=spec", filepath.Join("test", "verifier.test.mjs"))
	cmd.Env = append(os.Environ(), "TEEORACLE_WASM_DIR="+out, "TEEORACLE_WASM_CASES="+manifest, "TEEORACLE_WASM_DEVNET="+devnetManifest, "TEEORACLE_REPO="+root)
	b, err := cmd.CombinedOutput()
	t.Logf("node --test:\n%s", b)
	if err != nil {
		t.Fatalf("node tests failed: %v", err)
	}
}

// Size limits of the built module (docs/wasm.md): what a page downloads, raw and
// compressed as a server would send it.
const (
	maxModuleBytes     = 10_000_000
	maxModuleGzipBytes = 3_000_000
)

// checkModuleSize fails when the module scripts/build-wasm built is over the limits.
func checkModuleSize(t *testing.T, path string) {
	t.Helper()
	raw, gz, err := moduleSize(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("teeoracle.wasm: %d bytes, %d gzipped (limits %d and %d)", raw, gz, maxModuleBytes, maxModuleGzipBytes)
	if err := sizeError(raw, gz); err != nil {
		t.Error(err)
	}
}

// moduleSize returns the file's size and its size gzipped at the best compression.
func moduleSize(path string) (raw, gz int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	var z bytes.Buffer
	w, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
	if err != nil {
		return 0, 0, err
	}
	if _, err := w.Write(b); err != nil {
		return 0, 0, err
	}
	if err := w.Close(); err != nil {
		return 0, 0, err
	}
	return len(b), z.Len(), nil
}

// sizeError says which limit a module of these sizes is over, or nil.
func sizeError(raw, gz int) error {
	var errs []error
	if raw > maxModuleBytes {
		errs = append(errs, fmt.Errorf("teeoracle.wasm is %d bytes, over the %d limit (docs/wasm.md, Size, says what it holds)", raw, maxModuleBytes))
	}
	if gz > maxModuleGzipBytes {
		errs = append(errs, fmt.Errorf("teeoracle.wasm gzipped is %d bytes, over the %d limit (docs/wasm.md, Size, says what it holds)", gz, maxModuleGzipBytes))
	}
	return errors.Join(errs...)
}

// TestModuleSizeCheck: the size check refuses a file over either limit (random
// bytes do not compress, so a file of them is over both) and accepts one under.
func TestModuleSizeCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.wasm")
	big := make([]byte, maxModuleBytes+1)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, big, 0o600); err != nil {
		t.Fatal(err)
	}
	raw, gz, err := moduleSize(path)
	if err != nil {
		t.Fatal(err)
	}
	err = sizeError(raw, gz)
	if err == nil || !strings.Contains(err.Error(), "over the 10000000 limit") || !strings.Contains(err.Error(), "gzipped") {
		t.Errorf("random %d bytes: %v, want both limits exceeded", raw, err)
	}
	if err := sizeError(maxModuleBytes, maxModuleGzipBytes); err != nil {
		t.Errorf("at the limits: %v", err)
	}
	if err := sizeError(maxModuleBytes-1, maxModuleGzipBytes+1); err == nil || strings.Contains(err.Error(), "over the 10000000") {
		t.Errorf("only gzip over: %v", err)
	}
}
