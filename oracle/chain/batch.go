package chain

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// EntryGasReserve is the registry's ENTRY_GAS_RESERVE (contracts/TeeRegistry.sol;
// TestEntryGasReserveMatchesContract holds the two equal): the gas a submitBatch
// entry's general path (a key binding, a new workload) must find left, beyond
// 11,000 for each entry after it, or the registry skips the entry with
// InsufficientGasForEntry instead of running out of gas. A relayer adds it once to
// a batch's estimated gas limit, so that no entry the estimate ran is skipped.
const EntryGasReserve = 200_000

// PackedVerdictSize is the size of one verdict in a submitBatch call: its 14
// fields in EIP-712 order, each in its Solidity type's width, big-endian, with no
// padding (abi.encodePacked of the fields), against 448 bytes ABI-encoded.
const PackedVerdictSize = 223

// Field offsets of a packed verdict (TeeRegistry.PACKED_VERDICT_SIZE documents the
// same layout).
const (
	pkMachineID   = 0
	pkTEE         = 32
	pkStatus      = 33
	pkTEEKey      = 34
	pkWorkloadID  = 54
	pkTCBStatus   = 86
	pkTCB         = 87
	pkPolicyHash  = 95
	pkEvidence    = 127
	pkAnchorNum   = 159
	pkAnchorHash  = 167
	pkIssuedAt    = 199
	pkExpiresAt   = 207
	pkReasons     = 215
	maxBatchBytes = 1 << 24 // far above any batch a block can carry; bounds decoding
)

// ErrMalformedBatch is wrapped by UnpackBatch for bytes that are not a whole
// number of packed verdicts.
var ErrMalformedBatch = errors.New("malformed verdict batch")

// PackBatch returns the verdicts argument of submitBatch: each verdict packed (see
// PackedVerdictSize), concatenated in order. The batch digest the oracles sign
// commits to exactly these verdicts in this order (verdict.BatchDigest; the
// registry's hashBatch).
func PackBatch(vs []*verdict.Verdict) []byte {
	out := make([]byte, len(vs)*PackedVerdictSize)
	for i, v := range vs {
		packVerdict(out[i*PackedVerdictSize:(i+1)*PackedVerdictSize], v)
	}
	return out
}

func packVerdict(b []byte, v *verdict.Verdict) {
	copy(b[pkMachineID:], v.MachineID[:])
	b[pkTEE] = v.TEE
	b[pkStatus] = byte(v.Status)
	copy(b[pkTEEKey:], v.TEEKey[:])
	copy(b[pkWorkloadID:], v.WorkloadID[:])
	b[pkTCBStatus] = v.TCBStatus
	binary.BigEndian.PutUint64(b[pkTCB:], v.TCB)
	copy(b[pkPolicyHash:], v.PolicyHash[:])
	copy(b[pkEvidence:], v.EvidenceHash[:])
	binary.BigEndian.PutUint64(b[pkAnchorNum:], v.AnchorBlockNumber)
	copy(b[pkAnchorHash:], v.AnchorBlockHash[:])
	binary.BigEndian.PutUint64(b[pkIssuedAt:], v.IssuedAt)
	binary.BigEndian.PutUint64(b[pkExpiresAt:], v.ExpiresAt)
	binary.BigEndian.PutUint64(b[pkReasons:], v.Reasons)
}

// UnpackBatch decodes the verdicts argument of a submitBatch call, as the
// registry reads it. Every byte string of a whole number of packed verdicts
// decodes (the registry then refuses what it must, entry by entry); anything else
// is ErrMalformedBatch, naming the length.
func UnpackBatch(data []byte) ([]verdict.Verdict, error) {
	if len(data) == 0 || len(data)%PackedVerdictSize != 0 || len(data) > maxBatchBytes {
		return nil, fmt.Errorf("%w: %d bytes is not a positive multiple of %d (at most %d bytes)", ErrMalformedBatch, len(data), PackedVerdictSize, maxBatchBytes)
	}
	out := make([]verdict.Verdict, len(data)/PackedVerdictSize)
	for i := range out {
		b := data[i*PackedVerdictSize : (i+1)*PackedVerdictSize]
		v := &out[i]
		copy(v.MachineID[:], b[pkMachineID:])
		v.TEE = b[pkTEE]
		v.Status = verdict.Status(b[pkStatus])
		copy(v.TEEKey[:], b[pkTEEKey:])
		copy(v.WorkloadID[:], b[pkWorkloadID:])
		v.TCBStatus = b[pkTCBStatus]
		v.TCB = binary.BigEndian.Uint64(b[pkTCB:])
		copy(v.PolicyHash[:], b[pkPolicyHash:])
		copy(v.EvidenceHash[:], b[pkEvidence:])
		v.AnchorBlockNumber = binary.BigEndian.Uint64(b[pkAnchorNum:])
		copy(v.AnchorBlockHash[:], b[pkAnchorHash:])
		v.IssuedAt = binary.BigEndian.Uint64(b[pkIssuedAt:])
		v.ExpiresAt = binary.BigEndian.Uint64(b[pkExpiresAt:])
		v.Reasons = binary.BigEndian.Uint64(b[pkReasons:])
	}
	return out, nil
}

// PackSignatureSet returns the signatures argument of submitBatch: the 65-byte
// signatures concatenated, which must already be ordered by signer strictly
// ascending (verdict.Assemble orders them so).
func PackSignatureSet(sigs [][]byte) ([]byte, error) {
	out := make([]byte, 0, len(sigs)*verdict.SignatureSize)
	for i, s := range sigs {
		if len(s) != verdict.SignatureSize {
			return nil, fmt.Errorf("%w: batch signature %d is %d bytes, want %d", ErrBadVerdict, i, len(s), verdict.SignatureSize)
		}
		out = append(out, s...)
	}
	return out, nil
}

// SubmitBatchTx submits vs under one quorum signature set over their batch digest
// (sigs: 65-byte signatures ordered by signer strictly ascending). The registry
// applies the entries in order, skipping (VerdictSkipped) each one it refuses, and
// reverts the whole batch only for a bad signature set. Refs carry every verdict's
// own digest, in order, for the transaction journal.
func (r *Registry) SubmitBatchTx(vs []*verdict.Verdict, sigs [][]byte) (TxCandidate, error) {
	if len(vs) == 0 {
		return TxCandidate{}, fmt.Errorf("%w: empty batch", ErrBadVerdict)
	}
	if len(sigs) == 0 {
		return TxCandidate{}, fmt.Errorf("%w: batch without signatures", ErrBadVerdict)
	}
	refs := make([]common.Hash, len(vs))
	d := r.Domain()
	for i, v := range vs {
		if err := v.Validate(); err != nil {
			return TxCandidate{}, fmt.Errorf("%w: verdict %d (machine %s): %w", ErrBadVerdict, i, v.MachineID, err)
		}
		refs[i] = v.Digest(d)
	}
	set, err := PackSignatureSet(sigs)
	if err != nil {
		return TxCandidate{}, err
	}
	data, err := r.abi.TryPackSubmitBatch(PackBatch(vs), set)
	if err != nil {
		return TxCandidate{}, fmt.Errorf("pack submitBatch: %w", err)
	}
	return TxCandidate{To: r.to(), Data: data, Refs: refs}, nil
}

// BatchOfTx decodes the verdicts of a submitBatch transaction's input (the
// calldata a VerdictRecorded event leaves the verdict's fields in).
func (r *Registry) BatchOfTx(input []byte) ([]verdict.Verdict, error) {
	a := r.abi.GetABI()
	m, ok := a.Methods["submitBatch"]
	if !ok || len(input) < 4 || string(input[:4]) != string(m.ID) {
		return nil, fmt.Errorf("%w: not a submitBatch call", ErrMalformedBatch)
	}
	args, err := m.Inputs.Unpack(input[4:])
	if err != nil || len(args) != 2 {
		return nil, fmt.Errorf("%w: submitBatch arguments: %v", ErrMalformedBatch, err)
	}
	packed, ok := args[0].([]byte)
	if !ok {
		return nil, fmt.Errorf("%w: submitBatch verdicts argument is %T", ErrMalformedBatch, args[0])
	}
	return UnpackBatch(packed)
}
