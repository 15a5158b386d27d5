// Package appraise checks attestation evidence against its vendor's roots and
// collateral and records what it found. An appraisal never decides whether a machine
// is trusted: it lists each check with its outcome and the facts read from the
// evidence; package policy turns an appraisal into a verdict.
package appraise

import (
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// Outcome is the result of one check.
type Outcome string

const (
	// Pass: the check ran and the evidence met it.
	Pass Outcome = "pass"
	// Fail: the check ran and the evidence did not meet it.
	Fail Outcome = "fail"
	// Skip: the check could not run (for example, collateral was not supplied).
	Skip Outcome = "skip"
)

// Check is one named check and what came of it. Names are stable identifiers
// (for example "snp.signature", "tdx.pck_chain", "tdx.tcb_info.signature") that
// policies and tests refer to; Detail says, for people, what was found.
type Check struct {
	Name    string  `json:"name"`
	Outcome Outcome `json:"outcome"`
	Detail  string  `json:"detail,omitempty"`
}

// TCBStatus is the TCB status of the platform, as Intel names them; SEV-SNP
// appraisals use UpToDate when the reported TCB equals the TCB the VCEK or VLEK
// certifies and OutOfDate when it is lower. Numeric values are the registry's.
type TCBStatus uint8

const (
	TCBUnknown                           TCBStatus = 0
	TCBUpToDate                          TCBStatus = 1
	TCBSWHardeningNeeded                 TCBStatus = 2
	TCBConfigurationNeeded               TCBStatus = 3
	TCBConfigurationAndSWHardeningNeeded TCBStatus = 4
	TCBOutOfDate                         TCBStatus = 5
	TCBOutOfDateConfigurationNeeded      TCBStatus = 6
	TCBRevoked                           TCBStatus = 7
)

var tcbStatusNames = [...]string{"Unknown", "UpToDate", "SWHardeningNeeded", "ConfigurationNeeded",
	"ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded", "Revoked"}

// String returns Intel's name for the status.
func (s TCBStatus) String() string {
	if int(s) < len(tcbStatusNames) {
		return tcbStatusNames[s]
	}
	return "Unknown"
}

// CollateralRef names one collateral item that the appraisal used: a certificate,
// CRL, TCB Info or QE Identity, by the SHA-256 of its bytes.
type CollateralRef struct {
	Kind       string        `json:"kind"` // e.g. "ark", "ask", "vcek", "crl", "tcb_info", "qe_identity", "pck_crl", "root_crl"
	Hash       hexutil.Bytes `json:"hash"`
	NextUpdate *time.Time    `json:"next_update,omitempty"`
	// IssuedAt is when the item was issued (a CRL's thisUpdate, TCB Info's or QE
	// Identity's issueDate). Policies with a maximum collateral age measure it from
	// here; an item with a NextUpdate but no IssuedAt fails such a policy.
	IssuedAt *time.Time `json:"issued_at,omitempty"`
}

// Appraisal is everything an appraiser checked and found for one piece of evidence,
// as of one point in time.
type Appraisal struct {
	TEE          evidence.TEE    `json:"-"`
	EvidenceHash hexutil.Bytes   `json:"evidence_hash"`
	AsOf         time.Time       `json:"as_of"`
	Checks       []Check         `json:"checks"`
	Collateral   []CollateralRef `json:"collateral"`

	// Authentic is true when every signature, certificate chain, CRL and collateral
	// validity check passed: the evidence comes from genuine hardware.
	Authentic bool `json:"authentic"`
	// CollateralFault is true when the appraisal is not authentic for the collateral
	// alone: every authenticity check that failed failed for the collateral it was
	// served (a TCB Info, QE Identity or CRL whose signature, issuer chain, format or
	// validity fails, a certificate AMD KDS or Intel PCS served that does not verify)
	// or for the trusted roots, none for the evidence's own report or quote, its
	// signatures, certificates or QE report, or a revocation of its certificates.
	// Such evidence may well be genuine: the node does not count its failure against
	// the machine. False when Authentic. Not part of the appraisal's JSON.
	CollateralFault bool `json:"-"`

	TCBStatus           TCBStatus  `json:"tcb_status"`
	AdvisoryIDs         []string   `json:"advisory_ids,omitempty"`
	TCBDate             *time.Time `json:"tcb_date,omitempty"`
	TCBEvaluationNumber uint32     `json:"tcb_evaluation_number,omitempty"`
	// CompactTCB is the 64-bit TCB value the verdict carries: for SEV-SNP the reported
	// TCB_VERSION; for TDX see docs/verdict-encoding.md.
	CompactTCB uint64 `json:"compact_tcb"`

	ReportData hexutil.Bytes `json:"report_data"`
	// Debug is true when the guest can be debugged by its host (SEV-SNP guest policy
	// bit 19, TDX TD attribute bit 0).
	Debug bool `json:"debug"`

	SNP *SNPFacts `json:"snp,omitempty"`
	TDX *TDXFacts `json:"tdx,omitempty"`

	// Workload is the workload description the evidence carried and whether it is
	// bound (nil when it carried none).
	Workload *WorkloadFacts `json:"workload,omitempty"`
}

// SNPFacts are the facts read from an SEV-SNP report and its signing certificate.
type SNPFacts struct {
	Version        uint32        `json:"version"`
	ProductLine    string        `json:"product_line"` // "Milan", "Genoa", "Turin"
	SigningKey     string        `json:"signing_key"`  // "vcek" or "vlek"
	Measurement    hexutil.Bytes `json:"measurement"`
	HostData       hexutil.Bytes `json:"host_data"`
	ChipID         hexutil.Bytes `json:"chip_id"`
	GuestPolicy    uint64        `json:"guest_policy"`
	MigrationAgent bool          `json:"migration_agent"`
	SMT            bool          `json:"smt"`
	VMPL           uint32        `json:"vmpl"`
	ReportedTCB    uint64        `json:"reported_tcb"`
	CommittedTCB   uint64        `json:"committed_tcb"`
	LaunchTCB      uint64        `json:"launch_tcb"`
	CurrentTCB     uint64        `json:"current_tcb"`
	// CertifiedTCB is the TCB the VCEK or VLEK certificate's extensions name.
	CertifiedTCB uint64 `json:"certified_tcb"`
}

// TDXFacts are the facts read from a TDX quote and its collateral.
type TDXFacts struct {
	QuoteVersion  uint16           `json:"quote_version"`
	BodyType      uint16           `json:"body_type"` // 2: TDX 1.0 report body, 3: TDX 1.5
	FMSPC         string           `json:"fmspc"`
	MRTD          hexutil.Bytes    `json:"mrtd"`
	RTMR          [4]hexutil.Bytes `json:"rtmr"`
	MRSEAM        hexutil.Bytes    `json:"mrseam"`
	MRConfigID    hexutil.Bytes    `json:"mrconfigid"`
	MROwner       hexutil.Bytes    `json:"mrowner"`
	MROwnerConfig hexutil.Bytes    `json:"mrownerconfig"`
	TDAttributes  hexutil.Bytes    `json:"td_attributes"`
	XFAM          hexutil.Bytes    `json:"xfam"`
	TEETCBSVN     hexutil.Bytes    `json:"tee_tcb_svn"`
	PCESVN        uint16           `json:"pce_svn"`
	// QETCBStatus is the QE Identity's TCB status for the quoting enclave.
	QETCBStatus TCBStatus `json:"qe_tcb_status"`
	// EventLog is the replay of the event logs sent with the quote (nil when none).
	EventLog *EventLogFacts `json:"event_log,omitempty"`
}
