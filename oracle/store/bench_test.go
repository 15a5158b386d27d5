package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkPutSubmission measures acknowledged submissions per second: each is one
// fsynced commit with a 4 KiB evidence archive entry (the size of an SNP report with
// its certificates is of that order).
func BenchmarkPutSubmission(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ev := make([]byte, 4096)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		copy(ev, fmt.Sprintf("evidence-%d", i))
		if _, err := s.PutSubmission(NewSubmission{MachineID: machine(i)}, ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSubmissionLifecycle measures a submission's full path through the store:
// put, claim, verdict, signed, signature (five commits).
func BenchmarkSubmissionLifecycle(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ev := make([]byte, 4096)
	now := time.Now()
	sig := make([]byte, 65)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		copy(ev, fmt.Sprintf("evidence-%d", i))
		if _, err := s.PutSubmission(NewSubmission{MachineID: machine(i)}, ev); err != nil {
			b.Fatal(err)
		}
		sub, err := s.Claim(StateReceived, now, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		v := verdictFor(sub.ID, sub.MachineID, uint64(i))
		if _, err := s.RecordVerdict(sub.ID, v); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Transition(sub.ID, StateSigned, ""); err != nil {
			b.Fatal(err)
		}
		if err := s.PutSignature(v.Hash, [20]byte{1}, sig); err != nil {
			b.Fatal(err)
		}
	}
}
