// Package fakehw is DEVNET-ONLY simulated confidential-computing hardware: an
// imitation AMD key distribution service and SEV-SNP guest device, and an imitation
// Intel PCK hierarchy and TDX quote provider. Everything they sign chains to roots
// generated in this process at start-up (SNPAuthority, TDXAuthority); no AMD or
// Intel key is involved, and evidence from here never verifies under the vendors'
// real roots. Only a policy and appraiser configured with these roots (the devnet's)
// trust it.
//
// The SEV-SNP side is built from go-sev-guest's testing package: its AmdSignerBuilder
// makes the ARK/ASK/ASVK/VCEK/VLEK chain, its CustomExtensions the KDS certificate
// extensions, and its fake Device and QuoteProvider sign the reports and add the
// certificate table. Those fakes answer only report data programmed in advance, so
// the wrappers here program each request's report data just before handing the
// request to them. The TDX side follows go-tdx-guest's: go-tdx-guest's fake device and
// quote provider cannot be programmed from outside their package (their response maps
// are unexported), so TDXMachine implements go-tdx-guest's client.QuoteProvider
// itself, re-signing go-tdx-guest's sample quote under the devnet PCK hierarchy, and
// the devnet collateral is go-tdx-guest's sample collateral re-signed and re-dated.
package fakehw

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/google/go-sev-guest/abi"
	sevclient "github.com/google/go-sev-guest/client"
	labi "github.com/google/go-sev-guest/client/linuxabi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	sevtest "github.com/google/go-sev-guest/testing"

	"github.com/teeoracle/teeoracle/oracle/appraise"
)

// DevnetOnly is the label every devnet-only root and machine carries in output.
const DevnetOnly = "simulated, devnet-only root"

// librarySignMu serialises signing through go-sev-guest's fake AMD-SP: AmdSigner.Sign
// draws from a package-level math/rand source of that library, which is not safe
// for concurrent use. It is process-wide because that source is.
var librarySignMu sync.Mutex

// SNPProductName is the product the devnet SEV-SNP chips claim: Milan, stepping B1.
const SNPProductName = "Milan-B1"

// snpMilanFMS is CPUID(1).EAX of a Milan B1 part, as go-sev-guest's Milan test
// reports carry it in a version 3 report.
const snpMilanFMS = 0x00a00f11

// SNPAuthority is a devnet-only imitation of AMD's key hierarchy for Milan: an ARK,
// the ASK (which certifies VCEKs) and the ASVK (which certifies VLEKs), with keys
// generated in this process, and an ARK-signed CRL revoking nothing. It is safe for
// concurrent use.
type SNPAuthority struct {
	keys           *sevtest.AmdKeys
	ark, ask, asvk *x509.Certificate
	roots          *appraise.SNPRoots
	crl            []byte
	notBefore      time.Time
}

// NewSNPAuthority generates the devnet ARK/ASK/ASVK hierarchy, valid from an hour
// before now for 25 years, and a CRL valid from an hour before now for 30 days.
func NewSNPAuthority(now time.Time) (*SNPAuthority, error) {
	rsaKey := func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }
	ark, err := rsaKey()
	if err != nil {
		return nil, fmt.Errorf("devnet ARK key: %w", err)
	}
	ask, err := rsaKey()
	if err != nil {
		return nil, fmt.Errorf("devnet ASK key: %w", err)
	}
	// One key for the ASVK too: the devnet has no VLEK-signing cloud, and an RSA key
	// costs a noticeable part of the devnet's start-up.
	a := &SNPAuthority{keys: &sevtest.AmdKeys{Ark: ark, Ask: ask, Asvk: ask}, notBefore: now.Add(-time.Hour)}
	chip, err := a.newSigner(make([]byte, abi.ChipIDSize), kds.TCBParts{}, nil)
	if err != nil {
		return nil, err
	}
	a.ark, a.ask, a.asvk = chip.Ark, chip.Ask, chip.Asvk
	if a.roots, err = appraise.NewSNPRoots(appraise.SNPRootSet{ProductLine: "Milan", ARK: a.ark, ASK: a.ask, ASVK: a.asvk}); err != nil {
		return nil, fmt.Errorf("devnet SEV-SNP roots: %w", err)
	}
	a.crl, err = x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: a.notBefore, NextUpdate: now.Add(30 * 24 * time.Hour),
		SignatureAlgorithm: x509.SHA384WithRSAPSS,
	}, a.ark, a.keys.Ark)
	if err != nil {
		return nil, fmt.Errorf("devnet ARK CRL: %w", err)
	}
	return a, nil
}

// newSigner builds go-sev-guest's AmdSigner for one chip: the authority's keys, and
// a VCEK for vcekKey (nil: a throw-away key, used only to obtain the ARK/ASK/ASVK
// certificates) carrying hwid and tcb.
func (a *SNPAuthority) newSigner(hwid []byte, tcb kds.TCBParts, vcekKey *ecdsa.PrivateKey) (*sevtest.AmdSigner, error) {
	if vcekKey == nil {
		var err error
		if vcekKey, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
			return nil, err
		}
	}
	keys := *a.keys
	keys.Vcek = vcekKey
	keys.Vlek = vcekKey
	b := &sevtest.AmdSignerBuilder{
		Keys:             &keys,
		ProductName:      SNPProductName,
		ArkCreationTime:  a.notBefore,
		AskCreationTime:  a.notBefore,
		AsvkCreationTime: a.notBefore,
		VcekCreationTime: a.notBefore,
		VlekCreationTime: a.notBefore,
		CSPID:            "teeoracle-devnet",
		// go-sev-guest writes struct version 0 and all-zero TCB and HWID by default;
		// the oracle checks the HWID against CHIP_ID and the certified TCB against
		// the reported one, so the chip's real values go in.
		VcekCustom: sevtest.CertOverride{Extensions: withStructVersion(sevtest.CustomExtensions(tcb, hwid, "", SNPProductName))},
		VlekCustom: sevtest.CertOverride{Extensions: withStructVersion(sevtest.CustomExtensions(tcb, nil, "teeoracle-devnet", SNPProductName))},
	}
	if a.ark != nil {
		// Reuse the authority's certificates so every chip chains to the same roots:
		// the builder re-issues ARK/ASK/ASVK on each call.
		b.Ark, b.Ask, b.Asvk = a.ark, a.ask, a.asvk
	}
	s, err := b.TestOnlyCertChain()
	if err != nil {
		return nil, fmt.Errorf("devnet SEV-SNP certificate chain: %w", err)
	}
	if a.ark != nil {
		// TestOnlyCertChain re-made ARK/ASK/ASVK (same keys, new signatures) and the
		// VCEK under the new ASK certificate; the VCEK verifies under either, but the
		// certificate table must carry the authority's own.
		s.Ark, s.Ask, s.Asvk = a.ark, a.ask, a.asvk
	}
	return s, nil
}

type pkixExtension = pkix.Extension

// withStructVersion sets the KDS struct-version extension to 1, as KDS issues it
// (go-sev-guest's CustomExtensions writes 0).
func withStructVersion(exts []pkixExtension) []pkixExtension {
	one := []byte{0x02, 0x01, 0x01} // INTEGER 1
	for i := range exts {
		if exts[i].Id.Equal(kds.OidStructVersion) {
			exts[i].Value = one
		}
	}
	return exts
}

// Roots returns the devnet-only AMD roots, for appraise.SNPConfig.Roots.
func (a *SNPAuthority) Roots() *appraise.SNPRoots { return a.roots }

// ARK returns the devnet-only ARK certificate.
func (a *SNPAuthority) ARK() *x509.Certificate { return a.ark }

// Collateral returns the devnet's stand-in for AMD KDS: the ARK's CRL; VCEKs come
// with the evidence's certificate table.
func (a *SNPAuthority) Collateral() appraise.SNPCollateral { return snpKDS{a} }

type snpKDS struct{ a *SNPAuthority }

// ErrNoVCEK: the devnet's KDS stand-in does not serve VCEKs; evidence carries them.
var ErrNoVCEK = errors.New("devnet KDS serves no VCEKs: the certificate table carries them")

func (k snpKDS) VCEK(context.Context, string, []byte, uint64) ([]byte, error) {
	return nil, ErrNoVCEK
}

func (k snpKDS) CRL(_ context.Context, productLine string, _ bool, _ time.Time) ([]byte, error) {
	if productLine != "Milan" {
		return nil, fmt.Errorf("devnet KDS: no CRL for product line %q, only Milan", productLine)
	}
	return k.a.crl, nil
}

// SNPChipOptions describe one simulated SEV-SNP guest.
type SNPChipOptions struct {
	// Measurement is the 48-byte launch measurement; nil means a fixed devnet value.
	Measurement []byte
	// HostData is the 32-byte HOST_DATA; nil means zero.
	HostData []byte
	// TCB is the reported and certified TCB; zero means bl=3 tee=0 snp=8 ucode=115.
	TCB kds.TCBParts
	// ChipID seeds the 64-byte CHIP_ID; chips with different seeds differ.
	ChipID byte
	// Debug sets the guest policy's debug bit (which the devnet policy refuses).
	Debug bool
}

// DefaultSNPMeasurement is the devnet SEV-SNP guest's launch measurement.
func DefaultSNPMeasurement() []byte {
	m := make([]byte, 48)
	for i := range m {
		m[i] = 0x5e
	}
	copy(m, "teeoracle devnet sev-snp guest")
	return m
}

// SNPChip is one simulated SEV-SNP platform and guest: a VCEK certified by the
// authority, and go-sev-guest's fake sev-guest device signing with it.
type SNPChip struct {
	opts   SNPChipOptions
	chipID [abi.ChipIDSize]byte
	tcb    uint64
	device *sevtest.Device
	mu     sync.Mutex // guards device.ReportDataRsp
}

// NewChip makes a chip certified by a.
func (a *SNPAuthority) NewChip(opts SNPChipOptions) (*SNPChip, error) {
	if opts.Measurement == nil {
		opts.Measurement = DefaultSNPMeasurement()
	}
	if len(opts.Measurement) != 48 {
		return nil, fmt.Errorf("devnet sev-snp chip: measurement has %d bytes, want 48", len(opts.Measurement))
	}
	if opts.HostData != nil && len(opts.HostData) != 32 {
		return nil, fmt.Errorf("devnet sev-snp chip: host data has %d bytes, want 32", len(opts.HostData))
	}
	if opts.TCB == (kds.TCBParts{}) {
		opts.TCB = kds.TCBParts{BlSpl: 3, TeeSpl: 0, SnpSpl: 8, UcodeSpl: 115}
	}
	tcb, err := kds.ComposeTCBParts(opts.TCB)
	if err != nil {
		return nil, fmt.Errorf("devnet sev-snp chip: %w", err)
	}
	c := &SNPChip{opts: opts, tcb: uint64(tcb)}
	for i := range c.chipID {
		c.chipID[i] = opts.ChipID + byte(i) + 1
	}
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, err
	}
	signer, err := a.newSigner(c.chipID[:], opts.TCB, key)
	if err != nil {
		return nil, err
	}
	certs, err := signer.CertTableBytes()
	if err != nil {
		return nil, fmt.Errorf("devnet sev-snp certificate table: %w", err)
	}
	c.device = &sevtest.Device{
		ReportDataRsp: map[string]any{},
		Certs:         certs,
		Signer:        signer,
		SevProduct:    &spb.SevProduct{Name: spb.SevProduct_SEV_PRODUCT_MILAN, MachineStepping: abi.DefaultSevProduct().MachineStepping},
	}
	return c, nil
}

// Measurement returns the chip's guest launch measurement.
func (c *SNPChip) Measurement() []byte { return append([]byte(nil), c.opts.Measurement...) }

// rawReport is the unsigned report the chip produces for reportData: go-sev-guest's
// CreateRawReport (a version 3 report naming a Milan CPU), with the guest policy,
// measurement, host data, TCB fields and CHIP_ID of this chip.
func (c *SNPChip) rawReport(reportData [64]byte) [labi.SnpReportRespReportSize]byte {
	r := sevtest.CreateRawReport(&sevtest.TestReportOptions{ReportData: reportData[:], FMS: snpMilanFMS, Version: 3})
	le := binary.LittleEndian
	le.PutUint64(r[0x08:], abi.SnpPolicyToBytes(abi.SnpPolicy{SMT: true, Debug: c.opts.Debug}))
	le.PutUint64(r[0x38:], c.tcb) // CURRENT_TCB
	copy(r[0x90:0xC0], c.opts.Measurement)
	copy(r[0xC0:0xE0], c.opts.HostData)
	le.PutUint64(r[0x180:], c.tcb) // REPORTED_TCB
	copy(r[0x1A0:0x1E0], c.chipID[:])
	le.PutUint64(r[0x1E0:], c.tcb) // COMMITTED_TCB
	le.PutUint64(r[0x1F0:], c.tcb) // LAUNCH_TCB
	return r
}

// program makes the library's fake device answer reportData.
func (c *SNPChip) program(reportData [64]byte) {
	c.device.ReportDataRsp[hex.EncodeToString(reportData[:])] = &sevtest.GetReportResponse{
		Resp: labi.SnpReportRespABI{Data: c.rawReport(reportData)},
	}
}

// QuoteProvider returns the chip as go-sev-guest's client.QuoteProvider (the
// configfs-tsm interface): GetRawQuote returns the signed report followed by the
// certificate table.
func (c *SNPChip) QuoteProvider() sevclient.QuoteProvider {
	return &snpQuoteProvider{chip: c, inner: &sevtest.QuoteProvider{Device: c.device}}
}

type snpQuoteProvider struct {
	chip  *SNPChip
	inner *sevtest.QuoteProvider
}

func (p *snpQuoteProvider) IsSupported() bool { return true }

func (p *snpQuoteProvider) Product() *spb.SevProduct { return p.inner.Product() }

func (p *snpQuoteProvider) GetRawQuote(reportData [64]byte) ([]byte, error) {
	p.chip.mu.Lock()
	defer p.chip.mu.Unlock()
	p.chip.program(reportData)
	defer delete(p.chip.device.ReportDataRsp, hex.EncodeToString(reportData[:]))
	librarySignMu.Lock()
	defer librarySignMu.Unlock()
	return p.inner.GetRawQuote(reportData)
}

// Device returns the chip as go-sev-guest's client.Device (the /dev/sev-guest
// ioctl interface), answering GET_REPORT and GET_EXT_REPORT for any report data.
func (c *SNPChip) Device() sevclient.Device { return &snpDevice{chip: c} }

type snpDevice struct{ chip *SNPChip }

func (d *snpDevice) Open(path string) error { return d.chip.device.Open(path) }
func (d *snpDevice) Close() error           { return d.chip.device.Close() }
func (d *snpDevice) Product() *spb.SevProduct {
	return d.chip.device.Product()
}

func (d *snpDevice) Ioctl(command uintptr, req any) (uintptr, error) {
	d.chip.mu.Lock()
	defer d.chip.mu.Unlock()
	if ug, ok := req.(*labi.SnpUserGuestRequest); ok {
		var rd *[64]byte
		switch r := ug.ReqData.(type) {
		case *labi.SnpReportReqABI:
			rd = &r.ReportData
		case *labi.SnpExtendedReportReq:
			rd = &r.Data.ReportData
		}
		if rd != nil {
			d.chip.program(*rd)
			defer delete(d.chip.device.ReportDataRsp, hex.EncodeToString(rd[:]))
		}
	}
	librarySignMu.Lock()
	defer librarySignMu.Unlock()
	return d.chip.device.Ioctl(command, req)
}
