package x509memo

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func vcek(t *testing.T) []byte {
	t.Helper()
	der, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sev-snp", "milan-v2", "vcek.der"))
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestCertificateShared: the same DER gives the same parsed certificate, equal to
// what x509.ParseCertificate makes of it, and a caller that overwrites its buffer
// afterwards changes neither the shared certificate nor what the next parse gives.
func TestCertificateShared(t *testing.T) {
	der := vcek(t)
	want, err := x509.ParseCertificate(bytes.Clone(der))
	if err != nil {
		t.Fatal(err)
	}
	buf := bytes.Clone(der)
	a, err := Certificate(buf)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Equal(want) || a.Subject.CommonName != want.Subject.CommonName {
		t.Fatalf("parsed %q, want %q", a.Subject.CommonName, want.Subject.CommonName)
	}
	for i := range buf {
		buf[i] = 0
	}
	if !bytes.Equal(a.Raw, der) {
		t.Fatal("the shared certificate changed with the caller's buffer")
	}
	b, err := Certificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Error("the same DER was parsed twice")
	}
	list, err := Certificates(der)
	if err != nil || len(list) != 1 || !list[0].Equal(want) {
		t.Fatalf("Certificates = %v, %v; want the one certificate", list, err)
	}
}

// TestErrorsNotKept: bad DER fails every time with x509's error, and is not kept.
func TestErrorsNotKept(t *testing.T) {
	bad := vcek(t)[:100]
	_, want := x509.ParseCertificate(bad)
	for range 2 {
		if _, err := Certificate(bad); err == nil || err.Error() != want.Error() {
			t.Fatalf("Certificate(truncated) = %v, want %v", err, want)
		}
		if _, err := RevocationList(bad); err == nil {
			t.Fatal("RevocationList(a truncated certificate) succeeded")
		}
	}
	certs.mu.RLock()
	_, kept := certs.m[string(bad)]
	certs.mu.RUnlock()
	if kept {
		t.Error("a failed parse was kept")
	}
}

// TestBounded: the table never holds more than maxEntries values.
func TestBounded(t *testing.T) {
	var tb table[int]
	key := func(i int) []byte { return []byte{byte(i), byte(i >> 8)} }
	for i := range maxEntries + 10 {
		tb.put(key(i), i)
		if len(tb.m) > maxEntries {
			t.Fatalf("%d entries after %d puts, limit %d", len(tb.m), i+1, maxEntries)
		}
	}
	if v, ok := tb.get(key(maxEntries + 9)); !ok || v != maxEntries+9 {
		t.Errorf("last value put: %d, %v", v, ok)
	}
}

// TestBoundedInBytes: large inputs empty the table before their DER passes
// maxBytes, an input over maxBytes is not kept, and putting the same input again
// does not count it twice.
func TestBoundedInBytes(t *testing.T) {
	var tb table[int]
	const size = 16 << 10
	for i := range 2 * maxBytes / size {
		k := make([]byte, size)
		k[0], k[1] = byte(i), byte(i>>8)
		tb.put(k, i)
		tb.put(k, i)
		if tb.bytes > maxBytes || tb.bytes != len(tb.m)*size {
			t.Fatalf("after %d inputs of %d bytes: %d bytes counted for %d entries, limit %d", i+1, size, tb.bytes, len(tb.m), maxBytes)
		}
		if _, ok := tb.get(k); !ok {
			t.Fatalf("input %d not kept", i)
		}
	}
	huge := make([]byte, maxBytes+1)
	tb.put(huge, 1)
	if _, ok := tb.get(huge); ok {
		t.Error("an input over maxBytes was kept")
	}
}

// TestRevokedSerials: the set is every serial the CRL lists, made once per DER;
// bad DER fails with the parse error.
func TestRevokedSerials(t *testing.T) {
	der, err := os.ReadFile(filepath.Join("..", "..", "testdata", "tdx", "spr-e4", "pcs", "pckcrl.der"))
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(bytes.Clone(der))
	if err != nil {
		t.Fatal(err)
	}
	if len(crl.RevokedCertificateEntries) == 0 {
		t.Fatal("the test CRL lists no serials")
	}
	set, err := RevokedSerials(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(set) != len(crl.RevokedCertificateEntries) {
		t.Errorf("%d serials in the set, the CRL lists %d", len(set), len(crl.RevokedCertificateEntries))
	}
	for _, rc := range crl.RevokedCertificateEntries {
		if _, ok := set[string(rc.SerialNumber.Bytes())]; !ok {
			t.Errorf("serial %x missing", rc.SerialNumber)
		}
	}
	if _, ok := set[string([]byte{0x7f, 0x01, 0x02})]; ok {
		t.Error("a serial the CRL does not list is in the set")
	}
	again, err := RevokedSerials(der)
	if err != nil || reflect.ValueOf(again).Pointer() != reflect.ValueOf(set).Pointer() {
		t.Errorf("second call: %v, the same set: %v", err, reflect.ValueOf(again).Pointer() == reflect.ValueOf(set).Pointer())
	}
	if _, err := RevokedSerials(der[:len(der)-1]); err == nil {
		t.Error("a truncated CRL gave a set")
	}
}
