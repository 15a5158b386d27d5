package verifier

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// WriteText writes r as `teeoracle verify` prints it for people: the verdict of
// the evidence named name, the facts it rests on, the policy's findings and the
// appraisal's checks.
func (r *Result) WriteText(w io.Writer, name string) error {
	d, a := r.Decision, r.Appraisal
	verdictWord := "TRUSTED"
	if !d.Trusted {
		verdictWord = "NOT TRUSTED"
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\n", name, verdictWord)
	kind := a.TEE.String()
	if a.SNP != nil {
		kind = fmt.Sprintf("sev-snp %s, report v%d, %s-signed", a.SNP.ProductLine, a.SNP.Version, a.SNP.SigningKey)
	} else if a.TDX != nil {
		kind = fmt.Sprintf("tdx quote v%d, FMSPC %s", a.TDX.QuoteVersion, a.TDX.FMSPC)
	}
	fmt.Fprintf(tw, "  tee\t%s\n", kind)
	fmt.Fprintf(tw, "  as of\t%s\n", r.At.Format(time.RFC3339))
	fmt.Fprintf(tw, "  authentic\t%v\n", a.Authentic)
	fmt.Fprintf(tw, "  tcb status\t%s (compact tcb %#x)\n", a.TCBStatus, a.CompactTCB)
	fmt.Fprintf(tw, "  measurement\t%x\n", r.Measurement())
	fmt.Fprintf(tw, "  workload id\t%s\n", d.Verdict.WorkloadID)
	for _, l := range r.Identity().Lines() {
		fmt.Fprintf(tw, "  %s\t%s\n", l[0], l[1])
	}
	fmt.Fprintf(tw, "  policy\t%s %s\n", r.Policy.Name, r.PolicyHash)
	fmt.Fprintf(tw, "  evidence hash\t%s\n", d.Verdict.EvidenceHash)
	fmt.Fprintf(tw, "  verdict hash\t%s (chain %d, registry %s)\n", r.VerdictHash, r.Domain.ChainID, r.Domain.Registry)
	fmt.Fprintf(tw, "  valid\t%s to %s\n", verdict.FormatTime(d.Verdict.IssuedAt), verdict.FormatTime(d.Verdict.ExpiresAt))
	fmt.Fprintf(tw, "  reasons\t%s\n", d.Reasons.Text())
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	for _, f := range d.Findings {
		fmt.Fprintf(w, "    %s: %s\n", f.Reason, f.Detail)
	}
	fmt.Fprintln(w, "  checks")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range a.Checks {
		fmt.Fprintf(tw, "    %s\t%s\t%s\n", c.Outcome, c.Name, c.Detail)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}
