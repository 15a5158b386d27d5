package verifier

import (
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// Report is a Result as JSON: the document `teeoracle verify --json` prints and the
// WebAssembly module returns. Its field names are a stable interface (see
// docs/wasm.md and wasm/teeoracle.d.ts).
type Report struct {
	Trusted      bool                     `json:"trusted"`
	TEE          string                   `json:"tee"`
	TCBStatus    string                   `json:"tcb_status"`
	Reasons      []string                 `json:"reasons"`
	Findings     []Finding                `json:"findings"`
	Measurement  hexutil.Bytes            `json:"measurement"`
	WorkloadID   common.Hash              `json:"workload_id"`
	EvidenceHash common.Hash              `json:"evidence_hash"`
	PolicyHash   common.Hash              `json:"policy_hash"`
	PolicyName   string                   `json:"policy_name"`
	VerdictHash  common.Hash              `json:"verdict_hash"`
	Domain       ReportDomain             `json:"domain"`
	AsOf         string                   `json:"as_of"`
	Checks       []appraise.Check         `json:"checks"`
	Collateral   []appraise.CollateralRef `json:"collateral"`
	Verdict      verdict.Verdict          `json:"verdict"`
	Appraisal    *appraise.Appraisal      `json:"appraisal"`
}

// Finding is one reason of the decision with its explanation.
type Finding struct {
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

// ReportDomain is the EIP-712 domain the verdict hash is for.
type ReportDomain struct {
	ChainID  uint64         `json:"chain_id"`
	Registry common.Address `json:"registry"`
}

// Measurement is the launch measurement: SEV-SNP MEASUREMENT or TDX MRTD.
func (r *Result) Measurement() []byte {
	switch {
	case r.Appraisal.SNP != nil:
		return r.Appraisal.SNP.Measurement
	case r.Appraisal.TDX != nil:
		return r.Appraisal.TDX.MRTD
	}
	return nil
}

// Report returns the result's JSON document. Empty lists are [] rather than null, so
// readers in any language can iterate without a check.
func (r *Result) Report() *Report {
	d := r.Decision
	out := &Report{
		Trusted:      d.Trusted,
		TEE:          r.Appraisal.TEE.String(),
		TCBStatus:    r.Appraisal.TCBStatus.String(),
		Reasons:      d.Reasons.Names(),
		Findings:     []Finding{},
		Measurement:  r.Measurement(),
		WorkloadID:   d.Verdict.WorkloadID,
		EvidenceHash: d.Verdict.EvidenceHash,
		PolicyHash:   r.PolicyHash,
		PolicyName:   r.Policy.Name,
		VerdictHash:  r.VerdictHash,
		Domain:       ReportDomain{ChainID: r.Domain.ChainID, Registry: r.Domain.Registry},
		AsOf:         r.At.Format(time.RFC3339),
		Checks:       r.Appraisal.Checks,
		Collateral:   r.Appraisal.Collateral,
		Verdict:      d.Verdict,
		Appraisal:    r.Appraisal,
	}
	for _, f := range d.Findings {
		out.Findings = append(out.Findings, Finding{Reason: f.Reason.String(), Detail: f.Detail})
	}
	if out.Checks == nil {
		out.Checks = []appraise.Check{}
	}
	if out.Collateral == nil {
		out.Collateral = []appraise.CollateralRef{}
	}
	return out
}
