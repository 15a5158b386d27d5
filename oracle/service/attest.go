package service

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
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

// metaTracked is the store key of the ids of the machines tracked as of the last
// scanned block (32 bytes each, ascending). It is written in the same commit as
// metaLastScanned: events before that block are never scanned again, so the machines
// they named must survive a restart with it.
const metaTracked = "attest/tracked_machines"

// loadTracked returns the machine ids tracked as of the last scanned block, and
// whether the store holds a scan state to resume from at all. A last scanned block
// without a machine table (a database written before the table was kept) does not
// count: the caller rescans from the start block.
func (s *Service) loadTracked() (ids []common.Hash, resume bool, err error) {
	b, err := s.st.Meta(metaTracked)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if len(b)%32 != 0 {
		return nil, false, fmt.Errorf("tracked machines: %d bytes: %w", len(b), store.ErrCorrupt)
	}
	for i := 0; i < len(b); i += 32 {
		ids = append(ids, common.BytesToHash(b[i:i+32]))
	}
	return ids, true, nil
}

func encodeTracked(m map[common.Hash]MachineRecord) []byte {
	ids := make([]common.Hash, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return bytes.Compare(ids[i][:], ids[j][:]) < 0 })
	out := make([]byte, 0, 32*len(ids))
	for _, id := range ids {
		out = append(out, id[:]...)
	}
	return out
}

// reappraisedKey is the store key of the last re-appraisal epoch (unix seconds, 8
// bytes) of verdict h.
func reappraisedKey(h common.Hash) string { return "reappraised/" + h.String() }

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

// fullRefresh is how often track reads the record of every tracked machine, not
// only of those the registry's events named since the last pass. The events name
// every change of a record (MachinesTouched); the full read catches what they
// cannot show, a reorganisation below the last scanned block. Every pass read every
// record before: 10,000 calls a pass at 10,000 machines, more than a pass's time
// budget (docs/operator.md, Fleet).
const fullRefresh = 10 * time.Minute

// trackParallel bounds the record reads a tracking pass has in flight.
const trackParallel = 8

// track scans registry events since the last scanned block and refreshes the
// records of every machine they name (of every tracked machine each fullRefresh).
// Passes run one at a time (the continuous-attestation loop and the due list).
func (s *Service) track(ctx context.Context) error {
	s.trackMu.Lock()
	defer s.trackMu.Unlock()
	cctx, cancel := s.chainCtx(ctx)
	defer cancel()
	// A pass makes many reads in a row; each is retried a few times so that one
	// failed request to a struggling endpoint does not lose the whole pass.
	head, err := readN(cctx, publishReadAttempts, s.rpc.BlockNumber)
	if err != nil {
		return err
	}
	from, touched, err := s.trackStart(head)
	if err != nil {
		return err
	}
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
	now := s.cfg.Now()
	s.tmu.RLock()
	full := now.Sub(s.lastFull) >= fullRefresh
	fresh := make(map[common.Hash]MachineRecord, len(s.machines)+len(touched))
	for id, r := range s.machines {
		if full {
			touched[id] = true
		} else {
			fresh[id] = r
		}
	}
	s.tmu.RUnlock()
	if err := s.registeredRecords(ctx, touched, fresh); err != nil {
		return err
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], head)
	// The table and the block it is current at go in one commit: after a crash the
	// node resumes from both or rescans, never from a block with machines missing.
	if err := s.st.SetMetas(map[string][]byte{metaLastScanned: b[:], metaTracked: encodeTracked(fresh)}); err != nil {
		return err
	}
	s.tmu.Lock()
	s.machines, s.trackLoaded = fresh, true
	if full {
		s.lastFull = now
	}
	s.tmu.Unlock()
	return nil
}

// trackStart returns the first block to scan and the machines to refresh whatever
// the events say. The machine table is in memory; what it held at the last scanned
// block is in the store. A node that has not loaded it yet (just started) resumes
// from it, or rescans everything when the store has no table; a chain whose head is
// below the last scanned block was reset and is rescanned from the start.
func (s *Service) trackStart(head uint64) (uint64, map[common.Hash]bool, error) {
	from := s.cfg.StartBlock
	s.tmu.RLock()
	loaded := s.trackLoaded
	s.tmu.RUnlock()
	var resumed []common.Hash
	resume := true
	if !loaded {
		var err error
		if resumed, resume, err = s.loadTracked(); err != nil {
			return 0, nil, err
		}
	}
	if b, err := s.st.Meta(metaLastScanned); err == nil && len(b) == 8 && resume {
		from = binary.BigEndian.Uint64(b) + 1
	}
	if from > head+1 {
		s.log.Warn("chain head below the last scanned block; rescanning registry events", "head", head, "scanned", from-1)
		from = s.cfg.StartBlock
		s.tmu.Lock()
		s.machines = map[common.Hash]MachineRecord{}
		s.tmu.Unlock()
		resumed = nil
	}
	touched := map[common.Hash]bool{}
	for _, id := range resumed {
		touched[id] = true
	}
	return from, touched, nil
}

// registeredRecords reads the registry's record of each machine in ids, at most
// trackParallel at once and each within the chain's time budget, and sets it in
// recs when the machine is registered (deletes it otherwise).
func (s *Service) registeredRecords(ctx context.Context, ids map[common.Hash]bool, recs map[common.Hash]MachineRecord) error {
	next := make(chan common.Hash)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range min(trackParallel, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range next {
				cctx, cancel := s.chainCtx(ctx)
				rec, err := readN(cctx, publishReadAttempts, func(ctx context.Context) (MachineRecord, error) {
					return s.reg.Machine(ctx, id)
				})
				cancel()
				mu.Lock()
				switch {
				case err != nil:
					first = cmp.Or(first, err)
				case rec.State == machineRegistered:
					recs[id] = rec
				default:
					delete(recs, id)
				}
				mu.Unlock()
			}
		}()
	}
	for id := range ids {
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed {
			break
		}
		next <- id
	}
	close(next)
	wg.Wait()
	return first
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
	// Machines whose current verdict this pass finds done for the epoch are
	// remembered (the memo holds the trusted machines only; not those whose verdict
	// this node does not hold, which it may record later in the epoch): a pass every few
	// seconds over 10,000 machines would otherwise read and decode 10,000 verdicts
	// from the store each time, to learn that nothing is to be done.
	done := make(map[common.Hash]reappraised, len(trusted))
	for _, id := range trusted {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r := reappraised{issuedAt: recs[id].IssuedAt, key: recs[id].TEEKey, at: at}
		if prev, ok := s.reappraisedMemo[id]; ok && prev == r {
			done[id] = r
			continue
		}
		ok, err := s.reappraiseMachine(ctx, id, recs[id], at)
		if err != nil {
			s.log.Warn("re-appraisal failed", "machine", id, "err", err)
			continue
		}
		if ok {
			done[id] = r
		}
	}
	s.reappraisedMemo = done
	return nil
}

// reappraised is the on-chain verdict of a machine (its issue time and key) and
// the epoch a re-appraisal pass found done for it.
type reappraised struct {
	issuedAt uint64
	key      common.Address
	at       int64
}

// reappraiseMachine re-appraises the verdict behind machine id's on-chain record
// rec as of at, unless done for that epoch already. It reports whether the epoch is
// done for that verdict: not when this node holds no such verdict (yet).
func (s *Service) reappraiseMachine(ctx context.Context, id common.Hash, rec MachineRecord, at int64) (bool, error) {
	latest, err := s.st.LatestVerdict(id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // another node's machine, or a verdict this node has not recorded yet
	}
	if err != nil {
		return false, err
	}
	var base verdict.Verdict
	if err := json.Unmarshal(latest.Body, &base); err != nil {
		return false, fmt.Errorf("verdict %s: %w", latest.Hash, err)
	}
	// Only the verdict that is on-chain now is worth re-examining.
	if base.IssuedAt != rec.IssuedAt || base.TEEKey != rec.TEEKey || base.Status != verdict.StatusTrusted {
		return false, nil
	}
	// One key per verdict holding the last epoch it was re-appraised in: a key per
	// epoch would grow the store by every trusted machine every epoch.
	key := reappraisedKey(latest.Hash)
	if b, err := s.st.Meta(key); err == nil && len(b) == 8 && int64(binary.BigEndian.Uint64(b)) >= at {
		return true, nil // this epoch is done for this verdict
	}
	orig, err := s.audit(latest.Hash)
	if err != nil {
		return false, err
	}
	raw, err := s.st.Evidence(base.EvidenceHash)
	if err != nil {
		return false, err
	}
	ev, err := evidence.DecodeArchived("archived evidence "+base.EvidenceHash.String(), raw)
	if err != nil {
		return false, err
	}
	m := &subMeta{MachineID: base.MachineID, TEEKey: base.TEEKey, AnchorBlock: base.AnchorBlockNumber,
		AnchorHash: base.AnchorBlockHash, AsOf: at, Reappraisal: true, BaseVerdict: latest.Hash}
	d, err := s.decide(ctx, ev, m)
	if err != nil {
		return false, err
	}
	changed := false
	known := map[string]bool{}
	for _, u := range orig.Used {
		known[string(u.SHA256)] = true
	}
	for _, c := range d.app.Collateral {
		if !known[string(c.Hash)] {
			changed = true
		}
	}
	var done [8]byte
	binary.BigEndian.PutUint64(done[:], uint64(at))
	if err := s.st.SetMeta(key, done[:]); err != nil {
		return false, err
	}
	if !changed || d.dec.Trusted || !d.publishable {
		return true, nil
	}
	s.log.Warn("collateral change downgrades a machine", "machine", id, "verdict", latest.Hash,
		"reasons", d.dec.Reasons.String(), "as_of", time.Unix(at, 0).UTC())
	sid := "reappraisal-" + d.digest.Hex()[2:34]
	meta, err := subMetaEntry(sid, m)
	if err != nil {
		return false, err
	}
	if _, err := s.st.PutSubmission(store.NewSubmission{ID: sid, MachineID: id, Format: "bundle",
		ReceivedAt: s.cfg.Now(), Meta: meta}, raw); err != nil {
		return false, err
	}
	s.m.downgrades.Inc()
	poke(s.wake)
	return true, nil
}
