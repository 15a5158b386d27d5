package collateral_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// testCRL is an AMD CRL of ARK-Milan from a test-only authority.
func testCRL(t *testing.T) []byte {
	t.Helper()
	a, err := fakehw.NewSNPAuthority(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return a.CRL()
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// --collateral has one meaning: a CRL file, a dcap-qvl file, a PCS directory or a
// directory of AMD CRLs; a directory that is neither is refused naming the file
// that is no CRL.
func TestReadLocalForms(t *testing.T) {
	crl := testCRL(t)
	crlDir := t.TempDir()
	crlFile := writeFile(t, crlDir, "ark-milan.crl", crl)
	l, err := collateral.ReadLocal(crlFile)
	if err != nil || len(l.SNPCRLs) != 1 || l.IsDir {
		t.Fatalf("CRL file: %+v, %v", l, err)
	}
	if l, err = collateral.ReadLocal(crlDir); err != nil || len(l.SNPCRLs) != 1 || !l.IsDir {
		t.Fatalf("CRL directory: %+v, %v", l, err)
	}
	dcap := writeFile(t, t.TempDir(), "collateral.json", []byte(`{"tcb_info":"{}"}`))
	if l, err = collateral.ReadLocal(dcap); err != nil || l.DcapQVL == nil || l.SNPCRLs != nil {
		t.Fatalf("dcap-qvl file: %+v, %v", l, err)
	}
	pcs := filepath.Join("..", "..", "testdata", "tdx", "spr-e4", "pcs")
	if l, err = collateral.ReadLocal(pcs); err != nil || len(l.PCS) == 0 || l.SNPCRLs != nil {
		t.Fatalf("PCS directory: %+v, %v", l, err)
	}
	if l, err = collateral.ReadLocal(t.TempDir()); err != nil || l.SNPCRLs == nil || len(l.SNPCRLs) != 0 {
		t.Fatalf("empty directory (no CRLs yet): %+v, %v", l, err)
	}
	writeFile(t, crlDir, "notes.txt", []byte("not a CRL"))
	if _, err := collateral.ReadLocal(crlDir); err == nil || !strings.Contains(err.Error(), "notes.txt") || !strings.Contains(err.Error(), "not an AMD CRL") {
		t.Fatalf("CRL directory with another file: err %v, want one naming notes.txt", err)
	}
	if _, err := collateral.OpenSources(collateral.SourceOptions{Local: crlDir, Offline: true}); err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Fatalf("OpenSources of a bad CRL directory: err %v, want one naming notes.txt", err)
	}
	if _, err := collateral.ReadLocal(filepath.Join(crlDir, "missing")); err == nil {
		t.Fatal("a missing path is read")
	}
}

// A CRL directory is read again on Reload: a new CRL is picked up, and a file that
// is no CRL is an error naming it while the CRLs read before are still served.
func TestCRLDirReload(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := collateral.OpenCRLDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.CRL(ctx, "Milan", false, time.Now()); err == nil {
		t.Fatal("an empty directory serves a CRL")
	}
	if _, err := d.VCEK(ctx, "Milan", nil, 0); err == nil {
		t.Fatal("a CRL directory serves a VCEK")
	}
	crl := testCRL(t)
	writeFile(t, dir, "ark-milan.crl", crl)
	if err := d.Reload(); err != nil {
		t.Fatal(err)
	}
	got, err := d.CRLs(ctx, "Milan", time.Now())
	if err != nil || len(got) != 1 {
		t.Fatalf("after adding a CRL: %d CRLs, %v", len(got), err)
	}
	writeFile(t, dir, "broken.crl", []byte("garbage"))
	if err := d.Reload(); err == nil || !strings.Contains(err.Error(), "broken.crl") {
		t.Fatalf("Reload with a broken file: err %v, want one naming broken.crl", err)
	}
	if got, err := d.CRL(ctx, "Milan", false, time.Now()); err != nil || len(got) == 0 {
		t.Fatalf("after a failed reload the CRLs read before are gone: %v", err)
	}
	if _, err := collateral.OpenCRLDir(dir); err == nil || !strings.Contains(err.Error(), "broken.crl") {
		t.Fatalf("OpenCRLDir of a broken directory: err %v", err)
	}

	// A directory emptied in place (rm *, then cp) keeps the CRLs read before.
	for _, name := range []string{"broken.crl", "ark-milan.crl"} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Reload(); !errors.Is(err, collateral.ErrCRLsShrank) || !strings.Contains(err.Error(), "ARK-Milan") {
		t.Fatalf("Reload of an emptied directory: err %v, want ErrCRLsShrank naming ARK-Milan", err)
	}
	if got, err := d.CRLs(ctx, "Milan", time.Now()); err != nil || len(got) != 1 {
		t.Fatalf("after reloading an emptied directory: %d CRLs, %v; want the 1 read before", len(got), err)
	}
	writeFile(t, dir, "ark-milan.crl", crl)
	if err := d.Reload(); err != nil {
		t.Fatalf("Reload once the CRL is back: %v", err)
	}
}

// OpenSources serves each TEE from --collateral when it holds that TEE's
// collateral, from nothing when offline without a cache, and from the cache
// otherwise.
func TestOpenSources(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ark-milan.crl", testCRL(t))
	s, err := collateral.OpenSources(collateral.SourceOptions{Local: dir, Offline: true})
	if err != nil || s.CRLs == nil || s.SNP == nil || s.TDX != nil || s.Local == nil {
		t.Fatalf("offline CRL directory: %+v, %v", s, err)
	}
	pcs := filepath.Join("..", "..", "testdata", "tdx", "spr-e4", "pcs")
	if s, err = collateral.OpenSources(collateral.SourceOptions{Local: pcs, Offline: true}); err != nil || s.TDX == nil || s.SNP != nil || s.CRLs != nil {
		t.Fatalf("offline PCS directory: %+v, %v", s, err)
	}
	if _, ok := s.TDX.(*collateral.PCSDir); !ok {
		t.Errorf("PCS directory served by %T", s.TDX)
	}
	if s, err = collateral.OpenSources(collateral.SourceOptions{Local: pcs, CacheDir: t.TempDir(), Offline: true}); err != nil || s.SNP == nil {
		t.Fatalf("PCS directory with a cache: %+v, %v", s, err)
	}
	if _, ok := s.SNP.(*collateral.KDS); !ok {
		t.Errorf("SEV-SNP beside a PCS directory served by %T, want the cache's KDS", s.SNP)
	}
	if s, err = collateral.OpenSources(collateral.SourceOptions{Offline: true}); err != nil || s.SNP != nil || s.TDX != nil {
		t.Fatalf("offline without anything: %+v, %v", s, err)
	}
}

// A PEM file of several CRLs gives every one of them; a block of another type or
// bytes after the last block are an error naming the file.
func TestParseSNPCRLsPEMBundle(t *testing.T) {
	pemCRL := func(der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}) }
	one, two := testCRL(t), testCRL(t)
	bundle := append(pemCRL(one), pemCRL(two)...)
	c, err := collateral.ParseSNPCRLs([]evidence.Input{{Name: "milan.pem", Data: bundle}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.CRLs(context.Background(), "Milan", time.Now())
	if err != nil || len(got) != 2 || !bytes.Equal(got[0], one) || !bytes.Equal(got[1], two) {
		t.Fatalf("CRLs of a 2-CRL PEM file: %d, %v; want both, in order", len(got), err)
	}
	for name, data := range map[string][]byte{
		"trailing junk":   append(bytes.Clone(bundle), "not PEM"...),
		"a certificate":   append(bytes.Clone(bundle), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: one})...),
		"junk then a CRL": append(append(pemCRL(one), "junk\n"...), pemCRL(two)...),
		"junk first":      append([]byte("junk\n"), bundle...),
	} {
		_, err := collateral.ParseSNPCRLs([]evidence.Input{{Name: "milan.pem", Data: data}})
		if err == nil || !strings.Contains(err.Error(), "milan.pem") {
			t.Errorf("%s: err %v, want one naming milan.pem", name, err)
		}
	}
}

// FuzzParseSNPCRLs: AMD CRL bytes never panic the parser, and what it accepts is
// served for the product line its issuer names.
func FuzzParseSNPCRLs(f *testing.F) {
	a, err := fakehw.NewSNPAuthority(time.Now())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(a.CRL())
	f.Add([]byte("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"))
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := collateral.ParseSNPCRLs([]evidence.Input{{Name: "in.crl", Data: b}})
		if err != nil {
			if !strings.Contains(err.Error(), "in.crl") {
				t.Fatalf("error does not name the input: %v", err)
			}
			return
		}
		if _, err := c.VCEK(context.Background(), "Milan", nil, 0); err == nil {
			t.Fatal("CRLs serve a VCEK")
		}
	})
}
