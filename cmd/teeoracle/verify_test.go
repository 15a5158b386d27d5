package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

var repoRoot = filepath.Join("..", "..")

func td(parts ...string) string {
	return filepath.Join(append([]string{repoRoot, "testdata"}, parts...)...)
}

// vectors returns ../shared/vectors/<set>, skipping when it is absent, except under CI.
func vectors(t *testing.T, set string) string {
	t.Helper()
	dir := filepath.Join(repoRoot, "..", "shared", "vectors", set)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and %s is missing: %v", dir, err)
		}
		t.Skipf("shared vectors not present (%s): %v", dir, err)
	}
	return dir
}

// run runs teeoracle in-process and returns its stdout, stderr and exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app := newApp(appDeps{Stdout: &stdout, Stderr: &stderr,
		Now: func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }})
	code := exitCode(app.RunContext(context.Background(), append([]string{"teeoracle"}, args...)), &stderr)
	return stdout.String(), stderr.String(), code
}

// output is the part of --json output the tests read.
type output struct {
	Trusted      bool            `json:"trusted"`
	TEE          string          `json:"tee"`
	TCBStatus    string          `json:"tcb_status"`
	Reasons      []string        `json:"reasons"`
	Measurement  string          `json:"measurement"`
	EvidenceHash common.Hash     `json:"evidence_hash"`
	PolicyHash   common.Hash     `json:"policy_hash"`
	VerdictHash  common.Hash     `json:"verdict_hash"`
	Verdict      verdict.Verdict `json:"verdict"`
	Domain       struct {
		ChainID  uint64         `json:"chain_id"`
		Registry common.Address `json:"registry"`
	} `json:"domain"`
	Checks []struct {
		Name    string `json:"name"`
		Outcome string `json:"outcome"`
	} `json:"checks"`
	Appraisal struct {
		Authentic  bool   `json:"authentic"`
		ReportData string `json:"report_data"`
	} `json:"appraisal"`
}

func runJSON(t *testing.T, wantCode int, args ...string) output {
	t.Helper()
	stdout, stderr, code := run(t, append([]string{"verify", "--json"}, args...)...)
	if code != wantCode {
		t.Fatalf("exit %d, want %d; stderr: %s; stdout: %s", code, wantCode, stderr, stdout)
	}
	var out output
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("json output: %v\n%s", err, stdout)
	}
	// The verdict hash printed is the digest of the verdict printed.
	if got := out.Verdict.Digest(verdict.Domain{ChainID: out.Domain.ChainID, Registry: out.Domain.Registry}); got != out.VerdictHash {
		t.Errorf("verdict_hash %s, digest of the printed verdict %s", out.VerdictHash, got)
	}
	if out.Verdict.PolicyHash != out.PolicyHash || out.Verdict.EvidenceHash != out.EvidenceHash {
		t.Errorf("verdict's policy/evidence hash differ from the printed ones")
	}
	if (out.Verdict.Status == verdict.StatusTrusted) != out.Trusted || len(out.Checks) == 0 {
		t.Errorf("trusted %v but verdict status %s; %d checks", out.Trusted, out.Verdict.Status, len(out.Checks))
	}
	return out
}

func evidenceHash(t *testing.T, path string, certs ...string) common.Hash {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var extra []evidence.Input
	for _, c := range certs {
		b, err := os.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		extra = append(extra, evidence.Input{Name: c, Data: b})
	}
	ev, err := evidence.Decode(path, data, extra...)
	if err != nil {
		t.Fatal(err)
	}
	return ev.Hash()
}

const milanAt = "2022-09-24T01:00:00Z"

func TestVerifySNPMilanDefaultPolicy(t *testing.T) {
	report, vcek := td("sev-snp", "milan-v2", "report.bin"), td("sev-snp", "milan-v2", "vcek.der")
	out := runJSON(t, exitUntrusted, "--evidence", report, "--cert", vcek, "--at", milanAt, "--offline")
	// go-sev-guest's sample report was taken from a guest whose policy allows debugging
	// (0xb0000 has bit 19 set): genuine, current, and rightly not trusted by default.
	if out.Trusted || !slices.Equal(out.Reasons, []string{"debug"}) || !out.Appraisal.Authentic {
		t.Errorf("trusted=%v reasons=%v authentic=%v, want untrusted for debug only", out.Trusted, out.Reasons, out.Appraisal.Authentic)
	}
	if out.TEE != "sev-snp" || out.TCBStatus != "UpToDate" {
		t.Errorf("tee %q tcb_status %q", out.TEE, out.TCBStatus)
	}
	if !strings.HasPrefix(out.Measurement, "0xb07af9620f3b839b") || len(out.Measurement) != 2+96 {
		t.Errorf("measurement %q", out.Measurement)
	}
	if want := evidenceHash(t, report, vcek); out.EvidenceHash != want {
		t.Errorf("evidence_hash %s, want %s", out.EvidenceHash, want)
	}
	if want := common.HexToHash("0xba5ad30ebdfed45145555c97030ba1d02fe17d0a4b87f28fbcd0a10af0dcf2f6"); out.PolicyHash != want {
		t.Errorf("policy_hash %s, want the default policy's %s", out.PolicyHash, want)
	}

	// A policy that allows debug trusts it: exit 0.
	out = runJSON(t, exitOK, "--evidence", report, "--cert", vcek, "--at", milanAt, "--offline",
		"--policy", td("policies", "lab-permissive.yaml"))
	if !out.Trusted || len(out.Reasons) != 0 {
		t.Errorf("lab policy: trusted=%v reasons=%v", out.Trusted, out.Reasons)
	}
}

func TestVerifySNPInputFormsAgree(t *testing.T) {
	dir := td("sev-snp", "milan-v2")
	base := runJSON(t, exitUntrusted, "--evidence", filepath.Join(dir, "report.bin"), "--cert", filepath.Join(dir, "vcek.pem"), "--at", milanAt, "--offline")
	for _, args := range [][]string{
		{"--evidence", filepath.Join(dir, "configfs.json")},
		{"--evidence", filepath.Join(dir, "bundle.json")},
		{"--evidence", filepath.Join(dir, "report.bin"), "--cert", filepath.Join(dir, "certtable.bin")},
	} {
		out := runJSON(t, exitUntrusted, append(args, "--at", milanAt, "--offline")...)
		if out.Verdict.WorkloadID != base.Verdict.WorkloadID || out.Verdict.TCB != base.Verdict.TCB ||
			!slices.Equal(out.Reasons, base.Reasons) {
			t.Errorf("%v: verdict differs from the raw report's: %+v vs %+v", args, out.Verdict, base.Verdict)
		}
	}
}

func TestVerifySNPNotYetValid(t *testing.T) {
	out := runJSON(t, exitUntrusted, "--evidence", td("sev-snp", "milan-v2", "report.bin"),
		"--cert", td("sev-snp", "milan-v2", "vcek.der"), "--at", "2022-09-23T00:00:00Z", "--offline",
		"--policy", td("policies", "lab-permissive.yaml"))
	if !slices.Contains(out.Reasons, "not_authentic") {
		t.Errorf("VCEK not yet valid: reasons %v, want not_authentic", out.Reasons)
	}
}

func TestVerifyDeterministic(t *testing.T) {
	args := []string{"verify", "--json", "--evidence", td("sev-snp", "milan-v2", "report.bin"),
		"--cert", td("sev-snp", "milan-v2", "vcek.der"), "--at", milanAt, "--offline"}
	a, _, _ := run(t, args...)
	b, _, _ := run(t, args...)
	if a != b || a == "" {
		t.Error("two runs with the same inputs printed different output")
	}
}

func TestVerifyReportData(t *testing.T) {
	base := []string{"--evidence", td("sev-snp", "milan-v2", "report.bin"), "--cert", td("sev-snp", "milan-v2", "vcek.der"),
		"--at", milanAt, "--offline", "--policy", td("policies", "lab-permissive.yaml")}
	out := runJSON(t, exitOK, base...)
	// The report's own report data passes; one flipped bit fails with the right reason.
	ok := runJSON(t, exitOK, append(base, "--report-data", out.Appraisal.ReportData)...)
	if !ok.Trusted {
		t.Errorf("own report data: reasons %v", ok.Reasons)
	}
	rd := []byte(out.Appraisal.ReportData)
	if rd[2] == '0' {
		rd[2] = '1'
	} else {
		rd[2] = '0'
	}
	bad := runJSON(t, exitUntrusted, append(base, "--report-data", string(rd))...)
	if !slices.Equal(bad.Reasons, []string{"report_data_mismatch"}) {
		t.Errorf("other report data: reasons %v, want [report_data_mismatch]", bad.Reasons)
	}
	// The real report binds nothing of ours: a full binding fails, and the verdict
	// names the machine, key and anchor it was asked about.
	bound := runJSON(t, exitUntrusted, append(base, "--chain-id", "31337",
		"--registry", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
		"--machine-id", "0x"+strings.Repeat("11", 32), "--tee-key", "0x"+strings.Repeat("22", 20),
		"--anchor-number", "7", "--anchor-hash", "0x"+strings.Repeat("33", 32))...)
	if !slices.Equal(bound.Reasons, []string{"report_data_mismatch"}) {
		t.Errorf("binding: reasons %v", bound.Reasons)
	}
	if bound.Domain.ChainID != 31337 || bound.Domain.Registry != common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3") {
		t.Errorf("domain %+v", bound.Domain)
	}
	if bound.Verdict.AnchorBlockNumber != 7 || bound.Verdict.MachineID[0] != 0x11 || bound.Verdict.TEEKey[0] != 0x22 {
		t.Errorf("binding inputs not in the verdict: %+v", bound.Verdict)
	}
}

func TestVerifyBadInput(t *testing.T) {
	report, vcek := td("sev-snp", "milan-v2", "report.bin"), td("sev-snp", "milan-v2", "vcek.der")
	garbage := filepath.Join(t.TempDir(), "garbage.bin")
	if err := os.WriteFile(garbage, []byte("not a report"), 0o600); err != nil {
		t.Fatal(err)
	}
	badPolicy := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(badPolicy, []byte("version: 1\nsnp: {allow_debugg: true}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		mention string // the message must name this
	}{
		{"no evidence flag", []string{"--offline"}, "--evidence"},
		{"missing file", []string{"--evidence", "/nonexistent/report.bin"}, "/nonexistent/report.bin"},
		{"garbage evidence", []string{"--evidence", garbage, "--offline"}, garbage},
		{"missing cert", []string{"--evidence", report, "--cert", "/nonexistent/vcek.der"}, "/nonexistent/vcek.der"},
		{"bad time", []string{"--evidence", report, "--at", "yesterday"}, "--at"},
		{"bad policy", []string{"--evidence", report, "--cert", vcek, "--at", milanAt, "--offline", "--policy", badPolicy}, badPolicy},
		{"partial binding", []string{"--evidence", report, "--machine-id", "0x" + strings.Repeat("11", 32)}, "--anchor-hash"},
		{"bad machine id", []string{"--evidence", report, "--machine-id", "0x11"}, "--machine-id"},
		{"bad registry", []string{"--evidence", report, "--registry", "0x1234"}, "--registry"},
		{"bad report data", []string{"--evidence", report, "--report-data", "0x00"}, "--report-data"},
		{"unknown flag", []string{"--evidence", report, "--evidense", "x"}, "evidense"},
		{"tdx offline without collateral", []string{"--evidence", td("tdx", "spr-e4", "quote.bin"), "--offline"}, "--collateral"},
		{"bad collateral dir", []string{"--evidence", td("tdx", "spr-e4", "quote.bin"), "--offline", "--collateral", t.TempDir()}, "collateral"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(t, append([]string{"verify"}, tc.args...)...)
			if code != exitBadInput {
				t.Fatalf("exit %d, want %d; stdout %s stderr %s", code, exitBadInput, stdout, stderr)
			}
			if !strings.Contains(stderr, tc.mention) {
				t.Errorf("stderr %q does not name %q", stderr, tc.mention)
			}
		})
	}
}

func TestVerifyHumanOutput(t *testing.T) {
	stdout, _, code := run(t, "verify", "--evidence", td("sev-snp", "milan-v2", "report.bin"),
		"--cert", td("sev-snp", "milan-v2", "vcek.der"), "--at", milanAt, "--offline")
	if code != exitUntrusted {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"NOT TRUSTED", "sev-snp Milan", "debug: guest policy", "snp.signature", "verdict hash"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestHelp(t *testing.T) {
	stdout, _, code := run(t, "verify", "--help")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Exit status: 0 trusted, 1 not trusted", "TEEORACLE_EVIDENCE", "--report-data", "RFC 3339"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("verify --help lacks %q", want)
		}
	}
	stdout, _, _ = run(t, "--help")
	if !strings.Contains(stdout, "verify") || !strings.Contains(stdout, "TEEORACLE_") {
		t.Errorf("teeoracle --help:\n%s", stdout)
	}
}

func TestVerifyVectors(t *testing.T) {
	t.Run("snp-turin", func(t *testing.T) {
		dir := vectors(t, "snp-turin")
		args := []string{"--evidence", filepath.Join(dir, "report.bin"), "--cert", filepath.Join(dir, "vcek.der"), "--offline"}
		out := runJSON(t, exitOK, append(args, "--at", "2025-07-18T00:00:00Z")...)
		if out.TEE != "sev-snp" || !out.Appraisal.Authentic {
			t.Errorf("turin: tee %s authentic %v reasons %v", out.TEE, out.Appraisal.Authentic, out.Reasons)
		}
		// Hours before the VCEK's notBefore, the same evidence is not authentic.
		early := runJSON(t, exitUntrusted, append(args, "--at", "2025-07-17T00:00:00Z")...)
		if !slices.Contains(early.Reasons, "not_authentic") {
			t.Errorf("turin before VCEK validity: reasons %v", early.Reasons)
		}
	})
	t.Run("snp-vlek-milan", func(t *testing.T) {
		dir := vectors(t, "snp-vlek-milan")
		out := runJSON(t, exitOK, "--evidence", filepath.Join(dir, "report.bin"), "--cert", filepath.Join(dir, "vlek.pem"),
			"--offline", "--at", "2024-12-11T00:00:00Z")
		if !out.Trusted {
			t.Errorf("vlek: reasons %v", out.Reasons)
		}
		// A policy accepting only VCEK-signed reports refuses it.
		pol := filepath.Join(t.TempDir(), "vcek-only.yaml")
		if err := os.WriteFile(pol, []byte("version: 1\nsnp: {allowed_signing_keys: [vcek]}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		out = runJSON(t, exitUntrusted, "--evidence", filepath.Join(dir, "report.bin"), "--cert", filepath.Join(dir, "vlek.pem"),
			"--offline", "--at", "2024-12-11T00:00:00Z", "--policy", pol)
		if !slices.Equal(out.Reasons, []string{"signing_key_not_allowed"}) {
			t.Errorf("vcek-only policy: reasons %v", out.Reasons)
		}
	})
	t.Run("tdx-v5-outdated", func(t *testing.T) {
		dir := vectors(t, "tdx-v5-outdated")
		args := []string{"--evidence", filepath.Join(dir, "quote.bin"), "--collateral", filepath.Join(dir, "collateral.json"),
			"--offline", "--at", "2026-02-19T00:00:00Z"}
		out := runJSON(t, exitUntrusted, args...)
		// Its platform is below every TCB level of the collateral: Unknown.
		if out.TEE != "tdx" || out.TCBStatus != "Unknown" || !out.Appraisal.Authentic ||
			!slices.Equal(out.Reasons, []string{"tcb_status_not_accepted"}) {
			t.Errorf("tdx v5: tee %s status %s authentic %v reasons %v", out.TEE, out.TCBStatus, out.Appraisal.Authentic, out.Reasons)
		}
		if out.Verdict.TCBStatus != 0 || out.Verdict.TEE != verdict.TEETDX {
			t.Errorf("verdict tcb status %d tee %d", out.Verdict.TCBStatus, out.Verdict.TEE)
		}
		// A policy accepting OutOfDate does not trust it: no level Intel lists rates it.
		lab := runJSON(t, exitUntrusted, append(args, "--policy", td("policies", "lab-permissive.yaml"))...)
		if lab.Trusted || !slices.Equal(lab.Reasons, []string{"tcb_status_not_accepted"}) {
			t.Errorf("lab policy: trusted %v reasons %v", lab.Trusted, lab.Reasons)
		}
		// The same collateral after it expired: not authentic.
		late := runJSON(t, exitUntrusted, append(args[:len(args)-1], "2026-04-01T00:00:00Z")...)
		if !slices.Contains(late.Reasons, "not_authentic") {
			t.Errorf("expired collateral: reasons %v", late.Reasons)
		}
	})
}

// verify --snp-roots replaces AMD's roots: the Milan report verifies under a file
// holding the Milan roots, and not under one holding only Genoa's.
func TestVerifyCustomRoots(t *testing.T) {
	roots := filepath.Join("..", "..", "testdata", "sev-snp", "roots")
	args := []string{"--evidence", filepath.Join("..", "..", "testdata", "sev-snp", "milan-v2", "report.bin"),
		"--cert", filepath.Join("..", "..", "testdata", "sev-snp", "milan-v2", "vcek.der"), "--at", "2022-09-24T01:00:00Z", "--offline"}
	same := runJSON(t, exitUntrusted, append(args, "--snp-roots", filepath.Join(roots, "ask_ark_milan.pem"))...)
	if !same.Appraisal.Authentic {
		t.Errorf("under the Milan roots given as custom roots: not authentic (%v)", same.Reasons)
	}
	other := runJSON(t, exitUntrusted, append(args, "--snp-roots", filepath.Join(roots, "ask_ark_genoa.pem"))...)
	if other.Appraisal.Authentic {
		t.Error("a Milan report is authentic under custom roots holding only Genoa's")
	}
	if _, stderr, code := run(t, append(append([]string{"verify"}, args...), "--tdx-root", filepath.Join(roots, "missing.pem"))...); code != exitBadInput || !strings.Contains(stderr, "--tdx-root") {
		t.Errorf("missing --tdx-root file: exit %d, %q", code, stderr)
	}
}
