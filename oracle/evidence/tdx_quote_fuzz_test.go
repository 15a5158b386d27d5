package evidence

import (
	"bytes"
	"testing"

	tdxtestdata "github.com/google/go-tdx-guest/testing/testdata"
)

// FuzzParseTDXQuote checks that no input panics the parser and that whatever it
// accepts is self-consistent. The committed corpus (testdata/fuzz/FuzzParseTDXQuote)
// holds go-tdx-guest's v4 sample and v5 quotes derived from it (body types 2 and 3);
// the real v5 vector is added when ../shared/vectors is present.
func FuzzParseTDXQuote(f *testing.F) {
	f.Add(tdxtestdata.RawQuote)
	q, err := ParseTDXQuote(tdxtestdata.RawQuote)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(v4ToV5(f, q.Raw, TDXBodyTypeTD10))
	f.Add(v4ToV5(f, q.Raw, TDXBodyTypeTD15))
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := ParseTDXQuote(b)
		if err != nil {
			if q != nil {
				t.Fatalf("error %v with a non-nil quote", err)
			}
			return
		}
		if !bytes.HasPrefix(b, q.Raw) || !bytes.HasPrefix(q.Raw, q.Signed) {
			t.Fatalf("Raw/Signed are not prefixes of the input")
		}
		if len(q.QEReportRaw) != TDXQEReportSize {
			t.Fatalf("QE report %d bytes", len(q.QEReportRaw))
		}
		if q.Version != 4 && q.Version != 5 {
			t.Fatalf("accepted version %d", q.Version)
		}
		again, err := ParseTDXQuote(q.Raw)
		if err != nil || again.Body != q.Body || !bytes.Equal(again.PCKChain, q.PCKChain) {
			t.Fatalf("re-parsing Raw: %v", err)
		}
	})
}
