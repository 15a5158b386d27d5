package main

import (
	"fmt"
	"io"

	"github.com/teeoracle/teeoracle/oracle/devnet"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

const flagSimulate = "simulate"

// printSimKit tells the operator, loudly, what the simulation is and how a node
// trusts it.
func printSimKit(w io.Writer, kit *devnet.SimKit) {
	fmt.Fprintf(w, "teeoracle agent: SIMULATED HARDWARE (TEST ONLY): evidence signed under %s's test-only roots, trusted by no real oracle\n", kit.Authority)
	fmt.Fprintf(w, "  a node that should trust it (test networks only): teeoracle serve --%s %s --collateral %s --policy %s --offline ...\n",
		simRootsFlag(kit), kit.Roots, kit.Collateral, kit.Policy)
}

// simRootsFlag is the serve flag a simulation's roots go to.
func simRootsFlag(kit *devnet.SimKit) string {
	if kit.TEE == evidence.TEETDX {
		return flagTDXRoot
	}
	return flagSNPRoots
}
