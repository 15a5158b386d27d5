package appraise

// TEST-ONLY SEV-SNP PKI. Everything in this file builds certificates, CRLs and reports
// signed by keys that are published in go-sev-guest's testing/data package (or made up
// on the spot). Nothing here is, or chains to, an AMD key; it exists to make forged and
// edge-case evidence that real vectors cannot provide.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/google/go-sev-guest/testing/data"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// testPKI is a test-only ARK/ASK/ASVK hierarchy for one product line.
type testPKI struct {
	line           string
	arkKey, icaKey *rsa.PrivateKey
	asvkKey        *rsa.PrivateKey
	ark, ask, asvk *x509.Certificate
	roots          *SNPRoots
}

var testT0 = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

var (
	attackerKeyOnce sync.Once
	attackerKey     *rsa.PrivateKey
)

// attackerRSAKey is a made-up RSA key for self-made roots.
func attackerRSAKey(t testing.TB) *rsa.PrivateKey {
	attackerKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatalf("generate attacker key: %v", err)
		}
		attackerKey = k
	})
	return attackerKey
}

func amdName(cn string) pkix.Name {
	return pkix.Name{Organization: []string{"Advanced Micro Devices"}, Country: []string{"US"},
		OrganizationalUnit: []string{"Engineering"}, Locality: []string{"Santa Clara"}, Province: []string{"CA"}, CommonName: cn}
}

func mustCert(t testing.TB, tmpl, parent *x509.Certificate, pub any, key crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatalf("create certificate %q: %v", tmpl.Subject.CommonName, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse certificate %q: %v", tmpl.Subject.CommonName, err)
	}
	return c
}

// newTestPKI builds a test-only hierarchy: ARK (arkKey, or go-sev-guest's test ARK
// key), and ASK and ASVK signed by it, all valid from testT0 for 25 years.
func newTestPKI(t testing.TB, line string, arkKey *rsa.PrivateKey) *testPKI {
	t.Helper()
	icaKey, asvkKey := data.ASKPrivateKey, data.ASVKPrivateKey
	if arkKey == nil {
		arkKey = data.ARKPrivateKey
	} else {
		// A self-made hierarchy signs with its own key throughout.
		icaKey, asvkKey = arkKey, arkKey
	}
	p := &testPKI{line: line, arkKey: arkKey, icaKey: icaKey, asvkKey: asvkKey}
	ca := func(serial int64, cn, crl string) *x509.Certificate {
		return &x509.Certificate{
			Version: 3, SerialNumber: big.NewInt(serial), Subject: amdName(cn),
			NotBefore: testT0, NotAfter: testT0.AddDate(25, 0, 0),
			IsCA: true, BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
			SignatureAlgorithm:    x509.SHA384WithRSAPSS,
			CRLDistributionPoints: []string{crl},
		}
	}
	vcekCRL := "https://kdsintf.amd.com/vcek/v1/" + line + "/crl"
	arkT := ca(0x30000, "ARK-"+line, vcekCRL)
	p.ark = mustCert(t, arkT, arkT, &arkKey.PublicKey, arkKey)
	p.ask = mustCert(t, ca(0x30001, "SEV-"+line, vcekCRL), p.ark, &p.icaKey.PublicKey, arkKey)
	p.asvk = mustCert(t, ca(0x30101, "SEV-VLEK-"+line, "https://kdsintf.amd.com/vlek/v1/"+line+"/crl"), p.ark, &p.asvkKey.PublicKey, arkKey)
	roots, err := NewSNPRoots(SNPRootSet{ProductLine: line, ARK: p.ark, ASK: p.ask, ASVK: p.asvk})
	if err != nil {
		t.Fatalf("NewSNPRoots(test-only %s): %v", line, err)
	}
	p.roots = roots
	return p
}

// leafOpts describes a test-only VCEK or VLEK.
type leafOpts struct {
	vlek        bool
	key         *ecdsa.PrivateKey // nil: go-sev-guest's test VCEK/VLEK key
	hwid        []byte            // VCEK only; nil: testChipID(line)
	tcb         SNPTCB            // certified TCB
	productName string            // "": "<line>-B1" for Milan/Genoa VCEKs, else the line
	notBefore   time.Time         // zero: testT0
	notAfter    time.Time         // zero: notBefore + 7 years
}

func (o leafOpts) signer() *ecdsa.PrivateKey {
	if o.key != nil {
		return o.key
	}
	if o.vlek {
		return data.VLEKPrivateKey
	}
	return data.VCEKPrivateKey
}

// testChipID is the test-only chip's 64-byte CHIP_ID; Turin chips use 8 bytes.
func testChipID(line string, seed byte) []byte {
	id := make([]byte, 64)
	n := 64
	if line == "Turin" {
		n = 8
	}
	for i := 0; i < n; i++ {
		id[i] = seed + byte(i)
	}
	return id
}

func asn1Int(t testing.TB, v int) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func asn1IA5Value(t testing.TB, s string) []byte {
	b, err := asn1.MarshalWithParams(s, "ia5")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// leaf issues a test-only VCEK or VLEK with KDS extensions in the product line's form
// (Turin: FMC SPL, no SPL4, 8-byte HWID, bare product name).
func (p *testPKI) leaf(t testing.TB, o leafOpts) *x509.Certificate {
	t.Helper()
	kds := func(arc ...int) asn1.ObjectIdentifier {
		return append(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1}, arc...)
	}
	name := o.productName
	if name == "" {
		name = p.line
		if !o.vlek && p.line != "Turin" {
			name += "-B1"
		}
	}
	exts := []pkix.Extension{
		{Id: kds(1), Value: asn1Int(t, 1)},
		{Id: kds(2), Value: asn1IA5Value(t, name)},
		{Id: kds(3, 1), Value: asn1Int(t, int(o.tcb.Bootloader))},
		{Id: kds(3, 2), Value: asn1Int(t, int(o.tcb.TEE))},
		{Id: kds(3, 3), Value: asn1Int(t, int(o.tcb.SNP))},
		{Id: kds(3, 5), Value: asn1Int(t, 0)},
		{Id: kds(3, 6), Value: asn1Int(t, 0)},
		{Id: kds(3, 7), Value: asn1Int(t, 0)},
		{Id: kds(3, 8), Value: asn1Int(t, int(o.tcb.Microcode))},
	}
	if p.line == "Turin" {
		exts = append(exts, pkix.Extension{Id: kds(3, 9), Value: asn1Int(t, int(o.tcb.FMC))})
	} else {
		exts = append(exts, pkix.Extension{Id: kds(3, 4), Value: asn1Int(t, 0)})
	}
	issuer, issuerKey := p.ask, crypto.Signer(p.icaKey)
	cn := "SEV-VCEK"
	if o.vlek {
		issuer, issuerKey, cn = p.asvk, p.asvkKey, "SEV-VLEK"
		exts = append(exts, pkix.Extension{Id: kds(5), Value: asn1IA5Value(t, "test-only-csp.example")})
	} else {
		hwid := o.hwid
		if hwid == nil {
			hwid = testChipID(p.line, 1)
			if p.line == "Turin" {
				hwid = hwid[:8]
			}
		}
		exts = append(exts, pkix.Extension{Id: kds(4), Value: hwid}) // raw, as KDS writes it
	}
	nb := o.notBefore
	if nb.IsZero() {
		nb = testT0
	}
	na := o.notAfter
	if na.IsZero() {
		na = nb.AddDate(7, 0, 0)
	}
	tmpl := &x509.Certificate{
		Version: 3, SerialNumber: big.NewInt(0), Subject: amdName(cn),
		NotBefore: nb, NotAfter: na, SignatureAlgorithm: x509.SHA384WithRSAPSS,
		ExtraExtensions: exts,
	}
	return mustCert(t, tmpl, issuer, &o.signer().PublicKey, issuerKey)
}

// crl issues a test-only CRL signed by the ARK, revoking the given certificates.
func (p *testPKI) crl(t testing.TB, thisUpdate, nextUpdate time.Time, revoked ...*x509.Certificate) []byte {
	t.Helper()
	return p.crlRevokedAt(t, thisUpdate, nextUpdate, thisUpdate, revoked...)
}

// crlRevokedAt is crl with the revocation time of each entry given.
func (p *testPKI) crlRevokedAt(t testing.TB, thisUpdate, nextUpdate, revokedAt time.Time, revoked ...*x509.Certificate) []byte {
	t.Helper()
	var entries []x509.RevocationListEntry
	for _, c := range revoked {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: revokedAt})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: thisUpdate, NextUpdate: nextUpdate,
		RevokedCertificateEntries: entries, SignatureAlgorithm: x509.SHA384WithRSAPSS,
	}, p.ark, p.arkKey)
	if err != nil {
		t.Fatalf("create CRL: %v", err)
	}
	return der
}

// reportOpts describes a test-only report.
type reportOpts struct {
	version     uint32 // 0: 3
	line        string // CPUID product line for v3+; "": the PKI's
	policy      uint64 // 0: 0x30000 (SMT allowed, reserved bit 17)
	vlek        bool
	maskChip    bool
	chipID      []byte // nil: testChipID(line, 1)
	reportedTCB uint64
	reportData  []byte
	measurement []byte
	key         *ecdsa.PrivateKey // nil: go-sev-guest's test VCEK/VLEK key
}

var cpuidByLine = map[string][3]byte{"Milan": {0x19, 0x01, 0x01}, "Genoa": {0x19, 0x11, 0x01}, "Turin": {0x1A, 0x02, 0x01}}

// report builds and signs a test-only SEV-SNP report.
func (p *testPKI) report(t testing.TB, o reportOpts) []byte {
	t.Helper()
	raw := make([]byte, SNPReportSize)
	le := binary.LittleEndian
	if o.version == 0 {
		o.version = 3
	}
	if o.line == "" {
		o.line = p.line
	}
	if o.policy == 0 {
		o.policy = 0x30000
	}
	le.PutUint32(raw[0x00:], o.version)
	le.PutUint64(raw[0x08:], o.policy)
	le.PutUint32(raw[0x34:], 1) // ECDSA P-384 with SHA-384
	le.PutUint64(raw[0x38:], o.reportedTCB)
	var signer uint32
	if o.vlek {
		signer = 1 << 2
	}
	if o.maskChip {
		signer |= 2
	}
	le.PutUint32(raw[0x48:], signer)
	copy(raw[0x50:0x90], o.reportData)
	copy(raw[0x90:0xC0], o.measurement)
	le.PutUint64(raw[0x180:], o.reportedTCB)
	if o.version >= 3 {
		f := cpuidByLine[o.line]
		copy(raw[0x188:0x18B], f[:])
	}
	chip := o.chipID
	if chip == nil {
		chip = testChipID(p.line, 1)
	}
	if !o.maskChip {
		copy(raw[0x1A0:0x1E0], chip)
	}
	le.PutUint64(raw[0x1E0:], o.reportedTCB)
	le.PutUint64(raw[0x1F0:], o.reportedTCB)
	key := o.key
	if key == nil {
		key = data.VCEKPrivateKey
		if o.vlek {
			key = data.VLEKPrivateKey
		}
	}
	digest := sha512.Sum384(raw[:snpSignedSize])
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatalf("sign report: %v", err)
	}
	putLE := func(off int, v *big.Int) {
		b := v.FillBytes(make([]byte, 72))
		for i := range b {
			raw[off+i] = b[len(b)-1-i]
		}
	}
	putLE(snpSignedSize, r)
	putLE(snpSignedSize+72, s)
	return raw
}

func snpEvidence(raw []byte, certs ...*x509.Certificate) *evidence.Evidence {
	ev := &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: raw}
	for _, c := range certs {
		ev.Certificates = append(ev.Certificates, c.Raw)
	}
	return ev
}

func newP384(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

type pkixExtension = pkix.Extension

// withExt returns c's extensions with the one of the given OID replaced by value.
func withExt(c *x509.Certificate, id asn1.ObjectIdentifier, value []byte) []pkix.Extension {
	out := withoutExt(c, id)
	return append(out, pkix.Extension{Id: id, Value: value})
}

// withoutExt returns c's extensions without the one of the given OID.
func withoutExt(c *x509.Certificate, id asn1.ObjectIdentifier) []pkix.Extension {
	var out []pkix.Extension
	for _, e := range c.Extensions {
		if !e.Id.Equal(id) {
			out = append(out, e)
		}
	}
	return out
}
