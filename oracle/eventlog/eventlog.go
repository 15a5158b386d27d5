// Package eventlog reads the measurement logs of an Intel TDX guest and replays
// them against the quote's runtime measurement registers: the firmware's
// Confidential Computing event log (CCEL: the ACPI table and the log it points
// to, TCG2 crypto-agile format, as Linux exposes them under
// /sys/firmware/acpi/tables/CCEL and /sys/firmware/acpi/tables/data/CCEL) and the
// runtime log of RTMR extensions the teeoracle agent made (RuntimeEvent). See
// docs/evidence.md, "Event logs".
//
// It is a parser of untrusted input: every length is checked against what is left,
// nothing it reads can make it panic or allocate more than its input, and the
// recognised components are facts only when the register they were logged to
// replays (Replay).
package eventlog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Errors; every error wraps one of these and says where in the input it was.
var (
	// ErrMalformed: the log or table is not what its format says.
	ErrMalformed = errors.New("malformed event log")
	// ErrUnsupported: a well-formed log of a kind not read here (no SHA-384
	// digests, an SEV CCEL, a TPM 1.2 log).
	ErrUnsupported = errors.New("unsupported event log")
)

// Bounds on what is read: a real TDVF and boot loader log has a few hundred
// events of a few KiB at most.
const (
	// MaxEvents bounds the number of events in one log.
	MaxEvents = 4096
	// MaxEventData bounds one event's data.
	MaxEventData = 1 << 20
)

// TCG event types (TCG PC Client Platform Firmware Profile, section 10.4.1).
const (
	EvPostCode                 uint32 = 0x00000001
	EvNoAction                 uint32 = 0x00000003
	EvSeparator                uint32 = 0x00000004
	EvAction                   uint32 = 0x00000005
	EvEventTag                 uint32 = 0x00000006
	EvIPL                      uint32 = 0x0000000D
	EvPlatformConfigFlags      uint32 = 0x0000000A
	EvEFIVariableDriverConfig  uint32 = 0x80000001
	EvEFIVariableBoot          uint32 = 0x80000002
	EvEFIBootServicesApp       uint32 = 0x80000003
	EvEFIBootServicesDriver    uint32 = 0x80000004
	EvEFIGPTEvent              uint32 = 0x80000006
	EvEFIAction                uint32 = 0x80000007
	EvEFIPlatformFirmwareBlob  uint32 = 0x80000008
	EvEFIHandoffTables         uint32 = 0x80000009
	EvEFIPlatformFirmwareBlob2 uint32 = 0x8000000A
	EvEFIHandoffTables2        uint32 = 0x8000000B
	EvEFIVariableBoot2         uint32 = 0x8000000C
	EvEFIVariableAuthority     uint32 = 0x800000E0
	algSHA1                    uint16 = 0x0004
	algSHA256                  uint16 = 0x000B
	algSHA384                  uint16 = 0x000C
	algSHA512                  uint16 = 0x000D
	specIDSignature                   = "Spec ID Event03\x00"
	specIDHeaderSize                  = 16 + 4 + 1 + 1 + 1 + 1 + 4
	sha1EventHeaderSize               = 4 + 4 + 20 + 4
	ccelTableSize                     = 56
	ccelCCTypeTDX                     = 2
	sha384Size                        = 48
	mrIndexMRTD                       = 0
	mrIndexRTMR3                      = 4
	acpiHeaderSize                    = 36
	ccelSignature                     = "CCEL"
	maxDigestsPerEvent                = 8
	maxAlgorithms                     = 8
	paddingByteFF                     = 0xff
	paddingByte00                     = 0x00
	paddingIndex               uint32 = 0xffffffff
)

// Event is one measured event of the CCEL. MRIndex is the CC measurement register
// index of the log: 0 MRTD, 1..4 RTMR0..3 (TDX GHCI, section 4.3.4); Digest is the
// event's SHA-384 digest, which is what was extended.
type Event struct {
	Seq     int    // position in the log, the Spec ID event being 0
	MRIndex uint32 // CC MR index
	Type    uint32
	Digest  []byte // SHA-384, 48 bytes
	Data    []byte
}

// RTMR returns the RTMR the event extended (0..3), or -1 for MRTD or an index
// beyond RTMR3.
func (e *Event) RTMR() int {
	if e.MRIndex < 1 || e.MRIndex > mrIndexRTMR3 {
		return -1
	}
	return int(e.MRIndex) - 1
}

// Log is a parsed CCEL: the measured events in log order (EV_NO_ACTION events,
// which extend nothing, are left out).
type Log struct {
	Events []Event
}

// CCELTable is what the CCEL ACPI table says.
type CCELTable struct {
	CCType    uint8
	CCSubtype uint8
	// LogAreaMinLength and LogAreaStart are the log area's size and guest
	// physical address.
	LogAreaMinLength uint64
	LogAreaStart     uint64
}

// ParseCCELTable reads the CCEL ACPI table (/sys/firmware/acpi/tables/CCEL): the
// standard 36-byte ACPI header with signature "CCEL", then CC type (2: TDX),
// subtype, 2 reserved bytes, the log area's minimum length (u64 LE) and start
// address (u64 LE). The header's length must be the table's and its checksum
// must make the bytes sum to zero.
func ParseCCELTable(b []byte) (*CCELTable, error) {
	if len(b) != ccelTableSize {
		return nil, fmt.Errorf("CCEL table: %w: %d bytes, want %d", ErrMalformed, len(b), ccelTableSize)
	}
	if string(b[:4]) != ccelSignature {
		return nil, fmt.Errorf("CCEL table: %w: signature %q, want %q", ErrMalformed, b[:4], ccelSignature)
	}
	if n := binary.LittleEndian.Uint32(b[4:8]); n != ccelTableSize {
		return nil, fmt.Errorf("CCEL table: %w: header length %d, table has %d bytes", ErrMalformed, n, len(b))
	}
	var sum byte
	for _, c := range b {
		sum += c
	}
	if sum != 0 {
		return nil, fmt.Errorf("CCEL table: %w: checksum: bytes sum to %#02x, want 0", ErrMalformed, sum)
	}
	t := &CCELTable{CCType: b[36], CCSubtype: b[37],
		LogAreaMinLength: binary.LittleEndian.Uint64(b[40:48]), LogAreaStart: binary.LittleEndian.Uint64(b[48:56])}
	if t.CCType != ccelCCTypeTDX {
		return nil, fmt.Errorf("CCEL table: %w: CC type %d, only 2 (TDX) is read", ErrUnsupported, t.CCType)
	}
	return t, nil
}

// TrimPadding returns the log without the unused rest of the log area after its
// last event: the kernel exposes the whole area (LogAreaMinLength bytes), which
// the firmware fills with 0xFF (or leaves zero) past the log. Only whole trailing
// runs of 0xFF or 0x00 after the last parsable event are cut; the result parses
// to the same events.
func TrimPadding(data []byte) ([]byte, error) {
	end, _, err := parse(data)
	if err != nil {
		return nil, err
	}
	return data[:end], nil
}

// Parse reads a TCG2 crypto-agile event log (TCG EFI Protocol Specification,
// section 5.2): a first event in the SHA-1 format carrying the "Spec ID Event03"
// structure (the digest algorithms and their sizes), then events in the
// crypto-agile format: MR index (u32 LE), event type (u32 LE), digest count (u32
// LE), each digest (algorithm id u16 LE, then as many bytes as the Spec ID event
// says), data size (u32 LE), data. Every measured event must carry a SHA-384
// digest (TDX RTMRs are SHA-384). Padding after the last event (0xFF or 0x00
// bytes, or an MR index of 0xFFFFFFFF) ends the log.
func Parse(data []byte) (*Log, error) {
	_, log, err := parse(data)
	return log, err
}

func parse(data []byte) (int, *Log, error) {
	r := &reader{b: data}
	sizes, err := r.specID()
	if err != nil {
		return 0, nil, err
	}
	log := &Log{}
	pad := paddingStart(data)
	for seq := 1; r.off < len(data); seq++ {
		if r.off >= pad {
			break
		}
		if seq > MaxEvents {
			return 0, nil, fmt.Errorf("event log: %w: more than %d events", ErrMalformed, MaxEvents)
		}
		start := r.off
		e, err := r.event2(sizes)
		if err != nil {
			return 0, nil, fmt.Errorf("event log: event %d at offset %d: %w", seq, start, err)
		}
		if e == nil {
			break // MR index 0xFFFFFFFF: padding
		}
		e.Seq = seq
		if e.Type == EvNoAction {
			continue
		}
		if e.MRIndex == mrIndexMRTD || e.MRIndex > mrIndexRTMR3 {
			return 0, nil, fmt.Errorf("event log: event %d at offset %d: %w: MR index %d (a TDX log extends RTMR0..3, indices 1..4)", seq, start, ErrMalformed, e.MRIndex)
		}
		log.Events = append(log.Events, *e)
	}
	return r.off, log, nil
}

// paddingStart is where data's trailing run of 0xFF or 0x00 bytes begins (len(data)
// when it ends in neither): from there on the rest is padding. Computed once, so
// that a log of many small events is not re-scanned to its end before each.
func paddingStart(data []byte) int {
	if len(data) == 0 {
		return 0
	}
	last := data[len(data)-1]
	if last != paddingByteFF && last != paddingByte00 {
		return len(data)
	}
	return len(bytes.TrimRight(data, string([]byte{last})))
}

type reader struct {
	b   []byte
	off int
}

func (r *reader) take(n int, what string) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.off {
		return nil, fmt.Errorf("%w: %s: %d bytes needed, %d left", ErrMalformed, what, n, len(r.b)-r.off)
	}
	out := r.b[r.off : r.off+n]
	r.off += n
	return out, nil
}

func (r *reader) u32(what string) (uint32, error) {
	b, err := r.take(4, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

// specID reads the first event (SHA-1 format) and returns the digest size of
// each algorithm it declares.
func (r *reader) specID() (map[uint16]int, error) {
	hdr, err := r.take(sha1EventHeaderSize, "first event header")
	if err != nil {
		return nil, fmt.Errorf("event log: %w", err)
	}
	typ, size := binary.LittleEndian.Uint32(hdr[4:8]), binary.LittleEndian.Uint32(hdr[28:32])
	if typ != EvNoAction {
		return nil, fmt.Errorf("event log: %w: first event of type %#x, not EV_NO_ACTION with a Spec ID event (a TPM 1.2 SHA-1 log?)", ErrUnsupported, typ)
	}
	d, err := r.take(int(min(size, MaxEventData+1)), "Spec ID event data")
	if err != nil {
		return nil, fmt.Errorf("event log: %w", err)
	}
	if len(d) < specIDHeaderSize || string(d[:16]) != specIDSignature {
		return nil, fmt.Errorf("event log: %w: first event is not a \"Spec ID Event03\" structure", ErrUnsupported)
	}
	n := binary.LittleEndian.Uint32(d[24:28])
	if n == 0 || n > maxAlgorithms || len(d) < specIDHeaderSize+4*int(n)+1 {
		return nil, fmt.Errorf("event log: %w: Spec ID event declares %d algorithms in %d bytes", ErrMalformed, n, len(d))
	}
	sizes := map[uint16]int{}
	for i := range int(n) {
		p := d[specIDHeaderSize+4*i:]
		alg, sz := binary.LittleEndian.Uint16(p), int(binary.LittleEndian.Uint16(p[2:]))
		if sz == 0 || sz > 64 {
			return nil, fmt.Errorf("event log: %w: Spec ID event: algorithm %#04x with digest size %d", ErrMalformed, alg, sz)
		}
		sizes[alg] = sz
	}
	if sizes[algSHA384] != sha384Size {
		return nil, fmt.Errorf("event log: %w: no SHA-384 digests (algorithms %v)", ErrUnsupported, sizes)
	}
	vendor := int(d[specIDHeaderSize+4*int(n)])
	if len(d) != specIDHeaderSize+4*int(n)+1+vendor {
		return nil, fmt.Errorf("event log: %w: Spec ID event of %d bytes, its fields make %d", ErrMalformed, len(d), specIDHeaderSize+4*int(n)+1+vendor)
	}
	return sizes, nil
}

// event2 reads one crypto-agile event; nil, nil is the padding marker.
func (r *reader) event2(sizes map[uint16]int) (*Event, error) {
	idx, err := r.u32("MR index")
	if err != nil {
		return nil, err
	}
	if idx == paddingIndex {
		r.off = len(r.b)
		return nil, nil
	}
	e := &Event{MRIndex: idx}
	if e.Type, err = r.u32("event type"); err != nil {
		return nil, err
	}
	n, err := r.u32("digest count")
	if err != nil {
		return nil, err
	}
	if n > maxDigestsPerEvent {
		return nil, fmt.Errorf("%w: %d digests", ErrMalformed, n)
	}
	for range n {
		ab, err := r.take(2, "digest algorithm")
		if err != nil {
			return nil, err
		}
		alg := binary.LittleEndian.Uint16(ab)
		sz, ok := sizes[alg]
		if !ok {
			return nil, fmt.Errorf("%w: digest algorithm %#04x not declared in the Spec ID event", ErrMalformed, alg)
		}
		d, err := r.take(sz, "digest")
		if err != nil {
			return nil, err
		}
		if alg == algSHA384 {
			if e.Digest != nil {
				return nil, fmt.Errorf("%w: two SHA-384 digests", ErrMalformed)
			}
			e.Digest = d
		}
	}
	size, err := r.u32("event data size")
	if err != nil {
		return nil, err
	}
	if size > MaxEventData {
		return nil, fmt.Errorf("%w: event data of %d bytes, at most %d", ErrMalformed, size, MaxEventData)
	}
	if e.Data, err = r.take(int(size), "event data"); err != nil {
		return nil, err
	}
	if e.Digest == nil && e.Type != EvNoAction {
		return nil, fmt.Errorf("%w: event of type %#x without a SHA-384 digest", ErrMalformed, e.Type)
	}
	return e, nil
}
