// Command gasreport measures the whole-transaction gas of each registry operation
// from real transactions on a fresh chain and prints one line per operation,
// `<name> <gasUsed>`. By default it runs go-ethereum's simulated chain in process
// (Osaka rules, as Ethereum mainnet); with --rpc it uses a development node such
// as anvil whose default accounts are funded. Run it through scripts/gas-report.
// docs/gas.md says exactly what each figure measures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/teeoracle/teeoracle/internal/testchain"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gas-report:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gas-report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rpcURL := fs.String("rpc", "", "JSON-RPC `URL` of a fresh development chain whose anvil default accounts are funded (anvil); default: go-ethereum's simulated chain in process")
	verbose := fs.Bool("v", false, "also print each figure's calldata share as a comment")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	var c *gasChain
	if *rpcURL == "" {
		sim := testchain.NewSimulatedBackend()
		defer func() { _ = sim.Close() }()
		c = &gasChain{client: sim.Client(), mine: func(context.Context) error { sim.Commit(); return nil }, autoMines: false}
	} else {
		rc, err := rpc.DialContext(ctx, *rpcURL)
		if err != nil {
			return fmt.Errorf("dial %s: %w", *rpcURL, err)
		}
		defer rc.Close()
		c = &gasChain{client: ethclient.NewClient(rc), autoMines: true, mine: devMiner(rc)}
	}
	rep, err := measure(ctx, c)
	if err != nil {
		return err
	}
	for _, f := range rep {
		if *verbose {
			fmt.Fprintf(stdout, "%s %d # calldata %d\n", f.Name, f.Gas, f.CalldataGas)
		} else {
			fmt.Fprintf(stdout, "%s %d\n", f.Name, f.Gas)
		}
	}
	return nil
}

// devMiner mines one block on a development node one second after the previous
// one: anvil stamps blocks with the wall clock and lets several share a second,
// and a re-attestation needs a later block time than the verdict it replaces.
func devMiner(rc *rpc.Client) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := rc.CallContext(ctx, nil, "evm_increaseTime", 1); err != nil {
			return fmt.Errorf("evm_increaseTime: %w", err)
		}
		if err := rc.CallContext(ctx, nil, "evm_mine"); err != nil {
			return fmt.Errorf("evm_mine: %w", err)
		}
		return nil
	}
}

// errNoProgress: the chain's clock did not move although blocks were mined.
var errNoProgress = errors.New("chain time does not advance")
