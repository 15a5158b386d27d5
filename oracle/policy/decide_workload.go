package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/eventlog"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// workloadID returns the verdict's workload id: version 1 (docs/verdict-encoding.md)
// for evidence without a workload description, so that every verdict made before
// descriptions existed reproduces bit for bit; version 2 when the evidence
// carries one.
func workloadID(a *appraise.Appraisal) (common.Hash, error) {
	w := a.Workload
	switch {
	case a.SNP != nil && w == nil:
		return verdict.WorkloadIDSNP(a.SNP.Measurement)
	case a.SNP != nil:
		return verdict.WorkloadIDV2SNP(a.SNP.Measurement, [32]byte(w.Digest))
	case a.TDX != nil && w == nil:
		return verdict.WorkloadIDTDX(a.TDX.MRTD, rtmrBytes(a.TDX.RTMR))
	case a.TDX != nil:
		r := a.TDX.RTMR
		return verdict.WorkloadIDV2TDX(a.TDX.MRTD, [3][]byte{r[0], r[1], r[2]}, [32]byte(w.Digest))
	}
	return common.Hash{}, fmt.Errorf("no measurements")
}

// checkWorkloadFacts refuses workload facts no verdict can be made from.
func checkWorkloadFacts(a *appraise.Appraisal) error {
	if w := a.Workload; w != nil && (len(w.Digest) != 32 || w.Description == nil) {
		return fmt.Errorf("%w: workload facts without a description or a 32-byte digest", ErrAppraisal)
	}
	return nil
}

// workload applies the rules on the bound workload description (both TEEs), and
// refuses a description the evidence does not bind.
func (d *decider) workload(a *appraise.Appraisal, r *WorkloadRules) {
	w := a.Workload
	if w != nil && !w.Bound {
		d.add(WorkloadUnbound, "the workload description (digest %x) is not bound by %s", []byte(w.Digest), w.Binding)
	}
	bound := w != nil && w.Bound
	if len(r.AllowedImages) > 0 {
		var bad []string
		if bound {
			for _, dg := range w.Images {
				if !slices.Contains(r.AllowedImages, dg) {
					bad = append(bad, dg)
				}
			}
		}
		switch {
		case !bound || len(w.Images) == 0:
			d.add(ImageNotAllowed, "the policy allows images by digest and no bound workload names any")
		case len(bad) > 0:
			d.add(ImageNotAllowed, "images %v are not allowed", bad)
		}
	}
	if len(r.AllowedComposeHashes) > 0 {
		switch {
		case !bound || w.Description.ComposeSHA256 == nil:
			d.add(ComposeHashNotAllowed, "the policy allows compose hashes and no bound workload names one")
		case !containsHex(r.AllowedComposeHashes, w.Description.ComposeSHA256):
			d.add(ComposeHashNotAllowed, "compose hash %x is not allowed", w.Description.ComposeSHA256)
		}
	}
}

// tdxComponents applies the TDX rules on the event logs' replay and components.
func (d *decider) tdxComponents(f *appraise.TDXFacts, r *TDXRules) {
	if len(r.AllowedMRConfigIDs) > 0 && !containsHex(r.AllowedMRConfigIDs, f.MRConfigID) {
		d.add(MRConfigIDNotAllowed, "MRCONFIGID %x is not allowed", []byte(f.MRConfigID))
	}
	var notReplayed []string
	for _, i := range r.RequireReplayedRTMRs {
		switch {
		case f.EventLog == nil:
			notReplayed = append(notReplayed, fmt.Sprintf("RTMR%d (no event log)", i))
		case f.EventLog.Registers[i].Status != eventlog.Verified:
			notReplayed = append(notReplayed, fmt.Sprintf("RTMR%d (%s)", i, f.EventLog.Registers[i].Status))
		}
	}
	if len(r.AllowedKernelCmdlines) > 0 {
		notReplayed = append(notReplayed, d.kernelCmdlines(f.EventLog, r.AllowedKernelCmdlines)...)
	}
	if len(notReplayed) > 0 {
		d.add(EventLogNotReplayed, "registers do not replay from the event log: %s", strings.Join(notReplayed, ", "))
	}
}

// kernelCmdlines checks the logged kernel command lines against the allowed
// ones; it returns the registers holding a command line that do not replay.
func (d *decider) kernelCmdlines(el *appraise.EventLogFacts, allowed []string) []string {
	var unverified, bad []string
	seen := 0
	if el != nil {
		for _, c := range el.Components {
			if c.Kind != eventlog.KindKernelCmdline {
				continue
			}
			if !c.Verified {
				unverified = append(unverified, fmt.Sprintf("RTMR%d (kernel command line logged, %s)", c.RTMR, el.Registers[c.RTMR].Status))
				continue
			}
			seen++
			if !slices.Contains(allowed, c.Value) {
				bad = append(bad, fmt.Sprintf("%q", c.Value))
			}
		}
	}
	switch {
	case len(bad) > 0:
		d.add(KernelCmdlineNotAllowed, "kernel command lines %s are not allowed", strings.Join(bad, ", "))
	case seen == 0:
		d.add(KernelCmdlineNotAllowed, "no kernel command line is logged in a register that replays")
	}
	return unverified
}
