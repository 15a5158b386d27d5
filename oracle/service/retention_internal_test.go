package service

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// TestPruneKeepsVerdictPublishedAfterQuorumTimeout: this node fails two signed
// verdicts when their quorum times out here; a peer then publishes the first with
// this node's signature. Past the retention time, pruning confirms the first
// submission (published by another relayer) and keeps its verdict, signature and
// audit record, so an auditor asking this node can still reproduce the on-chain
// verdict; the second, not on-chain, is pruned with its verdict.
func TestPruneKeepsVerdictPublishedAfterQuorumTimeout(t *testing.T) {
	nt := newNoteTest(t, 2)
	nt.s.cfg.QuorumTimeout = 10 * time.Minute
	for _, h := range nt.hashes {
		if err := nt.st.SetMeta(audit.RecordKey(h), []byte(`{"test":"audit record"}`)); err != nil {
			t.Fatal(err)
		}
	}
	nt.expect("first pass", nil, 2, 2)
	nt.now = nt.now.Add(11 * time.Minute)
	nt.pass(2)
	for i := range nt.hashes {
		nt.state("quorum timed out", i, store.StateFailed, "no quorum within 10m0s")
	}
	nt.reg.mu.Lock()
	nt.reg.onChain[nt.hashes[0]] = 42 // a peer relayed it with this node's signature
	nt.reg.mu.Unlock()

	nt.s.cfg.RetainFailed = time.Hour
	nt.now = time.Now().Add(48 * time.Hour) // the store stamps with the wall clock
	nt.s.PruneNow()

	sub, err := nt.st.Submission("sub0")
	if err != nil || sub.State != store.StateConfirmed {
		t.Fatalf("published verdict's submission: %+v %v, want confirmed", sub, err)
	}
	if _, err := nt.st.Verdict(nt.hashes[0]); err != nil {
		t.Fatalf("on-chain verdict pruned: %v", err)
	}
	if _, err := nt.st.Signature(nt.hashes[0], nt.s.oracle); err != nil {
		t.Fatalf("on-chain verdict's signature pruned: %v", err)
	}
	if _, err := nt.st.Meta(audit.RecordKey(nt.hashes[0])); err != nil {
		t.Fatalf("on-chain verdict's audit record pruned: %v", err)
	}
	if _, err := nt.st.Evidence(sub.EvidenceHash); err != nil {
		t.Fatalf("on-chain verdict's evidence pruned: %v", err)
	}
	if _, err := nt.st.Submission("sub1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unpublished failed submission: %v, want pruned", err)
	}
	if _, err := nt.st.Meta(audit.RecordKey(nt.hashes[1])); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unpublished verdict's audit record: %v, want pruned", err)
	}
	if err := nt.st.Check(); err != nil {
		t.Fatal(fmt.Errorf("after pruning: %w", err))
	}
}

// downRegistry is a registry whose logs cannot be read.
type downRegistry struct {
	*noteRegistry
	reads int
}

func (r *downRegistry) AcceptedDigests(context.Context, common.Hash, uint64) (map[common.Hash]uint64, error) {
	r.reads++
	return nil, errors.New("registry unreachable")
}

// TestPruneHoldsVerdictsWhileTheRegistryIsDown: when whether a failed verdict is
// on-chain cannot be read, pruning keeps it (and its submission) for a later pass,
// and stops asking for the rest of the pass after the first failed read.
func TestPruneHoldsVerdictsWhileTheRegistryIsDown(t *testing.T) {
	nt := newNoteTest(t, 3)
	nt.s.cfg.QuorumTimeout = 10 * time.Minute
	nt.expect("first pass", nil, 3, 3)
	nt.now = nt.now.Add(11 * time.Minute)
	nt.pass(2)
	down := &downRegistry{noteRegistry: nt.reg}
	nt.s.reg = down
	nt.s.cfg.RetainFailed = time.Hour
	nt.now = time.Now().Add(48 * time.Hour)
	nt.s.PruneNow()
	for i, h := range nt.hashes {
		nt.state("registry down", i, store.StateFailed, "no quorum")
		if _, err := nt.st.Verdict(h); err != nil {
			t.Fatalf("verdict %d pruned while the registry is down: %v", i, err)
		}
	}
	if down.reads != publishReadAttempts {
		t.Fatalf("%d registry reads, want %d (one verdict's attempts, the others held without asking)", down.reads, publishReadAttempts)
	}
	nt.s.reg = nt.reg // back up, nothing on-chain: pruned
	nt.s.PruneNow()
	for i := range nt.hashes {
		if _, err := nt.st.Submission(fmt.Sprint("sub", i)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("submission %d once the registry answers: %v, want pruned", i, err)
		}
	}
}
