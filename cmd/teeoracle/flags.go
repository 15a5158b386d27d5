package main

import (
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
)

// Names of the flags several commands share (sharedFlags) and of verify's; each
// command's own flags are defined beside it (serve_flags.go, registry_flags.go,
// agent.go, simulate.go, devnet.go, measure.go). Every flag is kebab-case with
// exactly one environment variable, given by cliapp.WithEnv from its name;
// flags_test.go checks both across all commands.
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
	flagFormat       = "format"
)

// sharedFlags are the flags several commands take, each defined once so that its
// variable keeps one meaning and its help one wording; a command takes them by name
// (shared, sharedAs).
func sharedFlags() []cli.Flag {
	return cliapp.WithEnv(envPrefix, []cli.Flag{
		&cli.StringFlag{Name: flagMachineID,
			Usage: "machine `ID` (0x and 64 hex digits), as registered ('machine register' prints it)"},
		&cli.StringFlag{Name: flagTEEKey,
			Usage: "`ADDRESS` of the key held inside the TEE"},
		// machine register takes sev-snp or tdx, the agent also auto.
		&cli.StringFlag{Name: flagTEE,
			Usage: "`TEE` type: sev-snp or tdx (the agent also takes auto, its default: the guest's attestation interface decides)"},
		&cli.BoolFlag{Name: flagYes,
			Usage: "do not ask for confirmation of an irreversible change (required without a terminal)"},
		&cli.StringSliceFlag{Name: flagOracle,
			Usage: "oracle signer `ADDRESS`; repeatable or comma-separated"},
		&cli.UintFlag{Name: flagThreshold,
			Usage: "quorum `M`: signatures of distinct oracles a verdict needs"},
		&cli.StringFlag{Name: flagPolicyHash,
			Usage: "policy `HASH` (0x and 64 hex digits): the canonical hash of the policy"},
		&cli.BoolFlag{Name: flagOnce,
			Usage: "stop after the first attestation round; exit status 0 only when it ended with a trusted verdict on-chain (for the agent: as its oracle node reports it)"},
		&cli.StringFlag{Name: flagSimulate, TakesFile: true,
			Usage: "TEST ONLY: attest with simulated hardware kept in `DIR` instead of this VM's TEE, and write there the test-only roots, collateral and policy an oracle node needs to trust it (serve --snp-roots/--tdx-root, --collateral, --policy); its evidence verifies nowhere else"},
		&cli.StringFlag{Name: flagFormat, Value: "text", Action: cliapp.OneOf(flagFormat, "text", "json"),
			Usage: "output `FORMAT`: text, or json for scripts"},
		&cli.StringFlag{Name: flagDB, TakesFile: true, Value: "teeoracle.db",
			Usage: "node database `FILE` (bbolt): work queue, archive, verdicts, transaction journal"},
		&cli.StringFlag{Name: flagSNPRoots, TakesFile: true,
			Usage: "PEM `FILE` of AMD roots (ARK, ASK, ASVK per product line) replacing AMD's production roots; for test networks only"},
		&cli.StringFlag{Name: flagTDXRoot, TakesFile: true,
			Usage: "PEM `FILE` of the Intel root CA replacing Intel's production root; for test networks only"},
		&cli.StringFlag{Name: flagExplorerWasm, TakesFile: true,
			Usage: "`DIR` holding scripts/build-wasm's output; the registry explorer at /explorer/ re-verifies verdicts in the browser with it (without it, the explorer only shows the registry)"},
	})
}

// shared is the shared flag named name (sharedFlags).
func shared(name string) cli.Flag { return cliapp.PickFlag(sharedFlags(), name) }

// sharedAs is the shared flag named name filed under category ("": none of its
// own) and bound to dest (nil: not bound).
func sharedAs(name, category string, dest any) cli.Flag {
	f := cliapp.WithCategory(shared(name), category)
	if dest != nil {
		f = cliapp.WithDestination(f, dest)
	}
	return f
}

func globalFlags() []cli.Flag {
	return cliapp.WithEnv(envPrefix, append(cliapp.LogFlags("Process:", envPrefix),
		&cli.BoolFlag{Name: flagVersion, Category: "Process:",
			Usage: "print the version and build information, as 'teeoracle version' does, and exit"}))
}

func verifyFlags() []cli.Flag {
	const (
		catInput   = "Input:"
		catBinding = "Report-data binding (all of chain-id, registry, machine-id, tee-key, anchor-number, anchor-hash, or none):"
		catOutput  = "Output:"
	)
	return cliapp.WithEnv(envPrefix, []cli.Flag{
		&cli.StringFlag{Name: flagEvidence, Category: catInput, TakesFile: true,
			Usage: "evidence `FILE`: raw SEV-SNP report, SEV-SNP extended report, TDX quote (v4/v5), configfs-tsm report JSON, or an evidence bundle"},
		&cli.StringSliceFlag{Name: flagCert, Category: catInput, TakesFile: true,
			Usage: "certificate `FILE` (PEM or DER, or an SEV-SNP certificate table), e.g. the VCEK or VLEK; repeatable"},
		&cli.StringFlag{Name: flagCollateral, Category: catInput, TakesFile: true,
			Usage: "collateral `DIR|FILE`, read alike by verify and serve (docs/collateral.md): an AMD CRL file or a dcap-qvl collateral JSON file; a directory of Intel PCS responses (it holds tcbinfo-<fmspc>.json or tcb_info.json), else a directory of AMD CRLs, every file one (serve re-reads them every pass)"},
		&cli.StringFlag{Name: flagPolicy, Category: catInput, TakesFile: true,
			Usage: "policy `FILE` (YAML or JSON, see docs/policy.md); default: authentic, no debug, TDX UpToDate only, SNP reported TCB = certified TCB"},
		&cli.StringFlag{Name: flagAt, Category: catInput,
			Usage: "verify as of this `TIME` (RFC 3339, e.g. 2024-05-01T12:00:00Z); default: now"},
		&cli.BoolFlag{Name: flagOffline, Category: catInput,
			Usage: "never reach AMD KDS or Intel PCS: use only --collateral, the evidence's certificates and --cache-dir"},
		&cli.StringFlag{Name: flagCacheDir, Category: catInput, TakesFile: true,
			Usage: "collateral cache `DIR` for fetched VCEKs, CRLs and TCB Info; default: memory only"},

		&cli.Uint64Flag{Name: flagChainID, Category: catBinding,
			Usage: "chain `ID` of the registry (also the verdict's EIP-712 domain)"},
		&cli.StringFlag{Name: flagRegistry, Category: catBinding,
			Usage: "registry contract `ADDRESS` (also the verdict's EIP-712 domain)"},
		sharedAs(flagMachineID, catBinding, nil),
		sharedAs(flagTEEKey, catBinding, nil),
		&cli.Uint64Flag{Name: flagAnchorNumber, Category: catBinding,
			Usage: "anchor block `NUMBER` the report data commits to"},
		&cli.StringFlag{Name: flagAnchorHash, Category: catBinding,
			Usage: "anchor block `HASH` (32-byte hex)"},
		&cli.StringFlag{Name: flagReportData, Category: catBinding,
			Usage: "expected report data, 64-byte `HEX`, checked instead of (or as well as) the binding"},

		&cli.BoolFlag{Name: flagJSON, Category: catOutput,
			Usage: "print the result as JSON (trusted, tee, tcb_status, reasons, measurement, hashes, checks, verdict)"},
	})
}
