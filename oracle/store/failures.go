package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log/slog"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
)

// failedKey is sub's entry in the machine failures index, or nil when it did not
// fail for its evidence (not failed, or failed for another cause: EvidenceFault
// unset). A failed submission's UpdatedAt is when it failed: no change leaves the
// failed state.
func failedKey(sub *Submission) []byte {
	if sub.State != StateFailed || !sub.EvidenceFault {
		return nil
	}
	return concat(sub.MachineID[:], timeKey(sub.UpdatedAt), []byte(sub.ID))
}

// moveFailed replaces prev's failures index entry (prev nil: none) with sub's, in
// tx.
func moveFailed(tx *bolt.Tx, prev, sub *Submission) error {
	b := tx.Bucket(bktMachFailed)
	if prev != nil {
		if k := failedKey(prev); k != nil {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
	}
	if k := failedKey(sub); k != nil {
		return b.Put(k, nil)
	}
	return nil
}

// indexMachineFailures creates the machine failures index and fills it from the
// submissions, in the transaction that opens a store written before the index
// existed (or whose index was deleted, to have it rebuilt); it does nothing when the
// index is there. Submissions of a store written before the index failed before
// EvidenceFault existed, unmarked, so none is counted. A submission that does not
// decode is left out and logged, not fatal: one damaged record must not keep the
// node (or an audit of the file) from opening it, and Check reports it. Creating and
// filling commit together, so a crash leaves either no index (filled at the next
// Open) or a whole one.
func indexMachineFailures(tx *bolt.Tx, log *slog.Logger) error {
	if tx.Bucket(bktMachFailed) != nil {
		return nil
	}
	b, err := tx.CreateBucket(bktMachFailed)
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bktMachFailed, err)
	}
	return tx.Bucket(bktSubmissions).ForEach(func(k, v []byte) error {
		sub, err := DecodeSubmission(v)
		if err != nil {
			log.Warn("indexing machine failures: submission left out, it does not decode", "id", fmt.Sprintf("%q", k), "err", err)
			return nil
		}
		if fk := failedKey(&sub); fk != nil {
			return b.Put(fk, nil)
		}
		return nil
	})
}

// MachineFailures counts machine's submissions that failed for their evidence
// (EvidenceFault) at or after since (and are not pruned), up to max (max <= 0: no bound), and returns when the earliest
// of them failed (zero when none did): a seek in an index and at most max entries
// read, so the API can ask it of every submission.
func (s *Store) MachineFailures(machine common.Hash, since time.Time, max int) (int, time.Time, error) {
	var n int
	var oldest time.Time
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bktMachFailed).Cursor()
		for k, _ := c.Seek(concat(machine[:], timeKey(since))); k != nil && bytes.HasPrefix(k, machine[:]); k, _ = c.Next() {
			if len(k) < 40 {
				return fmt.Errorf("machine failures key %x too short: %w", k, ErrCorrupt)
			}
			if n++; n == 1 {
				oldest = time.Unix(0, int64(binary.BigEndian.Uint64(k[32:40]))).UTC()
			}
			if max > 0 && n >= max {
				break
			}
		}
		return nil
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("machine %s failures: %w", machine, err)
	}
	return n, oldest, nil
}
