package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/oracle/agent"
	"github.com/teeoracle/teeoracle/oracle/devnet"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
)

const flagSimulate = "simulate"

func simulateFlag() cli.Flag {
	return &cli.StringFlag{Name: flagSimulate, EnvVars: env(flagSimulate), TakesFile: true,
		Usage: "TEST ONLY: attest with simulated hardware kept in `DIR` instead of this VM's TEE, and write there the test-only roots, collateral and policy an oracle node needs to trust it (serve --snp-roots/--tdx-root, --collateral, --policy); its evidence verifies nowhere else"}
}

// simKit is what agent --simulate keeps and writes in its directory.
type simKit struct {
	// Authority holds the simulated vendor's private keys (mode 0600), kept so the
	// roots stay the same across restarts.
	Authority string
	// Roots, Collateral and Policy are for the oracle node.
	Roots, Collateral, Policy string
	// RootsFlag is --snp-roots or --tdx-root.
	RootsFlag string
}

// simulatedSource returns an evidence source of simulated hardware for tee
// (sev-snp, tdx; auto is sev-snp) whose authority is kept in dir: created on first
// use, read back afterwards. It writes the node's files beside it.
func simulatedSource(ctx context.Context, dir, tee string, now time.Time) (agent.EvidenceSource, *simKit, error) {
	if tee == "auto" || tee == "" {
		tee = "sev-snp"
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	kit := &simKit{Authority: filepath.Join(dir, tee+"-authority.pem"), Collateral: filepath.Join(dir, "collateral-"+tee),
		Policy: filepath.Join(dir, "policy.json")}
	saved, err := os.ReadFile(kit.Authority)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	var src agent.EvidenceSource
	var roots []byte
	collFiles := map[string][]byte{}
	var authPEM []byte
	switch tee {
	case "sev-snp":
		var a *fakehw.SNPAuthority
		if saved != nil {
			a, err = fakehw.ParseSNPAuthority(saved, now)
		} else {
			a, err = fakehw.NewSNPAuthority(now)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", kit.Authority, err)
		}
		if authPEM, err = a.MarshalPEM(); err != nil {
			return nil, nil, err
		}
		chip, err := a.NewChip(fakehw.SNPChipOptions{})
		if err != nil {
			return nil, nil, err
		}
		src, roots, kit.RootsFlag = agent.SNPQuoteSource{QP: chip.QuoteProvider()}, a.RootsPEM(), flagSNPRoots
		kit.Roots = filepath.Join(dir, "snp-roots.pem")
		collFiles["ark-milan.crl"] = a.CRL()
	case "tdx":
		var a *fakehw.TDXAuthority
		if saved != nil {
			a, err = fakehw.ParseTDXAuthority(ctx, saved, now)
		} else {
			a, err = fakehw.NewTDXAuthority(ctx, now)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", kit.Authority, err)
		}
		if authPEM, err = a.MarshalPEM(); err != nil {
			return nil, nil, err
		}
		td, err := a.NewMachine(fakehw.TDXMachineOptions{})
		if err != nil {
			return nil, nil, err
		}
		src, roots, kit.RootsFlag = agent.TDXQuoteSource{QP: td}, a.RootPEM(), flagTDXRoot
		kit.Roots = filepath.Join(dir, "tdx-root.pem")
		if collFiles, err = a.PCSFiles(); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, fmt.Errorf("--%s %q: want sev-snp, tdx or auto", flagTEE, tee)
	}
	if saved == nil {
		if err := writeNew(kit.Authority, authPEM, 0o600); err != nil {
			return nil, nil, err
		}
	}
	pol, err := devnet.DevnetPolicy(time.Hour)
	if err != nil {
		return nil, nil, err
	}
	polJSON, err := pol.CanonicalJSON()
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(kit.Collateral, 0o755); err != nil {
		return nil, nil, err
	}
	files := map[string][]byte{kit.Roots: roots, kit.Policy: polJSON}
	for name, b := range collFiles {
		files[filepath.Join(kit.Collateral, name)] = b
	}
	for path, b := range files {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return nil, nil, err
		}
	}
	return src, kit, nil
}

// writeNew writes a file that must not exist yet.
func writeNew(path string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		return errors.Join(err, f.Close())
	}
	return f.Close()
}

// printSimKit tells the operator, loudly, what the simulation is and how a node
// trusts it.
func printSimKit(w io.Writer, kit *simKit) {
	fmt.Fprintf(w, "teeoracle agent: SIMULATED HARDWARE (TEST ONLY): evidence signed under %s's test-only roots, trusted by no real oracle\n", kit.Authority)
	fmt.Fprintf(w, "  a node that should trust it (test networks only): teeoracle serve --%s %s --collateral %s --policy %s --offline ...\n",
		kit.RootsFlag, kit.Roots, kit.Collateral, kit.Policy)
}
