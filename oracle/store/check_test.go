package store

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
)

// TestCheckFindsDamagedIndexes: each index damaged in one way (an entry deleted,
// pointed elsewhere or added) makes Check report ErrCorrupt, on a store that checks
// clean before.
func TestCheckFindsDamagedIndexes(t *testing.T) {
	m := machine(1)
	older, newer := verdictFor("old", m, 100), verdictFor("new", m, 200)
	from := common.Address{0x0f}
	set := func(t *testing.T) *Store {
		s := openTest(t, filepath.Join(t.TempDir(), "node.db"))
		if err := s.PutVerdict(older); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutSubmission(NewSubmission{ID: "sub", MachineID: m}, []byte("evidence")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordDecision("sub", Decision{Verdict: newer, Signer: from, Signature: make([]byte, 65)}); err != nil {
			t.Fatal(err)
		}
		raw, txh := signedTx(t, 0, 1)
		if err := s.RecordAttempt(from, 0, txh, raw, []common.Hash{newer.Hash}); err != nil {
			t.Fatal(err)
		}
		if err := s.Check(); err != nil {
			t.Fatalf("set-up does not check clean: %v", err)
		}
		return s
	}
	for name, damage := range map[string]func(tx *bolt.Tx) error{
		"submission's subs_by_verdict entry deleted": func(tx *bolt.Tx) error {
			return tx.Bucket(bktSubsByVerd).Delete(concat(newer.Hash[:], []byte("sub")))
		},
		"subs_by_verdict entry for another verdict": func(tx *bolt.Tx) error {
			return tx.Bucket(bktSubsByVerd).Put(concat(older.Hash[:], []byte("sub")), nil)
		},
		"machine_latest names a missing verdict": func(tx *bolt.Tx) error {
			return tx.Bucket(bktMachLatest).Put(m[:], common.Hash{0xde, 0xad}.Bytes())
		},
		"machine_latest names an older verdict": func(tx *bolt.Tx) error {
			return tx.Bucket(bktMachLatest).Put(m[:], older.Hash[:])
		},
		"machine_latest entry deleted": func(tx *bolt.Tx) error {
			return tx.Bucket(bktMachLatest).Delete(m[:])
		},
		"machine_history entry deleted": func(tx *bolt.Tx) error {
			return tx.Bucket(bktMachHistory).Delete(concat(m[:], u64(older.IssuedAt), older.Hash[:]))
		},
		"machine_history entry for a missing verdict": func(tx *bolt.Tx) error {
			return tx.Bucket(bktMachHistory).Put(concat(m[:], u64(50), common.Hash{0xbe}.Bytes()), nil)
		},
		"orphan 1-byte signature": func(tx *bolt.Tx) error {
			return tx.Bucket(bktSignatures).Put(concat(common.Hash{0xaa}.Bytes(), from[:]), []byte{1})
		},
		"short signature over a stored verdict": func(tx *bolt.Tx) error {
			return tx.Bucket(bktSignatures).Put(concat(newer.Hash[:], from[:]), []byte{1})
		},
		"pending tx's ref_tx entry deleted": func(tx *bolt.Tx) error {
			return tx.Bucket(bktRefTx).Delete(newer.Hash[:])
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := set(t)
			if err := s.db.Update(damage); err != nil {
				t.Fatal(err)
			}
			if err := s.Check(); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Check: %v, want ErrCorrupt", err)
			}
		})
	}
}
