package service

import (
	"context"
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
			VerdictMeta: func(h common.Hash) []string { return []string{audit.RecordKey(h)} },
		}
		for {
			st, err := s.st.PruneFailed(opts)
			if err != nil {
				s.log.Warn("pruning failed submissions", "err", err)
				break
			}
			if st.Submissions > 0 {
				s.m.pruned.Add(float64(st.Submissions))
				s.log.Info("pruned failed submissions", "submissions", st.Submissions, "evidence", st.Evidence,
					"evidence_bytes", st.EvidenceBytes, "verdicts", st.Verdicts, "older_than", s.cfg.RetainFailed)
			}
			if !st.More {
				break
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
