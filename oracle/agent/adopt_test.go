package agent

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// errLostAnswer is a submission whose answer never came back (the connection
// closed): temporary, so the node may have stored the evidence.
var errLostAnswer = errors.New("connection reset while reading the answer")

// errRoundOver ends a round's waits, as its timeout would.
var errRoundOver = errors.New("round timed out")

// conflictOracle answers each submission in turn with submits' error (nil: accepted
// as "s0"), and every status read with the view stored for the id.
type conflictOracle struct {
	ch       api.Challenge
	submits  []error
	views    map[string]api.SubmissionView
	verdicts map[common.Hash]api.VerdictView
	// reads and verdictReads count status and verdict reads.
	reads, verdictReads int
}

func (o *conflictOracle) Challenge(context.Context, common.Hash, common.Address) (*api.Challenge, error) {
	c := o.ch
	return &c, nil
}

func (o *conflictOracle) Submit(context.Context, common.Hash, common.Address, uint64, []byte, []byte) (*api.SubmitResult, error) {
	if len(o.submits) == 0 {
		return &api.SubmitResult{ID: "s0", State: "received"}, nil
	}
	err := o.submits[0]
	o.submits = o.submits[1:]
	if err != nil {
		return nil, err
	}
	return &api.SubmitResult{ID: "s0", State: "received"}, nil
}

func (o *conflictOracle) Submission(_ context.Context, id string) (*api.SubmissionView, error) {
	o.reads++
	v, ok := o.views[id]
	if !ok {
		return nil, &HTTPError{Op: "submission", Status: http.StatusNotFound}
	}
	return &v, nil
}

func (o *conflictOracle) Verdict(_ context.Context, h common.Hash) (*api.VerdictView, error) {
	o.verdictReads++
	v, ok := o.verdicts[h]
	if !ok {
		return nil, &HTTPError{Op: "verdict", Status: http.StatusNotFound}
	}
	return &v, nil
}

// A round refused with 409 for an unsettled submission follows it only when it
// holds the evidence of an earlier round whose answer was lost, and then only to a
// verdict for this machine, key, anchor and evidence: a 409 naming another
// submission, a 409 when no answer was lost, and a verdict for something else all
// end the round without a verdict.
func TestConflictAdoptsOnlyTheLostSubmission(t *testing.T) {
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	machine := common.HexToHash("0x11")
	ch := goodChallenge(machine, addr)
	fixed := fixedEvidence(t, snpSource(t), ch)
	lost := common.Hash(fixed.ev.Hash())
	now := time.Unix(1_800_000_000, 0)
	good := verdict.Verdict{MachineID: machine, TEE: verdict.TEESEVSNP, Status: verdict.StatusTrusted, TEEKey: addr,
		IssuedAt: uint64(now.Unix()) - 12, ExpiresAt: uint64(now.Unix()) + 3600,
		AnchorBlockNumber: ch.AnchorBlockNumber, AnchorBlockHash: ch.AnchorBlockHash, EvidenceHash: lost}
	d := verdict.Domain{ChainID: ch.ChainID, Registry: ch.Registry}
	conflict := &HTTPError{Op: "submit", Status: http.StatusConflict, Message: "not newer than the unsettled submission", Submission: "s1"}

	// node is a node that stored submission s1 of evidence ev, confirmed with verdict v.
	node := func(ev common.Hash, v verdict.Verdict, submits ...error) *conflictOracle {
		body, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		h := v.Digest(d)
		return &conflictOracle{ch: ch, submits: submits,
			views:    map[string]api.SubmissionView{"s1": {ID: "s1", MachineID: machine, EvidenceHash: ev, State: "confirmed", VerdictHash: &h}},
			verdicts: map[common.Hash]api.VerdictView{h: {Hash: h, Verdict: body}}}
	}
	newAgent := func(t *testing.T, o Oracle) *Agent {
		t.Helper()
		a, err := New(Config{MachineID: machine, Registry: ch.Registry, ChainID: ch.ChainID, Key: key, Source: fixed,
			Oracle: o, Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		a.sleep = func(context.Context, time.Duration) error { return errRoundOver }
		return a
	}
	// afterLoss runs a round whose submission's answer is lost, then the round the
	// node refuses with conflict.
	afterLoss := func(t *testing.T, o *conflictOracle) (*Round, error) {
		t.Helper()
		a := newAgent(t, o)
		if r, err := a.Attest(t.Context()); !errors.Is(err, errRoundOver) {
			t.Fatalf("round whose answer is lost: %+v, %v; want it to end unanswered", r, err)
		}
		if o.reads != 0 {
			t.Fatalf("%d status reads before the refusal", o.reads)
		}
		return a.Attest(t.Context())
	}
	wantConflict := func(t *testing.T, o *conflictOracle, r *Round, err error) {
		t.Helper()
		var he *HTTPError
		if !errors.As(err, &he) || he.Status != http.StatusConflict || !Refusal(err) {
			t.Fatalf("round %+v, err %v; want the 409 refusal", r, err)
		}
		if r != nil || o.verdictReads != 0 {
			t.Errorf("round %+v after %d verdict reads; want none adopted", r, o.verdictReads)
		}
	}

	t.Run("the lost evidence's submission is adopted", func(t *testing.T) {
		o := node(lost, good, errLostAnswer, conflict)
		r, err := afterLoss(t, o)
		if err != nil || r.SubmissionID != "s1" || !r.Trusted || r.EvidenceHash != lost {
			t.Fatalf("round %+v, err %v; want s1's trusted verdict", r, err)
		}
	})
	t.Run("another evidence's submission is refused", func(t *testing.T) {
		other := common.HexToHash("0xe1")
		v := good
		v.EvidenceHash = other
		o := node(other, v, errLostAnswer, conflict)
		r, err := afterLoss(t, o)
		wantConflict(t, o, r, err)
	})
	t.Run("nothing lost, nothing adopted", func(t *testing.T) {
		o := node(lost, good, conflict)
		r, err := newAgent(t, o).Attest(t.Context())
		wantConflict(t, o, r, err)
		if o.reads != 0 {
			t.Errorf("%d status reads of the named submission; want none", o.reads)
		}
	})
	t.Run("an answered submission since the loss settles it", func(t *testing.T) {
		o := node(lost, good, errLostAnswer, nil, conflict)
		// s0, answered, fails the second round: its answer (and its settled outcome)
		// leaves no lost evidence for a later 409 to name.
		o.views["s0"] = api.SubmissionView{ID: "s0", EvidenceHash: lost, State: "failed", Reason: "test"}
		a := newAgent(t, o)
		if _, err := a.Attest(t.Context()); !errors.Is(err, errRoundOver) {
			t.Fatalf("round whose answer is lost: %v", err)
		}
		if _, err := a.Attest(t.Context()); !errors.Is(err, ErrSubmissionFailed) {
			t.Fatalf("answered round: %v; want its failure", err)
		}
		r, err := a.Attest(t.Context())
		wantConflict(t, o, r, err)
	})
	for name, spoil := range map[string]func(*verdict.Verdict){
		"verdict for another machine": func(v *verdict.Verdict) { v.MachineID = common.HexToHash("0x12") },
		"verdict for another key":     func(v *verdict.Verdict) { v.TEEKey = common.HexToAddress("0x44") },
		"verdict at another anchor":   func(v *verdict.Verdict) { v.AnchorBlockNumber, v.AnchorBlockHash = 11, common.HexToHash("0x67") },
		"verdict on another evidence": func(v *verdict.Verdict) { v.EvidenceHash = common.HexToHash("0xe1") },
	} {
		t.Run(name, func(t *testing.T) {
			v := good
			spoil(&v)
			o := node(lost, v, errLostAnswer, conflict)
			r, err := afterLoss(t, o)
			if !errors.Is(err, ErrVerdict) || r != nil {
				t.Errorf("round %+v, err %v; want ErrVerdict", r, err)
			}
			if o.verdictReads != 1 {
				t.Errorf("%d verdict reads; want the adopted submission's one", o.verdictReads)
			}
		})
	}
}
