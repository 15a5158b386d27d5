package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// quorumState is the in-memory progress of one signed verdict toward its quorum.
type quorumState struct {
	first     time.Time // when this node first tried to publish it
	quorumAt  time.Time // when M signatures were first present
	held      time.Time // when a peer's relay claim first held it back (claimed; guarded by qmu)
	threshold int
	have      int
	peers     []api.PeerStatus
	disagree  bool
	// forwarded are the peers this node gave the evidence to, or that refused it for
	// good, with what their status says of it on later passes (guarded by qmu).
	forwarded map[string]string
	// lacking are signers whose signature over the verdict this node holds but who
	// refused to co-sign a batch with it, not holding it as their own decision: they
	// no longer count toward its quorum (guarded by qmu).
	lacking map[common.Address]bool
	// refused: a simulation at a pass's head refusedAt found the registry refusing
	// it for a change that head may not show (laterBlockRefusals; guarded by qmu).
	refused   bool
	refusedAt uint64
	// handBacks counts the transactions in a row that carried it alone and
	// reverted for a reason holding nothing against it (handedBack; guarded by qmu).
	handBacks int
	// alone: a transaction carrying it with other verdicts reverted for such a
	// reason; it is sent alone from then on (nextBatch; guarded by qmu).
	alone bool
	// deferrals counts the mined batches that did not try it for want of gas
	// (InsufficientGasForEntry), deferredAsFirst those of them in which it was the
	// first entry (deferredAgain; guarded by qmu). A deferred verdict leads its
	// next batch (nextBatch).
	deferrals, deferredAsFirst int
}

func (q *quorumState) view() *api.QuorumStatus {
	return &api.QuorumStatus{Threshold: q.threshold, Signatures: q.have, Peers: append([]api.PeerStatus(nil), q.peers...),
		Disagreement: q.disagree}
}

// publisher settles what a previous run left in flight, then publishes signed
// verdicts as their quorums complete.
func (s *Service) publisher(ctx context.Context) {
	for ctx.Err() == nil {
		err := s.tx.Recover(ctx)
		if err == nil {
			break
		}
		s.log.Warn("settling journaled transactions failed; retrying", "err", err)
		sleepCtx(ctx, s.cfg.PollInterval)
	}
	for ctx.Err() == nil {
		start := time.Now()
		if err := s.publishOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("publish pass failed; retrying", "err", err)
		}
		if s.cfg.AfterPublishPass != nil {
			s.cfg.AfterPublishPass()
		}
		select {
		case <-ctx.Done():
		case <-s.pubWake:
			// Workers poke after every verdict: under load, passes are spaced out
			// (a pass reads every verdict waiting for publication).
			sleepCtx(ctx, passPause(time.Since(start), s.cfg.PollInterval))
		case <-time.After(s.cfg.PollInterval):
		}
	}
}

type candidate struct {
	hash common.Hash
	v    *verdict.Verdict
	sigs []verdict.Signature
	subs []store.Submission
}

func (s *Service) publishOnce(ctx context.Context) error {
	w, err := s.waiting()
	if err != nil {
		return err
	}
	groups, order := w.groups, w.order
	for _, sub := range w.verified {
		// Submissions a previous run left verified, and those a worker of this run
		// left verified for longer than a claim lease (signing failed after the
		// verdict was recorded): a worker may be between recording a verdict and
		// signing it, which takes milliseconds, not minutes.
		if !sub.UpdatedAt.Before(s.startedAt) && s.cfg.Now().Sub(sub.UpdatedAt) < lease {
			continue
		}
		if err := s.resumeVerified(ctx, sub); err != nil {
			s.log.Error("resume verified submission", "id", sub.ID, "err", err)
		}
	}
	if len(groups) == 0 {
		s.m.quorumWaiting.Set(0)
		return nil
	}
	head, threshold, err := s.passHead(ctx)
	if err != nil {
		return err
	}
	s.checkPause(ctx)
	ready, waiting := s.prepareAll(withHead(ctx, head), order, groups, threshold)
	s.m.quorumWaiting.Set(float64(waiting))
	if len(ready) > 0 && s.fundsShort() != nil {
		// The chain refused a transaction for want of funds: send nothing until the
		// account can pay again (the health check clears it too).
		cctx, cancel := s.chainCtx(ctx)
		err := s.balanceShort(cctx)
		cancel()
		if err != nil {
			return nil
		}
		s.clearFundsShort()
	}
	s.publishBatches(ctx, ready, threshold)
	return nil
}

// waitingList is what a publisher pass works on, as read at the store's commit count
// commits: the verified submissions, and the signed ones grouped by verdict, the
// verdicts in the store's order. It is shared between passes: read only.
type waitingList struct {
	commits  uint64
	verified []store.Submission
	groups   map[common.Hash][]store.Submission
	order    []common.Hash
}

// waiting returns the submissions waiting for publication. The list is a function of
// the store's contents, so a pass with nothing committed to the store since the last
// list was read reuses it: with thousands of verdicts waiting for quorums that do not
// form (peers down), reading and decoding every one on every pass was most of an idle
// node's CPU (docs/operator.md). The commit count is read before the list, and a
// commit is counted only once it is visible, so a reused list is never older than the
// store.
func (s *Service) waiting() (*waitingList, error) {
	commits := s.st.Commits()
	s.waitMu.Lock()
	last := s.lastWait
	s.waitMu.Unlock()
	if last != nil && last.commits == commits {
		return last, nil
	}
	w := &waitingList{commits: commits, groups: map[common.Hash][]store.Submission{}}
	err := s.st.UnfinishedIn([]store.State{store.StateVerified, store.StateSigned}, func(sub store.Submission) error {
		switch sub.State {
		case store.StateVerified:
			w.verified = append(w.verified, sub)
		case store.StateSigned:
			if _, ok := w.groups[sub.VerdictHash]; !ok {
				w.order = append(w.order, sub.VerdictHash)
			}
			w.groups[sub.VerdictHash] = append(w.groups[sub.VerdictHash], sub)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.waitMu.Lock()
	s.lastWait = w
	s.waitMu.Unlock()
	return w, nil
}

// passHead reads the head a publisher pass pins its reads to, and the quorum at it.
func (s *Service) passHead(ctx context.Context) (uint64, int, error) {
	cctx, cancel := s.chainCtx(ctx)
	defer cancel()
	head, err := readN(cctx, publishReadAttempts, s.rpc.BlockNumber)
	if err != nil {
		return 0, 0, err
	}
	threshold, err := readN(withHead(cctx, head), publishReadAttempts, s.reg.Threshold)
	return head, threshold, err
}

// prepareParallel bounds the verdicts a publisher pass prepares at once. Preparing
// one is mostly waiting: a log read and a simulation on the chain, the peers asked
// over HTTP; one at a time, a pass over thousands of waiting verdicts took longer
// than their quorums took to form (docs/operator.md, Fleet).
const prepareParallel = 16

// prepareAll prepares the verdicts of order that are due for a look (rechecks),
// at most prepareParallel at once, each with its reads at the head pinned in ctx.
// It returns those to relay now, in the order of order and at most one per
// machine (onePerMachine), and how many wait.
func (s *Service) prepareAll(ctx context.Context, order []common.Hash, groups map[common.Hash][]store.Submission, threshold int) ([]*candidate, int) {
	oracles := &oracleSet{m: map[common.Address]bool{}}
	out := make([]*candidate, len(order))
	waits := make([]bool, len(order))
	sem := make(chan struct{}, prepareParallel)
	var wg sync.WaitGroup
	// The notes are looked at first, under one chain deadline for their reads (all
	// cached per head), before any preparation runs: looked at between
	// preparations, the later ones would find that deadline spent and prepare
	// verdicts whose notes still hold.
	s.prefetchAccepted(ctx, order)
	lctx, cancel := s.chainCtx(ctx)
	looks := make([]int, len(order))
	for i, h := range order {
		looks[i] = s.lookAt(lctx, h, threshold, oracles)
	}
	cancel()
	for i, h := range order {
		look := looks[i]
		if look == lookSkip {
			waits[i] = true
			continue
		}
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if look == lookPeers && !s.peersSigned(ctx, h, oracles) {
				waits[i] = true
				return
			}
			c, err := s.prepare(ctx, h, groups[h], threshold, oracles)
			switch {
			case err != nil:
				s.log.Warn("verdict not publishable yet", "verdict", h, "err", err)
			case c == nil:
				s.rechecks.later(h, s.cfg.Now())
				waits[i] = true
			default:
				out[i] = c
			}
		}()
	}
	wg.Wait()
	waiting := 0
	for _, w := range waits {
		if w {
			waiting++
		}
	}
	return s.onePerMachine(slices.DeleteFunc(out, func(c *candidate) bool { return c == nil })), waiting
}

// prefetchAccepted has the registry view read, in as few requests as it can, the
// accepted digests the notes of order are checked against (noteHolds), so that a
// pass over thousands of verdicts waiting for their quorums makes a log read per
// hundred machines instead of one per machine.
func (s *Service) prefetchAccepted(ctx context.Context, order []common.Hash) {
	p, ok := s.reg.(interface {
		PrefetchAccepted(context.Context, []acceptedKey)
	})
	if !ok {
		return
	}
	var keys []acceptedKey
	for _, h := range order {
		if n, ok := s.waits.get(h); ok {
			keys = append(keys, acceptedKey{n.machine, n.anchor})
		}
	}
	if len(keys) > 0 {
		// Its own chain deadline: the looks that follow keep theirs whole.
		cctx, cancel := s.chainCtx(ctx)
		defer cancel()
		p.PrefetchAccepted(cctx, keys)
	}
}

// What a publisher pass does with a verdict waiting for publication.
const (
	lookSkip    = iota // it waits as the last pass left it
	lookPeers          // only its peers are asked whether they signed since
	lookPrepare        // it is prepared afresh
)

// lookAt says what a pass does with verdict h. A verdict without a note (new, or
// with its quorum and waiting for its relay turn) is prepared when its recheck is
// due. A noted one (short of signatures, waitNote) is prepared again only when an
// input of its note changed; otherwise, with peers configured, they are asked on
// the recheck schedule, since a peer's signature is learnt only by asking.
func (s *Service) lookAt(ctx context.Context, h common.Hash, threshold int, oracles *oracleSet) int {
	now := s.cfg.Now()
	n, ok := s.waits.get(h)
	if ok && !s.noteHolds(ctx, h, n, threshold, oracles) {
		s.waits.drop(h)
		return lookPrepare
	}
	switch {
	case !s.rechecks.due(h, now):
		return lookSkip
	case !ok || n.held != len(n.signers):
		// A held signature not counted (its signer is no oracle now, or lacks the
		// verdict) may count again without a change the note can see.
		return lookPrepare
	case len(s.cfg.Peers) > 0:
		return lookPeers
	}
	return lookSkip
}

// noteHolds reports whether the inputs of verdict h's note are unchanged: the same
// threshold, every counted signer still an oracle, the verdict not accepted on-chain (the machine's logs, read once per
// machine, anchor and head), and its quorum not timed out. Any doubt (a chain read
// failed) says no. ctx bounds the chain reads.
func (s *Service) noteHolds(ctx context.Context, h common.Hash, n waitNote, threshold int, oracles *oracleSet) bool {
	s.qmu.Lock()
	q := s.quorum[h]
	s.qmu.Unlock()
	if q == nil || n.threshold != threshold || s.cfg.Now().Sub(q.first) > s.cfg.QuorumTimeout {
		return false
	}
	for _, a := range n.signers {
		if ok, err := oracles.isOracle(ctx, s, a); !ok || err != nil {
			return false
		}
	}
	accepted, err := readN(ctx, publishReadAttempts, func(ctx context.Context) (map[common.Hash]uint64, error) {
		return s.reg.AcceptedDigests(ctx, n.machine, n.anchor)
	})
	if err != nil {
		return false
	}
	_, in := accepted[h]
	return !in
}

// peersSigned asks the peers for their signatures over noted verdict h (storing
// what they give) and reports whether one came from a signer the note did not
// count: the verdict is then prepared afresh. Otherwise it is looked at again on
// the recheck schedule.
func (s *Service) peersSigned(ctx context.Context, h common.Hash, oracles *oracleSet) bool {
	n, ok := s.waits.get(h)
	v, err := s.verdictOf(h)
	if !ok || err != nil {
		return true
	}
	cctx, cancel := s.chainCtx(ctx)
	defer cancel()
	q := s.quorumOf(h)
	isOracle := func(a common.Address) (bool, error) { return oracles.isOracle(cctx, s, a) }
	got := map[common.Address][]byte{}
	if err := s.recordPeers(h, &v, q, s.askPeers(cctx, h, &v, q, isOracle), got); err != nil {
		return true
	}
	for a := range got {
		if !slices.Contains(n.signers, a) {
			s.waits.drop(h)
			return true
		}
	}
	s.rechecks.later(h, s.cfg.Now())
	return false
}

// oracleSet is what a publisher pass learnt of which addresses are oracles, shared
// by the verdicts it prepares at once.
type oracleSet struct {
	mu sync.Mutex
	m  map[common.Address]bool
}

// isOracle reports whether a is a current oracle, asking the registry once per
// address and pass (concurrent first asks may both read it).
func (o *oracleSet) isOracle(ctx context.Context, s *Service, a common.Address) (bool, error) {
	o.mu.Lock()
	ok, seen := o.m[a]
	o.mu.Unlock()
	if seen {
		return ok, nil
	}
	ok, err := readN(ctx, publishReadAttempts, func(ctx context.Context) (bool, error) { return s.reg.IsOracle(ctx, a) })
	if err != nil {
		return false, err
	}
	o.mu.Lock()
	o.m[a] = ok
	o.mu.Unlock()
	return ok, nil
}

// prepare returns the verdict with its quorum when this node should relay it now,
// nil when it waits, and settles verdicts already on-chain or refused.
func (s *Service) prepare(ctx context.Context, h common.Hash, subs []store.Submission, threshold int, oracles *oracleSet) (*candidate, error) {
	s.prepared.Add(1)
	v, err := s.verdictOf(h)
	if err != nil {
		return nil, err
	}
	cctx, cancel := s.chainCtx(ctx)
	defer cancel()
	if done, err := s.settleIfPublished(cctx, h, &v, subs); done || err != nil {
		return nil, err
	}
	if why, err := s.withdrawn(h); why != "" || err != nil {
		// Withdrawn by a pass or a batch outcome that stopped before failing every
		// submission of it: this node never relays it (withdraw.go).
		return nil, errors.Join(err, s.failAll(h, subs, why))
	}
	q := s.quorumOf(h)
	s.waits.begin(h)
	sigs, held, err := s.gather(cctx, h, &v, threshold, oracles, q)
	if err != nil {
		return nil, err
	}
	if len(sigs) < threshold {
		n := waitNote{machine: v.MachineID, anchor: v.AnchorBlockNumber, threshold: threshold, held: held}
		for _, sg := range sigs {
			n.signers = append(n.signers, sg.Signer)
		}
		s.waits.put(h, n) // dropped again if the quorum timed out (forget)
		return nil, s.failIfQuorumTimedOut(h, q, len(sigs), threshold, subs)
	}
	if !s.relaysNow(h, q, sigs) || s.registryPaused() {
		return nil, nil
	}
	if held, err := s.settleIfRefused(cctx, h, &v, sigs, subs); held || err != nil {
		return nil, err
	}
	return &candidate{hash: h, v: &v, sigs: sigs, subs: subs}, nil
}

// settleIfPublished confirms subs when verdict h is on-chain already (published
// by a peer, or by this node before a restart lost track).
func (s *Service) settleIfPublished(ctx context.Context, h common.Hash, v *verdict.Verdict, subs []store.Submission) (bool, error) {
	accepted, err := readN(ctx, publishReadAttempts, func(ctx context.Context) (map[common.Hash]uint64, error) {
		return s.reg.AcceptedDigests(ctx, v.MachineID, v.AnchorBlockNumber)
	})
	if err != nil {
		return false, err
	}
	block, ok := accepted[h]
	if !ok {
		return false, nil
	}
	for _, sub := range subs {
		if _, err := s.st.Transition(sub.ID, store.StateConfirmed, fmt.Sprintf("published by another relayer in block %d", block)); err != nil {
			return true, err
		}
		s.m.submissions.WithLabelValues("confirmed").Inc()
	}
	s.forget(h)
	return true, nil
}

// quorumOf returns the quorum progress of verdict h, starting it now if new.
func (s *Service) quorumOf(h common.Hash) *quorumState {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	q := s.quorum[h]
	if q == nil {
		q = &quorumState{first: s.cfg.Now()}
		s.quorum[h] = q
	}
	return q
}

// failIfQuorumTimedOut fails subs when verdict h has waited QuorumTimeout for its
// quorum; until then it keeps waiting.
func (s *Service) failIfQuorumTimedOut(h common.Hash, q *quorumState, have, threshold int, subs []store.Submission) error {
	if s.cfg.Now().Sub(q.first) <= s.cfg.QuorumTimeout {
		return nil
	}
	reason := fmt.Sprintf("no quorum within %s: %d of %d signatures", s.cfg.QuorumTimeout, have, threshold)
	if q.disagree {
		reason += "; peers reached a different verdict for the same evidence (policies or collateral differ)"
	}
	for _, sub := range subs {
		if err := s.fail(sub.ID, reason); err != nil {
			return err
		}
	}
	s.forget(h)
	return nil
}

// relaysNow reports whether this node relays a verdict h whose quorum sigs is
// complete: none does while a peer whose batch of it this node co-signed is
// relaying it (claimHold); otherwise the lowest-addressed signer of the quorum
// relays at once, and the others give it RelayDelay, then relay themselves, so a
// dead relayer does not stall a verdict and nodes rarely race each other for the
// same transaction.
func (s *Service) relaysNow(h common.Hash, q *quorumState, sigs []verdict.Signature) bool {
	if s.claimed(h) {
		return false
	}
	now := s.cfg.Now()
	s.qmu.Lock()
	if q.quorumAt.IsZero() {
		q.quorumAt = now
	}
	quorumAt := q.quorumAt
	s.qmu.Unlock()
	return sigs[0].Signer == s.oracle || now.Sub(quorumAt) >= s.cfg.RelayDelay
}

// settleIfRefused simulates the submission and reports whether the verdict is held
// back: refused by the registry for good (subs are failed), refused only while the
// registry is paused (it waits, notePaused), or refused for a change the pass's
// head does not show yet (laterBlockRefusals: it waits for a later head). An error
// means the chain did not answer.
func (s *Service) settleIfRefused(ctx context.Context, h common.Hash, v *verdict.Verdict, sigs []verdict.Signature, subs []store.Submission) (bool, error) {
	_, err := readN(ctx, publishReadAttempts, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.reg.SimulateSubmit(ctx, s.cfg.TxFrom, v, verdict.Sigs(sigs))
	})
	if err == nil {
		s.qmu.Lock()
		if q := s.quorum[h]; q != nil {
			q.refused = false // a later refusal waits for a later head again
		}
		s.qmu.Unlock()
		return false, nil
	}
	var re *chain.RevertError
	var reason string
	withdraw := false // the verdict itself is refused: no relayer may land it (withdraw.go)
	switch {
	case errors.As(err, &re) && re.Name == "RegistryPaused":
		s.notePaused()
		return true, nil
	case errors.As(err, &re) && laterBlockRefusals[re.Name] && s.waitsForLaterHead(ctx, h):
		return true, nil // a pass at a later head looks again
	case errors.As(err, &re):
		reason, withdraw = "the registry refuses the verdict: "+reasonText(re), refusesVerdict(re)
	case errors.Is(err, chain.ErrBadVerdict):
		reason, withdraw = "the verdict cannot be submitted: "+err.Error(), errors.Is(err, verdict.ErrInvalid)
	default:
		return false, err // the chain did not answer; try again
	}
	if withdraw {
		if err := s.withdraw(h, reason); err != nil {
			return true, err
		}
	}
	return true, s.failAll(h, subs, reason)
}

// failAll fails subs, the submissions carrying verdict h, and forgets h. Without
// a reason it does nothing.
func (s *Service) failAll(h common.Hash, subs []store.Submission, reason string) error {
	if reason == "" {
		return nil
	}
	for _, sub := range subs {
		if err := s.fail(sub.ID, reason); err != nil {
			return err
		}
	}
	s.forget(h)
	return nil
}

// laterBlockRefusals are the registry's refusals a change between a pass's pinned
// head, at which it counted the verdict's signatures and looked for it on-chain,
// and the latest block, at which it simulates, can cause: an oracle removed or the
// threshold raised (a pass at a later head counts the signatures again), the same
// verdict landed by another relayer (a pass at a later head confirms it).
var laterBlockRefusals = map[string]bool{"UnknownSigner": true, "InsufficientSignatures": true, "StaleVerdict": true}

// waitsForLaterHead reports whether verdict h, refused by a simulation of a pass
// pinned to a head (laterBlockRefusals), waits for a pass at a later head: true
// until a pass at a head after that of its first such refusal is refused too.
// Without a pinned head it says no.
func (s *Service) waitsForLaterHead(ctx context.Context, h common.Hash) bool {
	head, ok := pinnedHead(ctx)
	if !ok {
		return false
	}
	q := s.quorumOf(h)
	s.qmu.Lock()
	defer s.qmu.Unlock()
	if !q.refused {
		q.refused, q.refusedAt = true, head
	}
	return head <= q.refusedAt
}

func (s *Service) forget(h common.Hash) {
	s.qmu.Lock()
	delete(s.quorum, h)
	if c, ok := s.claims[h]; ok {
		s.dropClaim(h, c)
	}
	s.qmu.Unlock()
	s.rechecks.forget(h)
	s.waits.drop(h)
}

// gather returns the registered oracles' signatures over h this node holds, asking
// peers for theirs while fewer than threshold are known, and records each peer's
// answer in q; and how many signatures over h it holds, valid or not.
func (s *Service) gather(ctx context.Context, h common.Hash, v *verdict.Verdict, threshold int, oracles *oracleSet, q *quorumState) ([]verdict.Signature, int, error) {
	isOracle := func(a common.Address) (bool, error) { return oracles.isOracle(ctx, s, a) }
	held, err := s.st.Signatures(h)
	if err != nil {
		return nil, 0, err
	}
	sigs, err := validSignatures(h, held, isOracle)
	if err != nil {
		return nil, 0, err
	}
	sigs = s.withoutLacking(q, sigs)
	if len(sigs) < threshold && len(s.cfg.Peers) > 0 {
		answers := s.askPeers(ctx, h, v, q, isOracle)
		if err := s.recordPeers(h, v, q, answers, held); err != nil {
			return nil, 0, err
		}
		if sigs, err = validSignatures(h, held, isOracle); err != nil {
			return nil, 0, err
		}
		sigs = s.withoutLacking(q, sigs)
	}
	s.qmu.Lock()
	q.threshold, q.have = threshold, len(sigs)
	s.qmu.Unlock()
	return sigs, len(held), nil
}

// validSignatures returns the signatures of held over h made by current oracles,
// ordered by signer.
func validSignatures(h common.Hash, held map[common.Address][]byte, isOracle func(common.Address) (bool, error)) ([]verdict.Signature, error) {
	var out []verdict.Signature
	for a, sig := range held {
		if got, err := recoverSigner(h, sig); err != nil || got != a {
			continue
		}
		ok, err := isOracle(a)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, verdict.Signature{Signer: a, Sig: sig})
		}
	}
	verdict.SortBySigner(out)
	return out, nil
}

// askPeers asks every peer at once for its signature over h (a pass waits for the
// slowest peer, bounded by the HTTP client's timeout, not for the sum of them),
// giving the evidence to a peer that never saw it.
func (s *Service) askPeers(ctx context.Context, h common.Hash, v *verdict.Verdict, q *quorumState, isOracle func(common.Address) (bool, error)) []peerAnswer {
	answers := make([]peerAnswer, len(s.cfg.Peers))
	var wg sync.WaitGroup
	for i, p := range s.cfg.Peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := s.askPeer(ctx, p, h, v.EvidenceHash, isOracle)
			if st.status.Status == "pending" && !st.seen && !s.cfg.NoForward {
				st.status = s.forwardEvidence(ctx, p, v, q, st.status)
			}
			answers[i] = st
		}()
	}
	wg.Wait()
	return answers
}

// recordPeers stores the peers' signatures (adding them to held) and their status
// in q, counting a new disagreement.
func (s *Service) recordPeers(h common.Hash, v *verdict.Verdict, q *quorumState, answers []peerAnswer, held map[common.Address][]byte) error {
	peers := make([]api.PeerStatus, 0, len(answers))
	disagree := false
	for _, st := range answers {
		if st.sig != nil {
			if err := s.st.PutSignature(h, st.signer, st.sig); err != nil {
				return err
			}
			held[st.signer] = st.sig
		}
		disagree = disagree || st.status.Status == "disagrees"
		peers = append(peers, st.status)
	}
	s.qmu.Lock()
	defer s.qmu.Unlock()
	if disagree && !q.disagree {
		s.m.disagreements.Inc()
		s.log.Warn("peers disagree on a verdict", "verdict", h, "evidence", v.EvidenceHash, "machine", v.MachineID)
	}
	q.peers, q.disagree = peers, q.disagree || disagree
	return nil
}

type peerAnswer struct {
	status api.PeerStatus
	signer common.Address
	sig    []byte
	seen   bool // the peer has appraised this evidence (it reached some verdict)
}

// askPeer fetches a peer's signature over h; when it has none, it asks which
// verdict the peer reached for the same evidence, to tell "not yet" from "disagrees".
func (s *Service) askPeer(ctx context.Context, base string, h, evHash common.Hash, isOracle func(common.Address) (bool, error)) peerAnswer {
	out := peerAnswer{status: api.PeerStatus{URL: base}}
	var sv api.SignatureView
	code, err := s.getJSON(ctx, base+"/v1/verdicts/"+h.String()+"/signature", &sv)
	switch {
	case err != nil:
		out.status.Status, out.status.Detail = "unreachable", err.Error()
		return out
	case code == http.StatusOK:
		sig, err := hexutil.Decode(sv.Signature)
		if err != nil {
			out.status.Status, out.status.Detail = "bad_signature", "signature is not hex"
			return out
		}
		signer, err := verdict.Recover(h, sig)
		if err != nil || signer != sv.Signer {
			out.status.Status, out.status.Detail = "bad_signature", fmt.Sprintf("signature does not recover to the claimed signer %s", sv.Signer)
			return out
		}
		ok, err := isOracle(signer)
		if err != nil {
			out.status.Status, out.status.Detail = "unreachable", "registry: "+err.Error()
			return out
		}
		out.status.Signer = signer.String()
		if !ok {
			out.status.Status = "not_an_oracle"
			return out
		}
		// Only an oracle's key, not this node's, is noted for the peer: a peer
		// serving signatures by keys of its own making would otherwise add signers
		// without bound. Noting adds the peer to the URLs known for that oracle and
		// replaces none (notePeer), so a peer serving an honest oracle's copied
		// signature cannot take over the requests meant for it.
		if signer != s.oracle {
			s.notePeer(signer, base)
		}
		out.status.Status, out.signer, out.sig = "signed", signer, sig
		return out
	case code != http.StatusNotFound:
		out.status.Status, out.status.Detail = "unreachable", fmt.Sprintf("HTTP %d", code)
		return out
	}
	var ev struct {
		VerdictHashes []common.Hash `json:"verdict_hashes"`
	}
	code, err = s.getJSON(ctx, base+"/v1/evidence/"+evHash.String()+"/verdicts", &ev)
	out.status.Status = "pending"
	// 404: the evidence never reached the peer (forwardEvidence gives it); any other
	// answer means it has it, or that we cannot tell.
	out.seen = err != nil || code != http.StatusNotFound
	// A peer that reached this very verdict has not signed it yet (its worker is
	// between recording and signing): that is not a disagreement.
	if err == nil && code == http.StatusOK && len(ev.VerdictHashes) > 0 && !slices.Contains(ev.VerdictHashes, h) {
		out.status.Status, out.status.VerdictHashes = "disagrees", ev.VerdictHashes
	}
	return out
}

func (s *Service) getJSON(ctx context.Context, url string, v any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, err
	}
	if resp.StatusCode == http.StatusOK {
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(v); err != nil {
			return 0, fmt.Errorf("decode %s: %w", url, err)
		}
	}
	return resp.StatusCode, nil
}

// deferredEntryReasons are the registry's refusals of a batch entry that hold
// nothing against its verdict: the batch ran short of gas before the entry
// (InsufficientGasForEntry), because a change after the node's estimate sent an
// earlier entry down a costlier path (its provider revoked and re-authorised its
// key). Such a verdict goes back to signed and a later pass publishes it again.
var deferredEntryReasons = map[string]bool{"InsufficientGasForEntry": true}

// batchOutcome reads a mined submitBatch receipt for the verdicts the registry
// skipped (chain.VerdictSkipped), with the reason of each, so that their
// submissions end failed rather than confirmed, or, skipped for a reason that
// holds nothing against them (deferredEntryReasons), go back to signed (retry). A
// verdict skipped as stale whose very digest is accepted on-chain (another relayer
// landed the same verdict first) is not skipped: it is published.
func (s *Service) batchOutcome(ctx context.Context, rcpt *types.Receipt) (skipped, retry map[common.Hash]string, err error) {
	// The outcome is read until it is known, and the transaction manager journals
	// nothing more of this sender until then: a failure here must not stall it. A
	// receipt whose logs do not decode counts every carried verdict as applied (the
	// publisher's next pass reconciles them with VerdictAccepted).
	_, skippedEvs, err := s.reg.BatchOutcome(rcpt)
	if err != nil {
		s.log.Error("the registry's batch events do not decode; counting every verdict of the batch as applied", "tx", rcpt.TxHash, "err", err)
		return nil, nil, nil
	}
	out, retry := map[common.Hash]string{}, map[common.Hash]string{}
	for _, e := range skippedEvs {
		reason := "refused"
		if e.Reason != nil {
			reason = reasonText(e.Reason)
		}
		if e.Reason != nil && deferredEntryReasons[e.Reason.Name] {
			retry[e.Digest] = reason
			s.m.batches.WithLabelValues("entry_deferred").Inc()
			s.log.Warn("the registry did not try a verdict of a batch for want of gas; it is published again", "verdict", e.Digest,
				"machine", e.MachineID, "index", e.Index, "reason", reason, "tx", rcpt.TxHash)
			continue
		}
		if e.Reason != nil && e.Reason.Name == "StaleVerdict" {
			landed, err := s.landedElsewhere(ctx, e, rcpt.BlockNumber.Uint64())
			if landed {
				continue
			}
			if err != nil {
				reason += "; whether another relayer landed the same verdict could not be read: " + err.Error()
			}
		}
		if e.Reason != nil && refusesVerdict(e.Reason) {
			// The verdict itself is refused: this node's signature over it is
			// withdrawn before the journal fails its submissions (withdraw.go).
			if err := s.withdraw(e.Digest, "the registry skipped the verdict: "+reason); err != nil {
				return nil, nil, err
			}
		}
		out[e.Digest] = reason
		s.m.batches.WithLabelValues("entry_skipped").Inc()
		s.log.Warn("the registry skipped a verdict of a batch", "verdict", e.Digest, "machine", e.MachineID, "index", e.Index,
			"reason", reason, "tx", rcpt.TxHash)
	}
	return out, retry, nil
}

// deferredIn returns the verdicts a mined batch did not try for want of gas
// (deferredEntryReasons), with their entry index: the journal handed them back to
// signed with the receipt.
func (s *Service) deferredIn(rcpt *types.Receipt) map[common.Hash]uint64 {
	out := map[common.Hash]uint64{}
	if _, skipped, err := s.reg.BatchOutcome(rcpt); err == nil {
		for _, e := range skipped {
			if e.Reason != nil && deferredEntryReasons[e.Reason.Name] {
				out[e.Digest] = e.Index
			}
		}
	}
	return out
}

// landedElsewhere reports whether the verdict a batch skipped as stale is on-chain
// all the same (another relayer landed it first), looking from its anchor block or,
// without it, from the oldest block a trusted verdict of this batch could anchor to.
func (s *Service) landedElsewhere(ctx context.Context, e chain.VerdictSkipped, block uint64) (bool, error) {
	from := block - min(block, 256)
	if sv, err := s.st.Verdict(e.Digest); err == nil {
		var v verdict.Verdict
		if json.Unmarshal(sv.Body, &v) == nil {
			from = v.AnchorBlockNumber
		}
	}
	cctx, cancel := s.chainCtx(ctx)
	defer cancel()
	accepted, err := readN(cctx, publishReadAttempts, func(ctx context.Context) (map[common.Hash]uint64, error) {
		return s.reg.AcceptedDigests(ctx, e.MachineID, from)
	})
	if err != nil {
		return false, err
	}
	_, ok := accepted[e.Digest]
	return ok, nil
}

// send publishes one batch, built by build, through the transaction manager and
// waits for it. The journal moves the carried submissions to submitted (with the
// first attempt) and to confirmed or failed (with the receipt), or back to signed
// when the transaction reverted for a reason that holds nothing against them
// (revertOutcome); the verdicts it settled are forgotten (confirmed, skipped or
// reverted). Those of a batch not
// built or not sent stay signed for the next pass; those in flight as the node
// stops stay journaled and are settled at its next start.
func (s *Service) send(ctx context.Context, batch []*candidate, build func() (chain.TxCandidate, error)) {
	// The candidate's refs are the verdicts' digests under the registry's domain:
	// the hashes the journal moves the carried submissions by.
	cand, err := build()
	if err != nil {
		s.m.batches.WithLabelValues("error").Inc()
		s.log.Error("verdict batch not buildable", "count", len(batch), "err", err)
		return
	}
	rcpt, err := s.tx.Send(ctx, cand)
	switch {
	case err == nil:
		s.m.batches.WithLabelValues("confirmed").Inc()
		deferred := s.deferredIn(rcpt)
		s.m.published.Add(float64(len(batch) - len(deferred)))
		now := s.cfg.Now()
		for _, c := range batch {
			if index, ok := deferred[c.hash]; ok {
				s.deferredAgain(c, index) // back to signed: a later pass publishes it first (batchOutcome)
				continue
			}
			for _, sub := range c.subs {
				s.m.submissions.WithLabelValues("confirmed").Inc()
				s.m.confirmLat.Observe(now.Sub(sub.ReceivedAt).Seconds())
			}
			s.forget(c.hash)
		}
		s.log.Info("verdicts published", "count", len(batch), "tx", rcpt.TxHash, "block", rcpt.BlockNumber, "gas", rcpt.GasUsed)
	case errors.Is(err, chain.ErrHandedBack):
		// The revert holds nothing against the verdicts (revertOutcome): the
		// journal handed them back to signed, for a later pass to publish again.
		s.m.batches.WithLabelValues("reverted_retry").Inc()
		s.log.Warn("verdict batch reverted; its verdicts are published again", "count", len(batch), "err", err)
		s.handedBack(batch, err)
	case errors.Is(err, chain.ErrReverted):
		// The journal failed the carried submissions with the receipt: nothing
		// else settles their verdicts, so they are forgotten here.
		s.m.batches.WithLabelValues("reverted").Inc()
		s.log.Error("verdict batch reverted", "count", len(batch), "err", err)
		for _, c := range batch {
			s.forget(c.hash)
		}
	case errors.Is(err, chain.ErrInsufficientFunds):
		s.m.batches.WithLabelValues("insufficient_funds").Inc()
		s.m.noFunds.Inc()
		if s.setFundsShort(err) {
			s.log.Error("sending account cannot pay for verdict transactions; publishing stops until it is funded",
				"from", s.cfg.TxFrom, "count", len(batch), "err", err)
		}
	case errors.Is(err, chain.ErrInFlight) || ctx.Err() != nil:
		s.m.batches.WithLabelValues("in_flight").Inc()
	default:
		s.m.batches.WithLabelValues("error").Inc()
		s.log.Warn("verdict batch not sent; retrying on the next pass", "count", len(batch), "err", err)
	}
}
