package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// deferredQueue is a store with n received submissions, oldest first, of which all
// but the newest ("fresh") are deferred: the first `soon` until now+1m, the others
// until now+1h.
func deferredQueue(t testing.TB, n, soon int) (*Store, time.Time) {
	t.Helper()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := Open(filepath.Join(t.TempDir(), "node.db"), Options{CommitDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	s.db.NoSync = true // test set-up only: thousands of commits, no crash to survive
	for i := range n {
		id := fmt.Sprintf("sub-%05d", i)
		if i == n-1 {
			id = "fresh"
		}
		if _, err := s.PutSubmission(NewSubmission{ID: id, MachineID: machine(1), ReceivedAt: now.Add(time.Duration(i) * time.Millisecond)},
			[]byte("evidence-"+id)); err != nil {
			t.Fatal(err)
		}
		if i == n-1 {
			continue
		}
		wait := time.Hour
		if i < soon {
			wait = time.Minute
		}
		if _, err := s.Defer(id, now.Add(wait), "collateral source down"); err != nil {
			t.Fatal(err)
		}
	}
	return s, now
}

// TestClaimSkipsDeferredWithoutVisiting: with thousands of deferred submissions, a
// claim looks at the submissions it can take and the deferred ones that are due,
// not at every deferred one; once due, deferred submissions are claimed in their
// place (oldest first, before a newer one), and they stay listed and checked.
func TestClaimSkipsDeferredWithoutVisiting(t *testing.T) {
	const n, soon = 3000, 10
	s, now := deferredQueue(t, n, soon)
	claim := func(at time.Time) (string, int) {
		t.Helper()
		before := s.claimVisits
		sub, err := s.Claim(StateReceived, at, time.Minute)
		if errors.Is(err, ErrNoWork) {
			return "", s.claimVisits - before
		}
		if err != nil {
			t.Fatal(err)
		}
		return sub.ID, s.claimVisits - before
	}
	if id, visits := claim(now); id != "fresh" || visits > 2 {
		t.Fatalf("claim among %d deferred: %q after %d visits, want fresh after at most 2", n-1, id, visits)
	}
	if id, visits := claim(now); id != "" || visits > 2 {
		t.Fatalf("second claim: %q after %d visits, want no work after at most 2", id, visits)
	}
	// Two minutes on: the soon ones are due and older than fresh (whose lease ended).
	later := now.Add(2 * time.Minute)
	for i := range soon {
		id, visits := claim(later)
		if want := fmt.Sprintf("sub-%05d", i); id != want || visits > soon+2 {
			t.Fatalf("due claim %d: %q after %d visits, want %s after at most %d", i, id, visits, want, soon+2)
		}
	}
	if id, _ := claim(later); id != "fresh" {
		t.Fatalf("after the due ones: %q, want fresh", id)
	}
	if id, visits := claim(later); id != "" || visits > soon+2 {
		t.Fatalf("nothing left: %q after %d visits", id, visits)
	}
	var listed []string
	if err := s.UnfinishedIn([]State{StateReceived}, func(sub Submission) error {
		listed = append(listed, sub.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(listed) != n || listed[0] != "sub-00000" || listed[n-2] != fmt.Sprintf("sub-%05d", n-2) || listed[n-1] != "fresh" {
		t.Fatalf("unfinished lists %d, first %q, last %q: want all %d in place order", len(listed), listed[0], listed[len(listed)-1], n)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("check with parked entries: %v", err)
	}
	// A restart's ResetLeases ends every wait: all are claimable at once, in order.
	if err := s.ResetLeases(); err != nil {
		t.Fatal(err)
	}
	if id, _ := claim(now); id != "sub-00000" {
		t.Fatalf("after ResetLeases: %q, want the oldest", id)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("check after ResetLeases: %v", err)
	}
}

// BenchmarkClaimDeferred: a claim with 10 and with 10,000 deferred submissions
// waiting before the one it takes (see docs/store.md). The ratio of the two is
// what matters: about 1 when a claim does not walk what is put off.
func BenchmarkClaimDeferred(b *testing.B) {
	for _, n := range []int{10, 10_000} {
		b.Run(fmt.Sprintf("deferred=%d", n), func(b *testing.B) {
			s, now := deferredQueue(b, n+1, 0)
			if _, err := s.Claim(StateReceived, now, time.Nanosecond); err != nil { // reads the parked index once
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				// Each claim takes fresh: its lease of 1 ns has ended by the next.
				if _, err := s.Claim(StateReceived, now.Add(time.Duration(i+1)), time.Nanosecond); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestClaimDrainsDeferredInLinearVisits: after an outage has put off every
// received submission, workers drain them as they come due, oldest first, each
// claim looking at a few entries, not at every due one still waiting (which made
// the drain quadratic, all under the mutex every worker shares).
func TestClaimDrainsDeferredInLinearVisits(t *testing.T) {
	const n = 1000
	s, now := deferredQueue(t, n+1, n)
	if sub, err := s.Claim(StateReceived, now, time.Minute); err != nil || sub.ID != "fresh" {
		t.Fatalf("claim before the deferred are due: %q %v, want fresh", sub.ID, err)
	}
	if _, err := s.Transition("fresh", StateFailed, "test: done"); err != nil {
		t.Fatal(err)
	}
	later := now.Add(2 * time.Minute)
	before := s.claimVisits
	for i := range n {
		sub, err := s.Claim(StateReceived, later, time.Minute)
		if want := fmt.Sprintf("sub-%05d", i); err != nil || sub.ID != want {
			t.Fatalf("drain claim %d: %q %v, want %s", i, sub.ID, err, want)
		}
		if _, err := s.Transition(sub.ID, StateFailed, "test: done"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Claim(StateReceived, later, time.Minute); !errors.Is(err, ErrNoWork) {
		t.Fatalf("after the drain: %v, want ErrNoWork", err)
	}
	visits := s.claimVisits - before
	if per := float64(visits) / n; per >= 4 {
		t.Fatalf("draining %d deferred submissions looked at %d queue entries (%.1f per claim), want fewer than 4 per claim", n, visits, per)
	}
	t.Logf("drained %d deferred submissions in %d visits", n, visits)
}

// TestClaimDeferredLeaseEnds: a due deferred submission whose claim's lease ends
// unfinished is claimable again, in its place; one deferred again is not.
func TestClaimDeferredLeaseEnds(t *testing.T) {
	s, now := deferredQueue(t, 4, 3)
	later := now.Add(2 * time.Minute)
	claim := func(at time.Time) string {
		t.Helper()
		sub, err := s.Claim(StateReceived, at, time.Minute)
		if errors.Is(err, ErrNoWork) {
			return ""
		}
		if err != nil {
			t.Fatal(err)
		}
		return sub.ID
	}
	for _, want := range []string{"sub-00000", "sub-00001", "sub-00002", "fresh", ""} {
		if id := claim(later); id != want {
			t.Fatalf("claim: %q, want %q", id, want)
		}
	}
	if _, err := s.Defer("sub-00001", later.Add(time.Hour), "collateral source down"); err != nil {
		t.Fatal(err)
	}
	// The leases ended: all but the one deferred again are claimable, oldest first.
	end := later.Add(2 * time.Minute)
	for _, want := range []string{"sub-00000", "sub-00002", "fresh", ""} {
		if id := claim(end); id != want {
			t.Fatalf("after the leases: %q, want %q", id, want)
		}
	}
	if id := claim(later.Add(2 * time.Hour)); id != "sub-00000" {
		t.Fatalf("once every lease and wait ended: %q, want sub-00000", id)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkClaimDrainDeferred: claiming, one after another, every one of n
// deferred submissions that came due at once (the drain after an outage), per
// claim, for 100 and for 2,000 (see docs/store.md). The ratio of the two is what
// matters: about 1 when a claim does not walk the due ones behind it.
func BenchmarkClaimDrainDeferred(b *testing.B) {
	for _, n := range []int{100, 2000} {
		b.Run(fmt.Sprintf("due=%d", n), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				s, now := deferredQueue(b, n+1, n)
				later := now.Add(2 * time.Minute)
				b.StartTimer()
				for i := range n + 1 {
					if _, err := s.Claim(StateReceived, later, time.Hour); err != nil {
						b.Fatalf("claim %d: %v", i, err)
					}
				}
				b.StopTimer()
				_ = s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*(n+1)), "ns/claim")
		})
	}
}
