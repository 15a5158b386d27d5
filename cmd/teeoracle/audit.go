package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/service"
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

// auditFlagsUsed refuses flags audit would otherwise ignore: --registry or
// --chain-id without --rpc-url (no on-chain check would be made), and --db beside
// --node (the node's archive would be audited, not the file).
func auditFlagsUsed(c *cli.Context) error {
	if set, _ := cliapp.Given(c, flagRegistry, flagChainID); len(set) > 0 && c.String(flagRPCURL) == "" {
		return fmt.Errorf("%s needs --%s: the registry is checked on that chain, and without it nothing on-chain is checked", set[0], flagRPCURL)
	}
	if c.String(flagNode) != "" && c.IsSet(flagDB) {
		return fmt.Errorf("--%s and --%s name two archives; give one", flagNode, flagDB)
	}
	return nil
}

// runAudit audits as the flags ask (audit.Run), on the chain of --rpc-url when it
// is given; an error names the flags it is about.
func runAudit(c *cli.Context) (*audit.Result, error) {
	if err := auditFlagsUsed(c); err != nil {
		return nil, err
	}
	f := cliapp.Read(c)
	snp, tdx := rootsFiles(c.String(flagSNPRoots), c.String(flagTDXRoot))
	cfg := audit.Config{VerdictHash: f.Hash(flagVerdictHash), MachineID: f.Hash(flagMachineID), Node: c.String(flagNode), DB: c.String(flagDB),
		StoreOptions: service.StoreOptions(cliapp.Logger(c)), SNPRoots: snp, TDXRoot: tdx}
	if err := f.Err(); err != nil {
		return nil, err
	}
	ctx := c.Context
	if c.String(flagRPCURL) != "" {
		s, err := chainSession(c, true, false)
		if err != nil {
			return nil, err
		}
		var cc *chain.Conn
		var done func()
		if ctx, cc, _, done, err = s.Open(ctx); err != nil {
			return nil, err
		}
		defer done()
		cfg.Registry, cfg.ChainID = cc.Registry, cc.ChainID
	}
	res, err := audit.Run(ctx, cfg)
	return res, cliapp.FlagNames(err, nil, nil, cliapp.ByTable(map[string]string{"VerdictHash": flagVerdictHash,
		"MachineID": flagMachineID, "Registry": flagRPCURL, "DB": flagDB}))
}
