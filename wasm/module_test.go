//go:build !(js && wasm)

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verifier"
	"github.com/teeoracle/teeoracle/oracle/verifier/verifiertest"
)

// TestModuleErrorKinds: the module classifies every kind of bad input, and returns
// the same report bytes as json.Marshal of the native result.
func TestModuleErrorKinds(t *testing.T) {
	m, err := newModule(slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	report, err := os.ReadFile(filepath.Join("..", "testdata", "sev-snp", "milan-v2", "report.bin"))
	if err != nil {
		t.Fatal(err)
	}
	req := func(extra string) []byte {
		b, _ := json.Marshal(report)
		return []byte(`{"evidence":` + string(b) + `,"at":"2022-09-24T01:00:00Z"` + extra + `}`)
	}
	quote, err := os.ReadFile(filepath.Join("..", "testdata", "tdx", "spr-e4", "quote.bin"))
	if err != nil {
		t.Fatal(err)
	}
	q, _ := json.Marshal(quote)
	for _, tc := range []struct {
		name, kind string
		in         []byte
	}{
		{"not JSON", kindRequest, []byte("{")},
		{"garbage evidence", kindEvidence, []byte(`{"evidence":"AAEC","at":"2022-09-24T01:00:00Z"}`)},
		{"bad policy", kindPolicy, req(`,"policy":"` + "dmVyc2lvbjogOQo=" + `"`)},
		{"TDX without collateral", kindCollateral, []byte(`{"evidence":` + string(q) + `,"at":"2023-07-01T00:00:00Z"}`)},
		{"TDX collateral for SNP", kindCollateral, req(`,"collateral":{"tdx_dcap_qvl":"e30="}`)},
	} {
		out := m.verify(context.Background(), tc.in)
		if out.Kind != tc.kind || out.Error == "" || out.Report != nil {
			t.Errorf("%s: kind %q error %q, want kind %q", tc.name, out.Kind, out.Error, tc.kind)
		}
	}
	// Without a VCEK the report is decoded and appraised (not authentic): a verdict.
	out := m.verify(context.Background(), req(""))
	if out.Error != "" || !strings.Contains(string(out.Report), `"not_authentic"`) {
		t.Errorf("report without VCEK: %+v", out)
	}
	var vi versionInfo
	if err := json.Unmarshal(m.version(), &vi); err != nil || vi.API != APIVersion || len(vi.DefaultPolicyHash) != 66 {
		t.Errorf("version %+v (%v)", vi, err)
	}
}

// TestModuleMatchesVerifier: on every case the module's report is json.Marshal of
// the native verifier's report.
func TestModuleMatchesVerifier(t *testing.T) {
	m, err := newModule(slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range nativeFixtures(t) {
		out := m.verify(context.Background(), []byte(f.Request))
		if out.Error != "" || string(out.Report) != f.Expected {
			t.Errorf("%s: module report differs from the native one (error %q)", f.Name, out.Error)
		}
	}
}

// fixture is one case as the Node tests read it: the request's JSON and the native
// verifier's report JSON.
type fixture struct {
	Name     string `json:"name"`
	Request  string `json:"request"`
	Expected string `json:"expected"`
}

func nativeFixtures(t *testing.T) []fixture {
	t.Helper()
	set, err := verifiertest.Load("..", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if set.SharedMissing != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set: %v", set.SharedMissing)
		}
		t.Logf("testdata cases only: %v", set.SharedMissing)
	}
	m, err := newModule(slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	var out []fixture
	cases := set.Cases
	for _, c := range set.Cases {
		cases = append(cases, tampered(t, c)...)
	}
	for _, c := range cases {
		req, err := json.Marshal(c.Request)
		if err != nil {
			t.Fatal(err)
		}
		res, err := m.v.Verify(context.Background(), c.Request)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		rep, err := json.Marshal(res.Report())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fixture{Name: c.Name, Request: string(req), Expected: string(rep)})
	}
	return out
}

// tampered returns c with one bit of a signature flipped, for each signature of c's
// raw evidence and certificates that a flip reaches: the SEV-SNP report's (ECDSA
// P-384), the VCEK's or VLEK's (RSA-PSS by the ASK/ASVK), a TDX quote's and its QE
// report's (ECDSA P-256). Each must fail in the module as it fails natively, whichever
// code checks the signature (WebCrypto or Go's).
func tampered(t *testing.T, c verifiertest.Case) []verifiertest.Case {
	t.Helper()
	if !strings.HasSuffix(c.Name, "/default") && !strings.HasSuffix(c.Name, "/raw+der/default") {
		return nil
	}
	variant := func(what string, edit func(r *verifier.Request)) verifiertest.Case {
		r := *c.Request
		r.Evidence.Data = bytes.Clone(r.Evidence.Data)
		r.Certificates = slices.Clone(r.Certificates)
		edit(&r)
		return verifiertest.Case{Name: c.Name + "/tampered-" + what, Request: &r}
	}
	data := c.Request.Evidence.Data
	var out []verifiertest.Case
	if q, err := evidence.ParseTDXQuote(data); err == nil {
		sig := len(q.Signed) + 4 // after the signature data size
		out = append(out,
			variant("quote-signature", func(r *verifier.Request) { r.Evidence.Data[sig+5] ^= 1 }),
			variant("qe-report-signature", func(r *verifier.Request) { r.Evidence.Data[sig+64+64+384+40] ^= 1 }))
		return out
	}
	if len(data) != appraise.SNPReportSize || len(c.Request.Certificates) != 1 {
		return nil
	}
	out = append(out, variant("report-signature", func(r *verifier.Request) { r.Evidence.Data[0x2a0+5] ^= 1 }))
	if cert := c.Request.Certificates[0].Data; len(cert) > 0 && cert[0] == 0x30 { // DER: its signature ends it
		out = append(out, variant("certificate-signature", func(r *verifier.Request) {
			d := bytes.Clone(cert)
			d[len(d)-10] ^= 1
			r.Certificates[0].Data = d
		}))
	}
	return out
}
