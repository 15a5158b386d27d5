package evidence

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	tdxabi "github.com/google/go-tdx-guest/abi"
	pb "github.com/google/go-tdx-guest/proto/tdx"
	tdxtestdata "github.com/google/go-tdx-guest/testing/testdata"
)

// sharedVector reads a file from ../shared/vectors beside the repository. It skips
// when the folder is absent, except under CI, where the vectors must be present.
func sharedVector(t testing.TB, rel string) []byte {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	repoRoot := filepath.Join(filepath.Dir(file), "..", "..")
	p := filepath.Join(repoRoot, "..", "shared", "vectors", rel)
	b, err := os.ReadFile(p)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared vector %s missing under CI: %v", p, err)
		}
		t.Skipf("shared vectors not present (%v); skipping", err)
	}
	return b
}

// v4ToV5 converts a v4 quote into a v5 quote with the same body (type 2) or the
// body extended to TDX 1.5 (type 3); signatures no longer verify, but the layout
// is exactly what a v5 parser must read.
func v4ToV5(t testing.TB, v4 []byte, bodyType uint16) []byte {
	t.Helper()
	out := append([]byte{}, v4[:TDXHeaderSize]...)
	binary.LittleEndian.PutUint16(out[0:2], 5)
	size := TDXBody10Size
	if bodyType == TDXBodyTypeTD15 {
		size = TDXBody15Size
	}
	out = binary.LittleEndian.AppendUint16(out, bodyType)
	out = binary.LittleEndian.AppendUint32(out, uint32(size))
	out = append(out, v4[TDXHeaderSize:TDXHeaderSize+TDXBody10Size]...)
	for i := TDXBody10Size; i < size; i++ {
		out = append(out, byte(i))
	}
	return append(out, v4[TDXHeaderSize+TDXBody10Size:]...)
}

// sampleV4 is go-tdx-guest's sample v4 quote without its unsigned trailing bytes.
func sampleV4(t testing.TB) []byte {
	t.Helper()
	q, err := ParseTDXQuote(tdxtestdata.RawQuote)
	if err != nil {
		t.Fatalf("ParseTDXQuote(go-tdx-guest sample): %v", err)
	}
	return q.Raw
}

func TestParseTDXQuoteV4MatchesLibrary(t *testing.T) {
	raw := tdxtestdata.RawQuote
	q, err := ParseTDXQuote(raw)
	if err != nil {
		t.Fatalf("ParseTDXQuote(v4 sample): %v", err)
	}
	anyQ, err := tdxabi.QuoteToProto(raw)
	if err != nil {
		t.Fatalf("library QuoteToProto: %v", err)
	}
	lib := anyQ.(*pb.QuoteV4)
	if q.Version != 4 || q.BodyType != TDXBodyTypeTD10 {
		t.Errorf("version %d body type %d, want 4, 2", q.Version, q.BodyType)
	}
	body := lib.GetTdQuoteBody()
	checks := []struct {
		name      string
		got, want []byte
	}{
		{"tee_tcb_svn", q.Body.TEETCBSVN[:], body.GetTeeTcbSvn()},
		{"mrseam", q.Body.MRSEAM[:], body.GetMrSeam()},
		{"mrsignerseam", q.Body.MRSignerSEAM[:], body.GetMrSignerSeam()},
		{"seam_attributes", q.Body.SEAMAttributes[:], body.GetSeamAttributes()},
		{"td_attributes", q.Body.TDAttributes[:], body.GetTdAttributes()},
		{"xfam", q.Body.XFAM[:], body.GetXfam()},
		{"mrtd", q.Body.MRTD[:], body.GetMrTd()},
		{"mrconfigid", q.Body.MRConfigID[:], body.GetMrConfigId()},
		{"mrowner", q.Body.MROwner[:], body.GetMrOwner()},
		{"mrownerconfig", q.Body.MROwnerConfig[:], body.GetMrOwnerConfig()},
		{"rtmr0", q.Body.RTMR[0][:], body.GetRtmrs()[0]},
		{"rtmr3", q.Body.RTMR[3][:], body.GetRtmrs()[3]},
		{"report_data", q.Body.ReportData[:], body.GetReportData()},
		{"signature", q.Signature[:], lib.GetSignedData().GetSignature()},
		{"attestation_key", q.AttestationKey[:], lib.GetSignedData().GetEcdsaAttestationKey()},
		{"qe_report_signature", q.QEReportSignature[:], lib.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetQeReportSignature()},
		{"qe_auth_data", q.QEAuthData, lib.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetQeAuthData().GetData()},
		{"pck_chain", q.PCKChain, lib.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetPckCertificateChainData().GetPckCertChain()},
		{"qe_report_mrsigner", q.QEReport.MRSigner[:], lib.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetQeReport().GetMrSigner()},
		{"qe_report_data", q.QEReport.ReportData[:], lib.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetQeReport().GetReportData()},
	}
	for _, c := range checks {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s = %x, library has %x", c.name, c.got, c.want)
		}
	}
	qe, err := tdxabi.EnclaveReportToAbiBytes(lib.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetQeReport())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(q.QEReportRaw, qe) {
		t.Errorf("QE report bytes differ from the library's encoding")
	}
	if got := lib.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetQeReport().GetIsvSvn(); uint32(q.QEReport.ISVSVN) != got {
		t.Errorf("QE ISVSVN %d, library %d", q.QEReport.ISVSVN, got)
	}
	if !bytes.Equal(q.Signed, raw[:TDXHeaderSize+TDXBody10Size]) {
		t.Errorf("signed region is not header||body")
	}
	if q.QEVendorID != IntelQEVendorID {
		t.Errorf("QE vendor id %x, want Intel's", q.QEVendorID)
	}
}

func TestParseTDXQuoteV5Real(t *testing.T) {
	raw := sharedVector(t, "tdx-v5-outdated/quote.bin")
	q, err := ParseTDXQuote(raw)
	if err != nil {
		t.Fatalf("ParseTDXQuote(v5): %v", err)
	}
	if q.Version != 5 || q.BodyType != TDXBodyTypeTD15 {
		t.Fatalf("version %d body type %d, want 5, 3", q.Version, q.BodyType)
	}
	if want := TDXHeaderSize + 6 + TDXBody15Size; len(q.Signed) != want {
		t.Errorf("signed region %d bytes, want %d", len(q.Signed), want)
	}
	if q.Body.TEETCBSVN[1] != 1 {
		t.Errorf("TEE_TCB_SVN %x: want TDX module major version 1", q.Body.TEETCBSVN)
	}
	if len(q.Raw) != len(raw) {
		t.Errorf("Raw %d bytes, input %d (no padding expected)", len(q.Raw), len(raw))
	}
	if !bytes.Contains(q.PCKChain, []byte("BEGIN CERTIFICATE")) {
		t.Errorf("PCK chain is not PEM")
	}
	// The library rejects the v5 quote outright: the gap this parser fills.
	if _, err := tdxabi.QuoteToProto(raw); err == nil {
		t.Errorf("go-tdx-guest now parses v5 quotes; revisit ParseTDXQuote")
	}
}

func TestParseTDXQuoteV5Synthetic(t *testing.T) {
	v4 := sampleV4(t)
	want, err := ParseTDXQuote(v4)
	if err != nil {
		t.Fatal(err)
	}
	for _, bt := range []uint16{TDXBodyTypeTD10, TDXBodyTypeTD15} {
		q, err := ParseTDXQuote(v4ToV5(t, v4, bt))
		if err != nil {
			t.Fatalf("body type %d: %v", bt, err)
		}
		if q.BodyType != bt || q.Body.MRTD != want.Body.MRTD || q.Body.ReportData != want.Body.ReportData ||
			!bytes.Equal(q.PCKChain, want.PCKChain) || q.Signature != want.Signature {
			t.Errorf("body type %d: fields differ from the v4 original", bt)
		}
		if bt == TDXBodyTypeTD15 && q.Body.TEETCBSVN2[0] != byte(TDXBody10Size%256) {
			t.Errorf("TEE_TCB_SVN2 not read from the TDX 1.5 extension")
		}
	}
}

func TestParseTDXQuotePadding(t *testing.T) {
	// The library's sample carries "extra bytes" after the signature data.
	sample := tdxtestdata.RawQuote
	q, err := ParseTDXQuote(sample)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Trailing) == 0 || len(q.Raw)+len(q.Trailing) != len(sample) {
		t.Fatalf("sample: Raw %d + Trailing %d bytes, input %d", len(q.Raw), len(q.Trailing), len(sample))
	}
	v4 := q.Raw
	padded := append(append([]byte{}, v4...), make([]byte, 1000)...)
	q, err = ParseTDXQuote(padded)
	if err != nil {
		t.Fatalf("zero padding rejected: %v", err)
	}
	if !bytes.Equal(q.Raw, v4) || q.Trailing != nil {
		t.Errorf("Raw kept the padding: %d bytes, want %d; trailing %d", len(q.Raw), len(v4), len(q.Trailing))
	}
}

func TestParseTDXQuoteRejects(t *testing.T) {
	v4 := sampleV4(t)
	v5 := v4ToV5(t, v4, TDXBodyTypeTD15)
	mod := func(b []byte, f func([]byte)) []byte {
		c := append([]byte{}, b...)
		f(c)
		return c
	}
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"header only", v4[:TDXHeaderSize]},
		{"version 3", mod(v4, func(b []byte) { b[0] = 3 })},
		{"sgx tee type", mod(v4, func(b []byte) { b[4] = 0 })},
		{"key type 3", mod(v4, func(b []byte) { b[2] = 3 })},
		{"v5 body truncated", v5[:TDXHeaderSize+6+TDXBody15Size-1]},
		{"v5 body truncated mid-way", v5[:TDXHeaderSize+6+100]},
		{"v5 unknown body type", mod(v5, func(b []byte) { b[TDXHeaderSize] = 1 })},
		{"v5 body size mismatch", mod(v5, func(b []byte) { b[TDXHeaderSize+2] = 0x48 })},
		{"v5 body size huge", mod(v5, func(b []byte) { b[TDXHeaderSize+5] = 0xff })},
		{"signature data size too large", mod(v4, func(b []byte) { b[TDXHeaderSize+TDXBody10Size+3] = 0x7f })},
		{"signature data truncated", v4[:len(v4)-10]},
		{"cert data type", mod(v4, func(b []byte) { b[TDXHeaderSize+TDXBody10Size+4+128] = 5 })},
		{"cert data size", mod(v4, func(b []byte) { b[TDXHeaderSize+TDXBody10Size+4+130]++ })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseTDXQuote(tc.in); !errors.Is(err, ErrTDXQuote) {
				t.Errorf("err = %v, want ErrTDXQuote", err)
			}
		})
	}
}

// TestLibraryPanicsOnShortCertificationData shows why ParseTDXQuote does its own
// bounds checks: go-tdx-guest v0.3.1's QuoteToProto slices the QE report without
// checking the certification data is long enough, and panics.
func TestLibraryPanicsOnShortCertificationData(t *testing.T) {
	v4 := sampleV4(t)
	sigStart := TDXHeaderSize + TDXBody10Size + 4
	short := append([]byte{}, v4[:sigStart+128]...)
	short = binary.LittleEndian.AppendUint16(short, 6)
	short = binary.LittleEndian.AppendUint32(short, 0)
	binary.LittleEndian.PutUint32(short[sigStart-4:], uint32(len(short)-sigStart))
	// Pad to the library's minimum size with zeros, which we accept as padding.
	short = append(short, make([]byte, max(0, tdxabi.QuoteMinSize-len(short)))...)
	panicked := func() (p bool) {
		defer func() { p = recover() != nil }()
		_, _ = tdxabi.QuoteToProto(short)
		return false
	}()
	if !panicked {
		t.Logf("go-tdx-guest no longer panics on short certification data")
	}
	if _, err := ParseTDXQuote(short); !errors.Is(err, ErrTDXQuote) {
		t.Errorf("ParseTDXQuote: err = %v, want ErrTDXQuote", err)
	}
}

// TestTDXFuzzCorpusPresent regenerates the committed seed corpus when
// TEEORACLE_WRITE_CORPUS is set; otherwise it checks the corpus exists.
func TestTDXFuzzCorpusPresent(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParseTDXQuote")
	if os.Getenv("TEEORACLE_WRITE_CORPUS") != "" {
		v4 := sampleV4(t)
		seeds := map[string][]byte{
			"v4-sample":         tdxtestdata.RawQuote,
			"v5-td10":           v4ToV5(t, v4, TDXBodyTypeTD10),
			"v5-td15":           v4ToV5(t, v4, TDXBodyTypeTD15),
			"v5-td15-truncated": v4ToV5(t, v4, TDXBodyTypeTD15)[:TDXHeaderSize+6+TDXBody15Size-1],
			"v4-short-certdata": v4[:TDXHeaderSize+TDXBody10Size+4+128+6],
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range seeds {
			content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) < 3 {
		t.Fatalf("seed corpus %s: %d entries, err %v", dir, len(entries), err)
	}
}
