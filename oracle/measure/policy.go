package measure

import (
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SNPPolicy is a policy (docs/policy.md) that trusts SEV-SNP guests whose launch
// measurement is one of ms, with every other rule at its default: authentic
// evidence, no debug, reported TCB equal to the certified TCB. TDX is not
// allowed. It is what `teeoracle measure` prints for the operator to extend and
// register.
func SNPPolicy(name string, ms ...[48]byte) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: %q\nsnp:\n  allowed_measurements:\n", policyText(name))
	for _, m := range ms {
		fmt.Fprintf(&b, "    - \"0x%s\"\n", hex.EncodeToString(m[:]))
	}
	return []byte(b.String())
}

// policyText is s as a policy's strings may hold it: valid UTF-8 without control
// characters (C0, DEL, C1) or line and paragraph separators, each replaced by U+FFFD.
func policyText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// TDXPolicy is a policy that trusts TDs whose MRTD is mrtd, every other TDX rule
// at its default (TCB status UpToDate, no debug). With boot (a reference boot's
// event log, TDXRTMRs) it also requires RTMR0-2 to replay from the TD's own log
// and allows only the kernel command lines the reference boot logged. SEV-SNP is
// not allowed. A logged command line that is not UTF-8, or holds a control
// character or a line or paragraph separator, is an error: YAML cannot spell the
// first, an entry it could spell would never match the logged bytes, and a policy
// refuses the others (policy.Parse; they read differently from how its canonical
// form writes them). Such characters in the name become U+FFFD.
func TDXPolicy(name string, mrtd [48]byte, boot *TDXBoot) ([]byte, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: %q\ntdx:\n  allowed_measurements:\n    - \"0x%s\"\n", policyText(name), hex.EncodeToString(mrtd[:]))
	if boot != nil {
		b.WriteString("  require_replayed_rtmrs: [0, 1, 2]\n")
		if cls := boot.KernelCmdlines(); len(cls) > 0 {
			b.WriteString("  allowed_kernel_cmdlines:\n")
			for i, c := range cls {
				if !utf8.ValidString(c) {
					return nil, fmt.Errorf("kernel command line %d of the event log, %q, is not UTF-8: a policy cannot allow it", i, c)
				}
				if policyText(c) != c {
					return nil, fmt.Errorf("kernel command line %d of the event log, %q, holds a control character or line separator: a policy cannot allow it", i, c)
				}
				fmt.Fprintf(&b, "    - %q\n", c)
			}
		}
	}
	return []byte(b.String()), nil
}
