package store

import (
	"bytes"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
)

// Verdict is a verdict as the store keeps it: its EIP-712 hash, the fields the store
// indexes by, and the verdict itself in the verdict package's JSON form. The store
// cannot recompute the EIP-712 hash (it needs the domain); the verdict package does
// that before calling.
type Verdict struct {
	Hash      common.Hash `json:"hash"`
	MachineID common.Hash `json:"machine_id"`
	// IssuedAt is the verdict's issuedAt (unix seconds); the latest verdict of a
	// machine is the one with the greatest IssuedAt.
	IssuedAt uint64 `json:"issued_at"`
	// Body is the verdict's JSON encoding, served to relayers and auditors as is.
	Body     []byte    `json:"body"`
	StoredAt time.Time `json:"stored_at"`
}

func (v *Verdict) validate() error {
	switch {
	case v.Hash == (common.Hash{}):
		return fmt.Errorf("verdict: zero hash: %w", ErrInvalid)
	case v.MachineID == (common.Hash{}):
		return fmt.Errorf("verdict %s: zero machine id: %w", v.Hash, ErrInvalid)
	case len(v.Body) == 0:
		return fmt.Errorf("verdict %s: empty body: %w", v.Hash, ErrInvalid)
	}
	return nil
}

// PutVerdict stores a verdict that no submission produced (a re-appraisal after a
// collateral change, or one fetched from a peer). Storing the same hash twice is a
// no-op; the same hash with different content is ErrExists.
func (s *Store) PutVerdict(v Verdict) error {
	return s.update(func(tx *bolt.Tx) error { return s.putVerdict(tx, &v) })
}

func (s *Store) putVerdict(tx *bolt.Tx, v *Verdict) error {
	b := tx.Bucket(bktVerdicts)
	if old := b.Get(v.Hash[:]); old != nil {
		prev, err := DecodeVerdict(old)
		if err != nil {
			return fmt.Errorf("verdict %s: %w", v.Hash, err)
		}
		if prev.MachineID != v.MachineID || prev.IssuedAt != v.IssuedAt || !bytes.Equal(prev.Body, v.Body) {
			return fmt.Errorf("verdict %s: stored with other content: %w", v.Hash, ErrExists)
		}
		*v = prev
		return nil
	}
	v.StoredAt = s.now().UTC()
	enc, err := encodeValue(v)
	if err != nil {
		return err
	}
	if err := b.Put(v.Hash[:], enc); err != nil {
		return err
	}
	if err := tx.Bucket(bktMachHistory).Put(concat(v.MachineID[:], u64(v.IssuedAt), v.Hash[:]), nil); err != nil {
		return err
	}
	latest := tx.Bucket(bktMachLatest)
	if cur := latest.Get(v.MachineID[:]); cur != nil {
		curV, err := DecodeVerdict(b.Get(cur))
		if err != nil {
			return fmt.Errorf("latest verdict of machine %s: verdict %x: %w", v.MachineID, cur, err)
		}
		if curV.IssuedAt > v.IssuedAt {
			return nil
		}
	}
	return latest.Put(v.MachineID[:], v.Hash[:])
}

// Verdict returns the verdict with hash h, or ErrNotFound.
func (s *Store) Verdict(h common.Hash) (Verdict, error) {
	var v Verdict
	err := s.view(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bktVerdicts).Get(h[:])
		if raw == nil {
			return fmt.Errorf("verdict %s: %w", h, ErrNotFound)
		}
		var err error
		if v, err = DecodeVerdict(raw); err != nil {
			return fmt.Errorf("verdict %s: %w", h, err)
		}
		return nil
	})
	return v, err
}

// LatestVerdict returns the most recently issued verdict for a machine.
func (s *Store) LatestVerdict(machineID common.Hash) (Verdict, error) {
	var v Verdict
	err := s.view(func(tx *bolt.Tx) error {
		h := tx.Bucket(bktMachLatest).Get(machineID[:])
		if h == nil {
			return fmt.Errorf("latest verdict of machine %s: %w", machineID, ErrNotFound)
		}
		raw := tx.Bucket(bktVerdicts).Get(h)
		if raw == nil {
			return fmt.Errorf("latest verdict of machine %s: verdict %x not stored: %w", machineID, h, ErrCorrupt)
		}
		var err error
		if v, err = DecodeVerdict(raw); err != nil {
			return fmt.Errorf("latest verdict of machine %s: verdict %x: %w", machineID, h, err)
		}
		return nil
	})
	return v, err
}

// VerdictsIssuedAt returns the stored verdicts of a machine issued at issuedAt.
func (s *Store) VerdictsIssuedAt(machineID common.Hash, issuedAt uint64) ([]Verdict, error) {
	var out []Verdict
	err := s.view(func(tx *bolt.Tx) error {
		prefix := concat(machineID[:], u64(issuedAt))
		c := tx.Bucket(bktMachHistory).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			v, err := DecodeVerdict(tx.Bucket(bktVerdicts).Get(k[40:]))
			if err != nil {
				return fmt.Errorf("verdict %x of machine %s: %w", k[40:], machineID, err)
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// MachineVerdicts returns every stored verdict hash of a machine, oldest first.
func (s *Store) MachineVerdicts(machineID common.Hash) ([]common.Hash, error) {
	var out []common.Hash
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bktMachHistory).Cursor()
		for k, _ := c.Seek(machineID[:]); k != nil && bytes.HasPrefix(k, machineID[:]); k, _ = c.Next() {
			out = append(out, common.BytesToHash(k[40:]))
		}
		return nil
	})
	return out, err
}

// PutSignature stores an oracle's signature over a verdict hash. The caller has
// checked it recovers to signer. The first signature stored for a signer stays (an
// ECDSA signer can produce several valid ones); storing again is a no-op.
func (s *Store) PutSignature(verdictHash common.Hash, signer common.Address, sig []byte) error {
	if len(sig) != 65 {
		return fmt.Errorf("signature of %s over %s: %d bytes, want 65: %w", signer, verdictHash, len(sig), ErrInvalid)
	}
	k := concat(verdictHash[:], signer[:])
	// A signature held already (a peer answering again) costs a read, not a commit.
	held := false
	if err := s.view(func(tx *bolt.Tx) error { held = tx.Bucket(bktSignatures).Get(k) != nil; return nil }); err != nil || held {
		return err
	}
	wrote := false
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktSignatures)
		if b.Get(k) != nil {
			return nil
		}
		wrote = true
		return b.Put(k, bytes.Clone(sig))
	})
	if err == nil && wrote {
		s.signed(verdictHash)
	}
	return err
}

// WatchSignatures has fn called with a verdict's hash after each commit that
// stored a new signature over it (PutSignature, RecordDecision), so that what was
// derived from a verdict's signatures can be dropped when they change. fn must not
// block or use the store; a later call replaces it.
func (s *Store) WatchSignatures(fn func(common.Hash)) { s.sigWatch.Store(&fn) }

func (s *Store) signed(h common.Hash) {
	if fn := s.sigWatch.Load(); fn != nil && *fn != nil {
		(*fn)(h)
	}
}

// Signature returns the stored signature of signer over verdictHash, or
// ErrNotFound: one read where Signatures reads them all.
func (s *Store) Signature(verdictHash common.Hash, signer common.Address) ([]byte, error) {
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bktSignatures).Get(concat(verdictHash[:], signer[:])); v != nil {
			out = bytes.Clone(v)
			return nil
		}
		return fmt.Errorf("signature of %s over %s: %w", signer, verdictHash, ErrNotFound)
	})
	return out, err
}

// Signatures returns every stored signature over verdictHash by signer.
func (s *Store) Signatures(verdictHash common.Hash) (map[common.Address][]byte, error) {
	out := map[common.Address][]byte{}
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bktSignatures).Cursor()
		for k, v := c.Seek(verdictHash[:]); k != nil && bytes.HasPrefix(k, verdictHash[:]); k, v = c.Next() {
			out[common.BytesToAddress(k[32:])] = bytes.Clone(v)
		}
		return nil
	})
	return out, err
}
