package chain

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// BlockRange selects blocks From..To inclusive; a nil To means up to the latest
// block. RPC providers cap the span of one eth_getLogs; callers that scan long
// histories page with several ranges.
type BlockRange struct {
	From uint64
	To   *uint64
}

// Blocks returns the range from..to inclusive.
func Blocks(from, to uint64) BlockRange { return BlockRange{From: from, To: &to} }

// String renders the range as "from..to" or "from..latest".
func (b BlockRange) String() string {
	if b.To == nil {
		return fmt.Sprintf("%d..latest", b.From)
	}
	return fmt.Sprintf("%d..%d", b.From, *b.To)
}

// EventMeta locates an event on the chain.
type EventMeta struct {
	BlockNumber uint64
	BlockHash   common.Hash
	TxHash      common.Hash
	LogIndex    uint
	// Removed is set for a log undone by a reorganisation (only seen by
	// subscriptions; filters return the canonical chain).
	Removed bool
}

func metaOf(l *types.Log) EventMeta {
	return EventMeta{BlockNumber: l.BlockNumber, BlockHash: l.BlockHash, TxHash: l.TxHash, LogIndex: l.Index, Removed: l.Removed}
}

// VerdictAccepted is a VerdictAccepted event (submitVerdict, submitVerdicts) or a
// VerdictRecorded event (submitBatch, Batch set): a verdict became a machine's
// trust record. Digest is the verdict's own EIP-712 hash in both. A VerdictRecorded
// event carries only the machine id and the digest: the other fields are zero here,
// and the verdict is in the transaction's calldata (Registry.BatchOfTx).
type VerdictAccepted struct {
	EventMeta
	Batch        bool
	MachineID    common.Hash
	TEEKey       common.Address
	Digest       common.Hash
	Status       verdict.Status
	WorkloadID   common.Hash
	EvidenceHash common.Hash
	PolicyHash   common.Hash
	IssuedAt     uint64
	ExpiresAt    uint64
}

// VerdictSkipped is a VerdictSkipped event: entry Index of a submitVerdicts batch
// was refused and not applied. Reason is the revert submitVerdict would have given,
// decoded.
type VerdictSkipped struct {
	EventMeta
	Index     uint64
	MachineID common.Hash
	TEEKey    common.Address
	Digest    common.Hash
	Reason    *RevertError
}

// MachineRegistered is a MachineRegistered event.
type MachineRegistered struct {
	EventMeta
	MachineID   common.Hash
	Provider    common.Address
	TEE         uint8
	MetadataURI string
}

// MachineDeregistered is a MachineDeregistered event. TEEKey is the key it freed
// (zero when none was bound), AuthorizedKey the pending key authorisation it
// dropped (zero when none).
type MachineDeregistered struct {
	EventMeta
	MachineID     common.Hash
	Provider      common.Address
	TEEKey        common.Address
	AuthorizedKey common.Address
}

// TEEKeyRotated is a TeeKeyRotated event: a verdict named a new key for a machine.
type TEEKeyRotated struct {
	EventMeta
	MachineID common.Hash
	OldKey    common.Address
	NewKey    common.Address
}

// OracleChange is an OracleAdded (Added true) or OracleRemoved event.
type OracleChange struct {
	EventMeta
	Oracle common.Address
	Added  bool
}

// PolicyChange is a PolicyRegistered (Registered true, with validity and URI) or
// PolicyRetired event.
type PolicyChange struct {
	EventMeta
	PolicyHash      common.Hash
	PolicyID        uint32 // a uint24 on chain
	Registered      bool
	ValiditySeconds uint64
	URI             string
}

// filterLogs returns the registry's logs in rng whose first topic is one of
// events' ids and, when ids is non-empty, whose first indexed argument is one of
// ids. Logs come in chain order.
func (r *Registry) filterLogs(ctx context.Context, rng BlockRange, events []string, ids []common.Hash) ([]types.Log, error) {
	a := r.abi.GetABI()
	var sigs []common.Hash
	for _, name := range events {
		ev, ok := a.Events[name]
		if !ok {
			return nil, fmt.Errorf("registry ABI has no event %s", name)
		}
		sigs = append(sigs, ev.ID)
	}
	q := ethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(rng.From),
		Addresses: []common.Address{r.address},
		Topics:    [][]common.Hash{sigs},
	}
	if rng.To != nil {
		q.ToBlock = new(big.Int).SetUint64(*rng.To)
	}
	if len(ids) > 0 {
		q.Topics = append(q.Topics, ids)
	}
	logs, err := r.backend.FilterLogs(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("registry %s: logs %v in blocks %s: %w", r.address, events, rng, err)
	}
	return logs, nil
}

// VerdictsAccepted returns the VerdictAccepted and VerdictRecorded events in rng,
// in chain order, of the given machines only when machineIDs is non-empty.
func (r *Registry) VerdictsAccepted(ctx context.Context, rng BlockRange, machineIDs ...common.Hash) ([]VerdictAccepted, error) {
	logs, err := r.filterLogs(ctx, rng, []string{"VerdictAccepted", "VerdictRecorded"}, machineIDs)
	if err != nil {
		return nil, err
	}
	recorded := r.abi.GetABI().Events["VerdictRecorded"].ID
	out := make([]VerdictAccepted, 0, len(logs))
	for i := range logs {
		if logs[i].Topics[0] == recorded {
			e, err := r.abi.UnpackVerdictRecordedEvent(&logs[i])
			if err != nil {
				return nil, fmt.Errorf("decode VerdictRecorded in tx %s: %w", logs[i].TxHash, err)
			}
			out = append(out, VerdictAccepted{EventMeta: metaOf(&logs[i]), Batch: true, MachineID: e.MachineId, Digest: e.VerdictHash})
			continue
		}
		e, err := r.abi.UnpackVerdictAcceptedEvent(&logs[i])
		if err != nil {
			return nil, fmt.Errorf("decode VerdictAccepted in tx %s: %w", logs[i].TxHash, err)
		}
		out = append(out, VerdictAccepted{EventMeta: metaOf(&logs[i]), MachineID: e.MachineId, TEEKey: e.TeeKey,
			Digest: e.Digest, Status: verdict.Status(e.Status), WorkloadID: e.WorkloadId,
			EvidenceHash: e.EvidenceHash, PolicyHash: e.PolicyHash, IssuedAt: e.IssuedAt, ExpiresAt: e.ExpiresAt})
	}
	return out, nil
}

// BatchOutcome reads a submitBatch or submitVerdicts receipt: the digests of the verdicts the
// registry accepted and the entries it skipped, with their decoded reasons. Logs of
// other contracts are ignored.
func (r *Registry) BatchOutcome(receipt *types.Receipt) (accepted map[common.Hash]bool, skipped []VerdictSkipped, err error) {
	a := r.abi.GetABI()
	acceptedID, skippedID := a.Events["VerdictAccepted"].ID, a.Events["VerdictSkipped"].ID
	recordedID := a.Events["VerdictRecorded"].ID
	accepted = map[common.Hash]bool{}
	for _, l := range receipt.Logs {
		if l.Address != r.address || len(l.Topics) == 0 {
			continue
		}
		switch l.Topics[0] {
		case acceptedID:
			e, err := r.abi.UnpackVerdictAcceptedEvent(l)
			if err != nil {
				return nil, nil, fmt.Errorf("decode VerdictAccepted in tx %s: %w", l.TxHash, err)
			}
			accepted[e.Digest] = true
		case recordedID:
			e, err := r.abi.UnpackVerdictRecordedEvent(l)
			if err != nil {
				return nil, nil, fmt.Errorf("decode VerdictRecorded in tx %s: %w", l.TxHash, err)
			}
			accepted[e.VerdictHash] = true
		case skippedID:
			e, err := r.abi.UnpackVerdictSkippedEvent(l)
			if err != nil {
				return nil, nil, fmt.Errorf("decode VerdictSkipped in tx %s: %w", l.TxHash, err)
			}
			reason, err := DecodeRevertData(e.Reason, &a)
			if err != nil {
				return nil, nil, fmt.Errorf("decode VerdictSkipped reason in tx %s: %w", l.TxHash, err)
			}
			skipped = append(skipped, VerdictSkipped{EventMeta: metaOf(l), Index: e.Index.Uint64(), MachineID: e.MachineId,
				TEEKey: e.TeeKey, Digest: e.Digest, Reason: reason})
		}
	}
	return accepted, skipped, nil
}

// MachinesRegistered returns the MachineRegistered events in rng, of the given
// machines only when machineIDs is non-empty.
func (r *Registry) MachinesRegistered(ctx context.Context, rng BlockRange, machineIDs ...common.Hash) ([]MachineRegistered, error) {
	logs, err := r.filterLogs(ctx, rng, []string{"MachineRegistered"}, machineIDs)
	if err != nil {
		return nil, err
	}
	out := make([]MachineRegistered, 0, len(logs))
	for i := range logs {
		e, err := r.abi.UnpackMachineRegisteredEvent(&logs[i])
		if err != nil {
			return nil, fmt.Errorf("decode MachineRegistered in tx %s: %w", logs[i].TxHash, err)
		}
		out = append(out, MachineRegistered{EventMeta: metaOf(&logs[i]), MachineID: e.MachineId, Provider: e.Provider,
			TEE: e.Tee, MetadataURI: e.MetadataURI})
	}
	return out, nil
}

// MachinesDeregistered returns the MachineDeregistered events in rng, of the given
// machines only when machineIDs is non-empty.
func (r *Registry) MachinesDeregistered(ctx context.Context, rng BlockRange, machineIDs ...common.Hash) ([]MachineDeregistered, error) {
	logs, err := r.filterLogs(ctx, rng, []string{"MachineDeregistered"}, machineIDs)
	if err != nil {
		return nil, err
	}
	out := make([]MachineDeregistered, 0, len(logs))
	for i := range logs {
		e, err := r.abi.UnpackMachineDeregisteredEvent(&logs[i])
		if err != nil {
			return nil, fmt.Errorf("decode MachineDeregistered in tx %s: %w", logs[i].TxHash, err)
		}
		out = append(out, MachineDeregistered{EventMeta: metaOf(&logs[i]), MachineID: e.MachineId, Provider: e.Provider, TEEKey: e.TeeKey,
			AuthorizedKey: e.AuthorizedKey})
	}
	return out, nil
}

// TEEKeyRotations returns the TeeKeyRotated events in rng, of the given machines
// only when machineIDs is non-empty.
func (r *Registry) TEEKeyRotations(ctx context.Context, rng BlockRange, machineIDs ...common.Hash) ([]TEEKeyRotated, error) {
	logs, err := r.filterLogs(ctx, rng, []string{"TeeKeyRotated"}, machineIDs)
	if err != nil {
		return nil, err
	}
	out := make([]TEEKeyRotated, 0, len(logs))
	for i := range logs {
		e, err := r.abi.UnpackTeeKeyRotatedEvent(&logs[i])
		if err != nil {
			return nil, fmt.Errorf("decode TeeKeyRotated in tx %s: %w", logs[i].TxHash, err)
		}
		out = append(out, TEEKeyRotated{EventMeta: metaOf(&logs[i]), MachineID: e.MachineId, OldKey: e.OldKey, NewKey: e.NewKey})
	}
	return out, nil
}

// OracleChanges returns the OracleAdded and OracleRemoved events in rng, in chain
// order.
func (r *Registry) OracleChanges(ctx context.Context, rng BlockRange) ([]OracleChange, error) {
	logs, err := r.filterLogs(ctx, rng, []string{"OracleAdded", "OracleRemoved"}, nil)
	if err != nil {
		return nil, err
	}
	added := r.abi.GetABI().Events["OracleAdded"].ID
	out := make([]OracleChange, 0, len(logs))
	for i := range logs {
		l := &logs[i]
		c := OracleChange{EventMeta: metaOf(l)}
		if l.Topics[0] == added {
			e, err := r.abi.UnpackOracleAddedEvent(l)
			if err != nil {
				return nil, fmt.Errorf("decode OracleAdded in tx %s: %w", l.TxHash, err)
			}
			c.Oracle, c.Added = e.Oracle, true
		} else {
			e, err := r.abi.UnpackOracleRemovedEvent(l)
			if err != nil {
				return nil, fmt.Errorf("decode OracleRemoved in tx %s: %w", l.TxHash, err)
			}
			c.Oracle = e.Oracle
		}
		out = append(out, c)
	}
	return out, nil
}

// PolicyChanges returns the PolicyRegistered and PolicyRetired events in rng, in
// chain order, of the given policies only when policyHashes is non-empty.
func (r *Registry) PolicyChanges(ctx context.Context, rng BlockRange, policyHashes ...common.Hash) ([]PolicyChange, error) {
	logs, err := r.filterLogs(ctx, rng, []string{"PolicyRegistered", "PolicyRetired"}, policyHashes)
	if err != nil {
		return nil, err
	}
	registered := r.abi.GetABI().Events["PolicyRegistered"].ID
	out := make([]PolicyChange, 0, len(logs))
	for i := range logs {
		l := &logs[i]
		c := PolicyChange{EventMeta: metaOf(l)}
		if l.Topics[0] == registered {
			e, err := r.abi.UnpackPolicyRegisteredEvent(l)
			if err != nil {
				return nil, fmt.Errorf("decode PolicyRegistered in tx %s: %w", l.TxHash, err)
			}
			c.PolicyHash, c.PolicyID, c.Registered, c.ValiditySeconds, c.URI = e.PolicyHash, uint32(e.PolicyId.Uint64()), true, e.ValiditySeconds, e.Uri
		} else {
			e, err := r.abi.UnpackPolicyRetiredEvent(l)
			if err != nil {
				return nil, fmt.Errorf("decode PolicyRetired in tx %s: %w", l.TxHash, err)
			}
			c.PolicyHash, c.PolicyID = e.PolicyHash, uint32(e.PolicyId.Uint64())
		}
		out = append(out, c)
	}
	return out, nil
}
