package service

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// memoMax bounds the publisher's memos; a full memo starts afresh.
const memoMax = 1 << 16

// The publisher looks at every verdict waiting for its quorum on every pass; what
// it derives from immutable inputs is kept: a verdict's decoded body (a verdict is
// stored under its own EIP-712 digest and never changes) and the signer a
// signature recovers to (a pure function of the digest and the signature).

type sigKey struct {
	h   common.Hash
	sig string
}

var signers = struct {
	sync.Mutex
	m map[sigKey]common.Address
}{m: map[sigKey]common.Address{}}

// recoverSigner is verdict.Recover, remembered for valid signatures.
func recoverSigner(h common.Hash, sig []byte) (common.Address, error) {
	k := sigKey{h, string(sig)}
	signers.Lock()
	a, ok := signers.m[k]
	signers.Unlock()
	if ok {
		return a, nil
	}
	a, err := verdict.Recover(h, sig)
	if err != nil {
		return a, err
	}
	signers.Lock()
	if len(signers.m) >= memoMax {
		signers.m = map[sigKey]common.Address{}
	}
	signers.m[k] = a
	signers.Unlock()
	return a, nil
}

// rememberSigner records that sig over h is signer's, for a signature this node
// made itself (it need not be recovered to be known).
func rememberSigner(h common.Hash, sig []byte, signer common.Address) {
	signers.Lock()
	defer signers.Unlock()
	if len(signers.m) >= memoMax {
		signers.m = map[sigKey]common.Address{}
	}
	signers.m[sigKey{h, string(sig)}] = signer
}

// verdictMemo holds decoded verdict bodies by hash.
type verdictMemo struct {
	mu sync.Mutex
	m  map[common.Hash]verdict.Verdict
}

// verdictOf returns stored verdict h, decoded.
func (s *Service) verdictOf(h common.Hash) (verdict.Verdict, error) {
	s.verdicts.mu.Lock()
	v, ok := s.verdicts.m[h]
	s.verdicts.mu.Unlock()
	if ok {
		return v, nil
	}
	sv, err := s.st.Verdict(h)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(sv.Body, &v); err != nil {
		return v, fmt.Errorf("verdict %s: %w", h, err)
	}
	s.verdicts.mu.Lock()
	if s.verdicts.m == nil || len(s.verdicts.m) >= memoMax {
		s.verdicts.m = map[common.Hash]verdict.Verdict{}
	}
	s.verdicts.m[h] = v
	s.verdicts.mu.Unlock()
	return v, nil
}

// passPause is how long the publisher waits before a pass a worker asked for, the
// last pass having taken took: four times as long and at least 50 ms, at most
// poll. A pass reads every submission waiting for publication, so under load the
// publisher takes at most a fifth of a core from the workers, and a new verdict
// waits at most a poll interval for its pass.
func passPause(took, poll time.Duration) time.Duration {
	return min(max(4*took, 50*time.Millisecond), poll)
}

// recheckMax is the longest a verdict waiting for its quorum goes unexamined by the
// publisher: a verdict found waiting is looked at again after 50 ms, then after
// twice as long each time, up to this.
const (
	recheckFirst = 50 * time.Millisecond
	recheckMax   = time.Second
)

// rechecks spaces out the publisher's passes over verdicts that wait for their
// quorum: without it every pass (one per verdict a worker signs, under load) reads
// every waiting verdict's signatures and asks the peers again, which with
// thousands waiting (a peer down, a quorum slow) takes the node's CPU from the
// workers.
type rechecks struct {
	mu sync.Mutex
	m  map[common.Hash]recheck
}

type recheck struct {
	next time.Time
	gap  time.Duration
}

// due reports whether verdict h is to be examined in a pass at now.
func (r *rechecks) due(h common.Hash, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.m[h]
	return !ok || !now.Before(c.next)
}

// later records that a pass at now found verdict h waiting.
func (r *rechecks) later(h common.Hash, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[common.Hash]recheck{}
	}
	c := r.m[h]
	c.gap = min(max(2*c.gap, recheckFirst), recheckMax)
	c.next = now.Add(c.gap)
	r.m[h] = c
}

// forget drops verdict h (published, failed or settled).
func (r *rechecks) forget(h common.Hash) {
	r.mu.Lock()
	delete(r.m, h)
	r.mu.Unlock()
}

// waitNote is what the publisher found of a verdict short of its quorum's
// signatures, with the inputs that finding rests on: a later pass prepares the
// verdict again only when one of them changed (a signature was stored, a peer
// signed, the threshold or a signer's oracle status changed, the verdict was
// accepted on-chain, its quorum timed out), not on every pass. A node whose peers
// lag holds thousands of such verdicts, and preparing each again (its signatures
// read and recovered, its logs and the registry read) took most of a pass.
type waitNote struct {
	pending   bool // being prepared (begin): not a note yet
	machine   common.Hash
	anchor    uint64
	threshold int
	held      int              // signatures held over the verdict, valid or not
	signers   []common.Address // the held signers counted toward its quorum
}

// waitNotes holds the notes by verdict hash (bounded by memoMax; a full map
// starts afresh, which only costs the verdicts a preparation each).
type waitNotes struct {
	mu sync.Mutex
	m  map[common.Hash]waitNote
}

func (w *waitNotes) get(h common.Hash) (waitNote, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, ok := w.m[h]
	return n, ok && !n.pending
}

// begin marks verdict h as being prepared, before its signatures are read: a
// signature stored from then on (drop) keeps the note put at the end from being
// kept, since it may not count it.
func (w *waitNotes) begin(h common.Hash) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m == nil || len(w.m) >= memoMax {
		w.m = map[common.Hash]waitNote{}
	}
	w.m[h] = waitNote{pending: true}
}

// put keeps verdict h's note, unless a signature over h was stored since begin.
func (w *waitNotes) put(h common.Hash, n waitNote) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if cur, ok := w.m[h]; ok && cur.pending {
		w.m[h] = n
	}
}

// drop forgets verdict h's note: its next due pass prepares it. The store calls it
// for every new signature (Store.WatchSignatures).
func (w *waitNotes) drop(h common.Hash) {
	w.mu.Lock()
	delete(w.m, h)
	w.mu.Unlock()
}
