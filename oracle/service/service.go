// Package service is the oracle node: it wires the store, the appraisers, the policy,
// the verdict signer, the registry and the transaction manager behind the HTTP API,
// and runs the node's loops: a worker pool that appraises, decides and signs
// submitted evidence; a publisher that gathers the quorum's signatures from peers
// and batches verdicts into submitBatch transactions, each under one quorum
// signature set its peers co-sign; and the continuous
// attestation loop that tracks machines' expiry and re-appraises archived evidence
// when collateral changes. See docs/operator.md.
//
// Determinism: a verdict's time is the anchor block's timestamp (issuedAt), its
// expiry issuedAt plus the policy's validity, and the appraisal is made as of that
// same time, so every node with the same evidence, collateral and policy signs the
// same EIP-712 hash. A machine is re-appraised as of its own point of the
// re-appraisal epoch of chain time (the machine id modulo the epoch), for the same
// reason.
package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/internal/retry"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// StoreOptions returns the store options the node needs: archive keys equal to the
// verdict's evidenceHash (canonical evidence hash) and to the on-chain policy hash.
func StoreOptions(log *slog.Logger) store.Options {
	return store.Options{
		EvidenceHash: func(b []byte) (common.Hash, error) {
			ev, err := evidence.DecodeArchived("archived evidence", b)
			if err != nil {
				return common.Hash{}, err
			}
			return ev.Hash(), nil
		},
		PolicyHash: func(b []byte) (common.Hash, error) {
			p, err := policy.Parse(b)
			if err != nil {
				return common.Hash{}, err
			}
			return p.Hash()
		},
		Logger: log,
	}
}

// txSender is what the publisher asks of the transaction manager
// (*chain.TxManager): settle what a previous run left in flight, and send one
// transaction to its outcome.
type txSender interface {
	Recover(ctx context.Context) error
	Send(ctx context.Context, c chain.TxCandidate) (*types.Receipt, error)
}

// Service is a running oracle node.
type Service struct {
	cfg        Config
	rpc        RPC
	reg        registryView
	heads      *heads     // pins operations' heads (cachedView); recent headers
	headNow    *headReads // reads the head now for Submit, Challenge and the workers (shared reads)
	api        *api.Server
	tx         txSender
	st         *store.Store
	log        *slog.Logger
	m          *metrics
	domain     verdict.Domain
	oracle     common.Address
	policyHash common.Hash
	http       *http.Client

	wake     chan struct{} // pokes idle workers
	pubWake  chan struct{} // pokes the publisher
	waitMu   sync.Mutex
	lastWait *waitingList // the publisher's last list of what waits for publication (waiting)
	submitMu keyedMutex   // serialises the evidence-replay check and the store write, per evidence hash
	handoffs handoffs     // what Submit decoded, for the worker that takes the submission
	pending  pendingSubs  // per machine, the submissions accepted and not seen settled (admitPending)

	qmu      sync.Mutex
	quorum   map[common.Hash]*quorumState // verdict hash -> progress
	peerURLs map[common.Address][]string  // signer -> the configured peers that served signatures by it (notePeer)
	claims   map[common.Hash]claimNote    // verdict hash -> a peer's first authenticated relay claim (bounded per signer, claimShare)
	claimsOf map[common.Address]int       // signer -> its entries in claims

	verdicts verdictMemo  // decoded verdict bodies, for the publisher's passes
	rechecks rechecks     // when the publisher looks again at a verdict waiting for its quorum
	waits    waitNotes    // what the publisher found of verdicts short of signatures
	prepared atomic.Int64 // verdicts the publisher prepared (read by tests)
	pause    pauseState   // whether the publisher found the registry paused
	// readPaused reads the registry's paused flag (nil: simulations tell).
	readPaused func(context.Context) (bool, error)

	tmu      sync.RWMutex
	machines map[common.Hash]MachineRecord // tracked registry records
	// trackLoaded: machines holds at least what the store's table held (see track).
	trackLoaded bool
	lastFull    time.Time     // when track last read every tracked machine's record (guarded by tmu)
	trackSem    chan struct{} // holds a token while a tracking pass runs: one at a time
	// belowSince: since when the chain head has been below the last scanned block
	// (zero: it is not); only a tracking pass (holding trackSem) uses it.
	belowSince time.Time
	// dueSem holds a token while a due-list request reads the chain or the list;
	// dueAt and dueList are when (node clock) the last one read the chain and the
	// list it built then (guarded by dueSem). Requests within Config.DueFresh of
	// it answer that list.
	dueSem  chan struct{}
	dueAt   time.Time
	dueList []api.DueMachine
	// reappraisedMemo: the machines the last re-appraisal pass found done for their
	// epoch (only the continuous-attestation loop uses it).
	reappraisedMemo map[common.Hash]reappraised
	// reappraiseFailed: the machines whose re-appraisal failed for their time, by
	// the passes since (tried last in the next pass).
	reappraiseFailed map[common.Hash]reappraised

	health healthState

	startedAt time.Time
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	mu        sync.Mutex // guards the lifecycle flags below; never held across network calls
	starting  bool
	started   bool
	stopped   bool
	stopCh    chan struct{} // closed by Stop: a Start still asking the chain gives up
	stopErrs  error
}

// ErrStopped is returned by Start when Stop was called before or during it.
var ErrStopped = errors.New("service stopped")

// New checks cfg and builds the node. rpc is the chain endpoint; nothing is dialled
// or sent until Start.
func New(cfg Config, rpc RPC) (*Service, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if rpc == nil {
		return nil, fmt.Errorf("%w: nil rpc client", ErrConfig)
	}
	ph, _ := cfg.Policy.Hash()
	log := cfg.Logger.With("component", "node")
	rpc = withCallBatches(rpc, cfg.CallBatch, log)
	s := &Service{
		cfg: cfg, rpc: rpc, st: cfg.Store, log: log,
		heads:      newHeads(rpc),
		headNow:    &headReads{read: rpc.BlockNumber},
		oracle:     crypto.PubkeyToAddress(cfg.OracleKey.PublicKey),
		policyHash: ph,
		http:       peerClient(),
		wake:       make(chan struct{}, 1),
		pubWake:    make(chan struct{}, 1),
		quorum:     map[common.Hash]*quorumState{},
		machines:   map[common.Hash]MachineRecord{},
		trackSem:   make(chan struct{}, 1),
		dueSem:     make(chan struct{}, 1),
		stopCh:     make(chan struct{}),
	}
	s.m = newMetrics(cfg.Metrics)
	// A verdict's new signature (a peer's, or one written before a restart's pass)
	// makes the publisher prepare it again.
	cfg.Store.WatchSignatures(s.waits.drop)
	if cfg.ChainID != 0 {
		if err := s.useChain(cfg.ChainID); err != nil {
			return nil, err
		}
	}
	srv, err := api.New(cfg.API, s)
	if err != nil {
		return nil, fmt.Errorf("new service: %w", err)
	}
	s.api = srv
	return s, nil
}

// useChain builds what depends on the chain id: the registry view, the EIP-712
// domain, the transaction signer and manager. New calls it with a configured chain
// id, Start with the one it learnt; nothing runs on them before.
func (s *Service) useChain(id uint64) error {
	s.cfg.ChainID = id
	s.reg = newCachedView(newRegistryView(s.rpc, s.cfg.Registry, id))
	s.readPaused = chain.NewRegistry(s.rpc, s.cfg.Registry, id).Paused
	s.domain = verdict.Domain{ChainID: id, Registry: s.cfg.Registry}
	if s.cfg.TxSigner == nil {
		s.cfg.TxSigner = chain.KeySigner(s.cfg.OracleKey, new(big.Int).SetUint64(id))
	}
	txc := s.cfg.TxManager
	txc.From, txc.Signer = s.cfg.TxFrom, s.cfg.TxSigner
	txc.Metrics = s.m.tx
	txc.ChainID = new(big.Int).SetUint64(id)
	txc.Outcome = s.batchOutcome
	txc.Reverted = s.revertOutcome
	if txc.Logger == nil {
		txc.Logger = s.cfg.Logger
	}
	tx, err := chain.NewTxManager(txc, s.rpc, s.cfg.Store)
	if err != nil {
		return fmt.Errorf("new service: %w", err)
	}
	s.tx = tx
	return nil
}

// Oracle returns the address verdicts are signed with.
func (s *Service) Oracle() common.Address { return s.oracle }

// PolicyHash returns the hash of the node's policy, the one its verdicts name and
// the registry must hold as active.
func (s *Service) PolicyHash() common.Hash { return s.policyHash }

// APIAddr returns the API's listening address once started.
func (s *Service) APIAddr() string { return s.api.Addr() }

// Start learns or checks the chain id (waiting up to ChainWait for the endpoint to
// answer) and that the policy is registered, archives the policy, and
// starts the API, the workers, the publisher and the attestation loop, in that
// order of dependencies. Work left unfinished by a previous run is resumed: received
// submissions are claimed again, verified ones are signed, signed ones published,
// and journaled transactions settled by the transaction manager.
//
// The chain is asked (and retried) without holding the service's lock, so Stop can
// always run: it makes a Start that is still waiting for the chain give up with
// ErrStopped. The readiness checks (Ready) run once here, each failing one logged as
// a warning; the node starts anyway and reports not ready until they pass.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	switch {
	case s.stopped:
		s.mu.Unlock()
		return fmt.Errorf("service start: %w", ErrStopped)
	case s.started || s.starting:
		s.mu.Unlock()
		return errors.New("service: already started")
	}
	s.starting = true
	s.mu.Unlock()
	ok := false
	defer func() {
		if !ok {
			s.mu.Lock()
			s.starting = false
			s.mu.Unlock()
		}
	}()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.stopCh:
			cancel()
		case <-sctx.Done():
		}
	}()
	cctx, cancelChecks := context.WithTimeout(sctx, s.cfg.ChainWait+30*time.Second)
	defer cancelChecks()
	if err := s.checkChainAtStart(sctx, cctx); err != nil {
		if s.Stopped() {
			return fmt.Errorf("service start: %w (%w)", ErrStopped, err)
		}
		return err
	}
	s.logHealthChange(s.checkHealth(cctx))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return fmt.Errorf("service start: %w", ErrStopped)
	}
	if err := s.startLocked(ctx); err != nil {
		return err
	}
	ok = true
	return nil
}

// checkChainAtStart learns or checks the chain id, waiting up to ChainWait for the
// endpoint to answer, then checks that the policy is registered, retrying while the
// endpoint fails, until cctx ends.
func (s *Service) checkChainAtStart(ctx, cctx context.Context) error {
	id, err := chain.WaitForChainID(ctx, func(ctx context.Context) (*big.Int, error) {
		id, err := s.rpc.ChainID(ctx)
		return id, s.cfg.RedactErr(err)
	}, s.cfg.ChainWait, s.log)
	switch {
	case err != nil:
		return fmt.Errorf("service start: %w", err)
	case !id.IsUint64() || id.Uint64() == 0 || (s.cfg.ChainID != 0 && id.Uint64() != s.cfg.ChainID):
		return fmt.Errorf("service start: %w: endpoint serves chain %s, configured %d", ErrConfig, id, s.cfg.ChainID)
	case s.cfg.ChainID == 0:
		if err := s.useChain(id.Uint64()); err != nil {
			return err
		}
	}
	var active bool
	// The endpoint may be restarting or flaky: retry the start-up reads until cctx
	// ends, backing off from 200 ms to 2 s.
	startRetry := retry.Policy{Initial: 200 * time.Millisecond, Max: 2 * time.Second}
	err = retry.Do(cctx, startRetry, func(cctx context.Context) (err error) {
		if s.Stopped() {
			return retry.Permanent(ErrStopped)
		}
		active, _, err = s.reg.PolicyActive(cctx, s.policyHash)
		return s.cfg.RedactErr(err)
	})
	if err != nil {
		return fmt.Errorf("service start: %w", err)
	}
	s.m.policyActive.WithLabelValues(s.policyHash.Hex()).Set(b2f(active))
	if !active {
		s.log.Warn("policy is not registered and active in the registry; its verdicts will be refused", "policy", s.policyHash)
	}
	return nil
}

// startLocked archives the policy and starts the API and the loops; s.mu is held.
func (s *Service) startLocked(ctx context.Context) error {
	doc, err := s.cfg.Policy.CanonicalJSON()
	if err != nil {
		return fmt.Errorf("service start: %w", err)
	}
	if _, err := s.st.PutPolicy(doc); err != nil {
		return fmt.Errorf("service start: archive policy: %w", err)
	}
	// Claim leases on disk belong to the workers of a run that ended (this process
	// holds the file's lock): without this, what they had claimed would wait for its
	// lease to expire (minutes) after a crash.
	if err := s.st.ResetLeases(); err != nil {
		return fmt.Errorf("service start: reset claim leases: %w", err)
	}
	if err := s.loadPending(); err != nil {
		return fmt.Errorf("service start: unsettled submissions: %w", err)
	}
	if err := s.api.Start(ctx); err != nil {
		return fmt.Errorf("service start: %w", err)
	}
	s.startedAt = s.cfg.Now()
	run, stop := context.WithCancel(context.Background())
	s.cancel = stop
	for i := range s.cfg.Workers {
		s.goLoop(func() { s.worker(run, i) })
	}
	s.goLoop(func() { s.publisher(run) })
	s.goLoop(func() { s.attestLoop(run) })
	s.goLoop(func() { s.healthLoop(run) })
	s.goLoop(func() { s.pruneLoop(run) })
	s.started = true
	s.log.Info("oracle node started", "oracle", s.oracle, "registry", s.cfg.Registry, "chain", s.cfg.ChainID,
		"policy", s.policyHash, "workers", s.cfg.Workers, "peers", len(s.cfg.Peers), "api", s.api.Addr())
	return nil
}

func (s *Service) goLoop(fn func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn()
	}()
}

// Stop stops the API first (no new submissions), then the loops: in-flight
// appraisals finish or are left in the store to resume; a transaction being
// confirmed stays journaled and is settled on the next start. Stop is safe to call
// twice and before Start; it returns the errors of the parts that failed to stop.
func (s *Service) Stop(ctx context.Context) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return s.stopErrs
	}
	s.stopped = true
	close(s.stopCh)
	started := s.started
	s.mu.Unlock()
	if !started {
		return nil
	}
	var errs []error
	if err := s.api.Stop(ctx); err != nil {
		errs = append(errs, err)
	}
	s.cancel()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("service stop: loops still running: %w", ctx.Err()))
	}
	s.mu.Lock()
	s.stopErrs = errors.Join(errs...)
	s.mu.Unlock()
	return s.stopErrs
}

// Stopped reports whether Stop was called.
func (s *Service) Stopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// subMeta is what a submission needs beyond the store's record: the binding inputs
// and the time its appraisal is made as of. It is committed with the submission
// (store.NewSubmission.Meta), so a submission never exists without it.
type subMeta struct {
	MachineID   common.Hash    `json:"machine_id"`
	TEEKey      common.Address `json:"tee_key"`
	AnchorBlock uint64         `json:"anchor_block"`
	AnchorHash  common.Hash    `json:"anchor_hash"`
	// AsOf is the appraisal time and the verdict's issuedAt (unix seconds): the anchor
	// block's timestamp, or a re-appraisal epoch.
	AsOf int64 `json:"as_of"`
	// Reappraisal marks a submission the node made itself from archived evidence; it
	// only ever publishes a downgrade.
	Reappraisal bool `json:"reappraisal,omitempty"`
	// BaseVerdict is the verdict a re-appraisal re-examines.
	BaseVerdict common.Hash `json:"base_verdict,omitempty"`
	// PoP is the key's proof of possession the submission came with (none for a
	// re-appraisal), given on to peers with the evidence.
	PoP hexutil.Bytes `json:"pop,omitempty"`
}

// subMetaEntry returns m as the metadata entry of submission id, for
// store.NewSubmission.Meta.
func subMetaEntry(id string, m *subMeta) (map[string][]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{"sub/" + id: b}, nil
}

func (s *Service) subMeta(id string) (*subMeta, error) {
	b, err := s.st.Meta("sub/" + id)
	if err != nil {
		return nil, fmt.Errorf("submission %s: parameters: %w", id, err)
	}
	var m subMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("submission %s: parameters: %w: %w", id, store.ErrCorrupt, err)
	}
	return &m, nil
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ---- api.Backend ----

var _ api.Backend = (*Service)(nil)

// unavailable wraps err for a 503 (api.ErrUnavailable). The node's own conditions
// (ownConditions: the tracker still catching up, a chain too short for an anchor, an
// anchor not yet after the machine's verdict), whose errors hold only block numbers
// and times, are api.PublicErrors: the client reads what to wait for. Anything
// else, a failed chain read, names the RPC endpoint: the API answers a fixed text
// and logs it.
func unavailable(err error) error {
	err = fmt.Errorf("%w: %w", api.ErrUnavailable, err)
	for _, c := range ownConditions {
		if errors.Is(err, c) {
			return &api.PublicError{Err: err}
		}
	}
	return err
}

// errShortChain: the chain has too few blocks for an anchor AnchorMargin below the
// head.
var errShortChain = errors.New("chain too short for an anchor")

// ownConditions are the errors of the node's own making that unavailable passes to
// the client. Each is built from figures alone, never wrapping an RPC error.
var ownConditions = []error{errTrackBehind, errShortChain, ErrStaleAnchor}

// peerClient is the client the node asks its peers with. A publisher pass asks
// each peer about up to prepareParallel verdicts at once: it keeps that many
// connections per peer open instead of the default two, which would open and close
// a connection for most requests.
func peerClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 2 * prepareParallel
	return &http.Client{Timeout: 5 * time.Second, Transport: t}
}

func (s *Service) chainCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, 10*time.Second)
}

// readRetryPause is the first pause before a failed chain read is asked again;
// it doubles with each further attempt.
const readRetryPause = 100 * time.Millisecond

// publishReadAttempts bounds the attempts of each chain read the publisher makes:
// a pass needs several reads in a row, and a pass lost to one failed request costs
// a whole poll interval.
const publishReadAttempts = 4

// read runs a chain read for the API and asks once more after a short pause when it
// fails, before the caller answers 503: one failed request to a struggling endpoint
// should not send an agent into its back-off.
func read[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	return readN(ctx, 2, fn)
}

// readN runs fn up to attempts times while it fails, pausing readRetryPause,
// doubled each time, in between. A revert is the chain's answer, not a failure, and
// is returned at once, as is anything after ctx ends.
func readN[T any](ctx context.Context, attempts int, fn func(context.Context) (T, error)) (T, error) {
	p := retry.Policy{Attempts: attempts, Initial: readRetryPause}
	return retry.DoValue(ctx, p, func(ctx context.Context) (T, error) {
		v, err := fn(ctx)
		if re := (*chain.RevertError)(nil); errors.As(err, &re) {
			return v, retry.Permanent(err)
		}
		return v, err
	})
}

// Challenge anchors to the head minus AnchorMargin blocks.
func (s *Service) Challenge(ctx context.Context, machineID common.Hash, teeKey common.Address) (*api.Challenge, error) {
	ctx, cancel := s.chainCtx(ctx)
	defer cancel()
	ctx, head, err := s.pin(ctx)
	if err != nil {
		return nil, unavailable(err)
	}
	rec, err := read(ctx, func(ctx context.Context) (MachineRecord, error) { return s.reg.Machine(ctx, machineID) })
	if err != nil {
		return nil, unavailable(err)
	}
	if rec.State != machineRegistered {
		return nil, &api.FieldError{Field: "machine_id", Unprocessable: true, Err: fmt.Errorf("machine %s is not registered in the registry", machineID)}
	}
	if head <= s.cfg.AnchorMargin {
		return nil, unavailable(fmt.Errorf("%w: the chain has only %d blocks; anchors sit %d below the head", errShortChain, head, s.cfg.AnchorMargin))
	}
	// The verdict's issuedAt is the anchor's timestamp and the registry only accepts
	// a newer issuedAt than the machine's current one: move the anchor up toward the
	// head until its time is past the current verdict's.
	n := head - s.cfg.AnchorMargin
	var h *types.Header
	for {
		if h, err = s.headerAt(ctx, n); err != nil {
			return nil, unavailable(err)
		}
		// The anchor must stay below the head: it has to be in the past of the block
		// that includes the verdict, and the node refuses anchors at the head.
		if h.Time > rec.IssuedAt || n+1 >= head {
			break
		}
		n++
	}
	if h.Time <= rec.IssuedAt {
		return nil, unavailable(fmt.Errorf("%w: block %d (time %d) is not after the machine's current verdict (issued at %d); retry after the next blocks",
			ErrStaleAnchor, n, h.Time, rec.IssuedAt))
	}
	maxAge, err := read(ctx, s.reg.MaxAnchorAge)
	if err != nil {
		return nil, unavailable(err)
	}
	b := verdict.Binding{ChainID: s.cfg.ChainID, Registry: s.cfg.Registry, MachineID: machineID, TEEKey: teeKey,
		AnchorBlockNumber: n, AnchorBlockHash: h.Hash()}
	rd := b.ReportData()
	return &api.Challenge{ChainID: s.cfg.ChainID, Registry: s.cfg.Registry, MachineID: machineID, TEEKey: teeKey,
		AnchorBlockNumber: n, AnchorBlockHash: h.Hash(), ReportData: "0x" + hex.EncodeToString(rd[:]),
		ValidUntilBlock: n + s.usableAge(maxAge)}, nil
}

// pin reads the head (see read; a read shared with concurrent callers, begun after
// this call, headReads) and pins it in ctx for the registry reads that follow
// (cachedView).
func (s *Service) pin(ctx context.Context) (context.Context, uint64, error) {
	head, err := read(ctx, s.headNow.BlockNumber)
	if err != nil {
		return ctx, 0, err
	}
	return withHead(ctx, head), head, nil
}

// headerAt reads block n's header for the API (see read), once while n is recent.
func (s *Service) headerAt(ctx context.Context, n uint64) (*types.Header, error) {
	return read(ctx, func(ctx context.Context) (*types.Header, error) { return s.heads.Header(ctx, n) })
}

func (s *Service) usableAge(maxAge uint64) uint64 {
	if maxAge <= s.cfg.AnchorSlack {
		return maxAge / 2
	}
	return maxAge - s.cfg.AnchorSlack
}

// Errors of submission checks, wrapped in *api.FieldError.
var (
	// ErrStaleAnchor: the anchor block is too old to be published before the registry
	// refuses it, or not yet mined.
	ErrStaleAnchor = errors.New("stale anchor")
	// ErrReplay: this evidence was submitted before.
	ErrReplay = errors.New("evidence already submitted")
	// ErrMachine: the machine is not registered, or registered for another TEE.
	ErrMachine = errors.New("machine not accepted")
	// ErrKeyNotAuthorized: the key is neither the machine's bound key nor the key its
	// provider authorised (authorizeKey), or it is bound to another machine.
	ErrKeyNotAuthorized = errors.New("key not authorised for this machine by its provider")
	// ErrReportData: the evidence's report data is not the submission's binding, or
	// cannot be read.
	ErrReportData = errors.New("evidence not bound to this submission")
)

// checkKey applies the registry's binding rules to a key about to be attested for
// a machine whose record is rec: the machine's bound key re-attests; any other key
// must be the one the machine's provider authorised and bound to no machine.
func (s *Service) checkKey(ctx context.Context, id common.Hash, rec MachineRecord, key common.Address) error {
	if key == rec.TEEKey {
		return nil
	}
	auth, err := read(ctx, func(ctx context.Context) (common.Address, error) { return s.reg.AuthorizedKey(ctx, id) })
	if err != nil {
		return unavailable(err)
	}
	if auth != key {
		hint := "no key is authorised"
		if auth != (common.Address{}) {
			hint = "the authorised key is " + auth.String()
		}
		return &api.FieldError{Field: "tee_key", Unprocessable: true, Err: fmt.Errorf(
			"%w: machine %s is bound to %s and %s; its provider %s authorises a key with `teeoracle machine authorize-key --machine-id %s --tee-key %s`",
			ErrKeyNotAuthorized, id, boundName(rec.TEEKey), hint, rec.Provider, id, key)}
	}
	other, err := read(ctx, func(ctx context.Context) (common.Hash, error) { return s.reg.MachineOfKey(ctx, key) })
	if err != nil {
		return unavailable(err)
	}
	if other != (common.Hash{}) && other != id {
		return &api.FieldError{Field: "tee_key", Unprocessable: true, Err: fmt.Errorf(
			"%w: key %s is bound to machine %s", ErrKeyNotAuthorized, key, other)}
	}
	return nil
}

func boundName(k common.Address) string {
	if k == (common.Address{}) {
		return "no key"
	}
	return k.String()
}

// Submit checks the machine and the anchor against the chain, the proof of
// possession against the binding and the evidence, refuses evidence bound to another
// binding or seen before, and stores the submission; it returns after the store's
// commit.
func (s *Service) Submit(ctx context.Context, req *api.SubmitRequest) (*api.SubmitResult, error) {
	cctx, cancel := s.chainCtx(ctx)
	defer cancel()
	cctx, head, err := s.pin(cctx)
	if err != nil {
		return nil, unavailable(err)
	}
	rec, err := read(cctx, func(ctx context.Context) (MachineRecord, error) { return s.reg.Machine(ctx, req.MachineID) })
	if err != nil {
		return nil, unavailable(err)
	}
	if rec.State != machineRegistered {
		return nil, &api.FieldError{Field: "machine_id", Unprocessable: true, Err: fmt.Errorf("%w: %s is not registered", ErrMachine, req.MachineID)}
	}
	if rec.TEE != uint8(req.Evidence.TEE) {
		return nil, &api.FieldError{Field: "body", Unprocessable: true,
			Err: fmt.Errorf("%w: machine %s is registered as tee %d, evidence is %s", ErrMachine, req.MachineID, rec.TEE, req.Evidence.TEE)}
	}
	// The proof of possession covers the evidence by its canonical hash, the one the
	// archive and the verdict carry.
	evHash := common.Hash(req.Evidence.Hash())
	hdr, err := s.checkAnchor(cctx, req, evHash, head)
	if err != nil {
		return nil, err
	}
	// Evidence bound to another challenge (another machine's or key's, say: bytes
	// seen on the wire) is refused before it claims anything, above all the
	// evidence index, which would otherwise keep its rightful submission out. The
	// worker checks the binding again, signed, in the appraisal.
	if err := s.checkReportData(req, hdr); err != nil {
		return nil, err
	}
	if hdr.Time <= rec.IssuedAt {
		return nil, &api.FieldError{Field: "anchor_block", Unprocessable: true,
			Err: fmt.Errorf("%w: block %d has time %d, not after the machine's current verdict (issued at %d); the registry would refuse it as stale",
				ErrStaleAnchor, req.AnchorBlock, hdr.Time, rec.IssuedAt)}
	}
	// Last, the two chain reads a key other than the bound one needs.
	if err := s.checkKey(cctx, req.MachineID, rec, req.TEEKey); err != nil {
		return nil, err
	}
	return s.store(ctx, req, hdr, evHash)
}

// store stores a submission that passed Submit's chain checks, with its
// parameters and evidence index, unless its evidence was submitted before or its
// machine is at its bound of failed submissions (admitFailures) or of unsettled
// ones, or has one not older (admitPending). It returns after the commit.
func (s *Service) store(ctx context.Context, req *api.SubmitRequest, hdr *types.Header, evHash common.Hash) (*api.SubmitResult, error) {
	// Only submissions of the same evidence wait for each other: the others share
	// the store's grouped commit.
	s.submitMu.Lock(evHash)
	defer s.submitMu.Unlock(evHash)
	if prev, err := s.st.Meta("ev/" + evHash.String()); err == nil {
		if sub, err := s.st.Submission(string(prev)); err == nil {
			return s.resubmitted(sub, req)
		}
	}
	if err := s.admitFailures(req.MachineID); err != nil {
		s.m.subsRefused.WithLabelValues("machine_failures").Inc()
		return nil, err
	}
	s.pending.lock.Lock(req.MachineID)
	defer s.pending.lock.Unlock(req.MachineID)
	if err := s.admitPending(req.MachineID, int64(hdr.Time)); err != nil {
		switch {
		case errors.Is(err, ErrMachinePending):
			s.m.subsRefused.WithLabelValues("machine_pending").Inc()
		case errors.Is(err, ErrNotNewer):
			s.m.subsRefused.WithLabelValues("not_newer").Inc()
		}
		return nil, err
	}
	// A client gone before the commit would never learn the submission's id.
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store submission: %w", err)
	}
	id := newID()
	m := &subMeta{MachineID: req.MachineID, TEEKey: req.TEEKey, AnchorBlock: req.AnchorBlock,
		AnchorHash: hdr.Hash(), AsOf: int64(hdr.Time), PoP: req.PoP}
	meta, err := subMetaEntry(id, m)
	if err != nil {
		return nil, fmt.Errorf("store submission parameters: %w", err)
	}
	// The parameters and the evidence index are committed with the submission: one
	// fsync per acknowledged submission, and never a submission without them.
	meta["ev/"+evHash.String()] = []byte(id)
	// The bundle is the encoding of req.Evidence, whose hash is evHash (a bundle's
	// round trip keeps the hash): the store does not decode and hash it again.
	// Handed over before the commit, so no worker can take the submission first.
	if req.Evidence.Form == evidence.FormBundle {
		s.handoffs.put(id, req.Evidence, m, len(req.Bundle))
	}
	sub, err := s.st.PutSubmission(store.NewSubmission{ID: id, MachineID: req.MachineID, Format: "bundle",
		ReceivedAt: req.ReceivedAt, Meta: meta, EvidenceHash: evHash}, req.Bundle)
	if err != nil {
		s.handoffs.take(id)
		return nil, fmt.Errorf("store submission: %w", err)
	}
	s.pending.add(req.MachineID, sub.ID)
	s.m.submissions.WithLabelValues("accepted").Inc()
	poke(s.wake)
	return &api.SubmitResult{ID: sub.ID, EvidenceHash: sub.EvidenceHash, State: string(sub.State)}, nil
}

// checkAnchor checks the submission's anchor block against the head and the
// registry's maxAnchorAge, and its proof of possession against the anchor's hash
// and the evidence's hash evHash; it returns the anchor's header. The header comes
// from s.heads: a cached header the proof does not fit is read again before the
// submission is refused (the block may have been replaced by a reorganisation).
func (s *Service) checkAnchor(ctx context.Context, req *api.SubmitRequest, evHash common.Hash, head uint64) (*types.Header, error) {
	maxAge, err := read(ctx, s.reg.MaxAnchorAge)
	if err != nil {
		return nil, unavailable(err)
	}
	if req.AnchorBlock >= head {
		return nil, &api.FieldError{Field: "anchor_block", Unprocessable: true,
			Err: fmt.Errorf("%w: block %d is not below the head %d", ErrStaleAnchor, req.AnchorBlock, head)}
	}
	if head-req.AnchorBlock > s.usableAge(maxAge) {
		return nil, &api.FieldError{Field: "anchor_block", Unprocessable: true,
			Err: fmt.Errorf("%w: block %d is %d blocks old, this node accepts at most %d (registry maxAnchorAge %d); get a new challenge",
				ErrStaleAnchor, req.AnchorBlock, head-req.AnchorBlock, s.usableAge(maxAge), maxAge)}
	}
	hdr, err := s.headerAt(ctx, req.AnchorBlock)
	if err != nil {
		return nil, unavailable(err)
	}
	// Proof of possession: the key's own signature over this challenge and this
	// evidence. Without it anyone could name an address they do not hold and have
	// it bound, or put their own evidence under another machine's challenge.
	perr := s.verifyPoP(req, evHash, hdr)
	if perr != nil {
		if hdr, err = read(ctx, func(ctx context.Context) (*types.Header, error) { return s.heads.FreshHeader(ctx, req.AnchorBlock) }); err != nil {
			return nil, unavailable(err)
		}
		perr = s.verifyPoP(req, evHash, hdr)
	}
	if perr != nil {
		return nil, &api.FieldError{Field: "pop", Unprocessable: true, Err: perr}
	}
	return hdr, nil
}

func (s *Service) verifyPoP(req *api.SubmitRequest, evHash common.Hash, hdr *types.Header) error {
	return verdict.VerifyPossession(s.bindingOf(req, hdr), evHash, req.PoP)
}

// bindingOf is the binding a submission names: this node's chain and registry, its
// machine, key and anchor block.
func (s *Service) bindingOf(req *api.SubmitRequest, hdr *types.Header) verdict.Binding {
	return verdict.Binding{ChainID: s.cfg.ChainID, Registry: s.cfg.Registry, MachineID: req.MachineID, TEEKey: req.TEEKey,
		AnchorBlockNumber: req.AnchorBlock, AnchorBlockHash: hdr.Hash()}
}

// checkReportData refuses evidence whose report data is not the submission's
// binding (as of the anchor header hdr) with 422 on the body. The bytes are
// unauthenticated until the appraisal: this only keeps evidence made for another
// challenge from being stored under this one.
func (s *Service) checkReportData(req *api.SubmitRequest, hdr *types.Header) error {
	got, err := req.Evidence.ReportData()
	if err != nil {
		return &api.FieldError{Field: "body", Unprocessable: true, Err: fmt.Errorf("%w: %w", ErrReportData, err)}
	}
	if want := s.bindingOf(req, hdr).ReportData(); got != want {
		return &api.FieldError{Field: "body", Unprocessable: true, Err: fmt.Errorf(
			"%w: evidence report data %x is not the binding %x of machine %s, key %s, anchor block %d",
			ErrReportData, got[:32], want[:32], req.MachineID, req.TEEKey, req.AnchorBlock)}
	}
	return nil
}

// resubmitted answers evidence submitted before: with the earlier submission when
// the parameters are the same (a client that missed its acknowledgement learns the
// id), a conflict naming it otherwise. Replayed evidence is never appraised twice.
func (s *Service) resubmitted(sub store.Submission, req *api.SubmitRequest) (*api.SubmitResult, error) {
	m, err := s.subMeta(sub.ID)
	if err != nil {
		return nil, err
	}
	if m.MachineID != req.MachineID || m.TEEKey != req.TEEKey || m.AnchorBlock != req.AnchorBlock {
		return nil, fmt.Errorf("%w: %w as submission %s with other parameters", api.ErrConflict, ErrReplay, sub.ID)
	}
	s.m.submissions.WithLabelValues("resubmitted").Inc()
	return &api.SubmitResult{ID: sub.ID, EvidenceHash: sub.EvidenceHash, State: string(sub.State), Existing: true}, nil
}

// Submission returns a submission's status with its verdict's outcome and quorum.
func (s *Service) Submission(_ context.Context, id string) (*api.SubmissionView, error) {
	sub, err := s.st.Submission(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: submission %q", api.ErrNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	v := &api.SubmissionView{ID: sub.ID, MachineID: sub.MachineID, EvidenceHash: sub.EvidenceHash,
		State: string(sub.State), Reason: sub.Reason, Waiting: sub.Waiting, ReceivedAt: sub.ReceivedAt, UpdatedAt: sub.UpdatedAt}
	if h, err := json.Marshal(sub.History); err == nil {
		v.History = h
	}
	if sub.VerdictHash != (common.Hash{}) {
		vh := sub.VerdictHash
		v.VerdictHash = &vh
		if rec, err := s.audit(vh); err == nil {
			t := rec.Trusted
			v.Trusted, v.Reasons = &t, rec.Reasons
		}
		s.qmu.Lock()
		if q := s.quorum[vh]; q != nil {
			v.Quorum = q.view()
		}
		s.qmu.Unlock()
	}
	if sub.TxNonce != nil {
		if t, err := s.st.Tx(sub.TxFrom, *sub.TxNonce); err == nil {
			h := t.Mined
			if h == (common.Hash{}) && len(t.Attempts) > 0 {
				h = t.Attempts[len(t.Attempts)-1].Hash
			}
			v.TxHash = &h
		}
	}
	return v, nil
}

func (s *Service) audit(h common.Hash) (*audit.Record, error) {
	b, err := s.st.Meta(audit.RecordKey(h))
	if err != nil {
		return nil, err
	}
	var rec audit.Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("audit record of %s: %w: %w", h, store.ErrCorrupt, err)
	}
	return &rec, nil
}

// Verdict returns a verdict with every signature the node holds, but for its own
// when it withdrew it (withdraw.go).
func (s *Service) Verdict(_ context.Context, h common.Hash) (*api.VerdictView, error) {
	v, err := s.st.Verdict(h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: verdict %s", api.ErrNotFound, h)
	}
	if err != nil {
		return nil, err
	}
	sigs, err := s.st.Signatures(h)
	if err != nil {
		return nil, err
	}
	if why, err := s.withdrawn(h); err != nil {
		return nil, err
	} else if why != "" {
		delete(sigs, s.oracle)
	}
	out := &api.VerdictView{Hash: h, Verdict: v.Body, Signatures: []api.SignatureView{}}
	var list []verdict.Signature
	for a, sig := range sigs {
		list = append(list, verdict.Signature{Signer: a, Sig: sig})
	}
	verdict.SortBySigner(list)
	for _, sg := range list {
		out.Signatures = append(out.Signatures, api.SignatureView{Signer: sg.Signer, Signature: "0x" + hex.EncodeToString(sg.Sig)})
	}
	if b, err := s.st.Meta(audit.RecordKey(h)); err == nil {
		out.Audit = b
	}
	return out, nil
}

// Signature returns this node's signature over a verdict hash, for peers; not one
// it withdrew, its verdict refused for good (see withdraw.go for the rule).
func (s *Service) Signature(_ context.Context, h common.Hash) (*api.SignatureView, error) {
	sig, err := s.ownSignature(h)
	if err != nil {
		return nil, err
	}
	return &api.SignatureView{Signer: s.oracle, Signature: "0x" + hex.EncodeToString(sig)}, nil
}

// EvidenceVerdicts returns the verdict this node reached for evidence, if any.
func (s *Service) EvidenceVerdicts(_ context.Context, evHash common.Hash) ([]common.Hash, error) {
	id, err := s.st.Meta("ev/" + evHash.String())
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: evidence %s was not submitted to this node", api.ErrNotFound, evHash)
	}
	if err != nil {
		return nil, err
	}
	sub, err := s.st.Submission(string(id))
	if err != nil {
		return nil, fmt.Errorf("%w: evidence %s: %w", api.ErrNotFound, evHash, err)
	}
	if sub.VerdictHash == (common.Hash{}) {
		return nil, nil
	}
	return []common.Hash{sub.VerdictHash}, nil
}

// Archive serves archived evidence, collateral and policies.
func (s *Service) Archive(_ context.Context, kind string, h common.Hash) ([]byte, error) {
	var b []byte
	var err error
	switch kind {
	case api.ArchiveEvidence:
		b, err = s.st.Evidence(h)
	case api.ArchiveCollateral:
		b, err = s.st.Collateral(h)
	case api.ArchivePolicy:
		b, err = s.st.Policy(h)
	default:
		return nil, &api.FieldError{Field: "kind", Err: fmt.Errorf("unknown archive %q", kind)}
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s %s", api.ErrNotFound, kind, h)
	}
	return b, err
}

// Ready reports whether the node can publish verdicts: its store is open, and the
// last health check (every HealthInterval) found the chain reachable with a recent
// head, this node's key an oracle of the registry, its policy registered and active,
// the sending account able to pay for the next verdicts, and enough peers reachable
// for the quorum. The error, an api.PublicError that /readyz answers, names every
// reason that holds (ErrChainUnreachable, ErrChainLagging, ErrNotOracle,
// ErrPolicyInactive, ErrLowBalance, ErrPeersUnreachable, ErrNotChecked,
// ErrStoreUnreadable), worded by the node: the RPC endpoint's errors, which may name
// its host and address, and the store's are the log's (the health check logs a
// reason when it appears).
func (s *Service) Ready(_ context.Context) error {
	if _, err := s.st.Meta("ready-probe"); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Error("readiness: store unreadable", "err", err)
		return publicHealth(errors.Join(&withheld{reason: ErrStoreUnreadable, cause: err}, s.healthErr()))
	}
	return publicHealth(s.healthErr())
}
