package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/oracle/appraise"
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
		Flags:       append(verifyFlags(), sharedAs(flagSNPRoots, "Input:", nil), sharedAs(flagTDXRoot, "Input:", nil)),
		Action: func(c *cli.Context) error {
			cfg, err := readVerifyFlags(c, deps.Now)
			if err != nil {
				return badInput(err)
			}
			cliapp.Logger(c).Debug("verifying", "evidence", cfg.Evidence, "as_of", cfg.At)
			res, err := cfg.Run(c.Context)
			if errors.Is(err, verifier.ErrNeedCollateral) {
				return badInput(errNeedCollateral)
			} else if err != nil {
				return badInput(err)
			}
			if c.Bool(flagJSON) {
				err = cliapp.PrintJSON(c.App.Writer, res.Report())
			} else {
				err = res.WriteText(c.App.Writer, cfg.Evidence)
			}
			if err != nil {
				return badInput(err)
			}
			if !res.Decision.Trusted {
				return cliapp.Exit(exitUntrusted, nil)
			}
			return nil
		},
	}
}

// readVerifyFlags turns flags into a verifier.Config; every value that fails to
// parse is an error naming the flag, never a silent default.
func readVerifyFlags(c *cli.Context, now func() time.Time) (*verifier.Config, error) {
	if c.String(flagEvidence) == "" {
		return nil, fmt.Errorf("--%s is required", flagEvidence)
	}
	roots, err := appraise.ReadRoots(rootsFiles(c.String(flagSNPRoots), c.String(flagTDXRoot)))
	if err != nil {
		return nil, err
	}
	f := cliapp.Read(c)
	cfg := &verifier.Config{
		Setup: verifier.Setup{
			Files:   verifier.Files{Evidence: c.String(flagEvidence), Certificates: c.StringSlice(flagCert), Policy: c.String(flagPolicy)},
			Sources: collateralSources(c),
			Roots:   roots,
		},
		At:         f.Time(flagAt, now()),
		Domain:     verdict.Domain{ChainID: c.Uint64(flagChainID), Registry: f.Address(flagRegistry)},
		ReportData: f.HexBytes(flagReportData, 64),
	}
	b := verifier.Binding{MachineID: f.Hash(flagMachineID), TEEKey: f.Address(flagTEEKey),
		AnchorBlockNumber: c.Uint64(flagAnchorNumber), AnchorBlockHash: f.Hash(flagAnchorHash)}
	if err := f.Err(); err != nil {
		return nil, err
	}
	// chain-id and registry alone only choose the verdict's EIP-712 domain; any of
	// the other four means a binding, which needs all six.
	if asked, _ := cliapp.Given(c, flagMachineID, flagTEEKey, flagAnchorNumber, flagAnchorHash); len(asked) > 0 {
		set, unset := cliapp.Given(c, flagChainID, flagRegistry, flagMachineID, flagTEEKey, flagAnchorNumber, flagAnchorHash)
		if len(unset) > 0 {
			return nil, fmt.Errorf("report-data binding needs all of its flags: %v given, %v missing", set, unset)
		}
		cfg.Binding = &b
	}
	return cfg, nil
}

// errNeedCollateral explains why TDX cannot be verified offline without collateral.
var errNeedCollateral = errors.New("TDX needs collateral: give --collateral, or --cache-dir holding it, or drop --offline")
