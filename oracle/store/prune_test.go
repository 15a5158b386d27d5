package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
)

// TestPruneFailedKeepsWhatVerdictsNeed: old failed submissions go with their
// evidence, metadata and verdicts; evidence and verdicts that a kept submission
// refers to stay, and so does every recent failure.
func TestPruneFailedKeepsWhatVerdictsNeed(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := now
	s, err := Open(filepath.Join(t.TempDir(), "node.db"), Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	m := machine(1)
	put := func(id, ev string) Submission {
		t.Helper()
		sub, err := s.PutSubmission(NewSubmission{ID: id, MachineID: m, Format: "bundle",
			Meta: map[string][]byte{"sub/" + id: []byte("params"), "ev/" + ev: []byte(id)}}, []byte(ev))
		if err != nil {
			t.Fatal(err)
		}
		return sub
	}
	// The machine's published verdict, and a later forged one that failed.
	good := put("good", "evidence-good")
	vg := verdictFor("good", m, 100)
	if _, err := s.RecordDecision("good", Decision{Verdict: vg, Meta: map[string][]byte{"audit/good": {1}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition("good", StateConfirmed, ""); err != nil {
		t.Fatal(err)
	}
	forged := put("forged", "evidence-forged")
	vf := verdictFor("forged", m, 200)
	if _, err := s.RecordDecision("forged", Decision{Verdict: vf, FailReason: "not authentic",
		Meta: map[string][]byte{"audit/forged": {1}}}); err != nil {
		t.Fatal(err)
	}
	// A re-appraisal of the published verdict's evidence that failed: it shares
	// the evidence with a confirmed submission.
	if _, err := s.PutSubmission(NewSubmission{ID: "reapp", MachineID: m}, []byte("evidence-good")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition("reapp", StateFailed, "no quorum"); err != nil {
		t.Fatal(err)
	}
	clock = now.Add(48 * time.Hour)
	recent := put("recent", "evidence-recent")
	if _, err := s.Transition("recent", StateFailed, "no quorum"); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.LatestVerdict(m); l.Hash != vf.Hash {
		t.Fatal("set-up: the forged verdict is not the latest")
	}

	st, err := s.PruneFailed(PruneOptions{Before: now.Add(24 * time.Hour),
		Meta: func(sub Submission) map[string][]byte {
			return map[string][]byte{"sub/" + sub.ID: nil, "ev/" + evName(s, sub): []byte(sub.ID)}
		},
		VerdictMeta: func(h common.Hash) []string {
			return []string{"audit/" + map[common.Hash]string{vg.Hash: "good", vf.Hash: "forged"}[h]}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Submissions != 2 || st.Evidence != 1 || st.Verdicts != 1 || st.More {
		t.Fatalf("pruned %+v, want the forged and re-appraisal submissions, the forged evidence and verdict", st)
	}
	for id, want := range map[string]error{"good": nil, "recent": nil, "forged": ErrNotFound, "reapp": ErrNotFound} {
		if _, err := s.Submission(id); !errors.Is(err, want) && !(want == nil && err == nil) {
			t.Errorf("submission %s: %v, want %v", id, err, want)
		}
	}
	if _, err := s.Evidence(good.EvidenceHash); err != nil {
		t.Errorf("published verdict's evidence pruned: %v", err)
	}
	if _, err := s.Evidence(recent.EvidenceHash); err != nil {
		t.Errorf("recent failure's evidence pruned: %v", err)
	}
	if _, err := s.Evidence(forged.EvidenceHash); !errors.Is(err, ErrNotFound) {
		t.Errorf("forged evidence kept: %v", err)
	}
	if _, err := s.Verdict(vf.Hash); !errors.Is(err, ErrNotFound) {
		t.Errorf("forged verdict kept: %v", err)
	}
	if l, err := s.LatestVerdict(m); err != nil || l.Hash != vg.Hash {
		t.Errorf("latest verdict %s %v, want the published one back", l.Hash, err)
	}
	for k, want := range map[string]error{"sub/forged": ErrNotFound, "audit/forged": ErrNotFound, "ev/evidence-forged": ErrNotFound,
		"sub/good": nil, "audit/good": nil, "ev/evidence-good": nil} {
		if _, err := s.Meta(k); !errors.Is(err, want) && !(want == nil && err == nil) {
			t.Errorf("meta %s: %v, want %v", k, err, want)
		}
	}
	sz, err := s.ArchiveSizes()
	if err != nil {
		t.Fatal(err)
	}
	if ev := sz["evidence"]; ev.Entries != 2 || ev.Bytes != int64(len("evidence-good")+len("evidence-recent")) {
		t.Fatalf("evidence archive %+v", ev)
	}
}

// evName maps the test's evidence hashes back to the strings they hash.
func evName(s *Store, sub Submission) string {
	for _, name := range []string{"evidence-good", "evidence-forged", "evidence-recent"} {
		if h, _ := s.evidenceH([]byte(name)); h == sub.EvidenceHash {
			return name
		}
	}
	return "unknown"
}

// TestPruneFailedLetsWritersIn: pruning many failed submissions is done in short
// write transactions, between which other writers get in; a submission written
// meanwhile that names evidence of a submission still to be pruned keeps it, and
// the result is the same as pruning alone: every old failure gone, the store sound.
func TestPruneFailedLetsWritersIn(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := now
	s, err := Open(filepath.Join(t.TempDir(), "node.db"), Options{Now: func() time.Time { return clock }, CommitDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	const n = 5 * pruneBatch
	m := machine(1)
	for i := range n {
		id := fmt.Sprintf("old-%04d", i)
		if _, err := s.PutSubmission(NewSubmission{ID: id, MachineID: m}, []byte("evidence-"+id)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(id, StateFailed, "no quorum"); err != nil {
			t.Fatal(err)
		}
	}
	clock = now.Add(48 * time.Hour)
	// Between the pruning's transactions, another writer puts a new submission of
	// the evidence of the last old one (the pruning's scan did not see it).
	last := []byte(fmt.Sprintf("evidence-old-%04d", n-1))
	writes := 0
	s.pruneBatchDone = func() {
		writes++
		if _, err := s.PutSubmission(NewSubmission{ID: fmt.Sprintf("new-%d", writes), MachineID: m}, last); err != nil {
			t.Errorf("write between pruning batches: %v", err)
		}
	}
	st, err := s.PruneFailed(PruneOptions{Before: now.Add(24 * time.Hour), Max: 2 * n})
	if err != nil {
		t.Fatal(err)
	}
	if writes != n/pruneBatch {
		t.Fatalf("%d writes got in between the pruning's transactions, want %d (one per batch)", writes, n/pruneBatch)
	}
	if st.Submissions != n || st.Evidence != n-1 || st.More {
		t.Fatalf("pruned %+v, want %d submissions and the evidence of all but the one written again", st, n)
	}
	h, _ := s.evidenceH(last)
	if _, err := s.Evidence(h); err != nil {
		t.Fatalf("evidence of a submission written during the pruning: %v", err)
	}
	if _, err := s.Submission("old-0000"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old failure kept: %v", err)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("store check after pruning with writers: %v", err)
	}
}

// TestPruneFailedKeepsEvidenceOfWriteInFlight: a submission whose write noted its
// evidence before PruneFailed began watching, and committed after (its group's
// commit was still running), keeps that evidence although the old failed
// submission that shares it is pruned.
func TestPruneFailedKeepsEvidenceOfWriteInFlight(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var cmu sync.Mutex
	clock := now
	s, err := Open(filepath.Join(t.TempDir(), "node.db"), Options{CommitDelay: 50 * time.Millisecond,
		Now: func() time.Time { cmu.Lock(); defer cmu.Unlock(); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	m := machine(1)
	shared := []byte("evidence-shared")
	if _, err := s.PutSubmission(NewSubmission{ID: "old", MachineID: m}, shared); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition("old", StateFailed, "no quorum"); err != nil {
		t.Fatal(err)
	}
	cmu.Lock()
	clock = now.Add(48 * time.Hour)
	cmu.Unlock()
	pending := func(n int) {
		for {
			s.group.mu.Lock()
			got := len(s.group.pending)
			s.group.mu.Unlock()
			if got >= n {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	// The new submission's write and, after it in the same group, one that holds
	// the group's transaction open.
	putDone := make(chan error, 1)
	go func() {
		_, err := s.PutSubmission(NewSubmission{ID: "new", MachineID: m}, shared)
		putDone <- err
	}()
	pending(1)
	entered, release := make(chan struct{}), make(chan struct{})
	go func() {
		_ = s.commitGrouped(func(*bolt.Tx) error { close(entered); <-release; return nil })
	}()
	pending(2)
	<-entered // the new submission's function has run: its evidence is noted, uncommitted
	pruneDone := make(chan error, 1)
	go func() {
		_, err := s.PruneFailed(PruneOptions{Before: now.Add(24 * time.Hour)})
		pruneDone <- err
	}()
	for {
		s.refs.mu.Lock()
		w := s.refs.watchers
		s.refs.mu.Unlock()
		if w > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the pruning's scan, had it not waited for the write
	close(release)
	if err := <-putDone; err != nil {
		t.Fatal(err)
	}
	if err := <-pruneDone; err != nil {
		t.Fatal(err)
	}
	h, _ := s.evidenceH(shared)
	if _, err := s.Evidence(h); err != nil {
		t.Fatalf("evidence of a submission committed while the pruning began was deleted: %v", err)
	}
	if _, err := s.Submission("old"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old failure kept: %v", err)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("store check: %v", err)
	}
}

// TestPruneFailedConfirmsVerdictsFoundOnChain: a failed submission whose signed
// verdict a peer published all the same (Published says so) is confirmed, not
// deleted, and keeps its verdict, signature, evidence and audit record; one whose
// verdict is not on-chain is pruned; one whose question failed is held for later.
func TestPruneFailedConfirmsVerdictsFoundOnChain(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := now
	s, err := Open(filepath.Join(t.TempDir(), "node.db"), Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	signer := common.Address{0x0a}
	sig := make([]byte, 65)
	vs := map[string]Verdict{}
	for i, id := range []string{"landed", "lost", "unknown"} {
		m := machine(10 + i)
		if _, err := s.PutSubmission(NewSubmission{ID: id, MachineID: m}, []byte("evidence-"+id)); err != nil {
			t.Fatal(err)
		}
		vs[id] = verdictFor(id, m, 100)
		if _, err := s.RecordDecision(id, Decision{Verdict: vs[id], Signer: signer, Signature: sig,
			Meta: map[string][]byte{"audit/" + id: {1}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(id, StateFailed, "no quorum within 10m0s: 1 of 2 signatures"); err != nil {
			t.Fatal(err)
		}
	}
	clock = now.Add(48 * time.Hour)
	asked := map[common.Hash]int{}
	names := map[common.Hash]string{vs["landed"].Hash: "landed", vs["lost"].Hash: "lost", vs["unknown"].Hash: "unknown"}
	st, err := s.PruneFailed(PruneOptions{Before: now.Add(24 * time.Hour),
		VerdictMeta: func(h common.Hash) []string { return []string{"audit/" + names[h]} },
		Published: func(h common.Hash) (bool, error) {
			asked[h]++
			switch names[h] {
			case "landed":
				return true, nil
			case "unknown":
				return false, errors.New("registry unreachable")
			}
			return false, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Submissions != 1 || st.Verdicts != 1 || st.Confirmed != 1 || st.Held != 1 {
		t.Fatalf("pruned %+v, want 1 deleted with its verdict, 1 confirmed, 1 held", st)
	}
	if len(asked) != 3 {
		t.Fatalf("asked about %d verdicts, want 3", len(asked))
	}
	sub, err := s.Submission("landed")
	if err != nil || sub.State != StateConfirmed || sub.Reason != PublishedReason {
		t.Fatalf("landed submission %+v %v, want confirmed as published elsewhere", sub, err)
	}
	for _, id := range []string{"landed", "unknown"} {
		if _, err := s.Verdict(vs[id].Hash); err != nil {
			t.Errorf("%s: verdict deleted: %v", id, err)
		}
		if _, err := s.Signature(vs[id].Hash, signer); err != nil {
			t.Errorf("%s: signature deleted: %v", id, err)
		}
		if _, err := s.Meta("audit/" + id); err != nil {
			t.Errorf("%s: audit record deleted: %v", id, err)
		}
		if l, err := s.LatestVerdict(vs[id].MachineID); err != nil || l.Hash != vs[id].Hash {
			t.Errorf("%s: latest verdict %s %v", id, l.Hash, err)
		}
	}
	if _, err := s.Evidence(sub.EvidenceHash); err != nil {
		t.Errorf("landed verdict's evidence deleted: %v", err)
	}
	if sub, err := s.Submission("unknown"); err != nil || sub.State != StateFailed {
		t.Errorf("held submission %+v %v, want it failed, for the next call", sub, err)
	}
	if _, err := s.Submission("lost"); !errors.Is(err, ErrNotFound) {
		t.Errorf("lost submission: %v, want pruned", err)
	}
	if _, err := s.Verdict(vs["lost"].Hash); !errors.Is(err, ErrNotFound) {
		t.Errorf("lost verdict: %v, want pruned", err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	// The next call asks again about the held one only, and confirms nothing twice.
	st, err = s.PruneFailed(PruneOptions{Before: now.Add(24 * time.Hour),
		Published: func(h common.Hash) (bool, error) { asked[h]++; return false, nil }})
	if err != nil || st.Submissions != 1 || st.Confirmed != 0 || asked[vs["landed"].Hash] != 1 {
		t.Fatalf("second pass %+v %v, asked %v", st, err, asked)
	}
}
