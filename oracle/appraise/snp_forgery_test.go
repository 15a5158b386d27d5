package appraise

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// offlineKDS is a collateral.KDS over an offline cache holding exactly items (URL →
// body), as an operator's imported collateral would.
func offlineKDS(t testing.TB, items map[string][]byte) *collateral.KDS {
	t.Helper()
	c, err := collateral.New(collateral.Options{Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	for u, b := range items {
		if _, err := c.Put(u, b, nil); err != nil {
			t.Fatal(err)
		}
	}
	return &collateral.KDS{Cache: c}
}

func crlURL(t testing.TB, line string, vlek bool) string {
	u, err := collateral.CRLURL(collateral.DefaultKDSBaseURL, line, vlek)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func snpFlip(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 0x01
	return out
}

// forgeryCase is evidence that must not appraise as authentic (or, for debug and TCB,
// must record the right fact), with the check that must fail and its cause.
type forgeryCase struct {
	name      string
	appraiser *SNPAppraiser
	ev        *evidence.Evidence
	asOf      time.Time
	failCheck string
	cause     error
	// authentic is the expected Authentic: false for every forgery; true for the
	// cases that are genuine evidence with a fact the policy judges (debug, old TCB).
	authentic bool
	// collateralFault is the expected CollateralFault: true only when the
	// collateral the source served is what failed, not the evidence.
	collateralFault bool
	check           func(t *testing.T, ap *Appraisal)
}

func runForgeryCases(t *testing.T, cases []forgeryCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ap, causes, err := tc.appraiser.appraise(context.Background(), tc.ev, tc.asOf)
			if err != nil {
				t.Fatalf("appraise: %v", err)
			}
			if ap.Authentic != tc.authentic {
				for _, c := range ap.Checks {
					t.Logf("%-18s %-4s %s", c.Name, c.Outcome, c.Detail)
				}
				t.Fatalf("Authentic = %v, want %v", ap.Authentic, tc.authentic)
			}
			if ap.CollateralFault != tc.collateralFault {
				for _, c := range ap.Checks {
					t.Logf("%-18s %-4s %s", c.Name, c.Outcome, c.Detail)
				}
				t.Fatalf("CollateralFault = %v, want %v", ap.CollateralFault, tc.collateralFault)
			}
			if tc.failCheck != "" {
				if got := checkOutcome(ap, tc.failCheck); got != Fail {
					t.Fatalf("%s = %q, want fail", tc.failCheck, got)
				}
				if !errors.Is(causes[tc.failCheck], tc.cause) {
					t.Fatalf("%s cause = %v, want %v", tc.failCheck, causes[tc.failCheck], tc.cause)
				}
			}
			if tc.check != nil {
				tc.check(t, ap)
			}
		})
	}
}

// TestSNPForgeriesRealEvidence tampers with real AMD-signed evidence.
func TestSNPForgeriesRealEvidence(t *testing.T) {
	prod := newProdSNP(t, nil)
	m := milanVector(t)
	tu := turinVector(t)
	testRoots := newTestPKI(t, "Milan", nil)
	withTestRoots, err := NewSNP(SNPConfig{Roots: testRoots.roots})
	if err != nil {
		t.Fatal(err)
	}
	ev := func(report, cert []byte) *evidence.Evidence {
		return &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: report, Certificates: [][]byte{cert}}
	}
	runForgeryCases(t, []forgeryCase{
		{name: "genuine milan (debug policy recorded)", appraiser: prod, ev: m.evidence(), asOf: m.asOf, authentic: true,
			check: func(t *testing.T, ap *Appraisal) {
				if !ap.Debug || ap.SNP.GuestPolicy&(1<<19) == 0 {
					t.Fatalf("Debug = %v for policy %#x, want true", ap.Debug, ap.SNP.GuestPolicy)
				}
			}},
		{name: "signature bit flipped (R)", appraiser: prod, ev: ev(snpFlip(m.report, snpSignedSize+3), m.cert), asOf: m.asOf,
			failCheck: CheckSNPSignature, cause: ErrSNPSignature},
		{name: "signature bit flipped (S)", appraiser: prod, ev: ev(snpFlip(m.report, snpSignedSize+72+10), m.cert), asOf: m.asOf,
			failCheck: CheckSNPSignature, cause: ErrSNPSignature},
		{name: "measurement bit flipped", appraiser: prod, ev: ev(snpFlip(m.report, 0x95), m.cert), asOf: m.asOf,
			failCheck: CheckSNPSignature, cause: ErrSNPSignature},
		{name: "report data bit flipped", appraiser: prod, ev: ev(snpFlip(tu.report, 0x60), tu.cert), asOf: tu.asOf,
			failCheck: CheckSNPSignature, cause: ErrSNPSignature},
		{name: "VCEK signature bit flipped", appraiser: prod, ev: ev(m.report, snpFlip(m.cert, len(m.cert)-5)), asOf: m.asOf,
			failCheck: CheckSNPVCEKChain, cause: ErrSNPChain},
		{name: "VCEK TCB extension bit flipped", appraiser: prod,
			ev:   ev(m.report, snpFlip(m.cert, bytes.Index(m.cert, []byte{0x02, 0x01, 0x44})+2)), // ucodeSPL 68 → 69
			asOf: m.asOf, failCheck: CheckSNPVCEKChain, cause: ErrSNPChain},
		{name: "Turin VCEK HWID bit flipped", appraiser: prod,
			ev:   ev(tu.report, snpFlip(tu.cert, bytes.Index(tu.cert, []byte{0x3b, 0x42, 0x09, 0x2f}))),
			asOf: tu.asOf, failCheck: CheckSNPVCEKChain, cause: ErrSNPChain},
		{name: "VCEK not from a trusted root (test-only roots configured)", appraiser: withTestRoots, ev: m.evidence(), asOf: m.asOf,
			failCheck: CheckSNPVCEKChain, cause: ErrSNPChain},
		{name: "Turin VCEK presented for the Milan report", appraiser: prod, ev: ev(m.report, tu.cert), asOf: tu.asOf,
			failCheck: CheckSNPSignature, cause: ErrSNPSignature},
		{name: "VCEK expired as of asOf", appraiser: prod, ev: m.evidence(), asOf: time.Date(2029, 9, 25, 0, 0, 0, 0, time.UTC),
			failCheck: CheckSNPCertValidity, cause: ErrSNPCertExpired},
		{name: "VCEK not yet valid as of asOf", appraiser: prod, ev: tu.evidence(), asOf: time.Date(2025, 7, 17, 17, 0, 0, 0, time.UTC),
			failCheck: CheckSNPCertValidity, cause: ErrSNPCertExpired},
		{name: "no VCEK supplied, no collateral source", appraiser: prod, ev: ev(m.report, nil), asOf: m.asOf,
			failCheck: CheckSNPVCEKChain, cause: ErrSNPNoCertificate},
	})
	// A version the ABI does not define fails the format check (and, since the
	// version is signed, the signature too).
	bad := bytes.Clone(m.report)
	bad[0] = 9
	runForgeryCases(t, []forgeryCase{
		{name: "unknown report version", appraiser: prod, ev: ev(bad, m.cert), asOf: m.asOf,
			failCheck: CheckSNPReportFormat, cause: ErrSNPReportFormat},
	})
}

// TestSNPForgeriesTestOnlyPKI covers what real vectors cannot: other chips, revoked
// intermediates, lower TCBs, self-made roots, VLEK revocation.
func TestSNPForgeriesTestOnlyPKI(t *testing.T) {
	pki := newTestPKI(t, "Milan", nil)
	tcb := SNPTCB{Bootloader: 3, TEE: 0, SNP: 8, Microcode: 115}
	reported := tcb.Encode()
	vcek := pki.leaf(t, leafOpts{tcb: tcb})
	vlek := pki.leaf(t, leafOpts{vlek: true, tcb: tcb})
	asOf := testT0.AddDate(0, 1, 0)
	goodCRL := pki.crl(t, asOf.AddDate(0, 0, -1), asOf.AddDate(0, 0, 6))
	revokesASK := pki.crl(t, asOf.AddDate(0, 0, -1), asOf.AddDate(0, 0, 6), pki.ask)
	revokesASVK := pki.crl(t, asOf.AddDate(0, 0, -1), asOf.AddDate(0, 0, 6), pki.asvk)
	expiredCRL := pki.crl(t, asOf.AddDate(0, 0, -10), asOf.AddDate(0, 0, -3))

	appraiser := func(items map[string][]byte) *SNPAppraiser {
		var coll SNPCollateral
		if items != nil {
			coll = offlineKDS(t, items)
		}
		a, err := NewSNP(SNPConfig{Roots: pki.roots, Collateral: coll})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	withCRL := appraiser(map[string][]byte{crlURL(t, "Milan", false): goodCRL, crlURL(t, "Milan", true): goodCRL})
	noColl := appraiser(nil)

	good := pki.report(t, reportOpts{reportedTCB: reported})
	goodVLEK := pki.report(t, reportOpts{vlek: true, reportedTCB: reported})

	// Another chip's VCEK: genuinely issued by the ASK, for chip 2, with the key that
	// signed a report claiming chip 1.
	otherChipKey := newP384(t)
	otherChipVCEK := pki.leaf(t, leafOpts{key: otherChipKey, hwid: testChipID("Milan", 100), tcb: tcb})
	claimsChip1 := pki.report(t, reportOpts{reportedTCB: reported, key: otherChipKey})

	// A self-made hierarchy with AMD's names.
	attacker := newTestPKI(t, "Milan", attackerRSAKey(t))
	attackerVCEK := attacker.leaf(t, leafOpts{key: otherChipKey, tcb: tcb})
	attackerReport := attacker.report(t, reportOpts{reportedTCB: reported, key: otherChipKey})

	lowerTCB := SNPTCB{Bootloader: 3, TEE: 0, SNP: 7, Microcode: 115}
	debugPolicy := uint64(0x30000 | 1<<19 | 1<<18)

	runForgeryCases(t, []forgeryCase{
		{name: "genuine test-only VCEK report with CRL", appraiser: withCRL, ev: snpEvidence(good, vcek), asOf: asOf, authentic: true,
			check: func(t *testing.T, ap *Appraisal) {
				if checkOutcome(ap, CheckSNPCRL) != Pass || ap.TCBStatus != TCBUpToDate || ap.Debug {
					t.Fatalf("crl=%s tcb=%v debug=%v", checkOutcome(ap, CheckSNPCRL), ap.TCBStatus, ap.Debug)
				}
				kinds := map[string]bool{}
				for _, c := range ap.Collateral {
					kinds[c.Kind] = len(c.Hash) == 32
				}
				for _, k := range []string{"vcek", "ask", "ark", "crl"} {
					if !kinds[k] {
						t.Errorf("collateral %q missing or without a sha256: %v", k, ap.Collateral)
					}
				}
			}},
		{name: "genuine test-only VLEK report with CRL", appraiser: withCRL, ev: snpEvidence(goodVLEK, vlek), asOf: asOf, authentic: true},
		{name: "VCEK of another chip", appraiser: noColl, ev: snpEvidence(claimsChip1, otherChipVCEK), asOf: asOf,
			failCheck: CheckSNPChipID, cause: ErrSNPChipID},
		{name: "self-made root", appraiser: noColl, ev: snpEvidence(attackerReport, attackerVCEK, attacker.ask, attacker.ark), asOf: asOf,
			failCheck: CheckSNPVCEKChain, cause: ErrSNPChain},
		{name: "revoked ASK", appraiser: appraiser(map[string][]byte{crlURL(t, "Milan", false): revokesASK}), ev: snpEvidence(good, vcek), asOf: asOf,
			failCheck: CheckSNPCRL, cause: ErrSNPRevoked},
		{name: "revoked ASVK (VLEK chain)", appraiser: appraiser(map[string][]byte{crlURL(t, "Milan", true): revokesASVK}), ev: snpEvidence(goodVLEK, vlek), asOf: asOf,
			failCheck: CheckSNPCRL, cause: ErrSNPRevoked},
		{name: "revocation dated after asOf does not apply yet", appraiser: noColl,
			ev:   withBundleCRL(snpEvidence(good, vcek), pki.crlRevokedAt(t, asOf.AddDate(0, 0, -1), asOf.AddDate(0, 0, 6), asOf.Add(time.Hour), pki.ask)),
			asOf: asOf, authentic: true, check: func(t *testing.T, ap *Appraisal) {
				if checkOutcome(ap, CheckSNPCRL) != Pass {
					t.Fatalf("crl = %s, want pass", checkOutcome(ap, CheckSNPCRL))
				}
			}},
		{name: "revoked ASK, CRL from the bundle", appraiser: noColl, ev: withBundleCRL(snpEvidence(good, vcek), revokesASK), asOf: asOf,
			failCheck: CheckSNPCRL, cause: ErrSNPRevoked},
		{name: "CRL past its next update", appraiser: appraiser(map[string][]byte{crlURL(t, "Milan", false): expiredCRL}), ev: snpEvidence(good, vcek),
			asOf: asOf, authentic: true, // the cache serves only CRLs valid as of asOf: none here, so skip
			check: func(t *testing.T, ap *Appraisal) {
				if checkOutcome(ap, CheckSNPCRL) != Skip {
					t.Fatalf("crl = %s, want skip", checkOutcome(ap, CheckSNPCRL))
				}
			}},
		{name: "expired CRL supplied in the bundle", appraiser: noColl,
			ev:   withBundleCRL(snpEvidence(good, vcek), expiredCRL),
			asOf: asOf, failCheck: CheckSNPCRL, cause: ErrSNPCRL},
		{name: "CRL not yet valid as of asOf", appraiser: noColl,
			ev:   withBundleCRL(snpEvidence(good, vcek), pki.crl(t, asOf.Add(time.Hour), asOf.AddDate(0, 0, 7))),
			asOf: asOf, failCheck: CheckSNPCRL, cause: ErrSNPCRL},
		{name: "old VCEK beside the current one", appraiser: noColl,
			ev:   snpEvidence(good, pki.leaf(t, leafOpts{tcb: lowerTCB}), otherChipVCEK, vcek),
			asOf: asOf, authentic: true, check: func(t *testing.T, ap *Appraisal) {
				if ap.TCBStatus != TCBUpToDate {
					t.Fatalf("TCBStatus %v: the current VCEK was not chosen", ap.TCBStatus)
				}
			}},
		{name: "CRL signed by another key", appraiser: noColl,
			ev:   withBundleCRL(snpEvidence(good, vcek), crlWithIssuerOf(t, attacker, pki, asOf)),
			asOf: asOf, failCheck: CheckSNPCRL, cause: ErrSNPCRL},
		{name: "debug and migration agent allowed (recorded, not judged)", appraiser: noColl,
			ev: snpEvidence(pki.report(t, reportOpts{reportedTCB: reported, policy: debugPolicy}), vcek), asOf: asOf, authentic: true,
			check: func(t *testing.T, ap *Appraisal) {
				if !ap.Debug || !ap.SNP.MigrationAgent || !ap.SNP.SMT {
					t.Fatalf("Debug/MA/SMT = %v/%v/%v, want all true", ap.Debug, ap.SNP.MigrationAgent, ap.SNP.SMT)
				}
			}},
		{name: "TCB below certified", appraiser: noColl, ev: snpEvidence(pki.report(t, reportOpts{reportedTCB: lowerTCB.Encode()}), vcek),
			asOf: asOf, authentic: true, failCheck: CheckSNPTCBMatch, cause: ErrSNPTCB,
			check: func(t *testing.T, ap *Appraisal) {
				if ap.TCBStatus != TCBOutOfDate || ap.CompactTCB != lowerTCB.Encode() || ap.SNP.CertifiedTCB != reported {
					t.Fatalf("TCBStatus %v compact %#x certified %#x", ap.TCBStatus, ap.CompactTCB, ap.SNP.CertifiedTCB)
				}
			}},
		{name: "TCB above certified", appraiser: noColl,
			ev:   snpEvidence(pki.report(t, reportOpts{reportedTCB: SNPTCB{Bootloader: 4, SNP: 8, Microcode: 115}.Encode()}), vcek),
			asOf: asOf, authentic: true, failCheck: CheckSNPTCBMatch, cause: ErrSNPTCB,
			check: func(t *testing.T, ap *Appraisal) {
				if ap.TCBStatus != TCBUnknown {
					t.Fatalf("TCBStatus %v, want Unknown", ap.TCBStatus)
				}
			}},
		{name: "report CPUID says Genoa, chain is Milan's", appraiser: noColl,
			ev: snpEvidence(pki.report(t, reportOpts{reportedTCB: reported, line: "Genoa"}), vcek), asOf: asOf,
			failCheck: CheckSNPVCEKChain, cause: ErrSNPProductLine},
		{name: "VLEK presented for a VCEK-signed report", appraiser: noColl, ev: snpEvidence(good, vlek), asOf: asOf,
			failCheck: CheckSNPVCEKChain, cause: ErrSNPNoCertificate},
		{name: "report claims no signing key", appraiser: noColl,
			ev: snpEvidence(withSignerInfo(good, 7<<2), vcek), asOf: asOf, failCheck: CheckSNPSigningKey, cause: ErrSNPNoCertificate},
		{name: "VCEK whose product name is another line's", appraiser: noColl,
			ev: snpEvidence(good, pki.leaf(t, leafOpts{tcb: tcb, productName: "Genoa-B1"})), asOf: asOf,
			failCheck: CheckSNPVCEKChain, cause: ErrSNPProductLine},
		{name: "chip id masked", appraiser: noColl, ev: snpEvidence(pki.report(t, reportOpts{reportedTCB: reported, maskChip: true}), vcek), asOf: asOf,
			authentic: true, check: func(t *testing.T, ap *Appraisal) {
				if checkOutcome(ap, CheckSNPChipID) != Skip {
					t.Fatalf("chip_id = %s, want skip", checkOutcome(ap, CheckSNPChipID))
				}
			}},
	})
}

// TestSNPTurinTestOnly: a test-only Turin hierarchy with FMC in the TCB, to check the
// Turin layout both ways (equal, and FMC below certified).
func TestSNPTurinTestOnly(t *testing.T) {
	pki := newTestPKI(t, "Turin", nil)
	tcb := SNPTCB{FMC: 2, Bootloader: 1, TEE: 1, SNP: 3, Microcode: 0x50, HasFMC: true}
	vcek := pki.leaf(t, leafOpts{tcb: tcb})
	a, err := NewSNP(SNPConfig{Roots: pki.roots})
	if err != nil {
		t.Fatal(err)
	}
	asOf := testT0.AddDate(0, 1, 0)
	lower := tcb
	lower.FMC = 1
	runForgeryCases(t, []forgeryCase{
		{name: "turin equal TCB", appraiser: a, ev: snpEvidence(pki.report(t, reportOpts{version: 5, reportedTCB: tcb.Encode()}), vcek),
			asOf: asOf, authentic: true, check: func(t *testing.T, ap *Appraisal) {
				if ap.TCBStatus != TCBUpToDate || ap.SNP.CertifiedTCB != tcb.Encode() || ap.SNP.ProductLine != "Turin" {
					t.Fatalf("status %v certified %#x line %s", ap.TCBStatus, ap.SNP.CertifiedTCB, ap.SNP.ProductLine)
				}
			}},
		{name: "turin FMC below certified", appraiser: a, ev: snpEvidence(pki.report(t, reportOpts{version: 5, reportedTCB: lower.Encode()}), vcek),
			asOf: asOf, authentic: true, failCheck: CheckSNPTCBMatch, cause: ErrSNPTCB},
		{name: "turin chip id differs after byte 8", appraiser: a,
			ev:   snpEvidence(pki.report(t, reportOpts{version: 5, reportedTCB: tcb.Encode(), chipID: withByte(testChipID("Turin", 1), 20, 0xff)}), vcek),
			asOf: asOf, failCheck: CheckSNPChipID, cause: ErrSNPChipID},
	})
}

func withByte(b []byte, i int, v byte) []byte {
	out := bytes.Clone(b)
	out[i] = v
	return out
}

func withSignerInfo(raw []byte, info uint32) []byte {
	out := bytes.Clone(raw)
	out[0x48], out[0x49], out[0x4a], out[0x4b] = byte(info), byte(info>>8), byte(info>>16), byte(info>>24)
	return out
}

// withBundleCRL gives crl in a bundle as the CRL for a VCEK chain (the ARK's list of
// revoked ASKs).
func withBundleCRL(ev *evidence.Evidence, crl []byte) *evidence.Evidence {
	ev.Collateral = map[string][]byte{"vcek_crl": crl}
	return ev
}

// crlWithIssuerOf makes a CRL that names pki's ARK as issuer but is signed with the
// attacker's ARK key.
func crlWithIssuerOf(t *testing.T, attacker, pki *testPKI, asOf time.Time) []byte {
	t.Helper()
	forged := *pki.ark
	forged.PublicKey = &attacker.arkKey.PublicKey
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: asOf.AddDate(0, 0, -1), NextUpdate: asOf.AddDate(0, 0, 6),
		SignatureAlgorithm: x509.SHA384WithRSAPSS,
	}, &forged, attacker.arkKey)
	if err != nil {
		t.Fatalf("forge CRL: %v", err)
	}
	return der
}

// TestSNPCollateralFault: a VCEK or CRL the collateral source served that fails its
// checks makes the appraisal's failure the collateral's (CollateralFault), so the
// node does not count it against the machine; a report whose own signature fails
// against the VCEK the source was asked for, a CHIP_ID the source has no VCEK for,
// or a revoked ASK is the evidence's.
func TestSNPCollateralFault(t *testing.T) {
	pki := newTestPKI(t, "Milan", nil)
	tcb := SNPTCB{Bootloader: 3, TEE: 0, SNP: 8, Microcode: 115}
	reported := tcb.Encode()
	vcek := pki.leaf(t, leafOpts{tcb: tcb})
	asOf := testT0.AddDate(0, 1, 0)
	good := pki.report(t, reportOpts{reportedTCB: reported})
	rep, err := decodeSNPReport(good)
	if err != nil {
		t.Fatal(err)
	}
	vcekURL, err := collateral.VCEKURL(collateral.DefaultKDSBaseURL, "Milan", rep.chipID, reported)
	if err != nil {
		t.Fatal(err)
	}
	attacker := newTestPKI(t, "Milan", attackerRSAKey(t))
	otherChip := pki.leaf(t, leafOpts{key: newP384(t), hwid: testChipID("Milan", 100), tcb: tcb})
	lowerTCB := pki.leaf(t, leafOpts{key: newP384(t), tcb: SNPTCB{Bootloader: 3, TEE: 0, SNP: 7, Microcode: 115}})
	goodCRL := pki.crl(t, asOf.AddDate(0, 0, -1), asOf.AddDate(0, 0, 6))
	serving := func(items map[string][]byte) *SNPAppraiser {
		a, err := NewSNP(SNPConfig{Roots: pki.roots, Collateral: offlineKDS(t, items)})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	served := func(vcek []byte) map[string][]byte {
		return map[string][]byte{vcekURL: vcek, crlURL(t, "Milan", false): goodCRL}
	}
	noCerts := &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: good}
	runForgeryCases(t, []forgeryCase{
		{name: "served VCEK genuine", appraiser: serving(served(vcek.Raw)), ev: noCerts, asOf: asOf, authentic: true},
		{name: "served VCEK's signature bit flipped", appraiser: serving(served(snpFlip(vcek.Raw, len(vcek.Raw)-5))), ev: noCerts, asOf: asOf,
			failCheck: CheckSNPVCEKChain, cause: ErrSNPChain, collateralFault: true},
		{name: "served VCEK from a self-made root", appraiser: serving(served(attacker.leaf(t, leafOpts{tcb: tcb}).Raw)), ev: noCerts, asOf: asOf,
			failCheck: CheckSNPVCEKChain, cause: ErrSNPChain, collateralFault: true},
		{name: "served another chip's VCEK", appraiser: serving(served(otherChip.Raw)), ev: noCerts, asOf: asOf,
			failCheck: CheckSNPSignature, cause: ErrSNPSignature, collateralFault: true},
		{name: "served a VCEK for another TCB", appraiser: serving(served(lowerTCB.Raw)), ev: noCerts, asOf: asOf,
			failCheck: CheckSNPSignature, cause: ErrSNPSignature, collateralFault: true},
		{name: "served VCEK expired", appraiser: serving(served(vcek.Raw)), ev: noCerts, asOf: vcek.NotAfter.Add(time.Hour),
			failCheck: CheckSNPCertValidity, cause: ErrSNPCertExpired, collateralFault: true},
		{name: "served CRL signed by another key", appraiser: serving(map[string][]byte{vcekURL: vcek.Raw,
			crlURL(t, "Milan", false): crlWithIssuerOf(t, attacker, pki, asOf)}), ev: noCerts, asOf: asOf,
			failCheck: CheckSNPCRL, cause: ErrSNPCRL, collateralFault: true},
		// The evidence's faults, with the same sources.
		{name: "report signature bit flipped, served VCEK genuine", appraiser: serving(served(vcek.Raw)),
			ev: &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: snpFlip(good, snpSignedSize+3)}, asOf: asOf,
			failCheck: CheckSNPSignature, cause: ErrSNPSignature},
		{name: "measurement bit flipped, served VCEK genuine", appraiser: serving(served(vcek.Raw)),
			ev: &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: snpFlip(good, 0x95)}, asOf: asOf,
			failCheck: CheckSNPSignature, cause: ErrSNPSignature},
		{name: "no VCEK served for the report's CHIP_ID", appraiser: serving(map[string][]byte{crlURL(t, "Milan", false): goodCRL}), ev: noCerts, asOf: asOf,
			failCheck: CheckSNPVCEKChain, cause: ErrSNPNoCertificate},
		{name: "served CRL revokes the ASK", appraiser: serving(map[string][]byte{vcekURL: vcek.Raw,
			crlURL(t, "Milan", false): pki.crl(t, asOf.AddDate(0, 0, -1), asOf.AddDate(0, 0, 6), pki.ask)}), ev: noCerts, asOf: asOf,
			failCheck: CheckSNPCRL, cause: ErrSNPRevoked},
		{name: "evidence's own VCEK signature bit flipped, beside a source", appraiser: serving(served(vcek.Raw)),
			ev: snpEvidence(good, &x509.Certificate{Raw: snpFlip(vcek.Raw, len(vcek.Raw)-5)}), asOf: asOf,
			failCheck: CheckSNPVCEKChain, cause: ErrSNPChain},
	})
}
