package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
	"github.com/teeoracle/teeoracle/oracle/eventlog"
)

const testImage = "ghcr.io/acme/api@sha256:3333333333333333333333333333333333333333333333333333333333333333"

// TestConfigureWorkloadTDX: the agent records the workload in RTMR3 once per boot
// (a restart reads its runtime log and extends nothing), and sends the CCEL as
// the kernel exposes it, the runtime log and the description with every quote.
func TestConfigureWorkloadTDX(t *testing.T) {
	auth, err := fakehw.NewTDXAuthority(t.Context(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	boot := fakehw.DefaultTDXBoot()
	td, err := auth.NewMachine(fakehw.TDXMachineOptions{Boot: &boot})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	table, data := td.CCEL()
	ccel := filepath.Join(dir, "acpi")
	if err := os.MkdirAll(filepath.Join(ccel, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(ccel, "CCEL"), table, 0o600)
	_ = os.WriteFile(filepath.Join(ccel, "data", "CCEL"), data, 0o600)
	compose := filepath.Join(dir, "compose.yaml")
	_ = os.WriteFile(compose, []byte("services: {}\n"), 0o600)
	cfg, err := ParseFileConfig([]byte("workload: {name: api, images: [" + testImage + "], compose_file: " + compose + "}\n" +
		"runtime_log: " + filepath.Join(dir, "run", "log.json") + "\nccel_dir: " + ccel + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 { // the second is a restarted agent
		src, d, err := ConfigureWorkload(cfg, TDXQuoteSource{QP: td}, td)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := src.Evidence(t.Context(), [64]byte{9})
		if err != nil {
			t.Fatal(err)
		}
		if ev.Workload == nil || ev.EventLog == nil || len(ev.EventLog.Runtime) != 1 || len(ev.EventLog.CCEL) >= len(data) {
			t.Fatalf("round %d: evidence %+v", round, ev.EventLog)
		}
		want := eventlog.Extend(make([]byte, 48), ev.EventLog.Runtime[0].Digest())
		if !bytes.Equal(td.RTMR()[3], want) {
			t.Fatalf("round %d: RTMR3 %x, want one workload event", round, td.RTMR()[3])
		}
		if string(ev.EventLog.Runtime[0].Data) != string(d.Canonical()) {
			t.Errorf("round %d: runtime event data %s", round, ev.EventLog.Runtime[0].Data)
		}
	}
	// Another workload in the same boot is refused.
	cfg.Workload.Images = []string{strings.Replace(testImage, "3333", "4444", 1)}
	if _, _, err := ConfigureWorkload(cfg, TDXQuoteSource{QP: td}, td); !errors.Is(err, ErrOtherWorkload) {
		t.Errorf("second workload: %v", err)
	}
}

func TestWorkloadConfigRefused(t *testing.T) {
	for name, y := range map[string]string{
		"tag image":    "workload: {images: [redis:7]}",
		"nothing":      "workload: {name: x}",
		"unknown":      "workload: {images: [" + testImage + "], env: x}",
		"missing file": "workload: {compose_file: /nonexistent/compose.yaml}",
	} {
		c, err := ParseFileConfig([]byte(y))
		if err == nil {
			_, _, err = ConfigureWorkload(c, SNPQuoteSource{}, nil)
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzParseRuntimeLog: any file content is read or refused without panicking,
// and what is read writes back to the same events.
func FuzzParseRuntimeLog(f *testing.F) {
	f.Add([]byte(`[{"rtmr":3,"type":"teeoracle.workload.v1","data":"e30="}]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		events, err := parseRuntimeLog(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(events)
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseRuntimeLog(again)
		if err != nil || len(back) != len(events) {
			t.Fatalf("log %s does not read back: %v", again, err)
		}
	})
}

// TestConfigureWorkloadSNP: an SEV-SNP guest launched with HOST_DATA = the
// description's digest starts; one launched with another value is refused at
// start, naming the value to launch with.
func TestConfigureWorkloadSNP(t *testing.T) {
	auth, err := fakehw.NewSNPAuthority(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseFileConfig([]byte("workload: {name: api, images: [" + testImage + "]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := DescribeWorkload("api", []string{testImage}, "")
	if err != nil {
		t.Fatal(err)
	}
	dg := d.Digest()
	for _, c := range []struct {
		hostData []byte
		ok       bool
	}{{dg[:], true}, {make([]byte, 32), false}} {
		chip, err := auth.NewChip(fakehw.SNPChipOptions{HostData: c.hostData})
		if err != nil {
			t.Fatal(err)
		}
		src, _, err := ConfigureWorkload(cfg, SNPQuoteSource{QP: chip.QuoteProvider()}, nil)
		if c.ok != (err == nil) || (!c.ok && !errors.Is(err, ErrHostData)) {
			t.Fatalf("HOST_DATA %x: %v", c.hostData, err)
		}
		if c.ok {
			ev, err := src.Evidence(t.Context(), [64]byte{1})
			if err != nil || ev.Workload == nil || ev.EventLog != nil {
				t.Fatalf("evidence: %v", err)
			}
		}
	}
}

// recordingRTMR is a test-only RTMR extender that only counts extensions.
type recordingRTMR struct{ n int }

func (r *recordingRTMR) ExtendRTMR(int, []byte) error { r.n++; return nil }

// TestRuntimeLogIgnoresPlantedTemp: a symlink planted at the name the runtime log
// was once written through (log.json.tmp) is not followed: its target stays as it
// was, the symlink stays, and the log itself holds the event.
func TestRuntimeLogIgnoresPlantedTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log.json")
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, path+".tmp"); err != nil {
		t.Fatal(err)
	}
	l, err := OpenRuntimeLog(path)
	if err != nil {
		t.Fatal(err)
	}
	x := &recordingRTMR{}
	if err := l.Extend(x, eventlog.RuntimeEvent{RTMR: 3, Type: "test", Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Errorf("symlink target written through: %q", b)
	}
	if fi, err := os.Lstat(path + ".tmp"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("planted symlink replaced or removed: %v", err)
	}
	if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("runtime log is not a regular file: %v", err)
	}
	back, err := OpenRuntimeLog(path)
	if err != nil || len(back.Events()) != 1 || x.n != 1 {
		t.Fatalf("runtime log read back: %v, %d events, %d extensions", err, len(back.Events()), x.n)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".log.json.*.tmp"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
