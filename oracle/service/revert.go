package service

import (
	"context"
	"errors"
	"fmt"

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

// maxHandBacks is how many transactions in a row may carry a verdict and revert
// for a reason that holds nothing against it before the verdict fails: each was
// sent after a passing simulation, so more reverts in a row are no race.
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
// after their transaction reverted for reason, for a later pass; a verdict whose
// transactions reverted maxHandBacks times in a row fails.
func (s *Service) handedBack(batch []*candidate, reason error) {
	for _, c := range batch {
		q := s.quorumOf(c.hash)
		s.qmu.Lock()
		q.handBacks++
		n := q.handBacks
		s.qmu.Unlock()
		if n < maxHandBacks {
			continue
		}
		why := fmt.Sprintf("%d transactions carrying the verdict reverted in a row, the last: %v", n, reason)
		for _, sub := range c.subs {
			if err := s.fail(sub.ID, why); err != nil {
				s.log.Error("fail submission", "id", sub.ID, "err", err)
			}
		}
		s.forget(c.hash)
	}
}
