// Package x509memo parses X.509 certificates and CRLs once per distinct DER
// encoding (and makes a CRL's set of revoked serials once). Verifying one TDX quote parses Intel's root certificate four times (in
// the PCK chain and in each collateral issuer chain) and the PCK CA twice, and a
// verifier that builds an appraiser per request (teeoracle verify, the WebAssembly
// module) parses the same CA certificates, VCEKs and CRLs on every request. Parsing
// is a pure function of the bytes, so the parsed value is shared: callers must not
// modify what they get. In WebAssembly, where parsing costs many times what it does
// natively, this is about a tenth of a verification (docs/wasm.md, Time).
//
// Only successful parses are kept (a failure is parsed again and gives the same
// error). Each table holds at most maxEntries values parsed from at most maxBytes of
// DER, and is emptied when either would be exceeded; a larger input is parsed but
// not kept. Submitters choose the certificates and CRLs a node parses, so the bytes
// are bounded, not only the count: a parsed CRL keeps about ten times its DER
// (x509.ParseRevocationList of a 12.5 KB CRL of 560 entries retained 135 KB of
// heap, Go 1.26), so 1,024 bundle CRLs of 16 KiB would otherwise keep about 170 MB.
package x509memo

import (
	"bytes"
	"crypto/x509"
	"sync"
)

const (
	maxEntries = 1024
	maxBytes   = 2 << 20
)

type table[V any] struct {
	mu    sync.RWMutex
	m     map[string]V
	bytes int // DER bytes of the keys in m
}

func (t *table[V]) get(der []byte) (V, bool) {
	t.mu.RLock()
	v, ok := t.m[string(der)] // no copy: the compiler keys the lookup on der itself
	t.mu.RUnlock()
	return v, ok
}

func (t *table[V]) put(der []byte, v V) {
	if len(der) > maxBytes {
		return
	}
	t.mu.Lock()
	if _, ok := t.m[string(der)]; !ok {
		if t.m == nil || len(t.m) >= maxEntries || t.bytes+len(der) > maxBytes {
			t.m, t.bytes = make(map[string]V), 0
		}
		t.m[string(der)] = v
		t.bytes += len(der)
	}
	t.mu.Unlock()
}

func memo[V any](t *table[V], der []byte, parse func([]byte) (V, error)) (V, error) {
	if v, ok := t.get(der); ok {
		return v, nil
	}
	// The parsers keep slices of their input (Raw, RawTBSCertificate, Signature...):
	// a private copy, so that a caller reusing its buffer cannot change a shared value.
	own := bytes.Clone(der)
	v, err := parse(own)
	if err == nil {
		t.put(own, v)
	}
	return v, err
}

var (
	certs     table[*x509.Certificate]
	certLists table[[]*x509.Certificate]
	crls      table[*x509.RevocationList]
	revoked   table[map[string]struct{}]
)

// Certificate is x509.ParseCertificate(der), shared: do not modify the result.
func Certificate(der []byte) (*x509.Certificate, error) {
	return memo(&certs, der, x509.ParseCertificate)
}

// Certificates is x509.ParseCertificates(der), shared: do not modify the result
// or its elements.
func Certificates(der []byte) ([]*x509.Certificate, error) {
	return memo(&certLists, der, x509.ParseCertificates)
}

// RevocationList is x509.ParseRevocationList(der), shared: do not modify the
// result.
func RevocationList(der []byte) (*x509.RevocationList, error) {
	return memo(&crls, der, x509.ParseRevocationList)
}

// RevokedSerials is the set of serial numbers RevocationList(der) lists, each as
// big.Int.Bytes gives it, shared: do not modify the result. Building the set is
// an allocation per entry; a TDX appraisal looks up the PCK certificate's serial
// in it on every request.
func RevokedSerials(der []byte) (map[string]struct{}, error) {
	return memo(&revoked, der, func(der []byte) (map[string]struct{}, error) {
		crl, err := RevocationList(der)
		if err != nil {
			return nil, err
		}
		set := make(map[string]struct{}, len(crl.RevokedCertificateEntries))
		for _, rc := range crl.RevokedCertificateEntries {
			set[string(rc.SerialNumber.Bytes())] = struct{}{}
		}
		return set, nil
	})
}
