package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestMachineFailures: a machine's submissions failed since the time asked about
// are counted, with the earliest failure; another machine's are not, nor those
// still received or verified; one that fails joins the count, a pruned one leaves
// it; and the index survives a reopen, the store's Check agreeing with it
// throughout.
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
		if _, err := s.Transition(fmt.Sprintf("f%d", i), StateFailed, "not authentic"); err != nil {
			t.Fatal(err)
		}
	}
	put("waiting", m)
	put("verified", m)
	if _, err := s.RecordVerdict("verified", verdictFor("verified", m, 100)); err != nil {
		t.Fatal(err)
	}
	put("theirs", other)
	if _, err := s.Transition("theirs", StateFailed, "not authentic"); err != nil {
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
	if _, err := s.Transition("waiting", StateFailed, "no verdict"); err != nil {
		t.Fatal(err)
	}
	want("waiting failed", now, 0, 4, now)
	st, err := s.PruneFailed(PruneOptions{Before: now.Add(90 * time.Minute)})
	if err != nil || st.Submissions != 2 {
		t.Fatalf("prune: %+v, %v; want 2 submissions pruned", st, err)
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
// index (the bucket absent) opens with the index filled from its submissions.
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
		if _, err := s.Transition(id, StateFailed, "not authentic"); err != nil {
			t.Fatal(err)
		}
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
		t.Fatalf("after open: %d failures, earliest %s; want 2, %s", n, oldest, now)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}
