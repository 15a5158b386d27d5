package evidence

import "errors"

// Sentinel errors. Every error this package returns wraps one or more of them (test
// with errors.Is) and names the input and what was wrong with it.
var (
	// ErrUnknownFormat: the bytes are none of the accepted forms (or are empty).
	ErrUnknownFormat = errors.New("unknown evidence format")
	// ErrTruncated: the input is shorter than its own structure says it is.
	ErrTruncated = errors.New("truncated")
	// ErrUnsupported: the form is recognised but this variant is not supported
	// (SEV-SNP report version or signature algorithm, TDX quote version, attestation
	// key type or body type, configfs-tsm provider).
	ErrUnsupported = errors.New("unsupported")
	// ErrMalformed: the form is recognised and its framing complete, but its inner
	// structure is broken (for a TDX quote, the error also wraps ErrTDXQuote).
	ErrMalformed = errors.New("malformed evidence")
	// ErrTrailingData: non-zero bytes follow a complete TDX quote. Only zero padding
	// is tolerated (and removed), because the bytes after a quote are not signed.
	ErrTrailingData = errors.New("trailing data after evidence")
	// ErrTooLarge: an input exceeds MaxInputSize.
	ErrTooLarge = errors.New("input too large")
	// ErrBadCertificate: a certificate is not valid PEM or DER X.509, a PEM block is
	// not a CERTIFICATE, or one certificate was given two different roles.
	ErrBadCertificate = errors.New("bad certificate")
	// ErrBadCertTable: an SEV-SNP certificate table is unterminated, has entries
	// outside its data, overlapping entries, entries inside its header, or a GUID
	// twice.
	ErrBadCertTable = errors.New("bad certificate table")
	// ErrBadJSON: a JSON form (configfs-tsm report or bundle) is malformed, has a
	// missing or unknown field, or a field that does not decode (base64, hex).
	ErrBadJSON = errors.New("bad evidence JSON")
	// ErrTEEMismatch: the TEE a JSON form names (bundle "tee", configfs-tsm
	// "provider") differs from the TEE detected in the evidence bytes.
	ErrTEEMismatch = errors.New("tee does not match evidence")
)
