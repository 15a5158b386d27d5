package main

import (
	"context"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/internal/lifecycle"
	"github.com/teeoracle/teeoracle/oracle/agent"
	"github.com/teeoracle/teeoracle/oracle/devnet"
)

// Flags of the agent command (flags.go's rules apply; flags_test.go checks them).
// registry, chain-id and machine-id are verify's flags, with verify's wording.
const (
	flagOracleURL        = "oracle-url"
	flagAgentConfig      = "agent-config"
	flagTEEKeyFile       = "tee-key-file"
	flagReattestFraction = "reattest-fraction"
	flagMaxInterval      = "max-interval"
)

// agentFlags are the agent's flags; each of its settings names the field of s it
// sets (Destination, read by readAgentFlags over the --agent-config file).
func agentFlags(s *agent.FileConfig) []cli.Flag {
	flags := cliapp.WithEnv(envPrefix, []cli.Flag{
		&cli.StringFlag{Name: flagAgentConfig, TakesFile: true,
			Usage: "agent configuration `FILE` (YAML or JSON: oracle_url, registry, chain_id, machine_id, key_file, tee, reattest_fraction, max_interval, workload, runtime_log, rtmr_dir, ccel_dir); flags override it"},
		&cli.StringFlag{Name: flagOracleURL, Destination: &s.OracleURL,
			Usage: "oracle node API base `URL`, e.g. http://oracle.example:8080"},
		&cli.StringFlag{Name: flagTEEKeyFile, Destination: &s.KeyFile, TakesFile: true,
			Usage: "`FILE` of the TEE-held secp256k1 key, created (mode 0600) when missing; refused when group or others can read it or write its directory"},
		sharedAs(flagTEE, "", &s.TEE),
		shared(flagSimulate),
		&cli.Float64Flag{Name: flagReattestFraction, Destination: &s.ReattestFraction, Value: defaultReattestFraction,
			DefaultText: "0.667 (2/3)", Usage: "attest again after this `FRACTION` of the verdict's validity"},
		&cli.StringFlag{Name: flagMaxInterval, Destination: &s.MaxInterval, DefaultText: "1h",
			Usage: "attest again at the latest this `DURATION` after the last round, however long the verdict the node reports is valid (it bounds how long a node's false report keeps the agent idle; raise it, e.g. to 24h, to re-attest daily)"},
		shared(flagOnce),
	})
	return append(flags, cliapp.WithDestination(verifyFlag(flagChainID), &s.ChainID),
		cliapp.WithDestination(verifyFlag(flagRegistry), &s.Registry),
		cliapp.WithDestination(verifyFlag(flagMachineID), &s.MachineID))
}

// defaultReattestFraction is the agent's own default (agent.Config), shown in --help.
const defaultReattestFraction = 2.0 / 3

const agentDescription = `Runs inside a confidential VM (AMD SEV-SNP or Intel TDX) registered in the
registry by its provider ('teeoracle machine register'), and keeps it attested:

  1. loads the TEE-held key from --tee-key-file, creating it on first start (its
     address is what the registry binds to the machine; the key never leaves the VM),
  2. asks the oracle for a challenge: a recent anchor block and the exact 64 bytes
     of report data binding chain, registry, machine, key and anchor
     (docs/verdict-encoding.md), which the agent recomputes and checks,
  3. obtains a report or quote with that report data from the hardware, with the
     certificate table when the host provides one,
  4. submits it, follows it until the node reports its verdict on-chain, and
     checks the verdict (machine, key, anchor, evidence, validity, issue time),
  5. attests again at --reattest-fraction of the verdict's validity, within an
     hour at the latest,

retrying with capped, jittered exponential backoff while the oracle or the chain is
down. See docs/provider.md.

Exit status with --once: 0 trusted (as the node reports it on-chain; the agent has
no chain endpoint), 1 untrusted verdict, 2 error. --once retries outages but stops
at the first refusal: a 4xx answer other than 408, 429 and a stale anchor (such as
422 for a key not yet authorised), a submission the node failed (its answer for the
evidence), or a challenge or verdict the agent refuses.`

func agentCommand(deps appDeps) *cli.Command {
	return &cli.Command{
		Name:        "agent",
		Usage:       "in-VM agent: attest this confidential VM to an oracle node and keep it attested",
		UsageText:   "teeoracle agent --oracle-url URL --registry ADDRESS --chain-id ID --machine-id ID --tee-key-file FILE [--agent-config FILE] [--once]",
		Description: agentDescription,
		Flags:       agentFlags(new(agent.FileConfig)),
		Action: func(c *cli.Context) error {
			s, err := readAgentFlags(c)
			if err != nil {
				return badInput(err)
			}
			a, err := newAgent(c, s)
			if err != nil {
				return badInput(err)
			}
			lo := lifecycle.Options{Stderr: deps.Stderr}
			if !c.Bool(flagOnce) {
				// Run ends only with its context, and that is a clean stop.
				return lifecycle.Run(c.Context, lifecycle.NewRunner(func(ctx context.Context) error { _ = a.Run(ctx); return nil }), lo)
			}
			return attestOnce(c, a, lo)
		},
	}
}

// newAgent builds the agent of settings s (agent.FromConfig) over its evidence
// source (the TEE, or --simulate's simulated hardware), and says so on stdout.
func newAgent(c *cli.Context, s *agent.FileConfig) (*agent.Agent, error) {
	var src agent.EvidenceSource
	if dir := c.String(flagSimulate); dir != "" {
		var kit *devnet.SimKit
		var err error
		if src, kit, err = devnet.Simulate(c.Context, dir, s.TEE, time.Now()); err != nil {
			return nil, fmt.Errorf("--%s: %w", flagSimulate, err)
		}
		printSimKit(c.App.Writer, kit)
	}
	base := agent.Config{Logger: cliapp.Logger(c)}
	if !c.Bool(flagOnce) {
		base.OnRound = func(r agent.Round) { printRound(c, r) }
	}
	a, err := agent.FromConfig(s, src, base)
	if err != nil {
		return nil, err
	}
	a.WriteStart(c.App.Writer)
	if a.KeyCreated {
		// A new key binds only with the provider's consent: say how to give it.
		fmt.Fprint(c.App.Writer, authorizeKeyHint(a.Config.MachineID, a.Address(), a.Config.Registry))
	}
	return a.Agent, nil
}

// authorizeKeyHint is the command the machine's provider runs to authorise a new
// TEE key: RPC and the two FILEs are the provider's (its keystore and password
// file; --key-file FILE instead for a hex key file).
func authorizeKeyHint(machine common.Hash, key, registry common.Address) string {
	return fmt.Sprintf("teeoracle agent: new TEE key; the machine's provider authorises it with\n"+
		"  teeoracle machine authorize-key --rpc-url RPC --registry %s --machine-id %s --tee-key %s --keystore FILE --password-file FILE\n",
		registry.Hex(), machine.Hex(), key.Hex())
}

// attestOnce runs one attestation round to its end (--once) and prints it; the exit
// status says whether the machine is trusted.
func attestOnce(c *cli.Context, a *agent.Agent, lo lifecycle.Options) error {
	var r *agent.Round
	err := lifecycle.Run(c.Context, lifecycle.NewRunner(func(ctx context.Context) (err error) {
		r, err = a.AttestOnce(ctx)
		return err
	}), lo)
	if err != nil {
		return cliapp.Exit(exitBadInput, err) // a forced exit keeps its status
	}
	printRound(c, *r)
	if !r.Trusted {
		return cliapp.Exit(exitUntrusted, nil)
	}
	return nil
}

func printRound(c *cli.Context, r agent.Round) {
	fmt.Fprintln(c.App.Writer, r.Line(time.Now()))
}

// readAgentFlags returns the agent's settings: the --agent-config file's, with the
// flags given on top (flag defaults fill what neither sets), checked; an error
// names the setting's flag.
func readAgentFlags(c *cli.Context) (*agent.FileConfig, error) {
	s, err := agent.LoadFileConfig(c.String(flagAgentConfig))
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flagAgentConfig, err)
	}
	if err := cliapp.BindOver(c, agentFlags(s)); err != nil {
		return nil, err
	}
	return s, cliapp.FlagNames(s.Check(), s, agentFlags(s), cliapp.InFile(flagAgentConfig))
}
