package service

import (
	"context"
	"errors"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// pruneLoop applies the retention policy every PruneInterval: failed submissions
// older than RetainFailed go with their evidence (unless a kept submission refers to
// it), their parameters and evidence index, and their unpublished verdicts with
// audit records. It also refreshes the archive size metrics.
func (s *Service) pruneLoop(ctx context.Context) {
	for {
		s.pruneOnce()
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.cfg.PruneInterval):
		}
	}
}

func (s *Service) pruneOnce() {
	if s.cfg.RetainFailed > 0 {
		opts := store.PruneOptions{
			Before: s.cfg.Now().Add(-s.cfg.RetainFailed),
			Meta: func(sub store.Submission) map[string][]byte {
				return map[string][]byte{"sub/" + sub.ID: nil, "ev/" + sub.EvidenceHash.String(): []byte(sub.ID)}
			},
			VerdictMeta: func(h common.Hash) []string { return []string{audit.RecordKey(h), withdrawnKey(h)} },
		}
		// One failed chain read holds every later verdict of the pass: each would
		// wait for its own timeout.
		var chainErr error
		opts.Published = func(h common.Hash) (bool, error) {
			if chainErr != nil {
				return false, chainErr
			}
			on, err := s.publishedElsewhere(h, &chainErr)
			return on, err
		}
		for {
			st, err := s.st.PruneFailed(opts)
			if err != nil {
				s.log.Warn("pruning failed submissions", "err", err)
				break
			}
			if st.Confirmed > 0 || st.Held > 0 {
				s.m.submissions.WithLabelValues("confirmed").Add(float64(st.Confirmed))
				s.log.Info("failed submissions whose verdict is on-chain, or may be, kept", "confirmed", st.Confirmed, "held", st.Held)
			}
			if st.Submissions > 0 {
				s.m.pruned.Add(float64(st.Submissions))
				s.log.Info("pruned failed submissions", "submissions", st.Submissions, "evidence", st.Evidence,
					"evidence_bytes", st.EvidenceBytes, "verdicts", st.Verdicts, "older_than", s.cfg.RetainFailed)
			}
			if !st.More || st.Held > 0 {
				break // the held ones would come first again: the next pass
			}
		}
	}
	sizes, err := s.st.ArchiveSizes()
	if err != nil {
		s.log.Warn("archive size", "err", err)
		return
	}
	for kind, sz := range sizes {
		s.m.archiveBytes.WithLabelValues(kind).Set(float64(sz.Bytes))
		s.m.archiveEntries.WithLabelValues(kind).Set(float64(sz.Entries))
	}
}

// publishedElsewhere reports whether verdict h, which pruning its failed
// submissions would delete, is on-chain: a peer can publish it with this node's
// signature (Service.Signature still hands it out after a failure of this node's
// own, withdraw.go) after this node failed it, its quorum timed out here first, or
// a batch skipped it as stale when whether it landed could not be read (its
// signature withdrawn then, it may have landed before). A verdict this node did not sign
// is not asked about. An error keeps the verdict for the next pass; a failed chain
// read is also left in *chainErr.
func (s *Service) publishedElsewhere(h common.Hash, chainErr *error) (bool, error) {
	if _, err := s.st.Signature(h, s.oracle); errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	v, err := s.verdictOf(h)
	if err != nil {
		return false, err
	}
	ctx, cancel := s.chainCtx(context.Background())
	defer cancel()
	accepted, err := readN(ctx, publishReadAttempts, func(ctx context.Context) (map[common.Hash]uint64, error) {
		return s.reg.AcceptedDigests(ctx, v.MachineID, v.AnchorBlockNumber)
	})
	if err != nil {
		s.log.Warn("whether a failed submission's verdict is on-chain could not be read; it and the rest of this pruning's are kept for the next", "verdict", h, "err", err)
		*chainErr = err
		return false, err
	}
	_, ok := accepted[h]
	return ok, nil
}
