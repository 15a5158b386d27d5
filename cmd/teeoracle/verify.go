package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/verdict"
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
		Flags:       verifyFlags(),
		Action: func(c *cli.Context) error {
			cfg, err := readVerifyFlags(c, deps.Now)
			if err != nil {
				return badInput(err)
			}
			res, err := runVerify(c.Context, cfg, logger(c))
			if err != nil {
				return badInput(err)
			}
			if err := res.print(c.App.Writer, cfg.JSON); err != nil {
				return badInput(err)
			}
			if !res.Decision.Trusted {
				return &exitError{code: exitUntrusted}
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
	Domain     verdict.Domain
	Inputs     policy.Inputs
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
	cfg.At = now().UTC().Truncate(time.Second)
	if s := c.String(flagAt); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, fmt.Errorf("--%s %q: not an RFC 3339 time: %w", flagAt, s, err)
		}
		// Verdicts carry whole seconds; a fraction would make the appraisal and the
		// verdict disagree about the time.
		cfg.At = t.UTC().Truncate(time.Second)
	}
	in := policy.Inputs{AsOf: cfg.At, ChainID: c.Uint64(flagChainID)}
	var err error
	if in.Registry, err = parseAddress(c, flagRegistry); err != nil {
		return nil, err
	}
	if in.MachineID, err = parseHash(c, flagMachineID); err != nil {
		return nil, err
	}
	if in.TEEKey, err = parseAddress(c, flagTEEKey); err != nil {
		return nil, err
	}
	in.AnchorBlockNumber = c.Uint64(flagAnchorNumber)
	if in.AnchorBlockHash, err = parseHash(c, flagAnchorHash); err != nil {
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
	in.Bind = bindingAsked
	if s := c.String(flagReportData); s != "" {
		b, err := hexutil.Decode(s)
		if err != nil || len(b) != 64 {
			return nil, fmt.Errorf("--%s: want 0x and 128 hex digits (64 bytes), got %q", flagReportData, s)
		}
		in.ExpectedReportData = b
	}
	cfg.Inputs = in
	cfg.Domain = verdict.Domain{ChainID: in.ChainID, Registry: in.Registry}
	return cfg, nil
}

func parseAddress(c *cli.Context, flag string) (common.Address, error) {
	s := c.String(flag)
	if s == "" {
		return common.Address{}, nil
	}
	if !common.IsHexAddress(s) {
		return common.Address{}, fmt.Errorf("--%s %q: not a 20-byte hex address", flag, s)
	}
	return common.HexToAddress(s), nil
}

func parseHash(c *cli.Context, flag string) (common.Hash, error) {
	s := c.String(flag)
	if s == "" {
		return common.Hash{}, nil
	}
	b, err := hexutil.Decode(s)
	if err != nil || len(b) != 32 {
		return common.Hash{}, fmt.Errorf("--%s %q: want 0x and 64 hex digits (32 bytes)", flag, s)
	}
	return common.BytesToHash(b), nil
}

// verifyResult is everything verify prints.
type verifyResult struct {
	Config     *verifyConfig
	Evidence   *evidence.Evidence
	Policy     *policy.Policy
	PolicyHash common.Hash
	Appraisal  *appraise.Appraisal
	Decision   *policy.Decision
	Digest     common.Hash
}

// runVerify decodes, appraises and decides. An error means no verdict could be made.
func runVerify(ctx context.Context, cfg *verifyConfig, log interface {
	Debug(string, ...any)
}) (*verifyResult, error) {
	data, err := os.ReadFile(cfg.Evidence)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	var extra []evidence.Input
	for _, path := range cfg.Certs {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("certificate: %w", err)
		}
		extra = append(extra, evidence.Input{Name: path, Data: b})
	}
	ev, err := evidence.Decode(cfg.Evidence, data, extra...)
	if err != nil {
		return nil, fmt.Errorf("decode evidence: %w", err)
	}
	pol := policy.Default()
	if cfg.Policy != "" {
		if pol, err = policy.Load(cfg.Policy); err != nil {
			return nil, err
		}
	}
	ph, err := pol.Hash()
	if err != nil {
		return nil, err
	}
	appraiser, err := newAppraiser(ev.TEE, cfg)
	if err != nil {
		return nil, err
	}
	log.Debug("appraising", "evidence", cfg.Evidence, "tee", ev.TEE.String(), "as_of", cfg.At)
	app, err := appraiser.Appraise(ctx, ev, cfg.At)
	if err != nil {
		return nil, fmt.Errorf("appraise %s: %w", cfg.Evidence, err)
	}
	dec, err := policy.Decide(app, pol, cfg.Inputs)
	if err != nil {
		return nil, fmt.Errorf("decide %s: %w", cfg.Evidence, err)
	}
	return &verifyResult{Config: cfg, Evidence: ev, Policy: pol, PolicyHash: ph, Appraisal: app,
		Decision: dec, Digest: dec.Verdict.Digest(cfg.Domain)}, nil
}

// errNeedCollateral explains why TDX cannot be verified offline without collateral.
var errNeedCollateral = errors.New("TDX needs collateral: give --collateral, or --cache-dir holding it, or drop --offline")

// newAppraiser builds the appraiser for one TEE with the collateral sources cfg names.
func newAppraiser(tee evidence.TEE, cfg *verifyConfig) (appraise.Appraiser, error) {
	var cache *collateral.Cache
	openCache := func() (*collateral.Cache, error) {
		if cache != nil {
			return cache, nil
		}
		opts := collateral.Options{Dir: cfg.CacheDir, Offline: cfg.Offline}
		if !cfg.Offline {
			opts.Fetcher = &collateral.HTTPFetcher{}
		}
		c, err := collateral.New(opts)
		if err != nil {
			return nil, fmt.Errorf("collateral cache %s: %w", cfg.CacheDir, err)
		}
		cache = c
		return c, nil
	}
	switch tee {
	case evidence.TEESEVSNP:
		var src appraise.SNPCollateral
		switch {
		case cfg.Collateral != "":
			local, err := loadSNPCRLs(cfg.Collateral)
			if err != nil {
				return nil, err
			}
			src = local
		case !cfg.Offline || cfg.CacheDir != "":
			c, err := openCache()
			if err != nil {
				return nil, err
			}
			src = &collateral.KDS{Cache: c}
		}
		a, err := appraise.NewSNP(appraise.SNPConfig{Collateral: src})
		if err != nil {
			return nil, err
		}
		return appraise.ByTEE{SNP: a}, nil
	case evidence.TEETDX:
		var src appraise.TDXCollateralSource
		switch {
		case cfg.Collateral != "":
			st, err := os.Stat(cfg.Collateral)
			if err != nil {
				return nil, fmt.Errorf("collateral: %w", err)
			}
			if st.IsDir() {
				d, err := collateral.LoadPCSDir(cfg.Collateral)
				if err != nil {
					return nil, fmt.Errorf("collateral %s: %w", cfg.Collateral, err)
				}
				src = d
			} else {
				d, err := collateral.LoadDcapQVL(cfg.Collateral)
				if err != nil {
					return nil, fmt.Errorf("collateral %s: %w", cfg.Collateral, err)
				}
				src = d
			}
		case !cfg.Offline || cfg.CacheDir != "":
			c, err := openCache()
			if err != nil {
				return nil, err
			}
			src = &collateral.PCSFetcher{Getter: collateral.TDXGetter{Cache: c, AsOf: cfg.At}}
		default:
			return nil, errNeedCollateral
		}
		a, err := appraise.NewTDX(appraise.TDXConfig{Collateral: src})
		if err != nil {
			return nil, err
		}
		return appraise.ByTEE{TDX: a}, nil
	}
	return nil, fmt.Errorf("evidence %s: unknown TEE", cfg.Evidence)
}
