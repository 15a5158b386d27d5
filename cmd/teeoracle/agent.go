package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/internal/lifecycle"
	"github.com/teeoracle/teeoracle/oracle/agent"
)

// Flags of the agent command (flags.go's rules apply; flags_test.go checks them).
// registry, chain-id and machine-id are verify's flags, with verify's wording.
const (
	flagOracleURL        = "oracle-url"
	flagAgentConfig      = "agent-config"
	flagTEEKeyFile       = "tee-key-file"
	flagReattestFraction = "reattest-fraction"
)

func agentFlags() []cli.Flag {
	flags := []cli.Flag{
		&cli.StringFlag{Name: flagAgentConfig, EnvVars: env(flagAgentConfig), TakesFile: true,
			Usage: "agent configuration `FILE` (YAML or JSON: oracle_url, registry, chain_id, machine_id, key_file, tee, reattest_fraction, workload, runtime_log, rtmr_dir, ccel_dir); flags override it"},
		&cli.StringFlag{Name: flagOracleURL, EnvVars: env(flagOracleURL),
			Usage: "oracle node API base `URL`, e.g. http://oracle.example:8080"},
		&cli.StringFlag{Name: flagTEEKeyFile, EnvVars: env(flagTEEKeyFile), TakesFile: true,
			Usage: "`FILE` of the TEE-held secp256k1 key, created (mode 0600) when missing; refused when group or others can read it"},
		teeFlag(),
		simulateFlag(),
		&cli.Float64Flag{Name: flagReattestFraction, EnvVars: env(flagReattestFraction), Value: defaultReattestFraction,
			DefaultText: "0.667 (2/3)", Usage: "attest again after this `FRACTION` of the verdict's validity"},
		onceFlag(),
	}
	return append(flags, pickVerifyFlags(flagRegistry, flagChainID, flagMachineID)...)
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
  4. submits it, follows it to the verdict on-chain, and checks the verdict,
  5. attests again at --reattest-fraction of the verdict's validity,

retrying with capped, jittered exponential backoff while the oracle or the chain is
down. See docs/provider.md.

Exit status with --once: 0 trusted, 1 untrusted verdict, 2 error.`

func agentCommand(deps appDeps) *cli.Command {
	return &cli.Command{
		Name:        "agent",
		Usage:       "in-VM agent: attest this confidential VM to an oracle node and keep it attested",
		UsageText:   "teeoracle agent --oracle-url URL --registry ADDRESS --machine-id ID --tee-key-file FILE [--agent-config FILE] [--once]",
		Description: agentDescription,
		Flags:       agentFlags(),
		Action: func(c *cli.Context) error {
			cfg, err := readAgentFlags(c)
			if err != nil {
				return badInput(err)
			}
			a, err := newAgent(c, cfg)
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

// newAgent builds the agent of cfg: its evidence source (the TEE, or --simulate's
// simulated hardware), its key and its oracle, and says so on stdout.
func newAgent(c *cli.Context, cfg *agentConfig) (*agent.Agent, error) {
	var src agent.EvidenceSource
	if dir := c.String(flagSimulate); dir != "" {
		s, kit, err := simulatedSource(c.Context, dir, cfg.TEE, time.Now())
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", flagSimulate, err)
		}
		src = s
		printSimKit(c.App.Writer, kit)
	} else {
		var err error
		if src, err = agent.Detect(cfg.TEE); err != nil {
			return nil, err
		}
	}
	src, desc, err := agent.ConfigureWorkload(cfg.File, src, nil)
	if err != nil {
		return nil, err
	}
	if desc != nil {
		fmt.Fprintf(c.App.Writer, "teeoracle agent: workload %s (description sha256 %x)\n", desc.Canonical(), desc.Digest())
	}
	key, created, err := agent.LoadOrCreateKey(cfg.KeyFile)
	if err != nil {
		return nil, err
	}
	oracle, err := agent.NewHTTPOracle(cfg.OracleURL, nil)
	if err != nil {
		return nil, err
	}
	ac := agent.Config{MachineID: cfg.MachineID, Registry: cfg.Registry, ChainID: cfg.ChainID, Key: key,
		Source: src, Oracle: oracle, ReattestFraction: cfg.ReattestFraction, Logger: cliapp.Logger(c)}
	if !c.Bool(flagOnce) {
		ac.OnRound = func(r agent.Round) { printRound(c, r) }
	}
	a, err := agent.New(ac)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(c.App.Writer, "teeoracle agent: machine %s, %s, TEE key %s (%s), oracle %s\n", cfg.MachineID.Hex(), src.TEE(),
		a.Address().Hex(), map[bool]string{true: "created", false: "loaded"}[created], oracle.URL())
	if created {
		// A new key binds only with the provider's consent: say how to give it.
		fmt.Fprintf(c.App.Writer, "teeoracle agent: new TEE key; the machine's provider authorises it with\n"+
			"  teeoracle machine authorize-key --machine-id %s --tee-key %s --rpc-url RPC --registry %s (and its signing key)\n",
			cfg.MachineID.Hex(), a.Address().Hex(), cfg.Registry.Hex())
	}
	return a, nil
}

// attestOnce runs one attestation round to its end (--once) and prints it; the exit
// status says whether the machine is trusted.
func attestOnce(c *cli.Context, a *agent.Agent, lo lifecycle.Options) error {
	var r *agent.Round
	err := lifecycle.Run(c.Context, lifecycle.NewRunner(func(ctx context.Context) (err error) {
		r, err = a.AttestUntilDone(ctx)
		return err
	}), lo)
	if errors.Is(err, lifecycle.ErrForced) {
		return err
	}
	if err != nil {
		return cliapp.Exit(exitBadInput, err)
	}
	printRound(c, *r)
	if !r.Trusted {
		return cliapp.Exit(exitUntrusted, nil)
	}
	return nil
}

func printRound(c *cli.Context, r agent.Round) {
	fmt.Fprintf(c.App.Writer, "%s verdict %s: %s, expires %s, tx %s%s\n", time.Now().UTC().Format(time.RFC3339), r.VerdictHash.Hex(),
		r.Verdict.Status, time.Unix(int64(r.Verdict.ExpiresAt), 0).UTC().Format(time.RFC3339), r.TxHash.Hex(), reasonSuffix(r.Reasons))
}

func reasonSuffix(rs []string) string {
	if len(rs) == 0 {
		return ""
	}
	return " (" + strings.Join(rs, ", ") + ")"
}

// agentConfig is the agent command's configuration: the config file's values with
// the flags given on top, parsed and checked.
type agentConfig struct {
	OracleURL        string
	Registry         common.Address
	ChainID          uint64
	MachineID        common.Hash
	KeyFile          string
	TEE              string
	ReattestFraction float64
	// File is the configuration file as read (workload settings come from it only).
	File *agent.FileConfig
}

func readAgentFlags(c *cli.Context) (*agentConfig, error) {
	fc := &agent.FileConfig{}
	if p := c.String(flagAgentConfig); p != "" {
		var err error
		if fc, err = agent.LoadFileConfig(p); err != nil {
			return nil, fmt.Errorf("--%s: %w", flagAgentConfig, err)
		}
	}
	str := func(flag, fromFile string) string {
		if c.IsSet(flag) {
			return c.String(flag)
		}
		return fromFile
	}
	cfg := &agentConfig{OracleURL: str(flagOracleURL, fc.OracleURL), KeyFile: str(flagTEEKeyFile, fc.KeyFile),
		TEE: str(flagTEE, fc.TEE), ChainID: fc.ChainID, ReattestFraction: fc.ReattestFraction, File: fc}
	if c.IsSet(flagChainID) {
		cfg.ChainID = c.Uint64(flagChainID)
	}
	if c.IsSet(flagReattestFraction) || cfg.ReattestFraction == 0 {
		cfg.ReattestFraction = c.Float64(flagReattestFraction)
	}
	if cfg.TEE == "" {
		cfg.TEE = "auto"
	}
	switch cfg.TEE {
	case "auto", "sev-snp", "tdx":
	default:
		return nil, fmt.Errorf("--%s %q: want sev-snp, tdx or auto", flagTEE, cfg.TEE)
	}
	if cfg.ReattestFraction < 0 || cfg.ReattestFraction >= 1 {
		return nil, fmt.Errorf("--%s %v: want a fraction in [0, 1)", flagReattestFraction, cfg.ReattestFraction)
	}
	reg, mid := str(flagRegistry, fc.Registry), str(flagMachineID, fc.MachineID)
	var err error
	switch {
	case cfg.OracleURL == "":
		return nil, fmt.Errorf("--%s (or oracle_url in --%s) is required", flagOracleURL, flagAgentConfig)
	case reg == "":
		return nil, fmt.Errorf("--%s (or registry in --%s) is required", flagRegistry, flagAgentConfig)
	case mid == "":
		return nil, fmt.Errorf("--%s (or machine_id in --%s) is required", flagMachineID, flagAgentConfig)
	case cfg.KeyFile == "":
		return nil, fmt.Errorf("--%s (or key_file in --%s) is required", flagTEEKeyFile, flagAgentConfig)
	}
	if cfg.Registry, err = agent.ParseAddress(reg); err != nil {
		return nil, fmt.Errorf("--%s: %w", flagRegistry, err)
	}
	if cfg.MachineID, err = agent.ParseHash(mid); err != nil {
		return nil, fmt.Errorf("--%s: %w", flagMachineID, err)
	}
	return cfg, nil
}
