package service_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/service"
)

// NewAppraiser refuses TDX evidence without a TDX source (not appraised with
// defaults), and over an AMD CRL directory returns the refresh that re-reads it and
// says which file broke it.
func TestNewAppraiserSources(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	a, refresh, err := service.NewAppraiser(&collateral.Sources{}, nil, log)
	if err != nil || refresh != nil {
		t.Fatalf("no sources: refresh %v, err %v", refresh != nil, err)
	}
	if _, err := a.Appraise(context.Background(), &evidence.Evidence{TEE: evidence.TEETDX}, time.Now()); !errors.Is(err, appraise.ErrNoAppraiser) {
		t.Errorf("TDX without a source: err %v, want ErrNoAppraiser", err)
	}
	auth, err := fakehw.NewSNPAuthority(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ark-milan.crl"), auth.CRL(), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := collateral.OpenSources(collateral.SourceOptions{Local: dir, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, refresh, err = service.NewAppraiser(src, nil, log); err != nil || refresh == nil {
		t.Fatalf("CRL directory: refresh %v, err %v", refresh != nil, err)
	}
	if err := refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.crl"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := refresh(context.Background()); err == nil || !strings.Contains(err.Error(), "bad.crl") {
		t.Errorf("refresh with a bad file: err %v, want one naming bad.crl", err)
	}
}
