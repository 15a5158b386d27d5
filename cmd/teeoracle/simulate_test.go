package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/devnet"
)

// agent --simulate keeps one simulated authority in its directory and writes the
// roots, collateral and policy a node needs: evidence from the simulated hardware
// verifies under them, not under the vendors' roots, and a second start reuses the
// same roots.
func TestSimulatedHardwareKit(t *testing.T) {
	ctx := context.Background()
	for _, tee := range []string{"sev-snp", "tdx"} {
		t.Run(tee, func(t *testing.T) {
			dir := t.TempDir()
			src, kit, err := devnet.Simulate(ctx, dir, tee, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if st, err := os.Stat(kit.Authority); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("authority file: %v, %v", st, err)
			}
			firstRoots, _ := os.ReadFile(kit.Roots)
			var rd [64]byte
			copy(rd[:], "teeoracle simulate test")
			ev, err := src.Evidence(ctx, rd)
			if err != nil {
				t.Fatal(err)
			}
			bundle, err := ev.MarshalBundle()
			if err != nil {
				t.Fatal(err)
			}
			evFile := filepath.Join(dir, "evidence.json")
			if err := os.WriteFile(evFile, bundle, 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"--evidence", evFile, "--collateral", kit.Collateral, "--policy", kit.Policy, "--offline",
				"--at", time.Now().UTC().Format(time.RFC3339)}
			under := runJSON(t, exitUntrusted, append(args, "--"+simRootsFlag(kit), kit.Roots)...)
			if !under.Appraisal.Authentic {
				t.Errorf("not authentic under the kit's roots: %v", under.Reasons)
			}
			vendor := runJSON(t, exitUntrusted, args...)
			if vendor.Appraisal.Authentic {
				t.Error("simulated evidence is authentic under the vendors' roots")
			}

			if _, kit2, err := devnet.Simulate(ctx, dir, tee, time.Now()); err != nil {
				t.Fatal(err)
			} else if again, _ := os.ReadFile(kit2.Roots); !bytes.Equal(again, firstRoots) {
				t.Error("a second start changed the roots")
			}
		})
	}
}
