package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/internal/cliapp"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/policy"
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
				printAudit(c.App.Writer, res)
			}
			if !res.Reproduced {
				return cliapp.Exit(exitUntrusted, nil)
			}
			return nil
		},
	}
}

func printAudit(w io.Writer, res *audit.Result) {
	fmt.Fprintf(w, "verdict    %s\n", res.VerdictHash)
	if res.Recomputed != (common.Hash{}) {
		fmt.Fprintf(w, "recomputed %s\n", res.Recomputed)
	} else {
		fmt.Fprintf(w, "recomputed -  (the archive does not back the verdict, nothing was re-run)\n")
	}
	switch oc := res.OnChain; {
	case oc == nil:
		fmt.Fprintf(w, "on-chain   not checked (no --%s)\n", flagRPCURL)
	case oc.Accepted:
		cur := "superseded by a later verdict"
		if oc.Current {
			cur = "the machine's current verdict"
		}
		fmt.Fprintf(w, "on-chain   accepted by %s on chain %d in block %d (tx %s), %s\n", oc.Registry, oc.ChainID, oc.Block, oc.TxHash, cur)
	default:
		fmt.Fprintf(w, "on-chain   NOT accepted by %s on chain %d\n", oc.Registry, oc.ChainID)
	}
	fmt.Fprintf(w, "roots      %s\n", res.Roots)
	if res.RecomputedVerdict != nil {
		fmt.Fprintf(w, "reasons    %s\n", strings.Join(reasonsOrNone(policy.Reason(res.RecomputedVerdict.Reasons)), ", "))
	}
	for _, c := range res.Skipped {
		fmt.Fprintf(w, "skipped    %s\n", printable(c))
	}
	fmt.Fprintf(w, "reproduced %v\n", res.Reproduced)
	for _, d := range res.Differences {
		fmt.Fprintf(w, "  differs (%s): %s\n", printable(d.What), printable(d.Detail))
	}
}

// printable escapes control characters and invalid UTF-8 in text that may come
// from the audited node (Go's escapes: \x1b, \n), so that it cannot act on the
// terminal it is printed to.
func printable(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r == utf8.RuneError || unicode.IsControl(r) }) {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
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
