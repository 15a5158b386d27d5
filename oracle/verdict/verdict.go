// Package verdict defines the verdict the oracle signs and the registry stores, and
// its encodings: the EIP-712 struct hash and digest (docs/verdict-encoding.md),
// a canonical JSON form, the workload id and the report-data binding. It also
// signs verdicts and assembles the M-of-N signature sets the registry accepts.
//
// The package knows nothing of appraisal or policy: it is the shared vocabulary
// between the decision (package policy) and the chain (package chain), and every
// encoding here must match contracts/TeeRegistry.sol byte for byte.
package verdict

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/keccak"
)

// TypeString is the EIP-712 type of a verdict, exactly as the contract declares it.
const TypeString = "Verdict(bytes32 machineId,uint8 tee,uint8 status,address teeKey,bytes32 workloadId,uint8 tcbStatus,uint64 tcb,bytes32 policyHash,bytes32 evidenceHash,uint64 anchorBlockNumber,bytes32 anchorBlockHash,uint64 issuedAt,uint64 expiresAt,uint64 reasons)"

// DomainTypeString is the EIP-712 domain type the registry uses.
const DomainTypeString = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"

// DomainName and DomainVersion are the registry's EIP-712 domain name and version.
const (
	DomainName    = "TeeRegistry"
	DomainVersion = "1"
)

// TEE values as the registry encodes them (the same numbers as evidence.TEE; this
// package keeps its own constants so that it does not depend on the decoders).
const (
	TEESEVSNP uint8 = 1
	TEETDX    uint8 = 2
)

// Status is whether the verdict trusts the machine. Zero is never a valid status,
// so a verdict left at its zero value cannot be mistaken for either answer.
type Status uint8

const (
	// StatusTrusted: the evidence met the policy.
	StatusTrusted Status = 1
	// StatusUntrusted: a verdict was made and the evidence did not meet the policy.
	StatusUntrusted Status = 2
)

// String returns "trusted", "untrusted" or "invalid".
func (s Status) String() string {
	switch s {
	case StatusTrusted:
		return "trusted"
	case StatusUntrusted:
		return "untrusted"
	default:
		return "invalid"
	}
}

// Verdict mirrors the contract's Verdict struct field for field; see
// docs/verdict-encoding.md for the meaning of each field.
type Verdict struct {
	MachineID         common.Hash
	TEE               uint8 // TEESEVSNP or TEETDX
	Status            Status
	TEEKey            common.Address
	WorkloadID        common.Hash
	TCBStatus         uint8 // the registry's TCB status enum (appraise.TCBStatus values)
	TCB               uint64
	PolicyHash        common.Hash
	EvidenceHash      common.Hash
	AnchorBlockNumber uint64
	AnchorBlockHash   common.Hash
	IssuedAt          uint64
	ExpiresAt         uint64
	Reasons           uint64
}

// ErrInvalid is returned (wrapped) by Validate for a verdict the registry would
// reject whatever its signatures.
var ErrInvalid = errors.New("invalid verdict")

// Validate checks what can be checked without the chain: a known TEE and status,
// and a validity window that is not empty.
func (v *Verdict) Validate() error {
	if v.TEE != TEESEVSNP && v.TEE != TEETDX {
		return fmt.Errorf("%w: tee %d is neither sev-snp (1) nor tdx (2)", ErrInvalid, v.TEE)
	}
	if v.Status != StatusTrusted && v.Status != StatusUntrusted {
		return fmt.Errorf("%w: status %d is neither trusted (1) nor untrusted (2)", ErrInvalid, v.Status)
	}
	if v.ExpiresAt <= v.IssuedAt {
		return fmt.Errorf("%w: expires at %d, not after issued at %d", ErrInvalid, v.ExpiresAt, v.IssuedAt)
	}
	if v.TCBStatus > 7 {
		return fmt.Errorf("%w: tcb status %d out of range 0..7", ErrInvalid, v.TCBStatus)
	}
	return nil
}

// typeHash, domainTypeHash and the hashes of the domain's name and version are
// constants of the encoding, each computed once, on first use.
var (
	typeHash       = sync.OnceValue(func() common.Hash { return keccak.Hash256([]byte(TypeString)) })
	domainTypeHash = sync.OnceValue(func() common.Hash { return keccak.Hash256([]byte(DomainTypeString)) })
	domainNameHash = sync.OnceValue(func() common.Hash { return keccak.Hash256([]byte(DomainName)) })
	domainVerHash  = sync.OnceValue(func() common.Hash { return keccak.Hash256([]byte(DomainVersion)) })
)

// words is the number of 32-byte words in abi.encode(typeHash, fields...).
const words = 15

// Encode returns abi.encode(typeHash, machineId, ..., reasons): the 480 bytes whose
// keccak256 is the struct hash. Every field is static, so abi.encode is each value
// left-padded to 32 bytes, in declaration order.
func (v *Verdict) Encode() []byte {
	buf := make([]byte, 32*words)
	w := func(i int) []byte { return buf[32*i : 32*(i+1)] }
	u64 := func(i int, x uint64) { binary.BigEndian.PutUint64(w(i)[24:], x) }
	copy(w(0), typeHash().Bytes())
	copy(w(1), v.MachineID[:])
	w(2)[31] = v.TEE
	w(3)[31] = byte(v.Status)
	copy(w(4)[12:], v.TEEKey[:])
	copy(w(5), v.WorkloadID[:])
	w(6)[31] = v.TCBStatus
	u64(7, v.TCB)
	copy(w(8), v.PolicyHash[:])
	copy(w(9), v.EvidenceHash[:])
	u64(10, v.AnchorBlockNumber)
	copy(w(11), v.AnchorBlockHash[:])
	u64(12, v.IssuedAt)
	u64(13, v.ExpiresAt)
	u64(14, v.Reasons)
	return buf
}

// StructHash returns the EIP-712 hashStruct of the verdict.
func (v *Verdict) StructHash() common.Hash {
	return keccak.Hash256(v.Encode())
}

// Digest returns the EIP-712 digest keccak256(0x1901 ‖ domainSeparator ‖ structHash):
// what oracles sign and what the contract's hashVerdict returns.
func (v *Verdict) Digest(d Domain) common.Hash {
	ds := d.Separator()
	sh := v.StructHash()
	return keccak.Hash256([]byte{0x19, 0x01}, ds[:], sh[:])
}

// Domain is the registry's EIP-712 domain: which chain and which contract a
// signature is for. Name and version are fixed (DomainName, DomainVersion).
type Domain struct {
	ChainID  uint64
	Registry common.Address
}

// Separator returns the EIP-712 domain separator.
func (d Domain) Separator() common.Hash {
	buf := make([]byte, 32*5)
	copy(buf[0:32], domainTypeHash().Bytes())
	copy(buf[32:64], domainNameHash().Bytes())
	copy(buf[64:96], domainVerHash().Bytes())
	binary.BigEndian.PutUint64(buf[96+24:128], d.ChainID)
	copy(buf[128+12:160], d.Registry[:])
	return keccak.Hash256(buf)
}

// FormatTime is a verdict time (seconds since the epoch, as IssuedAt and
// ExpiresAt hold it) in UTC, RFC 3339: how every output shows one.
func FormatTime(s uint64) string { return time.Unix(int64(s), 0).UTC().Format(time.RFC3339) }
