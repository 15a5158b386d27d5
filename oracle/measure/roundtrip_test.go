package measure

import (
	"os"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// TestRoundTripSimulatedMachine: a simulated SEV-SNP machine (devnet hardware,
// test-only roots) launched from known artifacts is trusted under the policy
// SNPPolicy wrote for those artifacts, and one launched with one byte of the
// kernel command line changed is not, with reason measurement_not_allowed.
func TestRoundTripSimulatedMachine(t *testing.T) {
	fw, err := os.ReadFile("testdata/virtee/ovmf_AmdSev_suffix.bin")
	if err != nil {
		t.Fatal(err)
	}
	o, err := ParseOVMF("OVMF.fd", fw)
	if err != nil {
		t.Fatal(err)
	}
	launch := func(cmdline string) [48]byte {
		d, err := SNPLaunchDigest(SNPInput{Firmware: o, Kernel: []byte("vmlinuz"), Initrd: []byte("initrd"),
			Cmdline: cmdline, VCPUs: 2, VCPUSig: VCPUTypes["EPYC-Milan"], GuestFeatures: 1, VMM: QEMU})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	pol, err := policy.Parse(SNPPolicy("pinned", launch("console=ttyS0")))
	if err != nil {
		t.Fatalf("the policy measure writes does not parse: %v", err)
	}
	now := time.Now()
	auth, err := fakehw.NewSNPAuthority(now)
	if err != nil {
		t.Fatal(err)
	}
	appr, err := appraise.NewSNP(appraise.SNPConfig{Roots: auth.Roots(), Collateral: auth.Collateral()})
	if err != nil {
		t.Fatal(err)
	}
	verdictOf := func(cmdline string) *verifier.Result {
		m := launch(cmdline)
		chip, err := auth.NewChip(fakehw.SNPChipOptions{Measurement: m[:]})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := chip.QuoteProvider().GetRawQuote([64]byte{})
		if err != nil {
			t.Fatal(err)
		}
		ev, err := evidence.Decode("simulated report", raw)
		if err != nil {
			t.Fatal(err)
		}
		res, err := verifier.Decide(t.Context(), appr, &verifier.Case{Evidence: ev, Policy: pol, At: now})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := verdictOf("console=ttyS0"); !res.Decision.Trusted {
		t.Fatalf("machine launched from the measured artifacts: untrusted, reasons %v", res.Decision.Reasons)
	}
	res := verdictOf("console=ttyS1")
	if res.Decision.Trusted {
		t.Fatal("machine launched with a changed command line is trusted")
	}
	if res.Decision.Reasons != policy.MeasurementNotAllowed {
		t.Fatalf("changed command line: reasons %v, want measurement_not_allowed", res.Decision.Reasons)
	}
}

// TestRoundTripSimulatedTD: a simulated TD (devnet hardware, test-only root) built
// from a TDVF image is trusted under the policy TDXPolicy wrote for that image,
// and one built from the image with one byte of its firmware volume changed is
// not, with reason measurement_not_allowed.
func TestRoundTripSimulatedTD(t *testing.T) {
	img := tdvfImage(t, func(i int) byte { return byte(i) })
	b, err := TDXPolicy("pinned", mrtdOf(t, img), nil)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Parse(b)
	if err != nil {
		t.Fatalf("the policy measure writes does not parse: %v", err)
	}
	now := time.Now()
	auth, err := fakehw.NewTDXAuthority(t.Context(), now)
	if err != nil {
		t.Fatal(err)
	}
	appr, err := appraise.NewTDX(appraise.TDXConfig{Root: auth.Root(), Collateral: auth.Collateral()})
	if err != nil {
		t.Fatal(err)
	}
	decide := func(img []byte) policy.Reason {
		m := mrtdOf(t, img)
		td, err := auth.NewMachine(fakehw.TDXMachineOptions{MRTD: m[:]})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := td.GetRawQuote([64]byte{})
		if err != nil {
			t.Fatal(err)
		}
		ev, err := evidence.Decode("simulated quote", raw)
		if err != nil {
			t.Fatal(err)
		}
		res, err := verifier.Decide(t.Context(), appr, &verifier.Case{Evidence: ev, Policy: pol, At: now})
		if err != nil {
			t.Fatal(err)
		}
		if res.Decision.Trusted != (res.Decision.Reasons == 0) {
			t.Fatalf("trusted %v with reasons %v", res.Decision.Trusted, res.Decision.Reasons)
		}
		return res.Decision.Reasons
	}
	if r := decide(img); r != 0 {
		t.Fatalf("TD built from the measured image: reasons %v", r)
	}
	changed := append([]byte(nil), img...)
	changed[0x100000] ^= 1 // inside the measured BFV
	if r := decide(changed); r != policy.MeasurementNotAllowed {
		t.Fatalf("TD built from a changed image: reasons %v, want measurement_not_allowed", r)
	}
}
