package chain

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/teeoracle/teeoracle/bindings"
)

// Consumer is a client of a deployed TrustedWorkerExample, the example dApp that
// gates a function on registry.isTrustedKey(msg.sender). It exists for tests, the
// gas report and demonstrations of the pattern.
type Consumer struct {
	backend RegistryBackend
	address common.Address
	abi     *bindings.TrustedWorkerExample
}

// NewConsumer returns a client of the consumer at address.
func NewConsumer(backend RegistryBackend, address common.Address) *Consumer {
	return &Consumer{backend: backend, address: address, abi: bindings.NewTrustedWorkerExample()}
}

// Address returns the consumer's address.
func (c *Consumer) Address() common.Address { return c.address }

// ABI returns the consumer's ABI (for NotTrustedTee reverts).
func (c *Consumer) ABI() *abi.ABI {
	a := c.abi.GetABI()
	return &a
}

// DeployConsumerTx returns the creation transaction of a TrustedWorkerExample
// consulting registry, whose pinned function requires workload (zero: none pinned,
// that function always refuses).
func DeployConsumerTx(registry common.Address, workload common.Hash) (TxCandidate, error) {
	code, err := hexutil.Decode(bindings.TrustedWorkerExampleMetaData.Bin)
	if err != nil {
		return TxCandidate{}, fmt.Errorf("TrustedWorkerExample bytecode in bindings: %w", err)
	}
	return TxCandidate{Data: append(code, bindings.NewTrustedWorkerExample().PackConstructor(registry, workload)...)}, nil
}

// DeployConsumer deploys a TrustedWorkerExample consulting r through s, pinning
// workload (see DeployConsumerTx).
func DeployConsumer(ctx context.Context, r *Registry, s Sender, workload common.Hash) (*Consumer, *types.Receipt, error) {
	c, err := DeployConsumerTx(r.Address(), workload)
	if err != nil {
		return nil, nil, err
	}
	a := bindings.NewTrustedWorkerExample().GetABI()
	rcpt, err := transact(ctx, r.backend, s, c, &a)
	if err != nil {
		return nil, rcpt, fmt.Errorf("deploy TrustedWorkerExample: %w", err)
	}
	if rcpt.ContractAddress == (common.Address{}) {
		return nil, rcpt, fmt.Errorf("deploy TrustedWorkerExample: tx %s: %w: no contract address in the receipt", rcpt.TxHash, ErrDeployFailed)
	}
	return NewConsumer(r.backend, rcpt.ContractAddress), rcpt, nil
}

// SubmitResultTx calls the gated function: it reverts with NotTrustedTee unless the
// sender is the TEE key of a machine the registry trusts now.
func (c *Consumer) SubmitResultTx(result common.Hash) TxCandidate {
	a := c.address
	return TxCandidate{To: &a, Data: c.abi.PackSubmitResult(result)}
}

// SubmitPinnedResultTx calls the workload-pinned function: it reverts with
// NotPinnedWorkload unless the sender is the TEE key of a machine the registry
// trusts now whose current verdict names the consumer's pinned workload.
func (c *Consumer) SubmitPinnedResultTx(result common.Hash) TxCandidate {
	a := c.address
	return TxCandidate{To: &a, Data: c.abi.PackSubmitPinnedResult(result)}
}

// SubmitResultUngatedTx calls the same function without the gate.
func (c *Consumer) SubmitResultUngatedTx(result common.Hash) TxCandidate {
	a := c.address
	return TxCandidate{To: &a, Data: c.abi.PackSubmitResultUngated(result)}
}

// Transact sends cand through s, decoding reverts of the consumer and of the
// registry it calls.
func (c *Consumer) Transact(ctx context.Context, s Sender, cand TxCandidate) (*types.Receipt, error) {
	reg := bindings.NewTeeRegistry().GetABI()
	return transact(ctx, c.backend, s, cand, c.ABI(), &reg)
}
