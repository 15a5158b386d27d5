package evidence

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The seed corpora in testdata/fuzz/Fuzz*/ are built from the real evidence in the
// repository's testdata/ (go-sev-guest's Milan report and certificates, go-tdx-guest's
// v4 quote and v5 quotes derived from it, and every input form made of them).
// TestEvidenceFuzzCorporaPresent rewrites them when TEEORACLE_WRITE_CORPUS is set.
// ../shared/vectors are added at run time when present, never committed.

// checkDecoded asserts what every successful Decode must satisfy, whatever the
// input: a known TEE, evidence that decodes again to itself, roles beside every
// certificate, and a bundle that round-trips to the same hash.
func checkDecoded(t *testing.T, ev *Evidence, err error) {
	t.Helper()
	if err != nil {
		if ev != nil {
			t.Fatalf("error %v with non-nil evidence", err)
		}
		return
	}
	if ev.TEE != TEESEVSNP && ev.TEE != TEETDX {
		t.Fatalf("decoded TEE %d", ev.TEE)
	}
	if len(ev.Roles) != len(ev.Certificates) {
		t.Fatalf("%d roles for %d certificates", len(ev.Roles), len(ev.Certificates))
	}
	again, err := Decode("raw again", ev.Raw)
	if err != nil || again.TEE != ev.TEE || !bytes.Equal(again.Raw, ev.Raw) {
		t.Fatalf("decoded Raw does not decode to itself: %v", err)
	}
	b, err := ev.MarshalBundle()
	if err != nil {
		t.Fatalf("MarshalBundle: %v", err)
	}
	back, err := Decode("bundle", b)
	if err != nil {
		t.Fatalf("bundle of decoded evidence does not decode: %v", err)
	}
	if back.Hash() != ev.Hash() {
		t.Fatalf("bundle round trip changed the hash")
	}
}

func addVectorSeeds(f *testing.F, rels ...string) {
	for _, rel := range rels {
		if b, err := os.ReadFile(filepath.Join(repoRoot(f), "..", "shared", "vectors", rel)); err == nil {
			f.Add(b)
		}
	}
}

// FuzzDecode feeds arbitrary bytes to Decode as evidence of unknown form.
func FuzzDecode(f *testing.F) {
	addVectorSeeds(f, "snp-turin/report.bin", "snp-vlek-milan/report.bin", "tdx-v5-outdated/quote.bin")
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := Decode("fuzz", data)
		checkDecoded(t, ev, err)
		if err == nil && ev.Form == FormRaw && !bytes.HasPrefix(data, ev.Raw) {
			t.Fatal("raw evidence is not a prefix of the input")
		}
		// Whatever decodes has report data a node can read before appraising.
		if err == nil {
			if _, rerr := ev.ReportData(); rerr != nil {
				t.Fatalf("decoded %s evidence without readable report data: %v", ev.TEE, rerr)
			}
		}
	})
}

// FuzzDecodeWithCertificates fuzzes the evidence and one certificate input together.
func FuzzDecodeWithCertificates(f *testing.F) {
	f.Fuzz(func(t *testing.T, data, certs []byte) {
		ev, err := Decode("fuzz", data, Input{Name: "certs", Data: certs})
		checkDecoded(t, ev, err)
	})
}

// FuzzParseCertTable fuzzes the SEV-SNP certificate table parser.
func FuzzParseCertTable(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseCertTable("fuzz", data)
		if err != nil {
			if entries != nil {
				t.Fatalf("error %v with entries", err)
			}
			return
		}
		for i, e := range entries {
			if !bytes.Contains(data, e.Data) || len(e.Data) == 0 {
				t.Fatalf("entry %d data not from the input", i)
			}
			if e.Certificate != nil && e.Certificate.X509 == nil {
				t.Fatalf("entry %d certificate not parsed", i)
			}
		}
	})
}

// FuzzParseCertificates fuzzes PEM and DER certificate reading.
func FuzzParseCertificates(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := ParseCertificates("fuzz", data)
		if err != nil {
			if !errors.Is(err, ErrBadCertificate) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if len(cs) == 0 {
			t.Fatal("no certificates and no error")
		}
		for _, c := range cs {
			if c.X509 == nil || !bytes.Equal(c.X509.Raw, c.DER) {
				t.Fatal("certificate DER and parsed form differ")
			}
		}
	})
}

// FuzzParseConfigFSReport fuzzes configfs-tsm JSON, alone and through Decode.
func FuzzParseConfigFSReport(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseConfigFSReport("fuzz", data)
		if err == nil && len(r.OutBlob) == 0 {
			t.Fatal("report without outblob accepted")
		}
		ev, err := Decode("fuzz", data)
		checkDecoded(t, ev, err)
	})
}

// FuzzDecodeBundle fuzzes bundle JSON through Decode.
func FuzzDecodeBundle(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := Decode("fuzz", data)
		checkDecoded(t, ev, err)
		if err == nil {
			for k := range ev.Collateral {
				if !validCollateralName(k) {
					t.Fatalf("collateral name %q accepted", k)
				}
			}
		}
	})
}

// corpusSeeds builds each target's seed corpus from the repository's testdata.
func corpusSeeds(t *testing.T) map[string]map[string][][]byte {
	report := readTestdata(t, "sev-snp/milan-v2/report.bin")
	vcekDER := readTestdata(t, "sev-snp/milan-v2/vcek.der")
	vcekPEM := readTestdata(t, "sev-snp/milan-v2/vcek.pem")
	roots := readTestdata(t, "sev-snp/roots/ask_ark_milan.pem")
	table := readTestdata(t, "sev-snp/milan-v2/certtable.bin")
	quote := readTestdata(t, "tdx/spr-e4/quote.bin")
	configfs := readTestdata(t, "sev-snp/milan-v2/configfs.json")
	bundle := readTestdata(t, "sev-snp/milan-v2/bundle.json")
	v5 := v4ToV5Quote(t, quote, TDXBodyTypeTD15)
	tdxEv := mustDecode(t, "quote", quote)
	tdxEv.Collateral = map[string][]byte{"tcb_info": readTestdata(t, "tdx/spr-e4/pcs/tcb_info.json")[:200], "root_crl": readTestdata(t, "tdx/spr-e4/pcs/rootcrl.der")}
	tdxBundle, err := tdxEv.MarshalBundle()
	if err != nil {
		t.Fatal(err)
	}
	pemTable := buildTable([]tableEntry{{GUIDVCEK, 48, uint32(len(vcekPEM))}, zeroEntry}, vcekPEM)
	one := func(b ...[]byte) [][]byte { return b }
	return map[string]map[string][][]byte{
		"FuzzDecode": {
			"snp-milan-v2":          one(report),
			"snp-extended-report":   one(append(bytes.Clone(report), table...)),
			"snp-configfs-json":     one(configfs),
			"snp-bundle-json":       one(bundle),
			"tdx-v4":                one(quote),
			"tdx-v4-padded":         one(append(bytes.Clone(quote), make([]byte, 1024)...)),
			"tdx-v4-extra-bytes":    one(readTestdata(t, "tdx/spr-e4/quote-with-extra-bytes.dat")),
			"tdx-v5-td15":           one(v5),
			"tdx-bundle-collateral": one(tdxBundle),
			"snp-truncated":         one(report[:600]),
			"tdx-truncated":         one(quote[:700]),
			"tdreport-not-a-quote":  one(readTestdata(t, "tdx/spr-e4/tdreport.dat")),
		},
		"FuzzDecodeWithCertificates": {
			"snp-der":       one(report, vcekDER),
			"snp-pem-roots": one(report, roots),
			"snp-table":     one(report, table),
			"tdx-none":      one(quote, nil),
		},
		"FuzzParseCertTable": {
			"milan-der":    one(table),
			"pem-entry":    one(pemTable),
			"terminator":   one(make([]byte, 24)),
			"overflow":     one(buildTable([]tableEntry{{GUIDVCEK, 0xFFFFFFF0, 0x20}, zeroEntry}, vcekDER[:64])),
			"unterminated": one(table[:24]),
		},
		"FuzzParseCertificates": {
			"vcek-der":   one(vcekDER),
			"vcek-pem":   one(vcekPEM),
			"ask-ark":    one(roots),
			"intel-root": one(readTestdata(t, "tdx/intel_sgx_root_ca.pem")),
		},
		"FuzzParseConfigFSReport": {
			"snp-base64": one(configfs),
			"snp-hex":    one([]byte(fmt.Sprintf(`{"provider":"sev_guest","outblob":"%s","auxblob":"0x%s","generation":"2"}`, hex.EncodeToString(report), hex.EncodeToString(table)))),
			"tdx":        one(mustJSON(t, map[string]any{"Provider": "tdx_guest", "OutBlob": quote})),
		},
		"FuzzDecodeBundle": {
			"snp":            one(bundle),
			"tdx-collateral": one(tdxBundle),
		},
	}
}

// TestEvidenceFuzzCorporaPresent checks that every fuzz target of this file has a
// committed seed corpus; with TEEORACLE_WRITE_CORPUS set it writes them first.
func TestEvidenceFuzzCorporaPresent(t *testing.T) {
	seeds := corpusSeeds(t)
	for target, files := range seeds {
		dir := filepath.Join("testdata", "fuzz", target)
		if os.Getenv("TEEORACLE_WRITE_CORPUS") != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, args := range files {
				var buf bytes.Buffer
				buf.WriteString("go test fuzz v1\n")
				for _, a := range args {
					fmt.Fprintf(&buf, "[]byte(%q)\n", a)
				}
				if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) < len(files) {
			t.Errorf("seed corpus %s: %d entries, want at least %d (err %v)", dir, len(entries), len(files), err)
		}
	}
}

// FuzzParseTEEName: ParseTEEName ignores ASCII case, refuses with ErrUnsupported,
// and what it accepts is a TEE the strict ParseTEE reads back from its String.
func FuzzParseTEEName(f *testing.F) {
	for _, s := range []string{"sev-snp", "SNP", "1", "tdx", "2", "sgx", "", "unknown"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tee, err := ParseTEEName(s)
		asciiUpper := strings.Map(func(r rune) rune {
			if 'a' <= r && r <= 'z' {
				return r - 'a' + 'A'
			}
			return r
		}, s)
		upper, uerr := ParseTEEName(asciiUpper)
		if (err == nil) != (uerr == nil) || tee != upper {
			t.Fatalf("%q: %v, %v; upper case: %v, %v", s, tee, err, upper, uerr)
		}
		if err != nil {
			if !errors.Is(err, ErrUnsupported) || tee != TEEUnknown {
				t.Fatalf("%q refused as %v, %v", s, tee, err)
			}
			return
		}
		if back, err := ParseTEE(tee.String()); err != nil || back != tee {
			t.Fatalf("%q: %v does not round-trip through ParseTEE: %v, %v", s, tee, back, err)
		}
	})
}
