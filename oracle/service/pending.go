package service

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// maxPendingPerMachine bounds the submissions of one machine the node holds
// accepted but not settled (neither confirmed nor failed). The registry keeps one
// verdict per machine and skips a batch entry not newer than the machine's
// current one (StaleVerdict), so more in flight only cost gas and disk: an agent
// re-attests once per interval, and a second slot lets a new attestation in while
// an earlier one is held back (deferred for collateral, waiting for its quorum).
const maxPendingPerMachine = 2

// pendingRetry is the Retry-After of a submission refused by maxPendingPerMachine:
// about the time a pending submission takes to be appraised, signed and published.
const pendingRetry = time.Minute

var (
	// ErrMachinePending: the machine has maxPendingPerMachine submissions accepted
	// and not settled.
	ErrMachinePending = errors.New("too many unsettled submissions for this machine")
	// ErrNotNewer: the submission's anchor is not after that of an unsettled
	// submission of the same machine, whose verdict the registry would take instead.
	ErrNotNewer = errors.New("not newer than an unsettled submission of this machine")
)

// pendingSubs is, per machine, the submissions Submit accepted (and, after a
// start, the store's unfinished ones) that were not seen settled. A settled one is
// dropped when the machine's next submission looks at it (admitPending).
type pendingSubs struct {
	mu  sync.Mutex
	ids map[common.Hash][]string
	// lock serialises the bound's check and the store write per machine.
	lock keyedMutex
}

func (p *pendingSubs) list(machine common.Hash) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.ids[machine])
}

func (p *pendingSubs) set(machine common.Hash, ids []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ids == nil {
		p.ids = map[common.Hash][]string{}
	}
	if len(ids) == 0 {
		delete(p.ids, machine)
		return
	}
	p.ids[machine] = ids
}

func (p *pendingSubs) add(machine common.Hash, id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ids == nil {
		p.ids = map[common.Hash][]string{}
	}
	p.ids[machine] = append(p.ids[machine], id)
}

// loadPending notes the store's unfinished submissions as pending for their
// machines (at start, before the API serves).
func (s *Service) loadPending() error {
	return s.st.Unfinished(func(sub store.Submission) error {
		s.pending.add(sub.MachineID, sub.ID)
		return nil
	})
}

// admitPending refuses a new submission of machine whose anchor time is asOf
// when the machine has maxPendingPerMachine unsettled submissions (429 with
// Retry-After, ErrMachinePending), or one anchored at asOf or later (409,
// ErrNotNewer, as an *api.SubmissionConflict naming that submission, which an
// agent whose answer to it was lost then polls): the registry would take at most
// one of them, the newest. Settled submissions (confirmed, failed, pruned) free
// their slot. The caller holds s.pending.lock for machine until the new
// submission is stored and noted.
func (s *Service) admitPending(machine common.Hash, asOf int64) error {
	var open []string
	for _, id := range s.pending.list(machine) {
		sub, err := s.st.Submission(id)
		if errors.Is(err, store.ErrNotFound) || err == nil && sub.State.Terminal() {
			continue
		}
		if err != nil {
			return fmt.Errorf("store submission: pending %s: %w", id, err)
		}
		m, err := s.subMeta(id)
		if errors.Is(err, store.ErrNotFound) {
			continue // pruned since it was read
		}
		if err != nil {
			return fmt.Errorf("store submission: %w", err)
		}
		if m.Reappraisal {
			// The node's own re-appraisal (noted at a start) takes no agent's slot.
			continue
		}
		open = append(open, id)
		if asOf <= m.AsOf {
			s.pending.set(machine, open)
			return &api.SubmissionConflict{Submission: id, Err: fmt.Errorf(
				"%w: %w: machine %s has submission %s anchored at time %d, not before this one's %d; poll it, or attest again with a later anchor once it settles",
				api.ErrConflict, ErrNotNewer, machine, id, m.AsOf, asOf)}
		}
	}
	s.pending.set(machine, open)
	if len(open) >= maxPendingPerMachine {
		return &api.TooManyError{RetryAfter: pendingRetry, Err: fmt.Errorf(
			"%w: machine %s has %d submissions not yet confirmed or failed (%v), the most this node accepts; retry once one settles",
			ErrMachinePending, machine, len(open), open)}
	}
	return nil
}

// onePerMachine returns ready, the verdicts a publisher pass found ready to relay,
// with at most one per machine: the one issued last (the first of ready on a
// tie), and only when it is issued after every verdict of the machine a pending
// transaction carries. The registry skips a verdict not newer than the machine's
// current one (StaleVerdict), so the others would only cost gas: their
// submissions fail, with a reason naming the newer verdict, and not as their
// evidence's fault.
func (s *Service) onePerMachine(ready []*candidate) []*candidate {
	if len(ready) == 0 {
		return ready
	}
	newest := map[common.Hash]*candidate{}
	for _, c := range ready {
		if b := newest[c.v.MachineID]; b == nil || c.v.IssuedAt > b.v.IssuedAt {
			newest[c.v.MachineID] = c
		}
	}
	carried, err := s.carriedIssued(newest)
	if err != nil {
		s.log.Warn("reading the verdicts pending transactions carry", "err", err)
	}
	var keep []*candidate
	for _, c := range ready {
		why := ""
		if b := newest[c.v.MachineID]; b != c {
			why = fmt.Sprintf("not published: verdict %s of machine %s, issued at %d, is relayed instead of this one issued at %d; the registry keeps only a machine's newest verdict",
				b.hash, c.v.MachineID, b.v.IssuedAt, c.v.IssuedAt)
		} else if p, ok := carried[c.v.MachineID]; ok && p.issued >= c.v.IssuedAt {
			why = fmt.Sprintf("not published: a pending transaction carries verdict %s of machine %s, issued at %d, not before this one (%d); the registry keeps only a machine's newest verdict",
				p.hash, c.v.MachineID, p.issued, c.v.IssuedAt)
		}
		if why == "" {
			keep = append(keep, c)
			continue
		}
		if err := s.failAll(c.hash, c.subs, why); err != nil {
			s.log.Error("fail a verdict superseded for its machine", "verdict", c.hash, "err", err)
		}
	}
	return keep
}

type issuedVerdict struct {
	hash   common.Hash
	issued uint64
}

// carriedIssued returns, for the machines of newest, the latest-issued verdict
// that a pending transaction carries (submissions in StateSubmitted), other than
// the machine's verdict in newest.
func (s *Service) carriedIssued(newest map[common.Hash]*candidate) (map[common.Hash]issuedVerdict, error) {
	out := map[common.Hash]issuedVerdict{}
	err := s.st.UnfinishedIn([]store.State{store.StateSubmitted}, func(sub store.Submission) error {
		c := newest[sub.MachineID]
		if c == nil || c.hash == sub.VerdictHash {
			return nil
		}
		v, err := s.verdictOf(sub.VerdictHash)
		if err != nil {
			return err
		}
		if p, ok := out[sub.MachineID]; !ok || v.IssuedAt > p.issued {
			out[sub.MachineID] = issuedVerdict{hash: sub.VerdictHash, issued: v.IssuedAt}
		}
		return nil
	})
	return out, err
}
