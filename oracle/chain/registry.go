package chain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/bindings"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// RegistryBackend is what the registry client needs from a chain connection: calls,
// logs, receipts, the chain id and the head. *ethclient.Client and the simulated
// backend's client implement it.
type RegistryBackend interface {
	bind.ContractBackend
	ChainID(ctx context.Context) (*big.Int, error)
	BlockNumber(ctx context.Context) (uint64, error)
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
}

// Errors of the registry client. Contract reverts are *RevertError instead.
var (
	// ErrNoContract: there is no code at the registry address on this chain (wrong
	// address, wrong chain, or a deployment that never landed).
	ErrNoContract = errors.New("no contract code at address")
	// ErrChainMismatch: the chain answering the RPC has another chain id than the
	// one the caller expects.
	ErrChainMismatch = errors.New("chain id mismatch")
	// ErrDeployFailed: a deployment transaction was mined without creating a contract.
	ErrDeployFailed = errors.New("deployment failed")
)

// Machine states, TEE types and statuses as the registry encodes them in
// MachineRecord and PolicyInfo.
const (
	MachineStateNone         uint8 = 0
	MachineStateRegistered   uint8 = 1
	MachineStateDeregistered uint8 = 2

	PolicyStateUnknown uint8 = 0
	PolicyStateActive  uint8 = 1
	PolicyStateRetired uint8 = 2
)

// MachineRecord is the registry's whole record of a machine joined with its latest
// verdict (ITeeRegistry.MachineRecord). All zero for an unknown id.
type MachineRecord struct {
	Provider   common.Address
	TEE        uint8          // verdict.TEESEVSNP or verdict.TEETDX
	State      uint8          // MachineStateNone, MachineStateRegistered or MachineStateDeregistered
	TEEKey     common.Address // zero before the first verdict
	Status     verdict.Status // 0 before the first verdict
	TCBStatus  uint8
	TCB        uint64
	PolicyHash common.Hash
	IssuedAt   uint64
	ExpiresAt  uint64
}

// PolicyInfo is what the registry knows about a policy; all zero when unknown.
type PolicyInfo struct {
	ID              uint32 // a uint24 on chain
	State           uint8  // PolicyStateUnknown, PolicyStateActive or PolicyStateRetired
	ValiditySeconds uint64
}

// Registry is a client of one deployed TeeRegistry: typed reads, event readers,
// and calldata builders whose TxCandidates are sent by a Sender (the TxManager in
// the node, DirectSender in one-shot commands). Its methods are safe for
// concurrent use.
type Registry struct {
	backend RegistryBackend
	address common.Address
	chainID uint64
	abi     *bindings.TeeRegistry
	bound   *bind.BoundContract
	block   *big.Int // reads at this block; nil means latest
}

// NewRegistry returns a client of the registry at address on chain chainID without
// touching the network; OpenRegistry checks both first.
func NewRegistry(backend RegistryBackend, address common.Address, chainID uint64) *Registry {
	b := bindings.NewTeeRegistry()
	return &Registry{backend: backend, address: address, chainID: chainID, abi: b, bound: b.Instance(backend, address)}
}

// OpenRegistry asks the chain for its id, checks it against wantChainID when that
// is non-zero (ErrChainMismatch), checks that code is deployed at address
// (ErrNoContract), and returns the client.
func OpenRegistry(ctx context.Context, backend RegistryBackend, address common.Address, wantChainID uint64) (*Registry, error) {
	id, err := CheckChainID(ctx, backend, wantChainID)
	if err != nil {
		return nil, err
	}
	code, err := backend.CodeAt(ctx, address, nil)
	if err != nil {
		return nil, fmt.Errorf("open registry %s: read code: %w", address, err)
	}
	if len(code) == 0 {
		return nil, fmt.Errorf("open registry %s on chain %d: %w", address, id, ErrNoContract)
	}
	return NewRegistry(backend, address, id), nil
}

// CheckChainID returns the chain id the backend answers with, and ErrChainMismatch
// when want is non-zero and differs: a guard against signing for the wrong chain.
func CheckChainID(ctx context.Context, backend interface {
	ChainID(context.Context) (*big.Int, error)
}, want uint64) (uint64, error) {
	id, err := backend.ChainID(ctx)
	if err != nil {
		return 0, fmt.Errorf("read chain id: %w", err)
	}
	if !id.IsUint64() {
		return 0, fmt.Errorf("chain id %s does not fit 64 bits", id)
	}
	if want != 0 && id.Uint64() != want {
		return 0, fmt.Errorf("%w: the RPC endpoint serves chain %d, expected %d", ErrChainMismatch, id.Uint64(), want)
	}
	return id.Uint64(), nil
}

// Address returns the registry's address.
func (r *Registry) Address() common.Address { return r.address }

// ChainID returns the chain id the client was made for.
func (r *Registry) ChainID() uint64 { return r.chainID }

// Domain returns the registry's EIP-712 domain (chain id and address), computed
// locally; DomainSeparator reads the contract's for comparison.
func (r *Registry) Domain() verdict.Domain {
	return verdict.Domain{ChainID: r.chainID, Registry: r.address}
}

// ABI returns the registry's ABI (a copy of the generated bindings' parsed ABI),
// for decoding reverts and logs elsewhere.
func (r *Registry) ABI() *abi.ABI {
	a := r.abi.GetABI()
	return &a
}

// MachineID returns the id registerMachine assigns to provider's salt, computed
// locally: the top 80 bits of keccak256(abi.encode(provider, salt)) (the tag),
// then the top 176 bits of keccak256(abi.encode(uint256(tag))). An id is a function
// of its tag, which is what lets the registry check a re-attestation's whole
// machine id against the tag in the key's trust record (docs/contracts.md).
func MachineID(provider common.Address, salt common.Hash) common.Hash {
	var buf [64]byte
	copy(buf[12:32], provider[:])
	copy(buf[32:], salt[:])
	h := crypto.Keccak256(buf[:])
	var tag [32]byte
	copy(tag[22:], h[:10])
	return machineIDOfTag(tag)
}

// machineIDOfTag returns the id whose tag is the low 10 bytes of tag.
func machineIDOfTag(tag [32]byte) common.Hash {
	check := crypto.Keccak256(tag[:])
	var id common.Hash
	copy(id[:10], tag[22:])
	copy(id[10:], check[:22])
	return id
}

// WellFormedMachineID reports whether id is one registerMachine can assign: its
// low 22 bytes are the check bits of its top 10. Any other id can never be
// registered.
func WellFormedMachineID(id common.Hash) bool {
	var tag [32]byte
	copy(tag[22:], id[:10])
	return machineIDOfTag(tag) == id
}

// AtBlock returns a view of the registry whose reads answer as of block number n
// (an archive node is needed for old blocks); the receiver is unchanged. Event
// readers and transactions are not affected.
func (r *Registry) AtBlock(n uint64) *Registry {
	c := *r
	c.block = new(big.Int).SetUint64(n)
	return &c
}

func (r *Registry) opts(ctx context.Context) *bind.CallOpts {
	o := &bind.CallOpts{Context: ctx}
	if r.block != nil {
		o.BlockNumber = new(big.Int).Set(r.block)
	}
	return o
}

// call runs one view call and decodes a revert into *RevertError.
func call[T any](ctx context.Context, r *Registry, what string, data []byte, unpack func([]byte) (T, error)) (T, error) {
	v, err := bind.Call(r.bound, r.opts(ctx), data, unpack)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("registry %s: %s: %w", r.address, what, decodeRevert(err, r.ABI()))
	}
	return v, nil
}

// IsTrusted reports whether the machine's latest verdict is trusted, unexpired,
// and under a policy still active, as of the latest block.
func (r *Registry) IsTrusted(ctx context.Context, machineID common.Hash) (bool, error) {
	return call(ctx, r, "isTrusted", r.abi.PackIsTrusted(machineID), r.abi.UnpackIsTrusted)
}

// IsTrustedKey reports whether key is the TEE key of a machine trusted now.
func (r *Registry) IsTrustedKey(ctx context.Context, key common.Address) (bool, error) {
	return call(ctx, r, "isTrustedKey", r.abi.PackIsTrustedKey(key), r.abi.UnpackIsTrustedKey)
}

// IsTrustedFor reports whether key is the TEE key of a machine trusted now whose
// current verdict names exactly workload.
func (r *Registry) IsTrustedFor(ctx context.Context, key common.Address, workload common.Hash) (bool, error) {
	return call(ctx, r, "isTrustedFor", r.abi.PackIsTrustedFor(key, workload), r.abi.UnpackIsTrustedFor)
}

// KeyTrust is what the registry holds about a TEE key (trustOf): whether it is
// trusted now, and the workload id, policy, TCB status and expiry of its current
// verdict. All zero for an unbound key.
type KeyTrust struct {
	Trusted    bool
	WorkloadID common.Hash
	PolicyHash common.Hash
	TCBStatus  uint8
	ExpiresAt  uint64
}

// TrustOf returns what the registry holds about key, in one call.
func (r *Registry) TrustOf(ctx context.Context, key common.Address) (KeyTrust, error) {
	o, err := call(ctx, r, "trustOf", r.abi.PackTrustOf(key), r.abi.UnpackTrustOf)
	if err != nil {
		return KeyTrust{}, err
	}
	return KeyTrust{Trusted: o.Trusted, WorkloadID: o.WorkloadId, PolicyHash: o.PolicyHash, TCBStatus: o.TcbStatus, ExpiresAt: o.ExpiresAt}, nil
}

// Machine returns the machine's record joined with its latest verdict.
func (r *Registry) Machine(ctx context.Context, machineID common.Hash) (MachineRecord, error) {
	m, err := call(ctx, r, "machine", r.abi.PackMachine(machineID), r.abi.UnpackMachine)
	if err != nil {
		return MachineRecord{}, err
	}
	return MachineRecord{
		Provider: m.Provider, TEE: m.Tee, State: m.State, TEEKey: m.TeeKey,
		Status: verdict.Status(m.Status), TCBStatus: m.TcbStatus, TCB: m.Tcb, PolicyHash: m.PolicyHash,
		IssuedAt: m.IssuedAt, ExpiresAt: m.ExpiresAt,
	}, nil
}

// MachineOfKey returns the machine a TEE key is bound to, zero when none.
func (r *Registry) MachineOfKey(ctx context.Context, key common.Address) (common.Hash, error) {
	h, err := call(ctx, r, "machineOfKey", r.abi.PackMachineOfKey(key), r.abi.UnpackMachineOfKey)
	return common.Hash(h), err
}

// AuthorizedKey returns the key the machine's provider authorised and no verdict
// has bound yet, zero when none.
func (r *Registry) AuthorizedKey(ctx context.Context, machineID common.Hash) (common.Address, error) {
	return call(ctx, r, "authorizedKey", r.abi.PackAuthorizedKey(machineID), r.abi.UnpackAuthorizedKey)
}

// MachineIDOf asks the contract for the id of provider's salt (see MachineID for
// the local computation).
func (r *Registry) MachineIDOf(ctx context.Context, provider common.Address, salt common.Hash) (common.Hash, error) {
	h, err := call(ctx, r, "machineIdOf", r.abi.PackMachineIdOf(provider, salt), r.abi.UnpackMachineIdOf)
	return common.Hash(h), err
}

// Policy returns what the registry knows about a policy hash.
func (r *Registry) Policy(ctx context.Context, policyHash common.Hash) (PolicyInfo, error) {
	p, err := call(ctx, r, "policy", r.abi.PackPolicy(policyHash), r.abi.UnpackPolicy)
	if err != nil {
		return PolicyInfo{}, err
	}
	return PolicyInfo{ID: uint32(p.Id.Uint64()), State: p.State, ValiditySeconds: p.ValiditySeconds}, nil
}

// IsOracle reports whether account is a current oracle signer.
func (r *Registry) IsOracle(ctx context.Context, account common.Address) (bool, error) {
	return call(ctx, r, "isOracle", r.abi.PackIsOracle(account), r.abi.UnpackIsOracle)
}

// Threshold returns the quorum M.
func (r *Registry) Threshold(ctx context.Context) (uint8, error) {
	return call(ctx, r, "threshold", r.abi.PackThreshold(), r.abi.UnpackThreshold)
}

// OracleCount returns the number of current oracle signers N.
func (r *Registry) OracleCount(ctx context.Context) (uint8, error) {
	return call(ctx, r, "oracleCount", r.abi.PackOracleCount(), r.abi.UnpackOracleCount)
}

// MaxAnchorAge returns the largest accepted anchor age in blocks.
func (r *Registry) MaxAnchorAge(ctx context.Context) (uint16, error) {
	return call(ctx, r, "maxAnchorAge", r.abi.PackMaxAnchorAge(), r.abi.UnpackMaxAnchorAge)
}

// Paused reports whether submission and registration are paused.
func (r *Registry) Paused(ctx context.Context) (bool, error) {
	return call(ctx, r, "paused", r.abi.PackPaused(), r.abi.UnpackPaused)
}

// Owner returns the governance account.
func (r *Registry) Owner(ctx context.Context) (common.Address, error) {
	return call(ctx, r, "owner", r.abi.PackOwner(), r.abi.UnpackOwner)
}

// DomainSeparator returns the contract's EIP-712 domain separator.
func (r *Registry) DomainSeparator(ctx context.Context) (common.Hash, error) {
	h, err := call(ctx, r, "domainSeparator", r.abi.PackDomainSeparator(), r.abi.UnpackDomainSeparator)
	return common.Hash(h), err
}

// HashVerdict returns the contract's EIP-712 digest of v; it must equal
// v.Digest(r.Domain()).
func (r *Registry) HashVerdict(ctx context.Context, v *verdict.Verdict) (common.Hash, error) {
	h, err := call(ctx, r, "hashVerdict", r.abi.PackHashVerdict(toBinding(v)), r.abi.UnpackHashVerdict)
	return common.Hash(h), err
}

// HashBatch returns the contract's EIP-712 digest of the batch vs (what the
// oracles sign for SubmitBatchTx); it must equal verdict.BatchDigest.
func (r *Registry) HashBatch(ctx context.Context, vs []*verdict.Verdict) (common.Hash, error) {
	h, err := call(ctx, r, "hashBatch", r.abi.PackHashBatch(PackBatch(vs)), r.abi.UnpackHashBatch)
	return common.Hash(h), err
}

// Oracles returns the current oracle set: the signers named by OracleAdded and
// OracleRemoved events in rng (which must start at or before the deployment, e.g.
// From 0), each confirmed with isOracle, ordered by address ascending as
// signatures must be. The contract keeps no enumerable list: events are the index,
// the isOracle check makes the answer exact for the latest block.
func (r *Registry) Oracles(ctx context.Context, rng BlockRange) ([]common.Address, error) {
	changes, err := r.OracleChanges(ctx, rng)
	if err != nil {
		return nil, err
	}
	seen := map[common.Address]bool{}
	var out []common.Address
	for _, c := range changes {
		if seen[c.Oracle] {
			continue
		}
		seen[c.Oracle] = true
		ok, err := r.IsOracle(ctx, c.Oracle)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c.Oracle)
		}
	}
	slices.SortFunc(out, func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) })
	n, err := r.OracleCount(ctx)
	if err != nil {
		return nil, err
	}
	if len(out) != int(n) {
		return nil, fmt.Errorf("registry %s: events in blocks %s name %d current oracles, the contract counts %d (does the range start before the deployment?)", r.address, rng, len(out), n)
	}
	return out, nil
}

// Quorum returns the current oracle set and threshold as verdict.Quorum, for
// assembling and checking signatures (see Oracles for rng).
func (r *Registry) Quorum(ctx context.Context, rng BlockRange) (verdict.Quorum, error) {
	signers, err := r.Oracles(ctx, rng)
	if err != nil {
		return verdict.Quorum{}, err
	}
	m, err := r.Threshold(ctx)
	if err != nil {
		return verdict.Quorum{}, err
	}
	return verdict.Quorum{Signers: signers, Threshold: int(m)}, nil
}

// toBinding converts a verdict to the bindings' struct, field for field.
func toBinding(v *verdict.Verdict) bindings.ITeeRegistryVerdict {
	return bindings.ITeeRegistryVerdict{
		MachineId: v.MachineID, Tee: v.TEE, Status: uint8(v.Status), TeeKey: v.TEEKey, WorkloadId: v.WorkloadID,
		TcbStatus: v.TCBStatus, Tcb: v.TCB, PolicyHash: v.PolicyHash, EvidenceHash: v.EvidenceHash,
		AnchorBlockNumber: v.AnchorBlockNumber, AnchorBlockHash: v.AnchorBlockHash,
		IssuedAt: v.IssuedAt, ExpiresAt: v.ExpiresAt, Reasons: v.Reasons,
	}
}
