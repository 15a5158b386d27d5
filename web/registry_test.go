package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestRegistryModuleInNode runs the unit tests of static/registry.mjs (decoding
// events and submitBatch calldata) under node's test runner: test/registry.test.mjs.
// Skipped without node, unless CI is set.
func TestRegistryModuleInNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and node is missing: %v", err)
		}
		t.Skipf("node missing (%v); see docs/wasm.md, Explorer tests", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "--test", filepath.Join("test", "registry.test.mjs")).CombinedOutput()
	if err != nil {
		t.Fatalf("node --test test/registry.test.mjs: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
