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
	for _, flag := range []string{flagCollateralWait, flagCollateralRetry, flagResubmitAfter, flagReceiptPoll, flagPollInterval,
		flagMaxHeadLag, flagHealthInterval} {
		t.Run(flag, func(t *testing.T) {
			_, stderr, code := run(t, append(base, "--"+flag, "0s")...)
			if code == 0 || !strings.Contains(stderr, "--"+flag) || !strings.Contains(stderr, "must be positive") {
				t.Fatalf("serve --%s 0s: exit %d, stderr %q; want a refusal naming the flag", flag, code, stderr)
			}
		})
	}
}

// serve refuses a negative retention and a zero balance estimate, naming the flag.
func TestServeRefusesBadRetentionAndReserve(t *testing.T) {
	base := []string{"serve", "--rpc-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa",
		"--key-file", "/nonexistent/key", "--db", t.TempDir() + "/node.db"}
	for flag, value := range map[string]string{flagRetainFailed: "-1h", flagGasPerVerdict: "0", flagReserveVerdicts: "0"} {
		t.Run(flag, func(t *testing.T) {
			_, stderr, code := run(t, append(base, "--"+flag, value)...)
			if code == 0 || !strings.Contains(stderr, "--"+flag) {
				t.Fatalf("serve --%s %s: exit %d, stderr %q; want a refusal naming the flag", flag, value, code, stderr)
			}
		})
	}
}

// serve refuses API limits that are not positive and a --trust-proxy that is not a
// CIDR, naming the flag.
func TestServeRefusesBadLimits(t *testing.T) {
	base := []string{"serve", "--rpc-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa",
		"--key-file", "/nonexistent/key", "--db", t.TempDir() + "/node.db"}
	for _, args := range [][]string{
		{"--" + flagMaxConns, "0"}, {"--" + flagMaxConnsPerClient, "-1"}, {"--" + flagEvidenceInFlight, "0"},
		{"--" + flagEvidencePerClient, "0"}, {"--" + flagEvidenceBytes, "0"}, {"--" + flagRateClients, "0"},
		{"--" + flagIdleTimeout, "0s"}, {"--" + flagMemoryLimit, "-1"}, {"--" + flagTrustProxy, "10.0.0.1"},
	} {
		t.Run(args[0], func(t *testing.T) {
			_, stderr, code := run(t, append(base, args...)...)
			if code == 0 || !strings.Contains(stderr, args[0]) {
				t.Fatalf("serve %v: exit %d, stderr %q; want a refusal naming the flag", args, code, stderr)
			}
		})
	}
}
