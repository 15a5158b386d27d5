package audit

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/policy"
)

// WriteText writes r as `teeoracle audit` prints it for people, one fact a line,
// every difference last. Text that comes from the audited node is escaped
// (printable).
func (r *Result) WriteText(w io.Writer) {
	fmt.Fprintf(w, "verdict    %s\n", r.VerdictHash)
	if r.Recomputed != (common.Hash{}) {
		fmt.Fprintf(w, "recomputed %s\n", r.Recomputed)
	} else {
		fmt.Fprintf(w, "recomputed -  (the archive does not back the verdict, nothing was re-run)\n")
	}
	switch oc := r.OnChain; {
	case oc == nil:
		fmt.Fprintf(w, "on-chain   not checked (no --rpc-url)\n")
	case oc.Accepted:
		cur := "superseded by a later verdict"
		if oc.Current {
			cur = "the machine's current verdict"
		}
		fmt.Fprintf(w, "on-chain   accepted by %s on chain %d in block %d (tx %s), %s\n", oc.Registry, oc.ChainID, oc.Block, oc.TxHash, cur)
	default:
		fmt.Fprintf(w, "on-chain   NOT accepted by %s on chain %d\n", oc.Registry, oc.ChainID)
	}
	fmt.Fprintf(w, "roots      %s\n", r.Roots)
	if r.RecomputedVerdict != nil {
		fmt.Fprintf(w, "reasons    %s\n", policy.Reason(r.RecomputedVerdict.Reasons).Text())
	}
	for _, c := range r.Skipped {
		fmt.Fprintf(w, "skipped    %s\n", printable(c))
	}
	fmt.Fprintf(w, "reproduced %v\n", r.Reproduced)
	for _, d := range r.Differences {
		fmt.Fprintf(w, "  differs (%s): %s\n", printable(d.What), printable(d.Detail))
	}
}

// printable escapes control characters and invalid UTF-8 in text that may come
// from the audited node (Go's escapes: \x1b, \n), so that it cannot act on the
// terminal it is printed to.
func printable(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r == utf8.RuneError || unicode.IsControl(r) }) {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
