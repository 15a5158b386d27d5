package chain

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// DirectClient is what DirectSender needs from a chain connection.
type DirectClient interface {
	PendingNonceAt(ctx context.Context, account common.Address) (uint64, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error)
	SendTransaction(ctx context.Context, tx *types.Transaction) error
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
}

// DirectSender sends one transaction at a time and waits for its receipt, signing
// with a bind.TransactOpts. It is the simple path for one-shot commands (`teeoracle
// registry ...`), scripts/gas-report and tests: no journal, no fee bumping, no
// resubmission. A long-running node publishes through TxManager instead, which
// survives restarts and stuck transactions.
type DirectSender struct {
	client DirectClient
	opts   *bind.TransactOpts
	// mine, when set, is called after each broadcast: the simulated backend's
	// Commit, which mines a block on demand. Nil on a real chain.
	mine func()
	// PollInterval is the receipt polling period; zero means 200 ms.
	PollInterval time.Duration
	// GasMarginPercent is added to each gas estimate; zero means none (gas used
	// never exceeds the estimate on a chain whose state did not change between).
	GasMarginPercent uint64
}

// NewDirectSender returns a sender for opts.From, signing with opts.Signer. Only
// From, Signer, GasTipCap, GasFeeCap and GasLimit of opts are used (fees and gas
// are estimated when nil or zero); opts.Context is ignored in favour of Send's
// ctx. mine is the simulated backend's Commit, or nil on a real chain.
func NewDirectSender(client DirectClient, opts *bind.TransactOpts, mine func()) (*DirectSender, error) {
	if client == nil || opts == nil || opts.Signer == nil || opts.From == (common.Address{}) {
		return nil, errors.New("direct sender: need a client and transact opts with From and Signer")
	}
	return &DirectSender{client: client, opts: opts, mine: mine}, nil
}

// From returns the sending account.
func (s *DirectSender) From() common.Address { return s.opts.From }

// Send publishes c and waits for its receipt; see SendWithAccessList.
func (s *DirectSender) Send(ctx context.Context, c TxCandidate) (*types.Receipt, error) {
	return s.SendWithAccessList(ctx, c, nil)
}

// SendWithAccessList publishes c as an EIP-1559 transaction carrying the EIP-2930
// access list al (nil for none) and waits for its receipt. Gas is estimated unless
// c.GasLimit is set; an estimate that reverts returns the node's error (decode it
// with Registry.Transact or DecodeRevertData). A mined transaction that reverted
// returns its receipt and an error wrapping ErrReverted.
func (s *DirectSender) SendWithAccessList(ctx context.Context, c TxCandidate, al types.AccessList) (*types.Receipt, error) {
	from := s.opts.From
	value := valueOrZero(c.Value)
	gas := c.GasLimit
	if gas == 0 {
		gas = s.opts.GasLimit
	}
	if gas == 0 {
		est, err := s.client.EstimateGas(ctx, ethereum.CallMsg{From: from, To: c.To, Data: c.Data, Value: value, AccessList: al})
		if err != nil {
			return nil, fmt.Errorf("estimate gas: %w", err)
		}
		gas = est + est*s.GasMarginPercent/100
	}
	nonce, err := s.client.PendingNonceAt(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("nonce of %s: %w", from, err)
	}
	tip, feeCap := s.opts.GasTipCap, s.opts.GasFeeCap
	if tip == nil {
		if tip, err = s.client.SuggestGasTipCap(ctx); err != nil {
			return nil, fmt.Errorf("suggest tip: %w", err)
		}
	}
	if feeCap == nil {
		head, err := s.client.HeaderByNumber(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("latest header: %w", err)
		}
		if head.BaseFee == nil {
			return nil, fmt.Errorf("block %d has no base fee: chain without EIP-1559 is not supported", head.Number)
		}
		feeCap = new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	}
	unsigned := types.NewTx(&types.DynamicFeeTx{Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: gas,
		To: c.To, Value: value, Data: c.Data, AccessList: al})
	tx, err := s.opts.Signer(from, unsigned)
	if err != nil {
		return nil, fmt.Errorf("sign nonce %d: %w", nonce, err)
	}
	if err := s.client.SendTransaction(ctx, tx); err != nil {
		return nil, fmt.Errorf("send tx %s (nonce %d): %w", tx.Hash(), nonce, err)
	}
	if s.mine != nil {
		s.mine()
	}
	rcpt, err := s.wait(ctx, tx.Hash())
	if err != nil {
		return nil, err
	}
	if rcpt.Status != types.ReceiptStatusSuccessful {
		return rcpt, fmt.Errorf("tx %s in block %s (gas used %d): %w", tx.Hash(), rcpt.BlockNumber, rcpt.GasUsed, ErrReverted)
	}
	return rcpt, nil
}

// wait polls for the receipt of h until it exists or ctx ends.
func (s *DirectSender) wait(ctx context.Context, h common.Hash) (*types.Receipt, error) {
	every := s.PollInterval
	if every == 0 {
		every = 200 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		rcpt, err := s.client.TransactionReceipt(ctx, h)
		if err == nil && rcpt != nil {
			return rcpt, nil
		}
		if err != nil && !errors.Is(err, ethereum.NotFound) {
			// A node may answer transiently (indexing in progress); keep polling
			// until the context says stop.
			if ctx.Err() != nil {
				return nil, fmt.Errorf("receipt of %s: %w", h, err)
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for receipt of %s: %w", h, ctx.Err())
		case <-t.C:
		}
	}
}
