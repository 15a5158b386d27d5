package fakehw

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/collateral"
)

// An authority written with MarshalPEM and read back has the same roots, and the
// TDX collateral it serves as PCS files loads and verifies under them.
func TestAuthorityRoundTrip(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	snp, err := NewSNPAuthority(now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := snp.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	snp2, err := ParseSNPAuthority(b, now)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snp.RootsPEM(), snp2.RootsPEM()) || len(snp2.CRL()) == 0 {
		t.Error("SEV-SNP authority changed in a round trip")
	}
	if _, err := snp2.NewChip(SNPChipOptions{}); err != nil {
		t.Errorf("chip of a parsed authority: %v", err)
	}
	tdx, err := NewTDXAuthority(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if b, err = tdx.MarshalPEM(); err != nil {
		t.Fatal(err)
	}
	tdx2, err := ParseTDXAuthority(ctx, b, now)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tdx.RootPEM(), tdx2.RootPEM()) {
		t.Error("TDX root changed in a round trip")
	}
	files, err := tdx2.PCSFiles()
	if err != nil {
		t.Fatal(err)
	}
	d, err := collateral.ParsePCSFiles("sim", files)
	if err != nil {
		t.Fatalf("PCS files: %v", err)
	}
	if _, err := d.FetchTDX(ctx, sampleFMSPC, "platform"); err != nil {
		t.Error(err)
	}
	if _, err := ParseSNPAuthority(tdx.RootPEM(), now); !errors.Is(err, ErrBadAuthorityFile) {
		t.Errorf("a root certificate as an authority file: %v", err)
	}
}
