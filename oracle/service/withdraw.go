package service

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// Which of its signatures over failed verdicts this node still hands out.
//
// A verdict this node signed ends failed for one of two kinds of cause:
//
//   - The verdict must not go on-chain: the registry refuses the verdict itself
//     (its machine's key revoked or bound to another machine, the machine retired
//     or deregistered, its policy retired, its anchor too old, a newer verdict of
//     the machine superseding it: StaleVerdict), found when simulating it
//     (settleIfRefused) or as a batch entry the registry skipped (batchOutcome);
//     or the binding facts refuse it when a submission a previous run left
//     verified is resumed (resumeVerified). The node withdraws its signature: it
//     records why under withdrawnKey before failing the submissions, and from
//     then on Signature answers api.ErrNotFound with that reason, Verdict leaves
//     the node's signature out and BatchSignature does not co-sign the verdict.
//   - Only this node could not publish it: its quorum timed out here, its own
//     transaction reverted (gas, a reorg), the chain did not answer, or the
//     registry refused the signature set this node assembled or the moment
//     (publishOnlyRefusals). The verdict is as good as it was, so its signature
//     stays available: a peer holding a quorum may still publish it (retention
//     then confirms the failed submission, PruneOptions.Published).
//
// Re-appraisal fails no signed submission: it re-examines verdicts that are
// on-chain already and makes a new downgrade verdict, which supersedes them there.
// Retention deletes a pruned verdict with every signature and its withdrawal
// record; Signature then answers as for any verdict this node does not hold.

// withdrawnKey is the metadata key holding why this node withdrew its signature
// over verdict h.
func withdrawnKey(h common.Hash) string { return "withdrawn/" + h.Hex() }

// publishOnlyRefusals are the registry's refusals of the signature set a relayer
// assembled, or of the moment, not of the verdict: another relayer, with other
// signatures or later, may still land it with this node's signature.
var publishOnlyRefusals = map[string]bool{"InsufficientSignatures": true, "UnknownSigner": true,
	"SignersNotAscending": true, "InvalidSignature": true, "RegistryPaused": true}

// refusesVerdict reports whether a registry refusal is of the verdict itself, so
// that no relayer may land it. A revert whose error the ABI does not name says
// nothing of the verdict.
func refusesVerdict(re *chain.RevertError) bool {
	return re.Name != "" && !publishOnlyRefusals[re.Name]
}

// withdraw records that verdict h must not go on-chain, and why: this node hands
// out its signature over h no more. It is written before the submissions carrying
// h are failed, so that none is failed for such a cause with its signature served.
func (s *Service) withdraw(h common.Hash, reason string) error {
	if err := s.st.SetMeta(withdrawnKey(h), []byte(reason)); err != nil {
		return fmt.Errorf("withdraw signature over verdict %s: %w", h, err)
	}
	return nil
}

// withdrawn returns why this node withdrew its signature over verdict h, or "".
func (s *Service) withdrawn(h common.Hash) (string, error) {
	b, err := s.st.Meta(withdrawnKey(h))
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// ownSignature returns this node's signature over verdict h when it hands it out:
// api.ErrNotFound when it holds none or withdrew it (saying why).
func (s *Service) ownSignature(h common.Hash) ([]byte, error) {
	why, err := s.withdrawn(h)
	if err != nil {
		return nil, err
	}
	if why != "" {
		return nil, fmt.Errorf("%w: this node withdrew its signature over verdict %s: %s", api.ErrNotFound, h, why)
	}
	sig, err := s.st.Signature(h, s.oracle)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: this node has not signed verdict %s", api.ErrNotFound, h)
	}
	return sig, err
}
