package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/internal/lifecycle"
	"github.com/teeoracle/teeoracle/oracle/devnet"
)

// Flags of the devnet command (flags.go's rules apply; flags_test.go checks them).
const (
	flagAnvil           = "anvil"
	flagAnvilPath       = "anvil-path"
	flagOnce            = "once"
	flagBlockTime       = "block-time"
	flagVerdictValidity = "verdict-validity"
	flagDataDir         = "data-dir"
	flagSNPMachines     = "snp-machines"
	flagTDXMachines     = "tdx-machines"
	flagOracles         = "oracles"
)

// devnetFlags are devnet's flags; each of its own names the field of opts it sets
// (Destination, read by readDevnetFlags) and checks its bounds (Action).
func devnetFlags(opts *devnet.Options) []cli.Flag {
	return cliapp.WithEnv(envPrefix, []cli.Flag{
		shared(flagOnce),
		&cli.BoolFlag{Name: flagAnvil, Destination: &opts.Anvil,
			Usage: "run the chain on anvil (Foundry) instead of go-ethereum's in-process simulated backend"},
		&cli.StringFlag{Name: flagAnvilPath, Destination: &opts.AnvilPath, TakesFile: true,
			Usage: "anvil binary `FILE`; default: the repository's .tools/node_modules/.bin/anvil, else anvil on PATH"},
		&cli.StringFlag{Name: flagListen, Destination: &opts.Listen, Value: "127.0.0.1:0",
			Usage: "API listen `ADDRESS` (host:port)"},
		&cli.DurationFlag{Name: flagBlockTime, Destination: &opts.BlockInterval, Value: time.Second,
			Usage: "devnet block `INTERVAL`"},
		&cli.DurationFlag{Name: flagVerdictValidity, Destination: &opts.Validity, Value: 60 * time.Second,
			Usage: "devnet policy's verdict validity `DURATION` (machines re-attest at 2/3 of it)"},
		&cli.StringFlag{Name: flagDataDir, Destination: &opts.DataDir, TakesFile: true,
			Usage: "`DIR` for the devnet node's database and the machines' TEE keys; default: a temporary directory removed on exit"},
		sharedAs(flagExplorerWasm, "", &opts.ExplorerWasm),
		&cli.IntFlag{Name: flagSNPMachines, Destination: &opts.SNPMachines, Action: cliapp.Between(flagSNPMachines, 0, 16), Value: 1,
			Usage: "`COUNT` of simulated SEV-SNP machines"},
		&cli.IntFlag{Name: flagTDXMachines, Destination: &opts.TDXMachines, Action: cliapp.Between(flagTDXMachines, 0, 16), Value: 1,
			Usage: "`COUNT` of simulated TDX machines"},
		&cli.IntFlag{Name: flagOracles, Destination: &opts.Oracles, Action: cliapp.Between(flagOracles, 1, 16), Value: 1,
			Usage: "`COUNT` of oracle nodes, each with its own key, database and API, all of them the registry's oracles and each other's peers"},
		devnetThresholdFlag(&opts.Threshold),
	})
}

// devnetThresholdFlag is --threshold (registry deploy's flag and wording) into
// dest, 1 unless given.
func devnetThresholdFlag(dest *int) cli.Flag {
	f := shared(flagThreshold).(*cli.UintFlag)
	return &cli.IntFlag{Name: f.Name, Destination: dest, Action: cliapp.Positive[int](f.Name), Value: 1, Usage: f.Usage}
}

const devnetDescription = `Runs the whole system on this machine with nothing but Go and no network:

  1. an embedded chain (go-ethereum's simulated backend; anvil with --anvil),
  2. the TeeRegistry and the example consumer, deployed,
  3. a devnet policy, registered, and one oracle node (the same service as
     'teeoracle serve') with its HTTP API on a local port; with --oracles N and
     --threshold M, N nodes forming an M-of-N quorum (agents attest to the first,
     which forwards their evidence to the others),
  4. simulated SEV-SNP and TDX machines: fake guest devices (go-sev-guest's fake
     sev-guest device, a TDX quote provider) signing under AMD and Intel roots
     generated for this devnet only, which only the devnet's appraiser trusts,
  5. each machine registered in the registry by a provider account, and one agent
     per machine (the code of 'teeoracle agent', in process) that asks the node for
     a challenge, attests and follows its verdict on-chain,

and prints the registry, each machine's id, TEE, workload id, TCB status, trust and
expiry, every transaction with its gas, and where the API listens. It then runs the
real hardware evidence bundled in testdata/ (and ../shared/vectors when present)
through the verification pipeline under the vendors' real roots, labelled as such.

With --once it exits after the first round: status 0 when every machine is trusted
on-chain, 1 otherwise. Without it the machines keep re-attesting until SIGINT or
SIGTERM (a second signal forces exit).`

func devnetCommand(deps appDeps) *cli.Command {
	return &cli.Command{
		Name:        "devnet",
		Usage:       "run a local chain, registry, oracle node and simulated SEV-SNP/TDX machines, and show them attest",
		UsageText:   "teeoracle devnet [--once] [--anvil] [--verdict-validity 60s] [--oracles 3 --threshold 2]",
		Description: devnetDescription,
		Flags:       devnetFlags(new(devnet.Options)),
		Action: func(c *cli.Context) error {
			opts, err := readDevnetFlags(c)
			if err != nil {
				return badInput(err)
			}
			err = lifecycle.Run(c.Context, lifecycle.NewRunner(func(ctx context.Context) error {
				return devnet.Run(ctx, opts, devnet.RunOptions{Once: c.Bool(flagOnce)}, c.App.Writer)
			}), lifecycle.Options{Stderr: deps.Stderr})
			switch { // a forced exit keeps its status (cliapp.Exit)
			case errors.Is(err, devnet.ErrNotAllTrusted):
				return cliapp.Exit(exitUntrusted, err)
			case err != nil: // no anvil, or anything else that stopped it
				return badInput(err)
			}
			return nil
		},
	}
}

// readDevnetFlags turns the flags into devnet options, checked (Options.Check);
// an error names the flags of the options it refuses.
func readDevnetFlags(c *cli.Context) (devnet.Options, error) {
	opts := devnet.Options{Logger: cliapp.Logger(c)}
	if err := cliapp.Bind(c, devnetFlags(&opts)); err != nil {
		return opts, err
	}
	if opts.SNPMachines == 0 && opts.TDXMachines == 0 { // Options reads both 0 as one machine each
		return opts, fmt.Errorf("--%s and --%s are both 0: nothing to attest", flagSNPMachines, flagTDXMachines)
	}
	return opts, cliapp.FlagNames(opts.Check(), &opts, devnetFlags(&opts), cliapp.WithValues(c))
}
