package evidence

import (
	"bytes"
	"errors"
	"testing"

	sevabi "github.com/google/go-sev-guest/abi"
	tdxabi "github.com/google/go-tdx-guest/abi"
	pb "github.com/google/go-tdx-guest/proto/tdx"
	tdxtestdata "github.com/google/go-tdx-guest/testing/testdata"
)

// Evidence.ReportData reads what the vendors' own parsers read: go-sev-guest's for
// an SEV-SNP report, go-tdx-guest's for a TDX quote, and the TD report's fixed
// offset in a version 5 quote.
func TestReportDataMatchesLibraries(t *testing.T) {
	snpRaw := readTestdata(t, "sev-snp/milan-v2/report.bin")
	rep, err := sevabi.ReportToProto(snpRaw)
	if err != nil {
		t.Fatalf("go-sev-guest ReportToProto: %v", err)
	}
	q, err := tdxabi.QuoteToProto(tdxtestdata.RawQuote)
	if err != nil {
		t.Fatalf("go-tdx-guest QuoteToProto: %v", err)
	}
	v4 := sampleV4(t)
	v5 := v4ToV5(t, v4, TDXBodyTypeTD10)
	for _, tc := range []struct {
		name string
		ev   *Evidence
		want []byte
	}{
		{"sev-snp", mustDecode(t, "report.bin", snpRaw), rep.GetReportData()},
		{"tdx v4", &Evidence{TEE: TEETDX, Raw: tdxtestdata.RawQuote}, q.(*pb.QuoteV4).GetTdQuoteBody().GetReportData()},
		// A v5 quote's TD report follows the 48-byte header and the 6-byte body
		// descriptor; REPORTDATA is its last 64 bytes of the TDX 1.0 fields.
		{"tdx v5", &Evidence{TEE: TEETDX, Raw: v5}, v5[TDXHeaderSize+6+TDXBody10Size-64 : TDXHeaderSize+6+TDXBody10Size]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.ev.ReportData()
			if err != nil {
				t.Fatal(err)
			}
			if len(tc.want) != 64 || !bytes.Equal(got[:], tc.want) {
				t.Fatalf("report data %x, library reads %x", got, tc.want)
			}
		})
	}
}

// Evidence that holds no readable report data is refused with an error naming why.
func TestReportDataRejects(t *testing.T) {
	snpRaw := readTestdata(t, "sev-snp/milan-v2/report.bin")
	for _, tc := range []struct {
		name string
		ev   *Evidence
		want error
	}{
		{"short sev-snp report", &Evidence{TEE: TEESEVSNP, Raw: snpRaw[:0x8f]}, ErrTruncated},
		{"no tee", &Evidence{Raw: snpRaw}, ErrUnsupported},
		{"sev-snp report as tdx", &Evidence{TEE: TEETDX, Raw: snpRaw}, ErrTDXQuote},
		{"truncated tdx quote", &Evidence{TEE: TEETDX, Raw: tdxtestdata.RawQuote[:600]}, ErrTDXQuote},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.ev.ReportData(); !errors.Is(err, tc.want) {
				t.Fatalf("ReportData = %v, want %v", err, tc.want)
			}
		})
	}
}
