package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
)

// Check verifies the whole file: bbolt's page-level consistency, that every record
// decodes, that every index entry points at a record in the matching state and every
// record that should be indexed is, and that archived content hashes to its key. The
// indexes checked both ways: queue, machine_failed, subs_by_verdict, machine_history,
// ref_tx (for pending transactions; a mined batch releases the verdicts it skipped);
// machine_latest names the newest stored verdict of every machine that has one;
// every signature is 65 bytes over a stored verdict; the pending index matches the
// journal. It reads everything: the tests run it (the kill -9 test after every
// round); the node does not run it at start-up. Problems are joined into one error
// wrapping ErrCorrupt.
func (s *Store) Check() error {
	c := &checker{s: s}
	err := s.view(func(tx *bolt.Tx) error {
		c.tx = tx
		c.pages()
		queued := c.queue()
		c.submissions(queued)
		c.machineFailures()
		c.archive()
		c.verdicts()
		c.subsByVerdict()
		c.machineHistory()
		c.machineLatest()
		c.signatures()
		c.txs()
		c.verdictTxIndex()
		c.pendingIndex()
		return nil
	})
	if err != nil {
		c.errs = append(c.errs, err)
	}
	return errors.Join(c.errs...)
}

// checker is one Check in progress: each step reads one bucket or index and
// reports what it finds wrong.
type checker struct {
	s    *Store
	tx   *bolt.Tx
	errs []error
}

func (c *checker) bad(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format+": %w", append(args, ErrCorrupt)...))
}

// pages: bbolt's page-level consistency.
func (c *checker) pages() {
	for err := range c.tx.Check() {
		c.bad("bbolt: %v", err)
	}
}

// queue: every queue entry names a submission in the entry's state; it returns
// the queued submission ids.
func (c *checker) queue() map[string]bool {
	queued := map[string]bool{}
	_ = c.tx.Bucket(bktQueue).ForEach(func(k, _ []byte) error {
		if len(k) < 10 {
			c.bad("queue key %x too short", k)
			return nil
		}
		id := string(k[9:])
		sub, err := getSubmission(c.tx, id)
		if err != nil {
			c.bad("queue entry %q: %v", id, err)
			return nil
		}
		if want := queueKey(&sub); stateCodes[sub.State] != k[0]&^parkedBit || !bytes.Equal(k[1:], want[1:]) {
			c.bad("queue entry %q disagrees with record in state %s", id, sub.State)
		}
		if queued[id] {
			c.bad("submission %q queued twice (parked and not)", id)
		}
		queued[id] = true
		return nil
	})
	return queued
}

// submissions: every submission decodes, is queued unless terminal, and its
// evidence and verdict are stored.
func (c *checker) submissions(queued map[string]bool) {
	ev := c.tx.Bucket(bktEvidence)
	_ = c.tx.Bucket(bktSubmissions).ForEach(func(k, v []byte) error {
		sub, err := DecodeSubmission(v)
		if err != nil {
			c.bad("submission %q: %v", k, err)
			return nil
		}
		if sub.ID != string(k) {
			c.bad("submission under key %q has id %q", k, sub.ID)
		}
		if !sub.State.Terminal() && !queued[sub.ID] {
			c.bad("submission %q in state %s missing from queue", sub.ID, sub.State)
		}
		if k := failedKey(&sub); k != nil && c.tx.Bucket(bktMachFailed).Get(k) == nil {
			c.bad("submission %q failed for its evidence but missing from the machine failures index", sub.ID)
		}
		if ev.Get(sub.EvidenceHash[:]) == nil {
			c.bad("submission %q: evidence %s not archived", sub.ID, sub.EvidenceHash)
		}
		if sub.VerdictHash != (common.Hash{}) && c.tx.Bucket(bktVerdicts).Get(sub.VerdictHash[:]) == nil {
			c.bad("submission %q: verdict %s not stored", sub.ID, sub.VerdictHash)
		}
		if sub.VerdictHash != (common.Hash{}) && c.tx.Bucket(bktSubsByVerd).Get(concat(sub.VerdictHash[:], []byte(sub.ID))) == nil {
			c.bad("submission %q: missing from the index of verdict %s's submissions", sub.ID, sub.VerdictHash)
		}
		return nil
	})
}

// machineFailures: every machine failures entry names a submission failed for its
// evidence whose own entry it is (the machine and failure time agree).
func (c *checker) machineFailures() {
	_ = c.tx.Bucket(bktMachFailed).ForEach(func(k, _ []byte) error {
		if len(k) < 41 {
			c.bad("machine failures key %x too short", k)
			return nil
		}
		sub, err := getSubmission(c.tx, string(k[40:]))
		if err != nil {
			c.bad("machine failures entry %x: %v", k, err)
			return nil
		}
		if !bytes.Equal(failedKey(&sub), k) {
			c.bad("machine failures entry %x disagrees with submission %q in state %s (evidence fault %t)", k, sub.ID, sub.State, sub.EvidenceFault)
		}
		return nil
	})
}

// archive: archived evidence, collateral and policies hash to their keys.
func (c *checker) archive() {
	for _, a := range []struct {
		bkt []byte
		hf  HashFunc
	}{{bktEvidence, c.s.evidenceH}, {bktCollateral, c.s.collateralH}, {bktPolicies, c.s.policyH}} {
		_ = c.tx.Bucket(a.bkt).ForEach(func(k, v []byte) error {
			if h, err := a.hf(v); err != nil || !bytes.Equal(h[:], k) {
				c.bad("%s %x: content hashes to %s (%v)", a.bkt, k, h, err)
			}
			return nil
		})
	}
}

// verdicts: every verdict decodes and is filed under its own hash.
func (c *checker) verdicts() {
	_ = c.tx.Bucket(bktVerdicts).ForEach(func(k, v []byte) error {
		if vd, err := DecodeVerdict(v); err != nil || !bytes.Equal(vd.Hash[:], k) {
			c.bad("verdict %x: %v", k, err)
		}
		return nil
	})
}

// subsByVerdict: every entry of the verdict -> submissions index names a stored
// submission carrying that verdict (the other way is checked by submissions).
func (c *checker) subsByVerdict() {
	_ = c.tx.Bucket(bktSubsByVerd).ForEach(func(k, _ []byte) error {
		if len(k) <= 32 {
			c.bad("subs_by_verdict key %x too short", k)
			return nil
		}
		sub, err := getSubmission(c.tx, string(k[32:]))
		if err != nil {
			c.bad("subs_by_verdict entry %x: %v", k, err)
			return nil
		}
		if !bytes.Equal(sub.VerdictHash[:], k[:32]) {
			c.bad("subs_by_verdict entry names verdict %x for submission %q, which carries %s", k[:32], sub.ID, sub.VerdictHash)
		}
		return nil
	})
}

// machineHistory: every verdict has its history entry (machine, issued-at, hash),
// and every history entry names a stored verdict that agrees.
func (c *checker) machineHistory() {
	hist := c.tx.Bucket(bktMachHistory)
	_ = c.tx.Bucket(bktVerdicts).ForEach(func(k, v []byte) error {
		vd, err := DecodeVerdict(v)
		if err != nil {
			return nil // reported by verdicts
		}
		if hist.Get(concat(vd.MachineID[:], u64(vd.IssuedAt), vd.Hash[:])) == nil {
			c.bad("verdict %s of machine %s missing from the machine history", vd.Hash, vd.MachineID)
		}
		return nil
	})
	_ = hist.ForEach(func(k, _ []byte) error {
		if len(k) != 72 {
			c.bad("machine history key %x: %d bytes, want 72", k, len(k))
			return nil
		}
		raw := c.tx.Bucket(bktVerdicts).Get(k[40:])
		if raw == nil {
			c.bad("machine history entry %x: verdict %x not stored", k, k[40:])
			return nil
		}
		vd, err := DecodeVerdict(raw)
		if err != nil {
			return nil // reported by verdicts
		}
		if !bytes.Equal(concat(vd.MachineID[:], u64(vd.IssuedAt), vd.Hash[:]), k) {
			c.bad("machine history entry %x disagrees with verdict %s (machine %s, issued at %d)", k, vd.Hash, vd.MachineID, vd.IssuedAt)
		}
		return nil
	})
}

// machineLatest: every machine with a stored verdict has a latest entry, naming a
// stored verdict of that machine issued last (the greatest issued-at in its
// history); no machine without verdicts has one.
func (c *checker) machineLatest() {
	newest := map[common.Hash]uint64{}
	_ = c.tx.Bucket(bktMachHistory).ForEach(func(k, _ []byte) error {
		if len(k) == 72 {
			m := common.BytesToHash(k[:32])
			newest[m] = max(newest[m], binary.BigEndian.Uint64(k[32:40]))
		}
		return nil
	})
	latest := c.tx.Bucket(bktMachLatest)
	for m := range newest {
		if latest.Get(m[:]) == nil {
			c.bad("machine %s has verdicts but no latest verdict", m)
		}
	}
	_ = latest.ForEach(func(k, v []byte) error {
		m := common.BytesToHash(k)
		raw := c.tx.Bucket(bktVerdicts).Get(v)
		if len(k) != 32 || raw == nil {
			c.bad("latest verdict of machine %x: verdict %x not stored", k, v)
			return nil
		}
		vd, err := DecodeVerdict(raw)
		if err != nil {
			return nil // reported by verdicts
		}
		if vd.MachineID != m || vd.IssuedAt != newest[m] {
			c.bad("latest verdict of machine %s is %s (machine %s, issued at %d), not its newest (issued at %d)",
				m, vd.Hash, vd.MachineID, vd.IssuedAt, newest[m])
		}
		return nil
	})
}

// signatures: every signature is 65 bytes, keyed by a stored verdict and a signer.
func (c *checker) signatures() {
	_ = c.tx.Bucket(bktSignatures).ForEach(func(k, v []byte) error {
		if len(k) != 52 {
			c.bad("signature key %x: %d bytes, want 52", k, len(k))
			return nil
		}
		if len(v) != 65 {
			c.bad("signature of %x over %x: %d bytes, want 65", k[32:], k[:32], len(v))
		}
		if c.tx.Bucket(bktVerdicts).Get(k[:32]) == nil {
			c.bad("signature of %x over %x: verdict not stored", k[32:], k[:32])
		}
		return nil
	})
}

// txs: every journalled transaction decodes, is filed under its sender and nonce,
// and is in the pending index exactly when pending.
func (c *checker) txs() {
	pend := c.tx.Bucket(bktTxPending)
	_ = c.tx.Bucket(bktTxs).ForEach(func(k, v []byte) error {
		t, err := DecodeTx(v)
		if err != nil {
			c.bad("tx %x: %v", k, err)
			return nil
		}
		if !bytes.Equal(k, txKey(t.From, t.Nonce)) {
			c.bad("tx under key %x is %s/%d", k, t.From, t.Nonce)
		}
		if (t.State == TxPending) != (pend.Get(k) != nil) {
			c.bad("tx %s/%d in state %s: pending index disagrees", t.From, t.Nonce, t.State)
		}
		// A pending transaction holds every verdict it carries (RecordAttempt);
		// a mined one may have released those its batch skipped.
		if t.State == TxPending {
			for _, h := range t.Refs {
				if !bytes.Equal(c.tx.Bucket(bktRefTx).Get(h[:]), k) {
					c.bad("verdict %s carried by pending tx %s/%d not indexed to it", h, t.From, t.Nonce)
				}
			}
		}
		return nil
	})
}

// verdictTxIndex: a verdict indexed to a transaction is carried by it, and the
// transaction is pending or confirmed successfully.
func (c *checker) verdictTxIndex() {
	_ = c.tx.Bucket(bktRefTx).ForEach(func(k, v []byte) error {
		raw := c.tx.Bucket(bktTxs).Get(v)
		if raw == nil {
			c.bad("verdict %x carried by missing tx %x", k, v)
			return nil
		}
		t, err := DecodeTx(raw)
		if err != nil {
			return nil // reported by txs
		}
		carried := false
		for _, h := range t.Refs {
			carried = carried || bytes.Equal(h[:], k)
		}
		live := t.State == TxPending || (t.State == TxConfirmed && t.Success)
		if !carried || !live {
			c.bad("verdict %x indexed to tx %s/%d (state %s) that does not carry it live", k, t.From, t.Nonce, t.State)
		}
		return nil
	})
}

// pendingIndex: every pending index entry has its transaction record.
func (c *checker) pendingIndex() {
	_ = c.tx.Bucket(bktTxPending).ForEach(func(k, _ []byte) error {
		if c.tx.Bucket(bktTxs).Get(k) == nil {
			c.bad("pending index %x without record", k)
		}
		return nil
	})
}
