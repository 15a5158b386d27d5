package verifiertest

// TEST-ONLY SEV-SNP PKI: an ARK, ASK, ASVK and VLEK signed by the keys published in
// go-sev-guest's testing/data package, and reports signed by its test VLEK key.
// Nothing here is, or chains to, an AMD key.

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"math/big"
	"time"

	"github.com/google/go-sev-guest/testing/data"

	"github.com/teeoracle/teeoracle/oracle/appraise"
)

// SNPTestT0 is when the test-only hierarchy's certificates become valid.
var SNPTestT0 = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

// SNPTestPKI is a test-only Milan hierarchy (valid from SNPTestT0 for 25 years) with
// a VLEK (valid for 7 years) certifying TCB.
type SNPTestPKI struct {
	ARK, ASK, ASVK, VLEK *x509.Certificate
	Roots                *appraise.SNPRoots
	// TCB is the VLEK's certified TCB as a Milan TCB_VERSION.
	TCB uint64
}

func snpTestName(cn string) pkix.Name {
	return pkix.Name{Organization: []string{"Advanced Micro Devices"}, Country: []string{"US"},
		OrganizationalUnit: []string{"Engineering"}, Locality: []string{"Santa Clara"}, Province: []string{"CA"}, CommonName: cn}
}

func snpTestCert(tmpl, parent *x509.Certificate, pub any, key *rsa.PrivateKey) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, fmt.Errorf("create test-only certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

// NewSNPTestPKI builds the test-only hierarchy; the VLEK certifies bootloader 3, TEE
// 0, SNP 8, microcode 115.
func NewSNPTestPKI() (*SNPTestPKI, error) {
	const line = "Milan"
	tcb := [4]int{3, 0, 8, 115}
	ca := func(serial int64, cn, crl string) *x509.Certificate {
		return &x509.Certificate{Version: 3, SerialNumber: big.NewInt(serial), Subject: snpTestName(cn),
			NotBefore: SNPTestT0, NotAfter: SNPTestT0.AddDate(25, 0, 0), IsCA: true, BasicConstraintsValid: true,
			KeyUsage:           x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
			SignatureAlgorithm: x509.SHA384WithRSAPSS, CRLDistributionPoints: []string{crl}}
	}
	vcekCRL, vlekCRL := "https://kdsintf.amd.com/vcek/v1/"+line+"/crl", "https://kdsintf.amd.com/vlek/v1/"+line+"/crl"
	p := &SNPTestPKI{TCB: uint64(tcb[0]) | uint64(tcb[1])<<8 | uint64(tcb[2])<<48 | uint64(tcb[3])<<56}
	var err error
	arkT := ca(0x30000, "ARK-"+line, vcekCRL)
	if p.ARK, err = snpTestCert(arkT, arkT, &data.ARKPrivateKey.PublicKey, data.ARKPrivateKey); err != nil {
		return nil, err
	}
	if p.ASK, err = snpTestCert(ca(0x30001, "SEV-"+line, vcekCRL), p.ARK, &data.ASKPrivateKey.PublicKey, data.ARKPrivateKey); err != nil {
		return nil, err
	}
	if p.ASVK, err = snpTestCert(ca(0x30101, "SEV-VLEK-"+line, vlekCRL), p.ARK, &data.ASVKPrivateKey.PublicKey, data.ARKPrivateKey); err != nil {
		return nil, err
	}
	kds := func(arc ...int) asn1.ObjectIdentifier {
		return append(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1}, arc...)
	}
	ext := func(id asn1.ObjectIdentifier, v any, params string) pkix.Extension {
		b, merr := asn1.MarshalWithParams(v, params)
		if merr != nil && err == nil {
			err = merr
		}
		return pkix.Extension{Id: id, Value: b}
	}
	exts := []pkix.Extension{
		ext(kds(1), 1, ""), ext(kds(2), line, "ia5"),
		ext(kds(3, 1), tcb[0], ""), ext(kds(3, 2), tcb[1], ""), ext(kds(3, 3), tcb[2], ""), ext(kds(3, 4), 0, ""),
		ext(kds(3, 5), 0, ""), ext(kds(3, 6), 0, ""), ext(kds(3, 7), 0, ""), ext(kds(3, 8), tcb[3], ""),
		ext(kds(5), "test-only-csp.example", "ia5"),
	}
	if err != nil {
		return nil, err
	}
	if p.VLEK, err = snpTestCert(&x509.Certificate{Version: 3, SerialNumber: big.NewInt(0), Subject: snpTestName("SEV-VLEK"),
		NotBefore: SNPTestT0, NotAfter: SNPTestT0.AddDate(7, 0, 0), SignatureAlgorithm: x509.SHA384WithRSAPSS,
		ExtraExtensions: exts}, p.ASVK, &data.VLEKPrivateKey.PublicKey, data.ASVKPrivateKey); err != nil {
		return nil, err
	}
	if p.Roots, err = appraise.NewSNPRoots(appraise.SNPRootSet{ProductLine: line, ARK: p.ARK, ASK: p.ASK, ASVK: p.ASVK}); err != nil {
		return nil, err
	}
	return p, nil
}

// CRL issues a test-only DER CRL of the ARK revoking the given certificates as of
// thisUpdate.
func (p *SNPTestPKI) CRL(thisUpdate, nextUpdate time.Time, revoked ...*x509.Certificate) ([]byte, error) {
	var entries []x509.RevocationListEntry
	for _, c := range revoked {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: thisUpdate})
	}
	return x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1),
		ThisUpdate: thisUpdate, NextUpdate: nextUpdate, RevokedCertificateEntries: entries,
		SignatureAlgorithm: x509.SHA384WithRSAPSS}, p.ARK, data.ARKPrivateKey)
}

// VLEKReport builds a test-only version 3 Milan report at the VLEK's TCB, signed by
// the VLEK's key.
func (p *SNPTestPKI) VLEKReport() ([]byte, error) {
	const signed = 0x2A0
	raw := make([]byte, appraise.SNPReportSize)
	le := binary.LittleEndian
	le.PutUint32(raw[0x00:], 3)
	le.PutUint64(raw[0x08:], 0x30000)
	le.PutUint32(raw[0x34:], 1) // ECDSA P-384 with SHA-384
	le.PutUint64(raw[0x38:], p.TCB)
	le.PutUint32(raw[0x48:], 1<<2) // signed by the VLEK
	le.PutUint64(raw[0x180:], p.TCB)
	copy(raw[0x188:0x18B], []byte{0x19, 0x01, 0x01}) // Milan CPUID
	le.PutUint64(raw[0x1E0:], p.TCB)
	le.PutUint64(raw[0x1F0:], p.TCB)
	digest := sha512.Sum384(raw[:signed])
	r, s, err := ecdsa.Sign(rand.Reader, data.VLEKPrivateKey, digest[:])
	if err != nil {
		return nil, err
	}
	for off, v := range map[int]*big.Int{signed: r, signed + 72: s} {
		b := v.FillBytes(make([]byte, 72))
		for i := range b {
			raw[off+i] = b[len(b)-1-i]
		}
	}
	return raw, nil
}

// RevokedASVK is a test-only VLEK case where only the older of two CRLs shows the
// revocation: at At, ASKList (the newer list, revoking nothing) and ASVKList (one
// day older, revoking the ASVK) are both current, and Report is a VLEK report whose
// chain runs through the revoked ASVK. A check of the newest CRL alone passes it.
type RevokedASVK struct {
	PKI               *SNPTestPKI
	At                time.Time
	ASKList, ASVKList []byte
	Report            []byte
}

// NewRevokedASVK makes the RevokedASVK case on a fresh test PKI.
func NewRevokedASVK() (*RevokedASVK, error) {
	pki, err := NewSNPTestPKI()
	if err != nil {
		return nil, err
	}
	c := &RevokedASVK{PKI: pki, At: SNPTestT0.AddDate(0, 1, 0)}
	if c.ASKList, err = pki.CRL(c.At.AddDate(0, 0, -1), c.At.AddDate(0, 0, 6)); err != nil {
		return nil, err
	}
	if c.ASVKList, err = pki.CRL(c.At.AddDate(0, 0, -2), c.At.AddDate(0, 0, 6), pki.ASVK); err != nil {
		return nil, err
	}
	if c.Report, err = pki.VLEKReport(); err != nil {
		return nil, err
	}
	return c, nil
}
