package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/urfave/cli/v2"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
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
registry; --machine then audits the machine's latest verdict on-chain (also with
--node). Without them, --machine needs --db and audits the latest archived verdict.

Exit status: 0 reproduced (and accepted on-chain, when checked), 1 not reproduced
(the differences are listed), 2 bad input or error.`

func auditCommand(deps appDeps) *cli.Command {
	return &cli.Command{
		Name:        "audit",
		Usage:       "reproduce a verdict from the archive",
		UsageText:   "teeoracle audit (--verdict-hash HASH | --machine ID) (--node URL | --db FILE) [--rpc-url URL --registry ADDRESS] [--json]",
		Description: auditDescription,
		Flags:       append(auditFlags(), chainReadFlags()...),
		Action: func(c *cli.Context) error {
			res, err := runAudit(c)
			if err != nil {
				return badInput(err)
			}
			if c.Bool(flagJSON) {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return badInput(err)
				}
			} else {
				printAudit(c.App.Writer, res)
			}
			if !res.Reproduced {
				return &exitError{code: exitUntrusted}
			}
			return nil
		},
	}
}

func printAudit(w io.Writer, res *auditResult) {
	fmt.Fprintf(w, "verdict    %s\n", res.VerdictHash)
	if res.Recomputed != (common.Hash{}) {
		fmt.Fprintf(w, "recomputed %s\n", res.Recomputed)
	} else {
		fmt.Fprintf(w, "recomputed -  (the archive does not back the verdict, nothing was re-run)\n")
	}
	switch oc := res.OnChain; {
	case oc == nil:
		fmt.Fprintf(w, "on-chain   not checked (no --%s)\n", rfRPCURL)
	case oc.Accepted:
		cur := "superseded by a later verdict"
		if oc.Current {
			cur = "the machine's current verdict"
		}
		fmt.Fprintf(w, "on-chain   accepted by %s on chain %d in block %d (tx %s), %s\n", oc.Registry, oc.ChainID, oc.Block, oc.TxHash, cur)
	default:
		fmt.Fprintf(w, "on-chain   NOT accepted by %s on chain %d\n", oc.Registry, oc.ChainID)
	}
	fmt.Fprintf(w, "reproduced %v\n", res.Reproduced)
	for _, d := range res.Differences {
		fmt.Fprintf(w, "  differs (%s): %s\n", d.What, d.Detail)
	}
}

// What an audit difference is about (auditDifference.What), for scripts reading
// --json.
const (
	// diffArchive: archived content (evidence, policy, collateral) is missing from
	// the record's list, damaged, or does not hash to what the verdict and the audit
	// record name. Nothing is re-run on content that is not the verdict's.
	diffArchive = "archive"
	// diffRecord: the audit record contradicts the verdict it is filed with.
	diffRecord = "audit_record"
	// diffDigest: the archived verdict's own EIP-712 digest is not the hash it is
	// filed under.
	diffDigest = "digest"
	// diffVerdict: a field of the re-computed verdict differs from the archived one.
	diffVerdict = "verdict"
	// diffOnChain: the registry (--rpc-url, --registry) never accepted the verdict.
	diffOnChain = "on_chain"
	// diffDomain: the audit record's chain or registry is not the one given.
	diffDomain = "domain"
)

// auditDifference is one reason a verdict is not reproduced.
type auditDifference struct {
	What   string `json:"what"`
	Detail string `json:"detail"`
}

// auditOnChain is what the registry says about the verdict (with --rpc-url).
type auditOnChain struct {
	Registry common.Address `json:"registry"`
	ChainID  uint64         `json:"chain_id"`
	Accepted bool           `json:"accepted"`
	Block    uint64         `json:"block,omitempty"`
	TxHash   common.Hash    `json:"tx_hash,omitempty"`
	// Current: the verdict is the latest one the registry accepted for the machine.
	Current bool `json:"current"`
}

// auditResult is what audit prints.
type auditResult struct {
	VerdictHash common.Hash       `json:"verdict_hash"`
	Recomputed  common.Hash       `json:"recomputed_hash"`
	Reproduced  bool              `json:"reproduced"`
	AsOf        time.Time         `json:"as_of"`
	Verdict     *verdict.Verdict  `json:"verdict"`
	Recomputed2 *verdict.Verdict  `json:"recomputed_verdict"`
	Reasons     []string          `json:"reasons"`
	OnChain     *auditOnChain     `json:"on_chain,omitempty"`
	Differences []auditDifference `json:"differences,omitempty"`
}

func (r *auditResult) differs(what, format string, args ...any) {
	r.Differences = append(r.Differences, auditDifference{What: what, Detail: fmt.Sprintf(format, args...)})
}

// archiveSource is where audit reads from: a node's API or a database.
type archiveSource interface {
	verdict(h common.Hash) (body, audit []byte, err error)
	archive(kind string, h common.Hash) ([]byte, error)
}

type nodeSource struct {
	base string
	http *http.Client
}

// nodeRetryBudget bounds how long audit waits out a node that answers 429 (rate
// limited: an audit makes several requests in a row) or 503.
const nodeRetryBudget = 30 * time.Second

func (n *nodeSource) get(path string) ([]byte, error) {
	deadline := time.Now().Add(nodeRetryBudget)
	wait := 250 * time.Millisecond
	for {
		b, code, retryAfter, err := n.getOnce(path)
		if err != nil {
			return nil, err
		}
		if code == http.StatusOK {
			return b, nil
		}
		if code != http.StatusTooManyRequests && code != http.StatusServiceUnavailable || time.Now().Add(wait).After(deadline) {
			return nil, fmt.Errorf("GET %s%s: HTTP %d: %s", n.base, path, code, b)
		}
		// The node's Retry-After, when it gives one, is the wait it asks for.
		pause := max(wait, retryAfter)
		time.Sleep(pause)
		wait = min(2*wait, 4*time.Second)
	}
}

func (n *nodeSource) getOnce(path string) ([]byte, int, time.Duration, error) {
	resp, err := n.http.Get(n.base + path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("--%s: %w", flagNode, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("GET %s%s: %w", n.base, path, err)
	}
	var after time.Duration
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 && s <= 10 {
		after = time.Duration(s) * time.Second
	}
	return b, resp.StatusCode, after, nil
}

func (n *nodeSource) verdict(h common.Hash) ([]byte, []byte, error) {
	b, err := n.get("/v1/verdicts/" + h.String())
	if err != nil {
		return nil, nil, err
	}
	var v api.VerdictView
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, nil, fmt.Errorf("verdict %s from %s: %w", h, n.base, err)
	}
	return v.Verdict, v.Audit, nil
}

func (n *nodeSource) archive(kind string, h common.Hash) ([]byte, error) {
	return n.get("/v1/archive/" + kind + "/" + h.String())
}

type dbSource struct{ st *store.Store }

func (d *dbSource) verdict(h common.Hash) ([]byte, []byte, error) {
	v, err := d.st.Verdict(h)
	if err != nil {
		return nil, nil, err
	}
	a, err := d.st.Meta("audit/" + h.String())
	if err != nil {
		return nil, nil, fmt.Errorf("audit record of %s: %w", h, err)
	}
	return v.Body, a, nil
}

func (d *dbSource) archive(kind string, h common.Hash) ([]byte, error) {
	switch kind {
	case api.ArchiveEvidence:
		return d.st.Evidence(h)
	case api.ArchivePolicy:
		return d.st.Policy(h)
	default:
		return d.st.Collateral(h)
	}
}

// damaged reports whether a source's error says the archive holds content that is
// not what it is filed under (the database re-hashes on every read).
func damaged(err error) bool {
	return errors.Is(err, store.ErrCorrupt) || errors.Is(err, store.ErrHashMismatch)
}

// openAuditSource opens --node or --db.
func openAuditSource(c *cli.Context) (archiveSource, *store.Store, error) {
	if c.String(flagNode) != "" {
		return &nodeSource{base: strings.TrimRight(c.String(flagNode), "/"), http: &http.Client{Timeout: 30 * time.Second}}, nil, nil
	}
	st, err := store.Open(c.String(flagDB), service.StoreOptions(logger(c)))
	if err != nil {
		return nil, nil, fmt.Errorf("--%s: %w", flagDB, err)
	}
	return &dbSource{st: st}, st, nil
}

// auditTarget returns the verdict hash to audit: --verdict-hash, or with
// --machine the machine's latest verdict the registry accepted (with --rpc-url) or
// else the latest the database holds.
func auditTarget(ctx context.Context, c *cli.Context, cc *chainConn, st *store.Store) (common.Hash, error) {
	h, err := parseHash(c, flagVerdictHash)
	if err != nil || h != (common.Hash{}) {
		return h, err
	}
	if c.String(flagMachine) == "" {
		return common.Hash{}, fmt.Errorf("--%s or --%s is required", flagVerdictHash, flagMachine)
	}
	id, err := parseHash(c, flagMachine)
	if err != nil {
		return common.Hash{}, err
	}
	switch {
	case cc != nil:
		evs, err := cc.reg.VerdictsAccepted(ctx, chain.BlockRange{}, id)
		if err != nil {
			return common.Hash{}, fmt.Errorf("--%s %s: %w", flagMachine, id, err)
		}
		if len(evs) == 0 {
			return common.Hash{}, fmt.Errorf("--%s %s: registry %s accepted no verdict for this machine", flagMachine, id, cc.reg.Address())
		}
		return evs[len(evs)-1].Digest, nil
	case st != nil:
		v, err := st.LatestVerdict(id)
		if err != nil {
			return common.Hash{}, fmt.Errorf("--%s %s: %w", flagMachine, id, err)
		}
		return v.Hash, nil
	}
	return common.Hash{}, fmt.Errorf("--%s needs --%s (audit the verdict on-chain) or --%s (the latest archived one)", flagMachine, rfRPCURL, flagDB)
}

func runAudit(c *cli.Context) (*auditResult, error) {
	ctx := c.Context
	src, st, err := openAuditSource(c)
	if err != nil {
		return nil, err
	}
	if st != nil {
		defer st.Close()
	}
	var cc *chainConn
	if c.String(rfRPCURL) != "" {
		dctx, cancel := context.WithTimeout(ctx, txTimeout(c))
		defer cancel()
		ctx = dctx
		if cc, err = dial(ctx, c, true); err != nil {
			return nil, err
		}
		defer cc.close()
	}
	h, err := auditTarget(ctx, c, cc, st)
	if err != nil {
		return nil, err
	}
	res := &auditResult{VerdictHash: h}
	body, auditJSON, err := src.verdict(h)
	if damaged(err) {
		res.differs(diffArchive, "the archived verdict or its audit record is damaged: %v", err)
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	var v verdict.Verdict
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("verdict %s: %w", h, err)
	}
	var rec service.AuditRecord
	if err := json.Unmarshal(auditJSON, &rec); err != nil {
		return nil, fmt.Errorf("audit record of %s: %w", h, err)
	}
	res.Verdict = &v
	if err := reproduce(c, src, res, &v, &rec); err != nil {
		return nil, err
	}
	if cc != nil {
		if err := checkOnChain(ctx, cc, res, &v, &rec); err != nil {
			return nil, err
		}
	}
	res.Reproduced = len(res.Differences) == 0 && res.Recomputed == h
	return res, nil
}

// reproduce checks that the archive backs the verdict (evidence, policy and
// collateral hash to what the verdict and the audit record name), then re-runs
// appraisal and decision as of the record's time with only that content, and
// records every difference in res.
func reproduce(c *cli.Context, src archiveSource, res *auditResult, v *verdict.Verdict, rec *service.AuditRecord) error {
	h := res.VerdictHash
	domain := verdict.Domain{ChainID: rec.ChainID, Registry: common.HexToAddress(rec.Registry)}
	if d := v.Digest(domain); d != h {
		res.differs(diffDigest, "the archived verdict's EIP-712 digest under chain %d, registry %s is %s, not the hash %s it is filed under", rec.ChainID, domain.Registry, d, h)
	}
	if rec.VerdictHash != "" && common.HexToHash(rec.VerdictHash) != h {
		res.differs(diffRecord, "the audit record is for verdict %s, not %s", rec.VerdictHash, h)
	}
	if rec.EvidenceHash != "" && common.HexToHash(rec.EvidenceHash) != v.EvidenceHash {
		res.differs(diffRecord, "the audit record names evidence %s, the verdict %s", rec.EvidenceHash, v.EvidenceHash)
	}
	if rec.PolicyHash != "" && common.HexToHash(rec.PolicyHash) != v.PolicyHash {
		res.differs(diffRecord, "the audit record names policy %s, the verdict %s", rec.PolicyHash, v.PolicyHash)
	}

	// The archive: each item must be the one the verdict or the record names.
	fetch := func(kind string, want common.Hash) ([]byte, bool, error) {
		b, err := src.archive(kind, want)
		if damaged(err) {
			res.differs(diffArchive, "archived %s %s is damaged: %v", kind, want, err)
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("%s %s: %w", kind, want, err)
		}
		return b, true, nil
	}
	evb, ok, err := fetch(api.ArchiveEvidence, v.EvidenceHash)
	if err != nil || !ok {
		return err
	}
	ev, err := evidence.Decode("archived evidence", evb)
	if err != nil {
		res.differs(diffArchive, "archived evidence %s does not decode: %v", v.EvidenceHash, err)
		return nil
	}
	if got := common.Hash(ev.Hash()); got != v.EvidenceHash {
		res.differs(diffArchive, "archived evidence hashes to %s, the verdict names %s: it is not the evidence the verdict was made from", got, v.EvidenceHash)
	}
	pb, ok, err := fetch(api.ArchivePolicy, v.PolicyHash)
	if err != nil || !ok {
		return err
	}
	pol, err := policy.Parse(pb)
	if err != nil {
		res.differs(diffArchive, "archived policy %s does not parse: %v", v.PolicyHash, err)
		return nil
	}
	if got, err := pol.Hash(); err != nil || got != v.PolicyHash {
		res.differs(diffArchive, "archived policy %q hashes to %s (%v), the verdict names %s: it is not the policy the verdict was decided under", pol.Name, got, err, v.PolicyHash)
	}
	asOf := time.Unix(rec.AsOf, 0).UTC()
	req := &verifier.Request{
		Evidence: evidence.Input{Name: "archived evidence " + v.EvidenceHash.String(), Data: evb},
		Policy:   pb,
		At:       asOf,
		Domain:   domain,
		Binding: &verifier.Binding{MachineID: v.MachineID, TEEKey: v.TEEKey,
			AnchorBlockNumber: v.AnchorBlockNumber, AnchorBlockHash: v.AnchorBlockHash},
	}
	for _, it := range rec.Collateral {
		want := common.HexToHash(it.SHA256)
		b, ok, err := fetch(api.ArchiveCollateral, want)
		if err != nil {
			return fmt.Errorf("collateral %s: %w", it.Kind, err)
		}
		if !ok {
			continue
		}
		if got := common.Hash(sha256.Sum256(b)); got != want {
			res.differs(diffArchive, "archived %s collateral hashes to %s, the audit record names %s", it.Kind, got, want)
			continue
		}
		service.AddArchived(&req.Collateral, it.Kind, evidence.Input{Name: "archived " + it.Kind + " " + it.SHA256, Data: b})
	}
	if len(res.Differences) > 0 {
		// Re-running on content that is not the verdict's proves nothing.
		return nil
	}

	roots, err := loadSNPRoots(c.String(flagSNPRoots))
	if err != nil {
		return err
	}
	tdxRoot, err := loadTDXRoot(c.String(flagTDXRoot))
	if err != nil {
		return err
	}
	// The same pipeline as verify, the node's worker and the WebAssembly module.
	vf, err := verifier.New(verifier.Options{SNPRoots: roots, TDXRoot: tdxRoot})
	if err != nil {
		return err
	}
	res.AsOf = asOf
	out, err := vf.Verify(c.Context, req)
	if errors.Is(err, verifier.ErrCollateral) {
		res.differs(diffArchive, "archived collateral is unusable: %v", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("re-verify: %w", err)
	}
	dec := out.Decision
	res.Recomputed, res.Recomputed2, res.Reasons = out.VerdictHash, &dec.Verdict, dec.Reasons.Names()
	a, _ := json.Marshal(v)
	b, _ := json.Marshal(dec.Verdict)
	var ma, mb map[string]any
	_ = json.Unmarshal(a, &ma)
	_ = json.Unmarshal(b, &mb)
	keys := make([]string, 0, len(ma))
	for k := range ma {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if fmt.Sprint(ma[k]) != fmt.Sprint(mb[k]) {
			res.differs(diffVerdict, "%s: archived %v, recomputed %v", k, ma[k], mb[k])
		}
	}
	return nil
}

// checkOnChain asks the registry whether it accepted the verdict (a VerdictAccepted
// event with its digest for its machine, after its anchor) and whether the audit
// record's domain is that registry's.
func checkOnChain(ctx context.Context, cc *chainConn, res *auditResult, v *verdict.Verdict, rec *service.AuditRecord) error {
	oc := &auditOnChain{Registry: cc.reg.Address(), ChainID: cc.chainID}
	res.OnChain = oc
	if rec.ChainID != oc.ChainID || common.HexToAddress(rec.Registry) != oc.Registry {
		res.differs(diffDomain, "the verdict was made for registry %s on chain %d, not %s on chain %d", rec.Registry, rec.ChainID, oc.Registry, oc.ChainID)
	}
	evs, err := cc.reg.VerdictsAccepted(ctx, chain.BlockRange{From: v.AnchorBlockNumber}, v.MachineID)
	if err != nil {
		return err
	}
	for i, e := range evs {
		if e.Digest == res.VerdictHash {
			oc.Accepted, oc.Block, oc.TxHash, oc.Current = true, e.BlockNumber, e.TxHash, i == len(evs)-1
		}
	}
	if !oc.Accepted {
		res.differs(diffOnChain, "registry %s on chain %d never accepted verdict %s for machine %s (no VerdictAccepted event since block %d)",
			oc.Registry, oc.ChainID, res.VerdictHash, v.MachineID, v.AnchorBlockNumber)
	}
	return nil
}
