// Package evidence decodes TEE attestation evidence (AMD SEV-SNP reports, Intel TDX
// quotes) from every input form the oracle accepts into one Evidence value with a
// canonical hash. It does no verification: see package appraise.
//
// Input forms (see docs/evidence.md): a raw SEV-SNP report, an SEV-SNP extended
// report (report followed by its certificate table), a raw TDX quote (v4 or v5,
// trailing zero padding tolerated), configfs-tsm report JSON, and the oracle's own
// JSON bundle. Certificates come beside the evidence as DER, PEM (one file may hold
// several) or an SEV-SNP certificate table (the GUID table). Decode takes all of them
// and returns one Evidence; Hash gives the same value for the same evidence whatever
// form it arrived in.
package evidence

import (
	"fmt"
	"strings"

	"github.com/teeoracle/teeoracle/oracle/workload"
)

// TEE names the kind of trusted execution environment that produced evidence. Its
// numeric values are the ones the registry contract uses in a verdict.
type TEE uint8

const (
	// TEEUnknown is the zero value: no evidence type was recognised.
	TEEUnknown TEE = 0
	// TEESEVSNP is an AMD SEV-SNP attestation report.
	TEESEVSNP TEE = 1
	// TEETDX is an Intel TDX quote (version 4 or 5).
	TEETDX TEE = 2
)

// String returns the name used in JSON output and on the command line.
func (t TEE) String() string {
	switch t {
	case TEESEVSNP:
		return "sev-snp"
	case TEETDX:
		return "tdx"
	default:
		return "unknown"
	}
}

// ParseTEE is the inverse of TEE.String for the two known TEEs.
func ParseTEE(s string) (TEE, error) {
	switch s {
	case "sev-snp":
		return TEESEVSNP, nil
	case "tdx":
		return TEETDX, nil
	default:
		return TEEUnknown, fmt.Errorf("tee %q: %w (want \"sev-snp\" or \"tdx\")", s, ErrUnsupported)
	}
}

// ParseTEEName reads a TEE as a person types it: a name TEE.String returns in any
// case, "snp" for sev-snp, or the registry's number ("1", "2"). Decoders use the
// strict ParseTEE.
func ParseTEEName(s string) (TEE, error) {
	switch strings.ToLower(s) {
	case "snp", "1":
		return TEESEVSNP, nil
	case "2":
		return TEETDX, nil
	}
	return ParseTEE(strings.ToLower(s))
}

// Form says in which input form the evidence arrived. It is informational only (for
// logs and the archive); it takes no part in the evidence hash.
type Form uint8

const (
	// FormUnknown is the zero value, e.g. for an Evidence built by hand.
	FormUnknown Form = iota
	// FormRaw is a raw SEV-SNP report or TDX quote.
	FormRaw
	// FormExtendedReport is an SEV-SNP report immediately followed by its certificate
	// table, as /dev/sev-guest's extended report request returns them.
	FormExtendedReport
	// FormConfigFSTSM is configfs-tsm report JSON (outblob, auxblob, provider, ...).
	FormConfigFSTSM
	// FormBundle is the oracle's JSON bundle (see Bundle).
	FormBundle
)

// String names the form in log lines.
func (f Form) String() string {
	switch f {
	case FormRaw:
		return "raw"
	case FormExtendedReport:
		return "extended-report"
	case FormConfigFSTSM:
		return "configfs-tsm"
	case FormBundle:
		return "bundle"
	default:
		return "unknown"
	}
}

// Evidence is one piece of attestation evidence with everything that came with it.
// Raw holds the report or quote exactly as signed (TDX trailing zero padding
// removed); Certificates holds DER certificates supplied beside it (for SEV-SNP the
// VCEK or VLEK and optionally ASK/ASVK and ARK; TDX carries its PCK chain inside the
// quote, so this is usually empty for TDX).
//
// Decode returns Certificates in canonical order (ascending bytewise, no duplicates)
// with Roles[i] the role of Certificates[i]; Hash does not depend on either order or
// roles, so hand-built values hash the same.
type Evidence struct {
	TEE          TEE
	Raw          []byte
	Certificates [][]byte

	// Roles[i] says what Certificates[i] is (VCEK, ASK, ...): from the certificate
	// table's GUID when it came from one, otherwise from the certificate's subject.
	// Nil or shorter than Certificates means unknown; see Evidence.Role.
	Roles []CertRole
	// Collateral holds opaque collateral items that came with a bundle (name to
	// bytes), for the appraiser to use or ignore. Not part of the evidence hash:
	// collateral is hashed item by item in the appraisal.
	Collateral map[string][]byte
	// Form is the input form Raw was decoded from; informational.
	Form Form
	// Provider is configfs-tsm's provider name ("sev_guest", "tdx_guest") when the
	// evidence came as configfs-tsm JSON; informational.
	Provider string

	// EventLog is the TDX guest's event logs (bundle only); nil when none came.
	// Part of the evidence hash.
	EventLog *EventLog
	// Workload is the description of what the VM runs (bundle only); nil when
	// none came. Part of the evidence hash, and it selects the version 2 workload
	// id.
	Workload *workload.Description
}

// Role returns the role of Certificates[i], or RoleUnknown when none was recorded.
func (e *Evidence) Role(i int) CertRole {
	if i < 0 || i >= len(e.Roles) {
		return RoleUnknown
	}
	return e.Roles[i]
}

// Certificate returns the first certificate (DER) with the given role.
func (e *Evidence) Certificate(role CertRole) ([]byte, bool) {
	for i, der := range e.Certificates {
		if e.Role(i) == role {
			return der, true
		}
	}
	return nil, false
}
