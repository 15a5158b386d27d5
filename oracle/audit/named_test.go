package audit

import (
	"strings"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// A verdict difference in a code field names the codes beside the numbers, so an
// auditor reads "debug", not 513.
func TestNamedDiff(t *testing.T) {
	a := &verdict.Verdict{TEE: verdict.TEESEVSNP, Status: verdict.StatusTrusted, TCBStatus: 1, Reasons: 0, ExpiresAt: 10}
	b := &verdict.Verdict{TEE: verdict.TEETDX, Status: verdict.StatusUntrusted, TCBStatus: 4, Reasons: 513, ExpiresAt: 11}
	got := map[string]string{}
	for _, d := range verdict.Diff(a, b) {
		field, _, _ := strings.Cut(d, ":")
		got[field] = namedDiff(d, a, b)
	}
	want := map[string]string{
		"reasons":   "reasons: archived none (0), recomputed " + strings.Join(policy.Reason(513).Names(), ", ") + " (513)",
		"status":    "status: archived " + verdict.StatusTrusted.String() + " (1), recomputed " + verdict.StatusUntrusted.String() + " (2)",
		"tee":       "tee: archived sev-snp (1), recomputed tdx (2)",
		"tcbStatus": "tcbStatus: archived " + appraise.TCBStatus(1).String() + " (1), recomputed " + appraise.TCBStatus(4).String() + " (4)",
		"expiresAt": "expiresAt: archived 10, recomputed 11",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s:\n got %q\nwant %q", k, got[k], w)
		}
	}
	if len(policy.Reason(513).Names()) != 2 {
		t.Errorf("reason 513 names %v", policy.Reason(513).Names())
	}
}
