package fakehw

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	sevtest "github.com/google/go-sev-guest/testing"
	tdxtestdata "github.com/google/go-tdx-guest/testing/testdata"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// ErrBadAuthorityFile is wrapped by the errors of ParseSNPAuthority and
// ParseTDXAuthority.
var ErrBadAuthorityFile = errors.New("not a simulated-hardware authority file")

// PEM block types of authority files. They hold private keys: the files are
// test-only secrets, to be written with mode 0600.
const (
	pemKey  = "PRIVATE KEY"
	pemCert = "CERTIFICATE"
	pemCRL  = "X509 CRL"
)

func pemBlock(typ string, b []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b})
}

func pemBlocks(b []byte) []*pem.Block {
	var out []*pem.Block
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return out
		}
		out = append(out, blk)
	}
}

// MarshalPEM returns the authority's keys, certificates and CRL as PEM, for
// ParseSNPAuthority: a rehearsal keeps one authority across restarts so that the
// oracle node's --snp-roots stay valid.
func (a *SNPAuthority) MarshalPEM() ([]byte, error) {
	var out []byte
	for _, k := range []*rsa.PrivateKey{a.keys.Ark, a.keys.Ask} {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, err
		}
		out = append(out, pemBlock(pemKey, der)...)
	}
	for _, c := range []*x509.Certificate{a.ark, a.ask, a.asvk} {
		out = append(out, pemBlock(pemCert, c.Raw)...)
	}
	return append(out, pemBlock(pemCRL, a.crl)...), nil
}

// ParseSNPAuthority reads what MarshalPEM wrote, with a fresh CRL (valid from an
// hour before now for 30 days), so a kept authority's collateral stays current.
func ParseSNPAuthority(b []byte, now time.Time) (*SNPAuthority, error) {
	blks := pemBlocks(b)
	if len(blks) != 6 {
		return nil, fmt.Errorf("%w: %d PEM blocks, want 6 (ARK and ASK keys, ARK, ASK, ASVK, CRL)", ErrBadAuthorityFile, len(blks))
	}
	var keys [2]*rsa.PrivateKey
	for i := range keys {
		k, err := x509.ParsePKCS8PrivateKey(blks[i].Bytes)
		rk, ok := k.(*rsa.PrivateKey)
		if err != nil || !ok {
			return nil, fmt.Errorf("%w: key %d: not an RSA key (%v)", ErrBadAuthorityFile, i, err)
		}
		keys[i] = rk
	}
	var certs [3]*x509.Certificate
	for i := range certs {
		c, err := x509.ParseCertificate(blks[2+i].Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: certificate %d: %w", ErrBadAuthorityFile, i, err)
		}
		certs[i] = c
	}
	a := &SNPAuthority{keys: newAmdKeys(keys[0], keys[1]), ark: certs[0], ask: certs[1], asvk: certs[2],
		notBefore: certs[0].NotBefore}
	var err error
	a.crl, err = x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(now.Unix()), ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(30 * 24 * time.Hour),
		SignatureAlgorithm: x509.SHA384WithRSAPSS,
	}, a.ark, a.keys.Ark)
	if err != nil {
		return nil, fmt.Errorf("simulated ARK CRL: %w", err)
	}
	if a.roots, err = appraise.NewSNPRoots(appraise.SNPRootSet{ProductLine: "Milan", ARK: a.ark, ASK: a.ask, ASVK: a.asvk}); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadAuthorityFile, err)
	}
	return a, nil
}

// RootsPEM returns the authority's ARK, ASK and ASVK as PEM, the form of
// `teeoracle serve --snp-roots`.
func (a *SNPAuthority) RootsPEM() []byte {
	var out []byte
	for _, c := range []*x509.Certificate{a.ark, a.ask, a.asvk} {
		out = append(out, pemBlock(pemCert, c.Raw)...)
	}
	return out
}

// CRL returns the ARK's CRL (DER), the form of a `--collateral` CRL file.
func (a *SNPAuthority) CRL() []byte { return append([]byte(nil), a.crl...) }

// MarshalPEM returns the authority's keys and certificates as PEM, for
// ParseTDXAuthority.
func (a *TDXAuthority) MarshalPEM() ([]byte, error) {
	var out []byte
	for _, k := range []*ecdsa.PrivateKey{a.rootKey, a.caKey, a.leafKey, a.tcbKey, a.attKey} {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, err
		}
		out = append(out, pemBlock(pemKey, der)...)
	}
	for _, c := range []*x509.Certificate{a.root, a.ca, a.leaf, a.tcbSigner} {
		out = append(out, pemBlock(pemCert, c.Raw)...)
	}
	return out, nil
}

// ParseTDXAuthority reads what MarshalPEM wrote; its collateral is made afresh,
// valid from an hour before now for 30 days.
func ParseTDXAuthority(ctx context.Context, b []byte, now time.Time) (*TDXAuthority, error) {
	blks := pemBlocks(b)
	if len(blks) != 9 {
		return nil, fmt.Errorf("%w: %d PEM blocks, want 9 (5 keys, 4 certificates)", ErrBadAuthorityFile, len(blks))
	}
	base, err := evidence.ParseTDXQuote(tdxtestdata.RawQuote)
	if err != nil {
		return nil, fmt.Errorf("go-tdx-guest sample quote: %w", err)
	}
	a := &TDXAuthority{base: base}
	for i, k := range []**ecdsa.PrivateKey{&a.rootKey, &a.caKey, &a.leafKey, &a.tcbKey, &a.attKey} {
		p, err := x509.ParsePKCS8PrivateKey(blks[i].Bytes)
		ek, ok := p.(*ecdsa.PrivateKey)
		if err != nil || !ok {
			return nil, fmt.Errorf("%w: key %d: not an ECDSA key (%v)", ErrBadAuthorityFile, i, err)
		}
		*k = ek
	}
	for i, c := range []**x509.Certificate{&a.root, &a.ca, &a.leaf, &a.tcbSigner} {
		if *c, err = x509.ParseCertificate(blks[5+i].Bytes); err != nil {
			return nil, fmt.Errorf("%w: certificate %d: %w", ErrBadAuthorityFile, i, err)
		}
	}
	if a.coll, err = a.makeCollateral(ctx, now); err != nil {
		return nil, err
	}
	return a, nil
}

// RootPEM returns the authority's root certificate as PEM, the form of
// `teeoracle serve --tdx-root`.
func (a *TDXAuthority) RootPEM() []byte { return pemBlock(pemCert, a.root.Raw) }

// PCSFiles returns the authority's collateral in the directory layout of
// docs/collateral.md (collateral.LoadPCSDir), the form of `--collateral DIR`.
func (a *TDXAuthority) PCSFiles() (map[string][]byte, error) {
	c := a.coll
	body := func(field string, obj, sig []byte) ([]byte, error) {
		return json.Marshal(map[string]any{field: json.RawMessage(obj), "signature": hex.EncodeToString(sig)})
	}
	chain := func(ders [][]byte) []byte {
		var out []byte
		for _, d := range ders {
			out = append(out, pemBlock(pemCert, d)...)
		}
		return out
	}
	tcb, err := body("tcbInfo", c.TCBInfo.Body, c.TCBInfo.Signature)
	if err != nil {
		return nil, err
	}
	qe, err := body("enclaveIdentity", c.QEIdentity.Body, c.QEIdentity.Signature)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{
		"tcbinfo-" + sampleFMSPC + ".json":             tcb,
		"tcbinfo-" + sampleFMSPC + ".issuer-chain.pem": chain(c.TCBInfo.IssuerChain),
		"qeidentity.json":                              qe,
		"qeidentity.issuer-chain.pem":                  chain(c.QEIdentity.IssuerChain),
		"pckcrl-platform.der":                          c.PCKCRL,
		"pckcrl-platform.issuer-chain.pem":             chain(c.PCKCRLIssuerChain),
		"rootcrl.der":                                  c.RootCACRL,
	}, nil
}

// newAmdKeys is the authority's key set: one RSA key signs as ASK and ASVK, as
// NewSNPAuthority makes it.
func newAmdKeys(ark, ask *rsa.PrivateKey) *sevtest.AmdKeys {
	return &sevtest.AmdKeys{Ark: ark, Ask: ask, Asvk: ask}
}
