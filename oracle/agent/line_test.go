package agent

import (
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// A round's line names its transaction only when the node sent it, and its
// reasons only when there are some.
func TestRoundLine(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := Round{VerdictHash: common.Hash{0xaa}, Verdict: verdict.Verdict{Status: verdict.StatusTrusted, ExpiresAt: 1_900_000_000}}
	want := "2026-01-02T03:04:05Z verdict " + r.VerdictHash.Hex() + ": " + verdict.StatusTrusted.String() + ", expires 2030-03-17T17:46:40Z, "
	if got := r.Line(now); got != want+"published by a peer" {
		t.Errorf("peer's verdict: %q", got)
	}
	r.TxHash, r.Reasons = common.Hash{0xbb}, []string{"tcb_out_of_date", "debug"}
	if got := r.Line(now); got != want+"tx "+r.TxHash.Hex()+" (tcb_out_of_date, debug)" {
		t.Errorf("own verdict with reasons: %q", got)
	}
}
