package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

const auditDescription = `Re-runs the decision behind a verdict from its archive and says whether the
verdict's EIP-712 hash is reproduced bit for bit.

The verdict, its audit record (decision time, binding inputs, collateral hashes),
the evidence, the policy and the collateral come from a node's API (--node) or a
node database (--db; stop the node or use a copy, the file is locked while it
runs). Appraisal and decision are made as of the verdict's time with only the
archived collateral: nothing is fetched from AMD or Intel. Archived content that
does not hash to what the verdict and its audit record name (other evidence, another
policy, damaged collateral) is reported, and nothing is re-run on it.

With --rpc-url and --registry, audit also checks that the registry accepted the
verdict (its VerdictAccepted event) and that the verdict was made for that
registry; --machine-id then audits the machine's latest verdict on-chain (also with
--node). Without them, --machine-id needs --db and audits the latest archived verdict.
--registry or --chain-id without --rpc-url, and --db beside --node, are refused.

Exit status: 0 reproduced (and accepted on-chain, when checked), 1 not reproduced
(the differences are listed), 2 bad input or error.`

func auditCommand(deps appDeps) *cli.Command {
	return &cli.Command{
		Name:        "audit",
		Usage:       "reproduce a verdict from the archive",
		UsageText:   "teeoracle audit (--verdict-hash HASH | --machine-id ID) (--node URL | --db FILE) [--rpc-url URL --registry ADDRESS] [--json]",
		Description: auditDescription,
		Flags:       append(auditFlags(), chainReadFlags()...),
		Action: func(c *cli.Context) error {
			res, err := runAudit(c)
			if err != nil {
				return badInput(err)
			}
			if c.Bool(flagJSON) {
				if err := cliapp.PrintJSON(c.App.Writer, res); err != nil {
					return badInput(err)
				}
			} else {
				res.WriteText(c.App.Writer)
			}
			if !res.Reproduced {
				return cliapp.Exit(exitUntrusted, nil)
			}
			return nil
		},
	}
}

// auditTarget returns the verdict hash to audit: --verdict-hash, or with
// --machine-id the machine's latest verdict (audit.LatestVerdict): the registry's
// with --rpc-url, else the database's.
func auditTarget(ctx context.Context, c *cli.Context, cc *chain.Conn, st *store.Store) (common.Hash, error) {
	h, err := cliapp.Hash(c, flagVerdictHash)
	if err != nil || h != (common.Hash{}) {
		return h, err
	}
	if c.String(flagMachineID) == "" {
		return common.Hash{}, fmt.Errorf("--%s or --%s is required", flagVerdictHash, flagMachineID)
	}
	id, err := cliapp.Hash(c, flagMachineID)
	if err != nil {
		return common.Hash{}, err
	}
	var reg audit.Registry
	if cc != nil {
		reg = cc.Registry
	}
	h, err = audit.LatestVerdict(ctx, id, reg, st)
	switch {
	case errors.Is(err, audit.ErrNoLookup):
		return common.Hash{}, fmt.Errorf("--%s needs --%s (audit the verdict on-chain) or --%s (the latest archived one)", flagMachineID, flagRPCURL, flagDB)
	case err != nil:
		return common.Hash{}, fmt.Errorf("--%s %s: %w", flagMachineID, id, err)
	}
	return h, nil
}

// auditFlagsUsed refuses flags audit would otherwise ignore: --registry or
// --chain-id without --rpc-url (no on-chain check would be made), and --db beside
// --node (the node's archive would be audited, not the file).
func auditFlagsUsed(c *cli.Context) error {
	if c.String(flagRPCURL) == "" {
		for _, f := range []string{flagRegistry, flagChainID} {
			if c.IsSet(f) {
				return fmt.Errorf("--%s needs --%s: the registry is checked on that chain, and without it nothing on-chain is checked", f, flagRPCURL)
			}
		}
	}
	if c.String(flagNode) != "" && c.IsSet(flagDB) {
		return fmt.Errorf("--%s and --%s name two archives; give one", flagNode, flagDB)
	}
	return nil
}

func runAudit(c *cli.Context) (*audit.Result, error) {
	if err := auditFlagsUsed(c); err != nil {
		return nil, err
	}
	ctx := c.Context
	src, st, err := audit.OpenSource(c.String(flagNode), c.String(flagDB), service.StoreOptions(cliapp.Logger(c)))
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flagDB, err)
	}
	if st != nil {
		defer st.Close()
	}
	var cc *chain.Conn
	if c.String(flagRPCURL) != "" {
		var done func()
		if ctx, cc, done, err = dial(c, true); err != nil {
			return nil, err
		}
		defer done()
	}
	h, err := auditTarget(ctx, c, cc, st)
	if err != nil {
		return nil, err
	}
	snp, tdx := rootsFiles(c.String(flagSNPRoots), c.String(flagTDXRoot))
	roots, err := appraise.ReadRoots(snp, tdx)
	if err != nil {
		return nil, err
	}
	res, err := audit.Reproduce(ctx, src, h, verifier.Options{SNPRoots: roots.SNP, TDXRoot: roots.TDX})
	if err != nil {
		return nil, err
	}
	res.Roots = appraise.DescribeRoots(snp, tdx)
	if cc != nil {
		if err := audit.CheckOnChain(ctx, cc.Registry, cc.ChainID, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}
