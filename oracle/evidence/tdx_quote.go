package evidence

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// TDX quote layout constants (Intel TDX DCAP Quote Generation Library and Quote
// Verification specification, quote format versions 4 and 5). TestParseTDXQuoteV4MatchesLibrary
// holds the version 4 layout to go-tdx-guest's parser.
const (
	// TDXHeaderSize is the size of the quote header.
	TDXHeaderSize = 0x30
	// TDXBody10Size is the size of a TDX 1.0 TD report body (quote v4, or v5 body type 2).
	TDXBody10Size = 584
	// TDXBody15Size is the size of a TDX 1.5 TD report body (quote v5 body type 3):
	// the TDX 1.0 body followed by TEE_TCB_SVN2 (16 bytes) and MRSERVICETD (48 bytes).
	TDXBody15Size = TDXBody10Size + 16 + 48
	// TDXBodyTypeTD10 is the v5 body type of a TDX 1.0 TD report.
	TDXBodyTypeTD10 = 2
	// TDXBodyTypeTD15 is the v5 body type of a TDX 1.5 TD report.
	TDXBodyTypeTD15 = 3
	// TDXQEReportSize is the size of the quoting enclave's SGX report.
	TDXQEReportSize = 384

	tdxV5BodyDescriptorSize = 6 // u16 body type, u32 body size
	tdxSigSize              = 64
	tdxAttestKeySize        = 64
	tdxCertDataHeaderSize   = 6 // u16 type, u32 size
	tdxCertTypeQEReport     = 6 // QE report certification data
	tdxCertTypePCKChain     = 5 // PEM PCK leaf || intermediate || root
)

// IntelQEVendorID is the QE vendor id of Intel's quoting enclave.
var IntelQEVendorID = [16]byte{0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07}

// ErrTDXQuote is wrapped by every error ParseTDXQuote returns, so callers can tell
// "these bytes are not a well-formed TDX quote" from other failures.
var ErrTDXQuote = errors.New("malformed TDX quote")

// TDXReportBody is the TD report inside a quote (TDX 1.0 fields, plus the two TDX 1.5
// fields for v5 body type 3, which are zero otherwise).
type TDXReportBody struct {
	TEETCBSVN      [16]byte
	MRSEAM         [48]byte
	MRSignerSEAM   [48]byte
	SEAMAttributes [8]byte
	TDAttributes   [8]byte
	XFAM           [8]byte
	MRTD           [48]byte
	MRConfigID     [48]byte
	MROwner        [48]byte
	MROwnerConfig  [48]byte
	RTMR           [4][48]byte
	ReportData     [64]byte
	// TEETCBSVN2 and MRServiceTD are present only in TDX 1.5 bodies (type 3).
	TEETCBSVN2  [16]byte
	MRServiceTD [48]byte
}

// TDXQEReport is the SGX report of the quoting enclave, which the PCK key signs.
type TDXQEReport struct {
	CPUSVN     [16]byte
	MiscSelect uint32
	Attributes [16]byte
	MREnclave  [32]byte
	MRSigner   [32]byte
	ISVProdID  uint16
	ISVSVN     uint16
	ReportData [64]byte
}

// TDXQuote is a parsed TDX quote of version 4 or 5. Byte slices alias the input.
type TDXQuote struct {
	// Raw is the quote up to the end of its signature data, without the zero padding
	// some quote providers append (or any other unsigned trailing bytes).
	Raw []byte
	// Trailing holds the bytes after the signature data when they are not all zero
	// (go-tdx-guest's own sample quote carries such "extra bytes"); nil otherwise.
	Trailing []byte
	// Signed is the part of Raw the attestation key signs: header, (v5) body
	// descriptor and body.
	Signed []byte

	Version            uint16
	AttestationKeyType uint16
	TEEType            uint32
	QESVN              uint16
	PCESVN             uint16
	QEVendorID         [16]byte
	UserData           [20]byte

	// BodyType is 2 (TDX 1.0 report) or 3 (TDX 1.5 report); version 4 quotes carry a
	// TDX 1.0 report and report 2 here.
	BodyType uint16
	Body     TDXReportBody

	Signature      [64]byte // ECDSA P-256 r||s by the attestation key over Signed
	AttestationKey [64]byte // raw X||Y

	QEReportRaw       []byte // 384 bytes, as signed by the PCK key
	QEReport          TDXQEReport
	QEReportSignature [64]byte
	QEAuthData        []byte
	// PCKChain is the PEM chain from the certification data: PCK leaf, PCK
	// Platform/Processor CA, Intel SGX Root CA.
	PCKChain []byte
}

// reader reads little-endian fields and records the first out-of-bounds read, so the
// parser checks every length without a branch per field.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) next(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b)-r.off < n {
		r.err = fmt.Errorf("%w: %s needs %d bytes at offset %d, only %d left", ErrTDXQuote, what, n, r.off, len(r.b)-r.off)
		return nil
	}
	s := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return s
}

func (r *reader) u16(what string) uint16 {
	if s := r.next(2, what); s != nil {
		return binary.LittleEndian.Uint16(s)
	}
	return 0
}

func (r *reader) u32(what string) uint32 {
	if s := r.next(4, what); s != nil {
		return binary.LittleEndian.Uint32(s)
	}
	return 0
}

func (r *reader) copyTo(dst []byte, what string) {
	if s := r.next(len(dst), what); s != nil {
		copy(dst, s)
	}
}

// ParseTDXQuote parses a TDX quote of version 4 or 5 (TDX 1.0 and 1.5 bodies), checking
// every length field against the bytes present. Bytes after the signature data
// (zero padding added by some quote providers) are tolerated and left out of Raw;
// when they are not all zero they are kept in Trailing. It verifies nothing
// cryptographic.
//
// go-tdx-guest v0.3.1 parses version 4 only and can panic on short certification
// data; this parser covers both versions and never panics.
func ParseTDXQuote(b []byte) (*TDXQuote, error) {
	q := &TDXQuote{}
	r := &reader{b: b}

	q.Version = r.u16("header version")
	q.AttestationKeyType = r.u16("header attestation key type")
	q.TEEType = r.u32("header TEE type")
	q.QESVN = r.u16("header QE SVN")
	q.PCESVN = r.u16("header PCE SVN")
	r.copyTo(q.QEVendorID[:], "header QE vendor id")
	r.copyTo(q.UserData[:], "header user data")
	if r.err != nil {
		return nil, r.err
	}
	if q.Version != 4 && q.Version != 5 {
		return nil, fmt.Errorf("%w: quote version %d, want 4 or 5", ErrTDXQuote, q.Version)
	}
	if q.TEEType != tdxTEEType {
		return nil, fmt.Errorf("%w: TEE type 0x%x, want 0x%x (TDX)", ErrTDXQuote, q.TEEType, tdxTEEType)
	}
	if q.AttestationKeyType != tdxAttestationKeyType {
		return nil, fmt.Errorf("%w: attestation key type %d, want %d (ECDSA P-256)", ErrTDXQuote, q.AttestationKeyType, tdxAttestationKeyType)
	}

	bodySize := TDXBody10Size
	q.BodyType = TDXBodyTypeTD10
	if q.Version == 5 {
		q.BodyType = r.u16("v5 body type")
		size := r.u32("v5 body size")
		if r.err != nil {
			return nil, r.err
		}
		switch q.BodyType {
		case TDXBodyTypeTD10:
			bodySize = TDXBody10Size
		case TDXBodyTypeTD15:
			bodySize = TDXBody15Size
		default:
			return nil, fmt.Errorf("%w: v5 body type %d, want 2 (TDX 1.0) or 3 (TDX 1.5)", ErrTDXQuote, q.BodyType)
		}
		if size != uint32(bodySize) {
			return nil, fmt.Errorf("%w: v5 body size %d for body type %d, want %d", ErrTDXQuote, size, q.BodyType, bodySize)
		}
	}
	body := r.next(bodySize, "TD report body")
	if r.err != nil {
		return nil, r.err
	}
	q.Signed = b[:r.off:r.off]
	parseTDXBody(body, &q.Body)

	sigLen := r.u32("signature data size")
	if r.err != nil {
		return nil, r.err
	}
	if uint64(sigLen) > uint64(len(b)-r.off) {
		return nil, fmt.Errorf("%w: signature data size %d exceeds the %d bytes present", ErrTDXQuote, sigLen, len(b)-r.off)
	}
	sig := r.next(int(sigLen), "signature data")
	end := r.off
	for _, c := range b[end:] {
		if c != 0 {
			// Not padding: keep it visible to the appraisal, but out of Raw, since
			// nothing signs it and the evidence hash must not depend on it.
			q.Trailing = b[end:]
			break
		}
	}
	q.Raw = b[:end:end]
	if err := parseTDXSignatureData(sig, q); err != nil {
		return nil, err
	}
	return q, nil
}

func parseTDXBody(b []byte, out *TDXReportBody) {
	off := 0
	take := func(dst []byte) {
		copy(dst, b[off:])
		off += len(dst)
	}
	take(out.TEETCBSVN[:])
	take(out.MRSEAM[:])
	take(out.MRSignerSEAM[:])
	take(out.SEAMAttributes[:])
	take(out.TDAttributes[:])
	take(out.XFAM[:])
	take(out.MRTD[:])
	take(out.MRConfigID[:])
	take(out.MROwner[:])
	take(out.MROwnerConfig[:])
	for i := range out.RTMR {
		take(out.RTMR[i][:])
	}
	take(out.ReportData[:])
	if len(b) == TDXBody15Size {
		take(out.TEETCBSVN2[:])
		take(out.MRServiceTD[:])
	}
}

// parseTDXSignatureData reads the ECDSA-256 quote signature data, which versions 4
// and 5 share: signature, attestation key, then certification data of type 6 (QE
// report certification data) that nests the PCK chain (type 5).
func parseTDXSignatureData(b []byte, q *TDXQuote) error {
	r := &reader{b: b}
	r.copyTo(q.Signature[:], "quote signature")
	r.copyTo(q.AttestationKey[:], "attestation key")
	certType := r.u16("certification data type")
	certSize := r.u32("certification data size")
	if r.err != nil {
		return r.err
	}
	if certType != tdxCertTypeQEReport {
		return fmt.Errorf("%w: certification data type %d, want %d (QE report certification data)", ErrTDXQuote, certType, tdxCertTypeQEReport)
	}
	if uint64(certSize) != uint64(len(b)-r.off) {
		return fmt.Errorf("%w: certification data size %d, but %d bytes follow", ErrTDXQuote, certSize, len(b)-r.off)
	}

	q.QEReportRaw = r.next(TDXQEReportSize, "QE report")
	r.copyTo(q.QEReportSignature[:], "QE report signature")
	authLen := r.u16("QE authentication data size")
	q.QEAuthData = r.next(int(authLen), "QE authentication data")
	pckType := r.u16("PCK certification data type")
	pckSize := r.u32("PCK certification data size")
	if r.err != nil {
		return r.err
	}
	if pckType != tdxCertTypePCKChain {
		return fmt.Errorf("%w: inner certification data type %d, want %d (PCK certificate chain)", ErrTDXQuote, pckType, tdxCertTypePCKChain)
	}
	if uint64(pckSize) != uint64(len(b)-r.off) {
		return fmt.Errorf("%w: PCK certificate chain size %d, but %d bytes follow", ErrTDXQuote, pckSize, len(b)-r.off)
	}
	q.PCKChain = r.next(int(pckSize), "PCK certificate chain")
	if r.err != nil {
		return r.err
	}
	parseTDXQEReport(q.QEReportRaw, &q.QEReport)
	return nil
}

// parseTDXQEReport decodes the SGX report layout (offsets from the SGX REPORTBODY).
func parseTDXQEReport(b []byte, out *TDXQEReport) {
	copy(out.CPUSVN[:], b[0x00:0x10])
	out.MiscSelect = binary.LittleEndian.Uint32(b[0x10:0x14])
	copy(out.Attributes[:], b[0x30:0x40])
	copy(out.MREnclave[:], b[0x40:0x60])
	copy(out.MRSigner[:], b[0x80:0xA0])
	out.ISVProdID = binary.LittleEndian.Uint16(b[0x100:0x102])
	out.ISVSVN = binary.LittleEndian.Uint16(b[0x102:0x104])
	copy(out.ReportData[:], b[0x140:0x180])
}
