package evidence

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// MaxInputSize bounds every input Decode and the parsers accept. Real evidence is a
// few kilobytes (an SEV-SNP report with its certificate table about 5 KiB, a TDX
// quote 5 to 8 KiB) and a bundle with collateral some tens of kilobytes; the bound
// keeps a hostile API request from making the oracle allocate without limit.
const MaxInputSize = 4 << 20

// SEV-SNP report layout (AMD SEV-SNP firmware ABI, ATTESTATION_REPORT).
const (
	// SNPReportSize is the size of every SEV-SNP attestation report version.
	SNPReportSize = 0x4A0
	// snpSignatureAlgoECDSAP384SHA384 is the only signature algorithm AMD defines.
	snpSignatureAlgoECDSAP384SHA384 = 1
	snpVersionOffset                = 0x00
	snpSignatureAlgoOffset          = 0x34
)

// TDX quote layout (Intel TDX DCAP Quote Generation Library and Quote Verification
// Library API, quote formats 4 and 5). Only the framing is read here: enough to know
// the quote's length so that padding can be trimmed; ParseTDXQuote is the
// full parser.
const (
	tdxAttestationKeyECDSA  = 2
	tdxTEETypeTDX           = 0x81
	tdxSignedDataLengthSize = 4
	tdxMinSignatureDataSize = tdxSigSize + tdxAttestKeySize + tdxCertDataHeaderSize
)

// snpVersionAccepted says whether v is one of the SEV-SNP report versions the oracle supports: 2
// (Milan, Genoa firmware before 1.55), 3 (adds CPUID family/model/stepping; Milan,
// Genoa) and 5 (Turin, adds launch mitigation vectors). Version 4 was never issued
// in a released firmware ABI.
func snpVersionAccepted(v uint32) bool { return v == 2 || v == 3 || v == 5 }

// looksLikeTDXQuote reports whether data starts with a TDX quote header of a
// supported version (4 or 5), ECDSA-P256 attestation key and TEE type TDX. No valid
// SEV-SNP report starts like this: its u32 version would be 0x0002000x.
func looksLikeTDXQuote(data []byte) bool {
	if len(data) < 8 {
		return false
	}
	v := binary.LittleEndian.Uint16(data[0:2])
	return (v == 4 || v == 5) &&
		binary.LittleEndian.Uint16(data[2:4]) == tdxAttestationKeyECDSA &&
		binary.LittleEndian.Uint32(data[4:8]) == tdxTEETypeTDX
}

// checkSNPReport checks the fields that identify a raw SEV-SNP report: its version
// and signature algorithm. data must be at least SNPReportSize long.
func checkSNPReport(data []byte) error {
	v := binary.LittleEndian.Uint32(data[snpVersionOffset:])
	algo := binary.LittleEndian.Uint32(data[snpSignatureAlgoOffset:])
	switch {
	case v == 0 || v > 0xff:
		// Far from any version AMD could issue: this is not a report at all.
		return fmt.Errorf("%w: %d bytes like an SEV-SNP report, but version field is 0x%x", ErrUnknownFormat, len(data), v)
	case !snpVersionAccepted(v):
		return fmt.Errorf("SEV-SNP report version %d: %w (accepted: 2, 3, 5)", v, ErrUnsupported)
	case algo != snpSignatureAlgoECDSAP384SHA384:
		if algo > 0xff {
			return fmt.Errorf("%w: SEV-SNP report version %d with signature algorithm field 0x%x", ErrUnknownFormat, v, algo)
		}
		return fmt.Errorf("SEV-SNP report signature algorithm %d: %w (want 1, ECDSA P-384 with SHA-384)", algo, ErrUnsupported)
	}
	return nil
}

// tdxQuoteLength returns the length of the TDX quote at the start of data, read from
// its framing: header, body (v5: body descriptor, body) and signature data length.
func tdxQuoteLength(data []byte) (int, error) {
	if len(data) < TDXHeaderSize {
		return 0, fmt.Errorf("TDX quote header: %w: %d bytes, want at least %d", ErrTruncated, len(data), TDXHeaderSize)
	}
	version := binary.LittleEndian.Uint16(data[0:2])
	var sigLenOffset int
	switch version {
	case 4:
		sigLenOffset = TDXHeaderSize + TDXBody10Size
	case 5:
		if len(data) < TDXHeaderSize+tdxV5BodyDescriptorSize {
			return 0, fmt.Errorf("TDX quote v5 body descriptor: %w: %d bytes", ErrTruncated, len(data))
		}
		bodyType := binary.LittleEndian.Uint16(data[TDXHeaderSize:])
		bodySize := binary.LittleEndian.Uint32(data[TDXHeaderSize+2:])
		var want uint32
		switch bodyType {
		case TDXBodyTypeTD10:
			want = TDXBody10Size
		case TDXBodyTypeTD15:
			want = TDXBody15Size
		default:
			return 0, fmt.Errorf("TDX quote v5 body type %d: %w (accepted: 2 TDX 1.0, 3 TDX 1.5)", bodyType, ErrUnsupported)
		}
		if bodySize != want {
			return 0, fmt.Errorf("TDX quote v5 body type %d with body size %d: %w (want %d)", bodyType, bodySize, ErrUnsupported, want)
		}
		sigLenOffset = TDXHeaderSize + tdxV5BodyDescriptorSize + int(bodySize)
	default:
		return 0, fmt.Errorf("TDX quote version %d: %w (accepted: 4, 5)", version, ErrUnsupported)
	}
	if len(data) < sigLenOffset+tdxSignedDataLengthSize {
		return 0, fmt.Errorf("TDX quote v%d body: %w: %d bytes, want at least %d", version, ErrTruncated, len(data), sigLenOffset+tdxSignedDataLengthSize)
	}
	sigLen := uint64(binary.LittleEndian.Uint32(data[sigLenOffset:]))
	if sigLen < tdxMinSignatureDataSize {
		return 0, fmt.Errorf("TDX quote v%d signature data length %d: %w (at least %d)", version, sigLen, ErrTruncated, tdxMinSignatureDataSize)
	}
	total := uint64(sigLenOffset+tdxSignedDataLengthSize) + sigLen
	if uint64(len(data)) < total {
		return 0, fmt.Errorf("TDX quote v%d: %w: %d bytes, signature data length says %d", version, ErrTruncated, len(data), total)
	}
	return int(total), nil
}

// rawEvidence is what detectRaw found in a binary input.
type rawEvidence struct {
	tee  TEE
	raw  []byte // the report or quote as signed, padding removed
	form Form
	// certTable is the certificate table after an SEV-SNP extended report.
	certTable []byte
}

// detectRaw identifies a binary report or quote from its bytes. It accepts an
// SEV-SNP report (exactly SNPReportSize bytes, or followed by its certificate table),
// and a TDX quote v4 or v5 followed by nothing but zero padding.
func detectRaw(data []byte) (rawEvidence, error) {
	if len(data) == 0 {
		return rawEvidence{}, fmt.Errorf("%w: empty input", ErrUnknownFormat)
	}
	if looksLikeTDXQuote(data) {
		n, err := tdxQuoteLength(data)
		if err != nil {
			return rawEvidence{}, err
		}
		if tail := data[n:]; len(tail) > 0 {
			if i := bytes.IndexFunc(tail, func(r rune) bool { return r != 0 }); i >= 0 {
				return rawEvidence{}, fmt.Errorf("TDX quote of %d bytes: %w: non-zero byte at offset %d of %d", n, ErrTrailingData, n+i, len(data))
			}
		}
		// The framing is sound; the full parser checks the signature data's inner
		// structure, so that a quote that cannot be appraised fails here, as bad
		// input, rather than later.
		if _, err := ParseTDXQuote(data[:n]); err != nil {
			return rawEvidence{}, fmt.Errorf("TDX quote v%d: %w: %w", binary.LittleEndian.Uint16(data), ErrMalformed, err)
		}
		return rawEvidence{tee: TEETDX, raw: data[:n], form: FormRaw}, nil
	}
	if len(data) >= 8 && binary.LittleEndian.Uint32(data[4:8]) == tdxTEETypeTDX {
		// A TDX header of a version or key type we do not take. The key type must
		// be non-zero, so the first u32 is above 0xffff and cannot be an SEV-SNP
		// report version (whose guest SVN sits where the TEE type is).
		v, k := binary.LittleEndian.Uint16(data[0:2]), binary.LittleEndian.Uint16(data[2:4])
		if v > 0 && v < 16 && k > 0 && k < 16 {
			if v != 4 && v != 5 {
				return rawEvidence{}, fmt.Errorf("TDX quote version %d: %w (accepted: 4, 5)", v, ErrUnsupported)
			}
			return rawEvidence{}, fmt.Errorf("TDX quote attestation key type %d: %w (accepted: 2, ECDSA P-256)", k, ErrUnsupported)
		}
	}
	switch {
	case len(data) == SNPReportSize:
		if err := checkSNPReport(data); err != nil {
			return rawEvidence{}, err
		}
		return rawEvidence{tee: TEESEVSNP, raw: data, form: FormRaw}, nil
	case len(data) > SNPReportSize:
		if err := checkSNPReport(data[:SNPReportSize]); err != nil {
			return rawEvidence{}, fmt.Errorf("%d bytes, neither a TDX quote nor an SEV-SNP extended report: %w", len(data), err)
		}
		return rawEvidence{tee: TEESEVSNP, raw: data[:SNPReportSize], form: FormExtendedReport, certTable: data[SNPReportSize:]}, nil
	case len(data) >= 4 && snpVersionAccepted(binary.LittleEndian.Uint32(data)):
		return rawEvidence{}, fmt.Errorf("SEV-SNP report: %w: %d bytes, want %d", ErrTruncated, len(data), SNPReportSize)
	default:
		return rawEvidence{}, fmt.Errorf("%w: %d bytes are not an SEV-SNP report, TDX quote or JSON", ErrUnknownFormat, len(data))
	}
}
