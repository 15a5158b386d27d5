package service

import (
	"fmt"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// The worker publishes an untrusted verdict only for evidence bound to the
// submission it decides, whatever Submit let through: authentic evidence bound to
// another machine is not publishable (it would knock a machine out with evidence
// anyone could send), while bound evidence from a disallowed image is. Submit
// refuses the first kind before storing it; this is the check behind that one.
func TestDecideUnboundEvidenceNotPublishable(t *testing.T) {
	now := time.Now()
	auth, err := fakehw.NewSNPAuthority(now.Add(-24 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	chip, err := auth.NewChip(fakehw.SNPChipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	appr, err := appraise.NewSNP(appraise.SNPConfig{Roots: auth.Roots(), Collateral: auth.Collateral()})
	if err != nil {
		t.Fatal(err)
	}
	// The policy allows another image than the chip's: every verdict is untrusted.
	pol, err := policy.Parse([]byte(fmt.Sprintf("version: 1\nname: decide\nvalidity_seconds: 600\nreport_data: {require_binding: true}\n"+
		"snp:\n  allowed_measurements:\n    - \"0x%x\"\n", make([]byte, 48))))
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{cfg: Config{Appraiser: appr, Policy: pol, ChainID: 31337, Registry: common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")}}
	s.domain = verdict.Domain{ChainID: s.cfg.ChainID, Registry: s.cfg.Registry}
	m := &subMeta{MachineID: common.HexToHash("0x11"), TEEKey: common.HexToAddress("0x22"), AnchorBlock: 7,
		AnchorHash: common.HexToHash("0x77"), AsOf: now.Unix()}
	bound := verdict.Binding{ChainID: s.cfg.ChainID, Registry: s.cfg.Registry, MachineID: m.MachineID, TEEKey: m.TEEKey,
		AnchorBlockNumber: m.AnchorBlock, AnchorBlockHash: m.AnchorHash}
	other := bound
	other.MachineID = common.HexToHash("0x12")
	for _, tc := range []struct {
		name        string
		b           verdict.Binding
		publishable bool
	}{
		{"bound to the submission", bound, true},
		{"bound to another machine", other, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := chip.QuoteProvider().GetRawQuote(tc.b.ReportData())
			if err != nil {
				t.Fatal(err)
			}
			ev, err := evidence.Decode("chip", raw)
			if err != nil {
				t.Fatal(err)
			}
			d, err := s.decide(t.Context(), ev, m)
			if err != nil {
				t.Fatal(err)
			}
			if !d.app.Authentic || d.dec.Trusted {
				t.Fatalf("authentic %v trusted %v (reasons %v), want authentic and untrusted", d.app.Authentic, d.dec.Trusted, d.dec.Reasons.Names())
			}
			if d.publishable != tc.publishable {
				t.Fatalf("publishable %v (reasons %v), want %v", d.publishable, d.dec.Reasons.Names(), tc.publishable)
			}
		})
	}
}
