package policy

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// ErrAppraisal is returned (wrapped) when an appraisal is incomplete or
// inconsistent, so that no verdict can be made from it (as opposed to evidence that
// fails a rule, which gives an untrusted verdict).
var ErrAppraisal = errors.New("unusable appraisal")

// ErrInputs is returned (wrapped) when the decision inputs are inconsistent.
var ErrInputs = errors.New("invalid decision inputs")

// Inputs are what a decision needs beside the appraisal and the policy: the
// on-chain identity the verdict is for and, optionally, what the report data must
// commit to.
type Inputs struct {
	// AsOf is the decision time. Zero means the appraisal's time; otherwise it must
	// equal the appraisal's time, because the appraisal's validity checks were made
	// at that time and the two must not disagree.
	AsOf time.Time
	// ChainID and Registry are the binding's chain and registry.
	ChainID  uint64
	Registry common.Address
	// MachineID, TEEKey and the anchor block go into the verdict as they are.
	MachineID         common.Hash
	TEEKey            common.Address
	AnchorBlockNumber uint64
	AnchorBlockHash   common.Hash
	// Bind says that the fields above are the binding inputs: the report data must
	// equal verdict.Binding{...}.ReportData(). Without it they are not checked.
	Bind bool
	// ExpectedReportData, when non-nil, is 64 bytes the report data must equal.
	ExpectedReportData []byte
	// PolicyHash, when not zero, is the policy's hash (Policy.Hash, LoadHashed) as
	// the caller computed it once for many decisions under one policy (the node);
	// zero means Decide hashes the policy.
	PolicyHash common.Hash
}

// Binding returns the report-data binding of the inputs.
func (in Inputs) Binding() verdict.Binding {
	return verdict.Binding{ChainID: in.ChainID, Registry: in.Registry, MachineID: in.MachineID,
		TEEKey: in.TEEKey, AnchorBlockNumber: in.AnchorBlockNumber, AnchorBlockHash: in.AnchorBlockHash}
}

// Finding is one reason with what was found, for people.
type Finding struct {
	Reason Reason `json:"reason"`
	Detail string `json:"detail"`
}

// Decision is the result of applying a policy to an appraisal.
type Decision struct {
	Verdict verdict.Verdict
	// Trusted is Verdict.Status == StatusTrusted.
	Trusted bool
	// Reasons is Verdict.Reasons as a Reason set.
	Reasons Reason
	// Findings explain each reason, in the order the rules ran.
	Findings []Finding
}

// SNPDebugBit is bit 19 of the SEV-SNP guest policy: debugging allowed.
const SNPDebugBit = 1 << 19

// Decide applies policy p to appraisal a. It returns an error only when no verdict
// can be made (ErrAppraisal, ErrInputs); evidence that breaks a rule gives an
// untrusted verdict whose reasons name every rule broken. The result depends only on
// its arguments.
func Decide(a *appraise.Appraisal, p *Policy, in Inputs) (*Decision, error) {
	if err := checkDecideInputs(a, p, in); err != nil {
		return nil, err
	}
	policyHash := in.PolicyHash
	if policyHash == (common.Hash{}) {
		var err error
		if policyHash, err = p.Hash(); err != nil {
			return nil, err
		}
	}
	d := &decider{asOf: a.AsOf}
	workload, err := d.measurements(a, p)
	if err != nil {
		return nil, err
	}
	if !a.Authentic {
		// First in the findings: it makes every other fact suspect.
		d.findings = append([]Finding{{NotAuthentic, failedChecks(a.Checks)}}, d.findings...)
		d.reasons |= NotAuthentic
	}
	d.collateral(a, p.MaxCollateralAgeSeconds)
	d.reportData(a.ReportData, p.ReportData, in)
	return d.decision(a, p, in, policyHash, workload), nil
}

// checkDecideInputs refuses an appraisal or inputs no verdict can be made from.
func checkDecideInputs(a *appraise.Appraisal, p *Policy, in Inputs) error {
	if a == nil || p == nil {
		return fmt.Errorf("%w: nil appraisal or policy", ErrInputs)
	}
	asOf := a.AsOf
	switch {
	case asOf.IsZero():
		return fmt.Errorf("%w: appraisal has no as-of time", ErrAppraisal)
	case !in.AsOf.IsZero() && !in.AsOf.Equal(asOf):
		return fmt.Errorf("%w: decision time %s differs from appraisal time %s",
			ErrInputs, in.AsOf.UTC().Format(time.RFC3339), asOf.UTC().Format(time.RFC3339))
	case asOf.Unix() < 0:
		return fmt.Errorf("%w: as-of time %s is before 1970", ErrAppraisal, asOf.UTC().Format(time.RFC3339))
	case in.ExpectedReportData != nil && len(in.ExpectedReportData) != 64:
		return fmt.Errorf("%w: expected report data has %d bytes, want 64", ErrInputs, len(in.ExpectedReportData))
	case len(a.EvidenceHash) != 32:
		return fmt.Errorf("%w: evidence hash has %d bytes, want 32", ErrAppraisal, len(a.EvidenceHash))
	case len(a.ReportData) != 64:
		return fmt.Errorf("%w: report data has %d bytes, want 64", ErrAppraisal, len(a.ReportData))
	}
	return nil
}

// measurements applies the policy's section for the appraisal's TEE and returns
// the workload id.
func (d *decider) measurements(a *appraise.Appraisal, p *Policy) (common.Hash, error) {
	switch {
	case a.TEE == evidence.TEESEVSNP && a.SNP == nil:
		return common.Hash{}, fmt.Errorf("%w: sev-snp appraisal without snp facts", ErrAppraisal)
	case a.TEE == evidence.TEETDX && a.TDX == nil:
		return common.Hash{}, fmt.Errorf("%w: tdx appraisal without tdx facts", ErrAppraisal)
	case a.TEE != evidence.TEESEVSNP && a.TEE != evidence.TEETDX:
		return common.Hash{}, fmt.Errorf("%w: unknown tee %d", ErrAppraisal, a.TEE)
	}
	if err := checkWorkloadFacts(a); err != nil {
		return common.Hash{}, err
	}
	workload, err := workloadID(a)
	if err != nil {
		return workload, fmt.Errorf("%w: %w", ErrAppraisal, err)
	}
	switch {
	case a.TEE == evidence.TEESEVSNP && p.SNP == nil:
		d.add(TEENotAllowed, "the policy has no snp section")
		d.workload(a, &WorkloadRules{})
	case a.TEE == evidence.TEESEVSNP:
		d.snp(a, p.SNP, workload)
		d.workload(a, &p.SNP.WorkloadRules)
	case p.TDX == nil:
		d.add(TEENotAllowed, "the policy has no tdx section")
		d.workload(a, &WorkloadRules{})
	default:
		d.tdx(a, p.TDX, workload)
		d.tdxComponents(a.TDX, p.TDX)
		d.workload(a, &p.TDX.WorkloadRules)
	}
	return workload, nil
}

// decision assembles the verdict from the facts and the reasons found.
func (d *decider) decision(a *appraise.Appraisal, p *Policy, in Inputs, policyHash, workload common.Hash) *Decision {
	status := verdict.StatusTrusted
	if d.reasons.Failures() != 0 {
		status = verdict.StatusUntrusted
	}
	issued := uint64(a.AsOf.Unix())
	return &Decision{
		Verdict: verdict.Verdict{
			MachineID:         in.MachineID,
			TEE:               uint8(a.TEE),
			Status:            status,
			TEEKey:            in.TEEKey,
			WorkloadID:        workload,
			TCBStatus:         uint8(a.TCBStatus),
			TCB:               a.CompactTCB,
			PolicyHash:        policyHash,
			EvidenceHash:      common.BytesToHash(a.EvidenceHash),
			AnchorBlockNumber: in.AnchorBlockNumber,
			AnchorBlockHash:   in.AnchorBlockHash,
			IssuedAt:          issued,
			ExpiresAt:         issued + p.ValiditySeconds,
			Reasons:           uint64(d.reasons),
		},
		Trusted:  status == verdict.StatusTrusted,
		Reasons:  d.reasons,
		Findings: d.findings,
	}
}

func rtmrBytes(r [4]hexutil.Bytes) [4][]byte {
	var out [4][]byte
	for i := range r {
		out[i] = r[i]
	}
	return out
}

// decider accumulates reasons and findings.
type decider struct {
	asOf     time.Time
	reasons  Reason
	findings []Finding
}

func (d *decider) add(r Reason, format string, args ...any) {
	d.reasons |= r
	d.findings = append(d.findings, Finding{Reason: r, Detail: fmt.Sprintf(format, args...)})
}

func failedChecks(checks []appraise.Check) string {
	var failed []string
	for _, c := range checks {
		if c.Outcome != appraise.Pass {
			failed = append(failed, fmt.Sprintf("%s: %s", c.Name, c.Outcome))
		}
	}
	if len(failed) == 0 {
		return "the appraisal marks the evidence not authentic"
	}
	return fmt.Sprintf("checks not passed: %v", failed)
}

func containsHex(set []Hex, b []byte) bool {
	return slices.ContainsFunc(set, func(h Hex) bool { return bytes.Equal(h, b) })
}

func measurementAllowed(meas []byte, workload common.Hash, ms, ws []Hex) bool {
	if len(ms) == 0 && len(ws) == 0 {
		return true
	}
	return containsHex(ms, meas) || containsHex(ws, workload[:])
}

func (d *decider) snp(a *appraise.Appraisal, r *SNPRules, workload common.Hash) {
	f := a.SNP
	// Debug from either source: the appraiser's flag or the policy bit itself, so that
	// an appraiser bug cannot let a debuggable guest through.
	if (a.Debug || f.GuestPolicy&SNPDebugBit != 0) && !r.AllowDebug {
		d.add(Debug, "guest policy %#x allows debugging", f.GuestPolicy)
	}
	if !measurementAllowed(f.Measurement, workload, r.AllowedMeasurements, r.AllowedWorkloadIDs) {
		d.add(MeasurementNotAllowed, "measurement %x (workload id %s) is not allowed", []byte(f.Measurement), workload)
	}
	if len(r.AllowedHostData) > 0 && !containsHex(r.AllowedHostData, f.HostData) {
		d.add(HostDataNotAllowed, "host data %x is not allowed", []byte(f.HostData))
	}
	if len(r.AllowedSigningKeys) > 0 && !slices.Contains(r.AllowedSigningKeys, f.SigningKey) {
		d.add(SigningKeyNotAllowed, "signing key %q is not among %v", f.SigningKey, r.AllowedSigningKeys)
	}
	if !r.AllowUncertifiedTCB && f.ReportedTCB != f.CertifiedTCB {
		d.add(TCBNotCertified, "reported TCB %#016x differs from certified TCB %#016x", f.ReportedTCB, f.CertifiedTCB)
	}
	got, which := snpTCBParts(f.ProductLine, f.ReportedTCB), "reported"
	if r.AllowUncertifiedTCB {
		// The VCEK or VLEK vouches only for the TCB it certifies: firmware of that
		// TCB signs the report, and if that TCB is a vulnerable one the reported TCB
		// is its word alone. The minimum applies to what both say.
		got, which = snpTCBMin(got, snpTCBParts(f.ProductLine, f.CertifiedTCB)), "reported and certified"
	}
	var low []string
	check := func(name string, have, min uint8) {
		if have < min {
			low = append(low, fmt.Sprintf("%s %d < %d", name, have, min))
		}
	}
	check("bootloader", got.Bootloader, r.MinTCB.Bootloader)
	check("tee", got.TEE, r.MinTCB.TEE)
	check("snp", got.SNP, r.MinTCB.SNP)
	check("microcode", got.Microcode, r.MinTCB.Microcode)
	if snpHasFMC(f.ProductLine) {
		check("fmc", got.FMC, r.MinTCB.FMC)
	}
	if len(low) > 0 {
		d.add(TCBBelowMinimum, "%s TCB below minimum: %v", which, low)
	}
	if f.MigrationAgent && !r.AllowMigrationAgent {
		d.add(MigrationAgent, "guest policy %#x allows a migration agent", f.GuestPolicy)
	}
	if f.SMT && r.ForbidSMT {
		d.add(SMT, "guest policy %#x allows SMT", f.GuestPolicy)
	}
}

// snpTCBMin is the lower of a and b, component by component.
func snpTCBMin(a, b SNPTCB) SNPTCB {
	return SNPTCB{FMC: min(a.FMC, b.FMC), Bootloader: min(a.Bootloader, b.Bootloader), TEE: min(a.TEE, b.TEE),
		SNP: min(a.SNP, b.SNP), Microcode: min(a.Microcode, b.Microcode)}
}

// snpHasFMC reports whether a product line's TCB_VERSION has an FMC byte (Turin).
func snpHasFMC(productLine string) bool { return productLine == "Turin" }

// snpTCBParts splits a TCB_VERSION by its product line's layout: Milan and Genoa put
// BOOTLOADER, TEE in bytes 0..1, SNP in byte 6, MICROCODE in byte 7; Turin puts FMC,
// BOOTLOADER, TEE, SNP in bytes 0..3 and MICROCODE in byte 7.
func snpTCBParts(productLine string, v uint64) SNPTCB {
	b := func(i uint) uint8 { return uint8(v >> (8 * i)) }
	if snpHasFMC(productLine) {
		return SNPTCB{FMC: b(0), Bootloader: b(1), TEE: b(2), SNP: b(3), Microcode: b(7)}
	}
	return SNPTCB{Bootloader: b(0), TEE: b(1), SNP: b(6), Microcode: b(7)}
}

func (d *decider) tdx(a *appraise.Appraisal, r *TDXRules, workload common.Hash) {
	f := a.TDX
	tdDebug := len(f.TDAttributes) > 0 && f.TDAttributes[0]&1 != 0
	// go-tdx-guest's validate accepts debug TDs; this rule is what keeps them out.
	if (a.Debug || tdDebug) && !r.AllowDebug {
		d.add(Debug, "TD attributes %x allow debugging", []byte(f.TDAttributes))
	}
	if !measurementAllowed(f.MRTD, workload, r.AllowedMeasurements, r.AllowedWorkloadIDs) {
		d.add(MeasurementNotAllowed, "MRTD %x (workload id %s) is not allowed", []byte(f.MRTD), workload)
	}
	if len(r.AllowedMRSEAM) > 0 && !containsHex(r.AllowedMRSEAM, f.MRSEAM) {
		d.add(MRSEAMNotAllowed, "MRSEAM %x is not allowed", []byte(f.MRSEAM))
	}
	if m := r.TDAttributes; m != nil && !maskMatches(f.TDAttributes, m) {
		d.add(TDAttributesNotAllowed, "TD attributes %x & %x != %x", []byte(f.TDAttributes), []byte(m.Mask), []byte(m.Value))
	}
	if m := r.XFAM; m != nil && !maskMatches(f.XFAM, m) {
		d.add(XFAMNotAllowed, "XFAM %x & %x != %x", []byte(f.XFAM), []byte(m.Mask), []byte(m.Value))
	}
	accepted := func(s appraise.TCBStatus) bool { return slices.Contains(r.AcceptedTCBStatuses, s.String()) }
	switch st := a.TCBStatus; {
	case accepted(st) && st != appraise.TCBUnknown && st != appraise.TCBRevoked:
	case r.OutOfDateGraceSeconds > 0 && (st == appraise.TCBOutOfDate ||
		(st == appraise.TCBOutOfDateConfigurationNeeded && accepted(appraise.TCBConfigurationNeeded))):
		grace := time.Duration(r.OutOfDateGraceSeconds) * time.Second
		if a.TCBDate != nil && d.asOf.Before(a.TCBDate.Add(grace)) {
			d.add(OutOfDateInGrace, "TCB status %s, within %s of TCB date %s", st, grace, a.TCBDate.UTC().Format(time.RFC3339))
		} else {
			d.add(TCBStatusNotAccepted, "TCB status %s, grace period %s from TCB date %s is over", st, grace, fmtTime(a.TCBDate))
		}
	default:
		d.add(TCBStatusNotAccepted, "TCB status %s is not among %v", st, r.AcceptedTCBStatuses)
	}
	// The quoting enclave's own TCB status must be acceptable too, as in Intel's
	// quote verification library; Unknown means the appraiser could not tell.
	if qe := f.QETCBStatus; !accepted(qe) || qe == appraise.TCBUnknown || qe == appraise.TCBRevoked {
		d.add(QETCBStatusNotAccepted, "quoting enclave TCB status %s is not among %v", qe, r.AcceptedTCBStatuses)
	}
	if a.TCBEvaluationNumber < r.MinTCBEvaluationNumber {
		d.add(TCBEvaluationTooOld, "TCB evaluation data number %d < %d", a.TCBEvaluationNumber, r.MinTCBEvaluationNumber)
	}
	var forbidden []string
	for _, id := range a.AdvisoryIDs {
		if slices.Contains(r.ForbiddenAdvisoryIDs, id) {
			forbidden = append(forbidden, id)
		}
	}
	if len(forbidden) > 0 {
		d.add(AdvisoryForbidden, "TCB level carries forbidden advisories %v", forbidden)
	}
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "(unknown)"
	}
	return t.UTC().Format(time.RFC3339)
}

func maskMatches(v []byte, m *MaskRule) bool {
	if len(v) != len(m.Mask) {
		return false
	}
	for i := range v {
		if v[i]&m.Mask[i] != m.Value[i] {
			return false
		}
	}
	return true
}

func (d *decider) collateral(a *appraise.Appraisal, maxAgeSeconds uint64) {
	if maxAgeSeconds == 0 {
		return
	}
	maxAge := time.Duration(maxAgeSeconds) * time.Second
	for _, c := range a.Collateral {
		if c.NextUpdate == nil {
			continue // certificates: long-lived, their validity is the appraisal's business
		}
		switch {
		case c.IssuedAt == nil:
			d.add(CollateralTooOld, "%s %x has no issue date", c.Kind, []byte(c.Hash))
		case d.asOf.Sub(*c.IssuedAt) > maxAge:
			d.add(CollateralTooOld, "%s %x issued %s, more than %s before %s", c.Kind, []byte(c.Hash),
				c.IssuedAt.UTC().Format(time.RFC3339), maxAge, d.asOf.UTC().Format(time.RFC3339))
		}
	}
}

func (d *decider) reportData(got []byte, r ReportDataRule, in Inputs) {
	checked := false
	expect := func(source string, want []byte) {
		checked = true
		if !bytes.Equal(got, want) {
			d.add(ReportDataMismatch, "report data %x, %s wants %x", got, source, want)
		}
	}
	if r.Expected != nil {
		expect("the policy", r.Expected)
	}
	if in.ExpectedReportData != nil {
		expect("the expected report data", in.ExpectedReportData)
	}
	if in.Bind {
		rd := in.Binding().ReportData()
		expect("the binding", rd[:])
	}
	if !checked && r.RequireBinding {
		d.add(ReportDataUnbound, "the policy requires a report-data binding and no binding inputs were given")
	}
}
