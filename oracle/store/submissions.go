package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
)

// State is where a submission is in its life. The string values appear in the API.
type State string

// Submission states, in the order a successful submission passes through them.
const (
	// StateReceived: evidence committed, waiting for appraisal.
	StateReceived State = "received"
	// StateVerified: a verdict was reached (trusted or not) and stored.
	StateVerified State = "verified"
	// StateSigned: this node signed the verdict; it waits for quorum or publication.
	StateSigned State = "signed"
	// StateSubmitted: a journaled transaction carries the verdict.
	StateSubmitted State = "submitted"
	// StateConfirmed: the carrying transaction is mined with enough confirmations.
	StateConfirmed State = "confirmed"
	// StateFailed: the submission ended without a published verdict; Reason says why.
	StateFailed State = "failed"
)

// stateCodes gives each state one byte for index keys. Part of the file format.
var stateCodes = map[State]byte{StateReceived: 1, StateVerified: 2, StateSigned: 3,
	StateSubmitted: 4, StateConfirmed: 5, StateFailed: 6}

// transitions is the state machine. Terminal states have no way out. submitted ->
// signed is the way back when the carrying transaction was dropped (its nonce taken by
// another transaction, or the chain reset), so the verdict is published again.
// signed -> confirmed (and verified -> confirmed, before this node signed) is for a
// verdict another relayer (a peer oracle holding the same quorum) published: it is
// on-chain, carried by a transaction not in our journal. The one way out of a
// terminal state is not here: PruneFailed confirms a failed submission whose verdict
// it finds on-chain (PruneOptions.Published), which a peer may publish with this
// node's signature after this node failed it.
var transitions = map[State][]State{
	StateReceived:  {StateVerified, StateFailed},
	StateVerified:  {StateSigned, StateConfirmed, StateFailed},
	StateSigned:    {StateSubmitted, StateConfirmed, StateFailed},
	StateSubmitted: {StateConfirmed, StateSigned, StateFailed},
}

// Valid reports whether s is one of the defined states.
func (s State) Valid() bool { _, ok := stateCodes[s]; return ok }

// Terminal reports whether no transition leaves s.
func (s State) Terminal() bool { return s == StateConfirmed || s == StateFailed }

// CanTransition reports whether the state machine allows from -> to.
func CanTransition(from, to State) bool {
	for _, t := range transitions[from] {
		if t == to {
			return true
		}
	}
	return false
}

// StateChange is one entry of a submission's history.
type StateChange struct {
	State  State     `json:"state"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// Submission is one piece of evidence submitted for a machine and its progress.
type Submission struct {
	ID           string      `json:"id"`
	MachineID    common.Hash `json:"machine_id"`
	EvidenceHash common.Hash `json:"evidence_hash"`
	// Format says how the evidence bytes are encoded (e.g. "bundle", "snp-report");
	// free text chosen by the API, kept so the worker can decode the archive.
	Format string `json:"format,omitempty"`
	State  State  `json:"state"`
	// Reason says why the submission is in its current state (always set when
	// failed); it is cleared by a transition that gives none.
	Reason     string    `json:"reason,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// VerdictHash is set from StateVerified on.
	VerdictHash common.Hash `json:"verdict_hash,omitempty"`
	// TxFrom and TxNonce name the journaled transaction that carries the verdict, set
	// while StateSubmitted and kept after confirmation.
	TxFrom  common.Address `json:"tx_from,omitempty"`
	TxNonce *uint64        `json:"tx_nonce,omitempty"`
	History []StateChange  `json:"history"`
	// Waiting says why a waiting submission is not being worked on now (set by Defer,
	// cleared by the next transition).
	Waiting string `json:"waiting,omitempty"`
	// EvidenceFault marks a failed submission that failed for its evidence (it could
	// not be appraised, or its verdict must not be published: not authentic, not
	// bound), not for an outage, a refusal of the chain or the node's own state. Set
	// by FailEvidence or Decision.EvidenceFault; only these count in
	// MachineFailures. Submissions failed before the field existed are unmarked.
	EvidenceFault bool `json:"evidence_fault,omitempty"`
}

func (s *Submission) validate() error {
	switch {
	case s.ID == "" || len(s.ID) > 128:
		return fmt.Errorf("submission id %q: empty or longer than 128: %w", s.ID, ErrInvalid)
	case !s.State.Valid():
		return fmt.Errorf("submission %s: unknown state %q: %w", s.ID, s.State, ErrInvalid)
	case s.EvidenceHash == (common.Hash{}):
		return fmt.Errorf("submission %s: zero evidence hash: %w", s.ID, ErrInvalid)
	case s.State != StateReceived && s.State != StateFailed && s.VerdictHash == (common.Hash{}):
		return fmt.Errorf("submission %s: state %s without verdict hash: %w", s.ID, s.State, ErrInvalid)
	case s.EvidenceFault && s.State != StateFailed:
		return fmt.Errorf("submission %s: state %s marked as failed for its evidence: %w", s.ID, s.State, ErrInvalid)
	}
	return nil
}

func queueKey(s *Submission) []byte {
	return concat([]byte{stateCodes[s.State]}, timeKey(s.ReceivedAt), []byte(s.ID))
}

// NewSubmission describes evidence being submitted.
type NewSubmission struct {
	// ID is the submission's id; empty means the store assigns one (16 hex digits
	// from a counter). Callers exposing ids publicly should supply random ones.
	ID        string
	MachineID common.Hash
	Format    string
	// ReceivedAt is when the API received the evidence; zero means now.
	ReceivedAt time.Time
	// EvidenceHash, when not zero, is the evidence's hash under Options.EvidenceHash,
	// which the caller computed already (the node decodes every submission before
	// storing it); zero means the store hashes the evidence. It names the archived
	// evidence, so it must be the hash of exactly these bytes.
	EvidenceHash common.Hash
	// Meta are node-metadata entries (what SetMeta writes, read back with Meta)
	// committed in the same transaction as the submission: the caller's parameters
	// of the submission and its indexes, so a submission never exists without them
	// and acknowledging it costs one commit. Keys are used as given (a key naming the
	// submission needs the caller to choose ID); they are written only when the
	// submission is new, not on a retried put.
	Meta map[string][]byte
}

// PutSubmission archives the evidence bytes and records a new submission in state
// received, with n.Meta, in one transaction. It returns after the commit is on disk,
// so the caller may acknowledge the returned id. A submission with the same id and
// the same evidence is returned unchanged (a retried request); with other evidence
// it is ErrExists, and nothing is written.
func (s *Store) PutSubmission(n NewSubmission, evidence []byte) (Submission, error) {
	if len(evidence) == 0 {
		return Submission{}, fmt.Errorf("put submission %q: empty evidence: %w", n.ID, ErrInvalid)
	}
	for k := range n.Meta {
		if k == "" {
			return Submission{}, fmt.Errorf("put submission %q: empty meta key: %w", n.ID, ErrInvalid)
		}
	}
	h := n.EvidenceHash
	if h == (common.Hash{}) {
		var err error
		if h, err = s.evidenceH(evidence); err != nil {
			return Submission{}, fmt.Errorf("put submission %q: hash evidence: %w", n.ID, err)
		}
	}
	now := s.now().UTC()
	at := n.ReceivedAt.UTC()
	if n.ReceivedAt.IsZero() {
		at = now
	}
	sub := Submission{ID: n.ID, MachineID: n.MachineID, EvidenceHash: h, Format: n.Format,
		State: StateReceived, ReceivedAt: at, UpdatedAt: now,
		History: []StateChange{{State: StateReceived, At: now}}}
	fresh := sub
	err := s.updateGrouped(func(tx *bolt.Tx) error {
		// Run again after a rolled-back group: start afresh (an id drawn from the
		// rolled-back sequence is drawn again).
		sub = fresh
		sub.History = []StateChange{{State: StateReceived, At: now}}
		subs := tx.Bucket(bktSubmissions)
		if sub.ID == "" {
			seq, err := subs.NextSequence()
			if err != nil {
				return err
			}
			sub.ID = fmt.Sprintf("%016x", seq)
		}
		if old := subs.Get([]byte(sub.ID)); old != nil {
			prev, err := DecodeSubmission(old)
			if err != nil {
				return fmt.Errorf("submission %s: %w", sub.ID, err)
			}
			if prev.EvidenceHash != h || prev.MachineID != n.MachineID {
				return fmt.Errorf("put submission %s: id taken by other evidence: %w", sub.ID, ErrExists)
			}
			sub = prev
			return nil
		}
		s.refs.note(h) // before the evidence is put: a pruning batch after this keeps it
		if err := putArchive(tx.Bucket(bktEvidence), h, evidence); err != nil {
			return err
		}
		meta := tx.Bucket(bktMeta)
		for k, v := range n.Meta {
			if err := meta.Put([]byte(k), v); err != nil {
				return fmt.Errorf("meta %q: %w", k, err)
			}
		}
		return putSubmission(tx, nil, &sub)
	})
	if err != nil {
		return Submission{}, fmt.Errorf("put submission %q: %w", sub.ID, err)
	}
	return sub, nil
}

// putSubmission writes sub and moves its queue index entry from prev's state.
func putSubmission(tx *bolt.Tx, prev, sub *Submission) error {
	v, err := encodeValue(sub)
	if err != nil {
		return err
	}
	q := tx.Bucket(bktQueue)
	if prev != nil && !prev.State.Terminal() {
		if err := q.Delete(queueKey(prev)); err != nil {
			return err
		}
		if err := q.Delete(parkedKey(prev)); err != nil {
			return err
		}
	}
	if !sub.State.Terminal() {
		if err := q.Put(queueKey(sub), u64(0)); err != nil {
			return err
		}
	}
	if err := moveFailed(tx, prev, sub); err != nil {
		return err
	}
	return tx.Bucket(bktSubmissions).Put([]byte(sub.ID), v)
}

func getSubmission(tx *bolt.Tx, id string) (Submission, error) {
	v := tx.Bucket(bktSubmissions).Get([]byte(id))
	if v == nil {
		return Submission{}, fmt.Errorf("submission %q: %w", id, ErrNotFound)
	}
	sub, err := decoded.submission(v)
	if err != nil {
		return Submission{}, fmt.Errorf("submission %q: %w", id, err)
	}
	return sub, nil
}

// Submission returns the submission with the given id, or ErrNotFound.
func (s *Store) Submission(id string) (Submission, error) {
	var sub Submission
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		sub, err = getSubmission(tx, id)
		return err
	})
	return sub, err
}

// transition applies one validated state change inside tx.
func (s *Store) transition(tx *bolt.Tx, sub *Submission, to State, reason string, edit func(*Submission)) error {
	if !CanTransition(sub.State, to) {
		return fmt.Errorf("submission %s: %s -> %s: %w", sub.ID, sub.State, to, ErrBadTransition)
	}
	if to == StateFailed && reason == "" {
		return fmt.Errorf("submission %s: failing without a reason: %w", sub.ID, ErrInvalid)
	}
	prev := *sub
	now := s.now().UTC()
	// Reason explains the current state only: a reason given for an earlier one (a
	// dropped transaction sending the submission back to signed) would read as the
	// outcome of a submission confirmed since. The history keeps every reason.
	sub.State, sub.UpdatedAt, sub.Reason = to, now, reason
	sub.Waiting = ""
	sub.History = append(sub.History[:len(sub.History):len(sub.History)], StateChange{State: to, At: now, Reason: reason})
	if edit != nil {
		edit(sub)
	}
	return putSubmission(tx, &prev, sub)
}

// Transition moves submission id to state to, recording reason (required for
// StateFailed). Transitions the state machine forbids return ErrBadTransition; the
// record is then unchanged. Moving to verified needs a verdict: use RecordVerdict.
func (s *Store) Transition(id string, to State, reason string) (Submission, error) {
	if to == StateVerified {
		return Submission{}, fmt.Errorf("transition %s to verified: use RecordVerdict: %w", id, ErrInvalid)
	}
	var sub Submission
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		if sub, err = getSubmission(tx, id); err != nil {
			return err
		}
		return s.transition(tx, &sub, to, reason, nil)
	})
	if err != nil {
		return Submission{}, fmt.Errorf("transition: %w", err)
	}
	return sub, nil
}

// FailEvidence moves submission id to failed, as Transition(id, StateFailed,
// reason), and marks it failed for its evidence (EvidenceFault), so it counts in
// MachineFailures: for evidence the node refuses (it cannot be appraised), never
// for a failure of the node, the chain or a collateral source.
func (s *Store) FailEvidence(id, reason string) (Submission, error) {
	var sub Submission
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		if sub, err = getSubmission(tx, id); err != nil {
			return err
		}
		return s.transition(tx, &sub, StateFailed, reason, func(x *Submission) { x.EvidenceFault = true })
	})
	if err != nil {
		return Submission{}, fmt.Errorf("fail for evidence: %w", err)
	}
	return sub, nil
}

// RecordVerdict stores the verdict reached for submission id and moves the
// submission from received to verified, atomically: RecordDecision with nothing
// but the verdict.
func (s *Store) RecordVerdict(id string, v Verdict) (Submission, error) {
	return s.RecordDecision(id, Decision{Verdict: v})
}

// Decision is what the node stores when it reaches a verdict for a submission;
// RecordDecision writes all of it in one commit.
type Decision struct {
	// Verdict is the verdict reached.
	Verdict Verdict
	// Collateral items the appraisal used are archived by content hash
	// (Options.CollateralHash, see HashCollateral), first bytes win.
	Collateral [][]byte
	// Meta entries are written too (the node's audit record of the verdict).
	Meta map[string][]byte
	// Signature, when set, is Signer's 65-byte signature over the verdict: it is
	// stored and the submission moves on from verified to signed.
	Signer    common.Address
	Signature []byte
	// FailReason, when set, moves the submission on from verified to failed (a
	// verdict this node does not publish). It excludes Signature.
	FailReason string
	// EvidenceFault marks that failure as the evidence's (Submission.EvidenceFault):
	// the verdict is not published because of what the evidence is (not authentic,
	// not bound), not because of the chain's state. It needs FailReason.
	EvidenceFault bool
}

// RecordDecision stores the verdict reached for submission id (in state received)
// with its collateral, metadata and signature, and moves the submission to verified
// and on to signed or failed as d says, in one commit: one fsync where RecordVerdict,
// PutCollateral, SetMeta, PutSignature and Transition take one each. Bad arguments
// return ErrInvalid, a submission not in received ErrBadTransition; nothing is
// written then.
func (s *Store) RecordDecision(id string, d Decision) (Submission, error) {
	switch {
	case len(d.Signature) != 0 && d.FailReason != "":
		return Submission{}, fmt.Errorf("record decision for %s: both a signature and a failure: %w", id, ErrInvalid)
	case d.EvidenceFault && d.FailReason == "":
		return Submission{}, fmt.Errorf("record decision for %s: evidence fault without a failure: %w", id, ErrInvalid)
	case len(d.Signature) != 0 && len(d.Signature) != 65:
		return Submission{}, fmt.Errorf("record decision for %s: signature of %d bytes, want 65: %w", id, len(d.Signature), ErrInvalid)
	}
	hashes := make([]common.Hash, len(d.Collateral))
	for i, c := range d.Collateral {
		if len(c) == 0 {
			return Submission{}, fmt.Errorf("record decision for %s: empty collateral item %d: %w", id, i, ErrInvalid)
		}
		h, err := s.collateralH(c)
		if err != nil {
			return Submission{}, fmt.Errorf("record decision for %s: hash collateral item %d: %w", id, i, err)
		}
		hashes[i] = h
	}
	for k := range d.Meta {
		if k == "" {
			return Submission{}, fmt.Errorf("record decision for %s: empty meta key: %w", id, ErrInvalid)
		}
	}
	var sub Submission
	newSig := false
	err := s.updateGrouped(func(tx *bolt.Tx) error {
		newSig = false // a grouped transaction may run again
		var err error
		if sub, err = getSubmission(tx, id); err != nil {
			return err
		}
		if sub.State != StateReceived {
			return fmt.Errorf("submission %s: %s -> %s: %w", id, sub.State, StateVerified, ErrBadTransition)
		}
		v := d.Verdict
		if err := s.putVerdict(tx, &v); err != nil {
			return err
		}
		if err := tx.Bucket(bktSubsByVerd).Put(concat(v.Hash[:], []byte(id)), nil); err != nil {
			return err
		}
		if err := s.transition(tx, &sub, StateVerified, "", func(x *Submission) { x.VerdictHash = v.Hash }); err != nil {
			return err
		}
		for i, c := range d.Collateral {
			if err := putArchive(tx.Bucket(bktCollateral), hashes[i], c); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bktMeta)
		for k, val := range d.Meta {
			if err := meta.Put([]byte(k), val); err != nil {
				return fmt.Errorf("meta %q: %w", k, err)
			}
		}
		switch {
		case len(d.Signature) != 0:
			b := tx.Bucket(bktSignatures)
			if k := concat(v.Hash[:], d.Signer[:]); b.Get(k) == nil {
				if err := b.Put(k, bytes.Clone(d.Signature)); err != nil {
					return err
				}
				newSig = true
			}
			return s.transition(tx, &sub, StateSigned, "", nil)
		case d.FailReason != "":
			return s.transition(tx, &sub, StateFailed, d.FailReason, func(x *Submission) { x.EvidenceFault = d.EvidenceFault })
		}
		return nil
	})
	if err != nil {
		return Submission{}, fmt.Errorf("record decision for %s: %w", id, err)
	}
	if newSig {
		s.signed(d.Verdict.Hash)
	}
	return sub, nil
}

// Claim hands the oldest submission in state `state` whose lease has expired to a
// worker, leasing it until now+lease so concurrent workers skip it. A worker that
// dies loses its lease when it expires, and the submission is claimable again.
// Leases are held in memory (they mean nothing to another run, see ResetLeases),
// so a claim is a read, not a commit; a put-off submission (Defer) is skipped until
// its time, without being looked at (it is parked, see parkedBit). It returns
// ErrNoWork when nothing is waiting.
func (s *Store) Claim(state State, now time.Time, lease time.Duration) (Submission, error) {
	if !state.Valid() || state.Terminal() {
		return Submission{}, fmt.Errorf("claim %q: not a waiting state: %w", state, ErrInvalid)
	}
	var sub Submission
	found := false
	s.claimMu.Lock()
	defer s.claimMu.Unlock()
	err := s.view(func(tx *bolt.Tx) error {
		q := tx.Bucket(bktQueue)
		s.dropStaleClaims(q, now)
		until := now.Add(lease).UnixNano()
		k := s.claimable(q, stateCodes[state], now.UnixNano(), until)
		if k == nil {
			return nil
		}
		var err error
		if sub, err = getSubmission(tx, string(k[9:])); err != nil {
			return err
		}
		found = true
		s.claims[string(k)] = until
		return nil
	})
	if err == nil && !found {
		err = ErrNoWork
	}
	if err != nil {
		return Submission{}, fmt.Errorf("claim %s: %w", state, err)
	}
	return sub, nil
}

// claimable returns the queue key of the oldest submission in the state of code
// that is neither leased nor put off at now, or nil: the first such entry of the
// state's range, or an older parked one that is due (the front of the parked
// index's due entries, which it then records leased until `until`). It counts the
// entries it looks at (claimVisits): the leased ones of the range it skips, the
// first free one, and the parked ones that come to the front.
func (s *Store) claimable(q *bolt.Bucket, code byte, now, until int64) []byte {
	var best []byte
	prefix := []byte{code}
	c := q.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		s.claimVisits++
		// A value is a time only in stores deferred before entries were parked.
		if len(v) == 8 && int64(binary.BigEndian.Uint64(v)) > now {
			continue
		}
		if end, ok := s.claims[string(k)]; !ok || end <= now {
			best = k
			break
		}
	}
	if !s.parked.loaded {
		s.parked.load(q)
	}
	pk := s.parked.front(q, code, now, s.claims, func() { s.claimVisits++ })
	if pk != "" && (best == nil || pk[1:] < string(best[1:])) {
		s.parked.take(code, pk, until)
		return []byte(pk)
	}
	return bytes.Clone(best)
}

// claimsMin: with fewer leases held, Claim does not look for stale ones. A lease
// is keyed by the queue entry, which a transition replaces, so finished work leaves
// its lease behind; once the leases double since the last clean-up, those whose
// entry is gone or whose time is up are dropped (amortised, a constant per claim).
const claimsMin = 1024

func (s *Store) dropStaleClaims(q *bolt.Bucket, now time.Time) {
	if s.claims == nil {
		s.claims = map[string]int64{}
	}
	if len(s.claims) < max(claimsMin, 2*s.claimsKept) {
		return
	}
	for k, until := range s.claims {
		if until <= now.UnixNano() || q.Get([]byte(k)) == nil {
			delete(s.claims, k)
		}
	}
	s.claimsKept = len(s.claims)
}

// Defer lets submission id, in a waiting state, rest until notBefore: Claim skips it
// until then. why is recorded in its Waiting field until the next transition. A
// worker uses it for work it cannot do now but may later (a collateral source is
// down): the submission keeps its state and its place, and nothing is lost. A
// restart clears the wait with the other leases (ResetLeases).
func (s *Store) Defer(id string, notBefore time.Time, why string) (Submission, error) {
	var sub Submission
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		if sub, err = getSubmission(tx, id); err != nil {
			return err
		}
		if sub.State.Terminal() {
			return fmt.Errorf("submission %s is %s: %w", id, sub.State, ErrBadTransition)
		}
		prev := sub
		sub.Waiting, sub.UpdatedAt = why, s.now().UTC()
		if err := putSubmission(tx, &prev, &sub); err != nil {
			return err
		}
		q := tx.Bucket(bktQueue)
		if err := q.Delete(queueKey(&sub)); err != nil {
			return err
		}
		return q.Put(parkedKey(&sub), u64(uint64(max(notBefore.UnixNano(), 0))))
	})
	if err == nil {
		// The wait replaces the claim's lease: the submission is claimable at
		// notBefore.
		s.claimMu.Lock()
		delete(s.claims, string(queueKey(&sub)))
		delete(s.claims, string(parkedKey(&sub)))
		s.parked.park(stateCodes[sub.State], string(parkedKey(&sub)), max(notBefore.UnixNano(), 0))
		s.claimMu.Unlock()
	}
	if err != nil {
		return Submission{}, fmt.Errorf("defer %s: %w", id, err)
	}
	return sub, nil
}

// ResetLeases clears every Claim lease. Call it at start: the process holding the
// file is the only one whose workers could hold leases, so leases found on disk
// belong to workers of a run that ended, and their work can be taken at once.
func (s *Store) ResetLeases() error {
	s.claimMu.Lock()
	defer s.claimMu.Unlock()
	s.claims, s.claimsKept, s.parked = nil, 0, parkIndex{}
	return s.update(func(tx *bolt.Tx) error {
		q := tx.Bucket(bktQueue)
		var keys [][]byte
		if err := q.ForEach(func(k, v []byte) error {
			if len(k) > 0 && k[0]&parkedBit != 0 || len(v) == 8 && binary.BigEndian.Uint64(v) != 0 {
				keys = append(keys, bytes.Clone(k))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := q.Delete(k); err != nil {
				return err
			}
			k[0] &^= parkedBit // back in its state's range, at its place
			if err := q.Put(k, u64(0)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Unfinished calls fn for every submission not in a terminal state, oldest first
// within each state, in state order. Use it after a restart to resume work. fn must
// not call back into the store's write methods (the read transaction is open).
func (s *Store) Unfinished(fn func(Submission) error) error {
	var waiting []State
	for st := range stateCodes {
		if !st.Terminal() {
			waiting = append(waiting, st)
		}
	}
	slices.SortFunc(waiting, func(a, b State) int { return int(stateCodes[a]) - int(stateCodes[b]) })
	return s.UnfinishedIn(waiting, fn)
}

// UnfinishedIn is Unfinished for the submissions in the given waiting states only:
// the others are not read (a backlog of received submissions costs a publisher's
// pass nothing). Within each state, oldest first, put-off ones (Defer) included.
func (s *Store) UnfinishedIn(states []State, fn func(Submission) error) error {
	for _, st := range states {
		if !st.Valid() || st.Terminal() {
			return fmt.Errorf("unfinished in %q: not a waiting state: %w", st, ErrInvalid)
		}
	}
	return s.view(func(tx *bolt.Tx) error {
		q := tx.Bucket(bktQueue)
		for _, st := range states {
			err := eachQueued(q, stateCodes[st], func(k []byte) error {
				if len(k) < 10 {
					return fmt.Errorf("queue key %x: %w", k, ErrCorrupt)
				}
				sub, err := getSubmission(tx, string(k[9:]))
				if err != nil {
					return err
				}
				return fn(sub)
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// SubmissionsForVerdict returns the submissions whose verdict hash is h.
func (s *Store) SubmissionsForVerdict(h common.Hash) ([]Submission, error) {
	var out []Submission
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		out, err = subsForVerdict(tx, h)
		return err
	})
	return out, err
}

func subsForVerdict(tx *bolt.Tx, h common.Hash) ([]Submission, error) {
	var out []Submission
	c := tx.Bucket(bktSubsByVerd).Cursor()
	for k, _ := c.Seek(h[:]); k != nil && bytes.HasPrefix(k, h[:]); k, _ = c.Next() {
		sub, err := getSubmission(tx, string(k[32:]))
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, nil
}
