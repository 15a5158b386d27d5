package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	sevclient "github.com/google/go-sev-guest/client"
	tdxclient "github.com/google/go-tdx-guest/client"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// EvidenceSource obtains attestation evidence from the TEE with the given 64 bytes
// of report data. The agent declares it so tests can hand in the libraries' fake
// devices; SNPQuoteSource, SNPDeviceSource and TDXQuoteSource wrap the real ones.
type EvidenceSource interface {
	// TEE says which TEE the evidence is from.
	TEE() evidence.TEE
	// Evidence returns evidence carrying reportData, with the certificates the host
	// provides.
	Evidence(ctx context.Context, reportData [64]byte) (*evidence.Evidence, error)
}

// Errors of evidence sources.
var (
	// ErrNoTEE: neither an SEV-SNP nor a TDX guest interface was found.
	ErrNoTEE = errors.New("no SEV-SNP or TDX guest interface found")
	// ErrReportDataMismatch: the hardware returned evidence whose report data is not
	// what was asked for (a misbehaving host or driver).
	ErrReportDataMismatch = errors.New("evidence carries other report data than requested")
)

// SNPQuoteSource gets SEV-SNP evidence through go-sev-guest's QuoteProvider:
// configfs-tsm (/sys/kernel/config/tsm/report) or, where that is missing, the
// /dev/sev-guest extended-report ioctl. Either returns the report followed by the
// certificate table when the host provides one (VCEK, ASK, ARK).
type SNPQuoteSource struct {
	QP sevclient.QuoteProvider
}

// TEE returns evidence.TEESEVSNP.
func (SNPQuoteSource) TEE() evidence.TEE { return evidence.TEESEVSNP }

// Evidence asks the quote provider for a report over reportData.
func (s SNPQuoteSource) Evidence(_ context.Context, reportData [64]byte) (*evidence.Evidence, error) {
	raw, err := s.QP.GetRawQuote(reportData)
	if err != nil {
		return nil, fmt.Errorf("sev-snp report: %w", err)
	}
	return decodeChecked("sev-snp report", raw, reportData)
}

// SNPDeviceSource gets SEV-SNP evidence from the sev-guest device's extended report
// ioctl (go-sev-guest's client.Device: /dev/sev-guest, or a fake in tests).
type SNPDeviceSource struct {
	Device sevclient.Device
}

// TEE returns evidence.TEESEVSNP.
func (SNPDeviceSource) TEE() evidence.TEE { return evidence.TEESEVSNP }

// Evidence requests an extended report over reportData.
func (s SNPDeviceSource) Evidence(_ context.Context, reportData [64]byte) (*evidence.Evidence, error) {
	rep, certs, err := sevclient.GetRawExtendedReport(s.Device, reportData)
	if err != nil {
		return nil, fmt.Errorf("sev-snp extended report: %w", err)
	}
	var extra []evidence.Input
	if len(bytes.Trim(certs, "\x00")) > 0 {
		extra = append(extra, evidence.Input{Name: "sev-guest certificate table", Data: certs})
	}
	return decodeChecked("sev-snp extended report", rep, reportData, extra...)
}

// TDXQuoteSource gets a TDX quote through go-tdx-guest's client.GetRawQuote with QP:
// a client.QuoteProvider (configfs-tsm; the library falls back to /dev/tdx_guest
// when configfs-tsm is unsupported) or a client.Device. The quote carries its PCK
// certificate chain.
type TDXQuoteSource struct {
	QP any
}

// TEE returns evidence.TEETDX.
func (TDXQuoteSource) TEE() evidence.TEE { return evidence.TEETDX }

// Evidence asks for a quote over reportData.
func (s TDXQuoteSource) Evidence(_ context.Context, reportData [64]byte) (*evidence.Evidence, error) {
	raw, err := tdxclient.GetRawQuote(s.QP, reportData)
	if err != nil {
		return nil, fmt.Errorf("tdx quote: %w", err)
	}
	return decodeChecked("tdx quote", raw, reportData)
}

// decodeChecked decodes evidence and checks that it carries reportData, so a wrong
// answer from the host is caught in the VM rather than by the oracle.
func decodeChecked(name string, raw []byte, reportData [64]byte, extra ...evidence.Input) (*evidence.Evidence, error) {
	ev, err := evidence.Decode(name, raw, extra...)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	got, err := ev.ReportData()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if got != reportData {
		return nil, fmt.Errorf("%s: %w: got %x, asked for %x", name, ErrReportDataMismatch, got, reportData)
	}
	return ev, nil
}

// Detect finds the TEE guest interface of this VM: tee is "sev-snp", "tdx" or
// "auto" (try SEV-SNP, then TDX; when neither works the error has both probes'
// errors). SEV-SNP uses go-sev-guest's GetQuoteProvider
// (configfs-tsm, else /dev/sev-guest); TDX uses go-tdx-guest's configfs-tsm provider,
// falling back to /dev/tdx_guest.
func Detect(tee string) (EvidenceSource, error) {
	trySNP := func() (EvidenceSource, error) {
		qp, err := sevclient.GetQuoteProvider()
		if err == nil && qp.IsSupported() {
			return SNPQuoteSource{QP: qp}, nil
		}
		if _, serr := os.Stat("/dev/sev-guest"); serr == nil {
			d, err := sevclient.OpenDevice()
			if err != nil {
				return nil, fmt.Errorf("open /dev/sev-guest: %w", err)
			}
			return SNPDeviceSource{Device: d}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("sev-snp: %w: no /dev/sev-guest, and configfs-tsm: %w", ErrNoTEE, err)
		}
		return nil, fmt.Errorf("sev-snp: %w: no configfs-tsm sev_guest provider and no /dev/sev-guest", ErrNoTEE)
	}
	tryTDX := func() (EvidenceSource, error) {
		qp, err := tdxclient.GetQuoteProvider()
		if err == nil && qp.IsSupported() == nil {
			return TDXQuoteSource{QP: qp}, nil
		}
		if _, serr := os.Stat("/dev/tdx_guest"); serr == nil {
			d, err := tdxclient.OpenDevice()
			if err != nil {
				return nil, fmt.Errorf("open /dev/tdx_guest: %w", err)
			}
			return TDXQuoteSource{QP: d}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("tdx: %w: no /dev/tdx_guest, and configfs-tsm: %w", ErrNoTEE, err)
		}
		return nil, fmt.Errorf("tdx: %w: no configfs-tsm and no /dev/tdx_guest", ErrNoTEE)
	}
	return detect(tee, trySNP, tryTDX)
}

// detect is Detect with its probes of the SEV-SNP and TDX interfaces given.
func detect(tee string, trySNP, tryTDX func() (EvidenceSource, error)) (EvidenceSource, error) {
	switch tee {
	case "sev-snp":
		return trySNP()
	case "tdx":
		return tryTDX()
	case "auto", "":
		s, serr := trySNP()
		if serr == nil {
			return s, nil
		}
		s, terr := tryTDX()
		if terr == nil {
			return s, nil
		}
		// Both probes' errors: one may be an interface that is there but fails
		// (permission denied), which "none found" would hide.
		return nil, fmt.Errorf("detect tee: %w", errors.Join(serr, terr))
	}
	return nil, fmt.Errorf("tee %q: want sev-snp, tdx or auto", tee)
}
