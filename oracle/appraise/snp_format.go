package appraise

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// The SEV-SNP report's format rules, as go-sev-guest v0.15.0's abi.ReportToProto and
// abi.ValidateReportFormat check them, with the same messages: decoded here rather
// than through the library because its report type is a protobuf message, and the
// protobuf runtime is a fifth of the WebAssembly verifier (docs/wasm.md).
// TestSNPFormatMatchesLibrary and FuzzSNPFormatMatchesLibrary hold the two to the
// same answers.

const (
	snpSigAlgoECDSAP384SHA384 = 1 // SIGNATURE_ALGO: ECDSA P-384 with SHA-384
	snpSignatureSize          = 2 * 72
	snpMinVersion             = 2
	snpMaxVersion             = 5
	snpPolicyReserved1Bit     = 17 // must be 1
)

// snpFormatError is the first format rule raw breaks, in the library's order, or nil.
func snpFormatError(raw []byte) error {
	if len(raw) < SNPReportSize {
		return fmt.Errorf("array size is 0x%x, an SEV-SNP attestation report size is 0x%x", len(raw), SNPReportSize)
	}
	le := binary.LittleEndian
	version, policy := le.Uint32(raw[0x00:]), le.Uint64(raw[0x08:])
	if err := snpPolicyError(policy); err != nil {
		return fmt.Errorf("malformed guest policy: %v", err)
	}
	signer := le.Uint32(raw[0x48:])
	if err := mbz64(uint64(signer), "data[0x48:0x4C]", 31, 5); err != nil {
		return err
	}
	if key := (signer >> 2) & 7; key > snpSignerVLEK && key < snpSignerNone {
		return fmt.Errorf("signing_key values 2-6 are reserved. Got UNKNOWN(%d)", key)
	}
	mbzLo := 0x188
	if version >= 3 {
		mbzLo = 0x18B
	}
	ranges := [][2]int{{0x4C, 0x50}, {mbzLo, 0x1A0}, {0x1EB, 0x1EC}, {0x1EF, 0x1F0}, {0x208, snpSignedSize}}
	if le.Uint32(raw[0x34:]) == snpSigAlgoECDSAP384SHA384 {
		ranges = append(ranges, [2]int{snpSignedSize + snpSignatureSize, SNPReportSize})
	}
	for _, r := range ranges {
		if err := mbz(raw, r[0], r[1]); err != nil {
			return err
		}
	}
	if version < snpMinVersion || version > snpMaxVersion {
		return fmt.Errorf("report version is: %d. Expected between %d and %d", version, snpMinVersion, snpMaxVersion)
	}
	return nil
}

func snpPolicyError(policy uint64) error {
	if policy&(1<<snpPolicyReserved1Bit) == 0 {
		return fmt.Errorf("policy[%d] is reserved, must be 1, got 0", snpPolicyReserved1Bit)
	}
	return mbz64(policy, "policy", 63, 26)
}

func mbz(data []byte, lo, hi int) error {
	for _, b := range data[lo:hi] {
		if b != 0 {
			return fmt.Errorf("mbz range [0x%x:0x%x] not all zero: %s", lo, hi, hex.EncodeToString(data[lo:hi]))
		}
	}
	return nil
}

func mbz64(v uint64, base string, hi, lo int) error {
	if (v>>lo)&((1<<(hi-lo+1))-1) != 0 {
		return fmt.Errorf("mbz range %s[0x%x:0x%x] not all zero: %x", base, lo, hi, v)
	}
	return nil
}

// snpProductLine is the product line of a CPU family and model (KDS specification,
// "Determining the Product Name"), or "" for one AMD has not defined.
func snpProductLine(family, model uint8) string {
	switch {
	case family == 0x19 && model == 0x01:
		return "Milan"
	case family == 0x19 && model == 0x11:
		return "Genoa"
	case family == 0x1A && model == 0x02:
		return "Turin"
	}
	return ""
}
