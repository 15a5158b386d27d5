package main

import (
	"strings"
	"testing"
)

// serve checks its flags before it opens or dials anything: a non-positive duration
// is refused naming the flag.
func TestServeRefusesNonPositiveDurations(t *testing.T) {
	base := []string{"serve", "--rpc-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa",
		"--key-file", "/nonexistent/key", "--db", t.TempDir() + "/node.db"}
	for _, flag := range []string{flagCollateralWait, flagCollateralRetry, flagResubmitAfter, flagReceiptPoll, flagPollInterval} {
		t.Run(flag, func(t *testing.T) {
			_, stderr, code := run(t, append(base, "--"+flag, "0s")...)
			if code == 0 || !strings.Contains(stderr, "--"+flag) || !strings.Contains(stderr, "must be positive") {
				t.Fatalf("serve --%s 0s: exit %d, stderr %q; want a refusal naming the flag", flag, code, stderr)
			}
		})
	}
}
