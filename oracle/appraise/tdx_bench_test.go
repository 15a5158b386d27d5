package appraise

import (
	"context"
	"testing"

	"github.com/google/go-tdx-guest/abi"
	tdxtesting "github.com/google/go-tdx-guest/testing"
	tdxtestdata "github.com/google/go-tdx-guest/testing/testdata"
	tdxvalidate "github.com/google/go-tdx-guest/validate"
	tdxverify "github.com/google/go-tdx-guest/verify"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// BenchmarkVerifyTDX is our full TDX appraisal of go-tdx-guest's sample v4 quote with
// its sample collateral (parsing, PCK chain, QE report, quote signature, TCB Info, QE
// Identity, CRLs, validity, TCB status), with warm caches: what was verified before
// (chains, collateral and CRL signatures, QE report signature) is not verified again;
// the quote's own signature is verified every time.
func BenchmarkVerifyTDX(b *testing.B) {
	a := mustTDX(b, TDXConfig{Collateral: v4Collateral(b)})
	ev := &evidence.Evidence{TEE: evidence.TEETDX, Raw: tdxtestdata.RawQuote}
	ctx := context.Background()
	if app, err := a.Appraise(ctx, ev, v4AsOf); err != nil || !app.Authentic {
		b.Fatalf("appraise: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Appraise(ctx, ev, v4AsOf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLibraryTDX calls go-tdx-guest as a user would on the same quote:
// abi.QuoteToProto, verify.TdxQuote with collateral and revocation checks from the
// library's local test getter, then validate.TdxQuote. The library fails the quote's
// OutOfDate TCB at the end of verification, after every signature has been checked,
// so the work measured is the full verification.
func BenchmarkLibraryTDX(b *testing.B) {
	quietTDXLibrary()
	ctx := context.Background()
	_ = ctx
	b.ReportAllocs()
	for b.Loop() {
		q, err := abi.QuoteToProto(tdxtestdata.RawQuote)
		if err != nil {
			b.Fatal(err)
		}
		opts := &tdxverify.Options{GetCollateral: true, CheckRevocations: true, Getter: tdxtesting.TestGetter, Now: v4AsOf}
		if err := tdxverify.TdxQuote(q, opts); err == nil {
			b.Fatal("library accepted the OutOfDate sample")
		}
		_ = tdxvalidate.TdxQuote(q, &tdxvalidate.Options{})
	}
}

// BenchmarkVerifyTDXParallel is BenchmarkVerifyTDX on every core.
func BenchmarkVerifyTDXParallel(b *testing.B) {
	a := mustTDX(b, TDXConfig{Collateral: v4Collateral(b)})
	ev := &evidence.Evidence{TEE: evidence.TEETDX, Raw: tdxtestdata.RawQuote}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := a.Appraise(context.Background(), ev, v4AsOf); err != nil {
				b.Error(err)
			}
		}
	})
}
