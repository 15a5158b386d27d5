package verifier_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/verifier"
	"github.com/teeoracle/teeoracle/oracle/verifier/verifiertest"
)

func benchCase(b *testing.B, name string) verifiertest.Case {
	b.Helper()
	set, err := verifiertest.Load(repoRoot, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range set.Cases {
		if c.Name == name {
			return c
		}
	}
	b.Skipf("case %s not loaded (%v)", name, set.SharedMissing)
	return verifiertest.Case{}
}

// benchVerify measures one request from bytes to report: each Verify builds its
// appraiser from the request's collateral, so no signature check is cached between
// requests, as in a browser verifying one machine. Parsed certificates, CRLs, TCB
// Info and QE Identity bodies and policy hashes are remembered process-wide by their
// bytes (internal/x509memo, appraise), so repeating one request finds them parsed.
func benchVerify(b *testing.B, name string) {
	c := benchCase(b, name)
	v := newVerifier(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(context.Background(), c.Request); err != nil {
			b.Fatal(err)
		}
	}
}

// benchVerifyJSON is what the WebAssembly entry point does: parse the request JSON,
// verify, encode the report.
func benchVerifyJSON(b *testing.B, name string) {
	c := benchCase(b, name)
	data, err := json.Marshal(c.Request)
	if err != nil {
		b.Fatal(err)
	}
	v := newVerifier(b)
	b.ReportAllocs()
	for b.Loop() {
		req, err := verifier.ParseRequest(data)
		if err != nil {
			b.Fatal(err)
		}
		res, err := v.Verify(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(res.Report()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifySNP(b *testing.B)      { benchVerify(b, "snp-milan-v2/raw+der/default") }
func BenchmarkVerifySNPTurin(b *testing.B) { benchVerify(b, "snp-turin/default") }
func BenchmarkVerifyTDX(b *testing.B)      { benchVerify(b, "tdx-v5-outdated/default") }
func BenchmarkVerifyTDXv4(b *testing.B)    { benchVerify(b, "tdx-spr-e4/pcs/default") }
func BenchmarkVerifyJSONSNP(b *testing.B)  { benchVerifyJSON(b, "snp-milan-v2/raw+der/default") }
func BenchmarkVerifyJSONTDX(b *testing.B)  { benchVerifyJSON(b, "tdx-v5-outdated/default") }
func BenchmarkNewVerifier(b *testing.B) {
	for b.Loop() {
		if _, err := verifier.New(verifier.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
