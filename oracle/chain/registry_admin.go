package chain

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/teeoracle/teeoracle/internal/fielderr"
)

// The operations below are what one governance or provider command does on the
// registry, beyond a single TxCandidate: cmd/teeoracle calls one of them (or
// Transact with one candidate) per command and only prints the results.

// MachineStateName names a MachineRecord.State: "unknown" (MachineStateNone),
// "registered" or "deregistered"; another value by its number.
func MachineStateName(s uint8) string {
	return stateName(s, "unknown", "registered", "deregistered")
}

// PolicyStateName names a PolicyInfo.State: "unknown", "active" or "retired";
// another value by its number.
func PolicyStateName(s uint8) string {
	return stateName(s, "unknown", "active", "retired")
}

func stateName(s uint8, names ...string) string {
	if int(s) < len(names) {
		return names[s]
	}
	return strconv.Itoa(int(s))
}

// DeployConfig is a new registry's governance: its owner (zero means the sending
// account), initial oracle signers, quorum and maximum anchor age in blocks, and
// whether the example consumer (TrustedWorkerExample) is deployed beside it, with
// the workload id its pinned function requires (zero: none pinned).
type DeployConfig struct {
	Owner   common.Address
	Oracles []common.Address
	// Threshold is the quorum M, 1..len(Oracles); MaxAnchorAge is 1..256 blocks
	// (blockhash sees the last 256). Check says so before anything is sent.
	Threshold        uint
	MaxAnchorAge     uint
	WithConsumer     bool
	ConsumerWorkload common.Hash
}

// Check refuses, before anything is sent, a configuration the registry's
// constructor would revert on (InvalidThreshold, InvalidMaxAnchorAge) and one with
// no oracle signer. Every refusal is a *fielderr.Error.
func (c DeployConfig) Check() error {
	switch n := uint(len(c.Oracles)); {
	case n == 0:
		return fielderr.New(nil, "%s: none given; the initial oracle signers are required", "Oracles")
	case c.Threshold < 1 || c.Threshold > math.MaxUint8:
		return refused("Threshold", c.Threshold, "want 1..255")
	case c.Threshold > n:
		return refused("Threshold", c.Threshold, fmt.Sprintf("more than the %d %%s signers given; a quorum of %d could never be reached", n, c.Threshold), "Oracles")
	case c.MaxAnchorAge < 1 || c.MaxAnchorAge > 256:
		return refused("MaxAnchorAge", c.MaxAnchorAge, "want 1..256")
	}
	return nil
}

// PolicyRegistration is a policy to register and activate (owner only): its
// canonical hash, the longest lifetime of a verdict under it, and the URI where its
// canonical form can be fetched (logged on chain; may be empty).
type PolicyRegistration struct {
	Hash     common.Hash
	Validity time.Duration
	URI      string
}

// Check refuses a validity the registry cannot hold, which counts whole seconds
// and at least one, as a *fielderr.Error.
func (p PolicyRegistration) Check() error {
	if p.Validity < time.Second || p.Validity%time.Second != 0 {
		return refused("Validity", p.Validity, "want a whole number of seconds, at least 1s")
	}
	return nil
}

// ValiditySeconds is the validity as the registry holds it.
func (p PolicyRegistration) ValiditySeconds() uint64 { return uint64(p.Validity / time.Second) }

// PolicyRegistrationTx is RegisterPolicyTx of p; check p first.
func (r *Registry) PolicyRegistrationTx(p PolicyRegistration) TxCandidate {
	return r.RegisterPolicyTx(p.Hash, p.ValiditySeconds(), p.URI)
}

// refused is field, of value, refused for reason, a format with one %s per field
// of against (other fields the value was weighed against): "Threshold 3: ...".
func refused(field string, value any, reason string, against ...string) error {
	return fielderr.New(nil, "%s "+fielderr.Value(value)+": "+reason, append([]string{field}, against...)...)
}

// Deployment is what Deploy made. Consumer and ConsumerReceipt are nil without
// DeployConfig.WithConsumer, or when the consumer's deployment failed.
type Deployment struct {
	Owner           common.Address
	Registry        *Registry
	Receipt         *types.Receipt
	Consumer        *Consumer
	ConsumerReceipt *types.Receipt
}

// Deploy deploys a TeeRegistry through s (see DeployRegistry) and, when cfg asks,
// the example consumer consulting it. When the consumer fails, the registry's
// deployment is returned with the error: the registry stays deployed.
func Deploy(ctx context.Context, backend RegistryBackend, s Sender, cfg DeployConfig) (*Deployment, error) {
	d := &Deployment{Owner: cfg.Owner}
	if d.Owner == (common.Address{}) {
		d.Owner = s.From()
	}
	// What the constructor's types cannot carry is refused here; the rest of Check
	// is the constructor's to revert on.
	if cfg.Threshold > math.MaxUint8 || cfg.MaxAnchorAge > math.MaxUint16 {
		return nil, fmt.Errorf("deploy TeeRegistry: threshold %d or max anchor age %d out of range", cfg.Threshold, cfg.MaxAnchorAge)
	}
	var err error
	if d.Registry, d.Receipt, err = DeployRegistry(ctx, backend, s, d.Owner, cfg.Oracles, uint8(cfg.Threshold), uint16(cfg.MaxAnchorAge)); err != nil {
		return nil, err
	}
	if cfg.WithConsumer {
		if d.Consumer, d.ConsumerReceipt, err = DeployConsumer(ctx, d.Registry, s, cfg.ConsumerWorkload); err != nil {
			d.Consumer, d.ConsumerReceipt = nil, nil
			return d, err
		}
	}
	return d, nil
}

// ChangeOracles adds (add true) or removes each of oracles, one transaction each,
// in order, and returns the receipts of those mined. It stops at the first failure,
// whose error names the oracle; the receipts before it are returned with it.
func (r *Registry) ChangeOracles(ctx context.Context, s Sender, add bool, oracles []common.Address) ([]*types.Receipt, error) {
	var done []*types.Receipt
	for _, o := range oracles {
		what, cand := "remove oracle", r.RemoveOracleTx(o)
		if add {
			what, cand = "add oracle", r.AddOracleTx(o)
		}
		rcpt, err := r.Transact(ctx, s, cand)
		if err != nil {
			return done, fmt.Errorf("%s %s: %w", what, o.Hex(), err)
		}
		done = append(done, rcpt)
	}
	return done, nil
}

// RegisterMachine registers a machine of s's account under salt with its TEE
// (evidence.TEE's numbers) and metadata URI, and returns its id,
// MachineID(s.From(), salt).
func (r *Registry) RegisterMachine(ctx context.Context, s Sender, salt common.Hash, tee uint8, metadataURI string) (common.Hash, *types.Receipt, error) {
	rcpt, err := r.Transact(ctx, s, r.RegisterMachineTx(salt, tee, metadataURI))
	if err != nil {
		return common.Hash{}, rcpt, fmt.Errorf("register machine: %w", err)
	}
	return MachineID(s.From(), salt), rcpt, nil
}

// MachineTrust returns the machine's record and whether the registry trusts it
// now, read at the same block.
func (r *Registry) MachineTrust(ctx context.Context, machineID common.Hash) (MachineRecord, bool, error) {
	at, err := r.pinned(ctx)
	if err != nil {
		return MachineRecord{}, false, err
	}
	m, err := at.Machine(ctx, machineID)
	if err != nil {
		return MachineRecord{}, false, err
	}
	trusted, err := at.IsTrusted(ctx, machineID)
	return m, trusted, err
}

// Trust says whether the registry trusts a machine now, and which: machine id, or,
// when key is not zero, the machine key is bound to (KeyTrust).
func (r *Registry) Trust(ctx context.Context, id common.Hash, key common.Address) (common.Hash, bool, error) {
	if key != (common.Address{}) {
		return r.KeyTrust(ctx, key)
	}
	trusted, err := r.IsTrusted(ctx, id)
	return id, trusted, err
}

// KeyTrust returns the machine a TEE key is bound to (zero when none) and whether
// the registry trusts the key now, read at the same block.
func (r *Registry) KeyTrust(ctx context.Context, key common.Address) (common.Hash, bool, error) {
	at, err := r.pinned(ctx)
	if err != nil {
		return common.Hash{}, false, err
	}
	trusted, err := at.IsTrustedKey(ctx, key)
	if err != nil {
		return common.Hash{}, false, err
	}
	machine, err := at.MachineOfKey(ctx, key)
	return machine, trusted, err
}

// pinned returns r reading at one block: r itself when it already does, else the
// latest block now, so that two reads describe one state.
func (r *Registry) pinned(ctx context.Context) (*Registry, error) {
	if r.block != nil {
		return r, nil
	}
	n, err := r.backend.BlockNumber(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the latest block number: %w", err)
	}
	return r.AtBlock(n), nil
}
