package service_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/devnet/fakehw"
	"github.com/teeoracle/teeoracle/oracle/eventlog"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/verdict"
	"github.com/teeoracle/teeoracle/oracle/verifier"
	"github.com/teeoracle/teeoracle/oracle/workload"
)

// TEST-ONLY Intel TDX evidence: fakehw.TDXAuthority is an imitation of Intel's PCK
// hierarchy whose root is generated in this process (organisation "teeoracle
// DEVNET ONLY - not Intel"); its quotes verify only because the node under test is
// given that root, as an operator gives Intel's.

// tdxTestPolicy trusts TDs with the given MRTDs under the default TDX rules (no
// debug, TCB up to date) and requires the report-data binding.
func tdxTestPolicy(t testing.TB, name string, validity uint64, mrtds ...[]byte) *policy.Policy {
	t.Helper()
	doc := fmt.Sprintf("version: 1\nname: %s\nvalidity_seconds: %d\nreport_data: {require_binding: true}\ntdx:\n  allowed_measurements:\n", name, validity)
	for _, m := range mrtds {
		doc += "    - \"" + hexutil.Encode(m) + "\"\n"
	}
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("test TDX policy: %v", err)
	}
	return p
}

// tdxBundle is a TD's quote over the challenge's report data, as a bundle.
func tdxBundle(t testing.TB, td *fakehw.TDXMachine, ch api.Challenge, mutate func([]byte)) []byte {
	t.Helper()
	rd, err := hexutil.Decode(ch.ReportData)
	if err != nil || len(rd) != 64 {
		t.Fatalf("challenge report data %q", ch.ReportData)
	}
	quote, err := td.GetRawQuote([64]byte(rd))
	if err != nil {
		t.Fatalf("devnet TD quote: %v", err)
	}
	if mutate != nil {
		mutate(quote)
	}
	b, err := (&evidence.Evidence{TEE: evidence.TEETDX, Raw: quote}).MarshalBundle()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestE2ETDX drives one oracle node (threshold 1) through the HTTP API against the
// real registry on anvil with a TDX machine: evidence of the wrong TEE is refused,
// a TD quote bound to the challenge under a test-only Intel root makes the machine
// trusted (registry and consumer contract), the verdict names the TD's workload
// and the node archives the TDX collateral it used; a forged quote fails without
// touching the chain, a debug TD gets an untrusted verdict on-chain, and
// re-attestation restores trust.
func TestE2ETDX(t *testing.T) {
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 32)
	intel, td := newTestTD(t)
	debugTD, err := intel.NewMachine(fakehw.TDXMachineOptions{Debug: true})
	if err != nil {
		t.Fatal(err)
	}
	pol := tdxTestPolicy(t, "e2e-tdx", 600, td.MRTD())
	e.registerPolicy(t, pol)
	machine := e.registerMachine(t, provider, 7, verdict.TEETDX)
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, tdx: intel})
	a := e.newAgent(t, nil, machine)

	attest := func(t *testing.T, td *fakehw.TDXMachine) api.SubmissionView {
		t.Helper()
		ch := a.challenge(t, n)
		code, res := a.submit(t, n, ch.AnchorBlockNumber, tdxBundle(t, td, ch, nil))
		if code != 202 {
			t.Fatalf("submit: HTTP %d: %s (%s)", code, res.Error, res.Field)
		}
		return waitState(t, n, res.ID, 60*time.Second, "confirmed")
	}

	t.Run("evidence of another TEE refused", func(t *testing.T) {
		snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
		ch := a.challenge(t, n)
		sa := &agent{snp: snp, machine: a.machine, teeKey: a.teeKey}
		code, res := a.submit(t, n, ch.AnchorBlockNumber, sa.evidenceFor(t, ch, measurement(0x11), nil))
		if code != 422 || res.Field != "body" {
			t.Fatalf("SEV-SNP evidence for a TDX machine: HTTP %d field %q (%s), want 422 body", code, res.Field, res.Error)
		}
	})

	var first api.SubmissionView
	t.Run("happy path", func(t *testing.T) {
		if e.isTrusted(t, machine) || e.consumerAccepts(t, a.teeKey) {
			t.Fatal("machine trusted before any verdict")
		}
		first = attest(t, td)
		if first.Trusted == nil || !*first.Trusted {
			t.Fatalf("verdict not trusted: %+v", first)
		}
		if !e.isTrusted(t, machine) {
			t.Fatal("registry: isTrusted false after a confirmed trusted TDX verdict")
		}
		if !e.consumerAccepts(t, a.teeKey) {
			t.Fatal("consumer refuses the TEE key of a trusted TDX machine")
		}
		if e.consumerAccepts(t, crypto.PubkeyToAddress(provider.PublicKey)) {
			t.Fatal("consumer accepts a key that is not the machine's")
		}
		rec := e.machine(t, machine)
		if rec.Tee != verdict.TEETDX || rec.TeeKey != a.teeKey || rec.PolicyHash != mustHash(t, pol) {
			t.Fatalf("on-chain record %+v: want tee %d, key %s, policy %s", rec, verdict.TEETDX, a.teeKey, mustHash(t, pol))
		}

		var vv api.VerdictView
		if code := httpJSON(t, "GET", n.url+"/v1/verdicts/"+first.VerdictHash.String(), "", nil, &vv); code != 200 || len(vv.Signatures) != 1 {
			t.Fatalf("verdict view: HTTP %d, %d signatures", code, len(vv.Signatures))
		}
		var v verdict.Verdict
		if err := json.Unmarshal(vv.Verdict, &v); err != nil {
			t.Fatal(err)
		}
		wantWorkload, err := verdict.WorkloadIDTDX(td.MRTD(), td.RTMR())
		if err != nil {
			t.Fatal(err)
		}
		if v.TEE != verdict.TEETDX || v.WorkloadID != wantWorkload || v.EvidenceHash != first.EvidenceHash {
			t.Fatalf("verdict tee %d workload %s evidence %s; want tdx, %s, %s", v.TEE, v.WorkloadID, v.EvidenceHash, wantWorkload, first.EvidenceHash)
		}
		// The audit record names the TDX collateral set, archived and served back
		// byte for byte as the collateral the appraiser used.
		var ar audit.Record
		if err := json.Unmarshal(vv.Audit, &ar); err != nil {
			t.Fatalf("audit record: %v", err)
		}
		var set string
		for _, it := range ar.Collateral {
			if it.Kind == audit.CollateralTDXSet {
				set = it.SHA256.Hex()
			}
		}
		if set == "" {
			t.Fatalf("audit record lists no %s: %+v", audit.CollateralTDXSet, ar.Collateral)
		}
		raw, err := httpGetText(n.url + "/v1/archive/collateral/" + set)
		if err != nil {
			t.Fatal(err)
		}
		var got collateral.TDXCollateral
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatalf("archived TDX collateral %s: %v (%.200q)", set, err, raw)
		}
		want := intel.Collateral()
		if string(got.TCBInfo.Body) != string(want.TCBInfo.Body) || string(got.QEIdentity.Body) != string(want.QEIdentity.Body) {
			t.Fatal("archived TDX collateral is not the collateral the node was given")
		}
	})

	t.Run("described workload: event logs archived, v2 workload id, audit reproduces", func(t *testing.T) {
		boot := fakehw.DefaultTDXBoot()
		wtd, err := intel.NewMachine(fakehw.TDXMachineOptions{Boot: &boot})
		if err != nil {
			t.Fatal(err)
		}
		d, err := workload.Parse([]byte(`{"version":1,"name":"api","images":["ghcr.io/acme/api@sha256:` + strings.Repeat("5a", 32) + `"]}`))
		if err != nil {
			t.Fatal(err)
		}
		re := eventlog.RuntimeEvent{RTMR: 3, Type: workload.EventType, Data: d.Canonical()}
		if err := wtd.ExtendRTMR(3, re.Digest()); err != nil {
			t.Fatal(err)
		}
		ch := a.challenge(t, n)
		ev, err := evidence.Decode("bundle", tdxBundle(t, wtd, ch, nil))
		if err != nil {
			t.Fatal(err)
		}
		table, data := wtd.CCEL()
		ev.EventLog, ev.Workload = &evidence.EventLog{CCELTable: table, CCEL: data, Runtime: []eventlog.RuntimeEvent{re}}, d
		b, err := ev.MarshalBundle()
		if err != nil {
			t.Fatal(err)
		}
		code, res := a.submit(t, n, ch.AnchorBlockNumber, b)
		if code != 202 {
			t.Fatalf("submit: HTTP %d: %s (%s)", code, res.Error, res.Field)
		}
		view := waitState(t, n, res.ID, 60*time.Second, "confirmed")
		if view.Trusted == nil || !*view.Trusted {
			t.Fatalf("described workload not trusted: %+v", view)
		}
		r := wtd.RTMR()
		want, _ := verdict.WorkloadIDV2TDX(wtd.MRTD(), [3][]byte{r[0], r[1], r[2]}, d.Digest())
		audited, err := audit.Reproduce(ctxT(t), audit.NewNodeSource(n.url, nil), *view.VerdictHash, verifier.Options{TDXRoot: intel.Root()})
		if err != nil {
			t.Fatal(err)
		}
		if !audited.Reproduced || audited.Verdict.WorkloadID != want {
			t.Fatalf("audit: reproduced %v, workload id %s (want v2 %s), differences %v", audited.Reproduced, audited.Verdict.WorkloadID, want, audited.Differences)
		}
		raw, err := httpGetText(n.url + "/v1/archive/evidence/" + view.EvidenceHash.Hex())
		if err != nil {
			t.Fatal(err)
		}
		back, err := evidence.Decode("archived", []byte(raw))
		if err != nil || back.EventLog == nil || back.Workload == nil || common.Hash(back.Hash()) != view.EvidenceHash {
			t.Fatalf("archived evidence lost its event logs or description: %v", err)
		}
	})

	t.Run("forged quote fails without a verdict on-chain", func(t *testing.T) {
		ch := a.challenge(t, n)
		// Flip a bit of MRTD after signing: the quote's signature no longer covers it.
		forged := tdxBundle(t, td, ch, func(q []byte) { q[evidence.TDXHeaderSize+136] ^= 0x01 })
		code, res := a.submit(t, n, ch.AnchorBlockNumber, forged)
		if code != 202 {
			t.Fatalf("submit: HTTP %d (%s)", code, res.Error)
		}
		v := waitState(t, n, res.ID, 30*time.Second, "failed")
		if v.Trusted == nil || *v.Trusted || len(v.Reasons) == 0 || v.Reasons[0] != "not_authentic" {
			t.Fatalf("forged quote: trusted %v reasons %v", v.Trusted, v.Reasons)
		}
		if !e.isTrusted(t, machine) {
			t.Fatal("a forged quote removed trust: anyone could knock machines out")
		}
	})

	t.Run("debug TD posts an untrusted verdict, re-attestation restores trust", func(t *testing.T) {
		v := attest(t, debugTD)
		if v.Trusted == nil || *v.Trusted {
			t.Fatalf("debug TD trusted: %+v", v)
		}
		if e.isTrusted(t, machine) || e.consumerAccepts(t, a.teeKey) {
			t.Fatal("machine still trusted after an untrusted verdict")
		}
		if rec := e.machine(t, machine); rec.Status != uint8(verdict.StatusUntrusted) {
			t.Fatalf("on-chain status %d, want untrusted", rec.Status)
		}
		attest(t, td)
		if !e.isTrusted(t, machine) || !e.consumerAccepts(t, a.teeKey) {
			t.Fatal("re-attestation did not restore trust")
		}
	})
}

func mustHash(t testing.TB, p *policy.Policy) common.Hash {
	t.Helper()
	h, err := p.Hash()
	if err != nil {
		t.Fatal(err)
	}
	return h
}
