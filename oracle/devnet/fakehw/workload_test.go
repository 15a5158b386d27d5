package fakehw

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/oracle/agent"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/eventlog"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/workload"
)

const (
	goodImage = "ghcr.io/acme/api@sha256:" + "1111111111111111111111111111111111111111111111111111111111111111"
	evilImage = "ghcr.io/acme/api@sha256:" + "2222222222222222222222222222222222222222222222222222222222222222"
)

var compose = []byte("services:\n  api:\n    image: " + goodImage + "\n")

// pinnedPolicy is what a provider writes to pin the devnet workload.
func pinnedPolicy(t *testing.T) *policy.Policy {
	dg, _ := workload.ImageDigest(goodImage)
	ch := sha256.Sum256(compose)
	p, err := policy.Parse([]byte(`version: 1
snp:
  allowed_images: ["` + dg + `"]
  allowed_compose_hashes: ["` + hexutil.Encode(ch[:]) + `"]
tdx:
  require_replayed_rtmrs: [0, 1, 3]
  allowed_kernel_cmdlines: ["` + DefaultTDXBoot().Cmdline + `"]
  allowed_images: ["` + dg + `"]
  allowed_compose_hashes: ["` + hexutil.Encode(ch[:]) + `"]
`))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func describe(t *testing.T, image string) *workload.Description {
	dir := t.TempDir()
	f := filepath.Join(dir, "compose.yaml")
	if err := writeFile(f, compose); err != nil {
		t.Fatal(err)
	}
	d, err := agent.DescribeWorkload("api", []string{image}, f)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

type tdSetup struct {
	boot     TDXBoot
	image    string
	unlogged bool // an RTMR2 extension nobody logged
}

// tdxVerdict boots a devnet TD, lets the agent record the workload in RTMR3, and
// decides its evidence (CCEL, runtime log, description) under the pinned policy.
func tdxVerdict(t *testing.T, s tdSetup) (*policy.Decision, *appraise.Appraisal) {
	now := time.Now()
	auth, err := NewTDXAuthority(t.Context(), now)
	if err != nil {
		t.Fatal(err)
	}
	td, err := auth.NewMachine(TDXMachineOptions{Boot: &s.boot})
	if err != nil {
		t.Fatal(err)
	}
	log, err := agent.OpenRuntimeLog(filepath.Join(t.TempDir(), "runtime-log.json"))
	if err != nil {
		t.Fatal(err)
	}
	d := describe(t, s.image)
	if err := agent.RecordWorkload(log, td, d); err != nil {
		t.Fatal(err)
	}
	if err := agent.RecordWorkload(log, td, d); err != nil || len(log.Events()) != 1 {
		t.Fatalf("second record of the same workload: %v, %d events", err, len(log.Events()))
	}
	if s.unlogged {
		_ = td.ExtendRTMR(2, make([]byte, 48))
	}
	src := agent.WorkloadSource{Inner: agent.TDXQuoteSource{QP: td}, Workload: d, Log: log,
		CCEL: func() ([]byte, []byte, error) { tb, data := td.CCEL(); return tb, data, nil }}
	ev, err := src.Evidence(t.Context(), reportData(3))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ev.MarshalBundle() // as the agent submits it
	if err != nil {
		t.Fatal(err)
	}
	if ev, err = evidence.Decode("bundle", b); err != nil {
		t.Fatal(err)
	}
	ap, err := appraise.NewTDX(appraise.TDXConfig{Root: auth.Root(), Collateral: auth.Collateral()})
	if err != nil {
		t.Fatal(err)
	}
	app, err := ap.Appraise(t.Context(), ev, now)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := policy.Decide(app, pinnedPolicy(t), policy.Inputs{})
	if err != nil {
		t.Fatal(err)
	}
	return dec, app
}

func TestDevnetTDWorkloadPinned(t *testing.T) {
	dec, app := tdxVerdict(t, tdSetup{boot: DefaultTDXBoot(), image: goodImage})
	if !dec.Trusted {
		t.Fatalf("devnet TD with the pinned workload: %s %v", dec.Reasons, dec.Findings)
	}
	var kinds []string
	for _, c := range app.TDX.EventLog.Components {
		kinds = append(kinds, c.Kind)
	}
	for _, k := range []string{eventlog.KindFirmware, eventlog.KindKernel, eventlog.KindInitrd, eventlog.KindKernelCmdline, eventlog.KindApplication} {
		if !slices.Contains(kinds, k) {
			t.Errorf("component %s not recognised (%v)", k, kinds)
		}
	}
	if !app.Workload.Bound || app.Workload.Binding != appraise.BindingRTMR3Event {
		t.Errorf("workload %+v", app.Workload)
	}
	// An honest guest with an unlogged RTMR2 extension passes: the policy does not
	// read RTMR2 (the command line rule only counts replayed registers, so here it
	// is the one rule that notices).
	dec, app = tdxVerdict(t, tdSetup{boot: DefaultTDXBoot(), image: goodImage, unlogged: true})
	if app.TDX.EventLog.Registers[2].Status != eventlog.Mismatch {
		t.Errorf("RTMR2 after an unlogged extension: %s", app.TDX.EventLog.Registers[2].Status)
	}
	if dec.Reasons != policy.EventLogNotReplayed|policy.KernelCmdlineNotAllowed {
		t.Errorf("unlogged RTMR2 under a command-line rule: %s", dec.Reasons)
	}
}

func TestDevnetTDModifiedWorkloadRefused(t *testing.T) {
	other := DefaultTDXBoot()
	other.Cmdline += " init=/bin/sh"
	kernel := DefaultTDXBoot()
	kernel.Kernel = append(kernel.Kernel, 1)
	for name, c := range map[string]struct {
		s    tdSetup
		want policy.Reason
	}{
		"other image":        {tdSetup{boot: DefaultTDXBoot(), image: evilImage}, policy.ImageNotAllowed},
		"other command line": {tdSetup{boot: other, image: goodImage}, policy.KernelCmdlineNotAllowed},
	} {
		dec, _ := tdxVerdict(t, c.s)
		if dec.Trusted || dec.Reasons != c.want {
			t.Errorf("%s: reasons %s, want %s", name, dec.Reasons, c.want)
		}
	}
	// Another kernel changes RTMR2 and the v2 workload id, not any rule here.
	a, _ := tdxVerdict(t, tdSetup{boot: DefaultTDXBoot(), image: goodImage})
	b, _ := tdxVerdict(t, tdSetup{boot: kernel, image: goodImage})
	if a.Verdict.WorkloadID == b.Verdict.WorkloadID {
		t.Error("a one-byte different kernel keeps the workload id")
	}
}

func TestDevnetSNPHostDataBinding(t *testing.T) {
	now := time.Now()
	auth, err := NewSNPAuthority(now)
	if err != nil {
		t.Fatal(err)
	}
	ap, err := appraise.NewSNP(appraise.SNPConfig{Roots: auth.Roots(), Collateral: auth.Collateral()})
	if err != nil {
		t.Fatal(err)
	}
	good := describe(t, goodImage)
	dg := good.Digest()
	for name, c := range map[string]struct {
		hostData []byte
		d        *workload.Description
		want     policy.Reason
	}{
		"bound":        {dg[:], good, 0},
		"unbound":      {make([]byte, 32), good, policy.WorkloadUnbound | policy.ImageNotAllowed | policy.ComposeHashNotAllowed},
		"other image":  {func() []byte { x := describe(t, evilImage).Digest(); return x[:] }(), describe(t, evilImage), policy.ImageNotAllowed},
		"claims other": {dg[:], describe(t, evilImage), policy.WorkloadUnbound | policy.ImageNotAllowed | policy.ComposeHashNotAllowed},
	} {
		chip, err := auth.NewChip(SNPChipOptions{HostData: c.hostData})
		if err != nil {
			t.Fatal(err)
		}
		src := agent.WorkloadSource{Inner: agent.SNPQuoteSource{QP: chip.QuoteProvider()}, Workload: c.d}
		ev, err := src.Evidence(t.Context(), reportData(4))
		if err != nil {
			t.Fatal(err)
		}
		app, err := ap.Appraise(t.Context(), ev, now)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := policy.Decide(app, pinnedPolicy(t), policy.Inputs{})
		if err != nil {
			t.Fatal(err)
		}
		if dec.Reasons != c.want {
			t.Errorf("%s: reasons %s, want %s (%v)", name, dec.Reasons, c.want, dec.Findings)
		}
	}
}

func writeFile(p string, b []byte) error { return os.WriteFile(p, b, 0o600) }

// TestDevnetTDMRConfigID: a TD launched with an init-data digest in MRCONFIGID
// passes a policy listing it; another digest is refused.
func TestDevnetTDMRConfigID(t *testing.T) {
	now := time.Now()
	auth, err := NewTDXAuthority(t.Context(), now)
	if err != nil {
		t.Fatal(err)
	}
	ap, err := appraise.NewTDX(appraise.TDXConfig{Root: auth.Root(), Collateral: auth.Collateral()})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 48)
	want[0] = 0x1d
	p, err := policy.Parse([]byte("version: 1\ntdx:\n  allowed_mrconfigids: [\"" + hexutil.Encode(want) + "\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	other := append([]byte(nil), want...)
	other[47] = 1
	for _, c := range []struct {
		id   []byte
		want policy.Reason
	}{{want, 0}, {other, policy.MRConfigIDNotAllowed}, {nil, policy.MRConfigIDNotAllowed}} {
		td, err := auth.NewMachine(TDXMachineOptions{MRConfigID: c.id})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := td.GetRawQuote(reportData(5))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := evidence.Decode("quote", raw)
		if err != nil {
			t.Fatal(err)
		}
		app, err := ap.Appraise(t.Context(), ev, now)
		if err != nil {
			t.Fatal(err)
		}
		assertPass(t, app)
		dec, err := policy.Decide(app, p, policy.Inputs{})
		if err != nil {
			t.Fatal(err)
		}
		if dec.Reasons != c.want {
			t.Errorf("MRCONFIGID %x: reasons %s, want %s", c.id, dec.Reasons, c.want)
		}
	}
}
