package collateral

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// readDirFiles reads every file of dir into memory, as a caller without a filesystem
// would hand them over.
func readDirFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

func TestParsePCSFilesEqualsLoadPCSDir(t *testing.T) {
	dir := writePCSDir(t, "50806F000000")
	fromDir, err := LoadPCSDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fromMem, err := ParsePCSFiles("mem", readDirFiles(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	a, err := fromDir.FetchTDX(context.Background(), "50806f000000", "platform")
	if err != nil {
		t.Fatal(err)
	}
	b, err := fromMem.FetchTDX(context.Background(), "50806F000000", "platform")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.TCBInfo.Body, b.TCBInfo.Body) || !bytes.Equal(a.TCBInfo.Signature, b.TCBInfo.Signature) ||
		!bytes.Equal(a.QEIdentity.Body, b.QEIdentity.Body) || !bytes.Equal(a.PCKCRL, b.PCKCRL) ||
		!bytes.Equal(a.RootCACRL, b.RootCACRL) || len(b.PCKCRLIssuerChain) != len(a.PCKCRLIssuerChain) ||
		!bytes.Equal(a.TCBInfo.IssuerChain[0], b.TCBInfo.IssuerChain[0]) {
		t.Error("in-memory PCS files give other collateral than the same directory")
	}
}

func TestParsePCSFilesMissing(t *testing.T) {
	files := readDirFiles(t, writePCSDir(t, "50806f000000"))
	delete(files, "tcbinfo-50806f000000.issuer-chain.pem")
	_, err := ParsePCSFiles("mem", files)
	if !errors.Is(err, ErrTDXCollateral) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing issuer chain: err = %v, want ErrTDXCollateral and fs.ErrNotExist", err)
	}
	files = readDirFiles(t, writePCSDir(t, "50806f000000"))
	delete(files, "rootcrl.der")
	if _, err := ParsePCSFiles("mem", files); !errors.Is(err, ErrTDXCollateral) {
		t.Errorf("missing root CRL: err = %v", err)
	}
	if _, err := ParsePCSFiles("mem", nil); !errors.Is(err, ErrTDXCollateral) {
		t.Errorf("no files: err = %v", err)
	}
}

// The saved-response layout of testdata/tdx/spr-e4/pcs (bodies with .headers files)
// loads as the same collateral as the documented layout, and the FMSPC and CA come
// from the TCB Info body and the CRL's issuer.
func TestLoadPCSDirSavedResponses(t *testing.T) {
	saved, err := LoadPCSDir(filepath.Join("..", "..", "testdata", "tdx", "spr-e4", "pcs"))
	if err != nil {
		t.Fatal(err)
	}
	documented, err := LoadPCSDir(writePCSDir(t, "50806f000000"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := saved.FetchTDX(context.Background(), "50806F000000", "platform")
	if err != nil {
		t.Fatal(err)
	}
	b, err := documented.FetchTDX(context.Background(), "50806f000000", "platform")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.TCBInfo.Body, b.TCBInfo.Body) || !bytes.Equal(a.QEIdentity.Body, b.QEIdentity.Body) ||
		!bytes.Equal(a.PCKCRL, b.PCKCRL) || !bytes.Equal(a.RootCACRL, b.RootCACRL) ||
		len(a.TCBInfo.IssuerChain) != 2 || len(a.QEIdentity.IssuerChain) != 2 || len(a.PCKCRLIssuerChain) != 2 {
		t.Error("saved responses give other collateral than the documented layout")
	}
	files := readDirFiles(t, filepath.Join("..", "..", "testdata", "tdx", "spr-e4", "pcs"))
	files["tcb_info.headers"] = []byte("no header line")
	if _, err := ParsePCSFiles("mem", files); !errors.Is(err, ErrTDXCollateral) {
		t.Errorf("a .headers file without a header line: err = %v, want ErrTDXCollateral", err)
	}
}
