package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	bolt "go.etcd.io/bbolt"
)

// TxState is where a journaled transaction is.
type TxState string

// Journaled transaction states.
const (
	// TxPending: signed and recorded; maybe broadcast; not known to be mined.
	TxPending TxState = "pending"
	// TxConfirmed: one attempt was mined with enough confirmations.
	TxConfirmed TxState = "confirmed"
	// TxDropped: no attempt can be mined any more (the nonce went to another
	// transaction, or the chain was reset below it); the work it carried is
	// handed back (its submissions return to signed).
	TxDropped TxState = "dropped"
)

// TxAttempt is one signed version of a transaction (same nonce, different fees).
type TxAttempt struct {
	Hash common.Hash `json:"hash"`
	Raw  []byte      `json:"raw"`
	At   time.Time   `json:"at"`
}

// Tx is the journal record of one nonce of one sender.
type Tx struct {
	From     common.Address `json:"from"`
	Nonce    uint64         `json:"nonce"`
	Refs     []common.Hash  `json:"refs"` // verdict hashes carried
	Attempts []TxAttempt    `json:"attempts"`
	State    TxState        `json:"state"`
	// Mined, Block and Success describe the attempt that was mined (TxConfirmed).
	Mined   common.Hash `json:"mined,omitempty"`
	Block   uint64      `json:"block,omitempty"`
	Success bool        `json:"success,omitempty"`
	// Retried: the mined attempt reverted for a reason that holds nothing against
	// the verdicts it carried, which went back to be published again (MarkReverted).
	Retried bool      `json:"retried,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	Updated time.Time `json:"updated"`
}

func (t *Tx) validate() error {
	switch {
	case t.State != TxPending && t.State != TxConfirmed && t.State != TxDropped:
		return fmt.Errorf("tx %s/%d: unknown state %q: %w", t.From, t.Nonce, t.State, ErrInvalid)
	case len(t.Attempts) == 0:
		return fmt.Errorf("tx %s/%d: no attempts: %w", t.From, t.Nonce, ErrInvalid)
	}
	for _, a := range t.Attempts {
		if crypto.Keccak256Hash(a.Raw) != a.Hash {
			return fmt.Errorf("tx %s/%d: attempt %s: raw bytes hash differently: %w", t.From, t.Nonce, a.Hash, ErrHashMismatch)
		}
	}
	return nil
}

func txKey(from common.Address, nonce uint64) []byte { return concat(from[:], u64(nonce)) }

func getTx(tx *bolt.Tx, from common.Address, nonce uint64) (*Tx, error) {
	v := tx.Bucket(bktTxs).Get(txKey(from, nonce))
	if v == nil {
		return nil, nil
	}
	t, err := DecodeTx(v)
	if err != nil {
		return nil, fmt.Errorf("tx %s/%d: %w", from, nonce, err)
	}
	return &t, nil
}

func putTx(tx *bolt.Tx, t *Tx) error {
	enc, err := encodeValue(t)
	if err != nil {
		return err
	}
	k := txKey(t.From, t.Nonce)
	if t.State == TxPending {
		err = tx.Bucket(bktTxPending).Put(k, nil)
	} else {
		err = tx.Bucket(bktTxPending).Delete(k)
	}
	if err != nil {
		return err
	}
	return tx.Bucket(bktTxs).Put(k, enc)
}

// RecordAttempt journals a signed transaction before it is broadcast (the
// transaction manager's Journal). rawTx is its binary encoding and txHash must be
// its hash. In the same commit, submissions whose verdict is among refs and that are
// signed move to submitted, so a restart never publishes them again under another
// nonce. Recording an attempt for a nonce whose record is confirmed or dropped means
// the chain was reset and the nonce is in use again: the old record moves to history.
func (s *Store) RecordAttempt(from common.Address, nonce uint64, txHash common.Hash, rawTx []byte, refs []common.Hash) error {
	if crypto.Keccak256Hash(rawTx) != txHash {
		return fmt.Errorf("record attempt %s/%d: raw tx does not hash to %s: %w", from, nonce, txHash, ErrHashMismatch)
	}
	now := s.now().UTC()
	return s.update(func(tx *bolt.Tx) error {
		t, err := getTx(tx, from, nonce)
		if err != nil {
			return err
		}
		if t != nil && t.State != TxPending {
			// The nonce is current again, so the chain that had this record is gone:
			// what it carried is no longer published there.
			if err := releaseRefs(tx, t); err != nil {
				return err
			}
			seq, err := tx.Bucket(bktTxHistory).NextSequence()
			if err != nil {
				return err
			}
			old, _ := encodeValue(t)
			if err := tx.Bucket(bktTxHistory).Put(concat(txKey(from, nonce), u64(seq)), old); err != nil {
				return err
			}
			t = nil
		}
		if t == nil {
			t = &Tx{From: from, Nonce: nonce, Refs: refs, State: TxPending}
			// The last line of defence against publishing twice: a verdict carried
			// by a pending or successfully mined transaction is not journaled
			// (and so never broadcast) in another one.
			rt := tx.Bucket(bktRefTx)
			for _, h := range refs {
				if cur := rt.Get(h[:]); cur != nil && !bytes.Equal(cur, txKey(from, nonce)) {
					return fmt.Errorf("record attempt %s/%d: verdict %s is carried by %s/%d: %w", from, nonce, h,
						common.BytesToAddress(cur[:20]), binary.BigEndian.Uint64(cur[20:]), ErrAlreadyPublished)
				}
				if err := rt.Put(h[:], txKey(from, nonce)); err != nil {
					return err
				}
			}
		} else if !sameHashes(t.Refs, refs) {
			return fmt.Errorf("record attempt %s/%d: refs differ from earlier attempts: %w", from, nonce, ErrExists)
		}
		for _, a := range t.Attempts {
			if a.Hash == txHash {
				return nil // already journaled: a retried call
			}
		}
		t.Attempts = append(t.Attempts, TxAttempt{Hash: txHash, Raw: bytes.Clone(rawTx), At: now})
		t.Updated = now
		if err := putTx(tx, t); err != nil {
			return err
		}
		n := nonce
		return s.forCarried(tx, refs, func(sub *Submission) error {
			if sub.State == StateSubmitted && sub.TxFrom == from && sub.TxNonce != nil && *sub.TxNonce == n {
				return nil
			}
			if sub.State != StateSigned {
				return nil // not ours to publish (still verifying, or done)
			}
			return s.transition(tx, sub, StateSubmitted, "", func(x *Submission) { x.TxFrom, x.TxNonce = from, &n })
		})
	})
}

// MarkConfirmed records that attempt txHash of (from, nonce) was mined in block with
// enough confirmations; success is the receipt status. Submissions it carried move
// to confirmed, or to failed when the transaction reverted.
func (s *Store) MarkConfirmed(from common.Address, nonce uint64, txHash common.Hash, block uint64, success bool) error {
	return s.MarkConfirmedOutcome(from, nonce, txHash, block, success, nil, nil)
}

// MarkConfirmedOutcome is MarkConfirmed for a transaction that did not apply all
// it carried: a carried submission whose verdict hash is in skipped moves to failed
// with that reason (the registry skipped the verdict); one in retry, which the
// transaction did not apply for a reason that holds nothing against the verdict
// (it ran short of gas before it), goes back to signed with its verdict and
// signatures, to be published again under a new nonce; the others as
// MarkConfirmed says. All in one commit.
func (s *Store) MarkConfirmedOutcome(from common.Address, nonce uint64, txHash common.Hash, block uint64, success bool, skipped, retry map[common.Hash]string) error {
	if !success {
		return s.MarkReverted(from, nonce, txHash, block, false, "")
	}
	return s.update(func(tx *bolt.Tx) error {
		t, done, err := s.settleMined(tx, from, nonce, txHash, block, true, "")
		if err != nil || done {
			return err
		}
		if err := putTx(tx, t); err != nil {
			return err
		}
		if len(skipped)+len(retry) > 0 {
			// A verdict the transaction did not apply is carried by nothing: it may be
			// pruned with its failed submission, or carried by a later transaction.
			unapplied := append(skippedRefs(t.Refs, skipped), skippedRefs(t.Refs, retry)...)
			if err := releaseRefs(tx, &Tx{From: t.From, Nonce: t.Nonce, Refs: unapplied}); err != nil {
				return err
			}
		}
		return s.forCarried(tx, t.Refs, func(sub *Submission) error {
			if !carriedBy(sub, from, nonce) {
				return nil
			}
			if reason, ok := retry[sub.VerdictHash]; ok {
				why := fmt.Sprintf("transaction %s did not apply the verdict: %s; the verdict is published again", txHash, reason)
				return s.transition(tx, sub, StateSigned, why, func(x *Submission) {
					x.TxFrom, x.TxNonce = common.Address{}, nil
				})
			}
			if reason, ok := skipped[sub.VerdictHash]; ok {
				return s.transition(tx, sub, StateFailed, fmt.Sprintf("transaction %s skipped the verdict: %s", txHash, reason), nil)
			}
			return s.transition(tx, sub, StateConfirmed, "", nil)
		})
	})
}

// MarkReverted records that attempt txHash of (from, nonce) was mined in block with
// enough confirmations and reverted, for reason when it is known. Submissions it
// carried move to failed, or, when retry says the revert holds nothing against
// their verdicts (the registry was paused, its oracle set changed, gas ran out as
// state changed between simulation and inclusion), back to signed with their
// verdicts and signatures, to be published again under a new nonce. Either way the
// transaction carries its verdicts no more, in the same commit.
func (s *Store) MarkReverted(from common.Address, nonce uint64, txHash common.Hash, block uint64, retry bool, reason string) error {
	return s.update(func(tx *bolt.Tx) error {
		t, done, err := s.settleMined(tx, from, nonce, txHash, block, false, reason)
		if err != nil || done {
			return err
		}
		t.Retried = retry
		if err := putTx(tx, t); err != nil {
			return err
		}
		if err := releaseRefs(tx, t); err != nil {
			return err
		}
		why := fmt.Sprintf("transaction %s reverted", txHash)
		if reason != "" {
			why += ": " + reason
		}
		return s.forCarried(tx, t.Refs, func(sub *Submission) error {
			if !carriedBy(sub, from, nonce) {
				return nil
			}
			if retry {
				return s.transition(tx, sub, StateSigned, why+"; the verdict is published again", func(x *Submission) {
					x.TxFrom, x.TxNonce = common.Address{}, nil
				})
			}
			return s.transition(tx, sub, StateFailed, why, nil)
		})
	})
}

// settleMined returns the pending record of (from, nonce) moved to confirmed with
// attempt txHash mined in block, for the caller to store. done reports a record
// already confirmed with that attempt: a retried call, with nothing more to do.
func (s *Store) settleMined(tx *bolt.Tx, from common.Address, nonce uint64, txHash common.Hash, block uint64, success bool, reason string) (*Tx, bool, error) {
	t, err := getTx(tx, from, nonce)
	if err != nil {
		return nil, false, err
	}
	if t == nil {
		return nil, false, fmt.Errorf("mark confirmed %s/%d: %w", from, nonce, ErrNotFound)
	}
	known := false
	for _, a := range t.Attempts {
		known = known || a.Hash == txHash
	}
	if !known {
		return nil, false, fmt.Errorf("mark confirmed %s/%d: %s is not a journaled attempt: %w", from, nonce, txHash, ErrInvalid)
	}
	if t.State == TxConfirmed && t.Mined == txHash {
		return t, true, nil
	}
	if t.State != TxPending {
		return nil, false, fmt.Errorf("mark confirmed %s/%d: state %s: %w", from, nonce, t.State, ErrBadTransition)
	}
	t.State, t.Mined, t.Block, t.Success, t.Reason, t.Updated = TxConfirmed, txHash, block, success, reason, s.now().UTC()
	return t, false, nil
}

// carriedBy reports whether sub is submitted in the journaled transaction (from, nonce).
func carriedBy(sub *Submission, from common.Address, nonce uint64) bool {
	return sub.State == StateSubmitted && sub.TxFrom == from && sub.TxNonce != nil && *sub.TxNonce == nonce
}

// MarkDropped records that no attempt of (from, nonce) can be mined any more.
// Submissions it carried go back to signed, to be published again.
func (s *Store) MarkDropped(from common.Address, nonce uint64, reason string) error {
	return s.update(func(tx *bolt.Tx) error {
		t, err := getTx(tx, from, nonce)
		if err != nil {
			return err
		}
		if t == nil {
			return fmt.Errorf("mark dropped %s/%d: %w", from, nonce, ErrNotFound)
		}
		if t.State == TxDropped {
			return nil
		}
		if t.State != TxPending {
			return fmt.Errorf("mark dropped %s/%d: state %s: %w", from, nonce, t.State, ErrBadTransition)
		}
		t.State, t.Reason, t.Updated = TxDropped, reason, s.now().UTC()
		if err := putTx(tx, t); err != nil {
			return err
		}
		if err := releaseRefs(tx, t); err != nil {
			return err
		}
		return s.forCarried(tx, t.Refs, func(sub *Submission) error {
			if !carriedBy(sub, from, nonce) {
				return nil
			}
			return s.transition(tx, sub, StateSigned, "transaction dropped: "+reason, func(x *Submission) {
				x.TxFrom, x.TxNonce = common.Address{}, nil
			})
		})
	})
}

// PendingAttempts calls fn for each pending journaled transaction of from, lowest
// nonce first, with its refs and every attempt's raw bytes (oldest first). The
// transaction manager uses it on start to re-broadcast or settle them before it
// uses a new nonce.
func (s *Store) PendingAttempts(from common.Address, fn func(nonce uint64, refs []common.Hash, rawTxs [][]byte) error) error {
	var pending []Tx
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bktTxPending).Cursor()
		for k, _ := c.Seek(from[:]); k != nil && bytes.HasPrefix(k, from[:]); k, _ = c.Next() {
			t, err := getTx(tx, from, binary.BigEndian.Uint64(k[20:]))
			if err != nil {
				return err
			}
			if t == nil {
				return fmt.Errorf("pending index %x without record: %w", k, ErrCorrupt)
			}
			pending = append(pending, *t)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pending attempts of %s: %w", from, err)
	}
	// fn runs outside the read transaction so it may write to the journal.
	for _, t := range pending {
		raws := make([][]byte, len(t.Attempts))
		for i, a := range t.Attempts {
			raws[i] = a.Raw
		}
		if err := fn(t.Nonce, t.Refs, raws); err != nil {
			return err
		}
	}
	return nil
}

// Tx returns the journal record of (from, nonce), or ErrNotFound.
func (s *Store) Tx(from common.Address, nonce uint64) (Tx, error) {
	var out Tx
	err := s.view(func(tx *bolt.Tx) error {
		t, err := getTx(tx, from, nonce)
		if err != nil {
			return err
		}
		if t == nil {
			return fmt.Errorf("tx %s/%d: %w", from, nonce, ErrNotFound)
		}
		out = *t
		return nil
	})
	return out, err
}

// releaseRefs frees the verdicts of a transaction that will never publish them
// (dropped or reverted), so another transaction may carry them.
func releaseRefs(tx *bolt.Tx, t *Tx) error {
	rt := tx.Bucket(bktRefTx)
	for _, h := range t.Refs {
		if bytes.Equal(rt.Get(h[:]), txKey(t.From, t.Nonce)) {
			if err := rt.Delete(h[:]); err != nil {
				return err
			}
		}
	}
	return nil
}

// skippedRefs returns the refs that skipped names.
func skippedRefs(refs []common.Hash, skipped map[common.Hash]string) []common.Hash {
	var out []common.Hash
	for _, h := range refs {
		if _, ok := skipped[h]; ok {
			out = append(out, h)
		}
	}
	return out
}

// forCarried calls fn for every submission whose verdict is among refs.
func (s *Store) forCarried(tx *bolt.Tx, refs []common.Hash, fn func(*Submission) error) error {
	for _, h := range refs {
		subs, err := subsForVerdict(tx, h)
		if err != nil {
			return err
		}
		for i := range subs {
			if err := fn(&subs[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func sameHashes(a, b []common.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
