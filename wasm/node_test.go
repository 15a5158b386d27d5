//go:build !(js && wasm)

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestNode builds the WebAssembly module once (scripts/build-wasm) and runs the Node
// tests in wasm/test against it: the module's report must equal the native
// verifier's, byte for byte, on every real vector, and on devnet-style evidence
// under the devnet's roots. Without node the test skips,
// except under CI, where it fails.
func TestNode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the WebAssembly module")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and node is missing: %v", err)
		}
		t.Skipf("node not found: %v", err)
	}
	out := t.TempDir()
	build := exec.Command(filepath.Join("..", "scripts", "build-wasm"), out)
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("scripts/build-wasm: %v\n%s", err, b)
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
