package service

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"math/bits"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/teeoracle/teeoracle/internal/retry"
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

// metaLastScannedHash is the store key of the hash of the last scanned block,
// written in the same commit as metaLastScanned. A head below that block is a reset
// chain only when the chain has another block at its number (trackBelow).
const metaLastScannedHash = "attest/last_scanned_hash"

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

// trackChunks bounds the logChunk ranges one tracking pass scans (80,000 blocks):
// a node far behind the head (a new one started at the deployment block, or one
// down for days) catches up over several passes, each chunk's progress committed,
// instead of holding the tracker for the whole range.
const trackChunks = 16

// errTrackBehind: a tracking pass stopped at trackChunks before the head; the next
// pass resumes where it stopped.
var errTrackBehind = errors.New("registry event scan behind the chain head")

// attestLoop keeps the machine table current from the registry's events and
// re-appraises archived evidence when collateral changes. While the tracker is
// behind the head, passes follow each other without a pause.
func (s *Service) attestLoop(ctx context.Context) {
	for ctx.Err() == nil {
		behind, err := s.attestOnce(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("continuous attestation pass failed; retrying", "err", err)
		}
		if !behind {
			sleepCtx(ctx, s.cfg.ReappraiseInterval)
		}
	}
}

// attestOnce runs one tracking pass, then the collateral refresh and re-appraisal.
// A tracking pass that stopped before the head (behind) still re-appraises the
// machines tracked so far.
func (s *Service) attestOnce(ctx context.Context) (behind bool, err error) {
	if err := s.track(ctx); errors.Is(err, errTrackBehind) {
		s.log.Info("catching up with the registry's events", "progress", err)
		behind = true
	} else if err != nil {
		return false, err
	}
	if s.cfg.RefreshCollateral != nil {
		if err := s.cfg.RefreshCollateral(ctx); err != nil {
			s.log.Warn("collateral refresh failed", "err", err)
		}
	}
	return behind, s.reappraise(ctx)
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

// trackPass is one tracking pass's work: the next block to scan, its private copy
// of the machine table, and the machines whose records it reads at its next commit.
type trackPass struct {
	from    uint64
	table   map[common.Hash]MachineRecord
	touched map[common.Hash]bool
	full    bool // the table's records are all to be read again (fullRefresh)
	now     time.Time
	// wait: the head is below the last scanned block (an endpoint behind its
	// peers); nothing is scanned or committed until it passes it: records read now
	// would be the old head's, not the last scanned block's.
	wait bool
	// loaded: the node's table held what the store's did when the pass began.
	loaded bool
}

// track scans registry events since the last scanned block, at most trackChunks
// chunks of logChunk blocks, and refreshes the records of every machine they name
// (of every tracked machine each fullRefresh). Each chunk is read within its own
// chain deadline and committed with the table as of its last block, so a pass that
// fails or stops keeps what it scanned. It returns errTrackBehind when it stopped
// before the head. Passes run one at a time (the continuous-attestation loop and
// the due list).
func (s *Service) track(ctx context.Context) error {
	// A caller with a deadline (the due list) gives up waiting for another caller's
	// pass, which may be a catch-up of trackChunks chunks, when it expires.
	select {
	case s.trackSem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.trackSem }()
	if s.cfg.AfterTrackPass != nil {
		defer s.cfg.AfterTrackPass()
	}
	// A pass makes many reads in a row; each is retried a few times so that one
	// failed request to a struggling endpoint does not lose the whole pass.
	cctx, cancel := s.chainCtx(ctx)
	head, err := readN(cctx, publishReadAttempts, s.rpc.BlockNumber)
	cancel()
	if err != nil {
		return err
	}
	p, err := s.trackStart(ctx, head)
	switch {
	case err != nil:
		return err
	case p.wait && !p.loaded: // just started: no table to answer with yet
		return fmt.Errorf("chain head %d below the last scanned block %d: waiting for the endpoint to catch up", head, p.from-1)
	case p.wait || p.from > head+1: // a full refresh due stays due
		return nil
	case p.from > head && p.loaded && !p.full && len(p.touched) == 0:
		return nil // no new block and nothing to read: the store already holds this table
	case p.from > head: // no new block: commit what a start or a full refresh reads
		return s.trackCommit(ctx, head, p)
	}
	lo := p.from
	for range trackChunks {
		if lo > head {
			return nil
		}
		hi := min(lo+logChunk-1, head)
		cctx, cancel := s.chainCtx(ctx)
		ids, err := readN(cctx, publishReadAttempts, func(ctx context.Context) ([]common.Hash, error) {
			return s.reg.MachinesTouched(ctx, lo, hi)
		})
		cancel()
		if err != nil {
			return err
		}
		for _, id := range ids {
			p.touched[id] = true
		}
		if err := s.trackCommit(ctx, hi, p); err != nil {
			return err
		}
		lo = hi + 1
	}
	if lo > head {
		return nil
	}
	return fmt.Errorf("%w: scanned to block %d of %d", errTrackBehind, lo-1, head)
}

// trackCommit reads the records of the machines p touched into its table, commits
// the table with scanned as the last scanned block, and makes it the node's.
func (s *Service) trackCommit(ctx context.Context, scanned uint64, p *trackPass) error {
	if err := s.registeredRecords(ctx, p.touched, p.table); err != nil {
		return err
	}
	hash, err := s.blockHash(ctx, scanned)
	if err != nil {
		return err
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], scanned)
	// The table and the block it is current at go in one commit: after a crash the
	// node resumes from both or rescans, never from a block with machines missing.
	if err := s.st.SetMetas(map[string][]byte{metaLastScanned: b[:], metaLastScannedHash: hash,
		metaTracked: encodeTracked(p.table)}); err != nil {
		return err
	}
	clear(p.touched)
	s.tmu.Lock()
	s.machines, s.trackLoaded = maps.Clone(p.table), true
	if p.full {
		s.lastFull = p.now
	}
	s.tmu.Unlock()
	p.full = false
	return nil
}

// blockHash returns block n's hash, or nothing when the endpoint has no such block
// (a chain started above the start block): the commit then keeps no hash.
func (s *Service) blockHash(ctx context.Context, n uint64) ([]byte, error) {
	cctx, cancel := s.chainCtx(ctx)
	defer cancel()
	hdr, err := readN(cctx, publishReadAttempts, func(ctx context.Context) (*types.Header, error) {
		h, err := s.rpc.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
		if errors.Is(err, ethereum.NotFound) {
			return nil, retry.Permanent(err)
		}
		return h, err
	})
	switch {
	case errors.Is(err, ethereum.NotFound):
		return []byte{}, nil
	case err != nil:
		return nil, fmt.Errorf("header of scanned block %d: %w", n, err)
	}
	return hdr.Hash().Bytes(), nil
}

// resetMargin: in a store that has no hash of the last scanned block (written by
// an older version), a head at most this many blocks below that block is an
// endpoint behind its peers, one further below a reset chain.
const resetMargin = 64

// resetWait: a head that has stayed below the last scanned block this long means
// the chain was reset (a development chain restarted, its old blocks not yet
// reached again) even though its endpoint has no block at that number.
const resetWait = 10 * time.Minute

// trackStart returns the pass's starting point. The machine table is in memory;
// what it held at the last scanned block is in the store. A node that has not
// loaded it yet (just started) resumes from it, or rescans everything when the store
// has no table. A head below the last scanned block is waited for unless the chain
// was reset (trackBelow); a reset chain is rescanned from the start into an empty
// table, which replaces the node's only when its first chunk is committed.
func (s *Service) trackStart(ctx context.Context, head uint64) (*trackPass, error) {
	p := &trackPass{from: s.cfg.StartBlock, touched: map[common.Hash]bool{}, now: s.cfg.Now()}
	s.tmu.RLock()
	loaded := s.trackLoaded
	p.table = maps.Clone(s.machines)
	p.full = p.now.Sub(s.lastFull) >= fullRefresh
	s.tmu.RUnlock()
	if p.table == nil {
		p.table = map[common.Hash]MachineRecord{}
	}
	resume := true
	p.loaded = loaded
	if !loaded {
		resumed, ok, err := s.loadTracked()
		if err != nil {
			return nil, err
		}
		resume = ok
		for _, id := range resumed {
			p.touched[id] = true
		}
	}
	b, err := s.st.Meta(metaLastScanned)
	if err != nil || len(b) != 8 || !resume {
		return p.fullRead(), nil
	}
	last := binary.BigEndian.Uint64(b)
	if head >= last {
		s.belowSince = time.Time{}
		p.from = last + 1
		return p.fullRead(), nil
	}
	reset, why, err := s.trackBelow(ctx, head, last, p.now)
	if err != nil {
		return nil, err
	}
	if !reset {
		s.log.Debug("chain head below the last scanned block; waiting for it", "head", head, "scanned", last, "why", why)
		p.from, p.wait = last+1, true
		return p, nil
	}
	s.log.Warn("chain reset; rescanning registry events", "head", head, "scanned", last, "why", why)
	s.belowSince = time.Time{}
	p.table, p.full = map[common.Hash]MachineRecord{}, false
	clear(p.touched)
	return p, nil
}

// trackBelow reports whether a head below the last scanned block means the chain
// was reset, and why. It was when the chain has a block at that number with
// another hash than the one scanned (a reorganisation past it, a restarted chain),
// or when the head has stayed below for resetWait; an endpoint that has no block
// there lags behind its peers (for 16 s, 64 blocks on a chain of 4 blocks a
// second), and the tracker waits. A store without the hash (written by an older
// version) counts a head more than resetMargin below as a reset.
func (s *Service) trackBelow(ctx context.Context, head, last uint64, now time.Time) (bool, string, error) {
	if s.belowSince.IsZero() {
		s.belowSince = now
	}
	want, err := s.st.Meta(metaLastScannedHash)
	switch {
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return false, "", err
	case len(want) != common.HashLength:
		return last-head > resetMargin, "no hash of the last scanned block kept", nil
	case now.Sub(s.belowSince) >= resetWait:
		return true, fmt.Sprintf("head below block %d since %s", last, s.belowSince.Format(time.RFC3339)), nil
	}
	cctx, cancel := s.chainCtx(ctx)
	defer cancel()
	hdr, err := s.rpc.HeaderByNumber(cctx, new(big.Int).SetUint64(last))
	switch {
	case errors.Is(err, ethereum.NotFound):
		return false, "the endpoint has no such block yet", nil
	case err != nil:
		return false, "", fmt.Errorf("header of last scanned block %d: %w", last, err)
	case hdr.Hash() != common.BytesToHash(want):
		return true, fmt.Sprintf("block %d is %s, scanned as %s", last, hdr.Hash(), common.BytesToHash(want)), nil
	}
	return false, "the endpoint has the block but a lower head", nil
}

// fullRead adds every machine of the table to those read at the next commit when a
// full refresh is due.
func (p *trackPass) fullRead() *trackPass {
	if p.full {
		for id := range p.table {
			p.touched[id] = true
		}
	}
	return p
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
// chain's current time (expired ones included), soonest first and by machine id
// on a tie (the API pages it by that order). The list is built once per
// Config.DueFresh and shared by the requests until then: it is public, and
// without the bound every request ran a tracking pass (header reads and a store
// commit) on the tracker the continuous-attestation loop also needs, and built
// and sorted the whole list (30,000 machines after an outage).
func (s *Service) Due(ctx context.Context) ([]api.DueMachine, error) {
	select {
	case s.dueSem <- struct{}{}:
	case <-ctx.Done():
		return nil, unavailable(ctx.Err())
	}
	defer func() { <-s.dueSem }()
	at := s.cfg.Now()
	if !s.dueAt.IsZero() && at.Sub(s.dueAt) < s.cfg.DueFresh && !at.Before(s.dueAt) {
		return s.dueList, nil
	}
	now, err := s.dueChain(ctx)
	if err != nil {
		return nil, err
	}
	window := uint64(s.cfg.DueWithin / time.Second)
	out := []api.DueMachine{}
	s.tmu.RLock()
	for id, r := range s.machines {
		if r.Status == 0 || r.ExpiresAt > now+window {
			continue
		}
		out = append(out, api.DueMachine{MachineID: id, TEEKey: r.TEEKey, Status: verdict.Status(r.Status).String(),
			ExpiresAt: r.ExpiresAt, SecondsLeft: int64(r.ExpiresAt) - int64(now)})
	}
	s.tmu.RUnlock()
	slices.SortFunc(out, func(a, b api.DueMachine) int {
		return cmp.Or(cmp.Compare(a.ExpiresAt, b.ExpiresAt), bytes.Compare(a.MachineID[:], b.MachineID[:]))
	})
	s.m.due.Set(float64(len(out)))
	s.dueAt, s.dueList = at, out
	return out, nil
}

// dueChain brings the machine table up to date with a tracking pass and returns
// the chain's time. The caller holds dueSem: requests arriving together wait for
// one pass.
func (s *Service) dueChain(ctx context.Context) (uint64, error) {
	cctx, cancel := s.chainCtx(ctx)
	defer cancel()
	if err := s.track(cctx); err != nil {
		return 0, unavailable(err)
	}
	now, err := s.chainTime(cctx)
	if err != nil {
		return 0, unavailable(err)
	}
	return now, nil
}

// reappraisalOffset is machine id's offset within an epoch of epoch seconds: the
// id's integer value modulo epoch. Every node computes the same, so every node
// re-appraises a machine as of the same time and signs the same downgrade.
func reappraisalOffset(id common.Hash, epoch int64) int64 {
	var r uint64
	for i := 0; i < len(id); i += 8 {
		r = bits.Rem64(r, binary.BigEndian.Uint64(id[i:i+8]), uint64(epoch))
	}
	return int64(r)
}

// reappraisalAsOf is the time machine id is re-appraised as of at chain time now:
// the latest k × epoch + its offset that is not after now.
func reappraisalAsOf(id common.Hash, now, epoch int64) int64 {
	off := reappraisalOffset(id, epoch)
	if now < off {
		return off - epoch
	}
	return off + (now-off)/epoch*epoch
}

// reappraiseChunk bounds the "reappraised/" marks a pass commits at once.
const reappraiseChunk = 256

// reappraise re-runs the archived evidence behind every trusted machine whose
// current verdict this node made, as of the machine's re-appraisal time (its own
// offset within the current epoch of chain time, reappraisalAsOf). When the
// appraisal used collateral the original did not (a new CRL, a new TCB Info) and
// the decision is now untrusted, it makes a re-appraisal submission: the worker
// repeats the decision, signs the downgrade, and the publisher posts it like any
// other verdict (the registry accepts untrusted verdicts without a fresh anchor).
// Collateral that merely went missing or stale is not a change.
func (s *Service) reappraise(ctx context.Context) error {
	return s.reappraiseWith(ctx, s.reappraiseMachine)
}

// reappraiseWith is reappraise with one re-appraising each machine due.
func (s *Service) reappraiseWith(ctx context.Context, one reappraiseFunc) error {
	cctx, cancel := s.chainCtx(ctx)
	now, err := s.chainTime(cctx)
	cancel()
	if err != nil {
		return err
	}
	due, done := s.reappraisalsDue(now)
	return s.reappraiseDue(ctx, due, done, one)
}

// reappraiseFunc re-appraises machine id with on-chain record rec as of at.
type reappraiseFunc func(ctx context.Context, id common.Hash, rec MachineRecord, at int64) (reappraisal, error)

// dueReappraisal is a trusted machine whose re-appraisal time moved past the one
// the last pass found done for it.
type dueReappraisal struct {
	id  common.Hash
	rec MachineRecord
	r   reappraised
	// failed: a pass failed to re-appraise it for r already; such machines go
	// after the others, so that ReappraiseMax machines that keep failing (their
	// evidence unreadable, say) cannot hold the rest back for the epoch.
	failed bool
}

// reappraisalsDue lists the trusted machines (unexpired, their verdict issued
// before their re-appraisal time) not found done for that time by the last pass,
// earliest time first, and the memo entries of those that were.
func (s *Service) reappraisalsDue(now uint64) ([]dueReappraisal, map[common.Hash]reappraised) {
	epoch := int64(s.cfg.ReappraiseEpoch / time.Second)
	var due []dueReappraisal
	s.tmu.RLock()
	done := make(map[common.Hash]reappraised, len(s.machines))
	for id, rec := range s.machines {
		if rec.Status != uint8(verdict.StatusTrusted) || rec.ExpiresAt <= now {
			continue
		}
		at := reappraisalAsOf(id, int64(now), epoch)
		if int64(rec.IssuedAt) >= at {
			continue
		}
		r := reappraised{issuedAt: rec.IssuedAt, key: rec.TEEKey, at: at}
		if prev, ok := s.reappraisedMemo[id]; ok && prev == r {
			done[id] = r
			continue
		}
		due = append(due, dueReappraisal{id: id, rec: rec, r: r, failed: s.reappraiseFailed[id] == r})
	}
	s.tmu.RUnlock()
	sort.Slice(due, func(i, j int) bool {
		if due[i].failed != due[j].failed {
			return !due[i].failed
		}
		if due[i].r.at != due[j].r.at {
			return due[i].r.at < due[j].r.at
		}
		return bytes.Compare(due[i].id[:], due[j].id[:]) < 0
	})
	return due, done
}

// reappraisal is what re-appraising one machine came to: whether its
// re-appraisal time is done for its verdict (not when this node holds no such
// verdict yet), and the "reappraised/" key to mark it done under when this pass
// re-appraised it.
type reappraisal struct {
	done bool
	mark string
}

// reappraiseDue re-appraises the machines due, at most ReappraiseMax of them, with
// one; done holds the memo entries kept. The machines' marks are committed
// reappraiseChunk at a time, each after what its re-appraisal made (a downgrade
// submission) is committed: a crash loses marks, so it repeats re-appraisals, and
// never skips one. Machines whose verdicts this pass finds done are remembered
// (the memo holds the trusted machines only; not those whose verdict this node does
// not hold, which it may record later): a pass every few seconds over 10,000
// machines would otherwise read and decode 10,000 verdicts from the store each
// time, to learn that nothing is to be done.
func (s *Service) reappraiseDue(ctx context.Context, due []dueReappraisal, done map[common.Hash]reappraised, one reappraiseFunc) error {
	marks := make(map[string][]byte, reappraiseChunk)
	var marked []dueReappraisal
	flush := func() error {
		if len(marks) == 0 {
			return nil
		}
		if err := s.st.SetMetas(marks); err != nil {
			return fmt.Errorf("re-appraisal marks: %w", err)
		}
		for _, m := range marked {
			done[m.id] = m.r
		}
		clear(marks)
		marked = marked[:0]
		return nil
	}
	// failed keeps the failures of this pass and of earlier ones not tried again
	// in it, for the machines still due.
	failed := make(map[common.Hash]reappraised)
	work := 0
	s.m.deferred.Set(0)
	for i, m := range due {
		if ctx.Err() != nil || work >= s.cfg.ReappraiseMax {
			s.m.deferred.Set(float64(len(due) - i))
			for _, rest := range due[i:] { // the rest in the next pass
				if rest.failed {
					failed[rest.id] = rest.r
				}
			}
			break
		}
		out, err := one(ctx, m.id, m.rec, m.r.at)
		switch {
		case err != nil:
			work++
			failed[m.id] = m.r
			s.m.reappraisals.WithLabelValues("failed").Inc()
			s.log.Warn("re-appraisal failed", "machine", m.id, "err", err)
		case out.mark != "":
			work++
			s.m.reappraisals.WithLabelValues("made").Inc()
			var at [8]byte
			binary.BigEndian.PutUint64(at[:], uint64(m.r.at))
			marks[out.mark] = at[:]
			marked = append(marked, m)
		case out.done:
			done[m.id] = m.r
		}
		if len(marks) >= reappraiseChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	s.reappraisedMemo, s.reappraiseFailed = done, failed
	return ctx.Err()
}

// reappraised is the on-chain verdict of a machine (its issue time and key) and
// the re-appraisal time a pass found done for it.
type reappraised struct {
	issuedAt uint64
	key      common.Address
	at       int64
}

// onChainVerdict returns the stored trusted verdict of machine id that its on-chain
// record rec holds (issued at rec.IssuedAt for rec.TEEKey under rec.PolicyHash), or
// nil when this node holds none. It is looked up by its issue time, not as the
// machine's latest verdict: the node's own downgrade of it, still waiting for its
// quorum (peers that re-appraised as of another time of the epoch disagree), is
// later, and must not stop the next epoch's re-appraisal.
func (s *Service) onChainVerdict(id common.Hash, rec MachineRecord) (*store.Verdict, *verdict.Verdict, error) {
	vs, err := s.st.VerdictsIssuedAt(id, rec.IssuedAt)
	if err != nil {
		return nil, nil, err
	}
	for i := range vs {
		var v verdict.Verdict
		if err := json.Unmarshal(vs[i].Body, &v); err != nil {
			return nil, nil, fmt.Errorf("verdict %s: %w", vs[i].Hash, err)
		}
		if v.TEEKey == rec.TEEKey && v.Status == verdict.StatusTrusted && v.PolicyHash == rec.PolicyHash {
			return &vs[i], &v, nil
		}
	}
	return nil, nil, nil
}

// reappraiseMachine re-appraises the verdict behind machine id's on-chain record
// rec as of at, unless done for that time already, and commits the downgrade
// submission it calls for. It reports whether at is done for that verdict (not when
// this node holds no such verdict yet) and, when it re-appraised, the key its
// caller marks it done under.
func (s *Service) reappraiseMachine(ctx context.Context, id common.Hash, rec MachineRecord, at int64) (reappraisal, error) {
	// Only the verdict that is on-chain now is worth re-examining.
	latest, base, err := s.onChainVerdict(id, rec)
	if err != nil || latest == nil {
		return reappraisal{}, err // none: another node's machine, or a verdict this node has not recorded yet
	}
	// One key per verdict holding the last time it was re-appraised as of: a key
	// per epoch would grow the store by every trusted machine every epoch.
	key := reappraisedKey(latest.Hash)
	if b, err := s.st.Meta(key); err == nil && len(b) == 8 && int64(binary.BigEndian.Uint64(b)) >= at {
		return reappraisal{done: true}, nil // done for this verdict
	}
	orig, err := s.audit(latest.Hash)
	if err != nil {
		return reappraisal{}, err
	}
	raw, err := s.st.Evidence(base.EvidenceHash)
	if err != nil {
		return reappraisal{}, err
	}
	ev, err := evidence.DecodeArchived("archived evidence "+base.EvidenceHash.String(), raw)
	if err != nil {
		return reappraisal{}, err
	}
	m := &subMeta{MachineID: base.MachineID, TEEKey: base.TEEKey, AnchorBlock: base.AnchorBlockNumber,
		AnchorHash: base.AnchorBlockHash, AsOf: at, Reappraisal: true, BaseVerdict: latest.Hash}
	d, err := s.decide(ctx, ev, m)
	if err != nil {
		return reappraisal{}, err
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
	if !changed || d.dec.Trusted || !d.publishable {
		return reappraisal{done: true, mark: key}, nil
	}
	if d.app.CollateralFault {
		// The new collateral fails its own checks (a TCB Info, QE Identity or CRL
		// whose signature or dates do not hold, a VCEK that does not verify): that
		// says nothing against the machine, and a downgrade on it would let whoever
		// serves the collateral knock trusted machines out. The next re-appraisal
		// time looks again.
		s.log.Warn("re-appraisal: new collateral fails its own checks; no downgrade", "machine", id, "verdict", latest.Hash,
			"checks", notAuthenticDetail(d.dec), "as_of", time.Unix(at, 0).UTC())
		return reappraisal{done: true, mark: key}, nil
	}
	s.log.Warn("collateral change downgrades a machine", "machine", id, "verdict", latest.Hash,
		"reasons", d.dec.Reasons.String(), "as_of", time.Unix(at, 0).UTC())
	sid := "reappraisal-" + d.digest.Hex()[2:34]
	meta, err := subMetaEntry(sid, m)
	if err != nil {
		return reappraisal{}, err
	}
	if _, err := s.st.PutSubmission(store.NewSubmission{ID: sid, MachineID: id, Format: "bundle",
		ReceivedAt: s.cfg.Now(), Meta: meta}, raw); err != nil {
		return reappraisal{}, err
	}
	s.m.downgrades.Inc()
	poke(s.wake)
	return reappraisal{done: true, mark: key}, nil
}
