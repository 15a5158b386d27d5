package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var measureFixtures = filepath.Join("..", "..", "oracle", "measure", "testdata", "virtee")

// TestMeasureSNP: the command prints the digest virtee/sev-snp-measure publishes
// for its fixture (tests/test_guest.py, test_snp_default), writes a policy that
// allows it, and never overwrites a file.
func TestMeasureSNP(t *testing.T) {
	out := filepath.Join(t.TempDir(), "policy.yaml")
	stdout, stderr, code := run(t, "measure", "snp", "--firmware", filepath.Join(measureFixtures, "ovmf_AmdSev_suffix.bin"),
		"--kernel", os.DevNull, "--initrd", os.DevNull, "--append", "console=ttyS0 loglevel=7", "--guest-features", "0x21",
		"--policy-out", out, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct{ Measurement, Policy string }
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	const want = "0x803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228977"
	if res.Measurement != want {
		t.Fatalf("measurement %s, want %s", res.Measurement, want)
	}
	written, err := os.ReadFile(out)
	if err != nil || string(written) != res.Policy || !strings.Contains(res.Policy, want) {
		t.Fatalf("policy file %q (err %v) vs printed %q", written, err, res.Policy)
	}
	if _, stderr, code := run(t, "measure", "snp", "--firmware", filepath.Join(measureFixtures, "ovmf_AmdSev_suffix.bin"),
		"--policy-out", out); code != exitBadInput || !strings.Contains(stderr, "--policy-out") {
		t.Fatalf("existing --policy-out: exit %d, %q", code, stderr)
	}
}

// TestMeasureSNPBadInput: each bad input exits 2 naming the flag or file and the problem.
func TestMeasureSNPBadInput(t *testing.T) {
	fw := filepath.Join(measureFixtures, "ovmf_AmdSev_suffix.bin")
	x64 := filepath.Join(measureFixtures, "ovmf_OvmfX64_suffix.bin")
	short := filepath.Join(t.TempDir(), "short.fd")
	if err := os.WriteFile(short, make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{}, []string{"--firmware is required"}},
		{[]string{"--firmware", short}, []string{"short.fd", "truncated"}},
		{[]string{"--firmware", x64, "--kernel", os.DevNull}, []string{"ovmf_OvmfX64_suffix.bin", "SNP_KERNEL_HASHES"}},
		{[]string{"--firmware", fw, "--append", "quiet"}, []string{"--kernel"}},
		{[]string{"--firmware", fw, "--vcpu-type", "Pentium"}, []string{"--vcpu-type", "Pentium"}},
		{[]string{"--firmware", fw, "--vmm", "xen"}, []string{"--vmm", "xen"}},
		{[]string{"--firmware", fw, "--vcpus", "0"}, []string{"vCPUs"}},
		{[]string{"--firmware", fw, "--firmware-digest", "abcd"}, []string{"--firmware-digest"}},
		{[]string{"--firmware", fw, "--format", "yaml"}, []string{"--format"}},
	} {
		_, stderr, code := run(t, append([]string{"measure", "snp"}, c.args...)...)
		if code != exitBadInput {
			t.Errorf("%v: exit %d, want %d (%s)", c.args, code, exitBadInput, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: error %q does not name %q", c.args, stderr, w)
			}
		}
	}
}

// TestMeasureTDX: the MRTD of a TDVF image (the OvmfX64 footer with a zero
// firmware volume, as in oracle/measure's td-shim cross-check) and refusals.
func TestMeasureTDX(t *testing.T) {
	suffix, err := os.ReadFile(filepath.Join(measureFixtures, "ovmf_OvmfX64_suffix.bin"))
	if err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(t.TempDir(), "tdvf.fd")
	if err := os.WriteFile(img, append(make([]byte, 0x400000-len(suffix)), suffix...), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := run(t, "measure", "tdx", "--firmware", img)
	if code != 0 || !strings.Contains(stdout, "0x70e2fdb5f5dc56f91eb71df7095c0993155e130bab55b47ed76b690157320f2d3a917c367df039b2cc157105ecc0f225") ||
		!strings.Contains(stdout, "tdx:\n  allowed_measurements:") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, stderr, code := run(t, "measure", "tdx", "--firmware", filepath.Join(measureFixtures, "ovmf_OvmfX64_suffix.bin")); code != exitBadInput ||
		!strings.Contains(stderr, "truncated") {
		t.Fatalf("truncated TDVF: exit %d, %q", code, stderr)
	}
}

// TestMeasureTDXEventLog: with a reference boot's CCEL (go-eventlog's real COS
// log, read in place from the module cache) the command adds RTMR0-2 and the
// logged kernel command line to the policy.
func TestMeasureTDXEventLog(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/google/go-eventlog").Output()
	if err != nil {
		t.Fatalf("go-eventlog module (a test dependency) not available: %v", err)
	}
	ccel := filepath.Join(strings.TrimSpace(string(out)), "testdata", "eventlogs", "ccel", "cos-113-intel-tdx.bin")
	suffix, err := os.ReadFile(filepath.Join(measureFixtures, "ovmf_OvmfX64_suffix.bin"))
	if err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(t.TempDir(), "tdvf.fd")
	if err := os.WriteFile(img, append(make([]byte, 0x400000-len(suffix)), suffix...), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := run(t, "measure", "tdx", "--firmware", img, "--event-log", ccel)
	if code != 0 || !strings.Contains(stdout, "rtmr0  0x3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece752afd17f6") ||
		!strings.Contains(stdout, "require_replayed_rtmrs: [0, 1, 2]") || !strings.Contains(stdout, "allowed_kernel_cmdlines:") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, stderr, code := run(t, "measure", "tdx", "--firmware", img, "--event-log", img); code != exitBadInput || !strings.Contains(stderr, "--event-log") {
		t.Fatalf("firmware given as event log: exit %d, %q", code, stderr)
	}
}
