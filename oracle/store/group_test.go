package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
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

// TestGroupCommitRecoversPanic: a function that panics in a group fails its own
// call only (it is run again alone, in its caller, where the panic surfaces); the
// others in its group are committed.
func TestGroupCommitRecoversPanic(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "panic.db"), Options{CommitDelay: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	recovered := make(chan any, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() { recovered <- recover() }()
		_ = s.updateGrouped(func(*bolt.Tx) error { panic("bad function") })
	}()
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sub, err := s.PutSubmission(NewSubmission{MachineID: machine(i)}, []byte(fmt.Sprintf("evidence %d", i)))
			if err != nil {
				t.Error(err)
			}
			ids[i] = sub.ID
		}()
	}
	wg.Wait()
	if p := <-recovered; p != "bad function" {
		t.Fatalf("the panicking caller recovered %v, want its own panic", p)
	}
	for i, id := range ids {
		if sub, err := s.Submission(id); err != nil || sub.MachineID != machine(i) {
			t.Fatalf("submission %d (%s): %+v, %v", i, id, sub, err)
		}
	}
}

// TestPutSubmissionGivenHash: a caller that hashed the evidence already names it
// with that hash and the store does not hash it again; without one the store
// hashes it, and a hash function's error refuses the submission. A given hash that
// is not the evidence's is caught when the evidence is read (ErrCorrupt).
func TestPutSubmissionGivenHash(t *testing.T) {
	calls := 0
	s, err := Open(filepath.Join(t.TempDir(), "hash.db"), Options{EvidenceHash: func(b []byte) (common.Hash, error) {
		calls++
		if string(b) == "undecodable" {
			return common.Hash{}, errors.New("does not decode")
		}
		return SHA256(b)
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	given, _ := SHA256([]byte("evidence"))
	sub, err := s.PutSubmission(NewSubmission{MachineID: machine(1), EvidenceHash: given}, []byte("evidence"))
	if err != nil || sub.EvidenceHash != given || calls != 0 {
		t.Fatalf("with a given hash: %+v, %v, %d hash calls", sub, err, calls)
	}
	if b, err := s.Evidence(given); err != nil || string(b) != "evidence" {
		t.Fatalf("archived under the given hash: %q, %v", b, err)
	}
	want, _ := SHA256([]byte("other evidence"))
	calls = 0
	if sub, err = s.PutSubmission(NewSubmission{MachineID: machine(2)}, []byte("other evidence")); err != nil || sub.EvidenceHash != want || calls != 1 {
		t.Fatalf("without one: %+v, %v, %d hash calls", sub, err, calls)
	}
	if _, err := s.PutSubmission(NewSubmission{MachineID: machine(3)}, []byte("undecodable")); err == nil || !strings.Contains(err.Error(), "does not decode") {
		t.Fatalf("undecodable evidence without a hash: %v", err)
	}
	wrong := common.HexToHash("0x1234")
	if _, err := s.PutSubmission(NewSubmission{MachineID: machine(4), EvidenceHash: wrong}, []byte("mislabelled")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Evidence(wrong); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("evidence under a hash that is not its own: %v, want ErrCorrupt", err)
	}
}
