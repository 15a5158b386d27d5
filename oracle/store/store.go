// Package store is the oracle node's durable state: the submission work queue, the
// archive of evidence, collateral and policies by content hash, verdicts and their
// oracle signatures, the transaction journal of the publisher, and a little node
// metadata. It is one bbolt file: every method that changes state returns only after
// its transaction is committed and fsynced, so whatever a caller acknowledges to the
// outside world survives a crash or kill -9 (see docs/store.md).
package store

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
)

// Sentinel errors. Methods wrap them with %w and name the key involved, so callers
// test with errors.Is.
var (
	// ErrNotFound means no record exists under the requested key.
	ErrNotFound = errors.New("not found")
	// ErrExists means a record with the same identity exists with different content.
	ErrExists = errors.New("already exists")
	// ErrBadTransition means a state change the state machine does not allow, such as
	// confirmed -> received.
	ErrBadTransition = errors.New("state transition not allowed")
	// ErrHashMismatch means content did not hash to the key it was offered under.
	ErrHashMismatch = errors.New("content hash mismatch")
	// ErrCorrupt means a stored value could not be decoded or an index disagrees with
	// the records it indexes.
	ErrCorrupt = errors.New("store corrupt")
	// ErrInvalid means an argument was malformed (empty id, zero hash, bad state).
	ErrInvalid = errors.New("invalid argument")
	// ErrNoWork is returned by Claim when no submission is waiting in the asked state.
	ErrNoWork = errors.New("no work available")
	// ErrAlreadyPublished means a transaction journaled for a verdict that another
	// pending or successfully mined transaction already carries.
	ErrAlreadyPublished = errors.New("verdict already carried by another transaction")
	// ErrClosed is returned by every method after Close.
	ErrClosed = errors.New("store closed")
	// ErrLocked is returned by Open when another process (a running node, or an
	// audit of the file) holds the database file's lock past Options.LockTimeout.
	ErrLocked = errors.New("database is in use by another process (a running teeoracle serve?); stop it, or audit a copy of the file or through the node's API")
)

// Bucket names. They are part of the file format: renaming one is a migration.
var (
	bktSubmissions = []byte("submissions")     // id -> Submission
	bktQueue       = []byte("queue")           // state(1, | 0x80 when parked) | received-at(8) | id -> 0, or not-before(8) when parked
	bktSubsByVerd  = []byte("subs_by_verdict") // verdict hash(32) | id -> empty
	bktEvidence    = []byte("evidence")        // hash -> raw bytes
	bktCollateral  = []byte("collateral")      // hash -> raw bytes
	bktPolicies    = []byte("policies")        // hash -> raw bytes
	bktVerdicts    = []byte("verdicts")        // verdict hash -> Verdict
	bktMachLatest  = []byte("machine_latest")  // machine id -> verdict hash
	bktMachHistory = []byte("machine_history") // machine id(32) | issued-at(8) | verdict hash(32) -> empty
	bktSignatures  = []byte("signatures")      // verdict hash(32) | signer(20) -> signature
	bktTxs         = []byte("txs")             // from(20) | nonce(8) -> Tx
	bktTxPending   = []byte("txs_pending")     // from(20) | nonce(8) -> empty
	bktTxHistory   = []byte("txs_history")     // from(20) | nonce(8) | seq(8) -> Tx (superseded after a chain reset)
	bktMeta        = []byte("meta")            // key -> value
	bktRefTx       = []byte("ref_tx")          // verdict hash -> from(20) | nonce(8) of the live tx carrying it
	// machine id(32) | failed-at(8) | id -> empty, for every submission failed for
	// its evidence (Submission.EvidenceFault; see MachineFailures). Created and
	// filled by Open in a store written before it (indexMachineFailures).
	bktMachFailed = []byte("machine_failed")
)

var allBuckets = [][]byte{bktSubmissions, bktQueue, bktSubsByVerd, bktEvidence, bktCollateral,
	bktPolicies, bktVerdicts, bktMachLatest, bktMachHistory, bktSignatures, bktTxs, bktTxPending,
	bktTxHistory, bktMeta, bktRefTx}

// HashFunc names archived content. It returns an error when the content cannot be
// hashed (for example evidence that does not decode, when the hash is canonical over
// the decoded form).
type HashFunc func(data []byte) (common.Hash, error)

// SHA256 is the default HashFunc: the SHA-256 of the bytes as given, which is how
// appraisals name collateral (appraise.CollateralRef).
func SHA256(data []byte) (common.Hash, error) { return sha256.Sum256(data), nil }

// Options tunes Open. The zero value is usable.
type Options struct {
	// EvidenceHash names archived evidence; nil means SHA256. Set it to the evidence
	// package's canonical hash so the archive key equals a verdict's evidenceHash.
	EvidenceHash HashFunc
	// CollateralHash names archived collateral; nil means SHA256.
	CollateralHash HashFunc
	// PolicyHash names archived policies; nil means SHA256. Set it to the policy
	// package's canonical hash so the key equals the on-chain policy hash.
	PolicyHash HashFunc
	// Now is the clock for record timestamps; nil means time.Now.
	Now func() time.Time
	// LockTimeout bounds the wait for another process's file lock; zero means 5 s.
	LockTimeout time.Duration
	// Logger receives warnings; nil means slog.Default().
	Logger *slog.Logger
	// CommitDelay is how long the hot-path commits (PutSubmission, RecordDecision)
	// wait for concurrent ones to share their fsync when none is committing (group
	// commit; while one commits, the calls that arrive meanwhile form the next
	// group and wait for nothing else): zero means 2 ms; negative means no grouping,
	// every commit fsyncs alone. Each call still returns only after its own data is
	// durable.
	CommitDelay time.Duration
}

// Store is the node's database. It is safe for concurrent use; bbolt serialises
// writers and lets readers run alongside them.
type Store struct {
	db          *bolt.DB
	evidenceH   HashFunc
	collateralH HashFunc
	policyH     HashFunc
	now         func() time.Time
	log         *slog.Logger
	grouped     bool // hot-path commits share fsyncs (Options.CommitDelay)
	commitDelay time.Duration
	group       groupCommit
	commits     atomic.Uint64 // read-write transactions committed (Commits)

	// claims are the Claim leases, in memory: a lease only matters to the process
	// holding the file (ResetLeases clears the previous run's), so taking work
	// costs a read, not a commit. Guarded by claimMu, which Claim holds while it
	// scans the queue so that two workers never take the same entry.
	// refs: the evidence submissions written while PruneFailed runs refer to.
	refs evidenceRefs
	// pruneBatchDone, when set (tests), is called after each of PruneFailed's
	// write transactions.
	pruneBatchDone func()

	claimMu    sync.Mutex
	claims     map[string]int64 // queue key -> lease end (unix ns)
	claimsKept int              // len(claims) after the last clean-up
	parked     parkIndex        // parked (deferred) entries by due time
	// claimVisits counts the queue entries Claim looked at (tests).
	claimVisits int
	// sigWatch is told of new signatures (WatchSignatures).
	sigWatch atomic.Pointer[func(common.Hash)]
}

// defaultCommitDelay is how long a grouped commit waits for company: long enough
// for concurrent HTTP handlers and workers to meet, short beside an fsync.
const defaultCommitDelay = 2 * time.Millisecond

// Open opens or creates the database file at path (its directory is created with
// 0700) and makes sure every bucket exists. Only one process may hold the file.
func Open(path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("open store: empty path: %w", ErrInvalid)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	timeout := opts.LockTimeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	// NoSync stays false (the default): every commit is fsynced before Update returns,
	// which is what lets callers acknowledge after a method returns.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: %w (no lock within %s)", path, ErrLocked, timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	delay := opts.CommitDelay
	if delay == 0 {
		delay = defaultCommitDelay
	}
	s := &Store{
		db:          db,
		evidenceH:   orSHA(opts.EvidenceHash),
		collateralH: orSHA(opts.CollateralHash),
		policyH:     orSHA(opts.PolicyHash),
		now:         opts.Now,
		log:         opts.Logger,
		grouped:     opts.CommitDelay >= 0,
		commitDelay: delay,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		return indexMachineFailures(tx, s.log)
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

func orSHA(h HashFunc) HashFunc {
	if h == nil {
		return SHA256
	}
	return h
}

// Close releases the file. It is safe to call more than once.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.db.Path() }

// update runs fn in a read-write transaction that is committed (and fsynced) before
// update returns.
func (s *Store) update(fn func(tx *bolt.Tx) error) error {
	err := s.db.Update(fn)
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	if err == nil {
		s.commits.Add(1)
	}
	return err
}

// Commits returns the number of write transactions committed (each one fsync)
// since Open, so callers can see what their writes cost.
func (s *Store) Commits() uint64 { return s.commits.Load() }

// updateGrouped is update for the hot paths: concurrent callers' functions run one
// after another in one read-write transaction and share its commit and fsync
// (groupCommit), and each call returns only after that commit. fn must have no effect
// outside tx but on the caller's own variables, and must be safe to run again:
// when one function of a group fails, the group is rolled back, the failing one is
// run again alone and the others again together.
func (s *Store) updateGrouped(fn func(tx *bolt.Tx) error) error {
	if !s.grouped {
		return s.update(fn)
	}
	return s.commitGrouped(fn)
}

func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	err := s.db.View(fn)
	if errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// SetMeta stores a small node-metadata value (schema version, node id, last scanned
// block and the like) under key.
func (s *Store) SetMeta(key string, value []byte) error {
	if key == "" {
		return fmt.Errorf("set meta: empty key: %w", ErrInvalid)
	}
	return s.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bktMeta).Put([]byte(key), value); err != nil {
			return fmt.Errorf("set meta %q: %w", key, err)
		}
		return nil
	})
}

// SetMetas stores several node-metadata values in one commit: either all of them
// survive a crash or none does (the last scanned block with the machines it
// revealed, for instance).
func (s *Store) SetMetas(entries map[string][]byte) error {
	for k := range entries {
		if k == "" {
			return fmt.Errorf("set meta: empty key: %w", ErrInvalid)
		}
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktMeta)
		for k, v := range entries {
			if err := b.Put([]byte(k), v); err != nil {
				return fmt.Errorf("set meta %q: %w", k, err)
			}
		}
		return nil
	})
}

// MetaPrefix calls fn for every metadata entry whose key starts with prefix, in key
// order. fn must not call back into the store's write methods.
func (s *Store) MetaPrefix(prefix string, fn func(key string, value []byte) error) error {
	return s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bktMeta).Cursor()
		p := []byte(prefix)
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			if err := fn(string(k), bytes.Clone(v)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Meta returns the value stored under key, or ErrNotFound.
func (s *Store) Meta(key string) ([]byte, error) {
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bktMeta).Get([]byte(key))
		if v == nil {
			return fmt.Errorf("meta %q: %w", key, ErrNotFound)
		}
		out = append([]byte(nil), v...)
		return nil
	})
	return out, err
}
