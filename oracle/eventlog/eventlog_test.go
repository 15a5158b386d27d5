package eventlog

import (
	"bytes"
	"crypto/sha512"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-eventlog/register"
	"github.com/google/go-eventlog/tcg"
)

// goEventlogDir is go-eventlog's module directory, whose real CCEL (a
// Container-Optimized OS 113 TD on Google Cloud, with its RTMR0..2 from
// go-eventlog's ccel/replay_test.go) the tests read in place.
func goEventlogDir(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/google/go-eventlog").Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		t.Skipf("go-eventlog module not available: %v", err)
	}
	return string(bytes.TrimSpace(out))
}

func readCOS(t testing.TB) (table, data []byte, rtmr [4][]byte) {
	dir := filepath.Join(goEventlogDir(t), "testdata", "eventlogs", "ccel")
	var err error
	if table, err = os.ReadFile(filepath.Join(dir, "cos-113-intel-tdx.table.bin")); err != nil {
		t.Fatal(err)
	}
	if data, err = os.ReadFile(filepath.Join(dir, "cos-113-intel-tdx.bin")); err != nil {
		t.Fatal(err)
	}
	rtmr[0] = []byte("?\xa2\xf6\x1f9[\x7f_\xee\xfbN\xc2\xdfa)\x7f\x10\x9aث\xcdd\x10\xc1\xb7\xdf`\xf2\x1f7\xb1\x92\x97\xfc5\xe5D\x03\x9c~\x1e\xde\xceu*\xfd\x17\xf6")
	rtmr[1] = []byte("\xf6-\xbc\a+\xd5\xd3\xf3C\x8b{5Úr\x7fZ\xea/\xfc$s\xf47#\x95?S\r\xafbPO\nyD\xaab\xc4\x1a\x86\xe8\xa8x±\"\xc1")
	rtmr[2] = []byte("IihM\xc8s\x81\xfc;14\x17l\x8d\x88\x06\xea\xf0\xa9\x01\x85\x9f_pϮ\x8d\x17qKF\xc1\n\x8d\xe2\x19\x04\x8c\x9f\xc0\x9f\x11\xf3\x81\xa6\xfb\xe7\xc1")
	rtmr[3] = make([]byte, 48)
	return table, data, rtmr
}

// TestRealCCELAgreesWithGoEventlog parses and replays the real log and checks
// every fact against go-eventlog, an independent implementation.
func TestRealCCELAgreesWithGoEventlog(t *testing.T) {
	table, data, rtmr := readCOS(t)
	tb, err := ParseCCELTable(table)
	if err != nil {
		t.Fatal(err)
	}
	if tb.LogAreaMinLength != uint64(len(data)) {
		t.Errorf("table's log area length %d, log file %d bytes", tb.LogAreaMinLength, len(data))
	}
	log, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	res := Replay(log, nil, rtmr)
	for i, r := range res.Registers {
		if r.Status != Verified {
			t.Errorf("RTMR%d: %s after %d events", i, r.Status, r.Events)
		}
	}
	// go-eventlog: the same events, in order, with the same digests.
	bank := register.RTMRBank{RTMRs: []register.RTMR{{Index: 0, Digest: rtmr[0]}, {Index: 1, Digest: rtmr[1]}, {Index: 2, Digest: rtmr[2]}}}
	theirs, err := tcg.ParseAndReplay(data, bank.MRs(), tcg.ParseOpts{AllowPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(theirs) != len(log.Events) {
		t.Fatalf("go-eventlog replays %d events, we %d", len(theirs), len(log.Events))
	}
	for i, e := range log.Events {
		o := theirs[i]
		if o.MRIndex() != e.MRIndex || uint32(o.Type) != e.Type || !bytes.Equal(o.ReplayedDigest(), e.Digest) || !bytes.Equal(o.RawData(), e.Data) {
			t.Errorf("event %d differs: go-eventlog index %d type %#x, we index %d type %#x", i, o.MRIndex(), uint32(o.Type), e.MRIndex, e.Type)
		}
	}
	kinds := map[string][]Component{}
	for _, c := range res.Components {
		if !c.Verified {
			t.Errorf("component %+v not verified in a verified log", c)
		}
		kinds[c.Kind] = append(kinds[c.Kind], c)
	}
	for _, k := range []string{KindFirmware, KindKernel, KindKernelCmdline, KindBootApplication} {
		if len(kinds[k]) == 0 {
			t.Errorf("no %s recognised; components %v", k, res.Components)
		}
	}
	if cl := kinds[KindKernelCmdline]; len(cl) > 0 && !strings.Contains(cl[0].Value, "root=") {
		t.Errorf("kernel command line %q lacks root=", cl[0].Value)
	}
	trimmed, err := TrimPadding(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(trimmed) >= len(data) || len(trimmed) < 1000 {
		t.Errorf("trimmed %d of %d bytes", len(trimmed), len(data))
	}
	again, err := Parse(trimmed)
	if err != nil || len(again.Events) != len(log.Events) {
		t.Errorf("trimmed log: %v, %d events", err, len(again.Events))
	}
}

// TestReplayRefusesAlteredRegisters: one changed byte in a register, or an
// unlogged extension, is a mismatch of that register only.
func TestReplayStatuses(t *testing.T) {
	_, data, rtmr := readCOS(t)
	log, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	bad := rtmr
	bad[1] = bytes.Clone(rtmr[1])
	bad[1][0] ^= 1
	res := Replay(log, nil, bad)
	want := [4]Status{Verified, Mismatch, Verified, Verified}
	for i := range want {
		if res.Registers[i].Status != want[i] {
			t.Errorf("RTMR%d: %s, want %s", i, res.Registers[i].Status, want[i])
		}
	}
	for _, c := range res.Components {
		if c.RTMR == 1 && c.Verified {
			t.Errorf("component %s in the mismatched RTMR1 marked verified", c.Kind)
		}
	}
	// An extension of RTMR3 without a log entry: unlogged, others still verified.
	ext := rtmr
	ext[3] = Extend(make([]byte, 48), bytes.Repeat([]byte{7}, 48))
	res = Replay(log, nil, ext)
	if res.Registers[3].Status != Unlogged || res.Registers[0].Status != Verified {
		t.Errorf("unlogged RTMR3: got %s, RTMR0 %s", res.Registers[3].Status, res.Registers[0].Status)
	}
	// With the runtime event logged, RTMR3 verifies.
	ev := RuntimeEvent{RTMR: 3, Type: "test", Data: []byte("x")}
	ext[3] = Extend(make([]byte, 48), ev.Digest())
	res = Replay(log, []RuntimeEvent{ev}, ext)
	if res.Registers[3].Status != Verified {
		t.Errorf("logged RTMR3: %s", res.Registers[3].Status)
	}
	last := res.Components[len(res.Components)-1]
	if last.Kind != KindApplication || last.Value != "test" || !last.Verified {
		t.Errorf("runtime component %+v", last)
	}
}

func TestBuilderRoundTrip(t *testing.T) {
	b := NewBuilder().
		Add(0, EvEFIPlatformFirmwareBlob2, append([]byte{8}, "TDVF CFV"...)).
		AddDigest(2, EvIPL, bytes.Repeat([]byte{1}, 48), []byte("/boot/vmlinuz-6.8")).
		Add(2, EvIPL, []byte("kernel_cmdline: console=ttyS0 ro\x00"))
	log, err := Parse(append(b.Bytes(), bytes.Repeat([]byte{0xff}, 100)...))
	if err != nil {
		t.Fatal(err)
	}
	res := Replay(log, nil, b.RTMR())
	var got []string
	for _, c := range res.Components {
		got = append(got, c.Kind+"="+c.Value)
	}
	want := "firmware=TDVF CFV,kernel=/boot/vmlinuz-6.8,kernel_cmdline=console=ttyS0 ro"
	if strings.Join(got, ",") != want {
		t.Errorf("components %v, want %s", got, want)
	}
	for i, r := range res.Registers {
		if r.Status != Verified {
			t.Errorf("RTMR%d %s", i, r.Status)
		}
	}
	if _, err := ParseCCELTable(NewCCELTable(65536, 0x7f000000)); err != nil {
		t.Errorf("own table: %v", err)
	}
}

// TestParseRefuses: each malformation is refused with the right sentinel.
func TestParseRefuses(t *testing.T) {
	good := NewBuilder().Add(1, EvSeparator, []byte{0, 0, 0, 0}).Bytes()
	specEnd := 32 + 16 + 4 + 4 + 4 + 4 + 1
	mut := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"truncated event", good[:len(good)-2], ErrMalformed},
		{"first event not no-action", mut(func(b []byte) []byte { b[4] = 1; return b }), ErrUnsupported},
		{"no sha384", mut(func(b []byte) []byte { b[32+24+4] = 0x0b; return b }), ErrUnsupported},
		{"MRTD event", mut(func(b []byte) []byte { b[specEnd] = 0; return b }), ErrMalformed},
		{"MR index 9", mut(func(b []byte) []byte { b[specEnd] = 9; return b }), ErrMalformed},
		{"undeclared algorithm", mut(func(b []byte) []byte { b[specEnd+12] = 0x0b; return b }), ErrMalformed},
		{"huge data size", mut(func(b []byte) []byte { copy(b[specEnd+14+48:], []byte{0xff, 0xff, 0xff, 0x7f}); return b }), ErrMalformed},
		{"too many digests", mut(func(b []byte) []byte { b[specEnd+8] = 200; return b }), ErrMalformed},
	}
	for _, c := range cases {
		if _, err := Parse(c.data); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	tbl := NewCCELTable(1, 2)
	for name, f := range map[string]func([]byte){
		"signature": func(b []byte) { b[0] = 'X' },
		"checksum":  func(b []byte) { b[20]++ },
		"sev":       func(b []byte) { b[36] = 1; b[9]++ },
	} {
		b := bytes.Clone(tbl)
		f(b)
		if _, err := ParseCCELTable(b); err == nil {
			t.Errorf("table with bad %s accepted", name)
		}
	}
	if err := CheckRuntime([]RuntimeEvent{{RTMR: 1, Type: "x"}}); !errors.Is(err, ErrMalformed) {
		t.Errorf("runtime event on RTMR1: %v", err)
	}
	if err := CheckRuntime([]RuntimeEvent{{RTMR: 3, Type: "a b"}}); !errors.Is(err, ErrMalformed) {
		t.Errorf("runtime type with a space: %v", err)
	}
	d := (&RuntimeEvent{RTMR: 3, Type: "t", Data: []byte("d")}).Digest()
	want := sha512.Sum384([]byte(RuntimeEventDomain + "\x00\x00\x00\x01td"))
	if !bytes.Equal(d, want[:]) {
		t.Errorf("runtime digest %x, want %x", d, want)
	}
}

// BenchmarkParseReplayCOS parses and replays the real 18 KiB COS CCEL; the
// baseline hashes the same bytes once with SHA-384, so the ratio says what the
// event structure costs beyond reading the log.
func BenchmarkParseReplayCOS(b *testing.B) {
	_, data, rtmr := readCOS(b)
	data, _ = TrimPadding(data)
	b.Run("baseline-sha384", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			sha512.Sum384(data)
		}
	})
	b.Run("parse+replay", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			log, err := Parse(data)
			if err != nil {
				b.Fatal(err)
			}
			if Replay(log, nil, rtmr).Registers[0].Status != Verified {
				b.Fatal("RTMR0 does not replay")
			}
		}
	})
}
