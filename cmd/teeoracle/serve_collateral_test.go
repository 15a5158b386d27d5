package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
)

// serve --collateral DIR of AMD CRLs refuses a directory holding a file that is no
// CRL, naming it, before it opens the database or dials; a good directory is read
// again on every continuous-attestation pass, and a reload that fails says why.
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

	if err := os.Remove(filepath.Join(dir, "stray.pem")); err != nil {
		t.Fatal(err)
	}
	cfg := &serveConfig{KeyFile: key, Collateral: dir, Offline: true, Registry: common.HexToAddress("0xaa")}
	sc, err := serveInputs(cfg, slog.New(slog.DiscardHandler))
	if err != nil || sc.RefreshCollateral == nil || sc.Appraiser == nil {
		t.Fatalf("good CRL directory: %v (refresh set: %v)", err, sc != nil && sc.RefreshCollateral != nil)
	}
	if err := sc.RefreshCollateral(context.Background()); err != nil {
		t.Fatalf("refresh of a good directory: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "late.crl"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := sc.RefreshCollateral(context.Background()); err == nil || !strings.Contains(err.Error(), "late.crl") {
		t.Fatalf("refresh after a broken CRL was dropped in: err %v, want one naming late.crl", err)
	}
}
