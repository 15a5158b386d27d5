//go:build !(js && wasm)

package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/devnet/devnettest"
	"github.com/teeoracle/teeoracle/oracle/verdict"
	"github.com/teeoracle/teeoracle/oracle/verifier"
	"github.com/teeoracle/teeoracle/oracle/workload"
)

// devnetAt is when the devnet-style evidence is made and verified: the simulated
// hardware's certificates and collateral are valid from an hour before.
var devnetAt = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// devnetSet is the devnet-style cases as the Node tests read them: the roots in the
// JavaScript module's shape, and each request with the report the native verifier
// makes under those roots.
type devnetSet struct {
	Roots map[string]any `json:"roots"`
	Cases []fixture      `json:"cases"`

	hw       *devnettest.Hardware
	requests map[string]*verifier.Request
	wire     []byte
}

// devnetFixtures makes an SEV-SNP report and a TDX quote of the devnet's simulated
// hardware, bound to a registry binding, and their native reports under the
// devnet's roots (trusted under the default policy).
func devnetFixtures(t *testing.T) *devnetSet {
	t.Helper()
	ctx := context.Background()
	hw, err := devnettest.New(ctx, devnetAt)
	if err != nil {
		t.Fatal(err)
	}
	native, err := hw.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	dom := verdict.Domain{ChainID: 31337, Registry: common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")}
	b := &verifier.Binding{MachineID: common.Hash{0x11}, TEEKey: common.Address{0x22}, AnchorBlockNumber: 7, AnchorBlockHash: common.Hash{0x33}}
	rd := verdict.ReportData(dom.ChainID, dom.Registry, b.MachineID, b.TEEKey, b.AnchorBlockNumber, b.AnchorBlockHash)
	snp, err := hw.SNPRequest(ctx, rd, devnetAt)
	if err != nil {
		t.Fatal(err)
	}
	tdx, err := hw.TDXRequest(rd, devnetAt)
	if err != nil {
		t.Fatal(err)
	}
	d, err := workload.Parse([]byte(`{"version":1,"name":"api","images":["ghcr.io/acme/api@sha256:` + strings.Repeat("5a", 32) + `"],"compose_sha256":"0x` + strings.Repeat("c0", 32) + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	tdxW, err := hw.TDXWorkloadRequest(rd, devnetAt, d)
	if err != nil {
		t.Fatal(err)
	}
	snpW, err := hw.SNPWorkloadRequest(ctx, rd, devnetAt, d)
	if err != nil {
		t.Fatal(err)
	}
	set := &devnetSet{Roots: hw.ModuleRoots(), hw: hw, requests: map[string]*verifier.Request{}, wire: moduleRootsWire(t, hw)}
	for name, req := range map[string]*verifier.Request{"devnet-snp": snp, "devnet-tdx": tdx,
		"devnet-tdx-workload": tdxW, "devnet-snp-workload": snpW} {
		req.Domain, req.Binding = dom, b
		res, err := native.Verify(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !res.Decision.Trusted {
			t.Fatalf("%s: not trusted under the devnet roots: %v", name, res.Decision.Reasons.Names())
		}
		if id := res.Identity(); strings.HasSuffix(name, "-workload") && (id == nil || !id.Bound || len(id.Images) != 1 || id.WorkloadIDVersion != 2) {
			t.Fatalf("%s: identity %+v", name, id)
		}
		reqJSON, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := json.Marshal(res.Report())
		if err != nil {
			t.Fatal(err)
		}
		set.requests[name] = req
		set.Cases = append(set.Cases, fixture{Name: name, Request: string(reqJSON), Expected: string(rep)})
	}
	return set
}

// moduleRootsWire is the roots JSON withRoots reads, as teeoracle.mjs's encodeRoots
// writes it from the roots of hw.
func moduleRootsWire(t *testing.T, hw *devnettest.Hardware) []byte {
	t.Helper()
	r := hw.ExplorerRoots()
	var w rootsWire
	for _, s := range r.SNP {
		w.SNP = append(w.SNP, struct {
			ProductLine string `json:"product_line"`
			ARK         []byte `json:"ark"`
			ASK         []byte `json:"ask,omitempty"`
			ASVK        []byte `json:"asvk,omitempty"`
		}{s.ProductLine, s.ARK.Raw, s.ASK.Raw, s.ASVK.Raw})
	}
	w.TDXRoot = r.TDXRoot.Raw
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestModuleCustomRoots: under the devnet's roots the module reproduces the native
// verifier's report for devnet evidence (trusted); under the default vendor roots
// the same evidence fails the chain check and gives another verdict hash.
func TestModuleCustomRoots(t *testing.T) {
	set := devnetFixtures(t)
	vendor, err := newModule(slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	custom, err := vendor.withRoots(slog.Default(), set.wire)
	if err != nil {
		t.Fatal(err)
	}
	var vi versionInfo
	if err := json.Unmarshal(custom.version(), &vi); err != nil || vi.Roots.Kind != "custom" || len(vi.Roots.SNP) != 1 ||
		vi.Roots.SNP[0].ARKSHA256 != certHash(set.hw.SNP.ARK()) || vi.Roots.TDXRootSHA256 != certHash(set.hw.TDX.Root()) {
		t.Errorf("custom version %+v (%v)", vi, err)
	}
	var vv versionInfo
	if err := json.Unmarshal(vendor.version(), &vv); err != nil || vv.Roots.Kind != "vendor" || vv.Roots.SNP != nil || vv.Roots.TDXRootSHA256 != "" {
		t.Errorf("vendor version %+v (%v)", vv, err)
	}
	for _, c := range set.Cases {
		out := custom.verify(context.Background(), []byte(c.Request))
		if out.Error != "" || string(out.Report) != c.Expected {
			t.Errorf("%s under devnet roots: error %q, report differs from the native one", c.Name, out.Error)
		}
		var want struct {
			VerdictHash string `json:"verdict_hash"`
		}
		_ = json.Unmarshal([]byte(c.Expected), &want)
		out = vendor.verify(context.Background(), []byte(c.Request))
		var got struct {
			Trusted     bool     `json:"trusted"`
			Reasons     []string `json:"reasons"`
			VerdictHash string   `json:"verdict_hash"`
			Checks      []struct{ Name, Outcome string }
		}
		if err := json.Unmarshal(out.Report, &got); err != nil {
			t.Fatalf("%s under vendor roots: %q (%v)", c.Name, out.Error, err)
		}
		if got.Trusted || got.VerdictHash == want.VerdictHash || !strings.Contains(strings.Join(got.Reasons, ","), "not_authentic") {
			t.Errorf("%s under vendor roots: trusted %v reasons %v hash %s (devnet roots: %s)", c.Name, got.Trusted, got.Reasons, got.VerdictHash, want.VerdictHash)
		}
		failed := map[string]bool{}
		for _, ch := range got.Checks {
			failed[ch.Name] = ch.Outcome == "fail"
		}
		if c.Name == "devnet-snp" && !failed[appraise.CheckSNPVCEKChain] {
			t.Errorf("devnet SEV-SNP report under vendor roots: %s did not fail: %+v", appraise.CheckSNPVCEKChain, got.Checks)
		}
	}
}

// TestModuleRootsRejected: every malformed root set is refused with an error that
// wraps appraise.ErrRoots, which the module reports as kind "roots".
func TestModuleRootsRejected(t *testing.T) {
	hw, err := devnettest.New(context.Background(), devnetAt)
	if err != nil {
		t.Fatal(err)
	}
	good := moduleRootsWire(t, hw)
	r := hw.ExplorerRoots()
	ark, ask, tdx := r.SNP[0].ARK.Raw, r.SNP[0].ASK.Raw, r.TDXRoot.Raw
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	snp0 := func(m map[string]any) map[string]any { return m["snp"].([]any)[0].(map[string]any) }
	b64 := func(b []byte) string { s, _ := json.Marshal(b); return strings.Trim(string(s), `"`) }
	m, err := newModule(slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string][]byte{
		"not JSON":         []byte("{"),
		"two objects":      append(append([]byte{}, good...), good...),
		"trailing brace":   append(append([]byte{}, good...), '}'),
		"unknown field":    edit(func(m map[string]any) { m["intel_root"] = m["tdx_root"] }),
		"no TDX root":      edit(func(m map[string]any) { delete(m, "tdx_root") }),
		"no SEV-SNP roots": edit(func(m map[string]any) { m["snp"] = []any{} }),
		"no ARK":           edit(func(m map[string]any) { delete(snp0(m), "ark") }),
		"no product line":  edit(func(m map[string]any) { delete(snp0(m), "product_line") }),
		"ARK garbage":      edit(func(m map[string]any) { snp0(m)["ark"] = b64([]byte("not a certificate")) }),
		"ARK PEM of a key": edit(func(m map[string]any) {
			snp0(m)["ark"] = b64([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
		}),
		"ARK is the ASK":        edit(func(m map[string]any) { snp0(m)["ark"] = b64(ask) }),
		"ASK not by the ARK":    edit(func(m map[string]any) { snp0(m)["ark"] = b64(tdx) }),
		"TDX root is the ASK":   edit(func(m map[string]any) { m["tdx_root"] = b64(ask) }),
		"TDX root two PEMs":     edit(func(m map[string]any) { m["tdx_root"] = b64([]byte(pemCert(tdx) + pemCert(ark))) }),
		"TDX root truncated":    edit(func(m map[string]any) { m["tdx_root"] = b64(tdx[:len(tdx)-10]) }),
		"product line repeated": edit(func(m map[string]any) { m["snp"] = append(m["snp"].([]any), snp0(m)) }),
	} {
		d, err := m.withRoots(slog.Default(), in)
		if !errors.Is(err, appraise.ErrRoots) || d != nil {
			t.Errorf("%s: err = %v, want ErrRoots", name, err)
			continue
		}
		t.Logf("%s: %v", name, err)
		if k := errorKind(err); k != kindRoots {
			t.Errorf("%s: kind %q, want %q", name, k, kindRoots)
		}
	}
	// The PEM form of the same roots is accepted.
	pemRoots := edit(func(m map[string]any) {
		snp0(m)["ark"], snp0(m)["ask"] = b64([]byte(pemCert(ark))), b64([]byte(pemCert(ask)))
		m["tdx_root"] = b64([]byte(pemCert(tdx)))
	})
	if _, err := m.withRoots(slog.Default(), pemRoots); err != nil {
		t.Errorf("PEM roots: %v", err)
	}
}

func pemCert(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// FuzzParseRoots: the roots decoder never panics, refuses with appraise.ErrRoots
// only, and what it accepts is a usable custom root set whose info names it.
func FuzzParseRoots(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"snp":[],"tdx_root":""}`, `{"snp":[{"product_line":"Milan","ark":"AAEC"}],"tdx_root":"AAEC"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		snp, tdx, info, err := parseRoots(in)
		if err != nil {
			if !errors.Is(err, appraise.ErrRoots) {
				t.Fatalf("error does not wrap ErrRoots: %v", err)
			}
			return
		}
		if snp == nil || tdx == nil || info.Kind != "custom" || len(info.SNP) != len(snp.ProductLines()) || info.TDXRootSHA256 != certHash(tdx) {
			t.Fatalf("accepted roots %+v", info)
		}
	})
}
