package fakehw

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	tdxtesting "github.com/google/go-tdx-guest/testing"
	tdxtestdata "github.com/google/go-tdx-guest/testing/testdata"

	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// Names the appraiser expects on Intel's certificates; the organisation says
// whose they really are.
const (
	intelRootCN        = "Intel SGX Root CA"
	intelPCKPlatformCN = "Intel SGX PCK Platform CA"
	intelPCKLeafCN     = "Intel SGX PCK Certificate"
	intelTCBSigningCN  = "Intel SGX TCB Signing"
	devnetOrg          = "teeoracle DEVNET ONLY - not Intel"
)

// Offsets in a TD report body (TDX 1.0 layout, shared by 1.5).
const (
	tdxBodyTDAttributes = 120
	tdxBodyMRTD         = 136
	tdxBodyMRConfigID   = 184
	tdxBodyRTMR0        = 328
	tdxBodyReportData   = 520
)

// sampleFMSPC is the FMSPC in the PCK certificate of go-tdx-guest's sample quote,
// whose SGX extensions the devnet PCK certificate copies.
const sampleFMSPC = "50806f000000"

// TDXAuthority is a devnet-only imitation of Intel's PCK hierarchy: a root, a PCK
// Platform CA, one PCK certificate (with the SGX extensions of go-tdx-guest's sample
// platform), a TCB signing certificate and a quoting enclave's attestation key, with
// the sample's TCB Info and QE Identity re-signed and re-dated so that they are
// current. It is safe for concurrent use.
type TDXAuthority struct {
	root, ca, leaf, tcbSigner       *x509.Certificate
	rootKey, caKey, leafKey, tcbKey *ecdsa.PrivateKey
	attKey                          *ecdsa.PrivateKey
	base                            *evidence.TDXQuote
	coll                            *collateral.TDXCollateral
}

// NewTDXAuthority generates the hierarchy (certificates valid from an hour before
// now for ten years) and collateral valid from an hour before now for 30 days.
func NewTDXAuthority(ctx context.Context, now time.Time) (*TDXAuthority, error) {
	base, err := evidence.ParseTDXQuote(tdxtestdata.RawQuote)
	if err != nil {
		return nil, fmt.Errorf("go-tdx-guest sample quote: %w", err)
	}
	blk, _ := pem.Decode(base.PCKChain)
	if blk == nil {
		return nil, errors.New("go-tdx-guest sample quote: no PEM PCK certificate")
	}
	sampleLeaf, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("go-tdx-guest sample PCK certificate: %w", err)
	}
	a := &TDXAuthority{base: base}
	for _, k := range []**ecdsa.PrivateKey{&a.rootKey, &a.caKey, &a.leafKey, &a.tcbKey, &a.attKey} {
		if *k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return nil, err
		}
	}
	nb, na := now.Add(-time.Hour), now.AddDate(10, 0, 0)
	name := func(cn string) pkix.Name { return pkix.Name{CommonName: cn, Organization: []string{devnetOrg}} }
	ca := func(serial int64, cn string) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: name(cn), NotBefore: nb, NotAfter: na,
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	}
	mk := func(tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, key *ecdsa.PrivateKey) (*x509.Certificate, error) {
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
		if err != nil {
			return nil, fmt.Errorf("devnet TDX certificate %q: %w", tmpl.Subject.CommonName, err)
		}
		return x509.ParseCertificate(der)
	}
	rootT := ca(1, intelRootCN)
	if a.root, err = mk(rootT, rootT, &a.rootKey.PublicKey, a.rootKey); err != nil {
		return nil, err
	}
	if a.ca, err = mk(ca(2, intelPCKPlatformCN), a.root, &a.caKey.PublicKey, a.rootKey); err != nil {
		return nil, err
	}
	if a.tcbSigner, err = mk(&x509.Certificate{SerialNumber: big.NewInt(3), Subject: name(intelTCBSigningCN),
		NotBefore: nb, NotAfter: na, KeyUsage: x509.KeyUsageDigitalSignature}, a.root, &a.tcbKey.PublicKey, a.rootKey); err != nil {
		return nil, err
	}
	// The sample's extensions (SGX extension with FMSPC, TCB components, PCE id)
	// override the ones Go would generate.
	if a.leaf, err = mk(&x509.Certificate{SerialNumber: big.NewInt(0x7e57), Subject: name(intelPCKLeafCN),
		NotBefore: nb, NotAfter: na, ExtraExtensions: sampleLeaf.Extensions}, a.ca, &a.leafKey.PublicKey, a.caKey); err != nil {
		return nil, err
	}
	if a.coll, err = a.makeCollateral(ctx, now); err != nil {
		return nil, err
	}
	return a, nil
}

// Root returns the devnet-only stand-in for the Intel SGX Root CA, for
// appraise.TDXConfig.Root.
func (a *TDXAuthority) Root() *x509.Certificate { return a.root }

// Collateral returns the devnet collateral (TCB Info, QE Identity, CRLs), for
// appraise.TDXConfig.Collateral.
func (a *TDXAuthority) Collateral() *collateral.TDXCollateral { return a.coll }

func (a *TDXAuthority) signRS(msg []byte) ([]byte, error) {
	return signP256(a.tcbKey, msg)
}

func signP256(k *ecdsa.PrivateKey, msg []byte) ([]byte, error) {
	d := sha256.Sum256(msg)
	r, s, err := ecdsa.Sign(rand.Reader, k, d[:])
	if err != nil {
		return nil, err
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return out, nil
}

// makeCollateral re-signs go-tdx-guest's sample collateral: the TCB Info's first
// level lowered to the sample platform's SVNs (so the platform is UpToDate), both
// documents re-dated around now, and fresh CRLs revoking nothing.
func (a *TDXAuthority) makeCollateral(ctx context.Context, now time.Time) (*collateral.TDXCollateral, error) {
	lib, err := (&collateral.PCSFetcher{Getter: tdxtesting.TestGetter}).FetchTDX(ctx, sampleFMSPC, "platform")
	if err != nil {
		return nil, fmt.Errorf("go-tdx-guest sample collateral: %w", err)
	}
	issued, next := now.Add(-time.Hour).UTC().Format(time.RFC3339), now.Add(30*24*time.Hour).UTC().Format(time.RFC3339)
	tcb, err := editJSON(lib.TCBInfo.Body, func(m map[string]any) error {
		m["issueDate"], m["nextUpdate"] = issued, next
		levels, ok := m["tcbLevels"].([]any)
		if !ok || len(levels) == 0 {
			return errors.New("sample TCB Info has no tcbLevels")
		}
		l0, _ := levels[0].(map[string]any)
		t, _ := l0["tcb"].(map[string]any)
		sgx, _ := t["sgxtcbcomponents"].([]any)
		tdx, _ := t["tdxtcbcomponents"].([]any)
		if len(sgx) != 16 || len(tdx) != 16 {
			return errors.New("sample TCB Info level 0 lacks 16 SGX and TDX components")
		}
		// The sample quote's platform: CPU SVNs 3,3,2,2,2,1,0,2 then zeros, and TDX
		// module SVN 4 in TEE_TCB_SVN[2].
		for i, c := range sgx {
			svn := 0
			if i < 8 {
				svn = []int{3, 3, 2, 2, 2, 1, 0, 2}[i]
			}
			c.(map[string]any)["svn"] = svn
		}
		tdx[2].(map[string]any)["svn"] = 4
		return nil
	})
	if err != nil {
		return nil, err
	}
	qe, err := editJSON(lib.QEIdentity.Body, func(m map[string]any) error {
		m["issueDate"], m["nextUpdate"] = issued, next
		return nil
	})
	if err != nil {
		return nil, err
	}
	chain := [][]byte{a.tcbSigner.Raw, a.root.Raw}
	tcbSig, err := a.signRS(tcb)
	if err != nil {
		return nil, err
	}
	qeSig, err := a.signRS(qe)
	if err != nil {
		return nil, err
	}
	crl := func(issuer *x509.Certificate, key *ecdsa.PrivateKey) ([]byte, error) {
		return x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1),
			ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(30 * 24 * time.Hour)}, issuer, key)
	}
	pckCRL, err := crl(a.ca, a.caKey)
	if err != nil {
		return nil, err
	}
	rootCRL, err := crl(a.root, a.rootKey)
	if err != nil {
		return nil, err
	}
	return &collateral.TDXCollateral{
		TCBInfo:           collateral.SignedJSON{Body: tcb, Signature: tcbSig, IssuerChain: chain},
		QEIdentity:        collateral.SignedJSON{Body: qe, Signature: qeSig, IssuerChain: chain},
		PCKCRL:            pckCRL,
		PCKCRLIssuerChain: [][]byte{a.ca.Raw, a.root.Raw},
		RootCACRL:         rootCRL,
	}, nil
}

func editJSON(b []byte, edit func(map[string]any) error) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("sample collateral: %w", err)
	}
	if err := edit(m); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// TDXMachineOptions describe one simulated TD.
type TDXMachineOptions struct {
	// MRTD and RTMR are the TD's measurements (48 bytes each); nil means fixed devnet
	// values.
	MRTD []byte
	RTMR [4][]byte
	// Version is the quote version, 4 or 5 (TDX 1.5 body); 0 means 4.
	Version uint16
	// Debug sets TD attribute bit 0 (which the devnet policy refuses).
	Debug bool
	// Boot, when set, is what the TD boots: RTMR0..2 are then the replay of its
	// event log (TDXBoot) and RTMR3 starts at zero, so RTMR must be left nil.
	Boot *TDXBoot
	// MRConfigID is the 48-byte MRCONFIGID the host sets; nil means zero.
	MRConfigID []byte
}

// DefaultTDXMeasurements returns the devnet TD's MRTD and RTMR0..3.
func DefaultTDXMeasurements() (mrtd []byte, rtmr [4][]byte) {
	fill := func(b byte, label string) []byte {
		m := make([]byte, 48)
		for i := range m {
			m[i] = b
		}
		copy(m, label)
		return m
	}
	mrtd = fill(0x7d, "teeoracle devnet tdx guest")
	for i := range rtmr {
		rtmr[i] = fill(byte(0x10+i), fmt.Sprintf("devnet rtmr%d", i))
	}
	return mrtd, rtmr
}

// TDXMachine is one simulated TD on the authority's platform. It implements
// go-tdx-guest's client.QuoteProvider (IsSupported, GetRawQuote), the interface of
// configfs-tsm, and is safe for concurrent use.
type TDXMachine struct {
	a    *TDXAuthority
	opts TDXMachineOptions
	ccel []byte // the boot's log area, nil without Boot
	mu   sync.Mutex
}

// NewMachine makes a TD on a's platform.
func (a *TDXAuthority) NewMachine(opts TDXMachineOptions) (*TDXMachine, error) {
	dm, dr := DefaultTDXMeasurements()
	if opts.MRTD == nil {
		opts.MRTD = dm
	}
	if opts.Boot != nil && (opts.RTMR[0] != nil || opts.RTMR[1] != nil || opts.RTMR[2] != nil || opts.RTMR[3] != nil) {
		return nil, fmt.Errorf("devnet TD: RTMR given with Boot (Boot's log determines them)")
	}
	if opts.MRConfigID != nil && len(opts.MRConfigID) != 48 {
		return nil, fmt.Errorf("devnet TD: MRCONFIGID has %d bytes, want 48", len(opts.MRConfigID))
	}
	for i := range opts.RTMR {
		if opts.RTMR[i] == nil {
			opts.RTMR[i] = dr[i]
		}
		if len(opts.RTMR[i]) != 48 {
			return nil, fmt.Errorf("devnet TD: RTMR%d has %d bytes, want 48", i, len(opts.RTMR[i]))
		}
	}
	if len(opts.MRTD) != 48 {
		return nil, fmt.Errorf("devnet TD: MRTD has %d bytes, want 48", len(opts.MRTD))
	}
	switch opts.Version {
	case 0:
		opts.Version = 4
	case 4, 5:
	default:
		return nil, fmt.Errorf("devnet TD: quote version %d, want 4 or 5", opts.Version)
	}
	m := &TDXMachine{a: a, opts: opts}
	if err := m.applyBoot(); err != nil {
		return nil, err
	}
	return m, nil
}

// MRTD returns the TD's MRTD.
func (m *TDXMachine) MRTD() []byte { return append([]byte(nil), m.opts.MRTD...) }

// RTMR returns the TD's RTMR0..3.
func (m *TDXMachine) RTMR() [4][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out [4][]byte
	for i, r := range m.opts.RTMR {
		out[i] = append([]byte(nil), r...)
	}
	return out
}

// IsSupported reports that the simulated configfs-tsm is available.
func (m *TDXMachine) IsSupported() error { return nil }

// GetRawQuote returns a quote over reportData signed by the devnet quoting enclave
// key, whose QE report the devnet PCK certificate signs.
func (m *TDXMachine) GetRawQuote(reportData [64]byte) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, base := m.a, m.a.base
	hdr := append([]byte(nil), base.Raw[:evidence.TDXHeaderSize]...)
	binary.LittleEndian.PutUint16(hdr, m.opts.Version)
	body := append([]byte(nil), base.Raw[evidence.TDXHeaderSize:evidence.TDXHeaderSize+evidence.TDXBody10Size]...)
	copy(body[tdxBodyMRTD:], m.opts.MRTD)
	for i, r := range m.opts.RTMR {
		copy(body[tdxBodyRTMR0+48*i:], r)
	}
	copy(body[tdxBodyReportData:], reportData[:])
	if m.opts.MRConfigID != nil {
		copy(body[tdxBodyMRConfigID:], m.opts.MRConfigID)
	}
	if m.opts.Debug {
		body[tdxBodyTDAttributes] |= 1
	} else {
		body[tdxBodyTDAttributes] &^= 1
	}
	signed := hdr
	if m.opts.Version == 5 {
		body = append(body, make([]byte, evidence.TDXBody15Size-evidence.TDXBody10Size)...)
		signed = binary.LittleEndian.AppendUint16(signed, evidence.TDXBodyTypeTD15)
		signed = binary.LittleEndian.AppendUint32(signed, uint32(len(body)))
	}
	signed = append(signed, body...)

	att := make([]byte, 64)
	a.attKey.PublicKey.X.FillBytes(att[:32])
	a.attKey.PublicKey.Y.FillBytes(att[32:])
	auth := []byte("teeoracle devnet QE authentication data")
	// The QE report's report data binds the attestation key: SHA-256(key ‖ auth
	// data) in its first 32 bytes.
	qe := append([]byte(nil), base.QEReportRaw...)
	rd := sha256.Sum256(append(append([]byte(nil), att...), auth...))
	copy(qe[0x140:], rd[:])
	clear(qe[0x160:0x180])
	qeSig, err := signP256(a.leafKey, qe)
	if err != nil {
		return nil, err
	}
	var pemChain []byte
	for _, c := range []*x509.Certificate{a.leaf, a.ca, a.root} {
		pemChain = append(pemChain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	var cert []byte
	cert = append(cert, qe...)
	cert = append(cert, qeSig...)
	cert = binary.LittleEndian.AppendUint16(cert, uint16(len(auth)))
	cert = append(cert, auth...)
	cert = binary.LittleEndian.AppendUint16(cert, 5) // PCK chain, PEM
	cert = binary.LittleEndian.AppendUint32(cert, uint32(len(pemChain)))
	cert = append(cert, pemChain...)

	quoteSig, err := signP256(a.attKey, signed)
	if err != nil {
		return nil, err
	}
	var sig []byte
	sig = append(sig, quoteSig...)
	sig = append(sig, att...)
	sig = binary.LittleEndian.AppendUint16(sig, 6) // QE report certification data
	sig = binary.LittleEndian.AppendUint32(sig, uint32(len(cert)))
	sig = append(sig, cert...)

	out := append([]byte(nil), signed...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(sig)))
	return append(out, sig...), nil
}
