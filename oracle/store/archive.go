package store

import (
	"bytes"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
)

// Archive puts are idempotent and keyed by the content's hash, computed here, so a
// caller cannot file content under a name it does not have. Reads re-hash the bytes,
// so a damaged file is reported as ErrCorrupt instead of being served for an audit.

// PutEvidence archives evidence bytes and returns their hash (Options.EvidenceHash).
func (s *Store) PutEvidence(data []byte) (common.Hash, error) {
	return s.putArchived(bktEvidence, s.evidenceH, data)
}

// Evidence returns the archived evidence with hash h, or ErrNotFound.
func (s *Store) Evidence(h common.Hash) ([]byte, error) {
	return s.getArchived(bktEvidence, s.evidenceH, h)
}

// PutCollateral archives a collateral item (certificate, CRL, TCB Info, QE Identity)
// and returns its hash (Options.CollateralHash).
func (s *Store) PutCollateral(data []byte) (common.Hash, error) {
	return s.putArchived(bktCollateral, s.collateralH, data)
}

// HashCollateral returns the hash PutCollateral and RecordDecision file data under,
// without writing anything.
func (s *Store) HashCollateral(data []byte) (common.Hash, error) {
	if len(data) == 0 {
		return common.Hash{}, fmt.Errorf("hash collateral: empty content: %w", ErrInvalid)
	}
	return s.collateralH(data)
}

// Collateral returns the archived collateral with hash h, or ErrNotFound.
func (s *Store) Collateral(h common.Hash) ([]byte, error) {
	return s.getArchived(bktCollateral, s.collateralH, h)
}

// PutPolicy archives a policy document and returns its hash (Options.PolicyHash).
func (s *Store) PutPolicy(data []byte) (common.Hash, error) {
	return s.putArchived(bktPolicies, s.policyH, data)
}

// Policy returns the archived policy with hash h, or ErrNotFound.
func (s *Store) Policy(h common.Hash) ([]byte, error) {
	return s.getArchived(bktPolicies, s.policyH, h)
}

// VerifyHash checks that data hashes to want under the archive's hash function for
// kind "evidence", "collateral" or "policy"; it returns ErrHashMismatch otherwise.
// The API uses it to reject content offered under a claimed hash.
func (s *Store) VerifyHash(kind string, want common.Hash, data []byte) error {
	var hf HashFunc
	switch kind {
	case "evidence":
		hf = s.evidenceH
	case "collateral":
		hf = s.collateralH
	case "policy":
		hf = s.policyH
	default:
		return fmt.Errorf("verify hash: unknown archive %q: %w", kind, ErrInvalid)
	}
	got, err := hf(data)
	if err != nil {
		return fmt.Errorf("verify %s hash: %w", kind, err)
	}
	if got != want {
		return fmt.Errorf("%s hashes to %s, not %s: %w", kind, got, want, ErrHashMismatch)
	}
	return nil
}

func (s *Store) putArchived(bkt []byte, hf HashFunc, data []byte) (common.Hash, error) {
	if len(data) == 0 {
		return common.Hash{}, fmt.Errorf("archive %s: empty content: %w", bkt, ErrInvalid)
	}
	h, err := hf(data)
	if err != nil {
		return common.Hash{}, fmt.Errorf("archive %s: hash: %w", bkt, err)
	}
	err = s.update(func(tx *bolt.Tx) error { return putArchive(tx.Bucket(bkt), h, data) })
	if err != nil {
		return common.Hash{}, fmt.Errorf("archive %s %s: %w", bkt, h, err)
	}
	return h, nil
}

// putArchive stores data under h unless something is there already. With a
// canonical hash function two different byte strings can share a hash (the same
// evidence re-encoded); the first one stays.
func putArchive(b *bolt.Bucket, h common.Hash, data []byte) error {
	if b.Get(h[:]) != nil {
		return nil
	}
	return b.Put(h[:], bytes.Clone(data))
}

func (s *Store) getArchived(bkt []byte, hf HashFunc, h common.Hash) ([]byte, error) {
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bkt).Get(h[:])
		if v == nil {
			return fmt.Errorf("%s %s: %w", bkt, h, ErrNotFound)
		}
		out = bytes.Clone(v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	got, err := hf(out)
	if err != nil || got != h {
		return nil, fmt.Errorf("%s %s: stored bytes hash to %s (%v): %w", bkt, h, got, err, ErrCorrupt)
	}
	return out, nil
}
