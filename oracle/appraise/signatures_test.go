package appraise

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// signedPair is a real certificate or CRL and the certificate that signed it.
type signedPair struct {
	name   string
	cert   *x509.Certificate    // or nil for a CRL
	crl    *x509.RevocationList // or nil for a certificate
	parent *x509.Certificate
}

// realSignedPairs is every signature in the real vectors that an appraisal checks
// through checkIssuedBy or checkCRLIssuedBy: the AMD chains (RSA-PSS SHA-384) and
// Intel's PCK chains, TCB signing certificates and CRLs (ECDSA P-256 SHA-256).
func realSignedPairs(t *testing.T) []signedPair {
	t.Helper()
	roots, err := AMDSNPRoots()
	if err != nil {
		t.Fatal(err)
	}
	var out []signedPair
	for _, line := range roots.ProductLines() {
		s := roots.Set(line)
		out = append(out, signedPair{name: line + " ARK self", cert: s.ARK, parent: s.ARK})
		if s.ASK != nil {
			out = append(out, signedPair{name: line + " ASK", cert: s.ASK, parent: s.ARK})
		}
		if s.ASVK != nil {
			out = append(out, signedPair{name: line + " ASVK", cert: s.ASVK, parent: s.ARK})
		}
	}
	endorsement := func(name string, der []byte, line string, vlek bool) {
		if blk, _ := pem.Decode(der); blk != nil {
			der = blk.Bytes
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s := roots.Set(line)
		ica := s.ASK
		if vlek {
			ica = s.ASVK
		}
		out = append(out, signedPair{name: name, cert: c, parent: ica})
	}
	endorsement("Milan VCEK", readTestdata(t, "snp/milan-v2-vcek.der"), "Milan", false)
	endorsement("Turin VCEK", sharedVector(t, "snp-turin/vcek.der"), "Turin", false)
	endorsement("Milan VLEK", sharedVector(t, "snp-vlek-milan/vlek.pem"), "Milan", true)

	root := IntelSGXRootCA()
	out = append(out, signedPair{name: "Intel root self", cert: root, parent: root})
	tdxQuote := func(name string, raw []byte) {
		q, err := evidence.ParseTDXQuote(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		e := verifyPCKChain(GoSignatures{}, q.PCKChain, root)
		if e.err != nil {
			t.Fatalf("%s PCK chain: %v", name, e.err)
		}
		out = append(out, signedPair{name: name + " PCK", cert: e.leaf, parent: e.inter},
			signedPair{name: name + " PCK CA", cert: e.inter, parent: root})
	}
	v5, col := v5Vector(t)
	tdxQuote("TDX v5", v5)
	v4, err := evidence.ParseTDXQuote(readRepoFile(t, "testdata/tdx/spr-e4/quote.bin"))
	if err != nil {
		t.Fatal(err)
	}
	tdxQuote("TDX v4", v4.Raw)
	signer, err := x509.ParseCertificate(col.TCBInfo.IssuerChain[0])
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, signedPair{name: "TCB signing", cert: signer, parent: root})
	pckCA, err := x509.ParseCertificate(col.PCKCRLIssuerChain[0])
	if err != nil {
		t.Fatal(err)
	}
	for name, der := range map[string][]byte{"PCK CRL": col.PCKCRL, "root CRL": col.RootCACRL} {
		crl, err := x509.ParseRevocationList(der)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		parent := root
		if name == "PCK CRL" {
			parent = pckCA
		}
		out = append(out, signedPair{name: name, crl: crl, parent: parent})
	}
	return out
}

func readRepoFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// check runs our check (with sv) and crypto/x509's on p.
func (p signedPair) check(sv SignatureVerifier) (ours, lib error) {
	if p.crl != nil {
		return checkCRLIssuedBy(sv, p.crl, p.parent), p.crl.CheckSignatureFrom(p.parent)
	}
	return checkIssuedBy(sv, p.cert, p.parent), p.cert.CheckSignatureFrom(p.parent)
}

// tamper returns p with one bit of its signature flipped.
func (p signedPair) tamper(i int) signedPair {
	if p.crl != nil {
		c := *p.crl
		c.Signature = bytes.Clone(c.Signature)
		c.Signature[i%len(c.Signature)] ^= 1
		p.crl = &c
		return p
	}
	c := *p.cert
	c.Signature = bytes.Clone(c.Signature)
	c.Signature[i%len(c.Signature)] ^= 1
	p.cert = &c
	return p
}

// TestSignatureChecksMatchX509: on every real signature, checkIssuedBy and
// checkCRLIssuedBy accept what crypto/x509 accepts; with one signature bit flipped
// (at several places) or the wrong parent, both reject, ours with ErrBadSignature.
func TestSignatureChecksMatchX509(t *testing.T) {
	pairs := realSignedPairs(t)
	if len(pairs) < 15 {
		t.Fatalf("only %d real signatures", len(pairs))
	}
	algs := map[x509.SignatureAlgorithm]bool{}
	for _, p := range pairs {
		ours, lib := p.check(GoSignatures{})
		if ours != nil || lib != nil {
			t.Errorf("%s: ours %v, crypto/x509 %v; want both nil", p.name, ours, lib)
		}
		if p.crl != nil {
			algs[p.crl.SignatureAlgorithm] = true
		} else {
			algs[p.cert.SignatureAlgorithm] = true
		}
		sigLen := len(p.tamper(0).signature())
		for _, i := range []int{4, sigLen / 2, sigLen - 3} {
			ours, lib := p.tamper(i).check(GoSignatures{})
			if lib == nil || !errors.Is(ours, ErrBadSignature) {
				t.Errorf("%s with signature byte %d flipped: ours %v, crypto/x509 %v; want both to reject, ours with ErrBadSignature", p.name, i, ours, lib)
			}
		}
	}
	for _, a := range []x509.SignatureAlgorithm{x509.SHA384WithRSAPSS, x509.ECDSAWithSHA256} {
		if !algs[a] {
			t.Errorf("no real signature with %v among the vectors", a)
		}
	}
	// A certificate checked against a parent that did not sign it.
	p := pairs[len(pairs)-1]
	for _, q := range pairs {
		if q.cert != nil && q.parent != p.parent && q.parent.PublicKeyAlgorithm == p.parent.PublicKeyAlgorithm {
			q.parent = p.parent
			ours, lib := q.check(GoSignatures{})
			if lib == nil || !errors.Is(ours, ErrBadSignature) {
				t.Errorf("%s against %q: ours %v, crypto/x509 %v", q.name, p.parent.Subject.CommonName, ours, lib)
			}
			break
		}
	}
}

func (p signedPair) signature() []byte {
	if p.crl != nil {
		return p.crl.Signature
	}
	return p.cert.Signature
}

// recordingSigs counts the checks it is asked for, and answers with Go's crypto or,
// when reject is set, always no.
type recordingSigs struct {
	ecdsa, rsa atomic.Int64
	reject     bool
}

func (r *recordingSigs) VerifyECDSA(pub *ecdsa.PublicKey, h crypto.Hash, msg, sig []byte) bool {
	r.ecdsa.Add(1)
	return !r.reject && GoSignatures{}.VerifyECDSA(pub, h, msg, sig)
}

func (r *recordingSigs) VerifyRSAPSS(pub *rsa.PublicKey, h crypto.Hash, msg, sig []byte) bool {
	r.rsa.Add(1)
	return !r.reject && GoSignatures{}.VerifyRSAPSS(pub, h, msg, sig)
}

// TestAppraisersUseSignatureVerifier: the appraisers check every signature through
// the configured SignatureVerifier, none behind its back: with one that verifies,
// the real vectors are authentic and the verifier saw the RSA-PSS (AMD chain) and
// ECDSA checks; with one that always says no, every signature check fails.
func TestAppraisersUseSignatureVerifier(t *testing.T) {
	roots, err := AMDSNPRoots()
	if err != nil {
		t.Fatal(err)
	}
	snp := func(sv SignatureVerifier) *Appraisal {
		a, err := NewSNP(SNPConfig{Roots: roots, Signatures: sv})
		if err != nil {
			t.Fatal(err)
		}
		v := milanVector(t)
		ap, err := a.Appraise(t.Context(), v.evidence(), v.asOf)
		if err != nil {
			t.Fatal(err)
		}
		return ap
	}
	raw, col := v5Vector(t)
	tdx := func(sv SignatureVerifier) *Appraisal {
		a, err := NewTDX(TDXConfig{Collateral: col, Signatures: sv})
		if err != nil {
			t.Fatal(err)
		}
		ap, err := a.Appraise(t.Context(), &evidence.Evidence{TEE: evidence.TEETDX, Raw: raw}, v5AsOf)
		if err != nil {
			t.Fatal(err)
		}
		return ap
	}
	ok := &recordingSigs{}
	if ap := snp(ok); !ap.Authentic {
		t.Errorf("Milan with a verifying SignatureVerifier: not authentic: %+v", ap.Checks)
	}
	if ok.rsa.Load() != 1 || ok.ecdsa.Load() != 1 {
		t.Errorf("SEV-SNP: %d RSA-PSS and %d ECDSA checks, want 1 (VCEK by ASK) and 1 (report)", ok.rsa.Load(), ok.ecdsa.Load())
	}
	ok = &recordingSigs{}
	if ap := tdx(ok); !ap.Authentic {
		t.Errorf("TDX v5 with a verifying SignatureVerifier: not authentic: %+v", ap.Checks)
	}
	// Root self-signature, PCK and PCK CA, QE report, quote, TCB Info and QE
	// Identity (each with its signing certificate), two CRLs.
	if n := ok.ecdsa.Load(); n < 10 || ok.rsa.Load() != 0 {
		t.Errorf("TDX: %d ECDSA and %d RSA checks, want at least 10 and 0", n, ok.rsa.Load())
	}

	no := &recordingSigs{reject: true}
	ap := snp(no)
	for _, c := range []string{CheckSNPVCEKChain, CheckSNPSignature} {
		if got := checkOutcome(ap, c); got != Fail {
			t.Errorf("SEV-SNP with a rejecting SignatureVerifier: %s = %s, want fail", c, got)
		}
	}
	if _, err := NewTDX(TDXConfig{Collateral: col, Signatures: no}); !errors.Is(err, ErrRoots) {
		t.Errorf("NewTDX with a rejecting SignatureVerifier: %v, want ErrRoots (root not self-signed)", err)
	}
}

// TestTDXSignatureChecksRejectThroughVerifier: once the root is accepted, a verifier
// that rejects everything else fails every TDX signature check.
func TestTDXSignatureChecksRejectThroughVerifier(t *testing.T) {
	raw, col := v5Vector(t)
	root := IntelSGXRootCA()
	sv := &rootOnlySigs{root: root}
	a, err := NewTDX(TDXConfig{Collateral: col, Signatures: sv})
	if err != nil {
		t.Fatal(err)
	}
	ap, err := a.Appraise(t.Context(), &evidence.Evidence{TEE: evidence.TEETDX, Raw: raw}, v5AsOf)
	if err != nil {
		t.Fatal(err)
	}
	if ap.Authentic {
		t.Error("authentic although every signature but the root's was rejected")
	}
	for _, c := range []string{CheckTDXPCKChain, CheckTDXQEReportSignature, CheckTDXQuoteSignature} {
		if got := tdxOutcome(ap, c); got != Fail {
			t.Errorf("%s = %s, want fail", c, got)
		}
	}
}

// rootOnlySigs accepts only the root's self-signature.
type rootOnlySigs struct{ root *x509.Certificate }

func (r *rootOnlySigs) VerifyECDSA(pub *ecdsa.PublicKey, h crypto.Hash, msg, sig []byte) bool {
	return bytes.Equal(msg, r.root.RawTBSCertificate) && GoSignatures{}.VerifyECDSA(pub, h, msg, sig)
}

func (r *rootOnlySigs) VerifyRSAPSS(*rsa.PublicKey, crypto.Hash, []byte, []byte) bool { return false }

// TestGoSignaturesNegative: GoSignatures refuses signatures of the wrong length,
// unknown hashes, a flipped bit and another key's signature.
func TestGoSignaturesNegative(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("signed")
	d := sha256.Sum256(msg)
	r, s, err := ecdsa.Sign(rand.Reader, k, d[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	g := GoSignatures{}
	if !g.VerifyECDSA(&k.PublicKey, crypto.SHA256, msg, sig) {
		t.Fatal("a valid signature is refused")
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for name, ok := range map[string]bool{
		"short":     g.VerifyECDSA(&k.PublicKey, crypto.SHA256, msg, sig[:63]),
		"hash 0":    g.VerifyECDSA(&k.PublicKey, crypto.Hash(0), msg, sig),
		"bit":       g.VerifyECDSA(&k.PublicKey, crypto.SHA256, msg, flip(sig, 40)),
		"other key": g.VerifyECDSA(&other.PublicKey, crypto.SHA256, msg, sig),
		"message":   g.VerifyECDSA(&k.PublicKey, crypto.SHA256, []byte("signeD"), sig),
	} {
		if ok {
			t.Errorf("%s: accepted", name)
		}
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsig, err := rsa.SignPSS(rand.Reader, rk, crypto.SHA256, d[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	if err != nil {
		t.Fatal(err)
	}
	if !g.VerifyRSAPSS(&rk.PublicKey, crypto.SHA256, msg, rsig) {
		t.Fatal("a valid RSA-PSS signature is refused")
	}
	if g.VerifyRSAPSS(&rk.PublicKey, crypto.SHA256, msg, flip(rsig, 7)) || g.VerifyRSAPSS(&rk.PublicKey, crypto.Hash(0), msg, rsig) {
		t.Error("a flipped RSA-PSS signature or an unknown hash is accepted")
	}
	// A salt of another length than the hash's is not what X.509 means by RSA-PSS.
	salt20, err := rsa.SignPSS(rand.Reader, rk, crypto.SHA256, d[:], &rsa.PSSOptions{SaltLength: 20})
	if err != nil {
		t.Fatal(err)
	}
	if g.VerifyRSAPSS(&rk.PublicKey, crypto.SHA256, msg, salt20) {
		t.Error("an RSA-PSS signature with a 20-byte salt is accepted")
	}
}

// FuzzECDSARawSignature: ecdsaRawSignature followed by GoSignatures accepts exactly
// the ASN.1 signatures crypto/ecdsa.VerifyASN1 accepts.
func FuzzECDSARawSignature(f *testing.F) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	msg := []byte("fuzzed")
	d := sha256.Sum256(msg)
	good, err := ecdsa.SignASN1(rand.Reader, k, d[:])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(append(bytes.Clone(good), 0))
	f.Add(flip(good, len(good)-1))
	f.Add([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01})
	f.Add([]byte{0x30, 0x08, 0x02, 0x02, 0x00, 0x01, 0x02, 0x02, 0x00, 0x80})
	f.Fuzz(func(t *testing.T, der []byte) {
		lib := ecdsa.VerifyASN1(&k.PublicKey, d[:], der)
		raw, ok := ecdsaRawSignature(der, 32)
		ours := ok && GoSignatures{}.VerifyECDSA(&k.PublicKey, crypto.SHA256, msg, raw)
		if lib != ours {
			t.Fatalf("%x: crypto/ecdsa %v, ours %v", der, lib, ours)
		}
		if ok && len(raw) != 64 {
			t.Fatalf("%x: raw signature of %d bytes", der, len(raw))
		}
	})
}
