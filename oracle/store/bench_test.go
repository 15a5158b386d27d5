package store

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
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

// BenchmarkPutSubmissionConcurrent measures acknowledged submissions per second with
// 32 concurrent submitters (HTTP handlers), each commit fsynced: "alone" gives every
// commit its own fsync (Options.CommitDelay < 0), "grouped" lets concurrent commits
// share one (the default). Both run in the same process on the same disk, so their
// ratio is the figure to read on a shared machine.
func BenchmarkPutSubmissionConcurrent(b *testing.B) {
	for _, mode := range []struct {
		name  string
		delay time.Duration
	}{{"alone", -1}, {"grouped", 0}} {
		b.Run(mode.name, func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{CommitDelay: mode.delay})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var n atomic.Int64
			b.SetParallelism(16) // 32 submitters on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				ev := make([]byte, 4096)
				for pb.Next() {
					i := int(n.Add(1))
					copy(ev, fmt.Sprintf("evidence-%d", i))
					if _, err := s.PutSubmission(NewSubmission{MachineID: machine(i)}, ev); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "acked/s")
		})
	}
}
