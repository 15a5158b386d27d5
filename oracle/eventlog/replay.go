package eventlog

import (
	"bytes"
	"crypto/sha512"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// RuntimeEvent is one RTMR extension made after boot by the teeoracle agent (or
// another guest component that keeps the same log), in the order made. Its
// digest, the value extended into the RTMR, is
//
//	SHA-384("teeoracle.rtmr-event.v1" ‖ 0x00 ‖ u32be(len(Type)) ‖ Type ‖ Data)
//
// so that an event of one type can never stand for an event of another.
type RuntimeEvent struct {
	RTMR uint8  `json:"rtmr"`
	Type string `json:"type"`
	Data []byte `json:"data"`
}

// RuntimeEventDomain starts every runtime event digest's preimage.
const RuntimeEventDomain = "teeoracle.rtmr-event.v1\x00"

// Bounds on a runtime log.
const (
	MaxRuntimeEvents    = 64
	MaxRuntimeEventType = 64
	MaxRuntimeEventData = 4 << 10
)

// Digest returns the event's SHA-384 digest (the value extended).
func (e *RuntimeEvent) Digest() []byte {
	h := sha512.New384()
	h.Write([]byte(RuntimeEventDomain))
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(e.Type))))
	h.Write([]byte(e.Type))
	h.Write(e.Data)
	return h.Sum(nil)
}

// CheckRuntime checks a runtime log's form: at most MaxRuntimeEvents events, each
// extending RTMR 2 or 3 (RTMR0 and RTMR1 belong to the firmware and boot loader)
// with a type of 1 to MaxRuntimeEventType printable ASCII characters and at most
// MaxRuntimeEventData bytes of data.
func CheckRuntime(events []RuntimeEvent) error {
	if len(events) > MaxRuntimeEvents {
		return fmt.Errorf("runtime log: %w: %d events, at most %d", ErrMalformed, len(events), MaxRuntimeEvents)
	}
	for i, e := range events {
		switch {
		case e.RTMR != 2 && e.RTMR != 3:
			return fmt.Errorf("runtime log: event %d: %w: rtmr %d (runtime events extend RTMR2 or RTMR3)", i, ErrMalformed, e.RTMR)
		case len(e.Type) == 0 || len(e.Type) > MaxRuntimeEventType || !printableASCII(e.Type):
			return fmt.Errorf("runtime log: event %d: %w: type %q is not 1 to %d printable ASCII characters", i, ErrMalformed, e.Type, MaxRuntimeEventType)
		case len(e.Data) > MaxRuntimeEventData:
			return fmt.Errorf("runtime log: event %d: %w: data of %d bytes, at most %d", i, ErrMalformed, len(e.Data), MaxRuntimeEventData)
		}
	}
	return nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Status is what replay found for one register.
type Status string

const (
	// Verified: the logged events replay to the quote's value (or nothing was
	// logged and the register is zero: nothing was extended).
	Verified Status = "verified"
	// Mismatch: events were logged for the register and do not replay to the
	// quote's value: the log is wrong, or something extended the register
	// without logging it.
	Mismatch Status = "mismatch"
	// Unlogged: nothing was logged for a non-zero register.
	Unlogged Status = "unlogged"
)

// Register is the replay of one RTMR.
type Register struct {
	Status Status `json:"status"`
	// Events is how many logged events extended it (firmware log and runtime log).
	Events int `json:"events"`
	// Replayed is the value the events give (48 bytes).
	Replayed []byte `json:"replayed"`
}

// Component is a measured component recognised in a log. Verified says whether
// the register it was logged to replayed; an unverified component is a claim of
// the log, not a fact.
type Component struct {
	Kind     string `json:"kind"`
	RTMR     int    `json:"rtmr"`
	Digest   []byte `json:"digest"`
	Value    string `json:"value,omitempty"`
	Verified bool   `json:"verified"`
}

// Component kinds.
const (
	KindFirmware        = "firmware"
	KindFirmwareConfig  = "firmware_config"
	KindBootApplication = "boot_application"
	KindKernel          = "kernel"
	KindInitrd          = "initrd"
	KindKernelCmdline   = "kernel_cmdline"
	KindApplication     = "application"
)

// Result is a replay's outcome.
type Result struct {
	Registers  [4]Register `json:"registers"`
	Components []Component `json:"components"`
}

// Replay folds the firmware log's events, then the runtime events, into RTMR0..3
// from zero (RTMR := SHA-384(RTMR ‖ digest)) and compares each with the quote's
// rtmr (48 bytes each). It never fails: each register gets a Status, and the
// policy decides which registers must be Verified. log may be nil (no CCEL sent).
func Replay(log *Log, runtime []RuntimeEvent, rtmr [4][]byte) *Result {
	res := &Result{}
	var acc [4][]byte
	for i := range acc {
		acc[i] = make([]byte, sha384Size)
	}
	extend := func(i int, d []byte) {
		h := sha512.New384()
		h.Write(acc[i])
		h.Write(d)
		acc[i] = h.Sum(nil)
		res.Registers[i].Events++
	}
	var comps []Component
	if log != nil {
		for i := range log.Events {
			e := &log.Events[i]
			extend(e.RTMR(), e.Digest)
			if c, ok := recognise(e); ok {
				comps = append(comps, c)
			}
		}
	}
	for i := range runtime {
		e := &runtime[i]
		d := e.Digest()
		extend(int(e.RTMR), d)
		comps = append(comps, Component{Kind: KindApplication, RTMR: int(e.RTMR), Digest: d, Value: e.Type})
	}
	for i := range res.Registers {
		r := &res.Registers[i]
		r.Replayed = acc[i]
		switch {
		case bytes.Equal(acc[i], rtmr[i]):
			r.Status = Verified
		case r.Events == 0:
			r.Status = Unlogged
		default:
			r.Status = Mismatch
		}
	}
	for i := range comps {
		comps[i].Verified = res.Registers[comps[i].RTMR].Status == Verified
	}
	if comps == nil {
		comps = []Component{}
	}
	res.Components = comps
	return res
}

// Tagged event ids of the Linux EFI stub (PCR9, EV_EVENT_TAG).
const (
	linuxLoadOptionsTag = 0x8F3B22EC
	linuxInitrdTag      = 0x8F3B22ED
)

// recognise names the component an event measured, when it is one of the kinds
// listed in docs/evidence.md ("Measured components").
func recognise(e *Event) (Component, bool) {
	c := Component{RTMR: e.RTMR(), Digest: e.Digest}
	switch {
	case e.Type == EvEFIPlatformFirmwareBlob || e.Type == EvEFIPlatformFirmwareBlob2:
		c.Kind = KindFirmware
		if e.Type == EvEFIPlatformFirmwareBlob2 && len(e.Data) > 0 && int(e.Data[0]) < len(e.Data) {
			c.Value = text(e.Data[1 : 1+int(e.Data[0])])
		}
	case e.Type == EvEFIHandoffTables || e.Type == EvEFIHandoffTables2:
		c.Kind = KindFirmwareConfig
		if e.Type == EvEFIHandoffTables2 && len(e.Data) > 0 && int(e.Data[0]) < len(e.Data) {
			c.Value = text(e.Data[1 : 1+int(e.Data[0])])
		}
	case e.Type == EvEFIBootServicesApp:
		c.Kind = KindBootApplication
	case e.Type == EvEventTag && len(e.Data) >= 8:
		id, n := binary.LittleEndian.Uint32(e.Data), binary.LittleEndian.Uint32(e.Data[4:])
		body := e.Data[8:]
		if uint64(n) != uint64(len(body)) {
			return c, false
		}
		switch id {
		case linuxLoadOptionsTag:
			c.Kind, c.Value = KindKernelCmdline, text(body)
		case linuxInitrdTag:
			c.Kind = KindInitrd
		default:
			return c, false
		}
	case e.Type == EvIPL:
		return recogniseIPL(c, text(e.Data))
	default:
		return c, false
	}
	return c, true
}

// recogniseIPL reads GRUB's EV_IPL strings: "kernel_cmdline: …" (and
// "grub_kernel_cmdline …") for the command line, and the paths of the files it
// loaded (PCR9): a vmlinuz is the kernel, an initrd the initrd.
func recogniseIPL(c Component, s string) (Component, bool) {
	for _, p := range []string{"kernel_cmdline: ", "grub_kernel_cmdline "} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			c.Kind, c.Value = KindKernelCmdline, rest
			return c, true
		}
	}
	if strings.HasPrefix(s, "/") && !strings.ContainsRune(s, ' ') {
		base := s[strings.LastIndexByte(s, '/')+1:]
		switch {
		case strings.HasPrefix(base, "vmlinuz") || strings.HasPrefix(base, "bzImage"):
			c.Kind, c.Value = KindKernel, s
			return c, true
		case strings.HasPrefix(base, "initrd") || strings.HasPrefix(base, "initramfs"):
			c.Kind, c.Value = KindInitrd, s
			return c, true
		}
	}
	return c, false
}

// text turns event data into a string for people: UTF-16LE when it looks so
// (every second byte zero, as EFI load options are), else bytes as UTF-8; a
// trailing NUL dropped, invalid UTF-8 replaced.
func text(b []byte) string {
	if len(b) >= 2 && len(b)%2 == 0 && b[1] == 0 {
		u := make([]rune, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			u = append(u, rune(binary.LittleEndian.Uint16(b[i:])))
		}
		b = []byte(string(u))
	}
	b = bytes.TrimRight(b, "\x00")
	return strings.ToValidUTF8(string(b), string(utf8.RuneError))
}

// UnmarshalJSON reads {"rtmr", "type", "data" (base64)} and refuses other keys.
func (e *RuntimeEvent) UnmarshalJSON(b []byte) error {
	type plain RuntimeEvent
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p plain
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("runtime event: %w", err)
	}
	*e = RuntimeEvent(p)
	return nil
}
