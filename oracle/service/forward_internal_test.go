package service

import "testing"

// TestRefusedForGood: which peer answers to forwarded evidence end its forwarding.
// A 422 on the anchor block is what a peer whose chain endpoint has not seen the
// anchor yet answers, so the bundle is sent again on a later pass.
func TestRefusedForGood(t *testing.T) {
	for _, tc := range []struct {
		code  int
		body  string
		final bool
	}{
		{422, `{"error":"proof of possession invalid","field":"pop"}`, true},
		{422, `{"error":"stale anchor: block 9 is not below the head 9","field":"anchor_block"}`, false},
		{422, `not JSON`, true},
		{400, `{"error":"bad","field":"anchor_block"}`, true},
		{413, ``, true},
		{408, ``, false},
		{429, ``, false},
		{503, ``, false},
		{202, ``, false},
	} {
		if got := refusedForGood(tc.code, []byte(tc.body)); got != tc.final {
			t.Errorf("HTTP %d %s: final %v, want %v", tc.code, tc.body, got, tc.final)
		}
	}
}
