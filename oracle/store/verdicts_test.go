package store

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestVerdictDecodeErrorsNameTheKey: a damaged verdict record, and a machine's
// latest pointer at a verdict not stored, are reported as ErrCorrupt naming the
// verdict's hash (and the machine), so an operator can find the record.
func TestVerdictDecodeErrorsNameTheKey(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
	m := machine(1)
	v := verdictFor("a", m, 100)
	if err := s.PutVerdict(v); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bktVerdicts).Put(v.Hash[:], []byte{}) }); err != nil {
		t.Fatal(err)
	}
	hash := strings.TrimPrefix(v.Hash.Hex(), "0x")
	if _, err := s.Verdict(v.Hash); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), hash) {
		t.Errorf("Verdict of a damaged record: %v, want ErrCorrupt naming %s", err, v.Hash)
	}
	if _, err := s.LatestVerdict(m); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), hash) || !strings.Contains(err.Error(), m.Hex()) {
		t.Errorf("LatestVerdict of a damaged record: %v, want ErrCorrupt naming %s and machine %s", err, v.Hash, m)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bktVerdicts).Delete(v.Hash[:]) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LatestVerdict(m); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), hash) || !strings.Contains(err.Error(), "not stored") {
		t.Errorf("LatestVerdict pointing at a missing verdict: %v, want ErrCorrupt naming %s as not stored", err, v.Hash)
	}
}
