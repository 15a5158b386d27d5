package evidence

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/sha3"

	"github.com/teeoracle/teeoracle/oracle/eventlog"
	"github.com/teeoracle/teeoracle/oracle/workload"
)

func testWorkload(t testing.TB) *workload.Description {
	d, err := workload.Parse([]byte(`{"version":1,"name":"demo","images":["ghcr.io/acme/api@sha256:` + strings.Repeat("0a", 32) + `"]}`))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// tdxWithLogs is the real v4 quote with a built CCEL (padded as the kernel
// exposes it), a runtime workload event and a workload description.
func tdxWithLogs(t testing.TB) *Evidence {
	quote := readTestdata(t, "tdx/spr-e4/quote.bin")
	ev, err := Decode("quote", quote)
	if err != nil {
		t.Fatal(err)
	}
	w := testWorkload(t)
	log := eventlog.NewBuilder().Add(0, eventlog.EvEFIPlatformFirmwareBlob2, []byte{3, 'c', 'f', 'v'}).Bytes()
	ev.EventLog = &EventLog{CCELTable: eventlog.NewCCELTable(65536, 0x1000), CCEL: log,
		Runtime: []eventlog.RuntimeEvent{{RTMR: 3, Type: workload.EventType, Data: w.Canonical()}}}
	ev.Workload = w
	return ev
}

func TestBundleEventLogRoundTrip(t *testing.T) {
	ev := tdxWithLogs(t)
	plain := &Evidence{TEE: ev.TEE, Raw: ev.Raw}
	if ev.Hash() == plain.Hash() {
		t.Fatal("event logs do not change the evidence hash")
	}
	b, err := ev.MarshalBundle()
	if err != nil {
		t.Fatal(err)
	}
	// The kernel's log area comes padded: the padding is cut, the hash unchanged.
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["ccel"] = base64.StdEncoding.EncodeToString(append(bytes.Clone(ev.EventLog.CCEL), bytes.Repeat([]byte{0xff}, 4000)...))
	padded, _ := json.Marshal(m)
	for name, in := range map[string][]byte{"bundle": b, "padded bundle": padded} {
		back, err := Decode(name, in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if back.Hash() != ev.Hash() || !bytes.Equal(back.EventLog.CCEL, ev.EventLog.CCEL) {
			t.Errorf("%s: hash or log changed in the round trip", name)
		}
		if string(back.Workload.Canonical()) != string(ev.Workload.Canonical()) {
			t.Errorf("%s: workload changed", name)
		}
	}
	// Each part counts: dropping any changes the hash.
	for name, f := range map[string]func(e *Evidence){
		"ccel":     func(e *Evidence) { e.EventLog.CCEL = e.EventLog.CCEL[:len(e.EventLog.CCEL)-1] },
		"runtime":  func(e *Evidence) { e.EventLog.Runtime = nil },
		"workload": func(e *Evidence) { e.Workload = nil },
	} {
		e := tdxWithLogs(t)
		f(e)
		if e.Hash() == ev.Hash() {
			t.Errorf("evidence without its %s hashes the same", name)
		}
	}
}

// TestHashV2Preimage rebuilds the version 2 preimage of docs/evidence.md by hand.
func TestHashV2Preimage(t *testing.T) {
	ev := tdxWithLogs(t)
	var pre []byte
	field := func(b []byte) { pre = append(binary.BigEndian.AppendUint32(pre, uint32(len(b))), b...) }
	pre = append(pre, "teeoracle.evidence.v2\x00"...)
	pre = append(pre, 2)
	field(ev.Raw)
	pre = binary.BigEndian.AppendUint32(pre, 0)
	field(ev.EventLog.CCELTable)
	field(ev.EventLog.CCEL)
	pre = binary.BigEndian.AppendUint32(pre, 1)
	pre = append(pre, 3)
	field([]byte(workload.EventType))
	field(ev.Workload.Canonical())
	field(ev.Workload.Canonical())
	h := sha3.NewLegacyKeccak256()
	h.Write(pre)
	if got := ev.Hash(); !bytes.Equal(got[:], h.Sum(nil)) {
		t.Errorf("hash %x differs from the documented preimage's", got)
	}
}

func TestBundleEventLogRefused(t *testing.T) {
	ev := tdxWithLogs(t)
	b, err := ev.MarshalBundle()
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		out, _ := json.Marshal(m)
		return out
	}
	snp := readTestdata(t, "sev-snp/milan-v2/report.bin")
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"ccel without table", edit(func(m map[string]any) { delete(m, "ccel_table") }), ErrBadJSON},
		{"broken table", edit(func(m map[string]any) { m["ccel_table"] = base64.StdEncoding.EncodeToString(make([]byte, 56)) }), ErrMalformed},
		{"broken log", edit(func(m map[string]any) { m["ccel"] = base64.StdEncoding.EncodeToString([]byte("not a log")) }), ErrMalformed},
		{"runtime event on RTMR0", edit(func(m map[string]any) {
			m["runtime_events"] = []any{map[string]any{"rtmr": 0, "type": "x", "data": ""}}
		}), ErrMalformed},
		{"unknown runtime field", edit(func(m map[string]any) {
			m["runtime_events"] = []any{map[string]any{"rtmr": 3, "type": "x", "data": "", "digest": "AA=="}}
		}), ErrBadJSON},
		{"tag-only image", edit(func(m map[string]any) {
			m["workload"] = map[string]any{"version": 1, "images": []string{"redis:7"}}
		}), ErrBadJSON},
		{"log with sev-snp", edit(func(m map[string]any) {
			m["tee"], m["evidence"] = "sev-snp", base64.StdEncoding.EncodeToString(snp)
		}), ErrTEEMismatch},
		{"huge ccel", edit(func(m map[string]any) {
			m["ccel"] = base64.StdEncoding.EncodeToString(append(bytes.Clone(ev.EventLog.CCEL), make([]byte, MaxBundleCCEL)...))
		}), ErrTooLarge},
	}
	for _, c := range cases {
		if _, err := Decode(c.name, c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// FuzzDecodeBundleEventLog fuzzes bundles carrying event logs and a workload.
func FuzzDecodeBundleEventLog(f *testing.F) {
	ev := tdxWithLogs(f)
	b, err := ev.MarshalBundle()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := Decode("fuzz", data)
		checkDecoded(t, ev, err)
	})
}

// TestEmptyEventLogPartsAreAbsent: a plain bundle with "runtime_events": [] (or an
// empty "ccel" and "ccel_table") is the same evidence as without them: one hash,
// which its re-encoded bundle keeps.
func TestEmptyEventLogPartsAreAbsent(t *testing.T) {
	ev := tdxWithLogs(t)
	plain := &Evidence{TEE: ev.TEE, Raw: ev.Raw}
	b, err := plain.MarshalBundle()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["runtime_events"] = []any{}
	m["ccel"], m["ccel_table"] = "", ""
	in, _ := json.Marshal(m)
	got, err := Decode("empty parts", in)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != plain.Hash() {
		t.Fatalf("empty event log parts changed the hash: %s, plain %s", got.Hash(), plain.Hash())
	}
	again, err := got.MarshalBundle()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode("re-encoded", again)
	if err != nil || back.Hash() != got.Hash() {
		t.Fatalf("re-encoded bundle hashes %v (err %v), decoded %s", back, err, got.Hash())
	}
}
