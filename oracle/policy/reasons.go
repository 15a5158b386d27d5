package policy

import (
	"fmt"
	"math/bits"
	"strings"
)

// Reason is one reason code: a single bit of the verdict's reasons field. The bit
// positions are part of the on-chain encoding and never change meaning; new reasons
// take new bits.
type Reason uint64

// Reason codes. All but the remarks make a verdict untrusted.
const (
	// NotAuthentic: a signature, certificate chain, CRL or collateral validity check
	// failed, or collateral was missing (appraise.Appraisal.Authentic is false).
	NotAuthentic Reason = 1 << 0
	// Debug: the guest is debuggable by its host (SNP guest policy bit 19, TDX TD
	// attribute bit 0) and the policy does not allow debug.
	Debug Reason = 1 << 1
	// MeasurementNotAllowed: the policy lists allowed measurements or workload ids
	// and the evidence matches none.
	MeasurementNotAllowed Reason = 1 << 2
	// TCBBelowMinimum: an SNP TCB component is below the policy's minimum.
	TCBBelowMinimum Reason = 1 << 3
	// TCBStatusNotAccepted: the TDX TCB status is not among the accepted statuses
	// (and no grace period covers it).
	TCBStatusNotAccepted Reason = 1 << 4
	// CollateralTooOld: a collateral item was issued longer ago than the policy's
	// maximum collateral age, or its issue date is unknown.
	CollateralTooOld Reason = 1 << 5
	// ReportDataMismatch: the report data differs from the expected report data or
	// from the binding of the given inputs.
	ReportDataMismatch Reason = 1 << 6
	// ReportDataUnbound: the policy requires a report-data binding and neither the
	// binding inputs nor the expected report data were given.
	ReportDataUnbound Reason = 1 << 7
	// TEENotAllowed: the policy has no rules for this kind of TEE.
	TEENotAllowed Reason = 1 << 8
	// TCBNotCertified: the SNP reported TCB differs from the TCB its VCEK or VLEK
	// certifies.
	TCBNotCertified Reason = 1 << 9
	// MigrationAgent: the SNP guest policy allows a migration agent and the policy
	// does not.
	MigrationAgent Reason = 1 << 10
	// SMT: the SNP guest policy allows SMT and the policy forbids it.
	SMT Reason = 1 << 11
	// MRSEAMNotAllowed: the TDX module's measurement is not among the allowed ones.
	MRSEAMNotAllowed Reason = 1 << 12
	// TDAttributesNotAllowed: the TD attributes fail the policy's mask rule.
	TDAttributesNotAllowed Reason = 1 << 13
	// XFAMNotAllowed: XFAM fails the policy's mask rule.
	XFAMNotAllowed Reason = 1 << 14
	// TCBEvaluationTooOld: the TDX TCB evaluation data number is below the minimum.
	TCBEvaluationTooOld Reason = 1 << 15
	// QETCBStatusNotAccepted: the TDX quoting enclave's TCB status is not accepted.
	QETCBStatusNotAccepted Reason = 1 << 16
	// AdvisoryForbidden: the TCB level carries an advisory the policy forbids.
	AdvisoryForbidden Reason = 1 << 17
	// HostDataNotAllowed: the SNP host data is not among the allowed values.
	HostDataNotAllowed Reason = 1 << 18
	// SigningKeyNotAllowed: the SNP report is signed by a key type (VCEK, VLEK) the
	// policy does not accept.
	SigningKeyNotAllowed Reason = 1 << 19
	// EventLogNotReplayed: a TDX register the policy requires (or one a component
	// rule reads) does not replay from the event logs sent with the quote, or no
	// log came.
	EventLogNotReplayed Reason = 1 << 20
	// KernelCmdlineNotAllowed: no kernel command line in a replayed register, or
	// one that is not among the allowed ones.
	KernelCmdlineNotAllowed Reason = 1 << 21
	// ImageNotAllowed: the bound workload names an image whose digest is not
	// allowed, or no bound workload names images.
	ImageNotAllowed Reason = 1 << 22
	// ComposeHashNotAllowed: the bound workload's compose file hash is not
	// allowed, or there is none.
	ComposeHashNotAllowed Reason = 1 << 23
	// MRConfigIDNotAllowed: the TD's MRCONFIGID is not among the allowed ones.
	MRConfigIDNotAllowed Reason = 1 << 24
	// WorkloadUnbound: the evidence carries a workload description that it does
	// not bind (no matching RTMR3 event in a replayed RTMR3, or HOST_DATA not its
	// digest). Whatever the policy: the workload id would name it.
	WorkloadUnbound Reason = 1 << 25

	// OutOfDateInGrace is a remark, not a failure: the TDX TCB is OutOfDate but
	// within the policy's grace period from its TCB date.
	OutOfDateInGrace Reason = 1 << 32
)

// Remarks is the set of reasons that do not make a verdict untrusted: bits 32..63.
const Remarks Reason = 0xffffffff_00000000

// name returns the name of a single-bit reason. A switch rather than a map: no
// package state, and the compiler rejects a duplicate case.
func (r Reason) name() (string, bool) {
	switch r {
	case NotAuthentic:
		return "not_authentic", true
	case Debug:
		return "debug", true
	case MeasurementNotAllowed:
		return "measurement_not_allowed", true
	case TCBBelowMinimum:
		return "tcb_below_minimum", true
	case TCBStatusNotAccepted:
		return "tcb_status_not_accepted", true
	case CollateralTooOld:
		return "collateral_too_old", true
	case ReportDataMismatch:
		return "report_data_mismatch", true
	case ReportDataUnbound:
		return "report_data_unbound", true
	case TEENotAllowed:
		return "tee_not_allowed", true
	case TCBNotCertified:
		return "tcb_not_certified", true
	case MigrationAgent:
		return "migration_agent", true
	case SMT:
		return "smt", true
	case MRSEAMNotAllowed:
		return "mrseam_not_allowed", true
	case TDAttributesNotAllowed:
		return "td_attributes_not_allowed", true
	case XFAMNotAllowed:
		return "xfam_not_allowed", true
	case TCBEvaluationTooOld:
		return "tcb_evaluation_too_old", true
	case QETCBStatusNotAccepted:
		return "qe_tcb_status_not_accepted", true
	case AdvisoryForbidden:
		return "advisory_forbidden", true
	case HostDataNotAllowed:
		return "host_data_not_allowed", true
	case SigningKeyNotAllowed:
		return "signing_key_not_allowed", true
	case EventLogNotReplayed:
		return "event_log_not_replayed", true
	case KernelCmdlineNotAllowed:
		return "kernel_cmdline_not_allowed", true
	case ImageNotAllowed:
		return "image_not_allowed", true
	case ComposeHashNotAllowed:
		return "compose_hash_not_allowed", true
	case MRConfigIDNotAllowed:
		return "mrconfigid_not_allowed", true
	case WorkloadUnbound:
		return "workload_unbound", true
	case OutOfDateInGrace:
		return "out_of_date_in_grace", true
	}
	return "", false
}

// AllReasons returns every defined reason, lowest bit first.
func AllReasons() []Reason {
	var out []Reason
	for i := range 64 {
		if _, ok := (Reason(1) << i).name(); ok {
			out = append(out, Reason(1)<<i)
		}
	}
	return out
}

// Names returns the name of every bit set in r, lowest bit first; an undefined bit
// is named "bit_N".
func (r Reason) Names() []string {
	out := []string{}
	for x := uint64(r); x != 0; x &= x - 1 {
		bit := Reason(1) << bits.TrailingZeros64(x)
		name, ok := bit.name()
		if !ok {
			name = fmt.Sprintf("bit_%d", bits.TrailingZeros64(x))
		}
		out = append(out, name)
	}
	return out
}

// String joins Names with commas, or returns "none".
func (r Reason) String() string {
	if r == 0 {
		return "none"
	}
	return strings.Join(r.Names(), ",")
}

// Text is Names for people: joined with ", ", or "none".
func (r Reason) Text() string {
	if r == 0 {
		return "none"
	}
	return strings.Join(r.Names(), ", ")
}

// Failures returns the reasons in r that make a verdict untrusted.
func (r Reason) Failures() Reason { return r &^ Remarks }

// ParseReason returns the reason with the given name.
func ParseReason(name string) (Reason, bool) {
	for _, r := range AllReasons() {
		if n, _ := r.name(); n == name {
			return r, true
		}
	}
	return 0, false
}
