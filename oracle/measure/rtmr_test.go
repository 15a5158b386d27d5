package measure

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/eventlog"
	"github.com/teeoracle/teeoracle/oracle/policy"
)

// cosCCEL is the real CCEL event log of a COS 113 TD that google/go-eventlog
// ships in testdata/eventlogs/ccel (read in place from the module cache; the
// module is a test dependency in go.mod).
func cosCCEL(t testing.TB) (string, []byte) {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/google/go-eventlog").Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		t.Fatalf("go-eventlog module (a test dependency) not available: %v", err)
	}
	p := filepath.Join(string(bytes.TrimSpace(out)), "testdata", "eventlogs", "ccel", "cos-113-intel-tdx.bin")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, b
}

// TestTDXRTMRsReproduceGoEventlog: replaying the reference boot's log gives the
// RTMR0-2 values go-eventlog's own tests pin for this log
// (ccel/replay_test.go of google/go-eventlog v0.0.2, lines 36-38), and a policy that requires them to
// replay and allows the logged command line.
func TestTDXRTMRsReproduceGoEventlog(t *testing.T) {
	name, raw := cosCCEL(t)
	boot, err := TDXRTMRs(name, raw)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece752afd17f6",
		"f62dbc072bd5d3f3438b7b35c39a727f5aea2ffc2473f43723953f530daf62504f0a7944aa62c41a86e8a878c2b122c1",
		"4969684dc87381fc3b3134176c8d8806eaf0a901859f5f70cfae8d17714b46c10a8de219048c9fc09f11f381a6fbe7c1",
	}
	for i, w := range want {
		if h := hex.EncodeToString(boot.RTMR[i][:]); h != w {
			t.Errorf("RTMR%d %s, go-eventlog %s", i, h, w)
		}
	}
	cls := boot.KernelCmdlines()
	if len(cls) == 0 {
		t.Fatal("no kernel command line recognised in the COS log")
	}
	b, err := TDXPolicy("pinned", [48]byte{1}, boot)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Parse(b)
	if err != nil {
		t.Fatalf("policy with the boot's rules does not parse: %v", err)
	}
	if got := pol.TDX.AllowedKernelCmdlines; len(got) != len(cls) || got[0] != cls[0] {
		t.Errorf("policy allows command lines %q, log has %q", got, cls)
	}
	if _, err := TDXRTMRs("short.bin", raw[:100]); err == nil || !strings.Contains(err.Error(), "short.bin") {
		t.Errorf("truncated log: %v", err)
	}
	if _, err := TDXRTMRs("ff.bin", bytes.Repeat([]byte{0xff}, 64)); err == nil || !strings.Contains(err.Error(), "ff.bin") {
		t.Errorf("empty log: %v", err)
	}
}

// TestTDXPolicyRefusesNonUTF8Cmdline: a logged kernel command line that is not
// UTF-8 cannot be written as a YAML string (Go's %q wrote a byte 0xff as \xff,
// which YAML reads as U+00FF, an entry no TD's line matches): the policy is
// refused naming the line. A valid line with a control character reads back.
func TestTDXPolicyRefusesNonUTF8Cmdline(t *testing.T) {
	boot := &TDXBoot{Components: []eventlog.Component{{Kind: eventlog.KindKernelCmdline, RTMR: 1, Value: "console=ttyS0 x=\xff"}}}
	if _, err := TDXPolicy("pinned", [48]byte{1}, boot); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Fatalf("command line with byte 0xff: %v; want an error saying it is not UTF-8", err)
	}
	boot.Components[0].Value = "console=ttyS0 é\x01"
	if _, err := TDXPolicy("pinned", [48]byte{1}, boot); err == nil || !strings.Contains(err.Error(), "control character") {
		t.Fatalf("command line with U+0001: %v; want an error naming the control character", err)
	}
	boot.Components[0].Value = "console=ttyS0 é"
	b, err := TDXPolicy("pinned\x85", [48]byte{1}, boot)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := pol.TDX.AllowedKernelCmdlines; len(got) != 1 || got[0] != boot.Components[0].Value {
		t.Errorf("policy allows %q, log has %q", got, boot.Components[0].Value)
	}
}
