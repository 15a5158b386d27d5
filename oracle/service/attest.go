package service

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// metaLastScanned is the store key of the last registry block scanned for events.
const metaLastScanned = "attest/last_scanned_block"

// logChunk bounds the block range of one eth_getLogs call; public endpoints refuse
// large ranges.
const logChunk = 5000

// attestLoop keeps the machine table current from the registry's events and
// re-appraises archived evidence when collateral changes.
func (s *Service) attestLoop(ctx context.Context) {
	for ctx.Err() == nil {
		if err := s.attestOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("continuous attestation pass failed; retrying", "err", err)
		}
		sleepCtx(ctx, s.cfg.ReappraiseInterval)
	}
}

func (s *Service) attestOnce(ctx context.Context) error {
	if err := s.track(ctx); err != nil {
		return err
	}
	if s.cfg.RefreshCollateral != nil {
		if err := s.cfg.RefreshCollateral(ctx); err != nil {
			s.log.Warn("collateral refresh failed", "err", err)
		}
	}
	return s.reappraise(ctx)
}

// track scans registry events since the last scanned block and refreshes the
// records of every machine they name.
func (s *Service) track(ctx context.Context) error {
	cctx, cancel := s.chainCtx(ctx)
	defer cancel()
	// A pass makes many reads in a row; each is retried a few times so that one
	// failed request to a struggling endpoint does not lose the whole pass.
	head, err := readN(cctx, publishReadAttempts, s.rpc.BlockNumber)
	if err != nil {
		return err
	}
	from := s.cfg.StartBlock
	if b, err := s.st.Meta(metaLastScanned); err == nil && len(b) == 8 {
		from = binary.BigEndian.Uint64(b) + 1
	}
	if from > head+1 {
		// The chain is behind what we scanned: it was reset. Rescan from the start.
		s.log.Warn("chain head below the last scanned block; rescanning registry events", "head", head, "scanned", from-1)
		from = s.cfg.StartBlock
		s.tmu.Lock()
		s.machines = map[common.Hash]MachineRecord{}
		s.tmu.Unlock()
	}
	touched := map[common.Hash]bool{}
	for lo := from; lo <= head; lo += logChunk {
		hi := min(lo+logChunk-1, head)
		ids, err := readN(cctx, publishReadAttempts, func(ctx context.Context) ([]common.Hash, error) {
			return s.reg.MachinesTouched(ctx, lo, hi)
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			touched[id] = true
		}
	}
	// Refresh everything touched, and everything known (expiry moves with time, not
	// events, but records can also change by deregistration).
	s.tmu.RLock()
	for id := range s.machines {
		touched[id] = true
	}
	s.tmu.RUnlock()
	fresh := make(map[common.Hash]MachineRecord, len(touched))
	for id := range touched {
		rec, err := readN(cctx, publishReadAttempts, func(ctx context.Context) (MachineRecord, error) {
			return s.reg.Machine(ctx, id)
		})
		if err != nil {
			return err
		}
		if rec.State == machineRegistered {
			fresh[id] = rec
		}
	}
	s.tmu.Lock()
	s.machines = fresh
	s.tmu.Unlock()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], head)
	return s.st.SetMeta(metaLastScanned, b[:])
}

// chainTime returns the head block's timestamp: verdict validity is judged by the
// chain's clock, which is the one the registry uses.
func (s *Service) chainTime(ctx context.Context) (uint64, error) {
	h, err := readN(ctx, publishReadAttempts, func(ctx context.Context) (*types.Header, error) {
		return s.rpc.HeaderByNumber(ctx, nil)
	})
	if err != nil {
		return 0, err
	}
	return h.Time, nil
}

// Due lists registered machines with a verdict expiring within DueWithin of the
// chain's current time (expired ones included), soonest first.
func (s *Service) Due(ctx context.Context) ([]api.DueMachine, error) {
	cctx, cancel := s.chainCtx(ctx)
	defer cancel()
	if err := s.track(cctx); err != nil {
		return nil, unavailable(err)
	}
	now, err := s.chainTime(cctx)
	if err != nil {
		return nil, unavailable(err)
	}
	window := uint64(s.cfg.DueWithin / time.Second)
	var out []api.DueMachine
	s.tmu.RLock()
	for id, r := range s.machines {
		if r.Status == 0 || r.ExpiresAt > now+window {
			continue
		}
		out = append(out, api.DueMachine{MachineID: id, TEEKey: r.TEEKey, Status: verdict.Status(r.Status).String(),
			ExpiresAt: r.ExpiresAt, SecondsLeft: int64(r.ExpiresAt) - int64(now)})
	}
	s.tmu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ExpiresAt < out[j].ExpiresAt })
	s.m.due.Set(float64(len(out)))
	return out, nil
}

// reappraise re-runs the archived evidence behind every trusted machine whose
// current verdict this node made, as of the start of the current epoch of chain
// time. When the appraisal used collateral the original did not (a new CRL, a new
// TCB Info) and the decision is now untrusted, it makes a re-appraisal submission:
// the worker repeats the decision, signs the downgrade, and the publisher posts it
// like any other verdict (the registry accepts untrusted verdicts without a fresh
// anchor). Collateral that merely went missing or stale is not a change.
func (s *Service) reappraise(ctx context.Context) error {
	cctx, cancel := s.chainCtx(ctx)
	now, err := s.chainTime(cctx)
	cancel()
	if err != nil {
		return err
	}
	epoch := int64(s.cfg.ReappraiseEpoch / time.Second)
	at := int64(now) / epoch * epoch
	s.tmu.RLock()
	var trusted []common.Hash
	for id, r := range s.machines {
		if r.Status == uint8(verdict.StatusTrusted) && r.ExpiresAt > now && int64(r.IssuedAt) < at {
			trusted = append(trusted, id)
		}
	}
	recs := make(map[common.Hash]MachineRecord, len(trusted))
	for _, id := range trusted {
		recs[id] = s.machines[id]
	}
	s.tmu.RUnlock()
	for _, id := range trusted {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := s.reappraiseMachine(ctx, id, recs[id], at); err != nil {
			s.log.Warn("re-appraisal failed", "machine", id, "err", err)
		}
	}
	return nil
}

func (s *Service) reappraiseMachine(ctx context.Context, id common.Hash, rec MachineRecord, at int64) error {
	latest, err := s.st.LatestVerdict(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // another node's machine
	}
	if err != nil {
		return err
	}
	var base verdict.Verdict
	if err := json.Unmarshal(latest.Body, &base); err != nil {
		return fmt.Errorf("verdict %s: %w", latest.Hash, err)
	}
	// Only the verdict that is on-chain now is worth re-examining.
	if base.IssuedAt != rec.IssuedAt || base.TEEKey != rec.TEEKey || base.Status != verdict.StatusTrusted {
		return nil
	}
	key := fmt.Sprintf("reappraised/%s/%d", latest.Hash, at)
	if _, err := s.st.Meta(key); err == nil {
		return nil // this epoch is done for this verdict
	}
	orig, err := s.audit(latest.Hash)
	if err != nil {
		return err
	}
	raw, err := s.st.Evidence(base.EvidenceHash)
	if err != nil {
		return err
	}
	ev, err := evidence.Decode("archived evidence "+base.EvidenceHash.String(), raw)
	if err != nil {
		return err
	}
	m := &subMeta{MachineID: base.MachineID, TEEKey: base.TEEKey, AnchorBlock: base.AnchorBlockNumber,
		AnchorHash: base.AnchorBlockHash, AsOf: at, Reappraisal: true, BaseVerdict: latest.Hash}
	d, err := s.decide(ctx, ev, m)
	if err != nil {
		return err
	}
	changed := false
	known := map[string]bool{}
	for _, u := range orig.Used {
		known[u.SHA256] = true
	}
	for _, c := range d.app.Collateral {
		if !known[fmt.Sprintf("0x%x", []byte(c.Hash))] {
			changed = true
		}
	}
	if err := s.st.SetMeta(key, []byte{1}); err != nil {
		return err
	}
	if !changed || d.dec.Trusted || !d.publishable {
		return nil
	}
	s.log.Warn("collateral change downgrades a machine", "machine", id, "verdict", latest.Hash,
		"reasons", d.dec.Reasons.String(), "as_of", time.Unix(at, 0).UTC())
	sid := "reappraisal-" + d.digest.Hex()[2:34]
	meta, err := subMetaEntry(sid, m)
	if err != nil {
		return err
	}
	if _, err := s.st.PutSubmission(store.NewSubmission{ID: sid, MachineID: id, Format: "bundle",
		ReceivedAt: s.cfg.Now(), Meta: meta}, raw); err != nil {
		return err
	}
	s.m.downgrades.Inc()
	poke(s.wake)
	return nil
}
