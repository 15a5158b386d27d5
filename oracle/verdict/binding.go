package verdict

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/keccak"
)

// MeasurementSize is the size of an SEV-SNP launch measurement and of each TDX
// measurement register (MRTD, RTMR0-3).
const MeasurementSize = 48

// ErrMeasurementSize is returned (wrapped) when a measurement is not 48 bytes.
var ErrMeasurementSize = errors.New("measurement is not 48 bytes")

// WorkloadIDSNP returns keccak256(0x01 ‖ MEASUREMENT), the workload id of an SEV-SNP
// guest. The leading TEE byte keeps an SNP and a TDX workload from ever sharing an id.
func WorkloadIDSNP(measurement []byte) (common.Hash, error) {
	if len(measurement) != MeasurementSize {
		return common.Hash{}, fmt.Errorf("workload id: sev-snp measurement has %d bytes: %w", len(measurement), ErrMeasurementSize)
	}
	return keccak.Hash256([]byte{TEESEVSNP}, measurement), nil
}

// WorkloadIDTDX returns keccak256(0x02 ‖ MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2 ‖ RTMR3), the
// workload id of a TD.
func WorkloadIDTDX(mrtd []byte, rtmr [4][]byte) (common.Hash, error) {
	if len(mrtd) != MeasurementSize {
		return common.Hash{}, fmt.Errorf("workload id: tdx MRTD has %d bytes: %w", len(mrtd), ErrMeasurementSize)
	}
	buf := make([]byte, 0, 1+5*MeasurementSize)
	buf = append(buf, TEETDX)
	buf = append(buf, mrtd...)
	for i, r := range rtmr {
		if len(r) != MeasurementSize {
			return common.Hash{}, fmt.Errorf("workload id: tdx RTMR%d has %d bytes: %w", i, len(r), ErrMeasurementSize)
		}
		buf = append(buf, r...)
	}
	return keccak.Hash256(buf), nil
}

// WorkloadIDV2Domain starts the preimage of a version 2 workload id.
const WorkloadIDV2Domain = "teeoracle.workload.v2\x00"

// WorkloadIDV2SNP returns the version 2 workload id of an SEV-SNP guest that
// runs a described workload (docs/verdict-encoding.md):
//
//	keccak256("teeoracle.workload.v2" ‖ 0x00 ‖ 0x01 ‖ MEASUREMENT ‖ description digest)
//
// where the description digest is SHA-256 of the workload description's canonical
// bytes (package workload), which HOST_DATA carries.
func WorkloadIDV2SNP(measurement []byte, description [32]byte) (common.Hash, error) {
	if len(measurement) != MeasurementSize {
		return common.Hash{}, fmt.Errorf("workload id v2: sev-snp measurement has %d bytes: %w", len(measurement), ErrMeasurementSize)
	}
	return keccak.Hash256([]byte(WorkloadIDV2Domain), []byte{TEESEVSNP}, measurement, description[:]), nil
}

// WorkloadIDV2TDX returns the version 2 workload id of a TD that runs a
// described workload:
//
//	keccak256("teeoracle.workload.v2" ‖ 0x00 ‖ 0x02 ‖ MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2 ‖ description digest)
//
// RTMR3 is left out: it holds the workload event (named by the digest) and other
// runtime events, whose order and number are not part of what runs.
func WorkloadIDV2TDX(mrtd []byte, rtmr [3][]byte, description [32]byte) (common.Hash, error) {
	buf := make([]byte, 0, len(WorkloadIDV2Domain)+1+4*MeasurementSize+32)
	buf = append(append(buf, WorkloadIDV2Domain...), TEETDX)
	for i, r := range append([][]byte{mrtd}, rtmr[:]...) {
		if len(r) != MeasurementSize {
			return common.Hash{}, fmt.Errorf("workload id v2: tdx register %d (MRTD, RTMR0..2) has %d bytes: %w", i, len(r), ErrMeasurementSize)
		}
		buf = append(buf, r...)
	}
	return keccak.Hash256(buf, description[:]), nil
}

// ReportDataDomainTag is hashed into every report-data binding so that 64 bytes
// bound for teeoracle can never be mistaken for another protocol's binding.
const ReportDataDomainTag = "teeoracle.reportdata.v1"

// Binding is what a guest commits to in its report data: the chain and registry,
// its machine id, the address of the key it holds, and a recent block.
type Binding struct {
	ChainID           uint64
	Registry          common.Address
	MachineID         common.Hash
	TEEKey            common.Address
	AnchorBlockNumber uint64
	AnchorBlockHash   common.Hash
}

// ReportData returns the 64 bytes of report data for b (docs/verdict-encoding.md):
// bytes 0..31 are keccak256(abi.encode(keccak256(tag), uint256 chainId, address
// registry, bytes32 machineId, address teeKey, uint64 anchorBlockNumber, bytes32
// anchorBlockHash)); bytes 32..63 are zero.
func (b Binding) ReportData() [64]byte {
	buf := make([]byte, 32*7)
	copy(buf[0:32], keccak.Sum256([]byte(ReportDataDomainTag)))
	binary.BigEndian.PutUint64(buf[32+24:64], b.ChainID)
	copy(buf[64+12:96], b.Registry[:])
	copy(buf[96:128], b.MachineID[:])
	copy(buf[128+12:160], b.TEEKey[:])
	binary.BigEndian.PutUint64(buf[160+24:192], b.AnchorBlockNumber)
	copy(buf[192:224], b.AnchorBlockHash[:])
	var out [64]byte
	copy(out[:32], keccak.Sum256(buf))
	return out
}

// ReportData is Binding.ReportData with the inputs as arguments.
func ReportData(chainID uint64, registry common.Address, machineID common.Hash, teeKey common.Address, anchorNumber uint64, anchorHash common.Hash) [64]byte {
	return Binding{chainID, registry, machineID, teeKey, anchorNumber, anchorHash}.ReportData()
}

// PossessionDomainTag is hashed into every proof-of-possession digest, so that a
// signature made for it can never be mistaken for a transaction or another
// protocol's message. Version 2 commits to the evidence too: a version 1 proof
// (over the binding alone) does not verify.
const PossessionDomainTag = "teeoracle.possession.v2"

// ErrPossession is returned (wrapped) when a proof of possession is malformed or
// not made by the key it is for.
var ErrPossession = errors.New("proof of possession invalid")

// PossessionDigest returns keccak256(keccak256(tag) ‖ reportData[0:32] ‖
// evidenceHash): what the TEE key signs to prove it is held by the guest that
// submits this evidence for this attestation. The report data commits to chain,
// registry, machine, key and anchor, and evidenceHash (the evidence's canonical hash,
// evidence.Evidence.Hash, which the verdict carries) to the evidence itself, so a
// proof is good for this one challenge and this one piece of evidence only: whoever
// sees it cannot put other evidence under it (docs/verdict-encoding.md).
func (b Binding) PossessionDigest(evidenceHash common.Hash) common.Hash {
	rd := b.ReportData()
	return keccak.Hash256(keccak.Sum256([]byte(PossessionDomainTag)), rd[:32], evidenceHash[:])
}
