// Package devnettest makes evidence of the devnet's simulated hardware (package
// fakehw) for tests outside a running devnet: an SEV-SNP report and a TDX quote over
// given report data, as verifier requests with the collateral a devnet node
// archives, and the devnet-only roots they verify under, as the WebAssembly module
// and the registry explorer take them. Nothing here verifies under AMD's or Intel's
// roots.
package devnettest

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/teeoracle/teeoracle/oracle/devnet"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
	"github.com/teeoracle/teeoracle/oracle/eventlog"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verifier"
	"github.com/teeoracle/teeoracle/oracle/workload"
	"github.com/teeoracle/teeoracle/web"
)

// Hardware is one SEV-SNP chip and one TD under freshly generated devnet-only roots.
type Hardware struct {
	SNP *fakehw.SNPAuthority
	TDX *fakehw.TDXAuthority

	chip *fakehw.SNPChip
	td   *fakehw.TDXMachine
}

// New generates the roots (valid from an hour before now), a chip and a TD.
func New(ctx context.Context, now time.Time) (*Hardware, error) {
	h := &Hardware{}
	var err error
	if h.SNP, err = fakehw.NewSNPAuthority(now); err != nil {
		return nil, err
	}
	if h.TDX, err = fakehw.NewTDXAuthority(ctx, now); err != nil {
		return nil, err
	}
	if h.chip, err = h.SNP.NewChip(fakehw.SNPChipOptions{}); err != nil {
		return nil, err
	}
	if h.td, err = h.TDX.NewMachine(fakehw.TDXMachineOptions{}); err != nil {
		return nil, err
	}
	return h, nil
}

// SNPRequest is a request for the chip's report over reportData (with its
// certificate table: VCEK, ASK, ARK) as of at, with the devnet ARK's CRL as
// collateral, as a devnet node archives it.
func (h *Hardware) SNPRequest(ctx context.Context, reportData [64]byte, at time.Time) (*verifier.Request, error) {
	raw, err := h.chip.QuoteProvider().GetRawQuote(reportData)
	if err != nil {
		return nil, fmt.Errorf("devnet sev-snp report: %w", err)
	}
	crl, err := h.SNP.Collateral().CRL(ctx, "Milan", false, at)
	if err != nil {
		return nil, fmt.Errorf("devnet ARK CRL: %w", err)
	}
	return &verifier.Request{
		Evidence:   evidence.Input{Name: "devnet-snp-report.bin", Data: raw},
		Collateral: verifier.Collateral{SNPCRLs: []evidence.Input{{Name: "devnet-ark.crl", Data: crl}}},
		At:         at,
	}, nil
}

// TDXRequest is a request for the TD's quote over reportData as of at, with the
// devnet collateral as a node archives it (the JSON of collateral.TDXCollateral).
func (h *Hardware) TDXRequest(reportData [64]byte, at time.Time) (*verifier.Request, error) {
	req, err := tdxRequest(h.td, reportData)
	if err != nil {
		return nil, err
	}
	req.At = at
	return req, nil
}

func tdxRequest(td *fakehw.TDXMachine, reportData [64]byte) (*verifier.Request, error) {
	quote, err := td.GetRawQuote(reportData)
	if err != nil {
		return nil, fmt.Errorf("devnet tdx quote: %w", err)
	}
	set, err := json.Marshal(td.Authority().Collateral())
	if err != nil {
		return nil, fmt.Errorf("devnet tdx collateral: %w", err)
	}
	return &verifier.Request{
		Evidence:   evidence.Input{Name: "devnet-tdx-quote.bin", Data: quote},
		Collateral: verifier.Collateral{TDXSet: &evidence.Input{Name: "devnet-tdx-collateral.json", Data: set}},
	}, nil
}

// Verifier is a verifier that trusts these devnet roots and nothing else.
func (h *Hardware) Verifier() (*verifier.Verifier, error) {
	return verifier.New(verifier.Options{SNPRoots: h.SNP.Roots(), TDXRoot: h.TDX.Root()})
}

// ExplorerRoots are the roots as the registry explorer takes them.
func (h *Hardware) ExplorerRoots() *web.TestRoots { return devnet.ExplorerTestRoots(h.SNP, h.TDX) }

// ModuleRoots are the roots as the WebAssembly module's JavaScript load(source,
// {roots}) takes them: {snp: [{productLine, ark, ask, asvk}], tdxRoot}, PEM text.
func (h *Hardware) ModuleRoots() map[string]any {
	r := h.ExplorerRoots()
	pemOf := func(der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	}
	var snp []map[string]any
	for _, s := range r.SNP {
		m := map[string]any{"productLine": s.ProductLine, "ark": pemOf(s.ARK.Raw)}
		if s.ASK != nil {
			m["ask"] = pemOf(s.ASK.Raw)
		}
		if s.ASVK != nil {
			m["asvk"] = pemOf(s.ASVK.Raw)
		}
		snp = append(snp, m)
	}
	return map[string]any{"snp": snp, "tdxRoot": pemOf(r.TDXRoot.Raw)}
}

// TDXWorkloadRequest is a request for the quote of a TD that booted
// fakehw.DefaultTDXBoot and recorded d in RTMR3, as a bundle carrying the CCEL,
// the runtime log and d (what the agent sends for a described workload).
func (h *Hardware) TDXWorkloadRequest(reportData [64]byte, at time.Time, d *workload.Description) (*verifier.Request, error) {
	boot := fakehw.DefaultTDXBoot()
	td, err := h.TDX.NewMachine(fakehw.TDXMachineOptions{Boot: &boot})
	if err != nil {
		return nil, err
	}
	ev := eventlog.RuntimeEvent{RTMR: 3, Type: workload.EventType, Data: d.Canonical()}
	if err := td.ExtendRTMR(3, ev.Digest()); err != nil {
		return nil, err
	}
	req, err := tdxRequest(td, reportData)
	if err != nil {
		return nil, err
	}
	e, err := evidence.Decode("devnet tdx quote", req.Evidence.Data)
	if err != nil {
		return nil, err
	}
	table, data := td.CCEL()
	if data, err = eventlog.TrimPadding(data); err != nil {
		return nil, err
	}
	e.EventLog = &evidence.EventLog{CCELTable: table, CCEL: data, Runtime: []eventlog.RuntimeEvent{ev}}
	e.Workload = d
	bundle, err := e.MarshalBundle()
	if err != nil {
		return nil, err
	}
	req.Evidence, req.At = evidence.Input{Name: "devnet-tdx-workload-bundle.json", Data: bundle}, at
	return req, nil
}

// SNPWorkloadRequest is a request for the report of a guest launched with
// HOST_DATA = SHA-256 of d's canonical bytes, as a bundle carrying d.
func (h *Hardware) SNPWorkloadRequest(ctx context.Context, reportData [64]byte, at time.Time, d *workload.Description) (*verifier.Request, error) {
	dg := d.Digest()
	chip, err := h.SNP.NewChip(fakehw.SNPChipOptions{HostData: dg[:], ChipID: 9})
	if err != nil {
		return nil, err
	}
	raw, err := chip.QuoteProvider().GetRawQuote(reportData)
	if err != nil {
		return nil, fmt.Errorf("devnet sev-snp report: %w", err)
	}
	e, err := evidence.Decode("devnet sev-snp report", raw)
	if err != nil {
		return nil, err
	}
	e.Workload = d
	bundle, err := e.MarshalBundle()
	if err != nil {
		return nil, err
	}
	req, err := h.SNPRequest(ctx, reportData, at)
	if err != nil {
		return nil, err
	}
	req.Evidence = evidence.Input{Name: "devnet-snp-workload-bundle.json", Data: bundle}
	return req, nil
}
