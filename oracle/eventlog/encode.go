package eventlog

import (
	"crypto/sha512"
	"encoding/binary"
)

// Builder writes a TCG2 crypto-agile event log with SHA-384 digests, as TDX
// firmware does. It exists for simulated machines (oracle/devnet/fakehw) and
// tests: the oracle itself only reads logs.
type Builder struct {
	buf  []byte
	rtmr [4][]byte
}

// NewBuilder starts a log with its Spec ID event (SHA-384 only).
func NewBuilder() *Builder {
	b := &Builder{}
	for i := range b.rtmr {
		b.rtmr[i] = make([]byte, sha384Size)
	}
	spec := []byte(specIDSignature)
	spec = binary.LittleEndian.AppendUint32(spec, 0) // platform class
	spec = append(spec, 0, 2, 0, 2)                  // version minor, major, errata, uintn size
	spec = binary.LittleEndian.AppendUint32(spec, 1)
	spec = binary.LittleEndian.AppendUint16(spec, algSHA384)
	spec = binary.LittleEndian.AppendUint16(spec, sha384Size)
	spec = append(spec, 0) // vendor info size
	hdr := binary.LittleEndian.AppendUint32(nil, 0)
	hdr = binary.LittleEndian.AppendUint32(hdr, EvNoAction)
	hdr = append(hdr, make([]byte, 20)...)
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(spec)))
	b.buf = append(hdr, spec...)
	return b
}

// Add appends an event extending RTMR rtmr (0..3) with SHA-384(data).
func (b *Builder) Add(rtmr int, typ uint32, data []byte) *Builder {
	d := sha512.Sum384(data)
	return b.AddDigest(rtmr, typ, d[:], data)
}

// AddDigest appends an event whose digest is given (a file's hash, with its
// path as data, as boot loaders log).
func (b *Builder) AddDigest(rtmr int, typ uint32, digest, data []byte) *Builder {
	e := binary.LittleEndian.AppendUint32(nil, uint32(rtmr+1))
	e = binary.LittleEndian.AppendUint32(e, typ)
	e = binary.LittleEndian.AppendUint32(e, 1)
	e = binary.LittleEndian.AppendUint16(e, algSHA384)
	e = append(e, digest...)
	e = binary.LittleEndian.AppendUint32(e, uint32(len(data)))
	b.buf = append(append(b.buf, e...), data...)
	h := sha512.New384()
	h.Write(b.rtmr[rtmr])
	h.Write(digest)
	b.rtmr[rtmr] = h.Sum(nil)
	return b
}

// Bytes returns the log written so far.
func (b *Builder) Bytes() []byte { return append([]byte(nil), b.buf...) }

// RTMR returns the registers the log's events give.
func (b *Builder) RTMR() [4][]byte {
	var out [4][]byte
	for i, r := range b.rtmr {
		out[i] = append([]byte(nil), r...)
	}
	return out
}

// NewCCELTable returns a CCEL ACPI table for a TDX log area of length laml at lasa.
func NewCCELTable(laml, lasa uint64) []byte {
	t := make([]byte, ccelTableSize)
	copy(t, ccelSignature)
	binary.LittleEndian.PutUint32(t[4:], ccelTableSize)
	t[8] = 1 // revision
	copy(t[10:16], "TEEORC")
	t[36] = ccelCCTypeTDX
	binary.LittleEndian.PutUint64(t[40:], laml)
	binary.LittleEndian.PutUint64(t[48:], lasa)
	var sum byte
	for _, c := range t {
		sum += c
	}
	t[9] = -sum
	return t
}

// Extend returns SHA-384(rtmr ‖ digest): one RTMR extension.
func Extend(rtmr, digest []byte) []byte {
	h := sha512.New384()
	h.Write(rtmr)
	h.Write(digest)
	return h.Sum(nil)
}
