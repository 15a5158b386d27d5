package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestGroupedCommitsConcurrently: 64 concurrent submitters, some of whose commits
// fail (an id taken by other evidence) and so roll their group back, and 8
// concurrent claimers. Every acknowledged submission is stored once under a
// distinct id, survives reopening the file, and is claimed exactly once; the
// refused ones leave nothing.
func TestGroupedCommitsConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "group.db")
	s, err := Open(path, Options{CommitDelay: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutSubmission(NewSubmission{ID: "taken", MachineID: machine(-1)}, []byte("first evidence")); err != nil {
		t.Fatal(err)
	}
	const n = 64
	var wg sync.WaitGroup
	ids := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ns := NewSubmission{MachineID: machine(i)}
			if i%8 == 0 {
				ns.ID = "taken" // other evidence under a taken id: refused, its group rolled back
			}
			sub, err := s.PutSubmission(ns, []byte(fmt.Sprintf("evidence %d", i)))
			ids[i], errs[i] = sub.ID, err
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for i := range n {
		if i%8 == 0 {
			if !errors.Is(errs[i], ErrExists) {
				t.Fatalf("submitter %d: %v, want ErrExists", i, errs[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Fatalf("submitter %d: %v", i, errs[i])
		}
		if j, dup := seen[ids[i]]; dup {
			t.Fatalf("submitters %d and %d got the same id %s", j, i, ids[i])
		}
		seen[ids[i]] = i
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(path, Options{CommitDelay: 5 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for id, i := range seen {
		sub, err := s.Submission(id)
		if err != nil || sub.MachineID != machine(i) {
			t.Fatalf("submission %s after reopening: %+v, %v", id, sub, err)
		}
	}
	// Claim everything with 8 workers at once: each submission exactly once.
	var mu sync.Mutex
	claimed := map[string]int{}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				sub, err := s.Claim(StateReceived, time.Now(), time.Hour)
				if errors.Is(err, ErrNoWork) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				claimed[sub.ID]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(claimed) != len(seen)+1 { // + the "taken" one
		t.Fatalf("claimed %d submissions, want %d", len(claimed), len(seen)+1)
	}
	for id, c := range claimed {
		if c != 1 {
			t.Fatalf("submission %s claimed %d times", id, c)
		}
	}
}
