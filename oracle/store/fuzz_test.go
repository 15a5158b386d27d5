package store

import (
	"bytes"
	"errors"
	"testing"
)

// The decoders read bytes from disk that a damaged file, or an old or future node
// version, may have written: they must return ErrCorrupt, never panic, and whatever
// they accept must survive a re-encode unchanged.

func FuzzDecodeSubmission(f *testing.F) {
	f.Add([]byte{codecV1, '{', '}'})
	f.Add([]byte{2, '{', '}'})
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeSubmission(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error not ErrCorrupt: %v", err)
			}
			return
		}
		enc, err := encodeValue(&s)
		if err != nil {
			t.Fatalf("accepted value does not re-encode: %v", err)
		}
		s2, err := DecodeSubmission(enc)
		if err != nil {
			t.Fatalf("re-encoded value does not decode: %v", err)
		}
		enc2, _ := encodeValue(&s2)
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip unstable:\n%s\n%s", enc, enc2)
		}
	})
}

func FuzzDecodeVerdict(f *testing.F) {
	f.Add([]byte{codecV1, '{', '}'})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeVerdict(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error not ErrCorrupt: %v", err)
			}
			return
		}
		enc, err := encodeValue(&v)
		if err != nil {
			t.Fatalf("accepted value does not re-encode: %v", err)
		}
		v2, err := DecodeVerdict(enc)
		if err != nil || v2.Hash != v.Hash || !bytes.Equal(v2.Body, v.Body) {
			t.Fatalf("round trip: %+v %v", v2, err)
		}
	})
}

func FuzzDecodeTx(f *testing.F) {
	f.Add([]byte{codecV1, '{', '}'})
	f.Fuzz(func(t *testing.T, data []byte) {
		tx, err := DecodeTx(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error not ErrCorrupt: %v", err)
			}
			return
		}
		enc, err := encodeValue(&tx)
		if err != nil {
			t.Fatalf("accepted value does not re-encode: %v", err)
		}
		tx2, err := DecodeTx(enc)
		if err != nil || len(tx2.Attempts) != len(tx.Attempts) || tx2.State != tx.State {
			t.Fatalf("round trip: %+v %v", tx2, err)
		}
	})
}
