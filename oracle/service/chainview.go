package service

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/teeoracle/teeoracle/bindings"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// RPC is the JSON-RPC surface the node uses: the transaction manager's, reads of
// contract state, and logs. *ethclient.Client implements it.
type RPC interface {
	chain.Client
	CallContract(ctx context.Context, msg ethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
	FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error)
}

// MachineRecord is the registry's view of one machine.
type MachineRecord struct {
	Provider   common.Address
	TEE        uint8
	State      uint8 // 0 none, 1 registered, 2 deregistered
	TEEKey     common.Address
	Status     uint8 // 0 no verdict, 1 trusted, 2 untrusted
	PolicyHash common.Hash
	IssuedAt   uint64
	ExpiresAt  uint64
}

// Machine states of the registry.
const (
	machineRegistered = 1
)

// registryView reads the TeeRegistry through the generated bindings' ABI packing.
// It covers only what the node needs; the full operator client is package chain's.
type registryView struct {
	rpc  RPC
	addr common.Address
	abi  *bindings.TeeRegistry
}

func newRegistryView(rpc RPC, addr common.Address) *registryView {
	return &registryView{rpc: rpc, addr: addr, abi: bindings.NewTeeRegistry()}
}

func (r *registryView) call(ctx context.Context, data []byte) ([]byte, error) {
	out, err := r.rpc.CallContract(ctx, ethereum.CallMsg{To: &r.addr, Data: data}, nil)
	if err != nil {
		return nil, decodeRevert(err)
	}
	return out, nil
}

// Threshold returns the quorum M.
func (r *registryView) Threshold(ctx context.Context) (int, error) {
	out, err := r.call(ctx, r.abi.PackThreshold())
	if err != nil {
		return 0, fmt.Errorf("registry threshold: %w", err)
	}
	m, err := r.abi.UnpackThreshold(out)
	if err != nil {
		return 0, fmt.Errorf("registry threshold: %w", err)
	}
	return int(m), nil
}

// MaxAnchorAge returns the largest anchor age in blocks the registry accepts.
func (r *registryView) MaxAnchorAge(ctx context.Context) (uint64, error) {
	out, err := r.call(ctx, r.abi.PackMaxAnchorAge())
	if err != nil {
		return 0, fmt.Errorf("registry maxAnchorAge: %w", err)
	}
	a, err := r.abi.UnpackMaxAnchorAge(out)
	if err != nil {
		return 0, fmt.Errorf("registry maxAnchorAge: %w", err)
	}
	return uint64(a), nil
}

// IsOracle reports whether a is a current oracle signer.
func (r *registryView) IsOracle(ctx context.Context, a common.Address) (bool, error) {
	out, err := r.call(ctx, r.abi.PackIsOracle(a))
	if err != nil {
		return false, fmt.Errorf("registry isOracle(%s): %w", a, err)
	}
	ok, err := r.abi.UnpackIsOracle(out)
	if err != nil {
		return false, fmt.Errorf("registry isOracle(%s): %w", a, err)
	}
	return ok, nil
}

// Machine returns the registry's record of a machine (all zero when unknown).
func (r *registryView) Machine(ctx context.Context, id common.Hash) (MachineRecord, error) {
	out, err := r.call(ctx, r.abi.PackMachine(id))
	if err != nil {
		return MachineRecord{}, fmt.Errorf("registry machine(%s): %w", id, err)
	}
	m, err := r.abi.UnpackMachine(out)
	if err != nil {
		return MachineRecord{}, fmt.Errorf("registry machine(%s): %w", id, err)
	}
	return MachineRecord{Provider: m.Provider, TEE: m.Tee, State: m.State, TEEKey: m.TeeKey, Status: m.Status,
		PolicyHash: m.PolicyHash, IssuedAt: m.IssuedAt, ExpiresAt: m.ExpiresAt}, nil
}

// PolicyActive reports whether the registry has policy h registered and active.
func (r *registryView) PolicyActive(ctx context.Context, h common.Hash) (bool, uint64, error) {
	out, err := r.call(ctx, r.abi.PackPolicy(h))
	if err != nil {
		return false, 0, fmt.Errorf("registry policy(%s): %w", h, err)
	}
	p, err := r.abi.UnpackPolicy(out)
	if err != nil {
		return false, 0, fmt.Errorf("registry policy(%s): %w", h, err)
	}
	return p.State == 1, p.ValiditySeconds, nil
}

func toBinding(v *verdict.Verdict) bindings.ITeeRegistryVerdict {
	return bindings.ITeeRegistryVerdict{
		MachineId: v.MachineID, Tee: v.TEE, Status: uint8(v.Status), TeeKey: v.TEEKey, WorkloadId: v.WorkloadID,
		TcbStatus: v.TCBStatus, Tcb: v.TCB, PolicyHash: v.PolicyHash, EvidenceHash: v.EvidenceHash,
		AnchorBlockNumber: v.AnchorBlockNumber, AnchorBlockHash: v.AnchorBlockHash, IssuedAt: v.IssuedAt,
		ExpiresAt: v.ExpiresAt, Reasons: v.Reasons,
	}
}

// SimulateSubmit runs submitVerdict(v, sigs) as an eth_call from `from` against the
// latest block, returning the decoded revert (a *chain.RevertError) if it would fail.
func (r *registryView) SimulateSubmit(ctx context.Context, from common.Address, v *verdict.Verdict, sigs [][]byte) error {
	data := r.abi.PackSubmitVerdict(toBinding(v), sigs)
	_, err := r.rpc.CallContract(ctx, ethereum.CallMsg{From: from, To: &r.addr, Data: data}, nil)
	if err != nil {
		return decodeRevert(err)
	}
	return nil
}

// PackSubmitVerdicts returns the calldata of one batched submission.
func (r *registryView) PackSubmitVerdicts(vs []*verdict.Verdict, sigs [][][]byte) []byte {
	bs := make([]bindings.ITeeRegistryVerdict, len(vs))
	for i, v := range vs {
		bs[i] = toBinding(v)
	}
	return r.abi.PackSubmitVerdicts(bs, sigs)
}

// Event topics, from the contract's event signatures.
var (
	topicVerdictAccepted    = crypto.Keccak256Hash([]byte("VerdictAccepted(bytes32,address,bytes32,uint8,bytes32,bytes32,bytes32)"))
	topicMachineDeregistred = crypto.Keccak256Hash([]byte("MachineDeregistered(bytes32,address)"))
)

// AcceptedDigests returns the digests of the verdicts accepted for a machine in
// blocks [from, latest].
func (r *registryView) AcceptedDigests(ctx context.Context, machine common.Hash, from uint64) (map[common.Hash]uint64, error) {
	logs, err := r.rpc.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: new(big.Int).SetUint64(from),
		Addresses: []common.Address{r.addr}, Topics: [][]common.Hash{{topicVerdictAccepted}, {machine}}})
	if err != nil {
		return nil, fmt.Errorf("registry VerdictAccepted logs of %s: %w", machine, err)
	}
	out := map[common.Hash]uint64{}
	for i := range logs {
		// The digest is the first non-indexed word of the data.
		if len(logs[i].Data) < 32 || logs[i].Removed {
			continue
		}
		out[common.BytesToHash(logs[i].Data[:32])] = logs[i].BlockNumber
	}
	return out, nil
}

// MachinesSeen returns the ids of machines that had any registry event naming them
// (verdicts and deregistrations) in blocks [from, to], plus the registrations, so
// that the tracker can refresh exactly those.
func (r *registryView) MachinesTouched(ctx context.Context, from, to uint64) ([]common.Hash, error) {
	logs, err := r.rpc.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: new(big.Int).SetUint64(from),
		ToBlock: new(big.Int).SetUint64(to), Addresses: []common.Address{r.addr}})
	if err != nil {
		return nil, fmt.Errorf("registry logs %d..%d: %w", from, to, err)
	}
	reg := r.abi.GetABI().Events["MachineRegistered"].ID
	seen := map[common.Hash]bool{}
	var out []common.Hash
	for _, l := range logs {
		if len(l.Topics) < 2 || l.Removed {
			continue
		}
		switch l.Topics[0] {
		case reg, topicVerdictAccepted, topicMachineDeregistred:
			if id := l.Topics[1]; !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// decodeRevert turns a JSON-RPC error carrying revert data into a *chain.RevertError
// (wrapping the original), so callers can name the contract error.
func decodeRevert(err error) error {
	var de rpc.DataError
	if !errors.As(err, &de) {
		return err
	}
	var data []byte
	switch d := de.ErrorData().(type) {
	case string:
		b, derr := hexutil.Decode(d)
		if derr != nil {
			return err
		}
		data = b
	default:
		return err
	}
	abi := bindings.NewTeeRegistry().GetABI()
	re, derr := chain.DecodeRevertData(data, &abi)
	if derr != nil || re == nil {
		return err
	}
	return fmt.Errorf("%w (%w)", re, err)
}
