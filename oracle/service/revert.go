package service

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ethereum/go-ethereum/core/types"

	"github.com/teeoracle/teeoracle/oracle/chain"
)

// handBackReverts are the registry's reverts of a whole submitBatch or
// submitVerdicts transaction that hold nothing against its verdicts, only a change
// between the verdicts' simulation and the transaction's inclusion: the owner
// paused the registry (RegistryPaused), or an oracle was removed or the threshold
// raised (UnknownSigner, InsufficientSignatures: the transaction's signature set,
// which the next pass gathers afresh). The other whole-transaction reverts
// (MalformedBatch, InvalidSignature, ...) are the transaction's own and fail its
// verdicts; a verdict the registry refuses is skipped, never reverted.
var handBackReverts = map[string]bool{"RegistryPaused": true, "UnknownSigner": true, "InsufficientSignatures": true}

// maxHandBacks is how many transactions in a row may carry a verdict alone and
// revert for a reason that holds nothing against it before the verdict fails: each
// was sent after a passing simulation, so more reverts in a row are no race. A
// transaction carrying other verdicts too is not counted against any of them: one
// verdict's provider can make it revert (its machines' entries, front-run by key
// rotations, take more gas than the limit holds), so its verdicts are sent alone
// from then on (handedBack, nextBatch), and only a verdict whose own transaction
// reverted maxHandBacks times fails.
const maxHandBacks = 3

// revertOutcome is the transaction manager's Reverted for the node's verdict
// transactions: it reads why tx reverted, and says to hand its verdicts back (they
// go back to signed, and a later pass publishes them again) unless the revert is
// the transaction's own fault. Gas used up is a state change since the estimate;
// otherwise tx is replayed with eth_call on the state after its block, where a
// pause or an oracle change mined before it shows. A replay that succeeds means a
// transaction before it in the block changed what it depends on; one the node
// cannot answer (its state of the block pruned) hands the verdicts back too, since
// the next pass simulates each again and fails those the registry refuses.
func (s *Service) revertOutcome(ctx context.Context, tx *types.Transaction, rcpt *types.Receipt) (bool, string, error) {
	if rcpt.GasUsed >= tx.Gas() {
		return true, fmt.Sprintf("out of gas (all %d used): the state changed since its estimate", tx.Gas()), nil
	}
	cand := chain.TxCandidate{To: tx.To(), Data: tx.Data(), Value: tx.Value()}
	cctx, cancel := s.chainCtx(ctx)
	defer cancel()
	_, err := readN(cctx, publishReadAttempts, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.reg.ReplayAt(ctx, s.cfg.TxFrom, cand, rcpt.BlockNumber.Uint64())
	})
	var re *chain.RevertError
	switch {
	case err == nil:
		return true, "it succeeds on the state after its block: a transaction before it changed what it depends on", nil
	case errors.As(err, &re) && handBackReverts[re.Name]:
		if re.Name == "RegistryPaused" {
			s.notePaused()
		}
		return true, reasonText(re), nil
	case errors.As(err, &re):
		return false, reasonText(re), nil
	case ctx.Err() != nil:
		return false, "", ctx.Err() // settled at the next start
	}
	s.log.Warn("why a verdict transaction reverted could not be read; its verdicts are simulated again", "tx", rcpt.TxHash, "err", err)
	return true, "the reason could not be read: " + err.Error(), nil
}

// handedBack keeps the verdicts of batch, which the journal handed back to signed
// after their transaction reverted for reason, for a later pass. The verdicts of a
// batch of several are marked to be sent alone (nextBatch), and no revert is
// counted against them; a verdict whose transactions, carrying it alone, reverted
// maxHandBacks times in a row fails.
func (s *Service) handedBack(batch []*candidate, reason error) {
	if len(batch) > 1 {
		for _, c := range batch {
			q := s.quorumOf(c.hash)
			s.qmu.Lock()
			q.alone = true
			s.qmu.Unlock()
		}
		s.log.Warn("a transaction of several verdicts reverted; each is sent alone from now on", "count", len(batch), "err", reason)
		return
	}
	for _, c := range batch {
		q := s.quorumOf(c.hash)
		s.qmu.Lock()
		q.alone = true
		q.handBacks++
		n := q.handBacks
		s.qmu.Unlock()
		if n < maxHandBacks {
			continue
		}
		why := fmt.Sprintf("%d transactions carrying the verdict alone reverted in a row, the last: %v", n, reason)
		s.m.publishFailed.WithLabelValues("reverted").Inc()
		for _, sub := range c.subs {
			if err := s.fail(sub.ID, why); err != nil {
				s.log.Error("fail submission", "id", sub.ID, "err", err)
			}
		}
		s.forget(c.hash)
	}
}

// nextBatch takes from cs, in order, the verdicts of the next transaction, at most
// max of them (at least one), and returns the others in order. A verdict to be sent
// alone (a transaction of several carrying it reverted, handedBack) goes alone.
// Otherwise the first verdict leads, and the later ones follow it, except those to
// be sent alone and those deferred for want of gas (deferredAgain): a deferred
// verdict leads a batch of its own, since only the first entry always finds the
// whole gas limit (callers put deferred verdicts first, deferredLead).
func (s *Service) nextBatch(cs []*candidate, max int) (batch, rest []*candidate) {
	if len(cs) == 0 {
		return nil, nil
	}
	s.qmu.Lock()
	defer s.qmu.Unlock()
	solo := func(c *candidate) bool { q := s.quorum[c.hash]; return q != nil && q.alone }
	batch = []*candidate{cs[0]}
	if solo(cs[0]) {
		return batch, slices.Clone(cs[1:])
	}
	for _, c := range cs[1:] {
		q := s.quorum[c.hash]
		if len(batch) < max && !solo(c) && (q == nil || q.deferrals == 0) {
			batch = append(batch, c)
		} else {
			rest = append(rest, c)
		}
	}
	return batch, rest
}

// deferredLead returns cs with the verdicts deferred for want of gas first (in
// their order), then the others in theirs.
func (s *Service) deferredLead(cs []*candidate) []*candidate {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b *candidate) int {
		da, db := s.quorum[a.hash] != nil && s.quorum[a.hash].deferrals > 0, s.quorum[b.hash] != nil && s.quorum[b.hash].deferrals > 0
		switch {
		case da && !db:
			return -1
		case db && !da:
			return 1
		}
		return 0
	})
	return out
}

// maxDeferrals is how many mined batches may leave a verdict untried for want of
// gas (InsufficientGasForEntry) while it was their first entry before it fails.
// The first entry finds the batch's whole limit, estimated with the reserve for
// one entry sent down a costlier path: only a verdict whose own machine's key
// binding changed since the estimate (its provider revoked and re-authorised the
// key, again and again) is deferred there.
const maxDeferrals = 3

// deferredAgain counts that a mined batch did not try verdict c for want of gas,
// at entry index: it leads its next batch, and fails once it was deferred
// maxDeferrals times as the first entry.
func (s *Service) deferredAgain(c *candidate, index uint64) {
	q := s.quorumOf(c.hash)
	s.qmu.Lock()
	q.deferrals++
	if index == 0 {
		q.deferredAsFirst++
	}
	n := q.deferredAsFirst
	s.qmu.Unlock()
	if n < maxDeferrals {
		return
	}
	why := fmt.Sprintf("%d mined batches did not try the verdict, their first entry, for want of gas (InsufficientGasForEntry): "+
		"the key binding of its machine changed after each estimate", n)
	s.m.publishFailed.WithLabelValues("deferred").Inc()
	for _, sub := range c.subs {
		if err := s.fail(sub.ID, why); err != nil {
			s.log.Error("fail submission", "id", sub.ID, "err", err)
		}
	}
	s.forget(c.hash)
}
