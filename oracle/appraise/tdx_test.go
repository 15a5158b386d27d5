package appraise

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-tdx-guest/abi"
	"github.com/google/go-tdx-guest/pcs"
	tdxtesting "github.com/google/go-tdx-guest/testing"
	tdxtestdata "github.com/google/go-tdx-guest/testing/testdata"
	tdxverify "github.com/google/go-tdx-guest/verify"
	"github.com/google/logger"

	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

var (
	// Times at which the real vectors' collateral is valid.
	v5AsOf = time.Date(2026, 2, 19, 0, 0, 0, 0, time.UTC)
	v4AsOf = time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)
)

// tdxVectorPath resolves ../shared/vectors/<rel> from the repository root; it skips
// when the folder is absent, except under CI.
func tdxVectorPath(t testing.TB, rel string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "vectors", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared vector %s missing under CI: %v", p, err)
		}
		t.Skipf("shared vectors not present (%v); skipping", err)
	}
	return p
}

func v5Vector(t testing.TB) ([]byte, *collateral.TDXCollateral) {
	t.Helper()
	raw, err := os.ReadFile(tdxVectorPath(t, "tdx-v5-outdated/quote.bin"))
	if err != nil {
		t.Fatal(err)
	}
	col, err := collateral.LoadDcapQVL(tdxVectorPath(t, "tdx-v5-outdated/collateral.json"))
	if err != nil {
		t.Fatal(err)
	}
	return raw, col
}

// v4Collateral is go-tdx-guest's sample collateral, fetched through our PCS fetcher
// from the library's own test getter.
func v4Collateral(t testing.TB) *collateral.TDXCollateral {
	t.Helper()
	col, err := (&collateral.PCSFetcher{Getter: tdxtesting.TestGetter}).FetchTDX(context.Background(), "50806f000000", "platform")
	if err != nil {
		t.Fatal(err)
	}
	return col
}

func mustTDX(t testing.TB, cfg TDXConfig) *TDXAppraiser {
	t.Helper()
	a, err := NewTDX(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func tdxCheckDetail(app *Appraisal, name string) string {
	for _, c := range app.Checks {
		if c.Name == name {
			return c.Detail
		}
	}
	return ""
}

func tdxOutcome(app *Appraisal, name string) Outcome {
	for _, c := range app.Checks {
		if c.Name == name {
			return c.Outcome
		}
	}
	return ""
}

func assertAllPass(t *testing.T, app *Appraisal) {
	t.Helper()
	for _, c := range app.Checks {
		if c.Outcome != Pass {
			t.Errorf("check %s = %s: %s", c.Name, c.Outcome, c.Detail)
		}
	}
	if !app.Authentic {
		t.Errorf("Authentic = false")
	}
}

func TestTDXRealV5(t *testing.T) {
	raw, col := v5Vector(t)
	a := mustTDX(t, TDXConfig{Collateral: col})
	app, err := a.Appraise(t.Context(), &evidence.Evidence{TEE: evidence.TEETDX, Raw: raw}, v5AsOf)
	if err != nil {
		t.Fatal(err)
	}
	assertAllPass(t, app)
	// The platform's CPUSVN component 7 (SEAMLDR ACM) is 3 and every TCB level of its
	// collateral asks for 5: no level matches (Intel's QVL: TCB_NOT_SUPPORTED; dcap-qvl,
	// the vector's source, fails it with "No matching TCB level found"). The lowest
	// level's advisories do not describe it.
	if app.TCBStatus != TCBUnknown {
		t.Errorf("TCB status %v, want Unknown", app.TCBStatus)
	}
	if d := tdxCheckDetail(app, CheckTDXTCBStatus); !strings.Contains(d, "platform (CPUSVN 03030202040100030000000000000000, PCESVN 13, TEE_TCB_SVN 07010300000000000000000000000000) below every TCB level") {
		t.Errorf("TCB status detail %q does not name the platform below every level", d)
	}
	for _, id := range []string{"INTEL-SA-00837", "INTEL-SA-01111"} {
		if slices.Contains(app.AdvisoryIDs, id) {
			t.Errorf("advisories %v hold %s, of a level that does not match", app.AdvisoryIDs, id)
		}
	}
	if app.TCBEvaluationNumber != 18 || app.TCBDate == nil {
		t.Errorf("evaluation %d, date %v", app.TCBEvaluationNumber, app.TCBDate)
	}
	f := app.TDX
	if f.QuoteVersion != 5 || f.BodyType != 3 || f.FMSPC != "90C06F000000" || f.PCESVN != 13 || f.QETCBStatus != TCBUpToDate {
		t.Errorf("facts %+v", f)
	}
	if want := uint64(18)<<32 | 13<<16 | 7<<8 | 1; app.CompactTCB != want {
		t.Errorf("compact TCB %#x, want %#x", app.CompactTCB, want)
	}
	if app.Debug {
		t.Errorf("debug set for a production TD")
	}
	kinds := map[string]bool{}
	for _, c := range app.Collateral {
		kinds[c.Kind] = true
		if len(c.Hash) != 32 {
			t.Errorf("%s hash %x", c.Kind, c.Hash)
		}
		if c.Kind != "tcb_info_signing_cert" && c.NextUpdate == nil {
			t.Errorf("%s has no next update", c.Kind)
		}
		// A policy's maximum collateral age reads IssuedAt: every dated item has one,
		// no later than the appraisal time.
		if c.Kind != "tcb_info_signing_cert" && (c.IssuedAt == nil || c.IssuedAt.After(v5AsOf) || !c.IssuedAt.Before(*c.NextUpdate)) {
			t.Errorf("%s issued at %v (next update %v, as of %v)", c.Kind, c.IssuedAt, c.NextUpdate, v5AsOf)
		}
	}
	for _, k := range []string{"tcb_info", "qe_identity", "pck_crl", "root_ca_crl"} {
		if !kinds[k] {
			t.Errorf("collateral %s not recorded", k)
		}
	}
}

func TestTDXRealV4LibrarySample(t *testing.T) {
	a := mustTDX(t, TDXConfig{Collateral: v4Collateral(t)})
	app, err := a.Appraise(t.Context(), &evidence.Evidence{TEE: evidence.TEETDX, Raw: tdxtestdata.RawQuote}, v4AsOf)
	if err != nil {
		t.Fatal(err)
	}
	assertAllPass(t, app)
	// The sample TCB Info's levels are all above the quote's platform (go-tdx-guest:
	// "no matching TCB level found"), so the status is Unknown, with no advisories.
	if app.TCBStatus != TCBUnknown || app.TCBEvaluationNumber != 15 || len(app.AdvisoryIDs) != 0 {
		t.Errorf("status %v, evaluation %d, advisories %v; want Unknown, 15, none", app.TCBStatus, app.TCBEvaluationNumber, app.AdvisoryIDs)
	}
	if app.TDX.QuoteVersion != 4 || app.TDX.FMSPC != "50806F000000" {
		t.Errorf("facts %+v", app.TDX)
	}
}

// quietTDXLibrary stops go-tdx-guest's verify package writing warnings to stdout
// (its init points github.com/google/logger at os.Stdout).
func quietTDXLibrary() { logger.Init("", false, false, io.Discard) }

// TestTDXLibraryGap shows what go-tdx-guest v0.3.1 does with the same quote and
// collateral: it fails anything not UpToDate (here: no TCB level matches) and reports
// no status or evaluation number; our appraisal is authentic and reports the status,
// Unknown, for the policy to refuse.
func TestTDXLibraryGap(t *testing.T) {
	quietTDXLibrary()
	q, err := abi.QuoteToProto(tdxtestdata.RawQuote)
	if err != nil {
		t.Fatal(err)
	}
	libErr := tdxverify.TdxQuote(q, &tdxverify.Options{GetCollateral: true, CheckRevocations: true, Getter: tdxtesting.TestGetter, Now: v4AsOf})
	if libErr == nil {
		t.Fatalf("go-tdx-guest accepted an OutOfDate platform; the gap may be closed")
	}
	if !strings.Contains(libErr.Error(), "TCB") {
		t.Logf("library error: %v", libErr)
	}
	a := mustTDX(t, TDXConfig{Collateral: v4Collateral(t)})
	app, err := a.Appraise(t.Context(), &evidence.Evidence{TEE: evidence.TEETDX, Raw: tdxtestdata.RawQuote}, v4AsOf)
	if err != nil {
		t.Fatal(err)
	}
	if !app.Authentic || app.TCBStatus != TCBUnknown || app.TCBEvaluationNumber != 15 {
		t.Errorf("ours: authentic %v, status %v, evaluation %d; want authentic, Unknown, 15", app.Authentic, app.TCBStatus, app.TCBEvaluationNumber)
	}
	// With revocation and collateral checks off, the library verifies the chain: the
	// quote is genuine; only its TCB policy differs from ours.
	if err := tdxverify.TdxQuote(q, &tdxverify.Options{Now: v4AsOf}); err != nil {
		t.Errorf("library without collateral: %v", err)
	}
}

// TestIntelRootMatchesLibrary checks our copy of Intel's root is the one go-tdx-guest
// trusts: the library (embedded root, TrustedRoots nil) accepts the sample's chain,
// whose root certificate is byte-equal to ours.
func TestIntelRootMatchesLibrary(t *testing.T) {
	quietTDXLibrary()
	q, _ := abi.QuoteToProto(tdxtestdata.RawQuote)
	if err := tdxverify.TdxQuote(q, &tdxverify.Options{Now: v4AsOf}); err != nil {
		t.Fatalf("library rejects the sample chain with its embedded root: %v", err)
	}
	pq, _ := evidence.ParseTDXQuote(tdxtestdata.RawQuote)
	chain := verifyPCKChain(GoSignatures{}, pq.PCKChain, IntelSGXRootCA())
	if chain.err != nil {
		t.Fatal(chain.err)
	}
	if !strings.Contains(string(pq.PCKChain), strings.TrimSpace(strings.SplitN(intelSGXRootCAPEM, "\n", 3)[1])) {
		t.Errorf("sample chain's root differs from our Intel root")
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x01
	return c
}

func TestTDXForgeryMatrix(t *testing.T) {
	raw, col := v5Vector(t)
	q, err := evidence.ParseTDXQuote(raw)
	if err != nil {
		t.Fatal(err)
	}
	sigOff := len(q.Signed) + 4 // signature data starts after its u32 size
	leafStart := strings.Index(string(raw), "-----BEGIN CERTIFICATE-----")
	otherRoot := newTDXTestPKI(t).root

	tcbFlipped := *col
	tcbFlipped.TCBInfo.Signature = flip(col.TCBInfo.Signature, 10)
	qeFlipped := *col
	qeFlipped.QEIdentity.Body = []byte(strings.Replace(string(col.QEIdentity.Body), `"isvprodid":2`, `"isvprodid":3`, 1))
	v4col := v4Collateral(t)

	pckCRLFlipped := *col
	pckCRLFlipped.PCKCRL = flip(col.PCKCRL, len(col.PCKCRL)-5)
	rootCRLFlipped := *col
	rootCRLFlipped.RootCACRL = flip(col.RootCACRL, len(col.RootCACRL)-5)
	qeChainFlipped := *col
	qeChainFlipped.QEIdentity.IssuerChain = [][]byte{flip(col.QEIdentity.IssuerChain[0], len(col.QEIdentity.IssuerChain[0])-5)}

	// collateralFault: the failure is the collateral's (Appraisal.CollateralFault),
	// not the quote's own; the node counts only the quote's against the machine.
	tests := []struct {
		name            string
		raw             []byte
		col             *collateral.TDXCollateral
		root            bool // use a self-made root instead of Intel's
		asOf            time.Time
		check           string
		wantErr         error
		collateralFault bool
	}{
		{"quote signature bit", flip(raw, sigOff+5), col, false, v5AsOf, CheckTDXQuoteSignature, ErrTDXSignature, false},
		{"body bit (MRTD)", flip(raw, evidence.TDXHeaderSize+6+0x88), col, false, v5AsOf, CheckTDXQuoteSignature, ErrTDXSignature, false},
		{"report data bit", flip(raw, evidence.TDXHeaderSize+6+0x208), col, false, v5AsOf, CheckTDXQuoteSignature, ErrTDXSignature, false},
		{"header bit", flip(raw, 0x20), col, false, v5AsOf, CheckTDXQuoteSignature, ErrTDXSignature, false},
		{"attestation key bit", flip(raw, sigOff+64+63), col, false, v5AsOf, CheckTDXQEReportData, ErrTDXQEReportData, false},
		{"QE report bit", flip(raw, sigOff+128+6+0x30), col, false, v5AsOf, CheckTDXQEReportSignature, ErrTDXSignature, false},
		{"PCK certificate bit", pemFlip(t, raw, leafStart), col, false, v5AsOf, CheckTDXPCKChain, ErrTDXChain, false},
		{"self-made root", raw, col, true, v5AsOf, CheckTDXPCKChain, ErrTDXChain, false},
		{"collateral expired", raw, col, false, time.Date(2026, 3, 21, 0, 0, 0, 0, time.UTC), CheckTDXCollateralValidity, ErrTDXExpired, true},
		{"collateral not yet valid", raw, col, false, time.Date(2026, 2, 18, 10, 0, 0, 0, time.UTC), CheckTDXCollateralValidity, ErrTDXNotYetValid, true},
		{"TCB Info signature bit", raw, &tcbFlipped, false, v5AsOf, CheckTDXTCBInfo, ErrTDXSignature, true},
		{"QE Identity body edited", raw, &qeFlipped, false, v5AsOf, CheckTDXQEIdentity, ErrTDXSignature, true},
		{"QE Identity issuer chain bit", raw, &qeChainFlipped, false, v5AsOf, CheckTDXQEIdentity, ErrTDXChain, true},
		{"PCK CRL signature bit", raw, &pckCRLFlipped, false, v5AsOf, CheckTDXPCKCRL, ErrTDXSignature, true},
		{"root CA CRL signature bit", raw, &rootCRLFlipped, false, v5AsOf, CheckTDXRootCRL, ErrTDXSignature, true},
		{"FMSPC mismatch", raw, v4col, false, v5AsOf, CheckTDXTCBInfo, ErrTDXFMSPCMismatch, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := TDXConfig{Collateral: tc.col}
			if tc.root {
				cfg.Root = otherRoot
			}
			a := mustTDX(t, cfg)
			app, errs, err := a.appraise(t.Context(), tc.raw, tc.asOf)
			if err != nil {
				t.Fatalf("appraise: %v", err)
			}
			if app.Authentic {
				t.Errorf("forgery appraised authentic")
			}
			if got := tdxOutcome(app, tc.check); got != Fail {
				t.Errorf("%s = %q, want fail; checks %+v", tc.check, got, app.Checks)
			}
			if !errors.Is(errs[tc.check], tc.wantErr) {
				t.Errorf("%s error %v, want %v", tc.check, errs[tc.check], tc.wantErr)
			}
			if app.CollateralFault != tc.collateralFault {
				t.Errorf("CollateralFault = %v, want %v; checks %+v", app.CollateralFault, tc.collateralFault, app.Checks)
			}
		})
	}
}

// pemFlip flips a bit in the DER of the first certificate of the PEM chain at off
// (inside its signature value, so it still parses) and re-encodes it.
func pemFlip(t *testing.T, raw []byte, off int) []byte {
	t.Helper()
	q, _ := evidence.ParseTDXQuote(raw)
	chain := verifyPCKChain(GoSignatures{}, q.PCKChain, IntelSGXRootCA())
	der := append([]byte(nil), chain.leaf.Raw...)
	der[len(der)-5] ^= 0x01
	newPEM := string(pemCertsDER(der))
	oldPEM := string(pemCertsDER(chain.leaf.Raw))
	out := strings.Replace(string(raw), oldPEM, newPEM, 1)
	if out == string(raw) {
		t.Fatalf("PCK certificate PEM not found at %d", off)
	}
	return []byte(out)
}

func TestTDXMalformed(t *testing.T) {
	raw, col := v5Vector(t)
	a := mustTDX(t, TDXConfig{Collateral: col})
	for _, b := range [][]byte{raw[:evidence.TDXHeaderSize+6+evidence.TDXBody15Size-1], raw[:100], nil} {
		_, err := a.Appraise(t.Context(), &evidence.Evidence{TEE: evidence.TEETDX, Raw: b}, v5AsOf)
		if !errors.Is(err, ErrMalformed) || !errors.Is(err, evidence.ErrTDXQuote) {
			t.Errorf("truncated %d bytes: err = %v, want ErrMalformed and ErrTDXQuote", len(b), err)
		}
	}
	if _, err := a.Appraise(t.Context(), &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: raw}, v5AsOf); !errors.Is(err, ErrMalformed) {
		t.Errorf("SNP evidence: err = %v", err)
	}
}

func TestTDXTestPKI(t *testing.T) {
	p := newTDXTestPKI(t)
	from, until := time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 8, 1, 0, 0, 0, 0, time.UTC)
	good := p.collateral(t, nil, from, until)
	debugBody := func(b []byte) { b[0x78] |= 1 } // TD_ATTRIBUTES bit 0: DEBUG

	t.Run("genuine v4 and v5", func(t *testing.T) {
		a := mustTDX(t, TDXConfig{Root: p.root, Collateral: good})
		for _, v := range []uint16{4, 5} {
			app, err := a.Appraise(t.Context(), &evidence.Evidence{TEE: evidence.TEETDX, Raw: p.quote(t, v, nil)}, v4AsOf)
			if err != nil {
				t.Fatal(err)
			}
			assertAllPass(t, app)
			if app.TDX.QuoteVersion != v {
				t.Errorf("version %d", app.TDX.QuoteVersion)
			}
		}
		// Intel's production root does not accept the test PKI.
		app, _ := mustTDX(t, TDXConfig{Collateral: good}).Appraise(t.Context(), &evidence.Evidence{Raw: p.quote(t, 4, nil)}, v4AsOf)
		if app.Authentic || tdxOutcome(app, CheckTDXPCKChain) != Fail {
			t.Errorf("test PKI accepted under Intel's root")
		}
	})
	t.Run("debug TD recorded", func(t *testing.T) {
		a := mustTDX(t, TDXConfig{Root: p.root, Collateral: good})
		app, err := a.Appraise(t.Context(), &evidence.Evidence{Raw: p.quote(t, 5, debugBody)}, v4AsOf)
		if err != nil {
			t.Fatal(err)
		}
		if !app.Debug || !app.Authentic {
			t.Errorf("debug %v authentic %v: a debug TD is genuine, and recorded as debug", app.Debug, app.Authentic)
		}
	})
	t.Run("revoked PCK", func(t *testing.T) {
		col := p.collateral(t, nil, from, until, big.NewInt(7), p.leaf.SerialNumber)
		a := mustTDX(t, TDXConfig{Root: p.root, Collateral: col})
		app, errs, err := a.appraise(t.Context(), p.quote(t, 4, nil), v4AsOf)
		if err != nil {
			t.Fatal(err)
		}
		if app.Authentic || !errors.Is(errs[CheckTDXPCKCRL], ErrTDXRevoked) || app.TCBStatus != TCBRevoked {
			t.Errorf("authentic %v, pck_crl err %v, status %v", app.Authentic, errs[CheckTDXPCKCRL], app.TCBStatus)
		}
		if app.CollateralFault {
			t.Error("a revoked PCK certificate taken for a fault of the collateral")
		}
	})
	// The root CA CRL revoking the PCK CA is the evidence's fault; revoking the TCB
	// signing certificate of the collateral, the collateral's.
	for _, tc := range []struct {
		name            string
		serial          *big.Int
		collateralFault bool
	}{
		{"root CRL revokes the PCK CA", p.ca.SerialNumber, false},
		{"root CRL revokes the TCB signer", p.tcbSigner.SerialNumber, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			col := *good
			der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(2), ThisUpdate: from, NextUpdate: until,
				RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: tc.serial, RevocationTime: from}}}, p.root, p.rootKey)
			if err != nil {
				t.Fatal(err)
			}
			col.RootCACRL = der
			app, errs, _ := mustTDX(t, TDXConfig{Root: p.root, Collateral: &col}).appraise(t.Context(), p.quote(t, 4, nil), v4AsOf)
			if app.Authentic || !errors.Is(errs[CheckTDXRootCRL], ErrTDXRevoked) || app.CollateralFault != tc.collateralFault {
				t.Errorf("authentic %v, root_crl err %v, collateral fault %v (want %v)", app.Authentic, errs[CheckTDXRootCRL], app.CollateralFault, tc.collateralFault)
			}
		})
	}
	t.Run("PCK CRL expired", func(t *testing.T) {
		col := p.collateral(t, nil, from, time.Date(2023, 6, 20, 0, 0, 0, 0, time.UTC))
		app, errs, _ := mustTDX(t, TDXConfig{Root: p.root, Collateral: col}).appraise(t.Context(), p.quote(t, 4, nil), v4AsOf)
		if app.Authentic || !errors.Is(errs[CheckTDXCollateralValidity], ErrTDXExpired) || !app.CollateralFault {
			t.Errorf("authentic %v, validity err %v, collateral fault %v", app.Authentic, errs[CheckTDXCollateralValidity], app.CollateralFault)
		}
	})
	t.Run("FMSPC case-insensitive", func(t *testing.T) {
		col := p.collateral(t, func(m *map[string]any) { (*m)["fmspc"] = "50806F000000" }, from, until)
		app, _ := mustTDX(t, TDXConfig{Root: p.root, Collateral: col}).Appraise(t.Context(), &evidence.Evidence{Raw: p.quote(t, 4, nil)}, v4AsOf)
		assertAllPass(t, app)
	})
	t.Run("FMSPC mismatch", func(t *testing.T) {
		col := p.collateral(t, func(m *map[string]any) { (*m)["fmspc"] = "00906ED50000" }, from, until)
		app, errs, _ := mustTDX(t, TDXConfig{Root: p.root, Collateral: col}).appraise(t.Context(), p.quote(t, 4, nil), v4AsOf)
		if app.Authentic || !errors.Is(errs[CheckTDXTCBInfo], ErrTDXFMSPCMismatch) {
			t.Errorf("authentic %v, tcb_info err %v", app.Authentic, errs[CheckTDXTCBInfo])
		}
	})
	t.Run("UpToDate level", func(t *testing.T) {
		// Lower the first level to the sample platform's SVNs: it now matches.
		col := p.collateral(t, func(m *map[string]any) {
			lv := (*m)["tcbLevels"].([]any)[0].(map[string]any)["tcb"].(map[string]any)
			for i, c := range lv["sgxtcbcomponents"].([]any) {
				c.(map[string]any)["svn"] = []int{3, 3, 2, 2, 2, 1, 0, 2}[min(i, 7)] * btoi(i < 8)
			}
			lv["tdxtcbcomponents"].([]any)[2].(map[string]any)["svn"] = 4 // TEE_TCB_SVN[2] of the sample
		}, from, until)
		app, _ := mustTDX(t, TDXConfig{Root: p.root, Collateral: col}).Appraise(t.Context(), &evidence.Evidence{Raw: p.quote(t, 4, nil)}, v4AsOf)
		assertAllPass(t, app)
		if app.TCBStatus != TCBUpToDate || len(app.AdvisoryIDs) != 0 {
			t.Errorf("status %v advisories %v, want UpToDate", app.TCBStatus, app.AdvisoryIDs)
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestTDXTCBStatusConvergence(t *testing.T) {
	var zero [16]byte
	high := [16]byte{9, 9, 9, 9, 9, 9, 9, 9}
	mk := func(platform pcs.TcbComponentStatus, module pcs.TcbComponentStatus, qe pcs.TcbComponentStatus) (*pcs.TcbInfo, *pcs.EnclaveIdentity) {
		ti := &pcs.TcbInfo{TcbEvaluationDataNumber: 17, TcbLevels: []pcs.TcbLevel{
			testTCBLevel(high, high, 99, pcs.TcbComponentStatusUpToDate, "2025-01-01T00:00:00Z"),
			testTCBLevel(zero, zero, 0, platform, "2024-01-01T00:00:00Z", "INTEL-SA-1"),
		}}
		ti.TdxModule.Mrsigner.Bytes = make([]byte, 48)
		ti.TdxModule.Attributes.Bytes = make([]byte, 8)
		ti.TdxModule.AttributesMask.Bytes = make([]byte, 8)
		mod := pcs.TdxModuleIdentity{ID: "tdx_01", Mrsigner: ti.TdxModule.Mrsigner, Attributes: ti.TdxModule.Attributes, AttributesMask: ti.TdxModule.AttributesMask}
		ml := pcs.TcbLevel{TcbStatus: module, TcbDate: "2023-06-01T00:00:00Z", AdvisoryIDs: []string{"INTEL-SA-2"}}
		ml.Tcb.Isvsvn = 2
		mod.TcbLevels = []pcs.TcbLevel{ml}
		ti.TdxModuleIdentities = []pcs.TdxModuleIdentity{mod}
		ql := pcs.TcbLevel{TcbStatus: qe, TcbDate: "2024-06-01T00:00:00Z", AdvisoryIDs: []string{"INTEL-SA-1"}}
		ql.Tcb.Isvsvn = 1
		return ti, &pcs.EnclaveIdentity{TcbLevels: []pcs.TcbLevel{ql}}
	}
	q := &evidence.TDXQuote{}
	q.Body.TEETCBSVN = [16]byte{3, 1} // module 1.3
	q.QEReport.ISVSVN = 4
	ext := &pcs.PckExtensions{TCB: pcs.PckCertTCB{PCESvn: 11, CPUSvnComponents: make([]byte, 16)}}
	const (
		up   = pcs.TcbComponentStatusUpToDate
		ood  = pcs.TcbComponentStatusOutOfDate
		cfg  = pcs.TcbComponentStatusConfigurationNeeded
		sw   = pcs.TcbComponentStatusSwHardeningNeeded
		cfsw = pcs.TcbComponentStatusConfigurationAndSWHardeningNeeded
		rev  = pcs.TcbComponentStatusRevoked
	)
	tests := []struct {
		platform, module, qe pcs.TcbComponentStatus
		want                 TCBStatus
	}{
		{up, up, up, TCBUpToDate},
		{sw, up, up, TCBSWHardeningNeeded},
		{cfg, up, up, TCBConfigurationNeeded},
		{cfsw, up, up, TCBConfigurationAndSWHardeningNeeded},
		{ood, up, up, TCBOutOfDate},
		{up, ood, up, TCBOutOfDate},
		{cfg, ood, up, TCBOutOfDateConfigurationNeeded},
		{cfsw, up, ood, TCBOutOfDateConfigurationNeeded},
		{sw, ood, up, TCBOutOfDate},
		{up, rev, up, TCBRevoked},
		{rev, up, up, TCBRevoked},
		{up, up, rev, TCBRevoked},
	}
	for _, tc := range tests {
		ti, qe := mk(tc.platform, tc.module, tc.qe)
		st, err := tdxTCBStatus(ti, q, ext, qe)
		if err != nil {
			t.Fatalf("%s/%s/%s: %v", tc.platform, tc.module, tc.qe, err)
		}
		if st.status != tc.want {
			t.Errorf("platform %s, module %s, QE %s: %v, want %v", tc.platform, tc.module, tc.qe, st.status, tc.want)
		}
		if !slices.Equal(st.advisories, []string{"INTEL-SA-1", "INTEL-SA-2"}) {
			t.Errorf("advisories %v, want the union without duplicates", st.advisories)
		}
		if st.date == nil || st.date.Format("2006-01-02") != "2023-06-01" {
			t.Errorf("TCB date %v, want the earliest contributing level's", st.date)
		}
	}
	// A module whose major version has no identity is a mismatch, not a status.
	ti, qe := mk(up, up, up)
	q.Body.TEETCBSVN[1] = 2
	if _, err := tdxTCBStatus(ti, q, ext, qe); !errors.Is(err, ErrTDXModuleMismatch) {
		t.Errorf("unknown module major: err %v, want ErrTDXModuleMismatch", err)
	}
	q.Body.TEETCBSVN[1] = 1
	q.Body.MRSignerSEAM[0] = 1
	if _, err := tdxTCBStatus(ti, q, ext, qe); !errors.Is(err, ErrTDXModuleMismatch) {
		t.Errorf("module signer: err %v, want ErrTDXModuleMismatch", err)
	}
}

func TestTDXConcurrent(t *testing.T) {
	raw, col := v5Vector(t)
	a := mustTDX(t, TDXConfig{Collateral: col})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			app, err := a.Appraise(context.Background(), &evidence.Evidence{Raw: raw}, v5AsOf)
			if err == nil && (!app.Authentic || app.TCBStatus != TCBUnknown) {
				err = errors.New("concurrent appraisal differs")
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestNewTDXRequiresCollateral(t *testing.T) {
	if _, err := NewTDX(TDXConfig{}); !errors.Is(err, ErrRoots) {
		t.Errorf("err = %v", err)
	}
}

// TestTDXEvidenceHashCanonical: the appraisal (and so the verdict) carries the
// evidence's canonical hash (docs/evidence.md), as for SEV-SNP, also for evidence
// built by hand with an unknown TEE.
func TestTDXEvidenceHashCanonical(t *testing.T) {
	a := mustTDX(t, TDXConfig{Collateral: v4Collateral(t)})
	ev := &evidence.Evidence{TEE: evidence.TEETDX, Raw: tdxtestdata.RawQuote}
	want := ev.Hash()
	for _, in := range []*evidence.Evidence{ev, {TEE: evidence.TEEUnknown, Raw: tdxtestdata.RawQuote}} {
		app, err := a.Appraise(t.Context(), in, v4AsOf)
		if err != nil {
			t.Fatal(err)
		}
		if string(app.EvidenceHash) != string(want[:]) {
			t.Errorf("EvidenceHash = %x, want the canonical hash %x", app.EvidenceHash, want)
		}
	}
}

// TestParsedBodiesShared: a TCB Info parsed before comes back from parsedBodies as
// the same value with the same dates as a fresh parse; a QE Identity with the same
// bytes is not mistaken for it (the kind is in the key), and a body that fails to
// parse fails again, not kept.
func TestParsedBodiesShared(t *testing.T) {
	col := v4Collateral(t)
	body := col.TCBInfo.Body
	want, wantIssued, wantNext, err := parseTCBInfo(body)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _, err := parseSignedBody("TCB Info", body, parseTCBInfo)
	if err != nil {
		t.Fatal(err)
	}
	again, issued, next, err := parseSignedBody("TCB Info", bytes.Clone(body), parseTCBInfo)
	if err != nil {
		t.Fatal(err)
	}
	if again != first || !reflect.DeepEqual(again, want) || !issued.Equal(wantIssued) || !next.Equal(wantNext) {
		t.Fatalf("remembered TCB Info differs from a fresh parse (issued %v/%v, next %v/%v)", issued, wantIssued, next, wantNext)
	}
	if _, _, _, err := parseSignedBody("QE Identity", body, parseQEIdentity); err == nil {
		t.Fatal("a TCB Info body parsed as a QE Identity")
	}
	bad := []byte(`{"id":"TDX","version":3,"tcbLevels":[]}`)
	for range 2 {
		if _, _, _, err := parseSignedBody("TCB Info", bad, parseTCBInfo); err == nil || !strings.Contains(err.Error(), "no TCB levels") {
			t.Fatalf("TCB Info without levels: %v", err)
		}
	}
	if _, ok := parsedBodies.get("TCB Info\x00" + string(bad)); ok {
		t.Error("a body that failed to parse was kept")
	}
}

// TestTDXWithoutCaches: an appraiser made with CacheEntries < 0 keeps nothing and
// appraises the real v5 quote exactly as a caching one, and fails a quote with a
// flipped signature bit the same way, on every call.
func TestTDXWithoutCaches(t *testing.T) {
	raw, col := v5Vector(t)
	plain := mustTDX(t, TDXConfig{Collateral: col, CacheEntries: -1})
	if plain.pck != nil || plain.signed != nil || plain.crls != nil || plain.qeSigs != nil {
		t.Fatal("an appraiser without caches has caches")
	}
	cached := mustTDX(t, TDXConfig{Collateral: col})
	bad := bytes.Clone(raw)
	// The quote's signature follows the header (48 bytes), the v5 body descriptor (6)
	// and the TD 1.5 body (648), after its 4-byte length.
	bad[48+6+648+4+5] ^= 1
	for _, q := range [][]byte{raw, bad, raw} {
		want, err := cached.Appraise(t.Context(), &evidence.Evidence{TEE: evidence.TEETDX, Raw: q}, v5AsOf)
		if err != nil {
			t.Fatal(err)
		}
		got, err := plain.Appraise(t.Context(), &evidence.Evidence{TEE: evidence.TEETDX, Raw: q}, v5AsOf)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("appraisal without caches differs:\n%+v\nwant\n%+v", got.Checks, want.Checks)
		}
	}
	got, _ := plain.Appraise(t.Context(), &evidence.Evidence{TEE: evidence.TEETDX, Raw: bad}, v5AsOf)
	if tdxOutcome(got, CheckTDXQuoteSignature) != Fail || got.Authentic {
		t.Errorf("flipped quote signature: %v, authentic %v", tdxOutcome(got, CheckTDXQuoteSignature), got.Authentic)
	}
}

// TestTDXTCBStatusBelowEveryLevel: a platform, TDX module or QE below every level
// Intel lists (Intel's QVL: TCB_NOT_SUPPORTED) is Unknown, never a status of the
// lowest level, and only the levels that matched add advisories.
func TestTDXTCBStatusBelowEveryLevel(t *testing.T) {
	mid := [16]byte{5, 5, 5, 5, 5, 5, 5, 5}
	high := [16]byte{9, 9, 9, 9, 9, 9, 9, 9}
	ood := pcs.TcbComponentStatusOutOfDate
	up := pcs.TcbComponentStatusUpToDate
	mk := func() (*pcs.TcbInfo, *pcs.EnclaveIdentity) {
		ti := &pcs.TcbInfo{TcbLevels: []pcs.TcbLevel{
			testTCBLevel(high, high, 20, up, "2025-01-01T00:00:00Z"),
			testTCBLevel(mid, mid, 10, ood, "2024-01-01T00:00:00Z", "INTEL-SA-P"),
		}}
		ti.TdxModule.Mrsigner.Bytes = make([]byte, 48)
		ti.TdxModule.Attributes.Bytes = make([]byte, 8)
		ti.TdxModule.AttributesMask.Bytes = make([]byte, 8)
		mod := pcs.TdxModuleIdentity{ID: "TDX_01", Mrsigner: ti.TdxModule.Mrsigner, Attributes: ti.TdxModule.Attributes, AttributesMask: ti.TdxModule.AttributesMask}
		ml := pcs.TcbLevel{TcbStatus: ood, TcbDate: "2023-06-01T00:00:00Z", AdvisoryIDs: []string{"INTEL-SA-M"}}
		ml.Tcb.Isvsvn = 2
		mod.TcbLevels = []pcs.TcbLevel{ml}
		ti.TdxModuleIdentities = []pcs.TdxModuleIdentity{mod}
		ql := pcs.TcbLevel{TcbStatus: ood, TcbDate: "2024-06-01T00:00:00Z", AdvisoryIDs: []string{"INTEL-SA-Q"}}
		ql.Tcb.Isvsvn = 3
		return ti, &pcs.EnclaveIdentity{TcbLevels: []pcs.TcbLevel{ql}}
	}
	// A platform at the lower level, module 1.2 and QE ISVSVN 3: each at its lowest level.
	quote := func() (*evidence.TDXQuote, *pcs.PckExtensions) {
		q := &evidence.TDXQuote{}
		q.Body.TEETCBSVN = [16]byte{2, 1, 5, 5, 5, 5, 5, 5}
		q.QEReport.ISVSVN = 3
		cpu := []byte{5, 5, 5, 5, 5, 5, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0}
		return q, &pcs.PckExtensions{TCB: pcs.PckCertTCB{PCESvn: 10, CPUSvnComponents: cpu}}
	}
	ti, qe := mk()
	q, ext := quote()
	st, err := tdxTCBStatus(ti, q, ext, qe)
	if err != nil {
		t.Fatal(err)
	}
	if st.status != TCBOutOfDate || st.qeStatus != TCBOutOfDate || !slices.Equal(st.advisories, []string{"INTEL-SA-P", "INTEL-SA-M", "INTEL-SA-Q"}) {
		t.Fatalf("at the lowest levels: status %v, QE %v, advisories %v; want OutOfDate with every level's advisories", st.status, st.qeStatus, st.advisories)
	}
	tests := []struct {
		name   string
		below  func(q *evidence.TDXQuote, ext *pcs.PckExtensions)
		adv    []string
		qe     TCBStatus
		detail string
	}{
		{"platform CPUSVN", func(q *evidence.TDXQuote, ext *pcs.PckExtensions) { ext.TCB.CPUSvnComponents[3] = 4 },
			[]string{"INTEL-SA-M", "INTEL-SA-Q"}, TCBOutOfDate, "platform (CPUSVN"},
		{"platform PCESVN", func(q *evidence.TDXQuote, ext *pcs.PckExtensions) { ext.TCB.PCESvn = 9 },
			[]string{"INTEL-SA-M", "INTEL-SA-Q"}, TCBOutOfDate, "below every TCB level"},
		{"platform TEE_TCB_SVN", func(q *evidence.TDXQuote, ext *pcs.PckExtensions) { q.Body.TEETCBSVN[7] = 4 },
			[]string{"INTEL-SA-M", "INTEL-SA-Q"}, TCBOutOfDate, "below every TCB level"},
		{"TDX module", func(q *evidence.TDXQuote, ext *pcs.PckExtensions) { q.Body.TEETCBSVN[0] = 1 },
			[]string{"INTEL-SA-P", "INTEL-SA-Q"}, TCBOutOfDate, "TDX module 1.1 below every module TCB level"},
		{"QE", func(q *evidence.TDXQuote, ext *pcs.PckExtensions) { q.QEReport.ISVSVN = 2 },
			[]string{"INTEL-SA-P", "INTEL-SA-M"}, TCBUnknown, "QE ISVSVN 2 below every QE Identity level"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ti, qe := mk()
			q, ext := quote()
			tc.below(q, ext)
			st, err := tdxTCBStatus(ti, q, ext, qe)
			if err != nil {
				t.Fatal(err)
			}
			if st.status != TCBUnknown {
				t.Errorf("status %v, want Unknown (%s)", st.status, st.detail)
			}
			if st.qeStatus != tc.qe {
				t.Errorf("QE status %v, want %v", st.qeStatus, tc.qe)
			}
			if !slices.Equal(st.advisories, tc.adv) {
				t.Errorf("advisories %v, want %v: only the matched levels'", st.advisories, tc.adv)
			}
			if !strings.HasPrefix(st.detail, "Unknown: ") || !strings.Contains(st.detail, tc.detail) {
				t.Errorf("detail %q, want Unknown naming %q", st.detail, tc.detail)
			}
		})
	}
	// Unknown is not outranked by a revoked part: no level rates the one below them all.
	ti, qe = mk()
	qe.TcbLevels[0].TcbStatus = pcs.TcbComponentStatusRevoked
	q, ext = quote()
	ext.TCB.PCESvn = 9
	if st, err := tdxTCBStatus(ti, q, ext, qe); err != nil || st.status != TCBUnknown {
		t.Errorf("platform below every level, QE revoked: %v, %v; want Unknown", st, err)
	}
}

// TestTDXUnmarshalJSONTrailing: a TCB Info or QE Identity body is one JSON value and
// white space; anything after it, a closing bracket included, is refused, so the
// bytes whose signature was checked are exactly the value interpreted.
func TestTDXUnmarshalJSONTrailing(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{`{"a":1}`, true},
		{"{\"a\":1} \n\t\r", true},
		{`{"a":1}}`, false},
		{`{"a":1}]`, false},
		{`{"a":1} }`, false},
		{`{"a":1}{}`, false},
		{`{"a":1}[`, false},
		{`{"a":1} 1`, false},
		{`{"a":1}x`, false},
		{`{"a":1},`, false},
		{`{"a":1}:`, false},
		{"{\"a\":1}\x00", false},
	}
	for _, tc := range tests {
		var m map[string]any
		err := tdxUnmarshalJSON([]byte(tc.in), &m)
		if tc.ok && (err != nil || m["a"] != 1.0) {
			t.Errorf("%q: %v, %v; want the object", tc.in, m, err)
		}
		if !tc.ok && !errors.Is(err, errTrailingJSON) {
			t.Errorf("%q: err %v, want trailing data refused", tc.in, err)
		}
	}

	// Through the appraiser: a correctly signed TCB Info or QE Identity body with a
	// trailing '}' fails its check as malformed collateral.
	p := newTDXTestPKI(t)
	from, until := time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 8, 1, 0, 0, 0, 0, time.UTC)
	for _, kind := range []string{CheckTDXTCBInfo, CheckTDXQEIdentity} {
		col := p.collateral(t, nil, from, until)
		sj := &col.TCBInfo
		if kind == CheckTDXQEIdentity {
			sj = &col.QEIdentity
		}
		sj.Body = append(append([]byte(nil), sj.Body...), '}')
		sj.Signature = signRS(t, p.tcbKey, sj.Body)
		app, errs, err := mustTDX(t, TDXConfig{Root: p.root, Collateral: col}).appraise(t.Context(), p.quote(t, 4, nil), v4AsOf)
		if err != nil {
			t.Fatal(err)
		}
		if app.Authentic || !errors.Is(errs[kind], ErrTDXCollateralFormat) || !errors.Is(errs[kind], errTrailingJSON) {
			t.Errorf("%s with a trailing '}': authentic %v, err %v; want malformed collateral", kind, app.Authentic, errs[kind])
		}
	}
}

// countingTDXSource counts the collateral fetches an appraisal asks for.
type countingTDXSource struct {
	src     TDXCollateralSource
	fetches int
}

func (c *countingTDXSource) FetchTDX(ctx context.Context, fmspc, ca string) (*collateral.TDXCollateral, error) {
	c.fetches++
	return c.src.FetchTDX(ctx, fmspc, ca)
}

// TestTDXForgedPCKFetchesNoCollateral: a quote whose PCK certificate is not issued
// under the trusted root names an FMSPC anyone can choose, so the appraisal asks no
// collateral source for it (a node's budget of unknown-key answers is shared by
// every machine); a quote under the trusted root still has its collateral fetched.
func TestTDXForgedPCKFetchesNoCollateral(t *testing.T) {
	p := newTDXTestPKI(t)
	from, until := time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 8, 1, 0, 0, 0, 0, time.UTC)
	src := &countingTDXSource{src: p.collateral(t, nil, from, until)}
	other := newTDXTestPKI(t).root
	app, err := mustTDX(t, TDXConfig{Root: other, Collateral: src}).Appraise(t.Context(), &evidence.Evidence{Raw: p.quote(t, 4, nil)}, v4AsOf)
	if err != nil {
		t.Fatal(err)
	}
	if src.fetches != 0 {
		t.Errorf("a PCK chain to another root: %d collateral fetches, want 0", src.fetches)
	}
	if app.Authentic || tdxOutcome(app, CheckTDXPCKChain) != Fail || tdxOutcome(app, CheckTDXCollateral) != Skip {
		t.Errorf("a PCK chain to another root: authentic %v, PCK chain %s, collateral %s; want false, fail, skip",
			app.Authentic, tdxOutcome(app, CheckTDXPCKChain), tdxOutcome(app, CheckTDXCollateral))
	}
	app, err = mustTDX(t, TDXConfig{Root: p.root, Collateral: src}).Appraise(t.Context(), &evidence.Evidence{Raw: p.quote(t, 4, nil)}, v4AsOf)
	if err != nil {
		t.Fatal(err)
	}
	if src.fetches != 1 || !app.Authentic {
		t.Errorf("under the trusted root: %d collateral fetches, authentic %v; want 1, true", src.fetches, app.Authentic)
	}
}
