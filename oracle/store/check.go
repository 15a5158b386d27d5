package store

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
)

// Check verifies the whole file: bbolt's page-level consistency, that every record
// decodes, that every index entry points at a record in the matching state and every
// record that should be indexed is, and that archived content hashes to its key. It
// reads everything, so it is for tests, start-up with a flag, and audits. Problems
// are joined into one error wrapping ErrCorrupt.
func (s *Store) Check() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(format+": %w", append(args, ErrCorrupt)...))
	}
	err := s.view(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			bad("bbolt: %v", err)
		}
		queued := map[string]bool{}
		q := tx.Bucket(bktQueue)
		_ = q.ForEach(func(k, _ []byte) error {
			if len(k) < 10 {
				bad("queue key %x too short", k)
				return nil
			}
			id := string(k[9:])
			sub, err := getSubmission(tx, id)
			if err != nil {
				bad("queue entry %q: %v", id, err)
				return nil
			}
			if stateCodes[sub.State] != k[0] || !bytes.Equal(k, queueKey(&sub)) {
				bad("queue entry %q disagrees with record in state %s", id, sub.State)
			}
			queued[id] = true
			return nil
		})
		ev := tx.Bucket(bktEvidence)
		_ = tx.Bucket(bktSubmissions).ForEach(func(k, v []byte) error {
			sub, err := DecodeSubmission(v)
			if err != nil {
				bad("submission %q: %v", k, err)
				return nil
			}
			if sub.ID != string(k) {
				bad("submission under key %q has id %q", k, sub.ID)
			}
			if !sub.State.Terminal() && !queued[sub.ID] {
				bad("submission %q in state %s missing from queue", sub.ID, sub.State)
			}
			if ev.Get(sub.EvidenceHash[:]) == nil {
				bad("submission %q: evidence %s not archived", sub.ID, sub.EvidenceHash)
			}
			if sub.VerdictHash != (common.Hash{}) && tx.Bucket(bktVerdicts).Get(sub.VerdictHash[:]) == nil {
				bad("submission %q: verdict %s not stored", sub.ID, sub.VerdictHash)
			}
			return nil
		})
		for _, a := range []struct {
			bkt []byte
			hf  HashFunc
		}{{bktEvidence, s.evidenceH}, {bktCollateral, s.collateralH}, {bktPolicies, s.policyH}} {
			_ = tx.Bucket(a.bkt).ForEach(func(k, v []byte) error {
				if h, err := a.hf(v); err != nil || !bytes.Equal(h[:], k) {
					bad("%s %x: content hashes to %s (%v)", a.bkt, k, h, err)
				}
				return nil
			})
		}
		_ = tx.Bucket(bktVerdicts).ForEach(func(k, v []byte) error {
			if vd, err := DecodeVerdict(v); err != nil || !bytes.Equal(vd.Hash[:], k) {
				bad("verdict %x: %v", k, err)
			}
			return nil
		})
		pend := tx.Bucket(bktTxPending)
		_ = tx.Bucket(bktTxs).ForEach(func(k, v []byte) error {
			t, err := DecodeTx(v)
			if err != nil {
				bad("tx %x: %v", k, err)
				return nil
			}
			if !bytes.Equal(k, txKey(t.From, t.Nonce)) {
				bad("tx under key %x is %s/%d", k, t.From, t.Nonce)
			}
			if (t.State == TxPending) != (pend.Get(k) != nil) {
				bad("tx %s/%d in state %s: pending index disagrees", t.From, t.Nonce, t.State)
			}
			return nil
		})
		_ = tx.Bucket(bktRefTx).ForEach(func(k, v []byte) error {
			raw := tx.Bucket(bktTxs).Get(v)
			if raw == nil {
				bad("verdict %x carried by missing tx %x", k, v)
				return nil
			}
			t, err := DecodeTx(raw)
			if err != nil {
				return nil // reported above
			}
			carried := false
			for _, h := range t.Refs {
				carried = carried || bytes.Equal(h[:], k)
			}
			live := t.State == TxPending || (t.State == TxConfirmed && t.Success)
			if !carried || !live {
				bad("verdict %x indexed to tx %s/%d (state %s) that does not carry it live", k, t.From, t.Nonce, t.State)
			}
			return nil
		})
		_ = pend.ForEach(func(k, _ []byte) error {
			if tx.Bucket(bktTxs).Get(k) == nil {
				bad("pending index %x without record", k)
			}
			return nil
		})
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
