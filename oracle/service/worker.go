package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// lease is how long a claimed submission stays with one worker before another may
// take it (a worker that died mid-appraisal).
const lease = 2 * time.Minute

// worker claims received submissions and turns each into a stored, signed verdict.
func (s *Service) worker(ctx context.Context, n int) {
	log := s.log.With("worker", n)
	for ctx.Err() == nil {
		sub, err := s.st.Claim(store.StateReceived, s.cfg.Now(), lease)
		if errors.Is(err, store.ErrNoWork) {
			select {
			case <-ctx.Done():
				return
			case <-s.wake:
			case <-time.After(s.cfg.PollInterval):
			}
			continue
		}
		if err != nil {
			log.Error("claim submission", "err", err)
			sleepCtx(ctx, s.cfg.PollInterval)
			continue
		}
		// One poke wakes one idle worker: pass it on, in case there is more work.
		poke(s.wake)
		start := time.Now()
		if err := s.process(ctx, sub); err != nil {
			if ctx.Err() != nil {
				return // shutting down: the submission stays received and is claimed again
			}
			log.Error("process submission", "id", sub.ID, "err", err)
			continue
		}
		s.m.appraisal.Observe(time.Since(start).Seconds())
		poke(s.pubWake)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// fail moves a submission to failed for a cause other than its evidence (an
// outage, the chain's state, the node's own) and counts it.
func (s *Service) fail(id, reason string) error { return s.failFor(id, reason, false) }

// failFor moves a submission to failed and counts it; evidenceFault says the
// evidence caused it (store.FailEvidence), so it counts against the machine's
// bound on failed submissions (MaxFailedPerMachine).
func (s *Service) failFor(id, reason string, evidenceFault bool) error {
	var err error
	if evidenceFault {
		_, err = s.st.FailEvidence(id, reason)
	} else {
		_, err = s.st.Transition(id, store.StateFailed, reason)
	}
	if err != nil {
		return err
	}
	s.m.submissions.WithLabelValues("failed").Inc()
	return nil
}

// decision is one appraisal and decision with what the archive needs.
type decision struct {
	dec         *policy.Decision
	app         *appraise.Appraisal
	digest      common.Hash
	rec         *recorder
	publishable bool
	// collateralFault: the verdict is not publishable only because the appraisal
	// failed for its collateral (appraise.Appraisal.CollateralFault), the evidence
	// being bound: not the evidence's fault.
	collateralFault bool
}

// decide makes the node's verdict on ev for m, for submissions, re-appraisals and
// tests: verifier.Decide (the step every verdict is made by) with the node's
// appraiser, policy and domain and m's binding, recording the collateral served,
// and whether the verdict may be published.
func (s *Service) decide(ctx context.Context, ev *evidence.Evidence, m *subMeta) (*decision, error) {
	rctx, rec := withRecorder(ctx, m.MachineID.Hex())
	out, err := verifier.Decide(rctx, s.cfg.Appraiser, &verifier.Case{Evidence: ev, Policy: s.cfg.Policy, PolicyHash: s.policyHash,
		At: time.Unix(m.AsOf, 0), Domain: s.domain, Binding: &verifier.Binding{MachineID: m.MachineID,
			TEEKey: m.TEEKey, AnchorBlockNumber: m.AnchorBlock, AnchorBlockHash: m.AnchorHash}})
	if err != nil {
		return nil, err
	}
	dec, app := out.Decision, out.Appraisal
	d := &decision{dec: dec, app: app, rec: rec, digest: out.VerdictHash}
	// An untrusted verdict removes trust on-chain. It is published only for evidence
	// that is authentic and bound to this machine, key and anchor: evidence anyone
	// could have sent (forged, or replayed from another machine) must not be able to
	// knock a machine out of the registry.
	binding := policy.ReportDataMismatch | policy.ReportDataUnbound
	d.publishable = dec.Trusted || (app.Authentic && dec.Reasons&binding == 0)
	d.collateralFault = !d.publishable && app.CollateralFault && dec.Reasons&binding == 0
	if m.Reappraisal {
		// A re-appraisal starts from a trusted verdict, so the evidence was authentic
		// and bound when it arrived; a certificate revoked since makes it "not
		// authentic" now, and that is exactly the downgrade to publish.
		d.publishable = true
	}
	return d, nil
}

// auditRecord returns the audit record of a decision, encoded, and the collateral
// the appraisal used, to be archived with the verdict (store.Decision).
func (s *Service) auditRecord(d *decision, m *subMeta) ([]byte, [][]byte, error) {
	v := &d.dec.Verdict
	rec := &audit.Record{VerdictHash: d.digest, EvidenceHash: v.EvidenceHash,
		PolicyHash: v.PolicyHash, AsOf: m.AsOf, ChainID: s.cfg.ChainID, Registry: s.cfg.Registry,
		MachineID: m.MachineID, TEEKey: m.TEEKey, AnchorNumber: m.AnchorBlock,
		AnchorHash: m.AnchorHash, Trusted: d.dec.Trusted, Reasons: d.dec.Reasons.Names(),
		Publishable: d.publishable, Collateral: []audit.Item{}, Used: []audit.ItemUsed{}}
	for _, f := range d.dec.Findings {
		rec.Findings = append(rec.Findings, f.Detail)
	}
	d.rec.mu.Lock()
	items := make([]recordedItem, 0, len(d.rec.items))
	for _, it := range d.rec.items {
		items = append(items, it)
	}
	d.rec.mu.Unlock()
	bodies := make([][]byte, 0, len(items))
	for _, it := range items {
		h, err := s.st.HashCollateral(it.body)
		if err != nil {
			return nil, nil, fmt.Errorf("archive collateral: %w", err)
		}
		rec.Collateral = append(rec.Collateral, audit.Item{Kind: it.kind, SHA256: h})
		bodies = append(bodies, it.body)
	}
	sortItems(rec.Collateral)
	for _, c := range d.app.Collateral {
		rec.Used = append(rec.Used, audit.ItemUsed{Kind: c.Kind, SHA256: c.Hash})
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, nil, fmt.Errorf("audit record of %s: %w", d.digest, err)
	}
	return b, bodies, nil
}

func sortItems(items []audit.Item) {
	slices.SortFunc(items, func(a, b audit.Item) int { return bytes.Compare(a.SHA256[:], b.SHA256[:]) })
}

// process takes a received submission to signed (or failed).
func (s *Service) process(ctx context.Context, sub store.Submission) error {
	m, ev, err := s.received(sub)
	if err != nil {
		return err
	}
	if m == nil {
		return nil // failed
	}
	// The registry's binding facts are read before the appraisal, so a chain that
	// does not answer costs no appraisal: the submission waits a poll interval.
	facts, err := s.bindingFacts(ctx, m.MachineID, m.TEEKey)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return s.waitForChain(sub, err)
	}
	d, err := s.decide(ctx, ev, m)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		if errors.Is(err, appraise.ErrCollateralUnavailable) {
			return s.waitForCollateral(sub, err)
		}
		// Evidence that cannot be read (ErrMalformed) is the evidence's fault; any other
		// error (no appraiser for its TEE, inputs the node got wrong) is the node's.
		return s.failFor(sub.ID, "no verdict: "+err.Error(), errors.Is(err, appraise.ErrMalformed))
	}
	auditJSON, collateral, err := s.auditRecord(d, m)
	if err != nil {
		return err
	}
	body, err := json.Marshal(d.dec.Verdict)
	if err != nil {
		return err
	}
	// The verdict, its audit record and collateral, and this node's signature (or
	// the reason it is not published) go into the store in one commit.
	rec := store.Decision{Verdict: store.Verdict{Hash: d.digest, MachineID: m.MachineID, IssuedAt: d.dec.Verdict.IssuedAt,
		Body: body}, Collateral: collateral, Meta: map[string][]byte{audit.RecordKey(d.digest): auditJSON}}
	rec.FailReason, rec.EvidenceFault = notPublished(&d.dec.Verdict, d.publishable, d.dec.Reasons, d.collateralOnly(), m)
	if rec.FailReason == "" {
		// The registry's binding rules, applied before signing: an honest quorum never
		// signs a verdict the registry would refuse or that acts on another provider's
		// machine. The chain may have changed since the submission was accepted.
		rec.FailReason, rec.EvidenceFault = facts.refusal(&d.dec.Verdict)
	}
	if rec.FailReason == "" {
		if rec.Signature, err = verdict.Sign(d.digest, s.cfg.OracleKey); err != nil {
			return err
		}
		rec.Signer = s.oracle
		rememberSigner(d.digest, rec.Signature, s.oracle)
	}
	if _, err := s.st.RecordDecision(sub.ID, rec); err != nil {
		return fmt.Errorf("record verdict: %w", err)
	}
	origin := "submission"
	if m.Reappraisal {
		origin = "reappraisal"
	}
	s.m.verdicts.WithLabelValues(d.dec.Verdict.Status.String(), origin).Inc()
	if rec.FailReason != "" {
		s.m.submissions.WithLabelValues("failed").Inc()
	}
	return nil
}

// received returns a received submission's parameters and evidence: those Submit
// handed over, or else read from the store. A submission whose parameters or
// evidence are lost is failed (nil parameters, nil error).
func (s *Service) received(sub store.Submission) (*subMeta, *evidence.Evidence, error) {
	if h, ok := s.handoffs.take(sub.ID); ok {
		return h.meta, h.ev, nil
	}
	m, err := s.subMeta(sub.ID)
	if err != nil {
		return nil, nil, s.fail(sub.ID, "submission parameters lost: "+err.Error())
	}
	raw, err := s.st.Evidence(sub.EvidenceHash)
	if err != nil {
		return nil, nil, s.fail(sub.ID, "archived evidence unreadable: "+err.Error())
	}
	ev, err := evidence.DecodeArchived("archived evidence "+sub.EvidenceHash.String(), raw)
	if err != nil {
		return nil, nil, s.fail(sub.ID, "archived evidence does not decode: "+err.Error())
	}
	return m, ev, nil
}

// waitForCollateral puts off a submission whose appraisal could not fetch its
// collateral (err wraps appraise.ErrCollateralUnavailable): it stays received and
// is appraised again after CollateralRetry, until it has waited CollateralWait;
// then it fails, saying the collateral was unavailable (not that the evidence was
// bad).
func (s *Service) waitForCollateral(sub store.Submission, err error) error {
	s.m.collWaits.Inc()
	now := s.cfg.Now()
	waited := now.Sub(sub.ReceivedAt)
	if waited >= s.cfg.CollateralWait {
		return s.fail(sub.ID, fmt.Sprintf("no verdict: collateral unavailable for %s: %s", waited.Round(time.Second), err))
	}
	next := now.Add(s.cfg.CollateralRetry)
	if _, derr := s.st.Defer(sub.ID, next, fmt.Sprintf("collateral unavailable, next appraisal at %s: %s", next.UTC().Format(time.RFC3339), err)); derr != nil {
		return fmt.Errorf("put off submission: %w", derr)
	}
	s.log.Warn("collateral unavailable; submission put off", "id", sub.ID, "retry_at", next.UTC(), "err", err)
	return nil
}

// notPublished returns why a verdict must not be published, or "" when this node
// signs it, and whether the evidence is the cause (it is not authentic or not
// bound), as opposed to a re-appraisal with nothing to publish or an appraisal that
// failed only for its collateral (collateralOnly: the checks it names failed for
// the vendor's TCB Info, QE Identity, CRL or certificate the node was served, which
// does not verify or is out of date), which says nothing against the evidence.
func notPublished(v *verdict.Verdict, publishable bool, reasons policy.Reason, collateralOnly string, m *subMeta) (string, bool) {
	switch {
	case m.Reappraisal && v.Status == verdict.StatusTrusted:
		return "re-appraisal found the machine still trusted: nothing to publish", false
	case !publishable && collateralOnly != "":
		return fmt.Sprintf("untrusted (%s) and not published: the collateral the evidence was appraised with failed its checks (%s), so the node cannot tell whether the evidence is authentic",
			reasons, collateralOnly), false
	case !publishable:
		return fmt.Sprintf("untrusted (%s) and not published: the evidence is not authentic or not bound to this machine, key and anchor, so anyone could have sent it", reasons), true
	}
	return "", false
}

// collateralOnly is what notPublished says of a decision that is not publishable
// only because its appraisal failed for the collateral (the decision's
// not-authentic finding, naming the checks), or "" when it is not so.
func (d *decision) collateralOnly() string {
	if !d.collateralFault {
		return ""
	}
	return notAuthenticDetail(d.dec)
}

// notAuthenticDetail is a decision's not-authentic finding, naming the checks that
// did not pass.
func notAuthenticDetail(dec *policy.Decision) string {
	for _, f := range dec.Findings {
		if f.Reason == policy.NotAuthentic {
			return f.Detail
		}
	}
	return "no check named"
}

// bindingFacts is what the registry's key-binding rules need to know about one
// machine and key.
type bindingFacts struct {
	rec      MachineRecord
	keyCheck error // checkKey's refusal of the key, nil when it may be bound
}

// bindingFacts reads the machine's record and, when key is not its bound key,
// whether the key may be bound. An error means the chain did not answer.
func (s *Service) bindingFacts(ctx context.Context, id common.Hash, key common.Address) (*bindingFacts, error) {
	cctx, cancel := s.chainCtx(ctx)
	defer cancel()
	// The facts are those at the head now: read afresh, or, when this head is the
	// one the submission was accepted at (or another submission's facts were read
	// at), the answers read then (cachedView). State changes only with a block, so
	// either way they are the chain's state now. The head's read is shared with
	// the callers at the same moment, and begun after this call (headReads).
	head, err := readN(cctx, publishReadAttempts, s.headNow.BlockNumber)
	if err != nil {
		return nil, err
	}
	cctx = withHead(cctx, head)
	rec, err := readN(cctx, publishReadAttempts, func(ctx context.Context) (MachineRecord, error) { return s.reg.Machine(ctx, id) })
	if err != nil {
		return nil, err
	}
	f := &bindingFacts{rec: rec}
	if rec.State == machineRegistered && key != rec.TEEKey {
		err := s.checkKey(cctx, id, rec, key)
		var fe *api.FieldError
		switch {
		case errors.As(err, &fe):
			f.keyCheck = fe.Err
		case err != nil:
			return nil, err
		}
	}
	return f, nil
}

// refusal returns why the registry's key-binding rules forbid publishing v, or ""
// when they allow it: a trusted verdict re-attests the machine's bound key or binds
// the key its provider authorised (and no other machine holds); an untrusted
// verdict only downgrades the key bound to that very machine. The bool says the
// evidence is the cause: an untrusted verdict for a key that is not bound is what
// the evidence says of itself, whatever the chain; a machine deregistered or a key
// no longer authorised since the submission was accepted is the chain's change.
func (f *bindingFacts) refusal(v *verdict.Verdict) (string, bool) {
	switch {
	case f.rec.State != machineRegistered:
		return fmt.Sprintf("machine %s is no longer registered", v.MachineID), false
	case v.TEEKey == f.rec.TEEKey:
		return "", false
	case v.Status != verdict.StatusTrusted:
		return fmt.Sprintf("untrusted verdicts only downgrade the key bound to the machine (%s), never bind %s: nothing to publish",
			boundName(f.rec.TEEKey), v.TEEKey), true
	case f.keyCheck != nil:
		return f.keyCheck.Error(), false
	}
	return "", false
}

// waitForChain puts off a submission whose binding facts could not be read: it is
// claimed again after a poll interval, until it has waited CollateralWait (its
// anchor is long unusable by then). A revert is the registry's answer, not an
// outage: the submission fails at once. The reason and the wait a client reads are
// the node's fixed texts; the endpoint's error, which may name its host and
// address, goes to the log only.
func (s *Service) waitForChain(sub store.Submission, err error) error {
	var re *chain.RevertError
	if errors.As(err, &re) {
		return s.fail(sub.ID, "no verdict: the registry refused the key-binding reads: "+reasonText(re))
	}
	now := s.cfg.Now()
	if waited := now.Sub(sub.ReceivedAt); waited >= s.cfg.CollateralWait {
		s.log.Warn("chain unavailable; submission failed", "id", sub.ID, "waited", waited.Round(time.Second), "err", s.cfg.RedactErr(err))
		return s.fail(sub.ID, fmt.Sprintf("no verdict: %s for the key-binding reads for %s", msgChainDown, waited.Round(time.Second)))
	}
	next := now.Add(s.cfg.PollInterval)
	if _, derr := s.st.Defer(sub.ID, next, fmt.Sprintf("%s for the key-binding reads, next try at %s", msgChainDown, next.UTC().Format(time.RFC3339))); derr != nil {
		return fmt.Errorf("put off submission: %w", derr)
	}
	s.log.Warn("chain unavailable; submission put off", "id", sub.ID, "retry_at", next.UTC(), "err", s.cfg.RedactErr(err))
	return nil
}

// msgChainDown is what a submission's reason or wait says of a chain read that
// failed: the endpoint's error, which may name its host and address, is the log's.
const msgChainDown = "chain endpoint unavailable"

// finishVerified signs a verified submission's verdict, or fails it when the verdict
// must not be published.
func (s *Service) finishVerified(id string, h common.Hash, v *verdict.Verdict, publishable bool, reasons policy.Reason, m *subMeta) error {
	if reason, fault := notPublished(v, publishable, reasons, "", m); reason != "" {
		return s.failFor(id, reason, fault)
	}
	sig, err := verdict.Sign(h, s.cfg.OracleKey)
	if err != nil {
		return err
	}
	if err := s.st.PutSignature(h, s.oracle, sig); err != nil {
		return fmt.Errorf("store own signature: %w", err)
	}
	if _, err := s.st.Transition(id, store.StateSigned, ""); err != nil {
		return fmt.Errorf("mark signed: %w", err)
	}
	return nil
}

// resumeVerified finishes a submission a previous run left verified (stopped
// between recording the verdict and signing it).
func (s *Service) resumeVerified(ctx context.Context, sub store.Submission) error {
	m, err := s.subMeta(sub.ID)
	if err != nil {
		return s.fail(sub.ID, "submission parameters lost: "+err.Error())
	}
	facts, err := s.bindingFacts(ctx, m.MachineID, m.TEEKey)
	if err != nil {
		return err // the chain did not answer; the next pass tries again
	}
	rec, err := s.audit(sub.VerdictHash)
	if err != nil {
		return s.fail(sub.ID, "audit record lost: "+err.Error())
	}
	sv, err := s.st.Verdict(sub.VerdictHash)
	if err != nil {
		return err
	}
	var v verdict.Verdict
	if err := json.Unmarshal(sv.Body, &v); err != nil {
		return fmt.Errorf("verdict %s: %w", sub.VerdictHash, err)
	}
	var reasons policy.Reason
	for _, n := range rec.Reasons {
		if r, ok := policy.ParseReason(n); ok {
			reasons |= r
		}
	}
	if refusal, fault := facts.refusal(&v); refusal != "" {
		// A previous run may have stored this node's signature before it stopped:
		// the binding facts refuse the verdict, so it is withdrawn (withdraw.go).
		if err := s.withdraw(sub.VerdictHash, refusal); err != nil {
			return err
		}
		return s.failFor(sub.ID, refusal, fault)
	}
	return s.finishVerified(sub.ID, sub.VerdictHash, &v, rec.Publishable, reasons, m)
}

// reasonText shortens an error for a submission's reason.
func reasonText(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, " ("); i > 0 && strings.HasPrefix(msg, "execution reverted") {
		msg = msg[:i]
	}
	return msg
}
