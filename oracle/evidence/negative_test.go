package evidence

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	sevabi "github.com/google/go-sev-guest/abi"
	"github.com/google/uuid"
)

// tableEntry is one hand-made certificate table header entry.
type tableEntry struct {
	guid        uuid.UUID
	offset, len uint32
}

// buildTable writes header entries (no terminator unless given as a zero entry)
// followed by data.
func buildTable(entries []tableEntry, data []byte) []byte {
	var out []byte
	for _, e := range entries {
		out = append(out, e.guid[:]...)
		out = binary.LittleEndian.AppendUint32(out, e.offset)
		out = binary.LittleEndian.AppendUint32(out, e.len)
	}
	return append(out, data...)
}

var zeroEntry = tableEntry{}

func ders(t testing.TB) (vcek, ask, ark []byte) {
	t.Helper()
	vcek = readTestdata(t, "sev-snp/milan-v2/vcek.der")
	cs, err := ParseCertificates("roots", readTestdata(t, "sev-snp/roots/ask_ark_milan.pem"))
	if err != nil || len(cs) != 2 {
		t.Fatalf("roots: %v (%d certs)", err, len(cs))
	}
	return vcek, cs[0].DER, cs[1].DER
}

func TestParseCertTable(t *testing.T) {
	vcek, ask, ark := ders(t)
	vcekPEM := readTestdata(t, "sev-snp/milan-v2/vcek.pem")
	asvkPEM := readTestdata(t, "sev-snp/roots/ask_ark_milan_vlek.pem")
	asvk, err := ParseCertificates("asvk", asvkPEM)
	if err != nil {
		t.Fatal(err)
	}
	const h1, h2, h3 = 2 * 24, 3 * 24, 4 * 24 // header sizes with 1, 2, 3 entries
	other := uuid.MustParse(sevabi.ExtraPlatformInfoGUID)

	tests := []struct {
		name      string
		table     []byte
		wantErr   []error
		wantRoles []CertRole // roles of entries with a certificate, in table order
	}{
		{name: "empty", table: nil},
		{name: "terminator only", table: buildTable([]tableEntry{zeroEntry}, nil)},
		{
			name:      "DER VCEK, ASK, ARK",
			table:     readTestdata(t, "sev-snp/milan-v2/certtable.bin"),
			wantRoles: []CertRole{RoleVCEK, RoleASK, RoleARK},
		},
		{
			name:      "PEM entry",
			table:     buildTable([]tableEntry{{GUIDVCEK, h1, uint32(len(vcekPEM))}, zeroEntry}, vcekPEM),
			wantRoles: []CertRole{RoleVCEK},
		},
		{
			name:      "ASVK under the ASK GUID",
			table:     buildTable([]tableEntry{{GUIDASK, h1, uint32(len(asvk[0].DER))}, zeroEntry}, asvk[0].DER),
			wantRoles: []CertRole{RoleASVK},
		},
		{
			name:      "unknown GUID with non-certificate data is kept without a certificate",
			table:     buildTable([]tableEntry{{other, h2, 4}, {GUIDVCEK, h2 + 4, uint32(len(vcek))}, zeroEntry}, append([]byte{1, 2, 3, 4}, vcek...)),
			wantRoles: []CertRole{RoleVCEK},
		},
		{
			name:      "zero-length entry is skipped",
			table:     buildTable([]tableEntry{{GUIDARK, h2, 0}, {GUIDVCEK, h2, uint32(len(vcek))}, zeroEntry}, vcek),
			wantRoles: []CertRole{RoleVCEK},
		},
		{
			name:    "unterminated",
			table:   buildTable([]tableEntry{{GUIDVCEK, h1, uint32(len(vcek))}}, vcek[:20]),
			wantErr: []error{ErrBadCertTable, ErrTruncated},
		},
		{
			name:    "header cut mid-entry",
			table:   buildTable([]tableEntry{{GUIDVCEK, h1, 10}}, nil)[:30],
			wantErr: []error{ErrBadCertTable, ErrTruncated},
		},
		{
			name:    "length past the end",
			table:   buildTable([]tableEntry{{GUIDVCEK, h1, uint32(len(vcek)) + 1}, zeroEntry}, vcek),
			wantErr: []error{ErrBadCertTable},
		},
		{
			name:    "offset past the end",
			table:   buildTable([]tableEntry{{GUIDVCEK, 1 << 20, 1}, zeroEntry}, vcek),
			wantErr: []error{ErrBadCertTable},
		},
		{
			name:    "offset plus length overflows uint32",
			table:   buildTable([]tableEntry{{GUIDVCEK, 0xFFFFFFF0, 0x20}, zeroEntry}, vcek),
			wantErr: []error{ErrBadCertTable},
		},
		{
			name:    "offset inside the header",
			table:   buildTable([]tableEntry{{GUIDVCEK, 8, 10}, zeroEntry}, vcek),
			wantErr: []error{ErrBadCertTable},
		},
		{
			name:    "overlapping entries",
			table:   buildTable([]tableEntry{{GUIDVCEK, h2, uint32(len(vcek))}, {GUIDARK, h2 + 100, 50}, zeroEntry}, vcek),
			wantErr: []error{ErrBadCertTable},
		},
		{
			name:    "same GUID twice",
			table:   buildTable([]tableEntry{{GUIDVCEK, h2, uint32(len(vcek))}, {GUIDVCEK, h2 + uint32(len(vcek)), uint32(len(vcek))}, zeroEntry}, append(bytes.Clone(vcek), vcek...)),
			wantErr: []error{ErrBadCertTable},
		},
		{
			name:    "VCEK GUID holding the ARK",
			table:   buildTable([]tableEntry{{GUIDVCEK, h1, uint32(len(ark))}, zeroEntry}, ark),
			wantErr: []error{ErrBadCertTable},
		},
		{
			name:    "VCEK GUID holding garbage",
			table:   buildTable([]tableEntry{{GUIDVCEK, h1, 16}, zeroEntry}, bytes.Repeat([]byte{0x30}, 16)),
			wantErr: []error{ErrBadCertificate},
		},
		{
			name:    "two certificates in one entry",
			table:   buildTable([]tableEntry{{GUIDASK, h1, uint32(len(ask) + len(ark))}, zeroEntry}, append(bytes.Clone(ask), ark...)),
			wantErr: []error{ErrBadCertTable},
		},
		{
			name:    "three entries, last overlapping the first",
			table:   buildTable([]tableEntry{{GUIDVCEK, h3, uint32(len(vcek))}, {GUIDASK, h3 + uint32(len(vcek)), uint32(len(ask))}, {GUIDARK, h3 + 10, uint32(len(ark))}, zeroEntry}, append(append(bytes.Clone(vcek), ask...), ark...)),
			wantErr: []error{ErrBadCertTable},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entries, err := ParseCertTable("table", tc.table)
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatalf("ParseCertTable succeeded with %d entries, want error %v", len(entries), tc.wantErr)
				}
				for _, w := range tc.wantErr {
					if !errors.Is(err, w) {
						t.Errorf("error %q does not wrap %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCertTable: %v", err)
			}
			var roles []CertRole
			for _, e := range entries {
				if e.Certificate != nil {
					roles = append(roles, e.Certificate.Role)
				}
			}
			if fmt.Sprint(roles) != fmt.Sprint(tc.wantRoles) {
				t.Errorf("roles %v, want %v", roles, tc.wantRoles)
			}
		})
	}
}

// TestLibraryCertTableOverflowPanics shows the gap ParseCertTable closes:
// go-sev-guest v0.15.0's CertTable.Unmarshal checks offset+length in uint32, which
// wraps, and then slices out of range. A host (which controls the certificate
// table) could crash a verifier that uses it directly.
func TestLibraryCertTableOverflowPanics(t *testing.T) {
	vcek, _, _ := ders(t)
	table := buildTable([]tableEntry{{GUIDVCEK, 0xFFFFFFF0, 0x20}, zeroEntry}, vcek)
	panicked := func() (p bool) {
		defer func() { p = recover() != nil }()
		var ct sevabi.CertTable
		_ = ct.Unmarshal(table)
		return false
	}()
	if !panicked {
		t.Error("go-sev-guest's CertTable.Unmarshal no longer panics on a wrapping offset: the workaround may be reviewed")
	}
	if _, err := ParseCertTable("table", table); !errors.Is(err, ErrBadCertTable) {
		t.Errorf("ParseCertTable = %v, want ErrBadCertTable", err)
	}
}

func TestParseCertificates(t *testing.T) {
	vcekDER := readTestdata(t, "sev-snp/milan-v2/vcek.der")
	vcekPEM := readTestdata(t, "sev-snp/milan-v2/vcek.pem")
	roots := readTestdata(t, "sev-snp/roots/ask_ark_milan.pem")
	_, ask, ark := ders(t)
	tests := []struct {
		name      string
		data      []byte
		wantRoles []CertRole
		wantErr   error
	}{
		{"DER", vcekDER, []CertRole{RoleVCEK}, nil},
		{"concatenated DER", append(bytes.Clone(ask), ark...), []CertRole{RoleASK, RoleARK}, nil},
		{"PEM", vcekPEM, []CertRole{RoleVCEK}, nil},
		{"PEM with two blocks", roots, []CertRole{RoleASK, RoleARK}, nil},
		{"PEM with text around blocks", append(append([]byte("subject=CN = SEV-VCEK\n"), vcekPEM...), "trailer\n"...), []CertRole{RoleVCEK}, nil},
		{"Intel root", readTestdata(t, "tdx/intel_sgx_root_ca.pem"), []CertRole{RoleIntelRoot}, nil},
		{"empty", nil, nil, ErrBadCertificate},
		{"white space", []byte(" \n"), nil, ErrBadCertificate},
		{"garbage", []byte("not a certificate"), nil, ErrBadCertificate},
		{"DER truncated", vcekDER[:len(vcekDER)-1], nil, ErrBadCertificate},
		{"DER with trailing garbage", append(bytes.Clone(vcekDER), 1, 2, 3), nil, ErrBadCertificate},
		{"PEM with broken base64", bytes.Replace(bytes.Clone(vcekPEM), []byte("MII"), []byte("M!I"), 1), nil, ErrBadCertificate},
		{"PEM without END", vcekPEM[:len(vcekPEM)-30], nil, ErrBadCertificate},
		{"PEM good block then a broken one", append(bytes.Clone(vcekPEM), vcekPEM[:100]...), nil, ErrBadCertificate},
		{"PEM private key block", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), nil, ErrBadCertificate},
		{"PEM certificate block that is not DER", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), nil, ErrBadCertificate},
		{"too large", make([]byte, MaxInputSize+1), nil, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := ParseCertificates(tc.name, tc.data)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var roles []CertRole
			for _, c := range cs {
				roles = append(roles, c.Role)
			}
			if fmt.Sprint(roles) != fmt.Sprint(tc.wantRoles) {
				t.Errorf("roles %v, want %v", roles, tc.wantRoles)
			}
		})
	}
}

// b64 is standard padded base64, the bundle's encoding.
func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeRejects(t *testing.T) {
	report := readTestdata(t, "sev-snp/milan-v2/report.bin")
	quote := readTestdata(t, "tdx/spr-e4/quote.bin")
	vcekDER := readTestdata(t, "sev-snp/milan-v2/vcek.der")
	vcekPEM := readTestdata(t, "sev-snp/milan-v2/vcek.pem")
	table := readTestdata(t, "sev-snp/milan-v2/certtable.bin")
	_, _, ark := ders(t)
	intelRoot := readTestdata(t, "tdx/intel_sgx_root_ca.pem")

	with := func(b []byte, f func([]byte)) []byte { c := bytes.Clone(b); f(c); return c }
	u32 := func(off int, v uint32) func([]byte) {
		return func(b []byte) { binary.LittleEndian.PutUint32(b[off:], v) }
	}
	u16 := func(off int, v uint16) func([]byte) {
		return func(b []byte) { binary.LittleEndian.PutUint16(b[off:], v) }
	}
	// v4 quote: signature data length at 0x278, certification data type at
	// 0x27C + 128 (after the ECDSA signature and attestation key).
	sigLen := int(binary.LittleEndian.Uint32(quote[0x278:]))

	tests := []struct {
		name    string
		data    []byte
		extra   []Input
		wantErr []error
	}{
		// Binary evidence.
		{name: "empty", data: nil, wantErr: []error{ErrUnknownFormat}},
		{name: "text", data: []byte("hello, world"), wantErr: []error{ErrUnknownFormat}},
		{name: "1184 bytes of 0xAA", data: bytes.Repeat([]byte{0xAA}, SNPReportSize), wantErr: []error{ErrUnknownFormat}},
		{name: "1184 zero bytes", data: make([]byte, SNPReportSize), wantErr: []error{ErrUnknownFormat}},
		{name: "SNP report truncated", data: report[:1000], wantErr: []error{ErrTruncated}},
		{name: "SNP report one byte short", data: report[:SNPReportSize-1], wantErr: []error{ErrTruncated}},
		{name: "SNP report version 1", data: with(report, u32(0, 1)), wantErr: []error{ErrUnsupported}},
		{name: "SNP report version 4", data: with(report, u32(0, 4)), wantErr: []error{ErrUnsupported}},
		{name: "SNP report version 6", data: with(report, u32(0, 6)), wantErr: []error{ErrUnsupported}},
		{name: "SNP signature algorithm 2", data: with(report, u32(0x34, 2)), wantErr: []error{ErrUnsupported}},
		{name: "SNP signature algorithm 0", data: with(report, u32(0x34, 0)), wantErr: []error{ErrUnsupported}},
		{name: "SNP extended report with unterminated table", data: append(bytes.Clone(report), 1, 2, 3), wantErr: []error{ErrBadCertTable, ErrTruncated}},
		{name: "SNP extended report with out-of-range table", data: append(bytes.Clone(report), buildTable([]tableEntry{{GUIDVCEK, 48, 5000}, zeroEntry}, nil)...), wantErr: []error{ErrBadCertTable}},
		{name: "TDX quote header only", data: quote[:48], wantErr: []error{ErrTruncated}},
		{name: "TDX quote body cut", data: quote[:600], wantErr: []error{ErrTruncated}},
		{name: "TDX quote one byte short", data: quote[:len(quote)-1], wantErr: []error{ErrTruncated}},
		{name: "TDX quote signature data length too small", data: with(quote, u32(0x278, 10)), wantErr: []error{ErrTruncated}},
		{name: "TDX quote signature data length past end", data: with(quote, u32(0x278, uint32(sigLen+1))), wantErr: []error{ErrTruncated}},
		{name: "TDX quote version 3", data: with(quote, u16(0, 3)), wantErr: []error{ErrUnsupported}},
		{name: "TDX quote version 6", data: with(quote, u16(0, 6)), wantErr: []error{ErrUnsupported}},
		{name: "TDX quote attestation key type 3", data: with(quote, u16(2, 3)), wantErr: []error{ErrUnsupported}},
		{name: "TDX quote v5 body type 1 (SGX)", data: with(v4ToV5Quote(t, quote, TDXBodyTypeTD10), u16(48, 1)), wantErr: []error{ErrUnsupported}},
		{name: "TDX quote v5 body size wrong", data: with(v4ToV5Quote(t, quote, TDXBodyTypeTD15), u32(50, TDXBody10Size)), wantErr: []error{ErrUnsupported}},
		{name: "TDX quote v5 truncated", data: v4ToV5Quote(t, quote, TDXBodyTypeTD15)[:700], wantErr: []error{ErrTruncated}},
		{name: "TDX quote with non-zero trailing bytes (go-tdx-guest sample)", data: readTestdata(t, "tdx/spr-e4/quote-with-extra-bytes.dat"), wantErr: []error{ErrTrailingData}},
		{name: "TDX quote with padding then a byte", data: append(append(bytes.Clone(quote), make([]byte, 100)...), 1), wantErr: []error{ErrTrailingData}},
		{name: "TDX quote with broken certification data type", data: with(quote, u16(0x27C+128, 9)), wantErr: []error{ErrMalformed, ErrTDXQuote}},
		{name: "TDREPORT is not a quote", data: readTestdata(t, "tdx/spr-e4/tdreport.dat"), wantErr: []error{ErrUnknownFormat}},
		{name: "too large", data: make([]byte, MaxInputSize+1), wantErr: []error{ErrTooLarge}},

		// JSON forms.
		{name: "JSON syntax error", data: []byte(`{"outblob": `), wantErr: []error{ErrBadJSON}},
		{name: "JSON of neither form", data: []byte(`{"quote": "AAAA"}`), wantErr: []error{ErrUnknownFormat}},
		{name: "JSON of both forms", data: mustJSON(t, map[string]string{"outblob": b64(report), "evidence": b64(report), "tee": "sev-snp"}), wantErr: []error{ErrUnknownFormat}},
		{name: "configfs outblob not base64 or hex", data: []byte(`{"outblob": "%%%"}`), wantErr: []error{ErrBadJSON}},
		{name: "configfs outblob a number", data: []byte(`{"outblob": 12}`), wantErr: []error{ErrBadJSON}},
		{name: "configfs outblob empty", data: []byte(`{"outblob": ""}`), wantErr: []error{ErrBadJSON}},
		{name: "configfs bad 0x hex", data: []byte(`{"outblob": "0xzz"}`), wantErr: []error{ErrBadJSON}},
		{name: "configfs generation negative", data: mustJSON(t, map[string]any{"outblob": b64(report), "generation": -1}), wantErr: []error{ErrBadJSON}},
		{name: "configfs outblob garbage", data: mustJSON(t, map[string]string{"outblob": b64([]byte("garbage"))}), wantErr: []error{ErrUnknownFormat}},
		{name: "configfs outblob truncated report", data: mustJSON(t, map[string]string{"outblob": b64(report[:1000])}), wantErr: []error{ErrTruncated}},
		{name: "configfs outblob with certificates appended", data: mustJSON(t, map[string]string{"outblob": b64(append(bytes.Clone(report), table...))}), wantErr: []error{ErrUnknownFormat}},
		{name: "configfs provider names the other TEE", data: mustJSON(t, map[string]string{"outblob": b64(report), "provider": "tdx_guest"}), wantErr: []error{ErrTEEMismatch}},
		{name: "configfs unsupported provider", data: mustJSON(t, map[string]string{"outblob": b64(report), "provider": "arm_cca_guest"}), wantErr: []error{ErrUnsupported}},
		{name: "configfs auxblob with TDX", data: mustJSON(t, map[string]string{"outblob": b64(quote), "auxblob": b64(table)}), wantErr: []error{ErrUnsupported}},
		{name: "configfs bad auxblob", data: mustJSON(t, map[string]string{"outblob": b64(report), "auxblob": b64([]byte{1, 2, 3})}), wantErr: []error{ErrBadCertTable}},
		{name: "configfs trailing data", data: append(mustJSON(t, map[string]string{"outblob": b64(report)}), "{}"...), wantErr: []error{ErrBadJSON}},
		{name: "bundle unknown field", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report), "extra": 1}), wantErr: []error{ErrBadJSON}},
		{name: "bundle key case", data: []byte(`{"TEE":"sev-snp","evidence":"` + b64(report) + `"}`), wantErr: []error{ErrBadJSON}},
		{name: "bundle repeated key", data: []byte(`{"tee":"tdx","evidence":"` + b64(report) + `","tee":"sev-snp"}`), wantErr: []error{ErrBadJSON}},
		{name: "bundle tee missing", data: mustJSON(t, map[string]any{"evidence": b64(report)}), wantErr: []error{ErrBadJSON}},
		{name: "bundle evidence empty", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": ""}), wantErr: []error{ErrBadJSON}},
		{name: "bundle tee unknown", data: mustJSON(t, map[string]any{"tee": "sgx", "evidence": b64(report)}), wantErr: []error{ErrUnsupported}},
		{name: "bundle tee mismatch", data: mustJSON(t, map[string]any{"tee": "tdx", "evidence": b64(report)}), wantErr: []error{ErrTEEMismatch}},
		{name: "bundle evidence not base64", data: []byte(`{"tee":"sev-snp","evidence":"!!!"}`), wantErr: []error{ErrBadJSON}},
		{name: "bundle evidence hex", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": fmt.Sprintf("%x", report)}), wantErr: []error{ErrUnknownFormat}},
		{name: "bundle evidence truncated", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report[:100])}), wantErr: []error{ErrTruncated}},
		{name: "bundle evidence with table appended", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(append(bytes.Clone(report), table...))}), wantErr: []error{ErrUnknownFormat}},
		{name: "bundle certificate garbage", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report), "certificates": []string{b64([]byte("xx"))}}), wantErr: []error{ErrBadCertificate}},
		{name: "bundle certificate PEM", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report), "certificates": []string{b64(vcekPEM)}}), wantErr: []error{ErrBadCertificate}},
		{name: "bundle two certificates in one", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report), "certificates": []string{b64(append(bytes.Clone(vcekDER), ark...))}}), wantErr: []error{ErrBadCertificate}},
		{name: "bundle collateral name with slash", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report), "collateral": map[string]string{"../x": "AA=="}}), wantErr: []error{ErrBadJSON}},
		{name: "bundle collateral name dot-dot", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report), "collateral": map[string]string{"..": "AA=="}}), wantErr: []error{ErrBadJSON}},
		{name: "bundle collateral name too long", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report), "collateral": map[string]string{strings.Repeat("a", 65): "AA=="}}), wantErr: []error{ErrBadJSON}},
		{name: "bundle collateral name unknown", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report), "collateral": map[string]string{"blob": "AA=="}}), wantErr: []error{ErrBadJSON}},
		{name: "bundle SNP collateral with TDX", data: mustJSON(t, map[string]any{"tee": "tdx", "evidence": b64(quote), "collateral": map[string]string{"vcek_crl": "AA=="}}), wantErr: []error{ErrBadJSON}},
		{name: "bundle collateral item too large", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report), "collateral": map[string]string{"vcek_crl": b64(make([]byte, MaxBundleCollateralItem+1))}}), wantErr: []error{ErrTooLarge}},
		{name: "bundle evidence too large", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(make([]byte, MaxBundleEvidence+1))}), wantErr: []error{ErrTooLarge}},
		{name: "bundle too many certificates", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report), "certificates": slices.Repeat([]string{b64(vcekDER)}, MaxBundleCertificates+1)}), wantErr: []error{ErrTooLarge}},
		{name: "bundle certificate too large", data: mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report), "certificates": []string{b64(make([]byte, MaxBundleCertificate+1))}}), wantErr: []error{ErrTooLarge}},
		{name: "bundle padded past its bound", data: append(bytes.Repeat([]byte(" "), MaxBundleSize), mustJSON(t, map[string]any{"tee": "sev-snp", "evidence": b64(report)})...), wantErr: []error{ErrTooLarge}},
		{name: "bundle AMD certificate with TDX", data: mustJSON(t, map[string]any{"tee": "tdx", "evidence": b64(quote), "certificates": []string{b64(vcekDER)}}), wantErr: []error{ErrTEEMismatch}},

		// Certificates beside the evidence.
		{name: "cert file garbage", data: report, extra: []Input{{"junk.bin", []byte("junk")}}, wantErr: []error{ErrBadCertificate, ErrBadCertTable}},
		{name: "cert file empty", data: report, extra: []Input{{"empty.pem", nil}}, wantErr: []error{ErrBadCertificate}},
		{name: "cert file bad PEM", data: report, extra: []Input{{"bad.pem", vcekPEM[:200]}}, wantErr: []error{ErrBadCertificate}},
		{name: "cert file bad DER", data: report, extra: []Input{{"bad.der", vcekDER[:300]}}, wantErr: []error{ErrBadCertificate}},
		{name: "cert file empty table", data: report, extra: []Input{{"table.bin", buildTable([]tableEntry{zeroEntry}, nil)}}, wantErr: []error{ErrBadCertificate}},
		{name: "cert file too large", data: report, extra: []Input{{"big.pem", make([]byte, MaxInputSize+1)}}, wantErr: []error{ErrTooLarge}},
		{name: "VCEK with a TDX quote", data: quote, extra: []Input{{"vcek.der", vcekDER}}, wantErr: []error{ErrTEEMismatch}},
		{name: "Intel root with an SNP report", data: report, extra: []Input{{"root.pem", intelRoot}}, wantErr: []error{ErrTEEMismatch}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := Decode("input", tc.data, tc.extra...)
			if err == nil {
				t.Fatalf("Decode succeeded (%s, %d bytes), want %v", ev.TEE, len(ev.Raw), tc.wantErr)
			}
			for _, w := range tc.wantErr {
				if !errors.Is(err, w) {
					t.Errorf("error %q does not wrap %q", err, w)
				}
			}
			// Errors name the input they are about.
			name := "input"
			if len(tc.extra) > 0 {
				name = tc.extra[0].Name
			}
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error %q does not name the input %q", err, name)
			}
		})
	}
}

// v4ToV5Quote rewrites a v4 quote as v5 with body type 2 (same body) or 3 (body
// extended by 64 bytes); signatures no longer verify, but the framing is exact.
func v4ToV5Quote(t testing.TB, v4 []byte, bodyType uint16) []byte {
	t.Helper()
	out := bytes.Clone(v4[:TDXHeaderSize])
	binary.LittleEndian.PutUint16(out, 5)
	size := TDXBody10Size
	if bodyType == TDXBodyTypeTD15 {
		size = TDXBody15Size
	}
	out = binary.LittleEndian.AppendUint16(out, bodyType)
	out = binary.LittleEndian.AppendUint32(out, uint32(size))
	out = append(out, v4[TDXHeaderSize:TDXHeaderSize+TDXBody10Size]...)
	out = append(out, make([]byte, size-TDXBody10Size)...)
	return append(out, v4[TDXHeaderSize+TDXBody10Size:]...)
}

func TestDecodeSyntheticV5(t *testing.T) {
	quote := readTestdata(t, "tdx/spr-e4/quote.bin")
	for _, bt := range []uint16{TDXBodyTypeTD10, TDXBodyTypeTD15} {
		q := v4ToV5Quote(t, quote, bt)
		ev := mustDecode(t, "v5", append(bytes.Clone(q), make([]byte, 512)...))
		if ev.TEE != TEETDX || !bytes.Equal(ev.Raw, q) {
			t.Errorf("body type %d: tee %s, %d bytes, want tdx, %d", bt, ev.TEE, len(ev.Raw), len(q))
		}
	}
}

func TestDecodeCertificateRoleConflict(t *testing.T) {
	report := readTestdata(t, "sev-snp/milan-v2/report.bin")
	_, _, ark := ders(t)
	// A table that files the ARK under the ASK GUID: its subject says ARK.
	table := buildTable([]tableEntry{{GUIDASK, 48, uint32(len(ark))}, zeroEntry}, ark)
	if _, err := Decode("report", report, Input{"table", table}); !errors.Is(err, ErrBadCertTable) {
		t.Errorf("err = %v, want ErrBadCertTable", err)
	}
}

func TestDecodeCopiesInput(t *testing.T) {
	report := readTestdata(t, "sev-snp/milan-v2/report.bin")
	vcek := readTestdata(t, "sev-snp/milan-v2/vcek.der")
	ev := mustDecode(t, "report", report, Input{"vcek", vcek})
	h := ev.Hash()
	report[0x60] ^= 0xff
	vcek[100] ^= 0xff
	if ev.Hash() != h {
		t.Error("Evidence aliases the caller's buffers")
	}
}

func TestEvidenceCertificateByRole(t *testing.T) {
	ev := mustDecode(t, "configfs", readTestdata(t, "sev-snp/milan-v2/configfs.json"))
	vcek, ok := ev.Certificate(RoleVCEK)
	if !ok || !bytes.Equal(vcek, readTestdata(t, "sev-snp/milan-v2/vcek.der")) {
		t.Error("Certificate(RoleVCEK) did not return the VCEK")
	}
	if _, ok := ev.Certificate(RoleVLEK); ok {
		t.Error("Certificate(RoleVLEK) found a VLEK that is not there")
	}
	if ev.Provider != ProviderSEVGuest {
		t.Errorf("provider %q", ev.Provider)
	}
	hand := &Evidence{TEE: ev.TEE, Raw: ev.Raw, Certificates: ev.Certificates}
	if hand.Role(0) != RoleUnknown || hand.Hash() != ev.Hash() {
		t.Error("hand-built Evidence without roles: wrong role or different hash")
	}
}

func TestBundleRoundTrip(t *testing.T) {
	ev := mustDecode(t, "configfs", readTestdata(t, "sev-snp/milan-v2/configfs.json"))
	ev.Collateral = map[string][]byte{"vcek_crl": {1, 2, 3}, "vlek_crl": []byte("x")}
	b, err := ev.MarshalBundle()
	if err != nil {
		t.Fatal(err)
	}
	back := mustDecode(t, "bundle", b)
	if back.Hash() != ev.Hash() || len(back.Collateral) != 2 || !bytes.Equal(back.Collateral["vcek_crl"], []byte{1, 2, 3}) {
		t.Errorf("round trip lost data: %+v", back.Collateral)
	}
	b2, err := back.MarshalBundle()
	if err != nil || !bytes.Equal(b, b2) {
		t.Errorf("MarshalBundle is not deterministic (err %v)", err)
	}
	if _, err := (&Evidence{TEE: TEEUnknown}).MarshalBundle(); !errors.Is(err, ErrUnsupported) {
		t.Errorf("MarshalBundle of unknown TEE: %v", err)
	}
	bad := &Evidence{TEE: TEETDX, Raw: []byte{1}, Collateral: map[string][]byte{"A B": nil}}
	if _, err := bad.MarshalBundle(); !errors.Is(err, ErrBadJSON) {
		t.Errorf("MarshalBundle with a bad collateral name: %v", err)
	}
}

func TestParseTEE(t *testing.T) {
	for _, tee := range []TEE{TEESEVSNP, TEETDX} {
		if got, err := ParseTEE(tee.String()); err != nil || got != tee {
			t.Errorf("ParseTEE(%q) = %v, %v", tee, got, err)
		}
	}
	if _, err := ParseTEE("unknown"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("ParseTEE(unknown) = %v", err)
	}
}

// ParseTEEName takes what a person types (any case, snp, the registry's number)
// and refuses everything else, including the strict parser's "unknown"; ParseTEE
// stays strict.
func TestParseTEEName(t *testing.T) {
	for in, want := range map[string]TEE{"sev-snp": TEESEVSNP, "SEV-SNP": TEESEVSNP, "snp": TEESEVSNP, "1": TEESEVSNP,
		"tdx": TEETDX, "TDX": TEETDX, "2": TEETDX} {
		if got, err := ParseTEEName(in); err != nil || got != want {
			t.Errorf("ParseTEEName(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "sgx", "unknown", "0", "3", "sev", " tdx"} {
		if got, err := ParseTEEName(in); !errors.Is(err, ErrUnsupported) {
			t.Errorf("ParseTEEName(%q) = %v, %v; want ErrUnsupported", in, got, err)
		}
	}
	for _, in := range []string{"snp", "1", "TDX"} {
		if _, err := ParseTEE(in); !errors.Is(err, ErrUnsupported) {
			t.Errorf("ParseTEE(%q) accepted a non-canonical name", in)
		}
	}
}
