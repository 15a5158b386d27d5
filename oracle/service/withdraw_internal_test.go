package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// served reports whether the node hands out its own signature over verdict i
// (GET /v1/verdicts/{h}/signature), checking that the verdict view agrees and that
// batch co-signing refuses a signature not served. A refusal must be
// api.ErrNotFound.
func (nt *noteTest) served(i int) bool {
	nt.t.Helper()
	h := nt.hashes[i]
	view, err := nt.s.Signature(context.Background(), h)
	if err != nil && !errors.Is(err, api.ErrNotFound) {
		nt.t.Fatalf("signature over verdict %d: %v, want it or api.ErrNotFound", i, err)
	}
	v, verr := nt.s.Verdict(context.Background(), h)
	if verr != nil {
		nt.t.Fatalf("verdict %d: %v", i, verr)
	}
	inView := false
	for _, sg := range v.Signatures {
		inView = inView || sg.Signer == nt.s.oracle
	}
	if inView != (err == nil) {
		nt.t.Fatalf("verdict %d: signature served %t, in the verdict view %t: they disagree", i, err == nil, inView)
	}
	if _, serr := nt.s.ownStructHash(h); err != nil && !errors.Is(serr, errNotOwn) {
		nt.t.Fatalf("verdict %d: signature not served, yet co-signable (%v)", i, serr)
	}
	return view != nil
}

// TestSignatureWithdrawnWhenVerdictMustNotBePublished: a signed verdict that fails
// because the registry refuses the verdict itself (its key no longer authorised, a
// newer verdict of the machine superseding it), at simulation or as a skipped batch
// entry, no longer has this node's signature handed out: GET signature answers
// api.ErrNotFound, the verdict view leaves it out and batch co-signing refuses it.
// One that fails only because this node could not publish it (its quorum timed out,
// the registry refused the signature set it assembled) keeps it served for peers.
func TestSignatureWithdrawnWhenVerdictMustNotBePublished(t *testing.T) {
	for _, tc := range []struct {
		name   string
		refuse string // the simulation's refusal; "" lets the quorum time out
		served bool
	}{
		{"key revoked", "KeyNotAuthorized", false},
		{"superseded", "StaleVerdict", false},
		{"machine retired", "MachineIdRetired", false},
		{"signature set refused", "InsufficientSignatures", true},
		{"quorum timed out", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nt := newNoteTest(t, 1)
			nt.s.cfg.Peers = nil
			if !nt.served(0) {
				t.Fatal("signed verdict: signature not served")
			}
			if tc.refuse == "" {
				nt.s.cfg.QuorumTimeout = time.Minute
				nt.expect("short of the quorum", nil, 1, 1)
				nt.now = nt.now.Add(2 * time.Minute)
				nt.pass(2)
				nt.state("quorum timed out", 0, store.StateFailed, "no quorum")
			} else {
				nt.reg.simErr = fmt.Errorf("simulate: %w", &chain.RevertError{Name: tc.refuse})
				for head := uint64(10); head < 13; head++ { // a later-block refusal waits for a later head once
					if sub, _ := nt.st.Submission("sub0"); sub.State == store.StateSigned {
						nt.refusedPass(head)
					}
				}
				nt.state("refused", 0, store.StateFailed, tc.refuse)
			}
			if got := nt.served(0); got != tc.served {
				t.Fatalf("failed verdict: signature served %t, want %t", got, tc.served)
			}
			if !tc.served {
				_, err := nt.s.Signature(context.Background(), nt.hashes[0])
				if !errors.Is(err, api.ErrNotFound) || !strings.Contains(err.Error(), tc.refuse) {
					t.Fatalf("withdrawn signature: %v, want api.ErrNotFound saying why (%s)", err, tc.refuse)
				}
			}
		})
	}
}

// skippingRegistry reports the batch entries the registry skipped.
type skippingRegistry struct {
	*noteRegistry
	skipped []chain.VerdictSkipped
}

func (r *skippingRegistry) BatchOutcome(*types.Receipt) (map[common.Hash]bool, []chain.VerdictSkipped, error) {
	return nil, r.skipped, nil
}

// TestSignatureWithdrawnForSkippedBatchEntry: a mined batch whose registry skipped
// an entry for the verdict itself (its key bound to another machine) withdraws this
// node's signature over that verdict; an entry skipped for its signature set keeps
// it served. A pass finding a withdrawn verdict still signed fails it.
func TestSignatureWithdrawnForSkippedBatchEntry(t *testing.T) {
	nt := newNoteTest(t, 2)
	nt.s.reg = &skippingRegistry{noteRegistry: nt.reg, skipped: []chain.VerdictSkipped{
		{Index: 0, Digest: nt.hashes[0], Reason: &chain.RevertError{Name: "KeyBoundToOtherMachine"}},
		{Index: 1, Digest: nt.hashes[1], Reason: &chain.RevertError{Name: "InsufficientSignatures"}},
	}}
	out, retry, err := nt.s.batchOutcome(context.Background(), &types.Receipt{BlockNumber: big.NewInt(9)})
	if err != nil || len(out) != 2 || len(retry) != 0 {
		t.Fatalf("batch outcome: skipped %v, retried %v (%v), want both entries skipped", out, retry, err)
	}
	if nt.served(0) {
		t.Fatal("verdict skipped for its key binding: signature still served")
	}
	if !nt.served(1) {
		t.Fatal("verdict skipped for its signature set: signature no longer served")
	}
	// The journal has not failed the submissions here: a publisher pass fails the
	// withdrawn verdict's instead of relaying it, and relays the other.
	nt.s.cfg.Peers = nil
	if ready, _ := nt.pass(1); len(ready) != 1 || ready[0] != nt.hashes[1] {
		t.Fatalf("ready after the batch outcome: %v, want only verdict 1", ready)
	}
	nt.state("withdrawn, still signed", 0, store.StateFailed, "KeyBoundToOtherMachine")
}

// blockRPC answers the head's number only.
type blockRPC struct{ RPC }

func (blockRPC) BlockNumber(context.Context) (uint64, error) { return 20, nil }

// machineRegistry answers one machine record for every machine.
type machineRegistry struct {
	*noteRegistry
	rec MachineRecord
}

func (r *machineRegistry) Machine(context.Context, common.Hash) (MachineRecord, error) {
	return r.rec, nil
}

// TestSignatureWithdrawnWhenResumedVerdictRefused: a previous run stored this
// node's signature over a verdict and stopped before marking its submission
// signed; resumed, the submission fails because the binding facts refuse the
// verdict (the machine was deregistered meanwhile), and the stored signature is
// no longer handed out.
func TestSignatureWithdrawnWhenResumedVerdictRefused(t *testing.T) {
	nt := newNoteTest(t, 0)
	machine, key := common.Hash{0x11}, common.Address{0x7e}
	nt.s.rpc = blockRPC{}
	nt.s.headNow = &headReads{read: nt.s.rpc.BlockNumber}
	nt.s.reg = &machineRegistry{noteRegistry: nt.reg, rec: MachineRecord{State: chain.MachineStateDeregistered, TEEKey: key}}
	meta, err := subMetaEntry("resumed", &subMeta{MachineID: machine, TEEKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nt.st.PutSubmission(store.NewSubmission{ID: "resumed", MachineID: machine, Meta: meta}, []byte("evidence")); err != nil {
		t.Fatal(err)
	}
	h := crypto.Keccak256Hash([]byte("resumed verdict"))
	nt.hashes = append(nt.hashes, h)
	body, _ := json.Marshal(verdict.Verdict{MachineID: machine, TEEKey: key, Status: verdict.StatusTrusted, IssuedAt: 100})
	rec, _ := json.Marshal(audit.Record{Publishable: true})
	if _, err := nt.st.RecordDecision("resumed", store.Decision{Verdict: store.Verdict{Hash: h, MachineID: machine, IssuedAt: 100, Body: body},
		Meta: map[string][]byte{audit.RecordKey(h): rec}}); err != nil {
		t.Fatal(err)
	}
	sig, err := verdict.Sign(h, nt.peerKey) // any key: the store holds it as this node's
	if err != nil {
		t.Fatal(err)
	}
	if err := nt.st.PutSignature(h, nt.s.oracle, sig); err != nil {
		t.Fatal(err)
	}
	if !nt.served(0) {
		t.Fatal("set-up: the stored signature is not served")
	}
	sub, err := nt.st.Submission("resumed")
	if err != nil {
		t.Fatal(err)
	}
	if err := nt.s.resumeVerified(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
	if sub, _ = nt.st.Submission("resumed"); sub.State != store.StateFailed || !strings.Contains(sub.Reason, "no longer registered") {
		t.Fatalf("resumed submission %s (%q), want failed: machine no longer registered", sub.State, sub.Reason)
	}
	if nt.served(0) {
		t.Fatal("resumed verdict refused by the binding facts: signature still served")
	}
}
