package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// TestDevnetOnce runs `teeoracle devnet --once` in process: the whole system on the
// simulated chain, both simulated machines trusted on-chain, exit status 0, and the
// output a newcomer reads.
func TestDevnetOnce(t *testing.T) {
	out, errOut, code := run(t, "devnet", "--once")
	if code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	t.Logf("output:\n%s", out)
	reg := regexp.MustCompile(`(?m)^  registry\s+(0x[0-9a-fA-F]{40})\s`).FindStringSubmatch(out)
	if reg == nil || common.HexToAddress(reg[1]) == (common.Address{}) {
		t.Errorf("no registry address in the output")
	}
	if !regexp.MustCompile(`oracle node API http://127\.0\.0\.1:[0-9]+`).MatchString(out) {
		t.Errorf("no API address in the output")
	}
	// One line per machine: name, TEE, machine id, workload id, key, TCB, trust, expiry, gas.
	row := regexp.MustCompile(`(?m)^  (snp-1|tdx-1)\s+(sev-snp|tdx)\s+0x[0-9a-f]{64}\s+0x[0-9a-f]{64}\s+0x[0-9a-fA-F]{40}\s+UpToDate \(0x[0-9a-f]+\)\s+TRUSTED\s+\d{4}-\d\d-\d\dT[0-9:]+Z\s+[1-9][0-9]+$`)
	if got := row.FindAllStringSubmatch(out, -1); len(got) != 2 || got[0][1] != "snp-1" || got[1][1] != "tdx-1" {
		t.Errorf("machine rows %v, want snp-1 and tdx-1 trusted", got)
	}
	for _, want := range []string{
		"simulated, devnet-only root",
		"deploy TeeRegistry", "registerPolicy", "registerMachine (devnet://snp-1, sev-snp)", "submitBatch (snp-1, trusted)", "submitBatch (tdx-1, trusted)",
		"real hardware evidence (vendors' production roots",
		"sev-snp Milan, VCEK (go-sev-guest testdata)", "tdx v4 Sapphire Rapids (go-tdx-guest testdata)",
		"every simulated machine is trusted on-chain",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// Real evidence is appraised as genuine (authentic true) under the real roots.
	realRow := regexp.MustCompile(`(?m)^  sev-snp Milan, VCEK \(go-sev-guest testdata\)\s+2022-09-24\s+true\s+UpToDate\s+untrusted\s+debug$`)
	if !realRow.MatchString(out) {
		t.Errorf("real Milan evidence row missing or wrong")
	}
	// Every transaction row names its gas.
	tx := regexp.MustCompile(`(?m)^  (deploy|register|submit)\S*.*\s0x[0-9a-f]{64}\s+[0-9]+\s+([0-9]+)$`)
	if n := len(tx.FindAllString(out, -1)); n != 7 {
		t.Errorf("%d transaction rows, want 7 (2 deployments, policy, 2 machines, 2 verdicts)", n)
	}
}

func TestDevnetBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"devnet", "--once", "--verdict-validity", "1s"},
		{"devnet", "--once", "--snp-machines", "0", "--tdx-machines", "0"},
		{"devnet", "--once", "--snp-machines", "17"},
		{"devnet", "--once", "--anvil", "--anvil-path", "/nonexistent/anvil"},
	} {
		if _, _, code := run(t, args...); code != exitBadInput {
			t.Errorf("%v: exit %d, want %d", args, code, exitBadInput)
		}
	}
}

// devnet refuses a quorum it could never reach before it starts anything.
func TestDevnetQuorumFlags(t *testing.T) {
	for _, args := range [][]string{
		{"devnet", "--once", "--oracles", "2", "--threshold", "3"},
		{"devnet", "--once", "--oracles", "0"},
		{"devnet", "--once", "--oracles", "17", "--threshold", "2"},
	} {
		if _, stderr, code := run(t, args...); code != exitBadInput || !strings.Contains(stderr, "--oracles") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
}

// devnet refuses to run without a machine to attest (the library allows it, for a
// fleet added later).
func TestDevnetNoMachines(t *testing.T) {
	_, stderr, code := run(t, "devnet", "--once", "--snp-machines", "0", "--tdx-machines", "0")
	if code != exitBadInput || !strings.Contains(stderr, "--snp-machines and --tdx-machines are both 0") {
		t.Errorf("exit %d, %q", code, stderr)
	}
}
