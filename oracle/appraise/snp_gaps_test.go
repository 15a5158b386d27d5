package appraise

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"github.com/google/go-sev-guest/verify"
	"github.com/google/go-sev-guest/verify/trust"
)

// These tests pin the go-sev-guest v0.15.0 gaps that this package works around. Each
// shows the library failing (so that, when a library upgrade fixes it, the test says
// the workaround may go) and our appraisal succeeding on the same input.

func libraryAttestation(t *testing.T, report []byte, chain *spb.CertificateChain) *spb.Attestation {
	t.Helper()
	r, err := abi.ReportToProto(report)
	if err != nil {
		t.Fatalf("abi.ReportToProto: %v", err)
	}
	return &spb.Attestation{Report: r, CertificateChain: chain}
}

func parseDERorPEM(t *testing.T, b []byte) *x509.Certificate {
	t.Helper()
	c, err := trust.ParseCert(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Gap (a): Turin VCEKs carry the FMC SPL extension (1.3.6.1.4.1.3704.1.3.9), omit SPL4
// and have an 8-byte HWID; go-sev-guest rejects them.
func TestSNPGapTurinVCEK(t *testing.T) {
	v := turinVector(t)
	cert := parseDERorPEM(t, v.cert)
	if _, err := kds.VcekCertificateExtensions(cert); err == nil {
		t.Fatal("kds.VcekCertificateExtensions accepted the Turin VCEK: the library gap is fixed; drop our parser")
	} else {
		t.Logf("library: %v", err)
	}
	att := libraryAttestation(t, v.report, &spb.CertificateChain{VcekCert: v.cert})
	if err := verify.SnpAttestation(att, &verify.Options{Now: v.asOf, DisableCertFetching: true}); err == nil {
		t.Fatal("verify.SnpAttestation accepted the Turin report: the library gap is fixed")
	} else {
		t.Logf("library: %v", err)
	}
	exts, err := ParseSNPCertExtensions(cert)
	if err != nil {
		t.Fatalf("ParseSNPCertExtensions: %v", err)
	}
	if !exts.HasSPL[9] || len(exts.HWID) != 8 || exts.ProductName != "Turin" {
		t.Fatalf("Turin extensions: FMC %v HWID %d bytes product %q", exts.HasSPL[9], len(exts.HWID), exts.ProductName)
	}
	ap, err := newProdSNP(t, nil).Appraise(context.Background(), v.evidence(), v.asOf)
	if err != nil || !ap.Authentic {
		t.Fatalf("our appraisal of the Turin report: authentic %v, err %v", ap != nil && ap.Authentic, err)
	}
}

// Gap (b): go-sev-guest's default roots (trust.DefaultRootCerts) load only the VCEK
// bundles, so a VLEK report fails unless the caller supplies the ASVK.
func TestSNPGapVLEKDefaultRoots(t *testing.T) {
	v := vlekVector(t)
	if trust.DefaultRootCerts["Milan"].ProductCerts.Asvk != nil {
		t.Fatal("library default roots now carry the ASVK: the gap is fixed")
	}
	att := libraryAttestation(t, v.report, &spb.CertificateChain{VlekCert: parseDERorPEM(t, v.cert).Raw})
	err := verify.SnpAttestation(att, &verify.Options{Now: v.asOf, DisableCertFetching: true})
	if err == nil {
		t.Fatal("verify.SnpAttestation accepted the VLEK report with default roots: the gap is fixed")
	}
	t.Logf("library with default roots: %v", err)
	// Supplied explicitly, the library's own ASVK bundle works: the gap is the defaults.
	root := trust.AMDRootCertsProduct("Milan")
	if err := root.FromKDSCertBytes(trust.AskArkMilanVlekBytes); err != nil {
		t.Fatal(err)
	}
	att = libraryAttestation(t, v.report, &spb.CertificateChain{VlekCert: parseDERorPEM(t, v.cert).Raw})
	if err := verify.SnpAttestation(att, &verify.Options{Now: v.asOf, DisableCertFetching: true,
		TrustedRoots: map[string][]*trust.AMDRootCerts{"Milan": {root}}}); err != nil {
		t.Fatalf("library with the ASVK supplied: %v", err)
	}
	ap, err := newProdSNP(t, nil).Appraise(context.Background(), v.evidence(), v.asOf)
	if err != nil || !ap.Authentic || ap.SNP.SigningKey != "vlek" {
		t.Fatalf("our appraisal of the VLEK report with default roots: %+v, %v", ap, err)
	}
}

// mapGetter serves fixed bodies by URL, as trust.HTTPSGetter.
type mapGetter map[string][]byte

func (m mapGetter) Get(url string) ([]byte, error) {
	if b, ok := m[url]; ok {
		return b, nil
	}
	return nil, errors.New("404 " + url)
}

// Gap (c): revocation checking with a VLEK-only root dereferences the missing ASK and
// panics, and even with both intermediates the library checks only the ASK's serial
// against the CRL, never the ASVK's. Test-only PKI: AMD has revoked nothing we could use.
func TestSNPGapVLEKRevocation(t *testing.T) {
	pki := newTestPKI(t, "Milan", nil)
	tcb := SNPTCB{Bootloader: 3, SNP: 8, Microcode: 115}
	vlek := pki.leaf(t, leafOpts{vlek: true, tcb: tcb})
	report := pki.report(t, reportOpts{vlek: true, reportedTCB: tcb.Encode()})
	asOf := testT0.AddDate(0, 1, 0)
	revokesASVK := pki.crl(t, asOf.AddDate(0, 0, -1), asOf.AddDate(0, 0, 6), pki.asvk)

	vlekOnly := trust.AMDRootCertsProduct("Milan")
	vlekOnly.ProductCerts = &trust.ProductCerts{Asvk: pki.asvk, Ark: pki.ark}
	getter := mapGetter{
		"https://kdsintf.amd.com/vcek/v1/Milan/crl": revokesASVK,
		"https://kdsintf.amd.com/vlek/v1/Milan/crl": revokesASVK,
	}
	opts := &verify.Options{Now: asOf, DisableCertFetching: true, CheckRevocations: true, Getter: getter,
		TrustedRoots: map[string][]*trust.AMDRootCerts{"Milan": {vlekOnly}}}
	panicked := func() (p any) {
		defer func() { p = recover() }()
		_ = verify.SnpAttestation(libraryAttestation(t, report, &spb.CertificateChain{VlekCert: vlek.Raw}), opts)
		return nil
	}()
	if panicked == nil {
		t.Fatal("library did not panic on revocation checking with a VLEK-only root: the gap is fixed")
	}
	t.Logf("library panicked: %v", panicked)

	both := trust.AMDRootCertsProduct("Milan")
	both.ProductCerts = &trust.ProductCerts{Ask: pki.ask, Asvk: pki.asvk, Ark: pki.ark}
	opts.TrustedRoots = map[string][]*trust.AMDRootCerts{"Milan": {both}}
	if err := verify.SnpAttestation(libraryAttestation(t, report, &spb.CertificateChain{VlekCert: vlek.Raw}), opts); err != nil {
		if strings.Contains(err.Error(), "revoked") {
			t.Fatalf("library now rejects a revoked ASVK (%v): the gap is fixed", err)
		}
		t.Fatalf("library: %v", err)
	}

	// Ours: a VLEK-only root set is fine, and the revoked ASVK is caught.
	roots, err := NewSNPRoots(SNPRootSet{ProductLine: "Milan", ARK: pki.ark, ASVK: pki.asvk})
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewSNP(SNPConfig{Roots: roots, Collateral: offlineKDS(t, map[string][]byte{crlURL(t, "Milan", true): revokesASVK})})
	if err != nil {
		t.Fatal(err)
	}
	ap, causes, err := a.appraise(context.Background(), snpEvidence(report, vlek), asOf)
	if err != nil {
		t.Fatal(err)
	}
	if ap.Authentic || checkOutcome(ap, CheckSNPCRL) != Fail || !errors.Is(causes[CheckSNPCRL], ErrSNPRevoked) {
		t.Fatalf("our appraisal: authentic %v, crl %s (%v); want the revoked ASVK caught", ap.Authentic, checkOutcome(ap, CheckSNPCRL), causes[CheckSNPCRL])
	}
}
