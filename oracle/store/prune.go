package store

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
)

// PruneOptions says which failed submissions PruneFailed deletes and what goes
// with them.
type PruneOptions struct {
	// Before: failed submissions last updated before this time are deleted.
	Before time.Time
	// Max bounds the submissions deleted in one call; 0 means 1000.
	Max int
	// Meta, when set, returns the metadata keys that belong to a submission, deleted
	// with it. A key whose value is non-nil is deleted only while it still holds
	// that value (an index that a newer submission may have taken over).
	Meta func(Submission) map[string][]byte
	// VerdictMeta, when set, returns the metadata keys that belong to a verdict
	// (its audit record), deleted with the verdict.
	VerdictMeta func(h common.Hash) []string
	// Published, when set, is asked whether verdict h, which pruning a failed
	// submission would delete, is on-chain all the same: a peer may publish it
	// with this node's signature after this node gave up on it (its quorum timed
	// out here first). It is called outside any transaction, at most once per
	// verdict and call. True confirms the failed submissions carrying h instead of
	// deleting them (failed -> confirmed, PublishedReason), so the verdict, its
	// signatures, evidence and metadata stay; an error keeps them for a later call
	// (PruneStats.Held).
	Published func(h common.Hash) (bool, error)
}

// PublishedReason is the reason PruneFailed records when it confirms a failed
// submission whose verdict PruneOptions.Published found on-chain.
const PublishedReason = "verdict found on-chain when pruning: published by another relayer after this node failed it"

// PruneStats says what PruneFailed deleted.
type PruneStats struct {
	Submissions int
	// Evidence items and their bytes: only evidence no kept submission refers to.
	Evidence      int
	EvidenceBytes int64
	// Verdicts that no kept submission refers to, with their signatures.
	Verdicts int
	// Confirmed: failed submissions confirmed instead, their verdict on-chain
	// (PruneOptions.Published).
	Confirmed int
	// Held: failed submissions left for a later call because Published failed.
	// They are among the first candidates of the next call again: a caller that
	// calls again at once for More should wait when some were held.
	Held int
	// More: Max was reached; call again for the rest.
	More bool
}

// PruneFailed deletes failed submissions last updated before o.Before, with their
// metadata, the evidence no other submission refers to, and the verdicts no other
// submission carries (with their signatures and history entries; a machine's
// latest verdict falls back to its newest remaining one). Evidence and verdicts of
// submissions that are confirmed or still in progress are never deleted; a failed
// submission whose verdict is on-chain all the same (o.Published) is confirmed,
// not deleted. So what a published or publishable verdict references stays.
//
// The submissions are read and decoded in one read transaction, which writers do
// not wait for (it begins after the write in progress, if any, has committed); the deletions are made in write transactions of at most
// pruneBatch submissions each, so writers wait for one short batch at most. A
// submission written meanwhile keeps its evidence (the evidence it names is
// watched from the scan on) and its verdict (the verdict index is read in each
// batch), and a submission that is no longer failed and old is left.
func (s *Store) PruneFailed(o PruneOptions) (PruneStats, error) {
	limit := o.Max
	if limit <= 0 {
		limit = 1000
	}
	s.refs.start()
	defer s.refs.stop()
	// A write that noted its evidence before the watch began may not have
	// committed yet (a group commit in progress): the scan starts after it, so it
	// sees that submission.
	if err := s.waitForWriter(); err != nil {
		return PruneStats{}, fmt.Errorf("prune failed submissions: %w", err)
	}
	var c *pruneSet
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		c, err = pruneCandidates(tx, o.Before, limit)
		return err
	})
	if err != nil {
		return PruneStats{}, fmt.Errorf("prune failed submissions: %w", err)
	}
	st := PruneStats{More: c.more}
	if o.Published != nil {
		if err := s.askPublished(o.Published, c, &st); err != nil {
			return PruneStats{}, fmt.Errorf("prune failed submissions: %w", err)
		}
	}
	for len(c.drop) > 0 {
		batch := c.drop[:min(len(c.drop), pruneBatch)]
		c.drop = c.drop[len(batch):]
		var bst PruneStats
		err := s.update(func(tx *bolt.Tx) error {
			s.refs.keep(c.keepEv)
			for _, sub := range batch {
				cur, err := getSubmission(tx, sub.ID)
				if errors.Is(err, ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				if cur.State != StateFailed || !cur.UpdatedAt.Before(o.Before) {
					continue
				}
				if c.published[cur.VerdictHash] {
					bst.Confirmed++
					if err := s.confirmPublished(tx, &cur); err != nil {
						return err
					}
					continue
				}
				if err := s.pruneSubmission(tx, cur, o, c, &bst); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return st, fmt.Errorf("prune failed submissions: %w", err)
		}
		st.Submissions, st.Evidence, st.EvidenceBytes, st.Verdicts = st.Submissions+bst.Submissions,
			st.Evidence+bst.Evidence, st.EvidenceBytes+bst.EvidenceBytes, st.Verdicts+bst.Verdicts
		st.Confirmed += bst.Confirmed
		if s.pruneBatchDone != nil {
			s.pruneBatchDone()
		}
	}
	return st, nil
}

// askPublished asks published about each stored verdict the submissions of c.drop
// carry that nothing else keeps, once per verdict. The submissions of a verdict
// found on-chain stay in c.drop, to be confirmed (c.published), and keep their
// evidence and verdict; those of a verdict the question failed for leave c.drop
// and keep theirs (st.Held).
func (s *Store) askPublished(published func(common.Hash) (bool, error), c *pruneSet, st *PruneStats) error {
	stored := map[common.Hash]bool{}
	err := s.view(func(tx *bolt.Tx) error {
		for _, sub := range c.drop {
			h := sub.VerdictHash
			if h != (common.Hash{}) && !c.keepVerd[h] && tx.Bucket(bktVerdicts).Get(h[:]) != nil && !s.refTx(tx, h) {
				stored[h] = true
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	held := map[common.Hash]bool{}
	for h := range stored {
		on, err := published(h)
		switch {
		case err != nil:
			held[h] = true
		case on:
			c.published[h] = true
		}
	}
	drop := c.drop[:0:0]
	for _, sub := range c.drop {
		h := sub.VerdictHash
		if !held[h] && !c.published[h] {
			drop = append(drop, sub)
			continue
		}
		c.keepEv[sub.EvidenceHash] = true
		c.keepVerd[h] = true
		if held[h] {
			st.Held++
			continue
		}
		drop = append(drop, sub)
	}
	c.drop = drop
	return nil
}

// confirmPublished moves failed submission sub to confirmed in tx: its verdict
// is on-chain, published by another relayer (PruneOptions.Published). It is the
// one way out of the failed state, outside the state machine (CanTransition):
// only a verdict found on-chain takes it.
func (s *Store) confirmPublished(tx *bolt.Tx, sub *Submission) error {
	prev := *sub
	now := s.now().UTC()
	sub.State, sub.UpdatedAt, sub.Reason, sub.Waiting = StateConfirmed, now, PublishedReason, ""
	sub.EvidenceFault = false // it did not fail after all
	sub.History = append(sub.History[:len(sub.History):len(sub.History)], StateChange{State: StateConfirmed, At: now, Reason: PublishedReason})
	return putSubmission(tx, &prev, sub)
}

// waitForWriter returns once the write transaction in progress, if any, has ended:
// it takes the write lock and lets it go without writing (no commit, no fsync).
func (s *Store) waitForWriter() error {
	tx, err := s.db.Begin(true)
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	if err != nil {
		return err
	}
	return tx.Rollback()
}

// pruneBatch bounds the submissions PruneFailed deletes in one write transaction.
const pruneBatch = 64

// evidenceRefs records the evidence hashes that submissions written while
// PruneFailed runs refer to, so that it keeps that evidence although its scan did
// not see them.
type evidenceRefs struct {
	mu       sync.Mutex
	watchers int
	seen     map[common.Hash]bool
}

func (r *evidenceRefs) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.watchers++; r.seen == nil {
		r.seen = map[common.Hash]bool{}
	}
}

func (r *evidenceRefs) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.watchers--; r.watchers == 0 {
		r.seen = nil
	}
}

// note records that a submission being written refers to evidence h.
func (r *evidenceRefs) note(h common.Hash) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.watchers > 0 {
		r.seen[h] = true
	}
}

// keep adds the evidence noted so far to keep.
func (r *evidenceRefs) keep(keep map[common.Hash]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for h := range r.seen {
		keep[h] = true
	}
}

// pruneSet is one pass's work: the submissions to drop, and the evidence and
// verdicts the others still refer to.
type pruneSet struct {
	drop     []Submission
	keepEv   map[common.Hash]bool
	keepVerd map[common.Hash]bool
	// published: verdicts found on-chain; their failed submissions are confirmed.
	published map[common.Hash]bool
	more      bool // failed submissions old enough were left for the next pass
}

// pruneCandidates reads every submission: up to limit failed before `before` are
// dropped; every other one keeps its evidence and verdict.
func pruneCandidates(tx *bolt.Tx, before time.Time, limit int) (*pruneSet, error) {
	c := &pruneSet{keepEv: map[common.Hash]bool{}, keepVerd: map[common.Hash]bool{}, published: map[common.Hash]bool{}}
	err := tx.Bucket(bktSubmissions).ForEach(func(k, v []byte) error {
		sub, err := DecodeSubmission(v)
		if err != nil {
			return fmt.Errorf("submission %q: %w", k, err)
		}
		old := sub.State == StateFailed && sub.UpdatedAt.Before(before)
		if old && len(c.drop) < limit {
			c.drop = append(c.drop, sub)
			return nil
		}
		c.more = c.more || old
		c.keepEv[sub.EvidenceHash] = true
		if sub.VerdictHash != (common.Hash{}) {
			c.keepVerd[sub.VerdictHash] = true
		}
		return nil
	})
	return c, err
}

// pruneSubmission deletes one failed submission with its metadata, and its
// evidence and verdict when nothing kept refers to them.
func (s *Store) pruneSubmission(tx *bolt.Tx, sub Submission, o PruneOptions, c *pruneSet, st *PruneStats) error {
	if err := tx.Bucket(bktSubmissions).Delete([]byte(sub.ID)); err != nil {
		return err
	}
	st.Submissions++
	if k := failedKey(&sub); k != nil {
		if err := tx.Bucket(bktMachFailed).Delete(k); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bktMeta)
	if o.Meta != nil {
		for k, want := range o.Meta(sub) {
			if want != nil && !bytes.Equal(meta.Get([]byte(k)), want) {
				continue
			}
			if err := meta.Delete([]byte(k)); err != nil {
				return err
			}
		}
	}
	if evs := tx.Bucket(bktEvidence); !c.keepEv[sub.EvidenceHash] {
		if v := evs.Get(sub.EvidenceHash[:]); v != nil {
			st.Evidence++
			st.EvidenceBytes += int64(len(v))
			if err := evs.Delete(sub.EvidenceHash[:]); err != nil {
				return err
			}
		}
	}
	h := sub.VerdictHash
	if h == (common.Hash{}) {
		return nil
	}
	if err := tx.Bucket(bktSubsByVerd).Delete(concat(h[:], []byte(sub.ID))); err != nil {
		return err
	}
	if c.keepVerd[h] || s.refTx(tx, h) || hasSubsForVerdict(tx, h) {
		return nil
	}
	deleted, err := s.deleteVerdict(tx, h)
	if err != nil {
		return err
	}
	c.keepVerd[h] = true // deleted once
	if !deleted {
		return nil
	}
	st.Verdicts++
	if o.VerdictMeta != nil {
		for _, k := range o.VerdictMeta(h) {
			if err := meta.Delete([]byte(k)); err != nil {
				return err
			}
		}
	}
	return nil
}

// hasSubsForVerdict reports whether any submission carries verdict h (the index,
// which a submission written after PruneFailed's scan is in).
func hasSubsForVerdict(tx *bolt.Tx, h common.Hash) bool {
	k, _ := tx.Bucket(bktSubsByVerd).Cursor().Seek(h[:])
	return k != nil && bytes.HasPrefix(k, h[:])
}

// refTx reports whether a live journaled transaction carries verdict h.
func (s *Store) refTx(tx *bolt.Tx, h common.Hash) bool {
	return tx.Bucket(bktRefTx).Get(h[:]) != nil
}

// deleteVerdict removes verdict h, its signatures and history entry, and moves the
// machine's latest pointer to its newest remaining verdict.
func (s *Store) deleteVerdict(tx *bolt.Tx, h common.Hash) (bool, error) {
	vb := tx.Bucket(bktVerdicts)
	raw := vb.Get(h[:])
	if raw == nil {
		return false, nil
	}
	v, err := DecodeVerdict(raw)
	if err != nil {
		return false, fmt.Errorf("verdict %s: %w", h, err)
	}
	if err := vb.Delete(h[:]); err != nil {
		return false, err
	}
	hist := tx.Bucket(bktMachHistory)
	if err := hist.Delete(concat(v.MachineID[:], u64(v.IssuedAt), h[:])); err != nil {
		return false, err
	}
	sigs := tx.Bucket(bktSignatures)
	var keys [][]byte
	c := sigs.Cursor()
	for k, _ := c.Seek(h[:]); k != nil && bytes.HasPrefix(k, h[:]); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := sigs.Delete(k); err != nil {
			return false, err
		}
	}
	latest := tx.Bucket(bktMachLatest)
	if cur := latest.Get(v.MachineID[:]); cur != nil && bytes.Equal(cur, h[:]) {
		// The history is ordered by issued-at: its last entry for the machine is the
		// newest verdict left.
		var newest []byte
		hc := hist.Cursor()
		for k, _ := hc.Seek(v.MachineID[:]); k != nil && bytes.HasPrefix(k, v.MachineID[:]); k, _ = hc.Next() {
			newest = k[40:]
		}
		if newest == nil {
			err = latest.Delete(v.MachineID[:])
		} else {
			err = latest.Put(v.MachineID[:], bytes.Clone(newest))
		}
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

// ArchiveSize is the size of one archive of the store.
type ArchiveSize struct {
	Entries int
	Bytes   int64
}

// ArchiveSizes returns the entries and value bytes of the evidence, collateral and
// policy archives, keyed "evidence", "collateral", "policy".
func (s *Store) ArchiveSizes() (map[string]ArchiveSize, error) {
	out := map[string]ArchiveSize{}
	err := s.view(func(tx *bolt.Tx) error {
		for name, b := range map[string][]byte{"evidence": bktEvidence, "collateral": bktCollateral, "policy": bktPolicies} {
			var sz ArchiveSize
			if err := tx.Bucket(b).ForEach(func(_, v []byte) error {
				sz.Entries++
				sz.Bytes += int64(len(v))
				return nil
			}); err != nil {
				return err
			}
			out[name] = sz
		}
		return nil
	})
	return out, err
}
