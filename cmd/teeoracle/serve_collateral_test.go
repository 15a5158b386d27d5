package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
)

// serve --collateral DIR of AMD CRLs refuses a directory holding a file that is no
// CRL, naming it, before it opens the database or dials (that a good directory is
// read again on every pass: service's TestNodeInputsReloadCRLDirectory).
func TestServeRefusesBadCRLDirectory(t *testing.T) {
	a, err := fakehw.NewSNPAuthority(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ark-milan.crl"), a.CRL(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stray.pem"), []byte("-----BEGIN X-----\nAAAA\n-----END X-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	key := writeSecret(t, "oracle.key", []byte("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318\n"))
	db := filepath.Join(t.TempDir(), "node.db")
	_, stderr, code := run(t, "serve", "--rpc-url", "http://127.0.0.1:1", "--registry", "0x00000000000000000000000000000000000000aa",
		"--key-file", key, "--db", db, "--offline", "--collateral", dir)
	if code != exitBadInput || !strings.Contains(stderr, "stray.pem") || !strings.Contains(stderr, "not an AMD CRL") {
		t.Fatalf("bad CRL directory: exit %d, %q; want exit %d naming stray.pem", code, stderr, exitBadInput)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("the database was opened before the collateral was checked")
	}

}
