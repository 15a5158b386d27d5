package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestMachineFailures: a machine's submissions failed for their evidence since
// the time asked about are counted, with the earliest failure; another machine's
// are not, nor those still received or verified, nor those failed for another
// cause (Transition to failed, a decision failed without EvidenceFault); one that
// fails for its evidence joins the count, a pruned one leaves it; and the index
// survives a reopen, the store's Check agreeing with it throughout.
func TestMachineFailures(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := now
	path := filepath.Join(t.TempDir(), "node.db")
	s, err := Open(path, Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	m, other := machine(1), machine(2)
	put := func(id string, mid [32]byte) {
		t.Helper()
		if _, err := s.PutSubmission(NewSubmission{ID: id, MachineID: mid}, []byte("ev-"+id)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		clock = now.Add(time.Duration(i) * time.Hour)
		put(fmt.Sprintf("f%d", i), m)
		if _, err := s.FailEvidence(fmt.Sprintf("f%d", i), "not authentic"); err != nil {
			t.Fatal(err)
		}
		// Failures of the node's or the chain's, in between: not counted.
		put(fmt.Sprintf("outage%d", i), m)
		if _, err := s.Transition(fmt.Sprintf("outage%d", i), StateFailed, "no verdict: collateral unavailable"); err != nil {
			t.Fatal(err)
		}
		put(fmt.Sprintf("refused%d", i), m)
		if _, err := s.RecordDecision(fmt.Sprintf("refused%d", i), Decision{Verdict: verdictFor(fmt.Sprintf("refused%d", i), m, uint64(200+i)),
			FailReason: "machine is no longer registered"}); err != nil {
			t.Fatal(err)
		}
	}
	put("waiting", m)
	put("verified", m)
	if _, err := s.RecordVerdict("verified", verdictFor("verified", m, 100)); err != nil {
		t.Fatal(err)
	}
	put("theirs", other)
	if _, err := s.FailEvidence("theirs", "not authentic"); err != nil {
		t.Fatal(err)
	}
	want := func(name string, since time.Time, max, wantN int, wantOldest time.Time) {
		t.Helper()
		n, oldest, err := s.MachineFailures(m, since, max)
		if err != nil {
			t.Fatal(err)
		}
		if n != wantN || !oldest.Equal(wantOldest) {
			t.Fatalf("%s: %d failures, earliest %s; want %d, %s", name, n, oldest, wantN, wantOldest)
		}
		if err := s.Check(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	want("all", now, 0, 3, now)
	want("since the second failure", now.Add(time.Hour), 0, 2, now.Add(time.Hour))
	want("bounded", now, 2, 2, now)
	if _, err := s.RecordDecision("waiting", Decision{Verdict: verdictFor("waiting", m, 300), FailReason: "not bound", EvidenceFault: true}); err != nil {
		t.Fatal(err)
	}
	want("waiting failed for its evidence", now, 0, 4, now)
	// Pruned: f0, f1 and the unmarked failures beside them (outage0, refused0,
	// outage1, refused1).
	st, err := s.PruneFailed(PruneOptions{Before: now.Add(90 * time.Minute)})
	if err != nil || st.Submissions != 6 {
		t.Fatalf("prune: %+v, %v; want 6 submissions pruned", st, err)
	}
	want("pruned", time.Time{}, 0, 2, now.Add(2*time.Hour))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(path, Options{Now: func() time.Time { return clock }}); err != nil {
		t.Fatal(err)
	}
	want("reopened", time.Time{}, 0, 2, now.Add(2*time.Hour))
}

// TestMachineFailuresIndexedAtOpen: a store written before the machine failures
// index (the bucket absent) opens with the index filled from its submissions
// failed for their evidence; a failure without the mark (as every failure written
// before the mark existed) is not counted.
func TestMachineFailuresIndexedAtOpen(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "node.db")
	s, err := Open(path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	m := machine(1)
	for _, id := range []string{"a", "b", "c"} {
		if _, err := s.PutSubmission(NewSubmission{ID: id, MachineID: m}, []byte("ev-"+id)); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"a", "b"} {
		if _, err := s.FailEvidence(id, "not authentic"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Transition("c", StateFailed, "not authentic"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bktMachFailed) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(path, Options{Now: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	n, oldest, err := s.MachineFailures(m, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || !oldest.Equal(now) {
		t.Fatalf("after open: %d failures, earliest %s; want 2 (the unmarked failure not counted), %s", n, oldest, now)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestEvidenceFaultInvalid: the mark is refused on a decision that does not fail
// and on a submission that is not failed, written or read back.
func TestEvidenceFaultInvalid(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	m := machine(1)
	if _, err := s.PutSubmission(NewSubmission{ID: "a", MachineID: m}, []byte("ev-a")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDecision("a", Decision{Verdict: verdictFor("a", m, 1), EvidenceFault: true}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("evidence fault without a failure: err %v, want ErrInvalid", err)
	}
	sub := Submission{ID: "a", MachineID: m, EvidenceHash: machine(9), State: StateReceived, EvidenceFault: true}
	if _, err := encodeValue(&sub); !errors.Is(err, ErrInvalid) {
		t.Fatalf("encode a received submission marked as failed for its evidence: err %v, want ErrInvalid", err)
	}
	raw, err := json.Marshal(&sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeSubmission(append([]byte{codecV1}, raw...)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("decode a received submission marked as failed for its evidence: err %v, want ErrCorrupt", err)
	}
}

// TestOpenWithUndecodableSubmissionBuildsFailuresIndex: a store without the
// machine failures index and with one submission value that does not decode opens
// (the index built from the others, the damaged record left to Check), rather than
// failing Open and with it the node and an audit of the file.
func TestOpenWithUndecodableSubmissionBuildsFailuresIndex(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "node.db")
	s, err := Open(path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	m := machine(1)
	if _, err := s.PutSubmission(NewSubmission{ID: "a", MachineID: m}, []byte("ev-a")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FailEvidence("a", "not authentic"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bktSubmissions).Put([]byte("bad"), []byte{0x7f, '{'}); err != nil {
			return err
		}
		return tx.DeleteBucket(bktMachFailed)
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("open with one undecodable submission: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if n, _, err := s.MachineFailures(m, now, 0); err != nil || n != 1 {
		t.Fatalf("failures after open: %d %v, want the decodable one", n, err)
	}
	if err := s.Check(); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), `"bad"`) {
		t.Fatalf("Check: %v, want the undecodable submission reported", err)
	}
}
