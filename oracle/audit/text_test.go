package audit

import (
	"bytes"
	"strings"
	"testing"
)

// Text that reaches an audit result from a node (a difference's detail, a skipped
// check's reason) is printed with its control characters escaped: a node cannot
// move the cursor or rewrite lines on the auditor's terminal.
func TestPrintAuditEscapesControlCharacters(t *testing.T) {
	res := &Result{Differences: []Difference{{What: DiffArchive, Detail: "kind \x1b[3A\x1b[2Kok\nforged line"}},
		Skipped: []string{"snp.crl: \x1b]0;title\x07 gone"}}
	var b bytes.Buffer
	res.WriteText(&b)
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07") || strings.Count(out, "\n") != 7 {
		t.Fatalf("output holds the node's control characters:\n%q", out)
	}
	for _, want := range []string{`kind \x1b[3A\x1b[2Kok\nforged line`, `snp.crl: \x1b]0;title\a gone`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q, escaped:\n%s", want, out)
		}
	}
}
