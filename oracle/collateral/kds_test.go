package collateral

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"github.com/google/go-sev-guest/verify"
	"github.com/google/go-sev-guest/verify/testdata"
	"github.com/google/go-sev-guest/verify/trust"
	tdxtrust "github.com/google/go-tdx-guest/verify/trust"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The getter adapters satisfy both libraries' interfaces.
var (
	_ trust.HTTPSGetter        = SEVGetter{}
	_ trust.ContextHTTPSGetter = SEVGetter{}
	_ tdxtrust.HTTPSGetter     = TDXGetter{}
)

func TestVCEKURLMilanMatchesLibrary(t *testing.T) {
	report, err := abi.ReportToProto(testdata.AttestationBytes)
	if err != nil {
		t.Fatal(err)
	}
	got, err := VCEKURL(DefaultKDSBaseURL, "Milan", report.ChipId, report.ReportedTcb)
	if err != nil {
		t.Fatal(err)
	}
	want := kds.VCEKCertURL("Milan", report.ChipId, kds.TCBVersion(report.ReportedTcb))
	if got != want {
		t.Fatalf("VCEKURL = %s\nwant        %s", got, want)
	}
}

func TestVCEKURLTurin(t *testing.T) {
	chip := make([]byte, 64)
	copy(chip, []byte{0x3b, 0x42, 0x09, 0x2f, 0x69, 0xc6, 0x56, 0xd3})
	// Turin TCB_VERSION: FMC 0, BL 1, TEE 0, SNP 2, microcode 0x47 in byte 7.
	got, err := VCEKURL(DefaultKDSBaseURL, "Turin", chip, 0x4700000002000100)
	if err != nil {
		t.Fatal(err)
	}
	want := "https://kdsintf.amd.com/vcek/v1/Turin/3b42092f69c656d3?fmcSPL=0&blSPL=1&teeSPL=0&snpSPL=2&ucodeSPL=71"
	if got != want {
		t.Fatalf("VCEKURL = %s\nwant        %s", got, want)
	}
	// The library reads the Turin TCB with the Milan layout and sends the full CHIP_ID.
	if lib := kds.VCEKCertURL("Turin", chip, kds.TCBVersion(0x4700000002000100)); lib == want {
		t.Fatalf("library URL unexpectedly matches; the Turin workaround may be obsolete")
	}
}

func TestKDSRequestErrors(t *testing.T) {
	if _, err := VCEKURL(DefaultKDSBaseURL, "Naples", make([]byte, 64), 0); !errors.Is(err, ErrKDSRequest) {
		t.Fatalf("unknown product line: %v, want ErrKDSRequest", err)
	}
	if _, err := VCEKURL(DefaultKDSBaseURL, "Milan", make([]byte, 8), 0); !errors.Is(err, ErrKDSRequest) {
		t.Fatalf("short chip id: %v, want ErrKDSRequest", err)
	}
	if _, err := CRLURL(DefaultKDSBaseURL, "", true); !errors.Is(err, ErrKDSRequest) {
		t.Fatalf("empty product line: %v, want ErrKDSRequest", err)
	}
	if u, _ := CRLURL(DefaultKDSBaseURL, "Genoa", true); u != "https://kdsintf.amd.com/vlek/v1/Genoa/crl" {
		t.Fatalf("CRLURL = %s", u)
	}
}

// TestSEVGetterDrivesLibrary: go-sev-guest fetches the ASK/ARK and the VCEK through
// the cache and verifies a real Milan report; a second, offline cache on the same
// directory serves the same verification without any fetcher.
func TestSEVGetterDrivesLibrary(t *testing.T) {
	report, err := abi.ReportToProto(testdata.AttestationBytes)
	if err != nil {
		t.Fatal(err)
	}
	vcekURL := kds.VCEKCertURL("Milan", report.ChipId, kds.TCBVersion(report.ReportedTcb))
	fetcher := MapFetcher{
		"https://kdsintf.amd.com/vcek/v1/Milan/cert_chain": {Body: trust.AskArkMilanVcekBytes},
		vcekURL: {Body: testdata.VcekBytes},
	}
	dir := t.TempDir()
	asOf := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"online", Options{Dir: dir, Fetcher: fetcher}},
		{"offline", Options{Dir: dir, Offline: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trust.ClearProductCertCache()
			c, err := New(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			att := &spb.Attestation{Report: report}
			opts := &verify.Options{Getter: SEVGetter{Cache: c, AsOf: asOf}, Now: asOf,
				Product: &spb.SevProduct{Name: spb.SevProduct_SEV_PRODUCT_MILAN, MachineStepping: wrapperspb.UInt32(0)}}
			if err := verify.SnpAttestation(att, opts); err != nil {
				t.Fatalf("verify.SnpAttestation through the cache: %v", err)
			}
		})
	}
	// And the KDS type finds the same VCEK in the cache.
	c, _ := New(Options{Dir: dir, Offline: true})
	k := &KDS{Cache: c}
	der, err := k.VCEK(context.Background(), "Milan", report.ChipId, report.ReportedTcb)
	if err != nil || string(der) != string(testdata.VcekBytes) {
		t.Fatalf("KDS.VCEK from cache = %d bytes, %v", len(der), err)
	}
	if _, err := k.CRL(context.Background(), "Milan", false, asOf); !errors.Is(err, ErrNotCached) {
		t.Fatalf("KDS.CRL offline = %v, want ErrNotCached", err)
	}
}
