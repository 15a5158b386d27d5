package service

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/store"
)

// ErrConfig is returned (wrapped) by Config.Check.
var ErrConfig = errors.New("invalid service config")

// Config is the node's typed configuration: everything parsed, checked by Check
// before anything dials out. The command line builds it (cmd/teeoracle serve).
type Config struct {
	// API configures the HTTP server.
	API api.Config
	// Registry is the TeeRegistry's address; ChainID its chain, checked against the
	// RPC endpoint at Start, or 0: learnt from the endpoint at Start.
	Registry common.Address
	ChainID  uint64
	// ChainWait is how long Start keeps asking the endpoint for its chain id (an
	// endpoint that is restarting, or not up yet) before it gives up; 0 means 1 min.
	ChainWait time.Duration
	// RedactErr, when set, is applied to the endpoint's errors that Start logs and
	// returns (chain.ScrubURL: an RPC URL may carry an API key).
	RedactErr func(error) error
	// OracleKey signs verdicts (EIP-712); it must be a registered oracle to count.
	OracleKey *ecdsa.PrivateKey
	// TxFrom and TxSigner send transactions; zero TxFrom means the oracle key's
	// address, signing with it (for the chain id, so once that is known).
	TxFrom   common.Address
	TxSigner bind.SignerFn
	// Policy decides; the node archives its canonical JSON at start, for audit.
	Policy *policy.Policy
	// Appraiser appraises evidence of both TEEs (appraise.ByTEE).
	Appraiser appraise.Appraiser
	// Store is the open node database; the service does not close it (the owner does).
	Store *store.Store
	// Peers are other oracle nodes' API base URLs, asked for signatures. A peer that
	// has not seen the evidence is given it (forwardEvidence), so agents need to
	// attest to one node of the quorum only.
	Peers []string
	// NoForward keeps evidence to this node: peers sign only what agents gave them.
	NoForward bool
	// Workers is the number of appraisal goroutines; 0 means 16 per CPU
	// (runtime.NumCPU()): a worker spends a few milliseconds of CPU on a submission
	// and waits longer than that for its decision's commit (an fsync) and a head
	// read, and only with many more workers than cores do those waits overlap and
	// share fsyncs (store.Options.CommitDelay). With 4 per CPU the workers of a
	// 2-core node signed at about half the rate submissions were acknowledged
	// (BenchmarkNodeVsVerifier, docs/operator.md); with 16 they keep up.
	Workers int
	// AnchorMargin is how many blocks below the head a challenge anchors, so a
	// shallow reorg does not invalidate it; 0 means 2.
	AnchorMargin uint64
	// AnchorSlack is how many blocks of the registry's maxAnchorAge this node keeps
	// for itself: evidence whose anchor is older than maxAnchorAge-AnchorSlack is
	// refused at submission, since it could not be published in time; 0 means 8.
	AnchorSlack uint64
	// PollInterval paces the publisher and idle workers; 0 means 500 ms.
	PollInterval time.Duration
	// BatchMax bounds verdicts per transaction; 0 means 32.
	BatchMax int
	// RelayDelay is how long a node that is not the first signer waits before it
	// relays a verdict with quorum itself (the first signer relays at once); 0 means
	// 3 × PollInterval.
	RelayDelay time.Duration
	// QuorumTimeout fails a verdict that has not reached its quorum in time; 0 means 10 min.
	QuorumTimeout time.Duration
	// DueWithin: machines whose verdict expires within this window are due; 0 means 1 h.
	DueWithin time.Duration
	// DueFresh bounds how old the due list's answer may be: a request within
	// DueFresh of the last one that ran a tracking pass answers the list that one
	// built. 0 means 5 s; negative: every request runs a pass (tests that move the
	// chain's clock between requests).
	DueFresh time.Duration
	// ReappraiseInterval paces the continuous-attestation loop (machine tracking and
	// re-appraisal on collateral change); 0 means 1 min.
	ReappraiseInterval time.Duration
	// ReappraiseEpoch is the time grid re-appraisals are made on, so every node that
	// re-appraises a machine in the same epoch makes the same verdict; 0 means 10 min.
	// Each machine has its own offset within the epoch (its id modulo the epoch in
	// seconds, the same on every node) and is re-appraised as of the latest
	// k × epoch + offset of chain time, so a fleet's re-appraisals spread over the
	// epoch instead of all falling due at its start.
	ReappraiseEpoch time.Duration
	// ReappraiseMax bounds the re-appraisals (appraisals of archived evidence, failed
	// ones included) one continuous-attestation pass makes; the machines left over
	// are re-appraised in the next pass, those whose time came first first. A node
	// keeps up with ReappraiseMax × ReappraiseEpoch / ReappraiseInterval trusted
	// machines (20,000 at the defaults). 0 means 2,000.
	ReappraiseMax int
	// RefreshCollateral, when set, runs at the start of every continuous-attestation
	// pass, before re-appraisal: the place to import or fetch new collateral (CRLs,
	// TCB Info) into the appraisers' sources.
	RefreshCollateral func(ctx context.Context) error
	// CollateralWait is how long a submission may wait for a collateral source that is
	// down (AMD KDS or Intel PCS unreachable, answering 429 or 5xx) before it fails;
	// meanwhile it is appraised again every CollateralRetry. An appraisal that could
	// not fetch its collateral makes no verdict: failing the evidence for the
	// network's sake would publish nothing true. 0 means 10 min and 30 s.
	CollateralWait  time.Duration
	CollateralRetry time.Duration
	// MaxHeadLag is how old the chain's head block may be before the node reports
	// itself not ready (its endpoint is stuck or syncing); 0 means 2 min.
	MaxHeadLag time.Duration
	// GasPerVerdict and ReserveVerdicts estimate the funds the sending account must
	// hold to be ready: ReserveVerdicts verdicts of GasPerVerdict gas each at the
	// current fee cap (tip plus twice the base fee). 0 means 120000 gas (a first
	// verdict of a machine, alone in its transaction, with margin; docs/gas.md) and 10.
	GasPerVerdict   uint64
	ReserveVerdicts int
	// HealthInterval paces the readiness checks (chain head, oracle status,
	// balance, peers) whose last result Ready reports; 0 means 15 s.
	HealthInterval time.Duration
	// RetainFailed is how long the evidence of a failed submission (a verdict that
	// was not published, or none reached) is kept before the retention loop deletes
	// it with the submission; 0 means 24 h, negative keeps it forever. Evidence a
	// confirmed or pending submission refers to is never deleted.
	RetainFailed time.Duration
	// MaxFailedPerMachine bounds the submissions of one machine the node keeps that
	// failed for their evidence (it could not be read, is not authentic for a check
	// of its own, not only of its collateral, or not bound, or is untrusted for a key
	// not bound: store.Submission.EvidenceFault):
	// when that many failed so within RetainFailed (24 h when failed ones are kept
	// forever), a new one for the machine is refused (429) before anything is
	// stored. A failed submission is kept with its evidence (up to about 134 KiB)
	// for RetainFailed, and the holder of a machine's authorised key can send
	// evidence that fails from every address it has; this bounds what it makes each
	// node of the quorum keep to about 2 × MaxFailedPerMachine such submissions per
	// machine (the window slides, pruning runs every PruneInterval). Failures that
	// are not the evidence's (collateral or chain unavailable, no quorum, the
	// registry's refusal) do not count, so an outage does not shut an honest
	// machine out. 0 means 32 (serve's --max-failed-per-machine).
	MaxFailedPerMachine int
	// CallBatch is how many contract calls at the latest block (the registry's
	// reads, the publisher's simulations) the node sends in one JSON-RPC batch
	// request at most: calls made while a batch is in flight go together in the
	// next. 0 means DefaultCallBatch (100); 1 sends every call alone. An endpoint
	// that refuses a batch is sent its calls one by one, and when it answers them
	// so, batches of half as many for 10 minutes (serve's --rpc-call-batch).
	CallBatch int
	// PruneInterval paces the retention loop (and the archive size metrics); 0 means
	// RetainFailed/24, at least 1 s and at most 1 h.
	PruneInterval time.Duration
	// StartBlock is where registry event scanning starts (the deployment block).
	StartBlock uint64
	// TxManager configures the publisher's transaction manager. From and Signer are
	// filled from TxFrom/TxSigner.
	TxManager chain.TxManagerConfig
	// Metrics holds the node's metrics, served at /metrics; nil means a fresh
	// registry (never the global one, so two nodes can share a process in tests).
	Metrics *prometheus.Registry
	// Logger; nil means slog.Default().
	Logger *slog.Logger
	// Now is the wall clock for record timestamps and timers only; verdict times come
	// from the chain. Nil means time.Now.
	Now func() time.Time
	// AfterPublishPass, when set, is called by the publisher each time it has
	// finished one pass over the signed verdicts (sent what had its quorum, left
	// the rest waiting), whether or not the pass failed. A test hook: it lets a test
	// wait for the publisher's decision instead of sleeping; nil in production.
	AfterPublishPass func()
	// AfterTrackPass, when set, is called each time a pass of the registry tracker
	// (the continuous-attestation loop's, or a due list's) has ended, whether or not
	// it failed. A test hook, as AfterPublishPass; nil in production.
	AfterTrackPass func()
}

// Check validates c across fields and fills defaults.
func (c *Config) Check() error {
	if err := c.checkRequired(); err != nil {
		return err
	}
	if err := c.checkSender(); err != nil {
		return err
	}
	for i, p := range c.Peers {
		u, err := url.Parse(p)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return configErr("peer %d %q is not an http(s) URL", i, p)
		}
		c.Peers[i] = strings.TrimRight(p, "/")
	}
	if err := c.defaultTimes(); err != nil {
		return err
	}
	if err := c.defaultCounts(); err != nil {
		return err
	}
	if c.TxManager.MaxFeeCap == nil {
		return configErr("no max fee cap for transactions")
	}
	c.API.Registerer, c.API.Gatherer = c.Metrics, c.Metrics
	if c.API.Logger == nil {
		c.API.Logger = c.Logger
	}
	if err := c.API.Check(); err != nil {
		return err
	}
	if _, err := c.Policy.Hash(); err != nil {
		return configErr("policy: %v", err)
	}
	return nil
}

func configErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
}

// checkRequired refuses a configuration missing what the node cannot run without.
func (c *Config) checkRequired() error {
	switch {
	case c.Registry == (common.Address{}):
		return configErr("registry address is zero")
	case c.OracleKey == nil:
		return configErr("no oracle key")
	case c.Policy == nil:
		return configErr("no policy")
	case c.Appraiser == nil:
		return configErr("no appraiser")
	case c.Store == nil:
		return configErr("no store")
	case c.Workers < 0:
		return configErr("negative workers")
	case c.BatchMax < 0:
		return configErr("negative batch size")
	case c.ReappraiseMax < 0:
		return configErr("negative reappraise max")
	}
	return nil
}

// checkSender defaults the transaction sender to the oracle key's account; its
// signer is made for the chain (useChain).
func (c *Config) checkSender() error {
	if c.TxFrom == (common.Address{}) {
		c.TxFrom = crypto.PubkeyToAddress(c.OracleKey.PublicKey)
	}
	if c.TxSigner == nil && c.TxFrom != crypto.PubkeyToAddress(c.OracleKey.PublicKey) {
		return configErr("tx sender %s differs from the oracle key and no tx signer was given", c.TxFrom)
	}
	return nil
}

// defaultTimes fills the durations left zero and refuses negative ones.
func (c *Config) defaultTimes() error {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.PollInterval, 500*time.Millisecond)
	def(&c.RelayDelay, 3*c.PollInterval)
	def(&c.QuorumTimeout, 10*time.Minute)
	def(&c.DueWithin, time.Hour)
	def(&c.DueFresh, 5*time.Second)
	def(&c.ReappraiseInterval, time.Minute)
	def(&c.ReappraiseEpoch, 10*time.Minute)
	def(&c.CollateralWait, 10*time.Minute)
	def(&c.CollateralRetry, 30*time.Second)
	def(&c.MaxHeadLag, 2*time.Minute)
	def(&c.HealthInterval, 15*time.Second)
	def(&c.RetainFailed, 24*time.Hour)
	def(&c.ChainWait, time.Minute)
	if c.PruneInterval < 0 {
		return configErr("negative prune interval")
	}
	if c.PruneInterval == 0 {
		c.PruneInterval = time.Hour
		if c.RetainFailed > 0 {
			c.PruneInterval = min(max(c.RetainFailed/24, time.Second), time.Hour)
		}
	}
	for name, d := range map[string]time.Duration{"poll interval": c.PollInterval, "relay delay": c.RelayDelay,
		"quorum timeout": c.QuorumTimeout, "due window": c.DueWithin, "reappraise interval": c.ReappraiseInterval,
		"reappraise epoch": c.ReappraiseEpoch, "collateral wait": c.CollateralWait, "collateral retry": c.CollateralRetry,
		"max head lag": c.MaxHeadLag, "health interval": c.HealthInterval, "chain wait": c.ChainWait} {
		if d < 0 {
			return configErr("negative %s", name)
		}
	}
	if c.ReappraiseEpoch < time.Second {
		return configErr("reappraise epoch %s below one second", c.ReappraiseEpoch)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// defaultCounts fills the counts, metrics and logger left zero.
func (c *Config) defaultCounts() error {
	if c.Workers == 0 {
		c.Workers = 16 * runtime.NumCPU()
	}
	if c.AnchorMargin == 0 {
		c.AnchorMargin = 2
	}
	if c.AnchorSlack == 0 {
		c.AnchorSlack = 8
	}
	if c.GasPerVerdict == 0 {
		c.GasPerVerdict = 120_000
	}
	if c.ReserveVerdicts < 0 {
		return configErr("negative reserve verdicts")
	}
	if c.ReserveVerdicts == 0 {
		c.ReserveVerdicts = 10
	}
	if c.BatchMax == 0 {
		c.BatchMax = 32
	}
	if c.MaxFailedPerMachine < 0 {
		return configErr("negative max failed submissions per machine")
	}
	if c.MaxFailedPerMachine == 0 {
		c.MaxFailedPerMachine = 32
	}
	if c.CallBatch < 0 {
		return configErr("negative RPC call batch")
	}
	if c.CallBatch == 0 {
		c.CallBatch = DefaultCallBatch
	}
	if c.ReappraiseMax == 0 {
		c.ReappraiseMax = 2000
	}
	if c.Metrics == nil {
		c.Metrics = prometheus.NewRegistry()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.RedactErr == nil {
		c.RedactErr = func(err error) error { return err }
	}
	return nil
}
