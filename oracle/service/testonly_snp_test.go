package service_test

// TEST-ONLY SEV-SNP evidence. The certificate chain is go-sev-guest's fake AMD signer
// (testing.AmdSignerBuilder, keys published in its testing/data package); nothing here
// is, or chains to, an AMD key. The node under test trusts this chain because the test
// passes it as the SNP roots, exactly as an operator passes real roots.

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"math/big"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	sgtest "github.com/google/go-sev-guest/testing"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// snpReportSigned is the number of signed bytes of an SEV-SNP report.
const snpReportSigned = 0x2A0

// fakeSNP is a test-only AMD hierarchy for Milan with one chip.
type fakeSNP struct {
	signer *sgtest.AmdSigner
	roots  *appraise.SNPRoots
	chipID [64]byte
	tcb    uint64 // reported = certified TCB_VERSION
	crls   *memSNPCRLs
}

func newFakeSNP(t testing.TB, created time.Time) *fakeSNP {
	t.Helper()
	f := &fakeSNP{}
	for i := range f.chipID {
		f.chipID[i] = byte(0xA0 + i)
	}
	parts := kds.TCBParts{BlSpl: 3, TeeSpl: 0, SnpSpl: 8, UcodeSpl: 115}
	tcb, err := kds.ComposeTCBParts(parts)
	if err != nil {
		t.Fatal(err)
	}
	f.tcb = uint64(tcb)
	b := &sgtest.AmdSignerBuilder{
		Keys:             sgtest.DefaultAmdKeys(),
		ProductName:      "Milan-B0",
		ArkCreationTime:  created,
		AskCreationTime:  created,
		AsvkCreationTime: created,
		VcekCreationTime: created,
		VlekCreationTime: created,
		CSPID:            "test-only",
		TCB:              tcb,
		VcekCustom:       sgtest.CertOverride{Extensions: sgtest.CustomExtensions(parts, f.chipID[:], "", "Milan-B0")},
	}
	copy(b.HWID[:], f.chipID[:])
	s, err := b.TestOnlyCertChain()
	if err != nil {
		t.Fatalf("test-only AMD chain: %v", err)
	}
	f.signer = s
	f.roots, err = appraise.NewSNPRoots(appraise.SNPRootSet{ProductLine: "Milan", ARK: s.Ark, ASK: s.Ask, ASVK: s.Asvk})
	if err != nil {
		t.Fatalf("test-only roots: %v", err)
	}
	f.crls = &memSNPCRLs{}
	f.crls.add(f.crl(t, created.Add(time.Minute), created.AddDate(1, 0, 0)))
	return f
}

// crl issues a test-only ARK-signed CRL revoking the given certificates.
func (f *fakeSNP) crl(t testing.TB, thisUpdate, nextUpdate time.Time, revoked ...*x509.Certificate) []byte {
	t.Helper()
	var entries []x509.RevocationListEntry
	for _, c := range revoked {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: thisUpdate})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(thisUpdate.Unix()), ThisUpdate: thisUpdate, NextUpdate: nextUpdate,
		RevokedCertificateEntries: entries, SignatureAlgorithm: x509.SHA384WithRSAPSS,
	}, f.signer.Ark, f.signer.Keys.Ark)
	if err != nil {
		t.Fatalf("create CRL: %v", err)
	}
	return der
}

// reportOpts varies a test-only report.
type reportOpts struct {
	reportData  [64]byte
	measurement [48]byte
	policy      uint64    // 0: 0x30000 (SMT allowed, reserved bit 17); set bit 19 for debug
	corrupt     bool      // flip a signed byte after signing
	noVCEK      bool      // leave the VCEK out of the bundle: the node must fetch it
	chipID      *[64]byte // the CHIP_ID the report names; nil: the fake chip's
}

// report builds and signs a version 3 Milan report.
func (f *fakeSNP) report(t testing.TB, o reportOpts) []byte {
	t.Helper()
	raw := make([]byte, abi.ReportSize)
	le := binary.LittleEndian
	if o.policy == 0 {
		o.policy = 0x30000
	}
	le.PutUint32(raw[0x00:], 3)
	le.PutUint64(raw[0x08:], o.policy)
	le.PutUint32(raw[0x34:], 1) // ECDSA P-384 with SHA-384
	le.PutUint64(raw[0x38:], f.tcb)
	copy(raw[0x50:0x90], o.reportData[:])
	copy(raw[0x90:0xC0], o.measurement[:])
	le.PutUint64(raw[0x180:], f.tcb)
	copy(raw[0x188:0x18B], []byte{0x19, 0x01, 0x01}) // Milan CPUID family, model, stepping
	chip := &f.chipID
	if o.chipID != nil {
		chip = o.chipID
	}
	copy(raw[0x1A0:0x1E0], chip[:])
	le.PutUint64(raw[0x1E0:], f.tcb)
	le.PutUint64(raw[0x1F0:], f.tcb)
	r, s, err := f.signer.Sign(raw[:snpReportSigned])
	if err != nil {
		t.Fatalf("sign test-only report: %v", err)
	}
	if err := abi.SetSignature(r, s, raw); err != nil {
		t.Fatal(err)
	}
	if o.corrupt {
		raw[0x90] ^= 0x01
	}
	return raw
}

// bundle returns the report with its VCEK as an evidence bundle (JSON).
func (f *fakeSNP) bundle(t testing.TB, o reportOpts) []byte {
	t.Helper()
	ev := &evidence.Evidence{TEE: evidence.TEESEVSNP, Raw: f.report(t, o), Certificates: [][]byte{f.signer.Vcek.Raw}}
	if o.noVCEK {
		ev.Certificates = nil
	}
	b, err := ev.MarshalBundle()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// memSNPCRLs is an SNP collateral source holding CRLs in memory; a test adds a new
// CRL to simulate AMD publishing one. It serves a VCEK only once a test set one
// (serveVCEK), and can play a KDS that is down for the next few VCEK requests.
type memSNPCRLs struct {
	mu          sync.Mutex
	crls        []memCRL
	vcek        []byte
	down        int // VCEK requests still to answer with HTTP 503
	vcekFetches int
}

// serveVCEK makes the source serve der as every VCEK, after answering the next
// down requests with HTTP 503 as a KDS that is down would.
func (m *memSNPCRLs) serveVCEK(der []byte, down int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.vcek, m.down = der, down
}

func (m *memSNPCRLs) fetches() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.vcekFetches
}

type memCRL struct {
	this time.Time
	der  []byte
}

func (m *memSNPCRLs) add(der []byte) {
	c, err := x509.ParseRevocationList(der)
	if err != nil {
		panic(fmt.Sprintf("test CRL: %v", err))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.crls = append(m.crls, memCRL{this: c.ThisUpdate, der: der})
}

func (m *memSNPCRLs) VCEK(context.Context, string, []byte, uint64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.vcekFetches++
	if m.down > 0 {
		m.down--
		return nil, fmt.Errorf("test KDS: %w", &collateral.StatusError{URL: "https://test-kds.invalid/vcek", Code: http.StatusServiceUnavailable})
	}
	if m.vcek == nil {
		return nil, fmt.Errorf("test source serves no VCEKs")
	}
	return m.vcek, nil
}

func (m *memSNPCRLs) CRL(_ context.Context, _ string, _ bool, asOf time.Time) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var best *memCRL
	for i := range m.crls {
		c := &m.crls[i]
		if !c.this.After(asOf) && (best == nil || c.this.After(best.this)) {
			best = c
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no test CRL as of %s", asOf)
	}
	return best.der, nil
}
