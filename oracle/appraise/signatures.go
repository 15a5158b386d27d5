package appraise

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// SignatureVerifier checks the signatures the appraisers rely on: the SEV-SNP report's
// ECDSA P-384 signature, the AMD chain's RSA-PSS signatures (VCEK/VLEK by ASK/ASVK,
// CRL by ARK), and TDX's ECDSA P-256 signatures (quote, QE report, PCK chain, TCB
// Info, QE Identity, CRLs). Every such check in this package goes through one, so
// that a platform with faster cryptography (the browser's WebCrypto, in the
// WebAssembly build) can do them; GoSignatures is the default.
//
// Implementations only answer whether a signature verifies: the reasons a check
// fails are this package's, so they are the same whichever implementation ran.
// Both methods must be safe for concurrent use.
type SignatureVerifier interface {
	// VerifyECDSA reports whether sig (r || s, big-endian, each exactly the curve's
	// size in bytes) is pub's ECDSA signature over msg hashed with h.
	VerifyECDSA(pub *ecdsa.PublicKey, h crypto.Hash, msg, sig []byte) bool
	// VerifyRSAPSS reports whether sig is pub's RSASSA-PSS signature over msg, with
	// hash h, MGF1 with h, and a salt as long as h's output (as X.509 requires).
	VerifyRSAPSS(pub *rsa.PublicKey, h crypto.Hash, msg, sig []byte) bool
}

// GoSignatures verifies with crypto/ecdsa and crypto/rsa.
type GoSignatures struct{}

// VerifyECDSA implements SignatureVerifier.
func (GoSignatures) VerifyECDSA(pub *ecdsa.PublicKey, h crypto.Hash, msg, sig []byte) bool {
	size := (pub.Curve.Params().BitSize + 7) / 8
	if len(sig) != 2*size || !h.Available() {
		return false
	}
	d := h.New()
	d.Write(msg)
	r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
	return ecdsa.Verify(pub, d.Sum(nil), r, s)
}

// VerifyRSAPSS implements SignatureVerifier.
func (GoSignatures) VerifyRSAPSS(pub *rsa.PublicKey, h crypto.Hash, msg, sig []byte) bool {
	if !h.Available() {
		return false
	}
	d := h.New()
	d.Write(msg)
	return rsa.VerifyPSS(pub, h, d.Sum(nil), sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
}

// ErrBadSignature is the reason a certificate or CRL signature check fails when the
// signature itself does not verify (wrapped with what was signed and how).
var ErrBadSignature = errors.New("signature does not verify")

func sigVerifier(sv SignatureVerifier) SignatureVerifier {
	if sv == nil {
		return GoSignatures{}
	}
	return sv
}

// checkSigned checks that sig is parent's signature of type algo over signed: what
// (*x509.Certificate).CheckSignature does, with the ECDSA and RSA-PSS algorithms the
// vendors' PKIs use checked by sv. Any other algorithm is left to crypto/x509.
func checkSigned(sv SignatureVerifier, parent *x509.Certificate, algo x509.SignatureAlgorithm, signed, sig []byte) error {
	var h crypto.Hash
	pss := false
	switch algo {
	case x509.ECDSAWithSHA256:
		h = crypto.SHA256
	case x509.ECDSAWithSHA384:
		h = crypto.SHA384
	case x509.SHA256WithRSAPSS:
		h, pss = crypto.SHA256, true
	case x509.SHA384WithRSAPSS:
		h, pss = crypto.SHA384, true
	default:
		return parent.CheckSignature(algo, signed, sig)
	}
	if pss {
		pub, ok := parent.PublicKey.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("x509: signature algorithm specifies an RSA public key, but have public key of type %T", parent.PublicKey)
		}
		if !sv.VerifyRSAPSS(pub, h, signed, sig) {
			return fmt.Errorf("%w: %v by %q", ErrBadSignature, algo, parent.Subject.CommonName)
		}
		return nil
	}
	pub, ok := parent.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("x509: signature algorithm specifies an ECDSA public key, but have public key of type %T", parent.PublicKey)
	}
	rs, ok := ecdsaRawSignature(sig, (pub.Curve.Params().BitSize+7)/8)
	if !ok || !sv.VerifyECDSA(pub, h, signed, rs) {
		return fmt.Errorf("%w: %v by %q", ErrBadSignature, algo, parent.Subject.CommonName)
	}
	return nil
}

// ecdsaRawSignature converts an ASN.1 ECDSA-Sig-Value (SEQUENCE {r, s INTEGER}) to
// r || s, each left-padded to size bytes. It refuses what crypto/ecdsa refuses to
// parse (trailing data, negative or non-minimal integers) and integers longer than
// size, which are never below the curve order.
func ecdsaRawSignature(der []byte, size int) ([]byte, bool) {
	var r, s []byte
	in := cryptobyte.String(der)
	var inner cryptobyte.String
	if !in.ReadASN1(&inner, cbasn1.SEQUENCE) || !in.Empty() ||
		!inner.ReadASN1Integer(&r) || !inner.ReadASN1Integer(&s) || !inner.Empty() {
		return nil, false
	}
	r, s = bytes.TrimLeft(r, "\x00"), bytes.TrimLeft(s, "\x00")
	if len(r) > size || len(s) > size {
		return nil, false
	}
	out := make([]byte, 2*size)
	copy(out[size-len(r):size], r)
	copy(out[2*size-len(s):], s)
	return out, true
}

// checkIssuedBy is (*x509.Certificate).CheckSignatureFrom with the signature checked
// by sv: parent must be allowed to sign certificates.
func checkIssuedBy(sv SignatureVerifier, child, parent *x509.Certificate) error {
	if parent.Version == 3 && !parent.BasicConstraintsValid || parent.BasicConstraintsValid && !parent.IsCA {
		return x509.ConstraintViolationError{}
	}
	if parent.KeyUsage != 0 && parent.KeyUsage&x509.KeyUsageCertSign == 0 {
		return x509.ConstraintViolationError{}
	}
	if parent.PublicKeyAlgorithm == x509.UnknownPublicKeyAlgorithm {
		return x509.ErrUnsupportedAlgorithm
	}
	return checkSigned(sv, parent, child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
}

// checkCRLIssuedBy is (*x509.RevocationList).CheckSignatureFrom with the signature
// checked by sv: parent must be allowed to sign CRLs.
func checkCRLIssuedBy(sv SignatureVerifier, crl *x509.RevocationList, parent *x509.Certificate) error {
	if parent.Version == 3 && !parent.BasicConstraintsValid || parent.BasicConstraintsValid && !parent.IsCA {
		return x509.ConstraintViolationError{}
	}
	if parent.KeyUsage != 0 && parent.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return x509.ConstraintViolationError{}
	}
	if parent.PublicKeyAlgorithm == x509.UnknownPublicKeyAlgorithm {
		return x509.ErrUnsupportedAlgorithm
	}
	return checkSigned(sv, parent, crl.SignatureAlgorithm, crl.RawTBSRevocationList, crl.Signature)
}
