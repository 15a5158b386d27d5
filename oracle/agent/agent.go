// Package agent is the in-VM attestation agent. Inside a confidential VM it holds a
// secp256k1 key (the TEE key, whose address the registry binds to the machine), asks
// an oracle node for a challenge, obtains evidence from the TEE (go-sev-guest's and
// go-tdx-guest's clients: configfs-tsm, /dev/sev-guest, /dev/tdx_guest) with the
// challenge's report data, submits it, follows it to the on-chain verdict, and
// attests again before the verdict expires. It retries with capped, jittered
// exponential backoff whenever the oracle or the chain is unavailable.
//
// The agent trusts the oracle with nothing: it recomputes the report data from the
// challenge's fields (docs/verdict-encoding.md) and refuses a challenge for another
// machine, key, chain or registry, and it checks that the verdict it is shown hashes
// to the digest the oracle names, concerns its machine, key, anchor and evidence,
// is valid and was not issued in its future. It has no chain endpoint: that the
// verdict is on-chain is the node's report, so however long the verdict claims to
// be valid the agent attests again within MaxInterval.
package agent

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/internal/retry"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// Errors of an attestation round.
var (
	// ErrChallenge: the oracle's challenge is not for this machine, key, chain or
	// registry, or its report data is not the binding of its fields.
	ErrChallenge = errors.New("challenge refused")
	// ErrSubmissionFailed: the oracle could not reach a publishable verdict for the
	// evidence, or publishing failed; the reason is in the message.
	ErrSubmissionFailed = errors.New("submission failed")
	// ErrVerdict: the verdict the oracle shows does not match its hash, machine or key.
	ErrVerdict = errors.New("verdict refused")
)

// SubmissionError is a submission the oracle failed: no verdict was reached, the
// verdict was not publishable (untrusted evidence anyone could have sent, such as
// evidence bound to another machine, key, chain or challenge), or publishing failed.
// It wraps ErrSubmissionFailed.
type SubmissionError struct {
	ID     string
	Reason string
	// Reasons are the policy's reason names of the verdict, when one was reached.
	Reasons []string
}

func (e *SubmissionError) Error() string {
	s := fmt.Sprintf("%s: submission %s: %s", ErrSubmissionFailed, e.ID, e.Reason)
	if len(e.Reasons) > 0 {
		s += fmt.Sprintf(" (reasons %s)", strings.Join(e.Reasons, ", "))
	}
	return s
}

func (e *SubmissionError) Unwrap() error { return ErrSubmissionFailed }

// Config configures an Agent. MachineID, Registry, ChainID, Key, Source and Oracle
// are required.
type Config struct {
	// MachineID is the registry's id of this machine (registered by the provider).
	MachineID common.Hash
	// Registry and ChainID are checked against every challenge, so a misconfigured
	// or hostile oracle URL (or a node pointed at another chain, where the same
	// address may hold another registry) cannot make the TEE bind its key to
	// another registry or chain.
	Registry common.Address
	ChainID  uint64
	// Key is the TEE-held key (LoadOrCreateKey).
	Key *ecdsa.PrivateKey
	// Source obtains evidence from the TEE.
	Source EvidenceSource
	// Oracle is the oracle node.
	Oracle Oracle
	// ReattestFraction of a verdict's validity after its issue time the agent
	// attests again; 0 means 2/3.
	ReattestFraction float64
	// MinInterval is the shortest wait between two successful rounds; 0 means 1 s.
	MinInterval time.Duration
	// MaxInterval is the longest wait between two successful rounds, however long
	// the verdict the node shows is valid: the agent then attests again. The agent
	// cannot check that a verdict is on-chain (it has no chain endpoint; the node
	// reports it), so this bounds how long a node's false report keeps it idle.
	// 0 means 1 h.
	MaxInterval time.Duration
	// ClockSkew is how far after the agent's clock a verdict's issue time may be
	// (the node's verdicts are issued at their anchor block's timestamp); 0 means
	// 10 min.
	ClockSkew time.Duration
	// PollInterval paces status polling; 0 means 1 s.
	PollInterval time.Duration
	// RoundTimeout bounds one round from challenge to on-chain verdict; 0 means 5 min.
	RoundTimeout time.Duration
	// Backoff paces retries after a failed round.
	Backoff Backoff
	// OnRound, when set, is called after every successful round.
	OnRound func(Round)
	// Logger; nil means slog.Default().
	Logger *slog.Logger
	// Now is the agent's clock for scheduling; nil means time.Now.
	Now func() time.Time
}

// Round is the outcome of one successful attestation round: a verdict on-chain.
type Round struct {
	SubmissionID string
	EvidenceHash common.Hash
	VerdictHash  common.Hash
	TxHash       common.Hash
	Verdict      verdict.Verdict
	Trusted      bool
	Reasons      []string
	Challenge    api.Challenge
	// Attempts is how many tries the round took (1 when the first succeeded).
	Attempts int
}

// Line is the line that tells of r at time now: the verdict, its status and
// expiry, the transaction that published it (the node knows it only when it sent
// it; a verdict a peer published names none) and the reasons, if any.
func (r Round) Line(now time.Time) string {
	tx := "tx " + r.TxHash.Hex()
	if r.TxHash == (common.Hash{}) {
		tx = "published by a peer"
	}
	reasons := ""
	if len(r.Reasons) > 0 {
		reasons = " (" + strings.Join(r.Reasons, ", ") + ")"
	}
	return fmt.Sprintf("%s verdict %s: %s, expires %s, %s%s", now.UTC().Format(time.RFC3339), r.VerdictHash.Hex(),
		r.Verdict.Status, verdict.FormatTime(r.Verdict.ExpiresAt), tx, reasons)
}

// Agent runs attestation rounds for one machine.
type Agent struct {
	cfg  Config
	addr common.Address
	log  *slog.Logger
	// sleep waits within a round (sleep; tests count the waits instead).
	sleep func(ctx context.Context, d time.Duration) error
	// unsure is the last evidence whose submission's answer was lost (nil when
	// none): the node may have stored it. Rounds run one at a time.
	unsure *sent
}

// sent is evidence the agent submitted, with the challenge it is bound to.
type sent struct {
	ch       api.Challenge
	evidence common.Hash
}

// New checks cfg and returns an agent.
func New(cfg Config) (*Agent, error) {
	switch {
	case cfg.MachineID == (common.Hash{}):
		return nil, errors.New("agent: no machine id")
	case cfg.Registry == (common.Address{}):
		return nil, errors.New("agent: no registry address")
	case cfg.ChainID == 0:
		return nil, errors.New("agent: no chain id (the chain the registry is on)")
	case cfg.Key == nil:
		return nil, errors.New("agent: no tee key")
	case cfg.Source == nil:
		return nil, errors.New("agent: no evidence source")
	case cfg.Oracle == nil:
		return nil, errors.New("agent: no oracle")
	case cfg.ReattestFraction < 0 || cfg.ReattestFraction >= 1:
		return nil, fmt.Errorf("agent: re-attest fraction %v not in [0, 1)", cfg.ReattestFraction)
	}
	if cfg.ReattestFraction == 0 {
		cfg.ReattestFraction = 2.0 / 3
	}
	if cfg.MinInterval <= 0 {
		cfg.MinInterval = time.Second
	}
	if cfg.MaxInterval <= 0 {
		cfg.MaxInterval = time.Hour
	}
	if cfg.MaxInterval < cfg.MinInterval {
		return nil, fmt.Errorf("agent: max interval %v shorter than min interval %v", cfg.MaxInterval, cfg.MinInterval)
	}
	if cfg.ClockSkew <= 0 {
		cfg.ClockSkew = 10 * time.Minute
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.RoundTimeout <= 0 {
		cfg.RoundTimeout = 5 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &Agent{cfg: cfg, addr: crypto.PubkeyToAddress(cfg.Key.PublicKey), sleep: sleep}
	a.log = cfg.Logger.With("component", "agent", "machine", cfg.MachineID.Hex(), "tee_key", a.addr.Hex())
	return a, nil
}

// Address returns the TEE key's address.
func (a *Agent) Address() common.Address { return a.addr }

// Run attests until ctx ends: a round, then a wait until ReattestFraction of the
// verdict's validity has passed (at most MaxInterval), then the next round; a
// failed round is retried after a backoff. It returns ctx's error.
func (a *Agent) Run(ctx context.Context) error {
	for {
		r, err := a.AttestUntilDone(ctx)
		if err != nil {
			return err
		}
		wait := a.nextWait(r)
		a.log.Info("next attestation scheduled", "in", wait.Round(time.Millisecond), "expires_at", time.Unix(int64(r.Verdict.ExpiresAt), 0).UTC())
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// nextWait is the time until the next round: ReattestFraction of the validity after
// the issue time, by the agent's clock, at least MinInterval and at most
// MaxInterval. The verdict passed verdict's checks: it expires after its issue, at
// most maxValidity later, and was issued before now plus ClockSkew, so none of
// this overflows.
func (a *Agent) nextWait(r *Round) time.Duration {
	v := r.Verdict
	if v.ExpiresAt <= v.IssuedAt || v.ExpiresAt-v.IssuedAt > maxValidity || v.IssuedAt > math.MaxInt64/2 {
		return a.cfg.MinInterval // never reached for a checked verdict
	}
	life := time.Duration(v.ExpiresAt-v.IssuedAt) * time.Second
	due := time.Unix(int64(v.IssuedAt), 0).Add(time.Duration(float64(life) * a.cfg.ReattestFraction))
	return min(max(due.Sub(a.cfg.Now()), a.cfg.MinInterval), a.cfg.MaxInterval)
}

// maxValidity is the longest validity the registry lets a policy give a verdict
// (TeeRegistry's MAX_VALIDITY, 2^32-1 s).
const maxValidity = 1<<32 - 1

// AttestUntilDone runs rounds until one succeeds or ctx ends, backing off between
// failures. A refusal is retried too: the provider may authorise the key later.
func (a *Agent) AttestUntilDone(ctx context.Context) (*Round, error) {
	return a.attestUntil(ctx, false)
}

// AttestOnce is AttestUntilDone for a single check (--once): it retries what may
// pass later (the node or the chain unavailable, 408, 429, a stale anchor, which a
// new challenge cures, the hardware's errors) but returns at once an error no retry
// cures (Refusal): the node refusing the request (another 4xx, such as 422 for a
// key the registry has not authorised), or the agent refusing the node's challenge
// or verdict; and a submission the node failed (a *SubmissionError): that is the
// node's answer for this evidence, which it reached after its own retries and
// waits, not an outage of the round. A 409 naming a submission of evidence whose
// answer an earlier round lost is no refusal: the round follows that submission.
func (a *Agent) AttestOnce(ctx context.Context) (*Round, error) {
	return a.attestUntil(ctx, true)
}

// Refusal reports whether err is one no retry of the same round cures: a 4xx answer
// other than 408, 429 and a stale anchor (422 on anchor_block, for which a new
// challenge is the cure), ErrChallenge or ErrVerdict.
func Refusal(err error) bool {
	if errors.Is(err, ErrChallenge) || errors.Is(err, ErrVerdict) {
		return true
	}
	var he *HTTPError
	return errors.As(err, &he) && !he.Temporary() && he.Status/100 == 4 && he.Field != "anchor_block"
}

func (a *Agent) attestUntil(ctx context.Context, once bool) (*Round, error) {
	p := a.cfg.Backoff.policy()
	p.OnRetry = func(attempt int, wait time.Duration, err error) {
		a.log.Warn("attestation round failed; retrying", "attempt", attempt, "in", wait.Round(time.Millisecond), "err", err)
	}
	attempts := 0
	r, err := retry.DoValue(ctx, p, func(ctx context.Context) (*Round, error) {
		attempts++
		r, err := a.Attest(ctx)
		var he *HTTPError
		switch {
		case err == nil:
		case once && (Refusal(err) || errors.Is(err, ErrSubmissionFailed)):
			return nil, retry.Permanent(err)
		case errors.As(err, &he) && he.RetryAfter > 0:
			return nil, retry.After(err, he.RetryAfter)
		}
		return r, err
	})
	if err != nil {
		// Only ctx's end (or, once, a refusal or failed submission) stops the retries; at ctx's end its
		// error is the answer (each round's own error was logged).
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	r.Attempts = attempts
	if a.cfg.OnRound != nil {
		a.cfg.OnRound(*r)
	}
	return r, nil
}

// Attest runs one round: challenge, evidence, submission, and polling until the
// verdict is on-chain (confirmed) or the submission failed.
func (a *Agent) Attest(ctx context.Context) (*Round, error) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RoundTimeout)
	defer cancel()
	ch, err := a.cfg.Oracle.Challenge(ctx, a.cfg.MachineID, a.addr)
	if err != nil {
		return nil, err
	}
	rd, err := a.checkChallenge(ch)
	if err != nil {
		return nil, err
	}
	ev, err := a.cfg.Source.Evidence(ctx, rd)
	if err != nil {
		return nil, err
	}
	bundle, err := ev.MarshalBundle()
	if err != nil {
		return nil, fmt.Errorf("evidence bundle: %w", err)
	}
	// The key proves it is held here: its signature over this very challenge and
	// this very evidence (whose canonical hash the bundle keeps), so nobody who
	// sees the proof can submit other evidence under it.
	evHash := common.Hash(ev.Hash())
	pop, err := verdict.SignPossession(verdict.Binding{ChainID: ch.ChainID, Registry: ch.Registry, MachineID: ch.MachineID,
		TEEKey: ch.TEEKey, AnchorBlockNumber: ch.AnchorBlockNumber, AnchorBlockHash: ch.AnchorBlockHash}, evHash, a.cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("proof of possession: %w", err)
	}
	res, err := a.submit(ctx, ch, pop, bundle)
	var he *HTTPError
	switch {
	case err == nil:
		a.unsure = nil // a newer anchor: the registry would skip the older evidence
	case errors.As(err, &he) && he.Status == http.StatusConflict && he.Submission != "":
		return a.adopt(ctx, he)
	case errors.As(err, &he) && !he.Temporary():
		return nil, err // refused: the node stored nothing
	default:
		a.unsure = &sent{ch: *ch, evidence: evHash}
		return nil, err
	}
	res.ID = clip(res.ID, maxNodeName)
	a.log.Info("evidence submitted", "submission", res.ID, "evidence", res.EvidenceHash.Hex(), "anchor_block", ch.AnchorBlockNumber)
	return a.finish(ctx, res.ID, &sent{ch: *ch, evidence: evHash})
}

// submit posts the evidence, retrying while the node is temporarily unavailable;
// a refusal (stale anchor, replay) needs a new challenge, so the round ends.
func (a *Agent) submit(ctx context.Context, ch *api.Challenge, pop, bundle []byte) (*api.SubmitResult, error) {
	for n := 0; ; n++ {
		res, err := a.cfg.Oracle.Submit(ctx, a.cfg.MachineID, a.addr, ch.AnchorBlockNumber, pop, bundle)
		if err == nil {
			return res, nil
		}
		if !isTemporary(err) || ctx.Err() != nil {
			return nil, err
		}
		wait := a.retryWait(n, err)
		a.log.Debug("submission not accepted yet; retrying", "in", wait, "err", err)
		if err := a.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// adopt ends a round whose submission the node refused (409) for an unsettled one
// of the machine's, conflict.Submission: when that holds the evidence of an
// earlier round whose answer was lost, the round follows it and ends with its
// outcome, checking its verdict against that round's challenge and evidence.
// Otherwise conflict is the round's error.
func (a *Agent) adopt(ctx context.Context, conflict *HTTPError) (*Round, error) {
	id, earlier := conflict.Submission, a.unsure
	if earlier == nil {
		return nil, conflict
	}
	v, err := a.cfg.Oracle.Submission(ctx, id)
	if err != nil {
		return nil, err
	}
	if v.EvidenceHash != earlier.evidence {
		return nil, conflict // another agent's, or evidence this one no longer knows
	}
	a.log.Info("evidence submitted in an earlier round whose answer was lost; following it", "submission", id,
		"evidence", v.EvidenceHash.Hex(), "anchor_block", earlier.ch.AnchorBlockNumber)
	return a.finish(ctx, id, earlier)
}

// finish follows submission id of evidence s until it is confirmed or failed, and
// checks its verdict.
func (a *Agent) finish(ctx context.Context, id string, s *sent) (*Round, error) {
	view, err := a.follow(ctx, id)
	var se *SubmissionError
	if err == nil || errors.As(err, &se) {
		a.unsure = nil // settled
	} else {
		a.unsure = s // unsettled: a later round may be refused for it
	}
	if err != nil {
		return nil, err
	}
	if view.VerdictHash == nil {
		return nil, fmt.Errorf("%w: submission %s confirmed without a verdict hash", ErrVerdict, id)
	}
	vv, err := a.verdict(ctx, *view.VerdictHash, &s.ch, s.evidence)
	if err != nil {
		return nil, err
	}
	r := &Round{SubmissionID: id, EvidenceHash: s.evidence, VerdictHash: *view.VerdictHash,
		Verdict: *vv, Trusted: vv.Status == verdict.StatusTrusted, Reasons: view.Reasons, Challenge: s.ch}
	if view.TxHash != nil {
		r.TxHash = *view.TxHash
	}
	// The node reports the verdict on-chain; the agent has checked what it can (the
	// verdict function) but has no chain endpoint to look it up itself.
	tx := "published by a peer" // the node names only a transaction it sent
	if r.TxHash != (common.Hash{}) {
		tx = r.TxHash.Hex()
	}
	a.log.Info("node reports verdict on-chain", "status", vv.Status.String(), "verdict", r.VerdictHash.Hex(), "tx", tx,
		"expires_at", time.Unix(int64(vv.ExpiresAt), 0).UTC())
	return r, nil
}

// maxRetryWait caps the wait before retrying a request within a round (the round
// itself ends after RoundTimeout); a longer Retry-After is still honoured.
const maxRetryWait = 30 * time.Second

// retryWait is the wait before retry n (from 0) of a request within a round that
// failed with err: the Backoff's jittered exponential delay starting at
// PollInterval, at most maxRetryWait, and at least the node's Retry-After.
func (a *Agent) retryWait(n int, err error) time.Duration {
	p := a.cfg.Backoff.policy()
	p.Initial, p.Max = a.cfg.PollInterval, max(maxRetryWait, a.cfg.PollInterval)
	d := p.Delay(n)
	var he *HTTPError
	if errors.As(err, &he) {
		d = max(d, he.RetryAfter)
	}
	return d
}

// checkChallenge refuses a challenge not for this machine, key, chain and registry,
// and returns its report data after checking it is the binding of its fields.
func (a *Agent) checkChallenge(ch *api.Challenge) ([64]byte, error) {
	var zero [64]byte
	switch {
	case ch.MachineID != a.cfg.MachineID:
		return zero, fmt.Errorf("%w: for machine %s, this is %s", ErrChallenge, ch.MachineID, a.cfg.MachineID)
	case ch.TEEKey != a.addr:
		return zero, fmt.Errorf("%w: for key %s, this agent holds %s", ErrChallenge, ch.TEEKey, a.addr)
	case ch.ChainID != a.cfg.ChainID:
		return zero, fmt.Errorf("%w: for chain %d, configured %d", ErrChallenge, ch.ChainID, a.cfg.ChainID)
	case ch.Registry != a.cfg.Registry:
		return zero, fmt.Errorf("%w: for registry %s, configured %s", ErrChallenge, ch.Registry, a.cfg.Registry)
	}
	want := verdict.Binding{ChainID: ch.ChainID, Registry: ch.Registry, MachineID: ch.MachineID, TEEKey: ch.TEEKey,
		AnchorBlockNumber: ch.AnchorBlockNumber, AnchorBlockHash: ch.AnchorBlockHash}.ReportData()
	got, err := hex.DecodeString(strings.TrimPrefix(ch.ReportData, "0x"))
	if err != nil || len(got) != 64 || [64]byte(got) != want {
		return zero, fmt.Errorf("%w: report data %q is not the binding of the challenge's fields (%x)", ErrChallenge, clip(ch.ReportData, len("0x")+2*64), want)
	}
	return want, nil
}

// follow polls the submission until it is confirmed or failed. Temporary errors
// reading the status are retried: the submission is durable on the node.
func (a *Agent) follow(ctx context.Context, id string) (*api.SubmissionView, error) {
	last, waiting := "", ""
	for fails := 0; ; {
		wait := a.cfg.PollInterval
		v, err := a.cfg.Oracle.Submission(ctx, id)
		switch {
		case err == nil:
			fails = 0
			clipView(v)
			if v.State != last {
				a.log.Debug("submission state", "submission", id, "state", v.State)
				last = v.State
			}
			// The node puts a submission off while AMD KDS or Intel PCS is down; say so
			// once per change, since the round may then take minutes.
			if v.Waiting != waiting {
				if waiting = v.Waiting; waiting != "" {
					a.log.Warn("oracle node waits for collateral before appraising", "submission", id, "waiting", waiting)
				}
			}
			switch v.State {
			case "confirmed":
				return v, nil
			case "failed":
				return nil, &SubmissionError{ID: id, Reason: v.Reason, Reasons: v.Reasons}
			}
		case !isTemporary(err):
			return nil, err
		default:
			wait = a.retryWait(fails, err)
			fails++
			a.log.Debug("submission status unavailable", "submission", id, "in", wait, "err", err)
		}
		if err := a.sleep(ctx, wait); err != nil {
			if waiting != "" {
				return nil, fmt.Errorf("submission %s still %q, the node waiting (%s): %w", id, last, waiting, err)
			}
			return nil, fmt.Errorf("submission %s still %q: %w", id, last, err)
		}
	}
}

// verdict fetches the verdict and checks it: its digest is the hash the oracle
// names, and it is for this machine and key, this challenge's anchor and the
// evidence this round submitted (evidence), so a node cannot pass off another
// round's verdict as this one's.
func (a *Agent) verdict(ctx context.Context, h common.Hash, ch *api.Challenge, evidence common.Hash) (*verdict.Verdict, error) {
	var vv *api.VerdictView
	var err error
	for n := 0; ; n++ {
		if vv, err = a.cfg.Oracle.Verdict(ctx, h); err == nil || !isTemporary(err) || ctx.Err() != nil {
			break
		}
		if err := a.sleep(ctx, a.retryWait(n, err)); err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	var v verdict.Verdict
	if err := json.Unmarshal(vv.Verdict, &v); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrVerdict, h, err)
	}
	d := verdict.Domain{ChainID: ch.ChainID, Registry: ch.Registry}
	now := a.cfg.Now()
	switch {
	case v.Digest(d) != h:
		return nil, fmt.Errorf("%w: verdict hashes to %s, the oracle names %s", ErrVerdict, v.Digest(d), h)
	case v.MachineID != a.cfg.MachineID || v.TEEKey != a.addr:
		return nil, fmt.Errorf("%w: verdict for machine %s key %s", ErrVerdict, v.MachineID, v.TEEKey)
	case v.AnchorBlockNumber != ch.AnchorBlockNumber || v.AnchorBlockHash != ch.AnchorBlockHash:
		return nil, fmt.Errorf("%w: verdict anchored at block %d (%s), this round's challenge at %d (%s)", ErrVerdict,
			v.AnchorBlockNumber, v.AnchorBlockHash, ch.AnchorBlockNumber, ch.AnchorBlockHash)
	case v.EvidenceHash != evidence:
		return nil, fmt.Errorf("%w: verdict on evidence %s, this round submitted %s", ErrVerdict, v.EvidenceHash, evidence)
	}
	if err := v.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrVerdict, h, err)
	}
	switch {
	case v.ExpiresAt-v.IssuedAt > maxValidity:
		return nil, fmt.Errorf("%w: %s valid %d s, longer than the registry allows (%d s)", ErrVerdict, h, v.ExpiresAt-v.IssuedAt, uint64(maxValidity))
	case v.IssuedAt > uint64(now.Add(a.cfg.ClockSkew).Unix()):
		return nil, fmt.Errorf("%w: %s issued at %d, after this agent's clock (%d) by more than %v", ErrVerdict, h, v.IssuedAt, now.Unix(), a.cfg.ClockSkew)
	}
	return &v, nil
}
