package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// codecV1 is the first byte of every structured value: JSON follows. A future format
// gets a new byte, and decoders keep reading the old ones, so a node can be upgraded
// over its existing file.
const codecV1 = 1

// validator is implemented by every stored record type, so that a value decoded from
// disk is checked as strictly as one about to be written.
type validator interface{ validate() error }

func encodeValue(v validator) ([]byte, error) {
	if err := v.validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	return append([]byte{codecV1}, b...), nil
}

func decodeValue(data []byte, v validator) error {
	if len(data) == 0 {
		return fmt.Errorf("decode %T: empty value: %w", v, ErrCorrupt)
	}
	if data[0] != codecV1 {
		return fmt.Errorf("decode %T: unknown codec version %d: %w", v, data[0], ErrCorrupt)
	}
	if err := json.Unmarshal(data[1:], v); err != nil {
		return fmt.Errorf("decode %T: %w: %w", v, ErrCorrupt, err)
	}
	if err := v.validate(); err != nil {
		return fmt.Errorf("decode %T: %w: %w", v, ErrCorrupt, err)
	}
	return nil
}

// DecodeSubmission decodes a stored submission value (exported for tools and fuzzing).
func DecodeSubmission(data []byte) (Submission, error) {
	var s Submission
	err := decodeValue(data, &s)
	return s, err
}

// DecodeVerdict decodes a stored verdict value.
func DecodeVerdict(data []byte) (Verdict, error) {
	var v Verdict
	err := decodeValue(data, &v)
	return v, err
}

// DecodeTx decodes a stored transaction-journal value.
func DecodeTx(data []byte) (Tx, error) {
	var t Tx
	err := decodeValue(data, &t)
	return t, err
}

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

// timeKey orders keys by time; times before 1970 sort first.
func timeKey(t time.Time) []byte {
	n := t.UnixNano()
	if n < 0 {
		n = 0
	}
	return u64(uint64(n))
}

func concat(parts ...[]byte) []byte {
	var n int
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
