package service

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// TestPendingSlotFreedWhenSettled: a machine's unsettled submissions hold its slots
// until they settle; a failed or confirmed one frees its slot and no longer makes
// an older anchor a conflict, and the node's own re-appraisals take no slot.
func TestPendingSlotFreedWhenSettled(t *testing.T) {
	m := common.Hash{0xa}
	nt := newNoteTestOf(t, []verdict.Verdict{{MachineID: m}, {MachineID: m}, {MachineID: m}})
	for i, meta := range []subMeta{{MachineID: m, AsOf: 100}, {MachineID: m, AsOf: 200},
		{MachineID: m, AsOf: 900, Reappraisal: true}} {
		b, _ := json.Marshal(meta)
		id := []string{"sub0", "sub1", "sub2"}[i]
		if err := nt.st.SetMeta("sub/"+id, b); err != nil {
			t.Fatal(err)
		}
		nt.s.pending.add(m, id)
	}
	var tm *api.TooManyError
	if err := nt.s.admitPending(m, 300); !errors.Is(err, ErrMachinePending) || !errors.As(err, &tm) || tm.RetryAfter <= 0 {
		t.Fatalf("third submission: %v, want ErrMachinePending with a Retry-After", err)
	}
	var sc *api.SubmissionConflict
	if err := nt.s.admitPending(m, 200); !errors.Is(err, ErrNotNewer) || !errors.Is(err, api.ErrConflict) ||
		!errors.As(err, &sc) || sc.Submission != "sub1" {
		t.Fatalf("anchor not newer: %v, want ErrNotNewer (409) naming sub1", err)
	}
	if err := nt.s.fail("sub1", "test: failed"); err != nil {
		t.Fatal(err)
	}
	if err := nt.s.admitPending(m, 150); err != nil {
		t.Fatalf("after one failed: %v, want admitted", err)
	}
	if _, err := nt.st.Transition("sub0", store.StateConfirmed, "test: published"); err != nil {
		t.Fatal(err)
	}
	if err := nt.s.admitPending(m, 50); err != nil {
		t.Fatalf("after both settled: %v, want admitted", err)
	}
	if got := nt.s.pending.list(m); len(got) != 0 {
		t.Fatalf("pending after both settled: %v, want none", got)
	}
}
