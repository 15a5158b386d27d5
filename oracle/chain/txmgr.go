// Package chain talks to the EVM chain: the registry client over the generated
// bindings, and the transaction manager that publishes what the node decides.
package chain

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/txpool"
	"github.com/ethereum/go-ethereum/core/types"
)

// Errors returned by TxManager. Test for them with errors.Is.
var (
	// ErrInFlight means Send gave up waiting (its context ended) while a signed
	// transaction may still be mined. It stays in the journal and is settled before
	// the next Send or by Recover; the caller must not send the same work again.
	ErrInFlight = errors.New("transaction in flight")
	// ErrReverted means the transaction was mined but its receipt status is failure.
	ErrReverted = errors.New("transaction reverted")
	// ErrHandedBack comes wrapped with ErrReverted when the revert holds nothing
	// against the work the transaction carried (TxManagerConfig.Reverted): the
	// journal handed that work back to be sent again instead of failing it.
	ErrHandedBack = errors.New("carried work handed back")
	// ErrRejected means the node refused the transaction for a reason a retry will
	// not fix (insufficient funds, gas limit, intrinsic gas). Nothing was published.
	ErrRejected = errors.New("transaction rejected")
	// ErrInsufficientFunds means the sender cannot pay for the transaction's gas
	// and value. It comes wrapped with ErrRejected: nothing was published, and
	// nothing will be until the account is funded.
	ErrInsufficientFunds = errors.New("sender has insufficient funds")
	// ErrFeeCapExceeded means the base fee is above the configured MaxFeeCap, so no
	// transaction was signed.
	ErrFeeCapExceeded = errors.New("fee cap exceeded")
	// ErrNonceConsumed means the nonce kept being taken by other transactions from
	// the same sender; nothing of ours was mined.
	ErrNonceConsumed = errors.New("nonce consumed by another transaction")
	// ErrBadConfig means TxManagerConfig failed validation.
	ErrBadConfig = errors.New("bad transaction manager config")
)

// errNonceGone is internal: the in-flight nonce can never be mined (taken by another
// transaction, or the chain was reset below it); the journal entry is dropped.
var errNonceGone = errors.New("nonce can no longer be mined")

// errChainBehind is internal: the chain shows a nonce below the in-flight one.
var errChainBehind = errors.New("chain behind the in-flight nonce")

// Client is the part of an Ethereum JSON-RPC client the transaction manager uses.
// *ethclient.Client and the simulated backend's client implement it; tests wrap it
// to inject faults.
type Client interface {
	ChainID(ctx context.Context) (*big.Int, error)
	NonceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (uint64, error)
	PendingNonceAt(ctx context.Context, account common.Address) (uint64, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error)
	SendTransaction(ctx context.Context, tx *types.Transaction) error
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
	BlockNumber(ctx context.Context) (uint64, error)
}

// Journal is the durable record of signed transactions that makes publication
// survive restarts without doubling. *store.Store implements it. Every attempt is
// recorded before it is broadcast; all attempts of one nonce carry the same refs.
type Journal interface {
	// RecordAttempt durably records a signed transaction (its binary encoding and
	// hash) before broadcast, with the hashes of the work it carries.
	RecordAttempt(from common.Address, nonce uint64, txHash common.Hash, rawTx []byte, refs []common.Hash) error
	// MarkConfirmedOutcome records that attempt txHash was mined in block with
	// enough confirmations; success is the receipt status, and skipped names the refs
	// the transaction carried but did not apply, with the reason of each: they fail,
	// except those in retry, which go back to be sent again.
	MarkConfirmedOutcome(from common.Address, nonce uint64, txHash common.Hash, block uint64, success bool, skipped, retry map[common.Hash]string) error
	// MarkReverted records that attempt txHash was mined in block with enough
	// confirmations and reverted, for reason (empty: unknown). The refs it carried
	// fail, or with retry are handed back to be sent again, as MarkDropped does.
	MarkReverted(from common.Address, nonce uint64, txHash common.Hash, block uint64, retry bool, reason string) error
	// MarkDropped records that no attempt of the nonce can be mined any more.
	MarkDropped(from common.Address, nonce uint64, reason string) error
	// PendingAttempts calls fn for each pending nonce of from, lowest first, with the
	// raw attempts oldest first.
	PendingAttempts(from common.Address, fn func(nonce uint64, refs []common.Hash, rawTxs [][]byte) error) error
}

// TxMetrics receives the manager's measurements. NoopTxMetrics discards them.
type TxMetrics interface {
	// RecordNonce reports the nonce about to be used.
	RecordNonce(nonce uint64)
	// RecordPublish counts a broadcast the node accepted.
	RecordPublish()
	// RecordFeeBump counts a replacement with raised fees.
	RecordFeeBump()
	// RecordConfirmed reports a confirmation: time since the first attempt was
	// signed, and gas used.
	RecordConfirmed(latency time.Duration, gasUsed uint64)
	// RecordDropped counts a nonce given up (taken by another transaction, chain
	// reset, or rejected by the node).
	RecordDropped()
	// RecordRPCError counts a failed RPC call by JSON-RPC method name.
	RecordRPCError(method string)
}

// NoopTxMetrics is a TxMetrics that records nothing.
type NoopTxMetrics struct{}

// RecordNonce does nothing.
func (NoopTxMetrics) RecordNonce(uint64) {}

// RecordPublish does nothing.
func (NoopTxMetrics) RecordPublish() {}

// RecordFeeBump does nothing.
func (NoopTxMetrics) RecordFeeBump() {}

// RecordConfirmed does nothing.
func (NoopTxMetrics) RecordConfirmed(time.Duration, uint64) {}

// RecordDropped does nothing.
func (NoopTxMetrics) RecordDropped() {}

// RecordRPCError does nothing.
func (NoopTxMetrics) RecordRPCError(string) {}

// TxCandidate is what callers ask the manager to publish: calldata, not a signed
// transaction, so the manager owns nonce, gas and fees.
type TxCandidate struct {
	// To is the recipient; nil deploys a contract.
	To *common.Address
	// Data is the calldata (ABI-packed through the bindings).
	Data []byte
	// GasLimit is used as is when non-zero; zero means estimate (plus
	// TxManagerConfig.GasLimitMarginPercent).
	GasLimit uint64
	// Value is the wei sent with the call; nil means zero.
	Value *big.Int
	// Refs are the hashes of the work the transaction carries (verdict hashes); they
	// are journaled with every attempt so a restart knows what is in flight.
	Refs []common.Hash
}

// TxManagerConfig configures a TxManager. Durations and limits whose zero value
// would be unsafe have the defaults given in their comments.
type TxManagerConfig struct {
	// From is the sending account; Signer must sign for it.
	From common.Address
	// Signer signs transactions for From (from a keystore, or KeySigner).
	Signer bind.SignerFn
	// ChainID, when nil, is asked from the client on first use.
	ChainID *big.Int
	// Outcome, when set, reads a successful receipt for the refs the transaction
	// carried but did not apply (a batch whose contract skips refused entries), with
	// the reason of each; they are journaled as failed instead of confirmed, except
	// the retry ones, not applied for a reason that holds nothing against them (the
	// transaction ran short of gas before them), which go back to be sent again. An
	// error leaves the confirmation for the next pass. Nil means every ref was applied.
	Outcome func(ctx context.Context, rcpt *types.Receipt) (skipped, retry map[common.Hash]string, err error)
	// Reverted, when set, reads a reverted receipt of tx (the mined attempt) for
	// why it reverted, and whether that holds nothing against the refs it carried
	// (retry: the contract was paused, or its signer set changed, between the
	// simulation and the inclusion): the journal then hands them back to be sent
	// again (Send returns ErrHandedBack with ErrReverted) instead of failing them.
	// An error leaves the confirmation for the next pass. Nil fails them.
	Reverted func(ctx context.Context, tx *types.Transaction, rcpt *types.Receipt) (retry bool, reason string, err error)
	// NumConfirmations is how many blocks (the including one counted) must exist
	// before a transaction counts as confirmed; 0 means 1.
	NumConfirmations uint64
	// ResubmissionTimeout is how long a broadcast attempt may stay unmined before its
	// fees are bumped; 0 means 30 s.
	ResubmissionTimeout time.Duration
	// ReceiptQueryInterval is the polling period for receipts; 0 means 1 s.
	ReceiptQueryInterval time.Duration
	// NetworkTimeout bounds each RPC call; 0 means 10 s.
	NetworkTimeout time.Duration
	// RetryInterval is the first back-off after a failed RPC call, doubled up to
	// 5 s; 0 means 250 ms. MaxRetries bounds the attempts of one call; 0 means 5.
	RetryInterval time.Duration
	MaxRetries    int
	// FeeBumpPercent is the minimum raise of both tip and fee cap when resubmitting;
	// 0 means 10, below 10 is rejected (nodes refuse smaller replacements).
	FeeBumpPercent uint64
	// MaxFeeCap is the most wei per gas the manager will ever offer. Required.
	MaxFeeCap *big.Int
	// MinTipCap is a floor for the tip; nil means none.
	MinTipCap *big.Int
	// BaseFeeMultiplier sets the fee cap to tip + multiplier × base fee, headroom for
	// base-fee rises while the transaction waits; 0 means 2.
	BaseFeeMultiplier uint64
	// GasLimitMarginPercent is added to gas estimates; 0 means none.
	GasLimitMarginPercent uint64
	// Metrics receives measurements; nil means NoopTxMetrics.
	Metrics TxMetrics
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

func (c *TxManagerConfig) check() error {
	switch {
	case c.From == (common.Address{}):
		return fmt.Errorf("%w: From is the zero address", ErrBadConfig)
	case c.Signer == nil:
		return fmt.Errorf("%w: no Signer", ErrBadConfig)
	case c.MaxFeeCap == nil || c.MaxFeeCap.Sign() <= 0:
		return fmt.Errorf("%w: MaxFeeCap must be positive", ErrBadConfig)
	case c.FeeBumpPercent != 0 && c.FeeBumpPercent < 10:
		return fmt.Errorf("%w: FeeBumpPercent %d below 10", ErrBadConfig, c.FeeBumpPercent)
	case c.MinTipCap != nil && c.MinTipCap.Cmp(c.MaxFeeCap) > 0:
		return fmt.Errorf("%w: MinTipCap above MaxFeeCap", ErrBadConfig)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.ResubmissionTimeout, 30*time.Second)
	def(&c.ReceiptQueryInterval, time.Second)
	def(&c.NetworkTimeout, 10*time.Second)
	def(&c.RetryInterval, 250*time.Millisecond)
	if c.NumConfirmations == 0 {
		c.NumConfirmations = 1
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 5
	}
	if c.FeeBumpPercent == 0 {
		c.FeeBumpPercent = 10
	}
	if c.BaseFeeMultiplier == 0 {
		c.BaseFeeMultiplier = 2
	}
	if c.Metrics == nil {
		c.Metrics = NoopTxMetrics{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

// KeySigner returns a SignerFn for a private key on chain chainID, for key files and
// tests; keystore accounts come with their own.
func KeySigner(key *ecdsa.PrivateKey, chainID *big.Int) bind.SignerFn {
	return bind.NewKeyedTransactor(key, chainID).Signer
}

// TxManager publishes transactions for one account, modelled on op-service's txmgr:
// it owns the nonce, estimates gas and EIP-1559 fees, journals each signed attempt
// before broadcasting it, waits for confirmations, bumps fees of stuck transactions,
// and retries RPC failures. It keeps one transaction in flight at a time: the
// publisher batches verdicts into one transaction instead, and a single in-flight
// nonce means no nonce gaps to repair after a failure or a chain reset.
type TxManager struct {
	cfg     TxManagerConfig
	client  Client
	journal Journal
	log     *slog.Logger
	sem     chan struct{} // one Send or Recover at a time; a channel so waiting honours ctx
	chainID *big.Int
	nonce   *uint64 // next nonce to use; nil means ask the chain
}

// NewTxManager validates cfg and returns a manager. It does not touch the network;
// call Recover before the first Send to settle what a previous run left in flight
// (Send does it too).
func NewTxManager(cfg TxManagerConfig, client Client, journal Journal) (*TxManager, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if client == nil || journal == nil {
		return nil, fmt.Errorf("%w: nil client or journal", ErrBadConfig)
	}
	m := &TxManager{cfg: cfg, client: client, journal: journal, sem: make(chan struct{}, 1),
		log: cfg.Logger.With("component", "txmgr", "from", cfg.From)}
	if cfg.ChainID != nil {
		m.chainID = new(big.Int).Set(cfg.ChainID)
	}
	return m, nil
}

// From returns the sending account.
func (m *TxManager) From() common.Address { return m.cfg.From }

func (m *TxManager) lock(ctx context.Context) error {
	select {
	case m.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m *TxManager) unlock() { <-m.sem }

// Recover settles every transaction the journal holds as pending: it finds their
// receipts, or re-broadcasts them (same nonce, so at most one attempt is ever mined,
// bumping fees while they wait), or marks them dropped when the chain shows they can
// no longer be mined. It returns when none is pending, or with ctx's error.
func (m *TxManager) Recover(ctx context.Context) error {
	if err := m.lock(ctx); err != nil {
		return err
	}
	defer m.unlock()
	return m.settlePending(ctx)
}

// Send publishes c and waits until it is confirmed, returning the receipt. A
// reverted transaction returns its receipt and ErrReverted (with ErrHandedBack
// when its refs were handed back, see TxManagerConfig.Reverted). If ctx ends while the
// transaction may still be mined, Send returns ErrInFlight: the journal keeps it and
// it is settled before the next Send. Concurrent calls are served one at a time.
func (m *TxManager) Send(ctx context.Context, c TxCandidate) (*types.Receipt, error) {
	if err := m.lock(ctx); err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	defer m.unlock()
	if err := m.settlePending(ctx); err != nil {
		return nil, fmt.Errorf("send: settle earlier transactions: %w", err)
	}
	chainID, err := m.getChainID(ctx)
	if err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	gas := c.GasLimit
	if gas == 0 {
		if gas, err = m.estimateGas(ctx, c); err != nil {
			return nil, fmt.Errorf("send: %w", err)
		}
	}
	// A nonce can be lost to another transaction between our check and the mining;
	// try a few fresh nonces before giving up.
	for range 3 {
		nonce, err := m.nextNonce(ctx)
		if err != nil {
			return nil, fmt.Errorf("send: %w", err)
		}
		tip, feeCap, err := m.fees(ctx)
		if err != nil {
			return nil, fmt.Errorf("send: %w", err)
		}
		tx, err := m.sign(&types.DynamicFeeTx{ChainID: chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap,
			Gas: gas, To: c.To, Value: valueOrZero(c.Value), Data: c.Data})
		if err != nil {
			return nil, fmt.Errorf("send: %w", err)
		}
		f := &inflight{nonce: nonce, refs: c.Refs}
		if err := m.record(f, tx); err != nil {
			return nil, fmt.Errorf("send: %w", err)
		}
		rcpt, err := m.drive(ctx, f)
		if errors.Is(err, errNonceGone) {
			continue
		}
		return rcpt, err
	}
	return nil, fmt.Errorf("send: %w", ErrNonceConsumed)
}

// inflight is one nonce being driven to inclusion.
type inflight struct {
	nonce    uint64
	refs     []common.Hash
	attempts []*types.Transaction // oldest first; the last has the highest fees
	started  time.Time
	// belowSince is when the chain's nonce was first seen below ours (zero: not now).
	belowSince time.Time
	// accepted: a node may hold one of the attempts (it took one, or it was
	// journaled by an earlier run). Until then the nonce can be given up safely.
	accepted bool
}

func (f *inflight) latest() *types.Transaction { return f.attempts[len(f.attempts)-1] }

// record journals an attempt; only then may it be broadcast.
func (m *TxManager) record(f *inflight, tx *types.Transaction) error {
	raw, err := tx.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encode tx %s: %w", tx.Hash(), err)
	}
	if err := m.journal.RecordAttempt(m.cfg.From, f.nonce, tx.Hash(), raw, f.refs); err != nil {
		return fmt.Errorf("journal attempt %s (nonce %d): %w", tx.Hash(), f.nonce, err)
	}
	f.attempts = append(f.attempts, tx)
	if f.started.IsZero() {
		f.started = time.Now()
	}
	return nil
}

func (m *TxManager) settlePending(ctx context.Context) error {
	var pending []*inflight
	err := m.journal.PendingAttempts(m.cfg.From, func(nonce uint64, refs []common.Hash, raws [][]byte) error {
		f := &inflight{nonce: nonce, refs: refs, started: time.Now(), accepted: true}
		for _, raw := range raws {
			tx := new(types.Transaction)
			if err := tx.UnmarshalBinary(raw); err != nil {
				return fmt.Errorf("journaled tx nonce %d: %w", nonce, err)
			}
			f.attempts = append(f.attempts, tx)
		}
		if len(f.attempts) > 0 {
			pending = append(pending, f)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read journal: %w", err)
	}
	for _, f := range pending {
		m.log.Info("settling journaled transaction", "nonce", f.nonce, "attempts", len(f.attempts), "tx", f.latest().Hash())
		_, err := m.drive(ctx, f)
		if err != nil && !errors.Is(err, errNonceGone) && !errors.Is(err, ErrReverted) && !errors.Is(err, ErrRejected) {
			return err
		}
	}
	return nil
}

// drive takes a journaled nonce to a final outcome: confirmed (receipt returned),
// reverted, dropped (errNonceGone, after MarkDropped), rejected, or ctx's end
// (ErrInFlight). Before any broadcast it checks the sender's nonce on chain, so it
// never broadcasts a transaction that could only be mined after a gap, which is what
// would let a stale transaction surface later after a chain reset.
func (m *TxManager) drive(ctx context.Context, f *inflight) (*types.Receipt, error) {
	var lastSend time.Time
	needSend := true
	for polls := 1; ; polls++ {
		// A failed receipt query leaves rcpt nil: (re)broadcasting and bumping are
		// safe without knowing (same nonce, at most one attempt is mined), and the
		// only irreversible step, dropping the nonce, re-checks receipts itself.
		rcpt, _ := m.findReceipt(ctx, f)
		if rcpt != nil {
			done, err := m.confirmed(ctx, f, rcpt)
			if done {
				return rcpt, err
			}
		} else if needSend || time.Since(lastSend) >= m.cfg.ResubmissionTimeout {
			gone, err := m.checkNonce(ctx, f)
			if gone {
				return nil, errNonceGone
			}
			if err != nil {
				// The chain is unreachable, failing or behind: poll again later.
				if !errors.Is(err, errChainBehind) {
					m.log.Warn("nonce check failed; will retry", "nonce", f.nonce, "err", err)
				}
				goto wait
			}
			if !needSend {
				m.bump(ctx, f)
			}
			switch err := m.publish(ctx, f.latest()); {
			case err == nil:
				needSend, lastSend, f.accepted = false, time.Now(), true
			case errors.Is(err, errUnderpriced):
				// Resending the same attempt would be refused the same way until ctx
				// ends: raise the fees now and send the replacement.
				if m.bump(ctx, f) {
					needSend = true
					continue
				}
				if !f.accepted {
					m.dropped(f, err.Error())
					return nil, fmt.Errorf("%w: %w: the node wants more than MaxFeeCap %s allows: %w", ErrRejected, ErrFeeCapExceeded, m.cfg.MaxFeeCap, err)
				}
				m.log.Warn("replacement underpriced and no higher fee allowed; waiting on earlier attempt", "nonce", f.nonce, "err", err)
				needSend, lastSend = false, time.Now()
			case errors.Is(err, ErrRejected) && len(f.attempts) == 1:
				m.dropped(f, err.Error())
				return nil, err
			case errors.Is(err, ErrRejected):
				// A bump was refused (e.g. not enough funds for the higher fee);
				// the earlier attempts are still valid: keep waiting for them.
				m.log.Warn("fee bump rejected; waiting on earlier attempt", "nonce", f.nonce, "err", err)
				needSend, lastSend = false, time.Now()
			case errors.Is(err, errNonceTooLow):
				// Mined already (ours, found on the next poll) or taken (found by
				// checkNonce on the next pass).
				needSend = true
			default:
				// The request may have reached the node before it failed.
				m.log.Warn("broadcast failed; retrying", "nonce", f.nonce, "tx", f.latest().Hash(), "err", err)
				needSend, f.accepted = true, true
			}
		} else if polls%poolCheckPolls == 0 && m.lostFromPool(ctx, f) {
			// The node no longer holds any transaction of ours at this nonce (a
			// restarted chain node, a broadcast that never arrived): send the same
			// attempt again now rather than wait ResubmissionTimeout for a bump.
			m.log.Info("transaction no longer in the node's pool; broadcasting it again", "nonce", f.nonce, "tx", f.latest().Hash())
			needSend = true
			continue
		}
	wait:
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: nonce %d tx %s: %w", ErrInFlight, f.nonce, f.latest().Hash(), ctx.Err())
		case <-time.After(m.cfg.ReceiptQueryInterval):
		}
	}
}

// poolCheckPolls is how many receipt polls pass between checks that an unmined
// attempt is still in the node's pool.
const poolCheckPolls = 5

// lostFromPool reports whether the node's pending nonce for the sender is at or
// below f's nonce: no transaction of ours at that nonce is waiting in its pool. A
// failed query reports false (nothing is known; the regular resubmission still
// comes). Broadcasting again is always safe: it is the same signed attempt.
func (m *TxManager) lostFromPool(ctx context.Context, f *inflight) bool {
	cctx, cancel := context.WithTimeout(ctx, m.cfg.NetworkTimeout)
	pending, err := m.client.PendingNonceAt(cctx, m.cfg.From)
	cancel()
	if err != nil {
		m.cfg.Metrics.RecordRPCError("eth_getTransactionCount")
		return false
	}
	return pending <= f.nonce
}

// findReceipt returns the receipt of any attempt, or nil. A nil receipt with a nil
// error means the node answered "not found" (ethereum.NotFound) for every attempt; a
// non-nil error means at least one query failed (transport error, timeout, a
// struggling endpoint), so nothing is known about that attempt. Only the first is
// evidence that no attempt is mined: callers must never drop a nonce on the second.
func (m *TxManager) findReceipt(ctx context.Context, f *inflight) (*types.Receipt, error) {
	rcpt, err := m.queryReceipts(ctx, f)
	if err != nil {
		m.cfg.Metrics.RecordRPCError("eth_getTransactionReceipt")
		m.log.Debug("receipt query failed", "nonce", f.nonce, "err", err)
	}
	return rcpt, err
}

// queryReceipts is findReceipt without the bookkeeping, for callers that retry.
func (m *TxManager) queryReceipts(ctx context.Context, f *inflight) (*types.Receipt, error) {
	var failed error
	for i := len(f.attempts) - 1; i >= 0; i-- {
		h := f.attempts[i].Hash()
		cctx, cancel := context.WithTimeout(ctx, m.cfg.NetworkTimeout)
		rcpt, err := m.client.TransactionReceipt(cctx, h)
		cancel()
		switch {
		case err == nil && rcpt != nil:
			return rcpt, nil
		case err == nil, errors.Is(err, ethereum.NotFound):
			// Not mined, as far as this node knows.
		case failed == nil:
			failed = fmt.Errorf("receipt of %s: %w", h, err)
		}
	}
	return nil, failed
}

// receiptKnownAbsent asks for the receipts of every attempt, retrying failed
// queries, and reports whether the node positively answered "not found" for all of
// them. It is the check before a nonce is given up: a query that failed proves
// nothing, so it returns the error instead (and the caller keeps the nonce).
func (m *TxManager) receiptKnownAbsent(ctx context.Context, f *inflight) (bool, error) {
	var rcpt *types.Receipt
	err := m.call(ctx, "eth_getTransactionReceipt", func(ctx context.Context) (err error) {
		rcpt, err = m.queryReceipts(ctx, f)
		return err
	})
	switch {
	case err != nil:
		return false, err
	case rcpt != nil:
		return false, nil
	}
	return true, nil
}

// confirmed reports whether rcpt is deep enough, and if so journals it.
func (m *TxManager) confirmed(ctx context.Context, f *inflight, rcpt *types.Receipt) (bool, error) {
	cctx, cancel := context.WithTimeout(ctx, m.cfg.NetworkTimeout)
	head, err := m.client.BlockNumber(cctx)
	cancel()
	if err != nil {
		m.cfg.Metrics.RecordRPCError("eth_blockNumber")
		return false, nil
	}
	block := rcpt.BlockNumber.Uint64()
	if head+1 < block+m.cfg.NumConfirmations {
		return false, nil
	}
	ok := rcpt.Status == types.ReceiptStatusSuccessful
	var rev revertOutcome
	if ok {
		err = m.journalSuccess(ctx, f, rcpt, block)
	} else {
		rev, err = m.journalRevert(ctx, f, rcpt, block)
	}
	if errors.Is(err, errOutcomeUnknown) {
		return false, nil
	}
	if err != nil {
		// The transaction is mined; only our record of it failed. Report it, and
		// the next settle will find the receipt again.
		return true, fmt.Errorf("journal confirmation of %s: %w", rcpt.TxHash, err)
	}
	next := f.nonce + 1
	if m.nonce == nil || *m.nonce < next {
		m.nonce = &next
	}
	m.cfg.Metrics.RecordConfirmed(time.Since(f.started), rcpt.GasUsed)
	m.log.Info("transaction confirmed", "nonce", f.nonce, "tx", rcpt.TxHash, "block", block, "status", rcpt.Status)
	switch {
	case ok:
		return true, nil
	case rev.retry:
		return true, fmt.Errorf("tx %s nonce %d in block %d: %w (%s): %w", rcpt.TxHash, f.nonce, block, ErrReverted, rev.reason, ErrHandedBack)
	case rev.reason != "":
		return true, fmt.Errorf("tx %s nonce %d in block %d: %w: %s", rcpt.TxHash, f.nonce, block, ErrReverted, rev.reason)
	}
	return true, fmt.Errorf("tx %s nonce %d in block %d: %w", rcpt.TxHash, f.nonce, block, ErrReverted)
}

// errOutcomeUnknown is internal: what a mined transaction did could not be read
// yet; its confirmation waits for the next poll.
var errOutcomeUnknown = errors.New("outcome not read")

// journalSuccess journals a successful receipt with the refs it did not apply
// (Outcome).
func (m *TxManager) journalSuccess(ctx context.Context, f *inflight, rcpt *types.Receipt, block uint64) error {
	var skipped, retry map[common.Hash]string
	if m.cfg.Outcome != nil {
		var err error
		if skipped, retry, err = m.cfg.Outcome(ctx, rcpt); err != nil {
			m.log.Warn("reading the outcome of a confirmed transaction failed; trying again", "tx", rcpt.TxHash, "err", err)
			return errOutcomeUnknown
		}
	}
	return m.journal.MarkConfirmedOutcome(m.cfg.From, f.nonce, rcpt.TxHash, block, true, skipped, retry)
}

// revertOutcome is why a mined transaction reverted, and whether its refs go back.
type revertOutcome struct {
	retry  bool
	reason string
}

// journalRevert journals a reverted receipt: its refs fail, or go back to be sent
// again when Reverted says the revert holds nothing against them.
func (m *TxManager) journalRevert(ctx context.Context, f *inflight, rcpt *types.Receipt, block uint64) (revertOutcome, error) {
	var out revertOutcome
	if m.cfg.Reverted != nil {
		var mined *types.Transaction
		for _, a := range f.attempts {
			if a.Hash() == rcpt.TxHash {
				mined = a
			}
		}
		if mined == nil {
			return out, fmt.Errorf("receipt %s is of no attempt of nonce %d", rcpt.TxHash, f.nonce)
		}
		var err error
		if out.retry, out.reason, err = m.cfg.Reverted(ctx, mined, rcpt); err != nil {
			m.log.Warn("reading why a transaction reverted failed; trying again", "tx", rcpt.TxHash, "err", err)
			return out, errOutcomeUnknown
		}
	}
	return out, m.journal.MarkReverted(m.cfg.From, f.nonce, rcpt.TxHash, block, out.retry, out.reason)
}

// checkNonce compares the in-flight nonce with the chain. Latest nonce above ours
// with no receipt of ours: another transaction took the nonce. Latest and pending
// nonce below ours: the chain lost the transactions before ours (a reset devnet, a
// node restored from an older state); broadcasting would only park ours behind a
// gap. Both mean it can never be mined as is: the journal entry is dropped.
func (m *TxManager) checkNonce(ctx context.Context, f *inflight) (gone bool, err error) {
	var latest uint64
	err = m.call(ctx, "eth_getTransactionCount", func(ctx context.Context) (err error) {
		latest, err = m.client.NonceAt(ctx, m.cfg.From, nil)
		return err
	})
	if err != nil {
		return false, err
	}
	switch {
	case latest > f.nonce:
		// Our attempt may have been mined between the receipt query and now (the
		// caller's next receipt poll will find it), or the receipt query just
		// failed. Only a node that answers "not found" for every attempt shows the
		// nonce went to another transaction; a failed query keeps the nonce.
		absent, err := m.receiptKnownAbsent(ctx, f)
		if err != nil {
			return false, fmt.Errorf("account nonce %d passed %d, receipts unknown: %w", latest, f.nonce, err)
		}
		if !absent {
			return false, errors.New("mined while checking")
		}
		m.dropped(f, fmt.Sprintf("account nonce %d passed %d without any of our attempts", latest, f.nonce))
		return true, nil
	case latest < f.nonce:
		var pending uint64
		err := m.call(ctx, "eth_getTransactionCount", func(ctx context.Context) (err error) {
			pending, err = m.client.PendingNonceAt(ctx, m.cfg.From)
			return err
		})
		if err != nil {
			return false, err
		}
		if pending < f.nonce {
			// A lagging RPC node can show the same picture for a moment; dropping
			// then would let the work go out again while this attempt may still be
			// mined. Drop only when it persists for a whole ResubmissionTimeout
			// (nothing is broadcast meanwhile).
			if f.belowSince.IsZero() {
				f.belowSince = time.Now()
			}
			if time.Since(f.belowSince) < m.cfg.ResubmissionTimeout {
				if time.Since(f.belowSince) < m.cfg.ReceiptQueryInterval { // first sighting only
					m.log.Warn("chain nonce below ours; holding the broadcast", "nonce", f.nonce, "latest", latest, "pending", pending)
				}
				return false, fmt.Errorf("chain nonce %d (pending %d) below %d: %w", latest, pending, f.nonce, errChainBehind)
			}
			m.dropped(f, fmt.Sprintf("chain nonce %d (pending %d) below %d for %s: chain reset or earlier transactions lost",
				latest, pending, f.nonce, time.Since(f.belowSince).Round(time.Millisecond)))
			return true, nil
		}
	}
	f.belowSince = time.Time{}
	return false, nil
}

func (m *TxManager) dropped(f *inflight, reason string) {
	m.nonce = nil
	m.cfg.Metrics.RecordDropped()
	m.log.Warn("transaction dropped", "nonce", f.nonce, "reason", reason)
	if err := m.journal.MarkDropped(m.cfg.From, f.nonce, reason); err != nil {
		m.log.Error("journal drop failed", "nonce", f.nonce, "err", err)
	}
}

// bump signs and journals a replacement with fees raised by at least
// FeeBumpPercent over the latest attempt (and to the market if that is higher),
// unless that would pass MaxFeeCap: then the latest attempt is broadcast again.
func (m *TxManager) bump(ctx context.Context, f *inflight) bool {
	old := f.latest()
	pct := new(big.Int).SetUint64(100 + m.cfg.FeeBumpPercent)
	raise := func(v *big.Int) *big.Int { // ceil(v * (100+pct) / 100)
		x := new(big.Int).Mul(v, pct)
		x.Add(x, big.NewInt(99))
		return x.Div(x, big.NewInt(100))
	}
	tip, feeCap := raise(old.GasTipCap()), raise(old.GasFeeCap())
	if mTip, mCap, err := m.fees(ctx); err == nil {
		tip, feeCap = bigMax(tip, mTip), bigMax(feeCap, mCap)
	}
	if feeCap.Cmp(tip) < 0 {
		feeCap = new(big.Int).Set(tip)
	}
	if feeCap.Cmp(m.cfg.MaxFeeCap) > 0 {
		m.log.Warn("cannot bump fees past MaxFeeCap; rebroadcasting", "nonce", f.nonce, "fee_cap", old.GasFeeCap(), "max", m.cfg.MaxFeeCap)
		return false
	}
	tx, err := m.sign(&types.DynamicFeeTx{ChainID: old.ChainId(), Nonce: old.Nonce(), GasTipCap: tip, GasFeeCap: feeCap,
		Gas: old.Gas(), To: old.To(), Value: old.Value(), Data: old.Data()})
	if err == nil {
		err = m.record(f, tx)
	}
	if err != nil {
		m.log.Error("fee bump failed; rebroadcasting previous attempt", "nonce", f.nonce, "err", err)
		return false
	}
	m.cfg.Metrics.RecordFeeBump()
	m.log.Info("fees bumped", "nonce", f.nonce, "tx", tx.Hash(), "tip", tip, "fee_cap", feeCap)
	return true
}

var (
	errNonceTooLow = errors.New("nonce too low")
	// errUnderpriced: the node wants higher fees for this attempt than it offers.
	errUnderpriced = errors.New("fees too low for the node")
)

// Node answers known by go-ethereum's exported errors and anvil's own words for
// the same conditions, matched by errStringMatch.
var (
	errAnvilAlreadyImported = errors.New("transaction already imported")
	errKnownTransaction     = errors.New("known transaction")
	errTxFeeCap             = errors.New("exceeds the configured cap") // geth's RPC tx fee cap
	errInvalidChainID       = errors.New("invalid chain id")
)

// errStringMatch reports whether err is target or carries target's message. A
// JSON-RPC error reaches the client as a message only, so the node's errors are
// known by their text; the comparison ignores case (anvil capitalises some).
func errStringMatch(err, target error) bool {
	if err == nil || target == nil {
		return err == target
	}
	return errors.Is(err, target) || strings.Contains(strings.ToLower(err.Error()), strings.ToLower(target.Error()))
}

func errStringMatchAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errStringMatch(err, t) {
			return true
		}
	}
	return false
}

// classifySend maps the node's answer to a broadcast to what the manager does
// about it: nil when the node holds the attempt (or a higher-priced one of ours at
// the same nonce), errUnderpriced (raise the fees and send again), errNonceTooLow
// (look for our receipt or the transaction that took the nonce),
// ErrInsufficientFunds and ErrRejected (stop: a retry cannot change the answer),
// or the error itself for a transient failure to retry.
func classifySend(err error) error {
	switch {
	case err == nil:
		return nil
	case errStringMatchAny(err, txpool.ErrAlreadyKnown, errAnvilAlreadyImported, errKnownTransaction):
		return nil
	// Before ErrUnderpriced, whose message is part of this one's.
	case errStringMatch(err, txpool.ErrReplaceUnderpriced):
		// An attempt of ours with the same or higher fees is in the pool.
		return nil
	case errStringMatchAny(err, txpool.ErrUnderpriced, txpool.ErrTxGasPriceTooLow, core.ErrFeeCapTooLow):
		return permanent{fmt.Errorf("%w: %w", errUnderpriced, err)}
	case errStringMatch(err, core.ErrNonceTooLow):
		return permanent{errNonceTooLow}
	case errStringMatchAny(err, core.ErrInsufficientFunds, core.ErrInsufficientFundsForTransfer):
		return permanent{fmt.Errorf("%w: %w: %w", ErrRejected, ErrInsufficientFunds, err)}
	case errStringMatchAny(err, core.ErrIntrinsicGas, txpool.ErrGasLimit, core.ErrGasLimitReached, core.ErrGasLimitTooHigh,
		txpool.ErrInvalidSender, errTxFeeCap, core.ErrTipAboveFeeCap, core.ErrTipVeryHigh, core.ErrFeeCapVeryHigh,
		txpool.ErrOversizedData, txpool.ErrNegativeValue, errInvalidChainID):
		return permanent{fmt.Errorf("%w: %w", ErrRejected, err)}
	}
	return err
}

// publish broadcasts tx, retrying transient failures, and classifies the node's
// answer (classifySend).
func (m *TxManager) publish(ctx context.Context, tx *types.Transaction) error {
	err := m.call(ctx, "eth_sendRawTransaction", func(ctx context.Context) error {
		return classifySend(m.client.SendTransaction(ctx, tx))
	})
	var p permanent
	if errors.As(err, &p) {
		err = p.err
	}
	if err == nil {
		m.cfg.Metrics.RecordPublish()
		m.log.Debug("broadcast", "tx", tx.Hash(), "nonce", tx.Nonce(), "tip", tx.GasTipCap(), "fee_cap", tx.GasFeeCap())
	}
	return err
}

// permanent marks an error that call must not retry.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// call runs one RPC with a per-call timeout, retrying failures with exponential
// back-off up to MaxRetries, and stopping when ctx ends.
func (m *TxManager) call(ctx context.Context, method string, fn func(ctx context.Context) error) error {
	backoff := m.cfg.RetryInterval
	for attempt := 1; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, m.cfg.NetworkTimeout)
		err := fn(cctx)
		cancel()
		if err == nil {
			return nil
		}
		var p permanent
		if errors.As(err, &p) {
			return err
		}
		m.cfg.Metrics.RecordRPCError(method)
		if ctx.Err() != nil || attempt >= m.cfg.MaxRetries {
			return fmt.Errorf("%s (attempt %d): %w", method, attempt, err)
		}
		m.log.Debug("rpc failed; retrying", "method", method, "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (last error: %w)", method, ctx.Err(), err)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (m *TxManager) getChainID(ctx context.Context) (*big.Int, error) {
	if m.chainID != nil {
		return m.chainID, nil
	}
	var id *big.Int
	err := m.call(ctx, "eth_chainId", func(ctx context.Context) (err error) {
		id, err = m.client.ChainID(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	m.chainID = id
	return id, nil
}

// nextNonce returns the cached next nonce, or the chain's pending nonce when the
// cache was reset (at start, and after any nonce trouble).
func (m *TxManager) nextNonce(ctx context.Context) (uint64, error) {
	if m.nonce == nil {
		var n uint64
		err := m.call(ctx, "eth_getTransactionCount", func(ctx context.Context) (err error) {
			n, err = m.client.PendingNonceAt(ctx, m.cfg.From)
			return err
		})
		if err != nil {
			return 0, err
		}
		m.nonce = &n
	}
	n := *m.nonce
	m.cfg.Metrics.RecordNonce(n)
	return n, nil
}

// fees returns the tip (suggested, at least MinTipCap) and fee cap (tip +
// BaseFeeMultiplier × base fee, at most MaxFeeCap).
func (m *TxManager) fees(ctx context.Context) (tip, feeCap *big.Int, err error) {
	err = m.call(ctx, "eth_maxPriorityFeePerGas", func(ctx context.Context) (err error) {
		tip, err = m.client.SuggestGasTipCap(ctx)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var head *types.Header
	err = m.call(ctx, "eth_getBlockByNumber", func(ctx context.Context) (err error) {
		head, err = m.client.HeaderByNumber(ctx, nil)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if head.BaseFee == nil {
		return nil, nil, fmt.Errorf("block %d has no base fee: chain without EIP-1559 is not supported", head.Number)
	}
	if m.cfg.MinTipCap != nil {
		tip = bigMax(tip, m.cfg.MinTipCap)
	}
	if head.BaseFee.Cmp(m.cfg.MaxFeeCap) >= 0 {
		return nil, nil, fmt.Errorf("base fee %s at block %d, MaxFeeCap %s: %w", head.BaseFee, head.Number, m.cfg.MaxFeeCap, ErrFeeCapExceeded)
	}
	feeCap = new(big.Int).Mul(head.BaseFee, new(big.Int).SetUint64(m.cfg.BaseFeeMultiplier))
	feeCap.Add(feeCap, tip)
	if feeCap.Cmp(m.cfg.MaxFeeCap) > 0 {
		feeCap = new(big.Int).Set(m.cfg.MaxFeeCap)
	}
	if tip.Cmp(feeCap) > 0 {
		tip = new(big.Int).Set(feeCap)
	}
	return tip, feeCap, nil
}

func (m *TxManager) estimateGas(ctx context.Context, c TxCandidate) (uint64, error) {
	var gas uint64
	msg := ethereum.CallMsg{From: m.cfg.From, To: c.To, Data: c.Data, Value: valueOrZero(c.Value)}
	err := m.call(ctx, "eth_estimateGas", func(ctx context.Context) (err error) {
		gas, err = m.client.EstimateGas(ctx, msg)
		// A reverting call will revert on every retry: stop at once.
		if err != nil && strings.Contains(strings.ToLower(err.Error()), "revert") {
			return permanent{err}
		}
		return err
	})
	if err != nil {
		// A refusal by the registry (or the example consumer) names its error, as
		// Registry.Transact's do: a relay race reads StaleVerdict(...), not a selector.
		return 0, fmt.Errorf("estimate gas: %w", decodeRevert(err, knownABIs()...))
	}
	return gas + gas*m.cfg.GasLimitMarginPercent/100, nil
}

// sign signs with the configured signer and checks it signed for From, so a
// misconfigured keystore fails here instead of journaling a foreign transaction.
func (m *TxManager) sign(inner *types.DynamicFeeTx) (*types.Transaction, error) {
	tx, err := m.cfg.Signer(m.cfg.From, types.NewTx(inner))
	if err != nil {
		return nil, fmt.Errorf("sign nonce %d: %w", inner.Nonce, err)
	}
	sender, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), tx)
	if err != nil || sender != m.cfg.From {
		return nil, fmt.Errorf("sign nonce %d: signer produced a transaction from %s, want %s (%v): %w", inner.Nonce, sender, m.cfg.From, err, ErrBadConfig)
	}
	return tx, nil
}

func valueOrZero(v *big.Int) *big.Int {
	if v == nil {
		return new(big.Int)
	}
	return v
}

func bigMax(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}
