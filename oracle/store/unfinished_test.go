package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// UnfinishedIn reads the submissions of the asked states only, oldest first within
// each, and refuses terminal or unknown states.
func TestUnfinishedIn(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 4 {
		if _, err := s.PutSubmission(NewSubmission{ID: fmt.Sprintf("s%d", i), MachineID: machine(i),
			ReceivedAt: t0.Add(time.Duration(i) * time.Second)}, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"s3", "s1"} {
		if _, err := s.RecordVerdict(id, verdictFor(id, machine(1), 1)); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	if err := s.UnfinishedIn([]State{StateVerified}, func(sub Submission) error {
		got = append(got, sub.ID+"/"+string(sub.State))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[s1/verified s3/verified]" {
		t.Fatalf("verified: %v", got)
	}
	got = nil
	if err := s.UnfinishedIn([]State{StateVerified, StateReceived}, func(sub Submission) error {
		got = append(got, sub.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[s1 s3 s0 s2]" {
		t.Fatalf("verified then received: %v", got)
	}
	for _, bad := range []State{StateConfirmed, "bogus"} {
		if err := s.UnfinishedIn([]State{bad}, func(Submission) error { return nil }); !errors.Is(err, ErrInvalid) {
			t.Errorf("UnfinishedIn(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

// A submission read from the decode cache is the stored one, and the caller's
// changes to it (its history) do not reach the cache.
func TestDecodeCacheCopies(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	if _, err := s.PutSubmission(NewSubmission{ID: "a", MachineID: machine(0)}, []byte{1}); err != nil {
		t.Fatal(err)
	}
	first, err := s.Submission("a")
	if err != nil {
		t.Fatal(err)
	}
	first.History[0].Reason = "changed by the caller"
	first.History = append(first.History, StateChange{State: StateFailed})
	again, err := s.Submission("a")
	if err != nil {
		t.Fatal(err)
	}
	if len(again.History) != 1 || again.History[0].Reason != "" {
		t.Fatalf("cached submission changed by a caller: %+v", again.History)
	}
	if _, err := s.Transition("a", StateFailed, "gone"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Submission("a"); err != nil || got.State != StateFailed || got.Reason != "gone" {
		t.Fatalf("after a transition: %s %q %v; the cache must follow the stored value", got.State, got.Reason, err)
	}
}

// A put-off submission is claimable at its time even while the claim that put it
// off would still hold its lease.
func TestDeferReleasesClaim(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.PutSubmission(NewSubmission{ID: "a", MachineID: machine(0), ReceivedAt: t0}, []byte{1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(StateReceived, t0, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Defer("a", t0.Add(time.Second), "collateral down"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(StateReceived, t0.Add(500*time.Millisecond), time.Hour); !errors.Is(err, ErrNoWork) {
		t.Fatalf("claim before the deferral's time: %v, want ErrNoWork", err)
	}
	if sub, err := s.Claim(StateReceived, t0.Add(time.Second), time.Hour); err != nil || sub.ID != "a" {
		t.Fatalf("claim at the deferral's time: %v, %v", sub.ID, err)
	}
}
