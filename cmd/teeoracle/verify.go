package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/verdict"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

const verifyDescription = `Verifies one piece of attestation evidence and prints the verdict.

The evidence type (SEV-SNP or TDX) is read from the bytes. Certificates may come
inside the evidence (extended report, configfs-tsm auxblob, bundle, the TDX quote's
PCK chain) or as --cert files. Collateral (AMD CRLs, Intel TCB Info, QE Identity,
CRLs) comes from --collateral, from --cache-dir, or, unless --offline, from AMD KDS
and Intel PCS.

Everything is evaluated as of --at, so a past verdict can be reproduced exactly.

When the binding flags are given, the report data must equal the binding of
docs/verdict-encoding.md; with --report-data it must equal those 64 bytes. The
verdict hash printed is the EIP-712 digest for --chain-id and --registry (0 and the
zero address when not given): the value the registry's hashVerdict returns.

Exit status: 0 trusted, 1 not trusted (a verdict was made), 2 bad input or error.`

func verifyCommand(deps appDeps) *cli.Command {
	return &cli.Command{
		Name:        "verify",
		Usage:       "verify attestation evidence against a policy and print the verdict",
		UsageText:   "teeoracle verify --evidence FILE [--cert FILE]... [--collateral DIR|FILE] [--policy FILE] [--at RFC3339] [--offline] [--json] [binding flags]",
		Description: verifyDescription,
		Flags:       append(verifyFlags(), snpRootsFlag("Input:", nil), tdxRootFlag("Input:", nil)),
		Action: func(c *cli.Context) error {
			cfg, err := readVerifyFlags(c, deps.Now)
			if err != nil {
				return badInput(err)
			}
			res, err := runVerify(c.Context, cfg, cliapp.Logger(c))
			if err != nil {
				return badInput(err)
			}
			if err := res.print(c.App.Writer, cfg.JSON); err != nil {
				return badInput(err)
			}
			if !res.Decision.Trusted {
				return cliapp.Exit(exitUntrusted, nil)
			}
			return nil
		},
	}
}

// verifyConfig is the verify command's configuration, parsed and checked.
type verifyConfig struct {
	Evidence   string
	Certs      []string
	Collateral string
	Policy     string
	At         time.Time
	Offline    bool
	CacheDir   string
	JSON       bool
	// Roots replace the vendors' roots (test networks, the devnet); nil fields mean
	// AMD's and Intel's production roots.
	Roots *appraise.CustomRoots
	// Domain, Binding (nil: none) and ReportData (nil: not checked) go into the
	// request as they are.
	Domain     verdict.Domain
	Binding    *verifier.Binding
	ReportData []byte
}

// readVerifyFlags turns flags into a verifyConfig; every value that fails to parse is
// an error naming the flag, never a silent default.
func readVerifyFlags(c *cli.Context, now func() time.Time) (*verifyConfig, error) {
	cfg := &verifyConfig{
		Evidence:   c.String(flagEvidence),
		Certs:      c.StringSlice(flagCert),
		Collateral: c.String(flagCollateral),
		Policy:     c.String(flagPolicy),
		Offline:    c.Bool(flagOffline),
		CacheDir:   c.String(flagCacheDir),
		JSON:       c.Bool(flagJSON),
	}
	if cfg.Evidence == "" {
		return nil, fmt.Errorf("--%s is required", flagEvidence)
	}
	var err error
	if cfg.Roots, err = readRoots(c.String(flagSNPRoots), c.String(flagTDXRoot)); err != nil {
		return nil, err
	}
	if cfg.At, err = cliapp.Time(c, flagAt, now()); err != nil {
		return nil, err
	}
	// Verdicts carry whole seconds; a fraction would make the appraisal and the
	// verdict disagree about the time.
	cfg.At = cfg.At.UTC().Truncate(time.Second)
	cfg.Domain.ChainID = c.Uint64(flagChainID)
	if cfg.Domain.Registry, err = cliapp.Address(c, flagRegistry); err != nil {
		return nil, err
	}
	b := verifier.Binding{AnchorBlockNumber: c.Uint64(flagAnchorNumber)}
	if b.MachineID, err = cliapp.Hash(c, flagMachineID); err != nil {
		return nil, err
	}
	if b.TEEKey, err = cliapp.Address(c, flagTEEKey); err != nil {
		return nil, err
	}
	if b.AnchorBlockHash, err = cliapp.Hash(c, flagAnchorHash); err != nil {
		return nil, err
	}
	binding := []string{flagChainID, flagRegistry, flagMachineID, flagTEEKey, flagAnchorNumber, flagAnchorHash}
	var set, unset []string
	for _, f := range binding {
		if c.IsSet(f) {
			set = append(set, "--"+f)
		} else {
			unset = append(unset, "--"+f)
		}
	}
	// chain-id and registry alone only choose the verdict's EIP-712 domain; any of
	// the other four means a binding, which needs all six.
	bindingAsked := c.IsSet(flagMachineID) || c.IsSet(flagTEEKey) || c.IsSet(flagAnchorNumber) || c.IsSet(flagAnchorHash)
	if bindingAsked && len(unset) > 0 {
		return nil, fmt.Errorf("report-data binding needs all of its flags: %v given, %v missing", set, unset)
	}
	if bindingAsked {
		cfg.Binding = &b
	}
	if cfg.ReportData, err = cliapp.HexBytes(c, flagReportData, 64); err != nil {
		return nil, err
	}
	return cfg, nil
}

// verifyResult is everything verify prints: the shared pipeline's result and the
// configuration that produced it.
type verifyResult struct {
	*verifier.Result
	Config *verifyConfig
}

// runVerify reads the files cfg names and runs them through oracle/verifier, the
// pipeline the oracle node and the WebAssembly verifier run too. An error means no
// verdict could be made.
func runVerify(ctx context.Context, cfg *verifyConfig, log interface {
	Debug(string, ...any)
}) (*verifyResult, error) {
	opts := collateral.SourceOptions{Local: cfg.Collateral, CacheDir: cfg.CacheDir, Offline: cfg.Offline, AsOf: cfg.At}
	if opts.Local != "" {
		// The request carries --collateral; the cache would serve nothing.
		opts.CacheDir, opts.Offline = "", true
	}
	src, err := collateral.OpenSources(opts)
	if err != nil {
		return nil, err
	}
	req, err := verifier.ReadRequest(verifier.Files{Evidence: cfg.Evidence, Certificates: cfg.Certs, Policy: cfg.Policy, Collateral: src.Local})
	if err != nil {
		return nil, err
	}
	req.At, req.Domain, req.Binding, req.ReportData = cfg.At, cfg.Domain, cfg.Binding, cfg.ReportData
	vopts := verifier.Options{SNPRoots: cfg.Roots.SNP, TDXRoot: cfg.Roots.TDX}
	// Collateral from --collateral travels in the request; without it, the cache
	// (and AMD KDS, Intel PCS) serves it, when there is one.
	if src.Local == nil && (src.SNP != nil || src.TDX != nil) {
		if vopts.Appraiser, err = appraise.NewByTEE(appraise.SourcesConfig{Roots: cfg.Roots, SNP: src.SNP, TDX: src.TDX}); err != nil {
			return nil, err
		}
	}
	v, err := verifier.New(vopts)
	if err != nil {
		return nil, err
	}
	log.Debug("verifying", "evidence", cfg.Evidence, "as_of", cfg.At)
	res, err := v.Verify(ctx, req)
	if err != nil {
		switch {
		case errors.Is(err, verifier.ErrNeedCollateral):
			return nil, errNeedCollateral
		case errors.Is(err, policy.ErrInvalid):
			return nil, fmt.Errorf("%s: %w", cfg.Policy, err)
		}
		return nil, err
	}
	return &verifyResult{Result: res, Config: cfg}, nil
}

// errNeedCollateral explains why TDX cannot be verified offline without collateral.
var errNeedCollateral = errors.New("TDX needs collateral: give --collateral, or --cache-dir holding it, or drop --offline")
