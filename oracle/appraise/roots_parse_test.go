package appraise_test

import (
	"bytes"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teeoracle/teeoracle/oracle/appraise"
)

// ParseRoots reads both forms of custom roots (a PEM file grouped by subject, sets
// named by product line) and a TDX root, and refuses what is no trusted root naming
// the input.
func TestParseRoots(t *testing.T) {
	amd, err := appraise.AMDSNPRoots()
	if err != nil {
		t.Fatal(err)
	}
	milan := amd.Set("Milan")
	var pemFile bytes.Buffer
	for _, c := range [...][]byte{milan.ARK.Raw, milan.ASK.Raw} {
		pem.Encode(&pemFile, &pem.Block{Type: "CERTIFICATE", Bytes: c})
	}
	intel := appraise.IntelSGXRootCA()
	r, err := appraise.ParseRoots(appraise.RootsInput{SNPPEM: pemFile.Bytes(), TDXRoot: intel.Raw})
	if err != nil || r.SNP.Set("Milan") == nil || !r.TDX.Equal(intel) {
		t.Fatalf("PEM file and DER root: %+v, %v", r, err)
	}
	genoa := amd.Set("Genoa")
	r, err = appraise.ParseRoots(appraise.RootsInput{SNPSets: []appraise.SNPRootCerts{{ProductLine: "Genoa", ARK: genoa.ARK.Raw, ASK: genoa.ASK.Raw}},
		TDXRoot: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: intel.Raw}), RequireBoth: true})
	if err != nil || r.SNP.Set("Genoa") == nil || r.TDX == nil {
		t.Fatalf("named set and PEM root: %+v, %v", r, err)
	}
	if r, err = appraise.ParseRoots(appraise.RootsInput{}); err != nil || r.SNP != nil || r.TDX != nil {
		t.Fatalf("nothing given keeps the vendors' roots: %+v, %v", r, err)
	}
	for name, tc := range map[string]struct {
		in   appraise.RootsInput
		want string
	}{
		"TDX root not a CA":      {appraise.RootsInput{TDXRoot: milan.ASK.Raw, TDXName: "--tdx-root x.pem"}, "--tdx-root x.pem"},
		"TDX root two blocks":    {appraise.RootsInput{TDXRoot: append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: intel.Raw}), pemFile.Bytes()...)}, "more than one PEM block"},
		"SNP file without roots": {appraise.RootsInput{SNPPEM: []byte("no PEM"), SNPName: "--snp-roots y.pem"}, "--snp-roots y.pem"},
		"only one TEE":           {appraise.RootsInput{TDXRoot: intel.Raw, RequireBoth: true}, "both"},
		"ASK not by the ARK":     {appraise.RootsInput{SNPSets: []appraise.SNPRootCerts{{ProductLine: "Milan", ARK: milan.ARK.Raw, ASK: genoa.ASK.Raw}}}, "not signed by its ARK"},
	} {
		if _, err := appraise.ParseRoots(tc.in); !errors.Is(err, appraise.ErrRoots) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want ErrRoots saying %q", name, err, tc.want)
		}
	}
}

// FuzzParseRoots: custom roots from files (a PEM file of AMD roots, a TDX root)
// never panic the parser, every refusal wraps ErrRoots, and what is accepted is a
// usable root set.
func FuzzParseRoots(f *testing.F) {
	amd, err := appraise.AMDSNPRoots()
	if err != nil {
		f.Fatal(err)
	}
	m := amd.Set("Milan")
	var pemFile bytes.Buffer
	for _, c := range [...][]byte{m.ARK.Raw, m.ASK.Raw} {
		pem.Encode(&pemFile, &pem.Block{Type: "CERTIFICATE", Bytes: c})
	}
	f.Add(pemFile.Bytes(), appraise.IntelSGXRootCA().Raw)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), []byte{0x30, 0x03, 0x02, 0x01, 0x01})
	f.Add([]byte{}, []byte("-----BEGIN CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, snp, tdx []byte) {
		r, err := appraise.ParseRoots(appraise.RootsInput{SNPPEM: snp, TDXRoot: tdx})
		if err != nil {
			if !errors.Is(err, appraise.ErrRoots) {
				t.Fatalf("error does not wrap ErrRoots: %v", err)
			}
			return
		}
		if (len(snp) > 0) != (r.SNP != nil) || (len(tdx) > 0) != (r.TDX != nil) {
			t.Fatalf("accepted %d and %d bytes as %+v", len(snp), len(tdx), r)
		}
		if r.SNP != nil && len(r.SNP.ProductLines()) == 0 {
			t.Fatal("accepted SEV-SNP roots without a product line")
		}
	})
}

// ReadRoots reads the files ParseRoots parses; a missing or empty file is refused
// naming it, and no path keeps the vendor's roots.
func TestReadRoots(t *testing.T) {
	dir := t.TempDir()
	intel := appraise.IntelSGXRootCA()
	root, empty := filepath.Join(dir, "intel.pem"), filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(root, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: intel.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := appraise.ReadRoots(appraise.RootsFile{Name: "--snp-roots"}, appraise.RootsFile{Name: "--tdx-root", Path: root})
	if err != nil || r.SNP != nil || !r.TDX.Equal(intel) {
		t.Fatalf("TDX root only: %+v, %v", r, err)
	}
	for _, f := range []string{empty, filepath.Join(dir, "missing.pem")} {
		if _, err := appraise.ReadRoots(appraise.RootsFile{Name: "--snp-roots", Path: f}, appraise.RootsFile{Name: "--tdx-root"}); err == nil || !strings.HasPrefix(err.Error(), "--snp-roots: ") {
			t.Errorf("%s: %v, want an error naming --snp-roots", f, err)
		}
	}
}

// DescribeRoots says which roots are the vendors' and which files replace them.
func TestDescribeRoots(t *testing.T) {
	snp, tdx := appraise.RootsFile{Name: "--snp-roots", Path: "snp.pem"}, appraise.RootsFile{Name: "--tdx-root", Path: "tdx.pem"}
	for _, tc := range []struct {
		snp, tdx appraise.RootsFile
		want     string
	}{
		{appraise.RootsFile{Name: "--snp-roots"}, appraise.RootsFile{Name: "--tdx-root"}, "AMD's and Intel's production roots"},
		{snp, appraise.RootsFile{}, "custom, for test networks only: SEV-SNP from --snp-roots snp.pem; TDX from Intel's production root"},
		{appraise.RootsFile{}, tdx, "custom, for test networks only: SEV-SNP from AMD's production roots; TDX from --tdx-root tdx.pem"},
		{snp, tdx, "custom, for test networks only: SEV-SNP from --snp-roots snp.pem; TDX from --tdx-root tdx.pem"},
	} {
		if got := appraise.DescribeRoots(tc.snp, tc.tdx); got != tc.want {
			t.Errorf("DescribeRoots(%v, %v) = %q, want %q", tc.snp, tc.tdx, got, tc.want)
		}
	}
}
