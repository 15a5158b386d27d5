// Package x509memo parses X.509 certificates and CRLs once per distinct DER
// encoding. Verifying one TDX quote parses Intel's root certificate four times (in
// the PCK chain and in each collateral issuer chain) and the PCK CA twice, and a
// verifier that builds an appraiser per request (teeoracle verify, the WebAssembly
// module) parses the same CA certificates, VCEKs and CRLs on every request. Parsing
// is a pure function of the bytes, so the parsed value is shared: callers must not
// modify what they get. In WebAssembly, where parsing costs many times what it does
// natively, this is about a tenth of a verification (docs/wasm.md, Time).
//
// Only successful parses are kept (a failure is parsed again and gives the same
// error). Each table holds at most maxEntries values and is emptied when full, which
// bounds memory against floods of distinct certificates.
package x509memo

import (
	"bytes"
	"crypto/x509"
	"sync"
)

const maxEntries = 1024

type table[V any] struct {
	mu sync.RWMutex
	m  map[string]V
}

func (t *table[V]) get(der []byte) (V, bool) {
	t.mu.RLock()
	v, ok := t.m[string(der)] // no copy: the compiler keys the lookup on der itself
	t.mu.RUnlock()
	return v, ok
}

func (t *table[V]) put(der []byte, v V) {
	t.mu.Lock()
	if t.m == nil || len(t.m) >= maxEntries {
		t.m = make(map[string]V)
	}
	t.m[string(der)] = v
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
