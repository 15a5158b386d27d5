package verifier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/verdict"
	"github.com/teeoracle/teeoracle/oracle/verifier"
	"github.com/teeoracle/teeoracle/oracle/verifier/verifiertest"
)

func newVerifier(t testing.TB) *verifier.Verifier {
	t.Helper()
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func caseByName(t *testing.T, cases []verifiertest.Case, name string) verifiertest.Case {
	t.Helper()
	for _, c := range cases {
		if c.Name == name {
			return c
		}
	}
	t.Skipf("case %s not loaded", name)
	return verifiertest.Case{}
}

func checkOutcome(a *appraise.Appraisal, name string) appraise.Outcome {
	for _, c := range a.Checks {
		if c.Name == name {
			return c.Outcome
		}
	}
	return ""
}

// TestVectorOutcomes pins what each real vector must give, so that agreement with
// the CLI (TestSameAsCLI) cannot be agreement on a wrong answer.
func TestVectorOutcomes(t *testing.T) {
	cases := loadCases(t)
	v := newVerifier(t)
	tests := []struct {
		name      string
		trusted   bool
		authentic bool
		reasons   []string
		tcb       string
		check     string // a check and its outcome, when named
		outcome   appraise.Outcome
	}{
		{"snp-milan-v2/raw+der/default", false, true, []string{"debug"}, "UpToDate", appraise.CheckSNPCRL, "skip"},
		{"snp-milan-v2/raw+pem/lab-permissive", true, true, nil, "UpToDate", appraise.CheckSNPSignature, "pass"},
		{"snp-milan-v2/configfs", false, true, []string{"debug"}, "UpToDate", "", ""},
		{"snp-milan-v2/bundle", false, true, []string{"debug"}, "UpToDate", "", ""},
		{"snp-milan-v2/certtable", false, true, []string{"debug"}, "UpToDate", "", ""},
		{"snp-milan-v2/before-vcek", false, false, nil, "", appraise.CheckSNPCertValidity, "fail"},
		{"snp-milan-v2/binding", false, true, []string{"report_data_mismatch"}, "UpToDate", "", ""},
		{"snp-milan-v2/report-data", true, true, nil, "UpToDate", "", ""},
		{"snp-milan-v2/forged-crl", false, false, nil, "", appraise.CheckSNPCRL, "fail"},
		// Both real TDX platforms are below every TCB level of their collateral: Unknown,
		// which no policy accepts, not even one accepting OutOfDate.
		{"tdx-spr-e4/pcs/default", false, true, []string{"tcb_status_not_accepted"}, "Unknown", appraise.CheckTDXQuoteSignature, "pass"},
		{"tdx-spr-e4/pcs/lab-permissive", false, true, []string{"tcb_status_not_accepted"}, "Unknown", appraise.CheckTDXPCKCRL, "pass"},
		{"snp-turin/default", true, true, nil, "UpToDate", appraise.CheckSNPVCEKChain, "pass"},
		{"snp-turin/before-vcek", false, false, nil, "", appraise.CheckSNPCertValidity, "fail"},
		{"snp-vlek-milan/default", true, true, nil, "UpToDate", appraise.CheckSNPVLEKChain, "pass"},
		{"tdx-v5-outdated/default", false, true, []string{"tcb_status_not_accepted"}, "Unknown", appraise.CheckTDXTCBStatus, "pass"},
		{"tdx-v5-outdated/lab-permissive", false, true, []string{"tcb_status_not_accepted"}, "Unknown", "", ""},
		{"tdx-v5-outdated/expired", false, false, nil, "", appraise.CheckTDXCollateralValidity, "fail"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := caseByName(t, cases, tc.name)
			res, err := v.Verify(context.Background(), c.Request)
			if err != nil {
				t.Fatal(err)
			}
			a := res.Appraisal
			if res.Decision.Trusted != tc.trusted || a.Authentic != tc.authentic {
				t.Errorf("trusted %v authentic %v, want %v %v (reasons %v)", res.Decision.Trusted, a.Authentic, tc.trusted, tc.authentic, res.Decision.Reasons.Names())
			}
			if tc.authentic && !slices.Equal(res.Decision.Reasons.Names(), tc.reasons) {
				t.Errorf("reasons %v, want %v", res.Decision.Reasons.Names(), tc.reasons)
			}
			if !tc.authentic && !slices.Contains(res.Decision.Reasons.Names(), "not_authentic") {
				t.Errorf("reasons %v lack not_authentic", res.Decision.Reasons.Names())
			}
			if tc.tcb != "" && a.TCBStatus.String() != tc.tcb {
				t.Errorf("tcb status %s, want %s", a.TCBStatus, tc.tcb)
			}
			if tc.check != "" && checkOutcome(a, tc.check) != tc.outcome {
				t.Errorf("check %s: %q, want %q", tc.check, checkOutcome(a, tc.check), tc.outcome)
			}
			// The hashes in the result are those of the verdict, and the verdict hash its
			// EIP-712 digest in the request's domain.
			if res.VerdictHash != res.Decision.Verdict.Digest(c.Request.Domain) ||
				res.EvidenceHash != res.Decision.Verdict.EvidenceHash || res.PolicyHash != res.Decision.Verdict.PolicyHash {
				t.Error("result hashes disagree with the verdict")
			}
			if res.At != c.Request.At.UTC() || res.Decision.Verdict.IssuedAt != uint64(c.Request.At.Unix()) {
				t.Errorf("as of %s, verdict issued at %d, want %s", res.At, res.Decision.Verdict.IssuedAt, c.Request.At)
			}
		})
	}
}

// TestDeterministic: the same request twice, on one verifier and on two, gives the
// same report bytes (no clock, no randomness, no map order).
func TestDeterministic(t *testing.T) {
	for _, c := range loadCases(t) {
		a, err := newVerifier(t).Verify(context.Background(), c.Request)
		if err != nil {
			t.Fatal(err)
		}
		v := newVerifier(t)
		b, err := v.Verify(context.Background(), c.Request)
		if err != nil {
			t.Fatal(err)
		}
		b2, err := v.Verify(context.Background(), c.Request)
		if err != nil {
			t.Fatal(err)
		}
		if ja, jb, jb2 := reportJSON(t, a), reportJSON(t, b), reportJSON(t, b2); !bytes.Equal(ja, jb) || !bytes.Equal(jb, jb2) {
			t.Errorf("%s: reports differ between runs", c.Name)
		}
	}
}

func TestAtIsCutToSeconds(t *testing.T) {
	c := caseByName(t, loadCases(t), "snp-milan-v2/raw+der/default")
	want, err := newVerifier(t).Verify(context.Background(), c.Request)
	if err != nil {
		t.Fatal(err)
	}
	req := *c.Request
	req.At = c.Request.At.Add(700 * time.Millisecond).In(time.FixedZone("X", 3600))
	got, err := newVerifier(t).Verify(context.Background(), &req)
	if err != nil {
		t.Fatal(err)
	}
	if got.VerdictHash != want.VerdictHash || !bytes.Equal(reportJSON(t, got), reportJSON(t, want)) {
		t.Error("a fraction of a second or another zone changed the result")
	}
}

func readFile(t *testing.T, p ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(p...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRequestErrors(t *testing.T) {
	milan := filepath.Join(repoRoot, "testdata", "sev-snp", "milan-v2")
	report, vcek := readFile(t, milan, "report.bin"), readFile(t, milan, "vcek.der")
	quote := readFile(t, repoRoot, "testdata", "tdx", "spr-e4", "quote.bin")
	at := time.Date(2022, 9, 24, 1, 0, 0, 0, time.UTC)
	snp := func() *verifier.Request {
		return &verifier.Request{Evidence: evidence.Input{Name: "report.bin", Data: report},
			Certificates: []evidence.Input{{Name: "vcek.der", Data: vcek}}, At: at}
	}
	tdx := func() *verifier.Request {
		return &verifier.Request{Evidence: evidence.Input{Name: "quote.bin", Data: quote}, At: at}
	}
	dcap := &evidence.Input{Name: "c.json", Data: []byte("{}")}
	tests := []struct {
		name    string
		req     func() *verifier.Request
		wantErr error
	}{
		{"nil request", func() *verifier.Request { return nil }, verifier.ErrRequest},
		{"no time", func() *verifier.Request { r := snp(); r.At = time.Time{}; return r }, verifier.ErrRequest},
		{"no evidence", func() *verifier.Request { r := snp(); r.Evidence.Data = nil; return r }, verifier.ErrRequest},
		{"report data not 64 bytes", func() *verifier.Request { r := snp(); r.ReportData = make([]byte, 32); return r }, verifier.ErrRequest},
		{"garbage evidence", func() *verifier.Request { r := snp(); r.Evidence.Data = []byte("not a report"); return r }, evidence.ErrUnknownFormat},
		{"garbage certificate", func() *verifier.Request {
			r := snp()
			r.Certificates = []evidence.Input{{Name: "x", Data: []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")}}
			return r
		}, evidence.ErrBadCertificate},
		{"bad policy", func() *verifier.Request {
			r := snp()
			r.Policy = []byte("version: 1\nsnp: {allow_debugg: true}\n")
			return r
		}, policy.ErrInvalid},
		{"TDX without collateral", tdx, verifier.ErrNeedCollateral},
		{"TDX collateral for SNP", func() *verifier.Request { r := snp(); r.Collateral.TDXDcapQVL = dcap; return r }, verifier.ErrCollateral},
		{"AMD CRL for TDX", func() *verifier.Request {
			r := tdx()
			r.Collateral.SNPCRLs = []evidence.Input{{Data: []byte{1}}}
			r.Collateral.TDXDcapQVL = dcap
			return r
		}, verifier.ErrCollateral},
		{"two TDX forms", func() *verifier.Request {
			r := tdx()
			r.Collateral.TDXDcapQVL = dcap
			r.Collateral.TDXPCS = map[string][]byte{"rootcrl.der": {1}}
			return r
		}, verifier.ErrCollateral},
		{"bad dcap-qvl JSON", func() *verifier.Request { r := tdx(); r.Collateral.TDXDcapQVL = dcap; return r }, collateral.ErrTDXCollateral},
		{"incomplete PCS files", func() *verifier.Request {
			r := tdx()
			r.Collateral.TDXPCS = map[string][]byte{"rootcrl.der": {1}}
			return r
		}, collateral.ErrTDXCollateral},
		{"CRL that is no CRL", func() *verifier.Request {
			r := snp()
			r.Collateral.SNPCRLs = []evidence.Input{{Name: "crl", Data: vcek}}
			return r
		}, verifier.ErrCollateral},
	}
	v := newVerifier(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.Verify(context.Background(), tc.req())
			if !errors.Is(err, tc.wantErr) || res != nil {
				t.Errorf("err = %v (result %v), want %v", err, res != nil, tc.wantErr)
			}
		})
	}
}

// TestCRLNotFromARK: a CRL whose issuer is not an AMD ARK is refused before the
// appraisal, with ErrCollateral.
func TestCRLNotFromARK(t *testing.T) {
	c := caseByName(t, loadCases(t), "snp-milan-v2/forged-crl")
	req := *c.Request
	crls, err := verifier.ParseSNPCRLs(req.Collateral.SNPCRLs)
	if err != nil {
		t.Fatal(err)
	}
	// The forged CRL is found for Milan as of the request's time, and only then.
	if _, err := crls.CRL(context.Background(), "Milan", false, req.At); err != nil {
		t.Errorf("Milan CRL as of %s: %v", req.At, err)
	}
	if _, err := crls.CRL(context.Background(), "Genoa", false, req.At); !errors.Is(err, verifier.ErrNotGiven) {
		t.Errorf("Genoa CRL: err = %v, want ErrNotGiven", err)
	}
	if _, err := crls.CRL(context.Background(), "Milan", false, time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC)); !errors.Is(err, verifier.ErrNotGiven) {
		t.Errorf("CRL before its thisUpdate: err = %v, want ErrNotGiven", err)
	}
	if _, err := crls.VCEK(context.Background(), "Milan", nil, 0); !errors.Is(err, verifier.ErrNotGiven) {
		t.Errorf("VCEK: err = %v, want ErrNotGiven", err)
	}
}

// TestTrustedRoots: a verifier trusting other roots finds no chain for real
// evidence; one with a fixed appraiser refuses request collateral.
func TestTrustedRoots(t *testing.T) {
	cases := loadCases(t)
	turin, err := appraise.AMDSNPRoots()
	if err != nil {
		t.Fatal(err)
	}
	onlyTurin, err := appraise.NewSNPRoots(*turin.Set("Turin"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Options{SNPRoots: onlyTurin})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), caseByName(t, cases, "snp-milan-v2/raw+pem/lab-permissive").Request)
	if err != nil {
		t.Fatal(err)
	}
	if res.Appraisal.Authentic || res.Decision.Trusted || checkOutcome(res.Appraisal, appraise.CheckSNPVCEKChain) != "fail" {
		t.Errorf("Milan report with only Turin roots: authentic %v, chain %s", res.Appraisal.Authentic, checkOutcome(res.Appraisal, appraise.CheckSNPVCEKChain))
	}

	snp, err := appraise.NewSNP(appraise.SNPConfig{})
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := verifier.New(verifier.Options{Appraiser: appraise.ByTEE{SNP: snp}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fixed.Verify(context.Background(), caseByName(t, cases, "snp-milan-v2/forged-crl").Request); !errors.Is(err, verifier.ErrCollateral) {
		t.Errorf("fixed appraiser with request collateral: err = %v, want ErrCollateral", err)
	}
	res, err = fixed.Verify(context.Background(), caseByName(t, cases, "snp-milan-v2/raw+der/default").Request)
	if err != nil || !res.Appraisal.Authentic {
		t.Errorf("fixed appraiser: err %v", err)
	}
	if _, err := fixed.Verify(context.Background(), caseByName(t, cases, "tdx-spr-e4/pcs/default").Request); !errors.Is(err, verifier.ErrCollateral) {
		t.Errorf("fixed appraiser, TDX request with collateral: err = %v", err)
	}
}

// TestBindingInVerdict: the binding's fields go into the verdict, and a report that
// commits to them is trusted under a policy requiring the binding.
func TestBindingInVerdict(t *testing.T) {
	c := caseByName(t, loadCases(t), "snp-milan-v2/binding")
	res, err := newVerifier(t).Verify(context.Background(), c.Request)
	if err != nil {
		t.Fatal(err)
	}
	b := c.Request.Binding
	vd := res.Decision.Verdict
	if vd.MachineID != b.MachineID || vd.TEEKey != b.TEEKey || vd.AnchorBlockNumber != b.AnchorBlockNumber || vd.AnchorBlockHash != b.AnchorBlockHash {
		t.Errorf("verdict %+v does not carry binding %+v", vd, b)
	}
	if res.Domain != c.Request.Domain || res.Domain.ChainID != 31337 {
		t.Errorf("domain %+v", res.Domain)
	}
	// The digest depends on the domain: the same verdict on another chain differs.
	if other := vd.Digest(verdict.Domain{ChainID: 1, Registry: c.Request.Domain.Registry}); other == res.VerdictHash {
		t.Error("verdict hash does not depend on the chain id")
	}
	if res.Decision.Reasons.Names()[0] != "report_data_mismatch" || common.Hash(res.Appraisal.ReportData[:32]) == (b2h(verdict.ReportData(31337, c.Request.Domain.Registry, b.MachineID, b.TEEKey, b.AnchorBlockNumber, b.AnchorBlockHash))) {
		t.Errorf("binding: reasons %v", res.Decision.Reasons.Names())
	}
}

func b2h(rd [64]byte) common.Hash { return common.Hash(rd[:32]) }

// TestTDXSetSameAsSource: the collateral a TDX appraisal used, archived as the JSON of
// collateral.TDXCollateral (as the node does), re-verifies to the same report.
func TestTDXSetSameAsSource(t *testing.T) {
	v := newVerifier(t)
	for _, name := range []string{"tdx-spr-e4/pcs/default", "tdx-v5-outdated/default"} {
		t.Run(name, func(t *testing.T) {
			c := caseByName(t, loadCases(t), name)
			want, err := v.Verify(context.Background(), c.Request)
			if err != nil {
				t.Fatal(err)
			}
			b := tdxSetJSON(t, c, want.Appraisal.TDX.FMSPC)
			req := *c.Request
			req.Collateral = verifier.Collateral{TDXSet: &evidence.Input{Name: "set.json", Data: b}}
			got, err := v.Verify(context.Background(), &req)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(reportJSON(t, got), reportJSON(t, want)) {
				t.Error("collateral set gives another report than its source")
			}
			// White space may follow the set.
			req.Collateral = verifier.Collateral{TDXSet: &evidence.Input{Name: "set.json", Data: append(slices.Clip(b), " \n"...)}}
			if _, err := v.Verify(context.Background(), &req); err != nil {
				t.Errorf("set followed by white space: %v", err)
			}
			// Refused: unknown fields, missing items, data after the set, two forms at once.
			bad := [][]byte{[]byte(`{"TCBInfo":{},"Extra":1}`), []byte(`{}`), []byte(`[`)}
			for _, tail := range []string{"}", "]", "{}", " 1", "x"} {
				bad = append(bad, append(slices.Clip(b), tail...))
			}
			for _, bad := range bad {
				req.Collateral = verifier.Collateral{TDXSet: &evidence.Input{Data: bad}}
				if _, err := v.Verify(context.Background(), &req); !errors.Is(err, verifier.ErrCollateral) || !errors.Is(err, collateral.ErrTDXCollateral) {
					t.Errorf("set ending %q: err = %v", bad[max(0, len(bad)-16):], err)
				}
			}
			req.Collateral = verifier.Collateral{TDXSet: &evidence.Input{Data: b}, TDXDcapQVL: &evidence.Input{Data: []byte("{}")}}
			if _, err := v.Verify(context.Background(), &req); !errors.Is(err, verifier.ErrCollateral) {
				t.Errorf("two forms: err = %v", err)
			}
		})
	}
}

// tdxSetJSON is the collateral of a TDX case (PCS files or dcap-qvl JSON) as the JSON
// of collateral.TDXCollateral, the form the node archives.
func tdxSetJSON(t testing.TB, c verifiertest.Case, fmspc string) []byte {
	t.Helper()
	var set *collateral.TDXCollateral
	var err error
	if c.Request.Collateral.TDXPCS != nil {
		d, err := collateral.ParsePCSFiles("pcs", c.Request.Collateral.TDXPCS)
		if err != nil {
			t.Fatal(err)
		}
		if set, err = d.FetchTDX(context.Background(), fmspc, "platform"); err != nil {
			t.Fatal(err)
		}
	} else if set, err = collateral.ParseDcapQVL(c.Request.Collateral.TDXDcapQVL.Data); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSNPVCEKAsCollateral: a VCEK given as collateral (as the node archives one it
// fetched) verifies a report whose evidence carries none, without changing the
// evidence hash; the same VCEK given as a certificate is part of the evidence and
// changes it.
func TestSNPVCEKAsCollateral(t *testing.T) {
	cases := loadCases(t)
	turin := caseByName(t, cases, "snp-turin/default")
	milanVCEK := readFile(t, repoRoot, "testdata", "sev-snp", "milan-v2", "vcek.der")
	turinVCEK := turin.Request.Certificates[0]
	v := newVerifier(t)
	want, err := v.Verify(context.Background(), turin.Request)
	if err != nil {
		t.Fatal(err)
	}
	bare := &verifier.Request{Evidence: turin.Request.Evidence, At: turin.Request.At,
		Collateral: verifier.Collateral{SNPVCEKs: []evidence.Input{{Name: "milan", Data: milanVCEK}, turinVCEK}}}
	got, err := v.Verify(context.Background(), bare)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := evidence.Decode("report", turin.Request.Evidence.Data)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Decision.Trusted || !got.Appraisal.Authentic || got.EvidenceHash != common.Hash(ev.Hash()) {
		t.Errorf("VCEK as collateral: trusted %v authentic %v evidence hash %s, want the bare report's %x",
			got.Decision.Trusted, got.Appraisal.Authentic, got.EvidenceHash, ev.Hash())
	}
	if got.EvidenceHash == want.EvidenceHash {
		t.Error("evidence with and without its VCEK hash the same")
	}
	gv, wv := got.Decision.Verdict, want.Decision.Verdict
	gv.EvidenceHash, wv.EvidenceHash = common.Hash{}, common.Hash{}
	if gv != wv {
		t.Errorf("verdicts differ beyond the evidence hash: %+v vs %+v", gv, wv)
	}
	// Only another chip's VCEK: the chain holds, the chip id does not.
	bare.Collateral.SNPVCEKs = []evidence.Input{{Name: "milan", Data: milanVCEK}}
	if res, err := v.Verify(context.Background(), bare); err != nil || res.Appraisal.Authentic {
		t.Errorf("another chip's VCEK: err %v, authentic %v", err, res != nil && res.Appraisal.Authentic)
	}
	bare.Collateral.SNPVCEKs = []evidence.Input{{Name: "junk", Data: []byte("junk")}}
	if _, err := v.Verify(context.Background(), bare); !errors.Is(err, verifier.ErrCollateral) {
		t.Errorf("junk VCEK: err = %v, want ErrCollateral", err)
	}
	// AMD collateral with TDX evidence is refused.
	tdx := *caseByName(t, cases, "tdx-spr-e4/pcs/default").Request
	tdx.Collateral.SNPVCEKs = []evidence.Input{turinVCEK}
	if _, err := v.Verify(context.Background(), &tdx); !errors.Is(err, verifier.ErrCollateral) {
		t.Errorf("VCEK with TDX evidence: err = %v", err)
	}
}
