package service

import (
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/api"
)

// ErrMachineFailures: the machine has as many submissions failed for their
// evidence as the node keeps for one machine (Config.MaxFailedPerMachine).
var ErrMachineFailures = errors.New("too many failed submissions for this machine")

// failWindow is the time over which a machine's submissions failed for their
// evidence count against MaxFailedPerMachine: RetainFailed, or 24 h when failed
// submissions are kept forever (so a machine is not shut out for good by its
// failures).
func (s *Service) failWindow() time.Duration {
	if s.cfg.RetainFailed > 0 {
		return s.cfg.RetainFailed
	}
	return 24 * time.Hour
}

// admitFailures refuses a submission for machine id (429, api.TooManyError) when
// MaxFailedPerMachine of the machine's submissions failed for their evidence
// (store.Submission.EvidenceFault) within the fail window: a failed submission is
// kept with its evidence for RetainFailed, so without this whoever holds a
// machine's authorised key could fill the node's disk with evidence that fails, at
// the per-client rate from every address it has. Failures that are not the
// evidence's (an outage, no quorum, the registry's refusal) are not counted. Retry-After is
// when the earliest of those failures leaves the window (the retention loop
// deletes it about then).
func (s *Service) admitFailures(id common.Hash) error {
	now, window, bound := s.cfg.Now(), s.failWindow(), s.cfg.MaxFailedPerMachine
	n, oldest, err := s.st.MachineFailures(id, now.Add(-window), bound)
	if err != nil {
		return fmt.Errorf("store submission: %w", err)
	}
	if n < bound {
		return nil
	}
	wait := max(oldest.Add(window).Sub(now), time.Second)
	return &api.TooManyError{RetryAfter: wait, Err: fmt.Errorf(
		"%w: machine %s has %d submissions whose evidence failed in the last %s, the most this node keeps for one machine (%d); retry in %s",
		ErrMachineFailures, id, n, window, bound, wait.Round(time.Second))}
}
