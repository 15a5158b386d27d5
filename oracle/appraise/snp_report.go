package appraise

import (
	"encoding/binary"
	"fmt"
)

// SNPReportSize is the size of an SEV-SNP ATTESTATION_REPORT (SNP ABI 56860, table 22).
const SNPReportSize = 0x4A0

// snpSignedSize is how many leading report bytes the signature covers.
const snpSignedSize = 0x2A0

// Guest policy bits (SNP ABI table 9).
const (
	snpPolicySMT       = 1 << 16
	snpPolicyMigrateMA = 1 << 18
	snpPolicyDebug     = 1 << 19
)

// Signing key values of SIGNER_INFO bits 4:2.
const (
	snpSignerVCEK = 0
	snpSignerVLEK = 1
	snpSignerNone = 7
)

// snpReport holds the fields the appraisal reads, taken straight from their ABI
// offsets so that facts are available even when the library's stricter parser
// rejects the report.
type snpReport struct {
	raw          []byte
	version      uint32
	guestSVN     uint32
	policy       uint64
	vmpl         uint32
	sigAlgo      uint32
	currentTCB   uint64
	platformInfo uint64
	signerInfo   uint32
	reportData   []byte
	measurement  []byte
	hostData     []byte
	reportedTCB  uint64
	family       uint8 // v3+: CPUID_1_EAX family/model/stepping
	model        uint8
	stepping     uint8
	chipID       []byte
	committedTCB uint64
	launchTCB    uint64
}

func decodeSNPReport(raw []byte) (*snpReport, error) {
	if len(raw) != SNPReportSize {
		return nil, fmt.Errorf("%w: SEV-SNP report is %d bytes, want %d", ErrMalformed, len(raw), SNPReportSize)
	}
	le := binary.LittleEndian
	r := &snpReport{
		raw:          raw,
		version:      le.Uint32(raw[0x00:]),
		guestSVN:     le.Uint32(raw[0x04:]),
		policy:       le.Uint64(raw[0x08:]),
		vmpl:         le.Uint32(raw[0x30:]),
		sigAlgo:      le.Uint32(raw[0x34:]),
		currentTCB:   le.Uint64(raw[0x38:]),
		platformInfo: le.Uint64(raw[0x40:]),
		signerInfo:   le.Uint32(raw[0x48:]),
		reportData:   raw[0x50:0x90],
		measurement:  raw[0x90:0xC0],
		hostData:     raw[0xC0:0xE0],
		reportedTCB:  le.Uint64(raw[0x180:]),
		chipID:       raw[0x1A0:0x1E0],
		committedTCB: le.Uint64(raw[0x1E0:]),
		launchTCB:    le.Uint64(raw[0x1F0:]),
	}
	if r.version >= 3 {
		r.family, r.model, r.stepping = raw[0x188], raw[0x189], raw[0x18A]
	}
	return r, nil
}

// signingKey returns SIGNER_INFO's SIGNING_KEY field.
func (r *snpReport) signingKey() uint32 { return (r.signerInfo >> 2) & 7 }

// chipIDMasked reports whether the host asked for CHIP_ID to be zeroed (MASK_CHIP_ID).
func (r *snpReport) chipIDMasked() bool { return r.signerInfo&2 != 0 }

// productLine returns the product line named by the report's CPUID fields (version 3
// and later), or "" when the report does not say or names an unknown CPU.
func (r *snpReport) productLine() string {
	if r.version < 3 {
		return ""
	}
	return snpProductLine(r.family, r.model)
}

// checkFormat checks what go-sev-guest's report parser checks (snp_format.go): the
// version range, the reserved guest-policy bits, SIGNER_INFO and every must-be-zero
// range; and the signature algorithm (ECDSA P-384 with SHA-384 is the only one defined).
func (r *snpReport) checkFormat() error {
	if err := snpFormatError(r.raw); err != nil {
		return fmt.Errorf("%w: %w", ErrSNPReportFormat, err)
	}
	if r.sigAlgo != snpSigAlgoECDSAP384SHA384 {
		return fmt.Errorf("%w: signature algorithm %d, want %d (ECDSA P-384 SHA-384)", ErrSNPReportFormat, r.sigAlgo, snpSigAlgoECDSAP384SHA384)
	}
	return nil
}
