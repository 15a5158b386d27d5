package appraise

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/google/go-sev-guest/verify/trust"

	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// TestAMDRootsMatchLibrary: our embedded bundles are byte-identical to go-sev-guest's.
func TestAMDRootsMatchLibrary(t *testing.T) {
	for file, lib := range map[string][]byte{
		"ask_ark_milan.pem":      trust.AskArkMilanVcekBytes,
		"ask_ark_milan_vlek.pem": trust.AskArkMilanVlekBytes,
		"ask_ark_genoa.pem":      trust.AskArkGenoaVcekBytes,
		"ask_ark_genoa_vlek.pem": trust.AskArkGenoaVlekBytes,
		"ask_ark_turin_vcek.pem": trust.AskArkTurinVcekBytes,
		"ask_ark_turin_vlek.pem": trust.AskArkTurinVlekBytes,
	} {
		ours, err := amdRootFiles.ReadFile("roots/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ours, lib) {
			t.Errorf("%s differs from go-sev-guest's copy", file)
		}
	}
}

// TestAMDRootsFingerprints pins every production root certificate.
func TestAMDRootsFingerprints(t *testing.T) {
	roots, err := AMDSNPRoots()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Milan/ARK":  "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd",
		"Milan/ASK":  "67d303bd3905fd38db8b20e0793699870e7fa612eaad5dec358293fd8c0bac1b",
		"Milan/ASVK": "c5e081f59b7efab1fe2f8b505e159704e72f29cab7ef7cf628a05a42439082f5",
		"Genoa/ARK":  "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1",
		"Genoa/ASK":  "5464738c1546aed5f2cecf1dc98c5c960a92e8913238a61711bc90ec6e828521",
		"Genoa/ASVK": "197e610743a917d6b9bb982a5a9226ccc0a15b611be0619e626aca9151457372",
		"Turin/ARK":  "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a",
		"Turin/ASK":  "5b77ef5fe7a7a004fd9032668fba9d0fda22f88c4442069a479636a6ae3b3185",
		"Turin/ASVK": "104e10a8bd060a3c20a434261a57d0588fd65a88915b4f65b08bdecaf8df1a3c",
	}
	if got := roots.ProductLines(); len(got) != 3 {
		t.Fatalf("ProductLines = %v", got)
	}
	for _, line := range roots.ProductLines() {
		s := roots.Set(line)
		for role, c := range map[string]*x509.Certificate{"ARK": s.ARK, "ASK": s.ASK, "ASVK": s.ASVK} {
			h := sha256.Sum256(c.Raw)
			if got := hex.EncodeToString(h[:]); got != want[line+"/"+role] {
				t.Errorf("%s/%s sha256 = %s, want %s", line, role, got, want[line+"/"+role])
			}
		}
	}
}

func TestNewSNPRootsRejects(t *testing.T) {
	milan := newTestPKI(t, "Milan", nil)
	other := newTestPKI(t, "Milan", attackerRSAKey(t))
	for _, tc := range []struct {
		name string
		sets []SNPRootSet
	}{
		{"none", nil},
		{"no product line", []SNPRootSet{{ARK: milan.ark, ASK: milan.ask}}},
		{"no ARK", []SNPRootSet{{ProductLine: "Milan", ASK: milan.ask}}},
		{"no intermediate", []SNPRootSet{{ProductLine: "Milan", ARK: milan.ark}}},
		{"ASK not signed by the ARK", []SNPRootSet{{ProductLine: "Milan", ARK: milan.ark, ASK: other.ask}}},
		{"ASVK not signed by the ARK", []SNPRootSet{{ProductLine: "Milan", ARK: other.ark, ASVK: milan.asvk}}},
		{"ARK not self-signed", []SNPRootSet{{ProductLine: "Milan", ARK: milan.ask, ASK: milan.ask}}},
		{"line twice", []SNPRootSet{{ProductLine: "Milan", ARK: milan.ark, ASK: milan.ask}, {ProductLine: "Milan", ARK: milan.ark, ASK: milan.ask}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewSNPRoots(tc.sets...); !errors.Is(err, ErrRoots) {
				t.Fatalf("NewSNPRoots = %v, want ErrRoots", err)
			}
		})
	}
	if _, _, err := ParseKDSCertChain(trust.AskArkMilanVcekBytes[:100]); !errors.Is(err, ErrRoots) {
		t.Fatalf("ParseKDSCertChain(truncated) = %v, want ErrRoots", err)
	}
}

func TestSNPTCBLayouts(t *testing.T) {
	// Milan: BL, TEE, 4 reserved, SNP, microcode (go-sev-guest testdata VCEK TCB).
	m := DecodeSNPTCB("Milan", 0x4405000000000002)
	if m.Bootloader != 2 || m.TEE != 0 || m.SNP != 5 || m.Microcode != 0x44 || m.HasFMC || m.Encode() != 0x4405000000000002 {
		t.Fatalf("Milan decode = %+v", m)
	}
	// Turin: FMC, BL, TEE, SNP, 3 reserved, microcode (the shared Turin vector).
	tu := DecodeSNPTCB("Turin", 0x4700000002000100)
	if tu.FMC != 0 || tu.Bootloader != 1 || tu.TEE != 0 || tu.SNP != 2 || tu.Microcode != 0x47 || !tu.HasFMC || tu.Encode() != 0x4700000002000100 {
		t.Fatalf("Turin decode = %+v", tu)
	}
	if g := DecodeSNPTCB("Genoa", 0x0102030405060708); g.Encode() != 0x0102030405060708 || g.Reserved != 0x03040506 {
		t.Fatalf("Genoa round trip = %+v", g)
	}
	base := SNPTCB{Bootloader: 3, TEE: 1, SNP: 8, Microcode: 100}
	for _, tc := range []struct {
		name string
		a    SNPTCB
		want int
	}{
		{"equal", base, 0},
		{"lower snp", SNPTCB{Bootloader: 3, TEE: 1, SNP: 7, Microcode: 100}, -1},
		{"higher ucode", SNPTCB{Bootloader: 3, TEE: 1, SNP: 8, Microcode: 101}, 1},
		{"mixed", SNPTCB{Bootloader: 4, TEE: 1, SNP: 7, Microcode: 100}, 2},
		{"reserved ignored", SNPTCB{Bootloader: 3, TEE: 1, SNP: 8, Microcode: 100, Reserved: 9}, 0},
		{"lower fmc", SNPTCB{FMC: 1, Bootloader: 3, TEE: 1, SNP: 8, Microcode: 100, HasFMC: true}, 0},
	} {
		b := base
		if tc.a.HasFMC {
			b.HasFMC, b.FMC = true, 1
			tc.a.FMC = 0
			tc.want = -1
		}
		if got := CompareSNPTCB(tc.a, b); got != tc.want {
			t.Errorf("%s: CompareSNPTCB = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestSNPCertExtensionsRejects(t *testing.T) {
	pki := newTestPKI(t, "Milan", nil)
	good := pki.leaf(t, leafOpts{tcb: SNPTCB{Bootloader: 1, SNP: 2, Microcode: 3}})
	if _, err := ParseSNPCertExtensions(good); err != nil {
		t.Fatalf("good: %v", err)
	}
	mutate := func(f func(c *x509.Certificate)) *x509.Certificate {
		c := *good
		c.Extensions = append([]pkixExtension(nil), good.Extensions...)
		f(&c)
		return &c
	}
	oid := func(arc ...int) []int { return append([]int{1, 3, 6, 1, 4, 1, 3704, 1}, arc...) }
	for _, tc := range []struct {
		name string
		cert *x509.Certificate
	}{
		{"duplicate SPL", mutate(func(c *x509.Certificate) { c.Extensions = append(c.Extensions, c.Extensions[2]) })},
		{"SPL out of range", mutate(func(c *x509.Certificate) {
			c.Extensions = append(c.Extensions[:0:0], withExt(good, oid(3, 1), asn1Int(t, 300))...)
		})},
		{"product name not IA5", mutate(func(c *x509.Certificate) {
			c.Extensions = withExt(good, oid(2), []byte{0x0c, 0x05, 'M', 'i', 'l', 'a', 'n'})
		})},
		{"HWID of 17 bytes", mutate(func(c *x509.Certificate) { c.Extensions = withExt(good, oid(4), make([]byte, 17)) })},
		{"no product name", mutate(func(c *x509.Certificate) { c.Extensions = withoutExt(good, oid(2)) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseSNPCertExtensions(tc.cert); !errors.Is(err, ErrSNPCertificate) {
				t.Fatalf("ParseSNPCertExtensions = %v, want ErrSNPCertificate", err)
			}
		})
	}
	// A missing SPL the product line's layout needs fails the certified TCB.
	exts, _ := ParseSNPCertExtensions(mutate(func(c *x509.Certificate) { c.Extensions = withoutExt(good, oid(3, 8)) }))
	if _, err := exts.CertifiedTCB("Milan"); !errors.Is(err, ErrSNPCertificate) {
		t.Fatalf("CertifiedTCB without ucode SPL = %v, want ErrSNPCertificate", err)
	}
	if _, err := exts.CertifiedTCB("Turin"); !errors.Is(err, ErrSNPCertificate) {
		t.Fatalf("CertifiedTCB(Turin) without FMC SPL = %v, want ErrSNPCertificate", err)
	}
}

// TestSNPVCEKFromCollateral: a v5 Turin report without its VCEK is appraised with the
// VCEK from the KDS collateral source (offline cache, Turin URL form), and the chain is
// verified once for repeated reports.
func TestSNPVCEKFromCollateral(t *testing.T) {
	v := turinVector(t)
	rep, err := decodeSNPReport(v.report)
	if err != nil {
		t.Fatal(err)
	}
	u, err := collateral.VCEKURL(collateral.DefaultKDSBaseURL, "Turin", rep.chipID, rep.reportedTCB)
	if err != nil {
		t.Fatal(err)
	}
	a := newProdSNP(t, offlineKDS(t, map[string][]byte{u: v.cert}))
	ev := &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: v.report}
	for i := 0; i < 3; i++ {
		ap, err := a.Appraise(context.Background(), ev, v.asOf)
		if err != nil || !ap.Authentic {
			t.Fatalf("appraisal %d: authentic=%v err=%v", i, ap != nil && ap.Authentic, err)
		}
		h := sha256.Sum256(v.cert)
		if ap.Collateral[0].Kind != "vcek" || !bytes.Equal(ap.Collateral[0].Hash, h[:]) {
			t.Fatalf("collateral[0] = %+v, want the fetched VCEK's hash", ap.Collateral[0])
		}
		if checkOutcome(ap, CheckSNPCRL) != Skip {
			t.Fatalf("crl = %s, want skip (no CRL cached)", checkOutcome(ap, CheckSNPCRL))
		}
	}
	if n := a.chains.len(); n != 1 {
		t.Fatalf("verified chains cached = %d, want 1", n)
	}
	// Masked CHIP_ID: nothing to fetch by.
	masked := withSignerInfo(v.report, 2)
	ap, causes, err := a.appraise(context.Background(), &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: masked}, v.asOf)
	if err != nil || ap.Authentic || !errors.Is(causes[CheckSNPVCEKChain], ErrSNPNoCertificate) {
		t.Fatalf("masked chip without VCEK: authentic=%v cause=%v err=%v", ap.Authentic, causes[CheckSNPVCEKChain], err)
	}
}

// TestNewSNPDefaultsToAMDRoots: a zero config trusts AMD's production roots, and the
// appraisal of the real Milan report names the collateral it used.
func TestNewSNPDefaultsToAMDRoots(t *testing.T) {
	a, err := NewSNP(SNPConfig{})
	if err != nil {
		t.Fatal(err)
	}
	m := milanVector(t)
	ap, err := a.Appraise(context.Background(), m.evidence(), m.asOf)
	if err != nil || !ap.Authentic {
		t.Fatalf("default config: authentic=%v err=%v", ap != nil && ap.Authentic, err)
	}
	want := m.evidence().Hash()
	if !bytes.Equal(ap.EvidenceHash, want[:]) {
		t.Fatalf("EvidenceHash = %x, want the evidence's canonical hash %x", ap.EvidenceHash, want)
	}
	roots, _ := AMDSNPRoots()
	ask, ark := sha256.Sum256(roots.Set("Milan").ASK.Raw), sha256.Sum256(roots.Set("Milan").ARK.Raw)
	vcek := sha256.Sum256(m.cert)
	got := map[string][]byte{}
	for _, c := range ap.Collateral {
		got[c.Kind] = c.Hash
	}
	if !bytes.Equal(got["vcek"], vcek[:]) || !bytes.Equal(got["ask"], ask[:]) || !bytes.Equal(got["ark"], ark[:]) {
		t.Fatalf("collateral = %+v", ap.Collateral)
	}
}
