package appraise_test

import (
	"slices"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/policy"
)

// TestTDXBelowEveryLevelNotAccepted: a platform, TDX module or QE below every TCB
// level of the (TEST-ONLY re-signed) collateral appraises as Unknown, and a policy
// accepting every status Intel lists, OutOfDate included, refuses it with
// tcb_status_not_accepted; the same evidence at the lowest level is accepted.
func TestTDXBelowEveryLevelNotAccepted(t *testing.T) {
	p, err := policy.Parse([]byte(`{"version": 1, "name": "every-status", "tdx": {"accepted_tcb_statuses": ["UpToDate",
		"SWHardeningNeeded", "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	levels := func(m *map[string]any, key string) []any { return (*m)[key].([]any) }
	tcb := func(l any) map[string]any { return l.(map[string]any)["tcb"].(map[string]any) }
	// TDX module 1.<minor>, rated by a module identity whose one level is ISVSVN 2.
	module := func(minor byte) (func([]byte), func(*map[string]any)) {
		return func(body []byte) { body[0], body[1] = minor, 1 }, func(m *map[string]any) {
			(*m)["tdxModuleIdentities"] = []any{map[string]any{"id": "TDX_01", "mrsigner": make([]any, 0),
				"attributes": "0000000000000000", "attributesMask": "FFFFFFFFFFFFFFFF",
				"tcbLevels": []any{map[string]any{"tcb": map[string]any{"isvsvn": 2}, "tcbDate": "2023-02-15T00:00:00Z", "tcbStatus": "UpToDate"}}}}
			(*m)["tdxModuleIdentities"].([]any)[0].(map[string]any)["mrsigner"] = (*m)["tdxModule"].(map[string]any)["mrsigner"]
		}
	}
	// The sample platform is below both levels of the sample TCB Info; lowering the
	// second (OutOfDate) level to its SVNs makes that level match.
	lowest := func(m *map[string]any) {
		l := tcb(levels(m, "tcbLevels")[1])
		for i, c := range l["sgxtcbcomponents"].([]any) {
			c.(map[string]any)["svn"] = append([]int{3, 3, 2, 2, 2, 1, 0, 2}, make([]int, 8)...)[i]
		}
		l["tdxtcbcomponents"].([]any)[2].(map[string]any)["svn"] = 4
	}
	both := func(edits ...func(*map[string]any)) func(*map[string]any) {
		return func(m *map[string]any) {
			for _, e := range edits {
				e(m)
			}
		}
	}
	atModule, atModuleTCB := module(2)
	belowModule, belowModuleTCB := module(1)
	tests := []struct {
		name    string
		body    func([]byte)
		tcbInfo func(*map[string]any)
		qeID    func(*map[string]any)
		want    []policy.Reason // nil: trusted
	}{
		{name: "lowest platform level", tcbInfo: lowest},
		{name: "platform below every level", tcbInfo: nil, want: []policy.Reason{policy.TCBStatusNotAccepted}},
		{name: "platform PCESVN below every level", tcbInfo: both(lowest, func(m *map[string]any) {
			for _, l := range levels(m, "tcbLevels") {
				tcb(l)["pcesvn"] = 60000
			}
		}), want: []policy.Reason{policy.TCBStatusNotAccepted}},
		{name: "module at its level", body: atModule, tcbInfo: both(lowest, atModuleTCB)},
		{name: "module below every level", body: belowModule, tcbInfo: both(lowest, belowModuleTCB), want: []policy.Reason{policy.TCBStatusNotAccepted}},
		{name: "QE below every level", tcbInfo: lowest, qeID: func(m *map[string]any) {
			for _, l := range levels(m, "tcbLevels") {
				tcb(l)["isvsvn"] = 70000
			}
		}, want: []policy.Reason{policy.TCBStatusNotAccepted, policy.QETCBStatusNotAccepted}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := appraise.AppraiseTDXTestPKI(t, tc.body, tc.tcbInfo, tc.qeID)
			if !app.Authentic {
				t.Fatalf("test evidence not authentic: %+v", app.Checks)
			}
			d, err := policy.Decide(app, p, policy.Inputs{})
			if err != nil {
				t.Fatal(err)
			}
			var got []policy.Reason
			for _, f := range d.Findings {
				got = append(got, f.Reason)
			}
			if tc.want == nil {
				if !d.Trusted || app.TCBStatus == appraise.TCBUnknown {
					t.Errorf("status %v: trusted %v, findings %+v; want trusted", app.TCBStatus, d.Trusted, d.Findings)
				}
				return
			}
			if app.TCBStatus != appraise.TCBUnknown {
				t.Errorf("TCB status %v, want Unknown", app.TCBStatus)
			}
			if d.Trusted || !slices.Equal(got, tc.want) {
				t.Errorf("trusted %v, findings %+v; want untrusted for %v", d.Trusted, d.Findings, tc.want)
			}
		})
	}
}
