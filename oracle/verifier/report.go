package verifier

import (
	"fmt"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/eventlog"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// Report is a Result as JSON: the document `teeoracle verify --json` prints and the
// WebAssembly module returns. Its field names are a stable interface (see
// docs/wasm.md and wasm/teeoracle.d.ts).
type Report struct {
	Trusted     bool          `json:"trusted"`
	TEE         string        `json:"tee"`
	TCBStatus   string        `json:"tcb_status"`
	Reasons     []string      `json:"reasons"`
	Findings    []Finding     `json:"findings"`
	Measurement hexutil.Bytes `json:"measurement"`
	WorkloadID  common.Hash   `json:"workload_id"`
	// Identity names the workload (images, compose hash, kernel command line);
	// absent for evidence without a workload description or event logs.
	Identity     *Identity                `json:"identity,omitempty"`
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
		Identity:     r.Identity(),
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

// Identity is the workload identity by name, for people: what the version 2
// workload id stands for (the bound workload description) and the measured
// components the event logs name. Nil when the evidence carried neither a
// description nor event logs.
type Identity struct {
	// WorkloadIDVersion is 2 when the workload id names a description, else 1.
	WorkloadIDVersion int           `json:"workload_id_version"`
	Name              string        `json:"name,omitempty"`
	Images            []string      `json:"images,omitempty"`
	ComposeSHA256     hexutil.Bytes `json:"compose_sha256,omitempty"`
	// Binding is how the evidence binds the description (rtmr3_event, host_data);
	// Bound whether it does.
	Binding string `json:"binding,omitempty"`
	Bound   bool   `json:"bound"`
	// KernelCmdlines, Kernels, Initrds and Firmware are the components of those
	// kinds the TDX event log names, with "(unverified)" after those of registers
	// that do not replay.
	KernelCmdlines []string `json:"kernel_cmdlines,omitempty"`
	Kernels        []string `json:"kernels,omitempty"`
	Initrds        []string `json:"initrds,omitempty"`
	Firmware       []string `json:"firmware,omitempty"`
	// RTMRs is each register's replay status (verified, mismatch, unlogged).
	RTMRs []string `json:"rtmrs,omitempty"`
}

// Identity returns the result's workload identity, or nil (see Identity).
func (r *Result) Identity() *Identity {
	a := r.Appraisal
	var el *appraise.EventLogFacts
	if a.TDX != nil {
		el = a.TDX.EventLog
	}
	if a.Workload == nil && el == nil {
		return nil
	}
	id := &Identity{WorkloadIDVersion: 1}
	if w := a.Workload; w != nil {
		id.WorkloadIDVersion, id.Name, id.Images = 2, w.Description.Name, w.Description.Images
		id.ComposeSHA256, id.Binding, id.Bound = w.Description.ComposeSHA256, w.Binding, w.Bound
	}
	if el == nil {
		return id
	}
	for i, reg := range el.Registers {
		id.RTMRs = append(id.RTMRs, fmt.Sprintf("RTMR%d %s", i, reg.Status))
	}
	for _, c := range el.Components {
		v := c.Value
		if v == "" {
			v = fmt.Sprintf("sha384:%x", c.Digest)
		}
		if !c.Verified {
			v += " (unverified)"
		}
		switch c.Kind {
		case eventlog.KindKernelCmdline:
			id.KernelCmdlines = append(id.KernelCmdlines, v)
		case eventlog.KindKernel:
			id.Kernels = append(id.Kernels, v)
		case eventlog.KindInitrd:
			id.Initrds = append(id.Initrds, v)
		case eventlog.KindFirmware:
			id.Firmware = append(id.Firmware, v)
		}
	}
	return id
}

// Lines returns the identity as label and value pairs, one per line of
// `teeoracle verify`'s text output.
func (id *Identity) Lines() [][2]string {
	if id == nil {
		return nil
	}
	var out [][2]string
	add := func(label string, vs ...string) {
		for _, v := range vs {
			out = append(out, [2]string{label, v})
		}
	}
	if id.WorkloadIDVersion == 2 {
		bound := "bound by " + id.Binding
		if !id.Bound {
			bound = "NOT bound (" + id.Binding + " does not match)"
		}
		add("workload", fmt.Sprintf("%q, %s", id.Name, bound))
		add("image", id.Images...)
		if id.ComposeSHA256 != nil {
			add("compose sha256", fmt.Sprintf("%x", []byte(id.ComposeSHA256)))
		}
	}
	add("kernel cmdline", id.KernelCmdlines...)
	add("kernel", id.Kernels...)
	add("initrd", id.Initrds...)
	add("firmware", id.Firmware...)
	if len(id.RTMRs) > 0 {
		add("event log", strings.Join(id.RTMRs, ", "))
	}
	return out
}
