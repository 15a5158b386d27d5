package policy

import (
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/eventlog"
	"github.com/teeoracle/teeoracle/oracle/verdict"
	"github.com/teeoracle/teeoracle/oracle/workload"
)

const (
	imgA = "sha256:" + "aa" + "00000000000000000000000000000000000000000000000000000000000000"
	imgB = "sha256:" + "bb" + "00000000000000000000000000000000000000000000000000000000000000"
)

var composeHash = rep(0xc0, 32)

func testDescription(t *testing.T) *workload.Description {
	d := &workload.Description{Name: "demo", Images: []string{"ghcr.io/acme/api@" + imgA}, ComposeSHA256: composeHash}
	if err := d.Normalize(); err != nil {
		t.Fatal(err)
	}
	return d
}

func workloadFacts(d *workload.Description, binding string, bound bool) *appraise.WorkloadFacts {
	dg := d.Digest()
	return &appraise.WorkloadFacts{Description: d, Digest: dg[:], Binding: binding, Bound: bound, Images: d.ImageDigests()}
}

// tdxWithWorkload: goodTDX whose event logs replay every register, with a kernel
// command line in RTMR2 and a bound workload.
func tdxWithWorkload(t *testing.T) *appraise.Appraisal {
	a := goodTDX()
	el := &appraise.EventLogFacts{CCEL: true}
	for i := range el.Registers {
		el.Registers[i] = appraise.RegisterFacts{Status: eventlog.Verified, Events: 2, Replayed: a.TDX.RTMR[i]}
	}
	el.Components = []eventlog.Component{
		{Kind: eventlog.KindFirmware, RTMR: 0, Digest: rep(9, 48), Verified: true},
		{Kind: eventlog.KindKernelCmdline, RTMR: 2, Digest: rep(8, 48), Value: "console=ttyS0 ro", Verified: true},
		{Kind: eventlog.KindApplication, RTMR: 3, Digest: rep(7, 48), Value: workload.EventType, Verified: true},
	}
	a.TDX.EventLog = el
	a.TDX.MRConfigID = rep(0x3c, 48)
	a.Workload = workloadFacts(testDescription(t), appraise.BindingRTMR3Event, true)
	return a
}

func componentPolicy(t *testing.T) *Policy {
	p, err := Parse([]byte(`version: 1
name: pinned
snp:
  allowed_images: [` + imgA + `]
  allowed_compose_hashes: [` + hexutil.Encode(composeHash) + `]
tdx:
  require_replayed_rtmrs: [0, 1, 2, 3]
  allowed_kernel_cmdlines: ["console=ttyS0 ro"]
  allowed_images: [` + imgA + `]
  allowed_compose_hashes: [` + hexutil.Encode(composeHash) + `]
  allowed_mrconfigids: [` + hexutil.Encode(rep(0x3c, 48)) + `]
`))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWorkloadRulesAccept(t *testing.T) {
	a := tdxWithWorkload(t)
	d := mustDecide(t, a, componentPolicy(t), testInputs())
	if !d.Trusted {
		t.Fatalf("reasons %s: %v", d.Reasons, d.Findings)
	}
	r := a.TDX.RTMR
	want, _ := verdict.WorkloadIDV2TDX(a.TDX.MRTD, [3][]byte{r[0], r[1], r[2]}, a.Workload.Description.Digest())
	if d.Verdict.WorkloadID != want {
		t.Errorf("workload id %s, want the v2 id %s", d.Verdict.WorkloadID, want)
	}
	// Without a description: the version 1 id, as before descriptions existed.
	plain := mustDecide(t, goodTDX(), Default(), testInputs())
	g := goodTDX().TDX
	wantV1, _ := verdict.WorkloadIDTDX(g.MRTD, rtmrBytes(g.RTMR))
	if plain.Verdict.WorkloadID != wantV1 {
		t.Errorf("plain TDX workload id %s, want v1 %s", plain.Verdict.WorkloadID, wantV1)
	}
	s := goodSNP()
	s.Workload = workloadFacts(testDescription(t), appraise.BindingHostData, true)
	ds := mustDecide(t, s, componentPolicy(t), testInputs())
	if !ds.Trusted {
		t.Errorf("snp with bound workload: %s %v", ds.Reasons, ds.Findings)
	}
}

// TestWorkloadRulesRefuse: each rule, broken alone, gives its reason (and only it).
func TestWorkloadRulesRefuse(t *testing.T) {
	otherDesc := func(t *testing.T, f func(d *workload.Description)) func(a *appraise.Appraisal) {
		return func(a *appraise.Appraisal) {
			d := testDescription(t)
			f(d)
			a.Workload = workloadFacts(d, a.Workload.Binding, true)
		}
	}
	cases := []struct {
		name string
		edit func(a *appraise.Appraisal)
		want Reason
	}{
		{"RTMR1 mismatch", func(a *appraise.Appraisal) { a.TDX.EventLog.Registers[1].Status = eventlog.Mismatch }, EventLogNotReplayed},
		{"RTMR3 unlogged", func(a *appraise.Appraisal) {
			a.TDX.EventLog.Registers[3].Status = eventlog.Unlogged
			a.Workload.Bound = false
		}, EventLogNotReplayed | WorkloadUnbound | ImageNotAllowed | ComposeHashNotAllowed},
		{"no event log", func(a *appraise.Appraisal) { a.TDX.EventLog = nil; a.Workload = nil },
			EventLogNotReplayed | KernelCmdlineNotAllowed | ImageNotAllowed | ComposeHashNotAllowed},
		{"other kernel command line", func(a *appraise.Appraisal) { a.TDX.EventLog.Components[1].Value = "console=ttyS0 ro init=/bin/sh" }, KernelCmdlineNotAllowed},
		{"command line in an unreplayed register", func(a *appraise.Appraisal) {
			a.TDX.EventLog.Components[1].RTMR = 1
			a.TDX.EventLog.Components[1].Verified = false
		}, EventLogNotReplayed | KernelCmdlineNotAllowed},
		{"image not allowed", otherDesc(t, func(d *workload.Description) {
			d.Images = append(d.Images, "ghcr.io/evil/miner@"+imgB)
		}), ImageNotAllowed},
		{"no images", otherDesc(t, func(d *workload.Description) { d.Images = nil }), ImageNotAllowed},
		{"compose hash", otherDesc(t, func(d *workload.Description) { d.ComposeSHA256 = rep(0xc1, 32) }), ComposeHashNotAllowed},
		{"mrconfigid", func(a *appraise.Appraisal) { a.TDX.MRConfigID = rep(0x3d, 48) }, MRConfigIDNotAllowed},
	}
	for _, c := range cases {
		a := tdxWithWorkload(t)
		c.edit(a)
		d := mustDecide(t, a, componentPolicy(t), testInputs())
		if d.Trusted || d.Reasons != c.want {
			t.Errorf("%s: reasons %s, want %s (%v)", c.name, d.Reasons, c.want, d.Findings)
		}
	}
	// An unbound description is refused under any policy, the default too, on
	// either TEE.
	a := tdxWithWorkload(t)
	a.Workload.Bound = false
	if d := mustDecide(t, a, Default(), testInputs()); d.Reasons != WorkloadUnbound {
		t.Errorf("unbound tdx workload under the default policy: %s", d.Reasons)
	}
	s := goodSNP()
	s.Workload = workloadFacts(testDescription(t), appraise.BindingHostData, false)
	if d := mustDecide(t, s, Default(), testInputs()); d.Reasons != WorkloadUnbound {
		t.Errorf("unbound snp workload: %s", d.Reasons)
	}
	s.Workload.Bound = true
	s.Workload.Images = []string{imgB}
	if d := mustDecide(t, s, componentPolicy(t), testInputs()); d.Reasons != ImageNotAllowed {
		t.Errorf("snp image not allowed: %s", d.Reasons)
	}
}

// TestUnconstrainedRegisterTolerated: an honest guest whose RTMR2 holds an
// extension nobody logged passes a policy that does not read RTMR2.
func TestUnconstrainedRegisterTolerated(t *testing.T) {
	a := tdxWithWorkload(t)
	a.TDX.EventLog.Registers[2].Status = eventlog.Mismatch
	a.TDX.EventLog.Components = a.TDX.EventLog.Components[:1]
	p, err := Parse([]byte("version: 1\ntdx:\n  require_replayed_rtmrs: [0, 3]\n  allowed_images: [" + imgA + "]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d := mustDecide(t, a, p, testInputs()); !d.Trusted {
		t.Errorf("reasons %s: %v", d.Reasons, d.Findings)
	}
}

func TestComponentRulesParse(t *testing.T) {
	for name, y := range map[string]string{
		"tag image":    "tdx: {allowed_images: [redis:7]}",
		"short digest": "snp: {allowed_images: [\"sha256:abcd\"]}",
		"rtmr 4":       "tdx: {require_replayed_rtmrs: [4]}",
		"compose 31":   "tdx: {allowed_compose_hashes: [0x" + strings.Repeat("00", 31) + "]}",
		"mrconfigid":   "tdx: {allowed_mrconfigids: [0x00]}",
		"empty cmd":    "tdx: {allowed_kernel_cmdlines: [\"\"]}",
	} {
		if _, err := Parse([]byte("version: 1\n" + y)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Rules in any order and spelling hash the same; the default keeps its hash.
	a, b := componentPolicy(t), componentPolicy(t)
	b.TDX.RequireReplayedRTMRs = []int{3, 2, 1, 0, 0}
	if err := b.normalize(); err != nil {
		t.Fatal(err)
	}
	ha, _ := a.Hash()
	hb, _ := b.Hash()
	if ha != hb {
		t.Error("register order changes the policy hash")
	}
	cj, _ := a.CanonicalJSON()
	if !strings.Contains(string(cj), `"require_replayed_rtmrs":[0,1,2,3]`) {
		t.Errorf("canonical form %s", cj)
	}
}

// TestWorkloadIDV2Preimage rebuilds the documented v2 preimages by hand.
func TestWorkloadIDV2Preimage(t *testing.T) {
	var dg [32]byte
	copy(dg[:], rep(0xd1, 32))
	got, err := verdict.WorkloadIDV2SNP(rep(0xab, 48), dg)
	if err != nil {
		t.Fatal(err)
	}
	want := crypto.Keccak256Hash([]byte("teeoracle.workload.v2\x00\x01"), rep(0xab, 48), dg[:])
	if got != want {
		t.Errorf("snp v2 %s, want %s", got, want)
	}
	got, err = verdict.WorkloadIDV2TDX(rep(1, 48), [3][]byte{rep(2, 48), rep(3, 48), rep(4, 48)}, dg)
	if err != nil {
		t.Fatal(err)
	}
	want = crypto.Keccak256Hash([]byte("teeoracle.workload.v2\x00\x02"), rep(1, 48), rep(2, 48), rep(3, 48), rep(4, 48), dg[:])
	if got != want {
		t.Errorf("tdx v2 %s, want %s", got, want)
	}
}
