package fakehw

import (
	"bytes"
	"testing"
	"time"

	sevclient "github.com/google/go-sev-guest/client"
	tdxclient "github.com/google/go-tdx-guest/client"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

func reportData(b byte) [64]byte {
	var rd [64]byte
	for i := range 32 {
		rd[i] = b + byte(i)
	}
	return rd
}

func assertPass(t *testing.T, app *appraise.Appraisal) {
	t.Helper()
	for _, c := range app.Checks {
		if c.Outcome != appraise.Pass {
			t.Errorf("check %s: %s %s", c.Name, c.Outcome, c.Detail)
		}
	}
	if !app.Authentic || app.TCBStatus != appraise.TCBUpToDate {
		t.Errorf("authentic %v, tcb status %v; want authentic and UpToDate", app.Authentic, app.TCBStatus)
	}
}

func TestSNPChipEvidenceVerifiesOnlyUnderDevnetRoots(t *testing.T) {
	now := time.Now()
	auth, err := NewSNPAuthority(now)
	if err != nil {
		t.Fatal(err)
	}
	chip, err := auth.NewChip(SNPChipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	devnet, err := appraise.NewSNP(appraise.SNPConfig{Roots: auth.Roots(), Collateral: auth.Collateral()})
	if err != nil {
		t.Fatal(err)
	}
	amd, err := appraise.NewSNP(appraise.SNPConfig{})
	if err != nil {
		t.Fatal(err)
	}
	rd := reportData(1)
	// Through the configfs-tsm interface: report followed by the certificate table.
	raw, err := chip.QuoteProvider().GetRawQuote(rd)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := evidence.Decode("fake quote", raw)
	if err != nil {
		t.Fatal(err)
	}
	app, err := devnet.Appraise(t.Context(), ev, now)
	if err != nil {
		t.Fatal(err)
	}
	assertPass(t, app)
	if !bytes.Equal(app.ReportData, rd[:]) || !bytes.Equal(app.SNP.Measurement, DefaultSNPMeasurement()) || app.Debug {
		t.Errorf("report data %x measurement %x debug %v", app.ReportData, app.SNP.Measurement, app.Debug)
	}
	if app, err := amd.Appraise(t.Context(), ev, now); err != nil || app.Authentic {
		t.Errorf("devnet evidence under AMD's roots: authentic %v, err %v", app != nil && app.Authentic, err)
	}

	// Through the /dev/sev-guest ioctl interface of go-sev-guest's client.
	rep, certs, err := sevclient.GetRawExtendedReport(chip.Device(), reportData(2))
	if err != nil {
		t.Fatal(err)
	}
	ev2, err := evidence.Decode("fake extended report", rep, evidence.Input{Name: "certs", Data: certs})
	if err != nil {
		t.Fatal(err)
	}
	app2, err := devnet.Appraise(t.Context(), ev2, now)
	if err != nil {
		t.Fatal(err)
	}
	assertPass(t, app2)

	// A second chip of the same authority chains to the same roots.
	other, err := auth.NewChip(SNPChipOptions{ChipID: 9, Debug: true})
	if err != nil {
		t.Fatal(err)
	}
	raw3, err := other.QuoteProvider().GetRawQuote(rd)
	if err != nil {
		t.Fatal(err)
	}
	ev3, err := evidence.Decode("second chip", raw3)
	if err != nil {
		t.Fatal(err)
	}
	app3, err := devnet.Appraise(t.Context(), ev3, now)
	if err != nil {
		t.Fatal(err)
	}
	if !app3.Authentic || !app3.Debug || bytes.Equal(app3.SNP.ChipID, app.SNP.ChipID) {
		t.Errorf("second chip: authentic %v debug %v chip %x", app3.Authentic, app3.Debug, app3.SNP.ChipID)
	}
}

func TestTDXMachineQuoteVerifiesOnlyUnderDevnetRoot(t *testing.T) {
	now := time.Now()
	auth, err := NewTDXAuthority(t.Context(), now)
	if err != nil {
		t.Fatal(err)
	}
	devnet, err := appraise.NewTDX(appraise.TDXConfig{Root: auth.Root(), Collateral: auth.Collateral()})
	if err != nil {
		t.Fatal(err)
	}
	intel, err := appraise.NewTDX(appraise.TDXConfig{Collateral: auth.Collateral()})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []uint16{4, 5} {
		m, err := auth.NewMachine(TDXMachineOptions{Version: v})
		if err != nil {
			t.Fatal(err)
		}
		rd := reportData(byte(v))
		// Through go-tdx-guest's client, as the agent calls it.
		raw, err := tdxclient.GetRawQuote(m, rd)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := evidence.Decode("fake quote", raw)
		if err != nil {
			t.Fatal(err)
		}
		app, err := devnet.Appraise(t.Context(), ev, now)
		if err != nil {
			t.Fatal(err)
		}
		assertPass(t, app)
		if !bytes.Equal(app.ReportData, rd[:]) || !bytes.Equal(app.TDX.MRTD, m.MRTD()) || app.TDX.QuoteVersion != v || app.Debug {
			t.Errorf("v%d: report data %x MRTD %x version %d debug %v", v, app.ReportData, app.TDX.MRTD, app.TDX.QuoteVersion, app.Debug)
		}
		if app, err := intel.Appraise(t.Context(), ev, now); err != nil || app.Authentic {
			t.Errorf("devnet quote under Intel's root: authentic %v, err %v", app != nil && app.Authentic, err)
		}
	}
	// Collateral expires: a month and a day later the same quote is not authentic.
	m, _ := auth.NewMachine(TDXMachineOptions{Debug: true})
	raw, _ := m.GetRawQuote(reportData(7))
	ev, _ := evidence.Decode("debug quote", raw)
	app, err := devnet.Appraise(t.Context(), ev, now.Add(31*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if app.Authentic || !app.Debug {
		t.Errorf("after collateral expiry: authentic %v debug %v", app.Authentic, app.Debug)
	}
}
