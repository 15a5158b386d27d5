package audit

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/verdict"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// What a Difference is about, for scripts reading the result as JSON.
const (
	// DiffArchive: archived content (evidence, policy, collateral) is missing from
	// the record's list or from the archive, damaged, does not hash to what the
	// verdict and the audit record name, or is not what the re-run needs (TDX
	// evidence without TDX collateral). Nothing is re-run on content that is not
	// the verdict's.
	DiffArchive = "archive"
	// DiffRecord: the audit record contradicts the verdict it is filed with.
	DiffRecord = "audit_record"
	// DiffDigest: the archived verdict's own EIP-712 digest is not the hash it is
	// filed under.
	DiffDigest = "digest"
	// DiffVerdict: a field of the re-computed verdict differs from the archived one.
	DiffVerdict = "verdict"
	// DiffOnChain: the registry never accepted the verdict.
	DiffOnChain = "on_chain"
	// DiffDomain: the audit record's chain or registry is not the one checked.
	DiffDomain = "domain"
)

// Bounds on what an audit reads on a node's word. A node writes a handful of
// collateral items per verdict (a VCEK and its CRLs, or one TDX set) and never the
// same item twice.
const (
	// MaxCollateralItems is the most items an audit record's collateral list, and
	// its used list, may hold; a longer list is an audit_record difference and
	// nothing is fetched for it.
	MaxCollateralItems = 64
	// MaxCollateralBytes bounds the archived collateral of one verdict an audit
	// holds; more is an archive difference and nothing is re-run.
	MaxCollateralBytes = 64 << 20
	// Deadline bounds a whole Reproduce (every read and the re-run), whatever the
	// caller's context allows: each read of a NodeSource may wait out the node's
	// Retry-After for up to its own budget.
	Deadline = 5 * time.Minute
)

// Difference is one reason a verdict is not reproduced.
type Difference struct {
	What   string `json:"what"`
	Detail string `json:"detail"`
}

// OnChain is what the registry says about the verdict.
type OnChain struct {
	Registry common.Address `json:"registry"`
	ChainID  uint64         `json:"chain_id"`
	Accepted bool           `json:"accepted"`
	Block    uint64         `json:"block,omitempty"`
	TxHash   common.Hash    `json:"tx_hash,omitempty"`
	// Current: the verdict is the latest one the registry accepted for the machine.
	Current bool `json:"current"`
}

// Result is the outcome of an audit.
type Result struct {
	VerdictHash common.Hash `json:"verdict_hash"`
	// Recomputed is the re-run verdict's digest; zero when nothing was re-run.
	Recomputed common.Hash `json:"recomputed_hash"`
	// Reproduced: no difference, and the re-run verdict's digest is VerdictHash.
	Reproduced bool      `json:"reproduced"`
	AsOf       time.Time `json:"as_of"`
	// Verdict is the archived verdict, RecomputedVerdict the re-run one.
	Verdict           *verdict.Verdict `json:"verdict"`
	RecomputedVerdict *verdict.Verdict `json:"recomputed_verdict"`
	Reasons           []string         `json:"reasons"`
	// Skipped names the checks the re-run's appraisal could not make, with why
	// ("snp.crl: ..."): with archived collateral that matches the record they were
	// skipped when the verdict was made too.
	Skipped []string `json:"skipped_checks,omitempty"`
	// Roots names the trust anchors the re-run used; set by the caller, which
	// knows where its roots came from.
	Roots       string       `json:"roots,omitempty"`
	OnChain     *OnChain     `json:"on_chain,omitempty"`
	Differences []Difference `json:"differences,omitempty"`
	// Record is the verdict's audit record (nil when it could not be read).
	Record *Record `json:"-"`
}

func (r *Result) differs(what, format string, args ...any) {
	r.Differences = append(r.Differences, Difference{What: what, Detail: fmt.Sprintf(format, args...)})
}

func (r *Result) settle() {
	r.Reproduced = len(r.Differences) == 0 && r.Recomputed == r.VerdictHash
}

// Reproduce audits verdict h from src: it checks that the archive backs the
// verdict (evidence, policy and collateral hash to what the verdict and its audit
// record name), then re-runs appraisal and decision as of the record's time with
// only that content and the roots in opts, and records every difference in the
// result. An error means the audit could not be made (the source failed, the
// verdict or its record do not parse); archived content that is damaged or not the
// verdict's is a difference, not an error.
func Reproduce(ctx context.Context, src Source, h common.Hash, opts verifier.Options) (*Result, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, Deadline, fmt.Errorf("audit of verdict %s took longer than %s", h, Deadline))
	defer cancel()
	res := &Result{VerdictHash: h}
	body, recJSON, err := src.Verdict(ctx, h)
	if Damaged(err) {
		res.differs(DiffArchive, "the archived verdict or its audit record is damaged: %v", err)
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	var v verdict.Verdict
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("verdict %s: %w", h, err)
	}
	if len(recJSON) == 0 {
		res.Verdict = &v
		res.differs(DiffArchive, "the archive holds verdict %s but no audit record for it: nothing to reproduce it from", h)
		return res, nil
	}
	var rec Record
	if err := json.Unmarshal(recJSON, &rec); err != nil {
		return nil, fmt.Errorf("audit record of %s: %w", h, err)
	}
	res.Verdict, res.Record = &v, &rec
	res.checkRecord()
	req, err := res.request(ctx, src)
	if err != nil || req == nil || len(res.Differences) > 0 {
		// Re-running on content that is not the verdict's proves nothing.
		res.settle()
		return res, err
	}
	if err := res.rerun(ctx, req, opts); err != nil {
		return nil, err
	}
	res.settle()
	return res, nil
}

// checkRecord checks the verdict against its own hash and its audit record.
func (r *Result) checkRecord() {
	v, rec, h := r.Verdict, r.Record, r.VerdictHash
	domain := verdict.Domain{ChainID: rec.ChainID, Registry: rec.Registry}
	if d := v.Digest(domain); d != h {
		r.differs(DiffDigest, "the archived verdict's EIP-712 digest under chain %d, registry %s is %s, not the hash %s it is filed under", rec.ChainID, domain.Registry, d, h)
	}
	if rec.VerdictHash != (common.Hash{}) && rec.VerdictHash != h {
		r.differs(DiffRecord, "the audit record is for verdict %s, not %s", rec.VerdictHash, h)
	}
	if rec.EvidenceHash != (common.Hash{}) && rec.EvidenceHash != v.EvidenceHash {
		r.differs(DiffRecord, "the audit record names evidence %s, the verdict %s", rec.EvidenceHash, v.EvidenceHash)
	}
	if rec.PolicyHash != (common.Hash{}) && rec.PolicyHash != v.PolicyHash {
		r.differs(DiffRecord, "the audit record names policy %s, the verdict %s", rec.PolicyHash, v.PolicyHash)
	}
	if n, u := len(rec.Collateral), len(rec.Used); n > MaxCollateralItems || u > MaxCollateralItems {
		r.differs(DiffRecord, "the audit record lists %d collateral items and %d used ones, more than the %d an audit reads", n, u, MaxCollateralItems)
		return
	}
	for _, it := range rec.Collateral {
		if !KnownKind(it.Kind) {
			r.differs(DiffArchive, "the audit record lists collateral %s of unknown kind %q: it cannot be given to the re-run", it.SHA256, it.Kind)
		}
	}
}

// fetch reads archived content; damaged or missing content is a difference (ok
// false).
func (r *Result) fetch(ctx context.Context, src Source, kind string, want common.Hash) (b []byte, ok bool, err error) {
	b, err = src.Archive(ctx, kind, want)
	if Damaged(err) {
		r.differs(DiffArchive, "archived %s %s is damaged: %v", kind, want, err)
		return nil, false, nil
	}
	if Missing(err) {
		r.differs(DiffArchive, "%s %s, which the verdict or its audit record names, is not in the archive: %v", kind, want, err)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("%s %s: %w", kind, want, err)
	}
	return b, true, nil
}

// request reads the archived evidence, policy and collateral, checks each is the
// one the verdict or the record names, and returns the verifier request that
// re-runs the decision; nil when the archive does not back the verdict.
func (r *Result) request(ctx context.Context, src Source) (*verifier.Request, error) {
	v, rec := r.Verdict, r.Record
	evb, ok, err := r.fetch(ctx, src, api.ArchiveEvidence, v.EvidenceHash)
	if err != nil || !ok {
		return nil, err
	}
	ev, err := evidence.DecodeArchived("archived evidence", evb)
	if err != nil {
		r.differs(DiffArchive, "archived evidence %s does not decode: %v", v.EvidenceHash, err)
		return nil, nil
	}
	if got := common.Hash(ev.Hash()); got != v.EvidenceHash {
		r.differs(DiffArchive, "archived evidence hashes to %s, the verdict names %s: it is not the evidence the verdict was made from", got, v.EvidenceHash)
	}
	pb, ok, err := r.fetch(ctx, src, api.ArchivePolicy, v.PolicyHash)
	if err != nil || !ok {
		return nil, err
	}
	pol, err := policy.Parse(pb)
	if err != nil {
		r.differs(DiffArchive, "archived policy %s does not parse: %v", v.PolicyHash, err)
		return nil, nil
	}
	if got, err := pol.Hash(); err != nil || got != v.PolicyHash {
		r.differs(DiffArchive, "archived policy %q hashes to %s (%v), the verdict names %s: it is not the policy the verdict was decided under", pol.Name, got, err, v.PolicyHash)
	}
	req := &verifier.Request{
		Evidence: evidence.Input{Name: "archived evidence " + v.EvidenceHash.String(), Data: evb},
		Policy:   pb,
		At:       time.Unix(rec.AsOf, 0).UTC(),
		Domain:   verdict.Domain{ChainID: rec.ChainID, Registry: rec.Registry},
		Binding: &verifier.Binding{MachineID: v.MachineID, TEEKey: v.TEEKey,
			AnchorBlockNumber: v.AnchorBlockNumber, AnchorBlockHash: v.AnchorBlockHash},
	}
	if len(rec.Collateral) > MaxCollateralItems {
		return nil, nil // a difference already (checkRecord)
	}
	seen, total := map[Item]bool{}, 0
	for _, it := range rec.Collateral {
		if !KnownKind(it.Kind) || seen[it] {
			continue // unknown: a difference already (checkRecord); listed twice: read once
		}
		seen[it] = true
		b, ok, err := r.fetch(ctx, src, api.ArchiveCollateral, it.SHA256)
		if err != nil {
			return nil, fmt.Errorf("collateral %s: %w", it.Kind, err)
		}
		if !ok {
			continue
		}
		if total += len(b); total > MaxCollateralBytes {
			r.differs(DiffArchive, "the archived collateral the audit record lists is over %d bytes, more than an audit holds", MaxCollateralBytes)
			return nil, nil
		}
		if got := common.Hash(sha256.Sum256(b)); got != it.SHA256 {
			r.differs(DiffArchive, "archived %s collateral hashes to %s, the audit record names %s", it.Kind, got, it.SHA256)
			continue
		}
		AddArchived(&req.Collateral, it.Kind, evidence.Input{Name: "archived " + it.Kind + " " + it.SHA256.String(), Data: b})
	}
	return req, nil
}

// rerun runs the verifier, the pipeline every verdict is made by, on req and
// compares its verdict with the archived one.
func (r *Result) rerun(ctx context.Context, req *verifier.Request, opts verifier.Options) error {
	vf, err := verifier.New(opts)
	if err != nil {
		return err
	}
	r.AsOf = req.At
	out, err := vf.Verify(ctx, req)
	if errors.Is(err, verifier.ErrCollateral) || errors.Is(err, verifier.ErrNeedCollateral) {
		r.differs(DiffArchive, "archived collateral is unusable: %v", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("re-verify: %w", err)
	}
	dec := out.Decision
	r.Recomputed, r.RecomputedVerdict, r.Reasons = out.VerdictHash, &dec.Verdict, dec.Reasons.Names()
	for _, c := range out.Appraisal.Checks {
		if c.Outcome == appraise.Skip {
			r.Skipped = append(r.Skipped, c.Name+": "+c.Detail)
		}
	}
	r.checkUsed(out.Appraisal.Collateral)
	for _, d := range verdict.Diff(r.Verdict, &dec.Verdict) {
		r.differs(DiffVerdict, "%s", namedDiff(d, r.Verdict, &dec.Verdict))
	}
	return nil
}

// checkUsed compares the collateral the re-run's appraisal used with what the
// audit record says the verdict's appraisal used, by kind and hash. An item the
// record names that the re-run did not use is archived collateral the record's
// list left out (a CRL left out turns the revocation check into a skipped one,
// which alone does not change the verdict); an item the re-run used that the
// record does not name means the record does not describe the verdict's appraisal.
func (r *Result) checkUsed(used []appraise.CollateralRef) {
	type key struct {
		kind string
		hash string
	}
	ran := map[key]int{}
	for _, c := range used {
		ran[key{c.Kind, string(c.Hash)}]++
	}
	named := map[key]int{}
	for _, u := range r.Record.Used {
		k := key{u.Kind, string(u.SHA256)}
		named[k]++
		if ran[k] > 0 {
			ran[k]--
			continue
		}
		r.differs(DiffArchive, "the audit record says the verdict's appraisal used %q %x; the re-run from the archived collateral did not use it: the record's collateral list lacks it", u.Kind, []byte(u.SHA256))
	}
	for _, c := range used {
		k := key{c.Kind, string(c.Hash)}
		if named[k] > 0 {
			named[k]--
			continue
		}
		r.differs(DiffRecord, "the re-run's appraisal used %s %x, which the audit record's list of what the verdict's appraisal used does not name", c.Kind, []byte(c.Hash))
	}
}

// namedDiff rewrites a verdict.Diff line about a field that is a code (reason
// bits, status, TEE, TCB status) to show the codes by name beside the numbers:
// "reasons: archived none (0), recomputed debug, not_authentic (513)".
func namedDiff(line string, a, b *verdict.Verdict) string {
	field, _, _ := strings.Cut(line, ":")
	name := func(v *verdict.Verdict) string {
		switch field {
		case "reasons":
			if v.Reasons == 0 {
				return "none (0)"
			}
			return fmt.Sprintf("%s (%d)", strings.Join(policy.Reason(v.Reasons).Names(), ", "), v.Reasons)
		case "status":
			return fmt.Sprintf("%s (%d)", v.Status, uint8(v.Status))
		case "tee":
			return fmt.Sprintf("%s (%d)", teeName(v.TEE), v.TEE)
		case "tcbStatus":
			return fmt.Sprintf("%s (%d)", appraise.TCBStatus(v.TCBStatus), v.TCBStatus)
		}
		return ""
	}
	if name(a) == "" {
		return line
	}
	return fmt.Sprintf("%s: archived %s, recomputed %s", field, name(a), name(b))
}

func teeName(t uint8) string {
	switch t {
	case verdict.TEESEVSNP:
		return "sev-snp"
	case verdict.TEETDX:
		return "tdx"
	}
	return "unknown"
}

// Registry is what CheckOnChain reads from the registry.
type Registry interface {
	Address() common.Address
	VerdictsAccepted(ctx context.Context, rng chain.BlockRange, machineIDs ...common.Hash) ([]chain.VerdictAccepted, error)
}

// CheckOnChain asks the registry on chain chainID whether it accepted the audited
// verdict (a VerdictAccepted event with its digest for its machine, after its
// anchor) and whether the audit record's domain is that registry's, and records
// the answer and any difference in res. It does nothing for a result without a
// verdict and record (the archive was damaged).
func CheckOnChain(ctx context.Context, reg Registry, chainID uint64, res *Result) error {
	v, rec := res.Verdict, res.Record
	if v == nil || rec == nil {
		return nil
	}
	oc := &OnChain{Registry: reg.Address(), ChainID: chainID}
	res.OnChain = oc
	if rec.ChainID != oc.ChainID || rec.Registry != oc.Registry {
		res.differs(DiffDomain, "the verdict was made for registry %s on chain %d, not %s on chain %d", rec.Registry, rec.ChainID, oc.Registry, oc.ChainID)
	}
	evs, err := reg.VerdictsAccepted(ctx, chain.BlockRange{From: v.AnchorBlockNumber}, v.MachineID)
	if err != nil {
		return err
	}
	for i, e := range evs {
		if e.Digest == res.VerdictHash {
			oc.Accepted, oc.Block, oc.TxHash, oc.Current = true, e.BlockNumber, e.TxHash, i == len(evs)-1
		}
	}
	if !oc.Accepted {
		res.differs(DiffOnChain, "registry %s on chain %d never accepted verdict %s for machine %s (no VerdictAccepted event since block %d)",
			oc.Registry, oc.ChainID, res.VerdictHash, v.MachineID, v.AnchorBlockNumber)
	}
	res.settle()
	return nil
}
