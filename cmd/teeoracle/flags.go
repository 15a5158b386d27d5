package main

import (
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
)

// Flag names shared by several commands and verify's; each command's own flags are
// defined beside it (serve_flags.go, registry_flags.go, agent.go, simulate.go,
// devnet.go, measure.go). Every
// flag is kebab-case with exactly one environment variable, envName(name);
// flags_test.go enforces it across all commands.
const (
	flagVersion = "version"

	flagEvidence     = "evidence"
	flagCert         = "cert"
	flagCollateral   = "collateral"
	flagPolicy       = "policy"
	flagAt           = "at"
	flagOffline      = "offline"
	flagJSON         = "json"
	flagCacheDir     = "cache-dir"
	flagChainID      = "chain-id"
	flagRegistry     = "registry"
	flagMachineID    = "machine-id"
	flagTEEKey       = "tee-key"
	flagAnchorNumber = "anchor-number"
	flagAnchorHash   = "anchor-hash"
	flagReportData   = "report-data"
	flagTEE          = "tee"
)

func env(name string) []string { return cliapp.EnvVars(envPrefix, name) }

// machineIDFlag is --machine-id, the one name of a machine id in every command.
func machineIDFlag(category string) cli.Flag {
	return &cli.StringFlag{Name: flagMachineID, Category: category, EnvVars: env(flagMachineID),
		Usage: "machine `ID` (0x and 64 hex digits), as registered ('machine register' prints it)"}
}

// teeKeyFlag is --tee-key, the one name of the address of a TEE-held key.
func teeKeyFlag(category string) cli.Flag {
	return &cli.StringFlag{Name: flagTEEKey, Category: category, EnvVars: env(flagTEEKey),
		Usage: "`ADDRESS` of the key held inside the TEE"}
}

// teeFlag is --tee, the one name of a TEE type: machine register takes sev-snp or
// tdx, the agent also auto.
func teeFlag() cli.Flag {
	return &cli.StringFlag{Name: flagTEE, EnvVars: env(flagTEE),
		Usage: "`TEE` type: sev-snp or tdx (the agent also takes auto, its default: the guest's attestation interface decides)"}
}

func globalFlags() []cli.Flag {
	return append(cliapp.LogFlags("Process:", envPrefix),
		&cli.BoolFlag{Name: flagVersion, Category: "Process:", EnvVars: env(flagVersion),
			Usage: "print the version and build information, as 'teeoracle version' does, and exit"})
}

func verifyFlags() []cli.Flag {
	const (
		catInput   = "Input:"
		catBinding = "Report-data binding (all of chain-id, registry, machine-id, tee-key, anchor-number, anchor-hash, or none):"
		catOutput  = "Output:"
	)
	return []cli.Flag{
		&cli.StringFlag{Name: flagEvidence, Category: catInput, EnvVars: env(flagEvidence), TakesFile: true,
			Usage: "evidence `FILE`: raw SEV-SNP report, SEV-SNP extended report, TDX quote (v4/v5), configfs-tsm report JSON, or an evidence bundle"},
		&cli.StringSliceFlag{Name: flagCert, Category: catInput, EnvVars: env(flagCert), TakesFile: true,
			Usage: "certificate `FILE` (PEM or DER, or an SEV-SNP certificate table), e.g. the VCEK or VLEK; repeatable"},
		&cli.StringFlag{Name: flagCollateral, Category: catInput, EnvVars: env(flagCollateral), TakesFile: true,
			Usage: "collateral `DIR|FILE`, read alike by verify and serve (docs/collateral.md): an AMD CRL file or a dcap-qvl collateral JSON file; a directory of Intel PCS responses (it holds tcbinfo-<fmspc>.json or tcb_info.json), else a directory of AMD CRLs, every file one (serve re-reads them every pass)"},
		&cli.StringFlag{Name: flagPolicy, Category: catInput, EnvVars: env(flagPolicy), TakesFile: true,
			Usage: "policy `FILE` (YAML or JSON, see docs/policy.md); default: authentic, no debug, TDX UpToDate only, SNP reported TCB = certified TCB"},
		&cli.StringFlag{Name: flagAt, Category: catInput, EnvVars: env(flagAt),
			Usage: "verify as of this `TIME` (RFC 3339, e.g. 2024-05-01T12:00:00Z); default: now"},
		&cli.BoolFlag{Name: flagOffline, Category: catInput, EnvVars: env(flagOffline),
			Usage: "never reach AMD KDS or Intel PCS: use only --collateral, the evidence's certificates and --cache-dir"},
		&cli.StringFlag{Name: flagCacheDir, Category: catInput, EnvVars: env(flagCacheDir), TakesFile: true,
			Usage: "collateral cache `DIR` for fetched VCEKs, CRLs and TCB Info; default: memory only"},

		&cli.Uint64Flag{Name: flagChainID, Category: catBinding, EnvVars: env(flagChainID),
			Usage: "chain `ID` of the registry (also the verdict's EIP-712 domain)"},
		&cli.StringFlag{Name: flagRegistry, Category: catBinding, EnvVars: env(flagRegistry),
			Usage: "registry contract `ADDRESS` (also the verdict's EIP-712 domain)"},
		machineIDFlag(catBinding),
		teeKeyFlag(catBinding),
		&cli.Uint64Flag{Name: flagAnchorNumber, Category: catBinding, EnvVars: env(flagAnchorNumber),
			Usage: "anchor block `NUMBER` the report data commits to"},
		&cli.StringFlag{Name: flagAnchorHash, Category: catBinding, EnvVars: env(flagAnchorHash),
			Usage: "anchor block `HASH` (32-byte hex)"},
		&cli.StringFlag{Name: flagReportData, Category: catBinding, EnvVars: env(flagReportData),
			Usage: "expected report data, 64-byte `HEX`, checked instead of (or as well as) the binding"},

		&cli.BoolFlag{Name: flagJSON, Category: catOutput, EnvVars: env(flagJSON),
			Usage: "print the result as JSON (trusted, tee, tcb_status, reasons, measurement, hashes, checks, verdict)"},
	}
}
