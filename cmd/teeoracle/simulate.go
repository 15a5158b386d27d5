package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/oracle/agent"
	"github.com/teeoracle/teeoracle/oracle/devnet"
)

const flagSimulate = "simulate"

func simulateFlag() cli.Flag {
	return &cli.StringFlag{Name: flagSimulate, EnvVars: env(flagSimulate), TakesFile: true,
		Usage: "TEST ONLY: attest with simulated hardware kept in `DIR` instead of this VM's TEE, and write there the test-only roots, collateral and policy an oracle node needs to trust it (serve --snp-roots/--tdx-root, --collateral, --policy); its evidence verifies nowhere else"}
}

// simKit is devnet.Simulate's kit with the serve flag its roots go to.
type simKit struct {
	*devnet.SimKit
	// RootsFlag is --snp-roots or --tdx-root.
	RootsFlag string
}

// simulatedSource is devnet.Simulate for agent --simulate DIR.
func simulatedSource(ctx context.Context, dir, tee string, now time.Time) (agent.EvidenceSource, *simKit, error) {
	src, kit, err := devnet.Simulate(ctx, dir, tee, now)
	if err != nil {
		return nil, nil, err
	}
	flag := flagSNPRoots
	if kit.TEE == "tdx" {
		flag = flagTDXRoot
	}
	return src, &simKit{SimKit: kit, RootsFlag: flag}, nil
}

// printSimKit tells the operator, loudly, what the simulation is and how a node
// trusts it.
func printSimKit(w io.Writer, kit *simKit) {
	fmt.Fprintf(w, "teeoracle agent: SIMULATED HARDWARE (TEST ONLY): evidence signed under %s's test-only roots, trusted by no real oracle\n", kit.Authority)
	fmt.Fprintf(w, "  a node that should trust it (test networks only): teeoracle serve --%s %s --collateral %s --policy %s --offline ...\n",
		kit.RootsFlag, kit.Roots, kit.Collateral, kit.Policy)
}
