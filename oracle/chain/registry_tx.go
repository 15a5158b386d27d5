package chain

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/teeoracle/teeoracle/bindings"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// Sender publishes a TxCandidate and returns its receipt once mined. *TxManager
// implements it for the node (durable, nonce-owning, fee-bumping); DirectSender for
// one-shot commands and tools. A mined transaction that reverted returns its
// receipt and an error wrapping ErrReverted.
type Sender interface {
	Send(ctx context.Context, c TxCandidate) (*types.Receipt, error)
	From() common.Address
}

var _ Sender = (*TxManager)(nil)

// ErrBadVerdict is wrapped by the verdict calldata builders for input the registry
// would refuse whatever the chain state (verdict.ErrInvalid is wrapped too where it
// applies).
var ErrBadVerdict = errors.New("verdict not submittable")

// SignedVerdict is a verdict with its oracle signatures, ordered by signer
// ascending as the registry requires (verdict.Assemble produces them so).
type SignedVerdict struct {
	Verdict    verdict.Verdict
	Signatures [][]byte
}

// to returns a pointer to the registry address for a candidate.
func (r *Registry) to() *common.Address {
	a := r.address
	return &a
}

// RegisterMachineTx registers a machine of the sender under salt; its id will be
// MachineID(sender, salt).
func (r *Registry) RegisterMachineTx(salt common.Hash, tee uint8, metadataURI string) TxCandidate {
	return TxCandidate{To: r.to(), Data: r.abi.PackRegisterMachine(salt, tee, metadataURI)}
}

// DeregisterMachineTx deregisters one of the sender's machines, retiring its id.
func (r *Registry) DeregisterMachineTx(machineID common.Hash) TxCandidate {
	return TxCandidate{To: r.to(), Data: r.abi.PackDeregisterMachine(machineID)}
}

// AuthorizeKeyTx authorises key to be bound to one of the sender's machines by the
// next trusted verdict naming both (its first key, or a rotation).
func (r *Registry) AuthorizeKeyTx(machineID common.Hash, key common.Address) TxCandidate {
	return TxCandidate{To: r.to(), Data: r.abi.PackAuthorizeKey(machineID, key)}
}

// RevokeKeyTx drops one of the sender's machines' pending key authorisation and
// unbinds its bound key.
func (r *Registry) RevokeKeyTx(machineID common.Hash) TxCandidate {
	return TxCandidate{To: r.to(), Data: r.abi.PackRevokeKey(machineID)}
}

// SetMachineMetadataTx replaces the metadata URI of one of the sender's machines.
func (r *Registry) SetMachineMetadataTx(machineID common.Hash, metadataURI string) TxCandidate {
	return TxCandidate{To: r.to(), Data: r.abi.PackSetMachineMetadata(machineID, metadataURI)}
}

// AddOracleTx adds an oracle signer (owner only).
func (r *Registry) AddOracleTx(oracle common.Address) TxCandidate {
	return TxCandidate{To: r.to(), Data: r.abi.PackAddOracle(oracle)}
}

// RemoveOracleTx removes an oracle signer (owner only).
func (r *Registry) RemoveOracleTx(oracle common.Address) TxCandidate {
	return TxCandidate{To: r.to(), Data: r.abi.PackRemoveOracle(oracle)}
}

// SetThresholdTx sets the quorum M (owner only).
func (r *Registry) SetThresholdTx(threshold uint8) TxCandidate {
	return TxCandidate{To: r.to(), Data: r.abi.PackSetThreshold(threshold)}
}

// RegisterPolicyTx registers and activates a policy (owner only).
func (r *Registry) RegisterPolicyTx(policyHash common.Hash, validitySeconds uint64, uri string) TxCandidate {
	return TxCandidate{To: r.to(), Data: r.abi.PackRegisterPolicy(policyHash, validitySeconds, uri)}
}

// RetirePolicyTx retires a policy (owner only), untrusting every machine under it.
func (r *Registry) RetirePolicyTx(policyHash common.Hash) TxCandidate {
	return TxCandidate{To: r.to(), Data: r.abi.PackRetirePolicy(policyHash)}
}

// SetMaxAnchorAgeTx sets the largest anchor age in blocks (owner only).
func (r *Registry) SetMaxAnchorAgeTx(blocks uint16) TxCandidate {
	return TxCandidate{To: r.to(), Data: r.abi.PackSetMaxAnchorAge(blocks)}
}

// PauseTx pauses submission and registration (owner only).
func (r *Registry) PauseTx() TxCandidate { return TxCandidate{To: r.to(), Data: r.abi.PackPause()} }

// UnpauseTx resumes submission and registration (owner only).
func (r *Registry) UnpauseTx() TxCandidate { return TxCandidate{To: r.to(), Data: r.abi.PackUnpause()} }

// TransferOwnershipTx starts a two-step ownership transfer (owner only).
func (r *Registry) TransferOwnershipTx(newOwner common.Address) TxCandidate {
	return TxCandidate{To: r.to(), Data: r.abi.PackTransferOwnership(newOwner)}
}

// AcceptOwnershipTx completes an ownership transfer (pending owner only).
func (r *Registry) AcceptOwnershipTx() TxCandidate {
	return TxCandidate{To: r.to(), Data: r.abi.PackAcceptOwnership()}
}

func checkSigned(i int, sv *SignedVerdict) error {
	if err := sv.Verdict.Validate(); err != nil {
		return fmt.Errorf("%w: verdict %d (machine %s): %w", ErrBadVerdict, i, sv.Verdict.MachineID, err)
	}
	if len(sv.Signatures) == 0 {
		return fmt.Errorf("%w: verdict %d (machine %s) has no signatures", ErrBadVerdict, i, sv.Verdict.MachineID)
	}
	for j, s := range sv.Signatures {
		if len(s) != verdict.SignatureSize {
			return fmt.Errorf("%w: verdict %d signature %d is %d bytes, want %d", ErrBadVerdict, i, j, len(s), verdict.SignatureSize)
		}
	}
	return nil
}

// SubmitVerdictTx submits one signed verdict. The candidate's Refs carry the
// verdict's digest under this registry's domain, for the transaction journal.
func (r *Registry) SubmitVerdictTx(sv SignedVerdict) (TxCandidate, error) {
	if err := checkSigned(0, &sv); err != nil {
		return TxCandidate{}, err
	}
	data, err := r.abi.TryPackSubmitVerdict(toBinding(&sv.Verdict), sv.Signatures)
	if err != nil {
		return TxCandidate{}, fmt.Errorf("pack submitVerdict: %w", err)
	}
	return TxCandidate{To: r.to(), Data: data, Refs: []common.Hash{sv.Verdict.Digest(r.Domain())}}, nil
}

// SubmitVerdictsTx submits many signed verdicts in one transaction (atomically: one
// bad entry reverts all). Refs carry every digest, in order.
func (r *Registry) SubmitVerdictsTx(svs []SignedVerdict) (TxCandidate, error) {
	if len(svs) == 0 {
		return TxCandidate{}, fmt.Errorf("%w: empty batch", ErrBadVerdict)
	}
	vs := make([]bindings.ITeeRegistryVerdict, len(svs))
	sigs := make([][][]byte, len(svs))
	refs := make([]common.Hash, len(svs))
	d := r.Domain()
	for i := range svs {
		if err := checkSigned(i, &svs[i]); err != nil {
			return TxCandidate{}, err
		}
		vs[i] = toBinding(&svs[i].Verdict)
		sigs[i] = svs[i].Signatures
		refs[i] = svs[i].Verdict.Digest(d)
	}
	data, err := r.abi.TryPackSubmitVerdicts(vs, sigs)
	if err != nil {
		return TxCandidate{}, fmt.Errorf("pack submitVerdicts: %w", err)
	}
	return TxCandidate{To: r.to(), Data: data, Refs: refs}, nil
}

// DeployRegistryTx returns the creation transaction of a TeeRegistry governed by
// owner, with the initial oracle set, quorum and maximum anchor age.
func DeployRegistryTx(owner common.Address, oracles []common.Address, threshold uint8, maxAnchorAge uint16) (TxCandidate, error) {
	a := bindings.NewTeeRegistry().GetABI()
	args, err := a.Pack("", owner, oracles, threshold, maxAnchorAge)
	if err != nil {
		return TxCandidate{}, fmt.Errorf("pack TeeRegistry constructor: %w", err)
	}
	code, err := hexutil.Decode(bindings.TeeRegistryMetaData.Bin)
	if err != nil {
		return TxCandidate{}, fmt.Errorf("TeeRegistry bytecode in bindings: %w", err)
	}
	return TxCandidate{Data: append(code, args...)}, nil
}

// DeployRegistry deploys a TeeRegistry through s (see DeployRegistryTx) and returns a
// client of it. Constructor reverts come back as *RevertError.
func DeployRegistry(ctx context.Context, backend RegistryBackend, s Sender, owner common.Address, oracles []common.Address, threshold uint8, maxAnchorAge uint16) (*Registry, *types.Receipt, error) {
	c, err := DeployRegistryTx(owner, oracles, threshold, maxAnchorAge)
	if err != nil {
		return nil, nil, err
	}
	chainID, err := CheckChainID(ctx, backend, 0)
	if err != nil {
		return nil, nil, err
	}
	a := bindings.NewTeeRegistry().GetABI()
	rcpt, err := transact(ctx, backend, s, c, &a)
	if err != nil {
		return nil, rcpt, fmt.Errorf("deploy TeeRegistry: %w", err)
	}
	if rcpt.ContractAddress == (common.Address{}) {
		return nil, rcpt, fmt.Errorf("deploy TeeRegistry: tx %s: %w: no contract address in the receipt", rcpt.TxHash, ErrDeployFailed)
	}
	return NewRegistry(backend, rcpt.ContractAddress, chainID), rcpt, nil
}

// Transact sends c through s and decodes a revert into *RevertError: from the
// node's answer to gas estimation, or, for a transaction mined as reverted, by
// replaying it with eth_call on the state before its block (exact unless earlier
// transactions in the same block changed what it depends on).
func (r *Registry) Transact(ctx context.Context, s Sender, c TxCandidate) (*types.Receipt, error) {
	return transact(ctx, r.backend, s, c, r.ABI())
}

func transact(ctx context.Context, backend RegistryBackend, s Sender, c TxCandidate, abis ...*abi.ABI) (*types.Receipt, error) {
	rcpt, err := s.Send(ctx, c)
	if err == nil {
		return rcpt, nil
	}
	if errors.Is(err, ErrReverted) && rcpt != nil && rcpt.BlockNumber != nil && rcpt.BlockNumber.Sign() > 0 {
		msg := ethereum.CallMsg{From: s.From(), To: c.To, Data: c.Data, Value: c.Value, Gas: rcpt.GasUsed * 2}
		before := new(big.Int).Sub(rcpt.BlockNumber, big.NewInt(1))
		if _, cerr := backend.CallContract(ctx, msg, before); cerr != nil {
			if data, ok := revertData(cerr); ok {
				if re, derr := DecodeRevertData(data, abis...); derr == nil {
					re.cause = err
					return rcpt, re
				}
			}
		}
		return rcpt, err
	}
	return rcpt, decodeRevert(err, abis...)
}
