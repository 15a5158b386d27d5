package policy

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

var asOf = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func rep(b byte, n int) hexutil.Bytes { return bytes.Repeat([]byte{b}, n) }

func ptime(t time.Time) *time.Time { return &t }

// testInputs binds the fixtures' report data.
func testInputs() Inputs {
	return Inputs{ChainID: 31337, Registry: common.Address{0xaa}, MachineID: common.Hash{0xbb},
		TEEKey: common.Address{0xcc}, AnchorBlockNumber: 100, AnchorBlockHash: common.Hash{0xdd}, Bind: true}
}

func boundReportData() hexutil.Bytes {
	rd := testInputs().Binding().ReportData()
	return rd[:]
}

// Milan TCB_VERSION: bootloader 3, tee 0, snp 8, microcode 115.
const milanTCB = uint64(115)<<56 | uint64(8)<<48 | 3

// goodSNP is an appraisal every rule of the default policy accepts.
func goodSNP() *appraise.Appraisal {
	return &appraise.Appraisal{
		TEE: evidence.TEESEVSNP, EvidenceHash: rep(0xee, 32), AsOf: asOf, Authentic: true,
		Checks:     []appraise.Check{{Name: "snp.signature", Outcome: appraise.Pass}},
		Collateral: []appraise.CollateralRef{{Kind: "vcek", Hash: rep(1, 32)}, {Kind: "crl", Hash: rep(2, 32), IssuedAt: ptime(asOf.Add(-48 * time.Hour)), NextUpdate: ptime(asOf.Add(24 * time.Hour))}},
		TCBStatus:  appraise.TCBUpToDate, CompactTCB: milanTCB, ReportData: boundReportData(),
		SNP: &appraise.SNPFacts{Version: 3, ProductLine: "Milan", SigningKey: "vcek", Measurement: rep(0x4d, 48),
			HostData: rep(0x48, 32), GuestPolicy: 0x30000 | 1<<16, SMT: true,
			ReportedTCB: milanTCB, CommittedTCB: milanTCB, LaunchTCB: milanTCB, CurrentTCB: milanTCB, CertifiedTCB: milanTCB},
	}
}

func goodTDX() *appraise.Appraisal {
	return &appraise.Appraisal{
		TEE: evidence.TEETDX, EvidenceHash: rep(0xef, 32), AsOf: asOf, Authentic: true,
		Collateral: []appraise.CollateralRef{{Kind: "tcb_info", Hash: rep(3, 32), IssuedAt: ptime(asOf.Add(-72 * time.Hour)), NextUpdate: ptime(asOf.Add(27 * 24 * time.Hour))}},
		TCBStatus:  appraise.TCBUpToDate, TCBDate: ptime(time.Date(2024, 11, 13, 0, 0, 0, 0, time.UTC)), TCBEvaluationNumber: 17,
		CompactTCB: 17<<32 | 13<<16 | 0x0503, ReportData: boundReportData(),
		TDX: &appraise.TDXFacts{QuoteVersion: 4, BodyType: 2, FMSPC: "90c06f000000", MRTD: rep(0x7d, 48),
			RTMR: [4]hexutil.Bytes{rep(0, 48), rep(1, 48), rep(2, 48), rep(3, 48)}, MRSEAM: rep(0x5e, 48),
			TDAttributes: hexutil.Bytes{0, 0, 0, 0x10, 0, 0, 0, 0}, XFAM: hexutil.Bytes{0xe7, 0x02, 0x06, 0, 0, 0, 0, 0},
			TEETCBSVN: rep(3, 16), PCESVN: 13, QETCBStatus: appraise.TCBUpToDate},
	}
}

func mustDecide(t *testing.T, a *appraise.Appraisal, p *Policy, in Inputs) *Decision {
	t.Helper()
	d, err := Decide(a, p, in)
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	return d
}

func TestGoodAppraisalsTrusted(t *testing.T) {
	for name, a := range map[string]*appraise.Appraisal{"snp": goodSNP(), "tdx": goodTDX()} {
		d := mustDecide(t, a, Default(), testInputs())
		if !d.Trusted || d.Reasons != 0 || d.Verdict.Status != verdict.StatusTrusted {
			t.Errorf("%s: trusted=%v reasons=%s findings=%v", name, d.Trusted, d.Reasons, d.Findings)
		}
		if err := d.Verdict.Validate(); err != nil {
			t.Errorf("%s: verdict invalid: %v", name, err)
		}
	}
}

func TestVerdictFields(t *testing.T) {
	in := testInputs()
	a := goodTDX()
	d := mustDecide(t, a, Default(), in)
	ph, _ := Default().Hash()
	wid, _ := verdict.WorkloadIDTDX(a.TDX.MRTD, [4][]byte{a.TDX.RTMR[0], a.TDX.RTMR[1], a.TDX.RTMR[2], a.TDX.RTMR[3]})
	want := verdict.Verdict{
		MachineID: in.MachineID, TEE: verdict.TEETDX, Status: verdict.StatusTrusted, TEEKey: in.TEEKey,
		WorkloadID: wid, TCBStatus: uint8(appraise.TCBUpToDate), TCB: a.CompactTCB, PolicyHash: ph,
		EvidenceHash: common.BytesToHash(a.EvidenceHash), AnchorBlockNumber: 100, AnchorBlockHash: in.AnchorBlockHash,
		IssuedAt: uint64(asOf.Unix()), ExpiresAt: uint64(asOf.Unix()) + DefaultValiditySeconds,
	}
	if d.Verdict != want {
		t.Errorf("verdict\n got %+v\nwant %+v", d.Verdict, want)
	}
	// A caller that hashed the policy once gives its hash: the same verdict.
	in.PolicyHash = ph
	if d := mustDecide(t, a, Default(), in); d.Verdict != want {
		t.Errorf("verdict with the policy hash given\n got %+v\nwant %+v", d.Verdict, want)
	}
	// The given hash is the one named: Decide does not hash the policy again.
	in.PolicyHash = common.Hash{0xab}
	if d := mustDecide(t, a, Default(), in); d.Verdict.PolicyHash != in.PolicyHash {
		t.Errorf("verdict names policy %s, want the given %s", d.Verdict.PolicyHash, in.PolicyHash)
	}
}

func TestDeterministic(t *testing.T) {
	p, err := Parse([]byte(exampleYAML))
	if err != nil {
		t.Fatal(err)
	}
	for _, mk := range []func() *appraise.Appraisal{goodSNP, goodTDX} {
		d1 := mustDecide(t, mk(), p, testInputs())
		d2 := mustDecide(t, mk(), p, testInputs())
		if !bytes.Equal(d1.Verdict.Encode(), d2.Verdict.Encode()) {
			t.Error("same inputs gave different verdict bytes")
		}
	}
}

// TestEveryRule breaks one rule at a time and checks that exactly the right
// reason bit is set and the verdict is untrusted.
func TestEveryRule(t *testing.T) {
	snpPolicy := func(f func(*SNPRules)) func(*Policy) { return func(p *Policy) { f(p.SNP) } }
	tdxPolicy := func(f func(*TDXRules)) func(*Policy) { return func(p *Policy) { f(p.TDX) } }
	tests := []struct {
		name      string
		appraisal func() *appraise.Appraisal
		breakA    func(*appraise.Appraisal)
		breakP    func(*Policy)
		breakIn   func(*Inputs)
		want      Reason
	}{
		{name: "snp not authentic", appraisal: goodSNP, breakA: func(a *appraise.Appraisal) {
			a.Authentic = false
			a.Checks[0].Outcome = appraise.Fail
		}, want: NotAuthentic},
		{name: "tdx not authentic", appraisal: goodTDX, breakA: func(a *appraise.Appraisal) { a.Authentic = false }, want: NotAuthentic},
		{name: "snp debug flag", appraisal: goodSNP, breakA: func(a *appraise.Appraisal) { a.Debug = true }, want: Debug},
		{name: "snp debug policy bit only", appraisal: goodSNP, breakA: func(a *appraise.Appraisal) { a.SNP.GuestPolicy |= SNPDebugBit }, want: Debug},
		{name: "tdx debug flag", appraisal: goodTDX, breakA: func(a *appraise.Appraisal) { a.Debug = true }, want: Debug},
		{name: "tdx debug attribute bit only", appraisal: goodTDX, breakA: func(a *appraise.Appraisal) { a.TDX.TDAttributes[0] |= 1 }, want: Debug},
		{name: "snp measurement", appraisal: goodSNP, breakP: snpPolicy(func(r *SNPRules) { r.AllowedMeasurements = []Hex{Hex(rep(1, 48))} }), want: MeasurementNotAllowed},
		{name: "snp workload id", appraisal: goodSNP, breakP: snpPolicy(func(r *SNPRules) { r.AllowedWorkloadIDs = []Hex{Hex(rep(1, 32))} }), want: MeasurementNotAllowed},
		{name: "tdx mrtd", appraisal: goodTDX, breakP: tdxPolicy(func(r *TDXRules) { r.AllowedMeasurements = []Hex{Hex(rep(1, 48))} }), want: MeasurementNotAllowed},
		{name: "tdx rtmr changes workload id", appraisal: goodTDX,
			breakA: func(a *appraise.Appraisal) { a.TDX.RTMR[3] = rep(9, 48) },
			breakP: func(p *Policy) {
				a := goodTDX()
				wid, _ := verdict.WorkloadIDTDX(a.TDX.MRTD, rtmrBytes(a.TDX.RTMR))
				p.TDX.AllowedWorkloadIDs = []Hex{Hex(wid[:])}
			}, want: MeasurementNotAllowed},
		{name: "snp host data", appraisal: goodSNP, breakP: snpPolicy(func(r *SNPRules) { r.AllowedHostData = []Hex{Hex(rep(0, 32))} }), want: HostDataNotAllowed},
		{name: "snp signing key", appraisal: goodSNP, breakP: snpPolicy(func(r *SNPRules) { r.AllowedSigningKeys = []string{"vlek"} }), want: SigningKeyNotAllowed},
		{name: "snp tcb not certified", appraisal: goodSNP, breakA: func(a *appraise.Appraisal) { a.SNP.CertifiedTCB++ }, want: TCBNotCertified},
		{name: "snp bootloader below min", appraisal: goodSNP, breakP: snpPolicy(func(r *SNPRules) { r.MinTCB.Bootloader = 4 }), want: TCBBelowMinimum},
		{name: "snp tee below min", appraisal: goodSNP, breakP: snpPolicy(func(r *SNPRules) { r.MinTCB.TEE = 1 }), want: TCBBelowMinimum},
		{name: "snp snp below min", appraisal: goodSNP, breakP: snpPolicy(func(r *SNPRules) { r.MinTCB.SNP = 9 }), want: TCBBelowMinimum},
		{name: "snp microcode below min", appraisal: goodSNP, breakP: snpPolicy(func(r *SNPRules) { r.MinTCB.Microcode = 116 }), want: TCBBelowMinimum},
		{name: "turin fmc below min", appraisal: turinSNP, breakP: snpPolicy(func(r *SNPRules) { r.MinTCB.FMC = 2 }), want: TCBBelowMinimum},
		{name: "turin snp below min", appraisal: turinSNP, breakP: snpPolicy(func(r *SNPRules) { r.MinTCB.SNP = 5 }), want: TCBBelowMinimum},
		{name: "snp migration agent", appraisal: goodSNP, breakA: func(a *appraise.Appraisal) { a.SNP.MigrationAgent = true }, want: MigrationAgent},
		{name: "snp smt forbidden", appraisal: goodSNP, breakP: snpPolicy(func(r *SNPRules) { r.ForbidSMT = true }), want: SMT},
		{name: "tdx status OutOfDate", appraisal: goodTDX, breakA: func(a *appraise.Appraisal) { a.TCBStatus = appraise.TCBOutOfDate }, want: TCBStatusNotAccepted},
		{name: "tdx status Revoked even if listed", appraisal: goodTDX, breakA: func(a *appraise.Appraisal) { a.TCBStatus = appraise.TCBRevoked },
			breakP: tdxPolicy(func(r *TDXRules) { r.AcceptedTCBStatuses = append(r.AcceptedTCBStatuses, "Revoked") }), want: TCBStatusNotAccepted},
		{name: "tdx status Unknown", appraisal: goodTDX, breakA: func(a *appraise.Appraisal) { a.TCBStatus = appraise.TCBUnknown }, want: TCBStatusNotAccepted},
		{name: "tdx grace over", appraisal: goodTDX, breakA: func(a *appraise.Appraisal) { a.TCBStatus = appraise.TCBOutOfDate },
			breakP: tdxPolicy(func(r *TDXRules) { r.OutOfDateGraceSeconds = 30 * 86400 }), want: TCBStatusNotAccepted},
		{name: "tdx grace without tcb date", appraisal: goodTDX, breakA: func(a *appraise.Appraisal) { a.TCBStatus = appraise.TCBOutOfDate; a.TCBDate = nil },
			breakP: tdxPolicy(func(r *TDXRules) { r.OutOfDateGraceSeconds = 3650 * 86400 }), want: TCBStatusNotAccepted},
		{name: "tdx grace does not cover config needed unless accepted", appraisal: goodTDX,
			breakA: func(a *appraise.Appraisal) { a.TCBStatus = appraise.TCBOutOfDateConfigurationNeeded },
			breakP: tdxPolicy(func(r *TDXRules) { r.OutOfDateGraceSeconds = 3650 * 86400 }), want: TCBStatusNotAccepted},
		{name: "tdx qe status", appraisal: goodTDX, breakA: func(a *appraise.Appraisal) { a.TDX.QETCBStatus = appraise.TCBOutOfDate }, want: QETCBStatusNotAccepted},
		{name: "tdx qe status unknown", appraisal: goodTDX, breakA: func(a *appraise.Appraisal) { a.TDX.QETCBStatus = appraise.TCBUnknown }, want: QETCBStatusNotAccepted},
		{name: "tdx evaluation number", appraisal: goodTDX, breakP: tdxPolicy(func(r *TDXRules) { r.MinTCBEvaluationNumber = 18 }), want: TCBEvaluationTooOld},
		{name: "tdx advisory", appraisal: goodTDX, breakA: func(a *appraise.Appraisal) { a.AdvisoryIDs = []string{"INTEL-SA-00828", "INTEL-SA-00837"} },
			breakP: tdxPolicy(func(r *TDXRules) { r.ForbiddenAdvisoryIDs = []string{"INTEL-SA-00837"} }), want: AdvisoryForbidden},
		{name: "tdx mrseam", appraisal: goodTDX, breakP: tdxPolicy(func(r *TDXRules) { r.AllowedMRSEAM = []Hex{Hex(rep(1, 48))} }), want: MRSEAMNotAllowed},
		{name: "tdx td attributes", appraisal: goodTDX, breakP: tdxPolicy(func(r *TDXRules) {
			r.TDAttributes = &MaskRule{Mask: Hex{0, 0, 0, 0x10, 0, 0, 0, 0}, Value: Hex{0, 0, 0, 0, 0, 0, 0, 0}}
		}), want: TDAttributesNotAllowed},
		{name: "tdx xfam", appraisal: goodTDX, breakP: tdxPolicy(func(r *TDXRules) {
			r.XFAM = &MaskRule{Mask: Hex{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, Value: Hex{0xe7, 0x02, 0x02, 0, 0, 0, 0, 0}}
		}), want: XFAMNotAllowed},
		{name: "snp tee not allowed", appraisal: goodSNP, breakP: func(p *Policy) { p.SNP = nil }, want: TEENotAllowed},
		{name: "tdx tee not allowed", appraisal: goodTDX, breakP: func(p *Policy) { p.TDX = nil }, want: TEENotAllowed},
		{name: "collateral too old", appraisal: goodSNP, breakP: func(p *Policy) { p.MaxCollateralAgeSeconds = 86400 }, want: CollateralTooOld},
		{name: "collateral without issue date", appraisal: goodTDX, breakA: func(a *appraise.Appraisal) { a.Collateral[0].IssuedAt = nil },
			breakP: func(p *Policy) { p.MaxCollateralAgeSeconds = 30 * 86400 }, want: CollateralTooOld},
		{name: "binding: other chain", appraisal: goodSNP, breakIn: func(in *Inputs) { in.ChainID = 1 }, want: ReportDataMismatch},
		{name: "binding: other registry", appraisal: goodTDX, breakIn: func(in *Inputs) { in.Registry[0] ^= 1 }, want: ReportDataMismatch},
		{name: "binding: other machine", appraisal: goodSNP, breakIn: func(in *Inputs) { in.MachineID[0] ^= 1 }, want: ReportDataMismatch},
		{name: "binding: other key", appraisal: goodTDX, breakIn: func(in *Inputs) { in.TEEKey[0] ^= 1 }, want: ReportDataMismatch},
		{name: "binding: other anchor number", appraisal: goodSNP, breakIn: func(in *Inputs) { in.AnchorBlockNumber++ }, want: ReportDataMismatch},
		{name: "binding: other anchor hash", appraisal: goodSNP, breakIn: func(in *Inputs) { in.AnchorBlockHash[0] ^= 1 }, want: ReportDataMismatch},
		{name: "expected report data input", appraisal: goodSNP, breakIn: func(in *Inputs) { in.Bind = false; in.ExpectedReportData = make([]byte, 64) }, want: ReportDataMismatch},
		{name: "expected report data policy", appraisal: goodTDX, breakP: func(p *Policy) { p.ReportData.Expected = make(Hex, 64) }, want: ReportDataMismatch},
		{name: "binding required, none given", appraisal: goodSNP, breakIn: func(in *Inputs) { in.Bind = false },
			breakP: func(p *Policy) { p.ReportData.RequireBinding = true }, want: ReportDataUnbound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, p, in := tc.appraisal(), Default(), testInputs()
			// The unbroken case must be trusted, so that the reason below is caused by
			// the one change and not by the fixture.
			if d := mustDecide(t, a, p, in); !d.Trusted {
				t.Fatalf("fixture not trusted: %v", d.Findings)
			}
			if tc.breakA != nil {
				tc.breakA(a)
			}
			if tc.breakP != nil {
				tc.breakP(p)
			}
			if tc.breakIn != nil {
				tc.breakIn(&in)
			}
			d := mustDecide(t, a, p, in)
			if d.Trusted || d.Verdict.Status != verdict.StatusUntrusted {
				t.Errorf("trusted despite breaking the rule; findings %v", d.Findings)
			}
			if d.Reasons != tc.want {
				t.Errorf("reasons = %s, want exactly %s", d.Reasons, tc.want)
			}
			if Reason(d.Verdict.Reasons) != d.Reasons {
				t.Errorf("verdict reasons %#x != decision reasons %#x", d.Verdict.Reasons, uint64(d.Reasons))
			}
			if len(d.Findings) == 0 || d.Findings[0].Reason&tc.want == 0 {
				t.Errorf("findings %v do not explain %s", d.Findings, tc.want)
			}
		})
	}
}

// turinSNP is a Turin appraisal: fmc 1, bootloader 1, tee 1, snp 4, microcode 72.
func turinSNP() *appraise.Appraisal {
	a := goodSNP()
	tcb := uint64(72)<<56 | uint64(4)<<24 | uint64(1)<<16 | uint64(1)<<8 | 1
	a.SNP.ProductLine = "Turin"
	a.SNP.ReportedTCB, a.SNP.CertifiedTCB, a.CompactTCB = tcb, tcb, tcb
	return a
}

func TestMinTCBMet(t *testing.T) {
	p := Default()
	p.SNP.MinTCB = SNPTCB{Bootloader: 3, TEE: 0, SNP: 8, Microcode: 115, FMC: 200} // FMC ignored on Milan
	if d := mustDecide(t, goodSNP(), p, testInputs()); !d.Trusted {
		t.Errorf("milan at the minimum: %v", d.Findings)
	}
	p.SNP.MinTCB = SNPTCB{FMC: 1, Bootloader: 1, TEE: 1, SNP: 4, Microcode: 72}
	if d := mustDecide(t, turinSNP(), p, testInputs()); !d.Trusted {
		t.Errorf("turin at the minimum: %v", d.Findings)
	}
}

func TestGraceAndAcceptedStatuses(t *testing.T) {
	a := goodTDX()
	a.TCBStatus = appraise.TCBOutOfDate
	a.TCBDate = ptime(asOf.Add(-10 * 24 * time.Hour))
	p := Default()
	p.TDX.OutOfDateGraceSeconds = 30 * 86400
	d := mustDecide(t, a, p, testInputs())
	if !d.Trusted || d.Reasons != OutOfDateInGrace {
		t.Errorf("within grace: trusted=%v reasons=%s", d.Trusted, d.Reasons)
	}
	a.TCBStatus = appraise.TCBOutOfDateConfigurationNeeded
	p.TDX.AcceptedTCBStatuses = []string{"ConfigurationNeeded", "UpToDate"}
	if d := mustDecide(t, a, p, testInputs()); !d.Trusted || d.Reasons != OutOfDateInGrace {
		t.Errorf("config needed within grace: trusted=%v reasons=%s", d.Trusted, d.Reasons)
	}
	a.TCBStatus = appraise.TCBSWHardeningNeeded
	if d := mustDecide(t, a, p, testInputs()); d.Trusted {
		t.Error("SWHardeningNeeded trusted without being accepted")
	}
	p.TDX.AcceptedTCBStatuses = append(p.TDX.AcceptedTCBStatuses, "SWHardeningNeeded")
	if d := mustDecide(t, a, p, testInputs()); !d.Trusted || d.Reasons != 0 {
		t.Errorf("accepted SWHardeningNeeded: trusted=%v reasons=%s", d.Trusted, d.Reasons)
	}
}

func TestAllowances(t *testing.T) {
	a := goodSNP()
	a.Debug, a.SNP.GuestPolicy = true, a.SNP.GuestPolicy|SNPDebugBit
	a.SNP.MigrationAgent = true
	a.SNP.CertifiedTCB++
	p := Default()
	p.SNP.AllowDebug, p.SNP.AllowMigrationAgent, p.SNP.AllowUncertifiedTCB = true, true, true
	if d := mustDecide(t, a, p, testInputs()); !d.Trusted {
		t.Errorf("allowed debug, migration agent, uncertified tcb: %v", d.Findings)
	}
	b := goodTDX()
	b.TDX.TDAttributes[0] |= 1
	p.TDX.AllowDebug = true
	if d := mustDecide(t, b, p, testInputs()); !d.Trusted {
		t.Errorf("allowed tdx debug: %v", d.Findings)
	}
}

// TestUncertifiedTCBStillMeetsMinimum: allowing a reported TCB its key does not
// certify does not let a report claim its way past min_tcb: a VCEK issued for an
// old TCB vouches only for that one.
func TestUncertifiedTCBStillMeetsMinimum(t *testing.T) {
	a := goodSNP()
	p := Default()
	p.SNP.AllowUncertifiedTCB = true
	p.SNP.MinTCB = snpTCBParts(a.SNP.ProductLine, a.SNP.ReportedTCB)
	if d := mustDecide(t, a, p, testInputs()); !d.Trusted {
		t.Fatalf("reported = certified = minimum: %v", d.Findings)
	}
	old := p.SNP.MinTCB
	old.Microcode--
	a.SNP.CertifiedTCB = encodeTCB(a.SNP.ProductLine, old)
	d := mustDecide(t, a, p, testInputs())
	if d.Trusted || d.Reasons != TCBBelowMinimum {
		t.Fatalf("certified microcode below the minimum, reported at it: trusted=%v reasons=%s, want tcb_below_minimum", d.Trusted, d.Reasons)
	}
	// A certified TCB above the reported one does not raise the reported one.
	high := snpTCBParts(a.SNP.ProductLine, a.SNP.ReportedTCB)
	high.SNP++
	a.SNP.CertifiedTCB = encodeTCB(a.SNP.ProductLine, high)
	p.SNP.MinTCB.SNP = high.SNP
	if d := mustDecide(t, a, p, testInputs()); d.Trusted || d.Reasons != TCBBelowMinimum {
		t.Fatalf("reported snp below the minimum, certified at it: trusted=%v reasons=%s, want tcb_below_minimum", d.Trusted, d.Reasons)
	}
}

func TestNoBindingNoCheck(t *testing.T) {
	a := goodSNP()
	a.ReportData = rep(0x99, 64)
	in := testInputs()
	in.Bind = false
	if d := mustDecide(t, a, Default(), in); !d.Trusted {
		t.Errorf("default policy checked report data without inputs: %v", d.Findings)
	}
}

func TestSeveralReasons(t *testing.T) {
	a := goodSNP()
	a.Authentic = false
	a.Debug = true
	a.SNP.CertifiedTCB = 0
	d := mustDecide(t, a, Default(), testInputs())
	if want := NotAuthentic | Debug | TCBNotCertified; d.Reasons != want {
		t.Errorf("reasons = %s, want %s", d.Reasons, want)
	}
	if d.Findings[0].Reason != NotAuthentic {
		t.Errorf("first finding %v, want not_authentic first", d.Findings[0])
	}
}

func TestDecideErrors(t *testing.T) {
	tests := []struct {
		name string
		a    func() *appraise.Appraisal
		in   func(*Inputs)
		want error
	}{
		{"snp without facts", func() *appraise.Appraisal { a := goodSNP(); a.SNP = nil; return a }, nil, ErrAppraisal},
		{"tdx without facts", func() *appraise.Appraisal { a := goodTDX(); a.TDX = nil; return a }, nil, ErrAppraisal},
		{"unknown tee", func() *appraise.Appraisal { a := goodTDX(); a.TEE = 9; return a }, nil, ErrAppraisal},
		{"short measurement", func() *appraise.Appraisal { a := goodSNP(); a.SNP.Measurement = rep(1, 47); return a }, nil, ErrAppraisal},
		{"short rtmr", func() *appraise.Appraisal { a := goodTDX(); a.TDX.RTMR[2] = nil; return a }, nil, ErrAppraisal},
		{"no time", func() *appraise.Appraisal { a := goodTDX(); a.AsOf = time.Time{}; return a }, nil, ErrAppraisal},
		{"evidence hash", func() *appraise.Appraisal { a := goodTDX(); a.EvidenceHash = rep(1, 31); return a }, nil, ErrAppraisal},
		{"report data", func() *appraise.Appraisal { a := goodSNP(); a.ReportData = rep(1, 32); return a }, nil, ErrAppraisal},
		{"time mismatch", goodSNP, func(in *Inputs) { in.AsOf = asOf.Add(time.Second) }, ErrInputs},
		{"expected report data size", goodSNP, func(in *Inputs) { in.ExpectedReportData = rep(1, 32) }, ErrInputs},
	}
	for _, tc := range tests {
		in := testInputs()
		if tc.in != nil {
			tc.in(&in)
		}
		if _, err := Decide(tc.a(), Default(), in); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := Decide(nil, Default(), Inputs{}); !errors.Is(err, ErrInputs) {
		t.Errorf("nil appraisal: err = %v", err)
	}
	in := testInputs()
	in.AsOf = asOf.In(time.FixedZone("x", 3600)) // same instant, other zone: fine
	if _, err := Decide(goodSNP(), Default(), in); err != nil {
		t.Errorf("same instant in another zone: %v", err)
	}
}

func TestReasonNames(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range AllReasons() {
		names := r.Names()
		if len(names) != 1 || seen[names[0]] {
			t.Errorf("reason %#x: names %v (duplicate or missing)", uint64(r), names)
			continue
		}
		seen[names[0]] = true
		if back, ok := ParseReason(names[0]); !ok || back != r {
			t.Errorf("ParseReason(%q) = %#x, %v", names[0], uint64(back), ok)
		}
	}
	if got := (NotAuthentic | Debug | Reason(1)<<40).Names(); len(got) != 3 || got[0] != "not_authentic" || got[2] != "bit_40" {
		t.Errorf("names = %v", got)
	}
	if OutOfDateInGrace.Failures() != 0 || Debug.Failures() != Debug {
		t.Error("remark bits must not count as failures, failure bits must")
	}
	if Reason(0).String() != "none" || len(Reason(0).Names()) != 0 {
		t.Error("empty reason set")
	}
}

// encodeTCB is t as a TCB_VERSION of productLine's layout.
func encodeTCB(productLine string, t SNPTCB) uint64 {
	return appraise.SNPTCB{FMC: t.FMC, Bootloader: t.Bootloader, TEE: t.TEE, SNP: t.SNP, Microcode: t.Microcode,
		HasFMC: snpHasFMC(productLine)}.Encode()
}
