package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// The golden tests pin the exact bytes `teeoracle verify` (text and --json),
// `teeoracle audit` (text and --json) and `teeoracle devnet --once` print on the real
// evidence (testdata/ and ../shared/vectors/), so that a change that is meant to
// move code, not behaviour, can show that it changed no output byte. The files
// under testdata/golden/ were written by the code as it was; after a change that is
// meant to change the output, regenerate them with
//
//	go test ./cmd/teeoracle/ -run Golden -update
//
// and review the diff. Only the devnet's output is normalised (devnetNormalise says
// what and why); verify and audit are compared byte for byte, stdout, stderr and exit
// status.
var updateGolden = flag.Bool("update", false, "rewrite cmd/teeoracle/testdata/golden/ from the current output")

// golden compares got with testdata/golden/name, or writes it there with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (first difference at byte %d)\n--- got:\n%s\n--- want:\n%s",
			path, firstDiff(got, string(want)), got, want)
	}
}

func firstDiff(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// transcript is one command's complete observable result.
func transcript(args []string, stdout, stderr string, code int) string {
	return fmt.Sprintf("$ teeoracle %s\n-- exit %d\n-- stdout\n%s-- stderr\n%s", strings.Join(args, " "), code, stdout, stderr)
}

// goldenVectors are the verify invocations: the README's quickstart on testdata/ and
// the three sets of ../shared/vectors, each under the default policy and, where it
// changes the verdict, another one. Paths are relative, as the command is run from
// the package directory, so they print the same on every machine.
func goldenVectors(t *testing.T) []struct {
	name string
	args []string
} {
	shared := filepath.Join(repoRoot, "..", "shared", "vectors")
	cases := []struct {
		name string
		args []string
	}{
		{"milan-v2", []string{"--evidence", td("sev-snp", "milan-v2", "report.bin"), "--cert", td("sev-snp", "milan-v2", "vcek.der"),
			"--at", milanAt, "--offline"}},
		{"milan-v2-lab", []string{"--evidence", td("sev-snp", "milan-v2", "report.bin"), "--cert", td("sev-snp", "milan-v2", "vcek.der"),
			"--at", milanAt, "--offline", "--policy", td("policies", "lab-permissive.yaml")}},
		{"milan-v2-bound", []string{"--evidence", td("sev-snp", "milan-v2", "bundle.json"),
			"--at", milanAt, "--offline", "--chain-id", "31337", "--registry", "0x5FbDB2315678afecb367f032d93F642f64180aa3",
			"--machine-id", "0x" + strings.Repeat("11", 32), "--tee-key", "0x" + strings.Repeat("22", 20),
			"--anchor-number", "7", "--anchor-hash", "0x" + strings.Repeat("33", 32)}},
		{"snp-turin", []string{"--evidence", filepath.Join(shared, "snp-turin", "report.bin"), "--cert", filepath.Join(shared, "snp-turin", "vcek.der"),
			"--at", "2025-07-18T00:00:00Z", "--offline"}},
		{"snp-turin-early", []string{"--evidence", filepath.Join(shared, "snp-turin", "report.bin"), "--cert", filepath.Join(shared, "snp-turin", "vcek.der"),
			"--at", "2025-07-17T00:00:00Z", "--offline"}},
		{"snp-vlek-milan", []string{"--evidence", filepath.Join(shared, "snp-vlek-milan", "report.bin"), "--cert", filepath.Join(shared, "snp-vlek-milan", "vlek.pem"),
			"--at", "2024-12-11T00:00:00Z", "--offline"}},
		{"tdx-v5-outdated", []string{"--evidence", filepath.Join(shared, "tdx-v5-outdated", "quote.bin"),
			"--collateral", filepath.Join(shared, "tdx-v5-outdated", "collateral.json"), "--at", "2026-02-19T00:00:00Z", "--offline"}},
		{"tdx-v5-outdated-lab", []string{"--evidence", filepath.Join(shared, "tdx-v5-outdated", "quote.bin"),
			"--collateral", filepath.Join(shared, "tdx-v5-outdated", "collateral.json"), "--at", "2026-02-19T00:00:00Z", "--offline",
			"--policy", td("policies", "lab-permissive.yaml")}},
		{"tdx-v5-expired", []string{"--evidence", filepath.Join(shared, "tdx-v5-outdated", "quote.bin"),
			"--collateral", filepath.Join(shared, "tdx-v5-outdated", "collateral.json"), "--at", "2026-04-01T00:00:00Z", "--offline"}},
	}
	for _, set := range []string{"snp-turin", "snp-vlek-milan", "tdx-v5-outdated"} {
		vectors(t, set) // skips when the shared vectors are absent (fails under CI)
	}
	return cases
}

// TestGoldenVerify: verify's text and JSON output on real evidence, byte for byte.
func TestGoldenVerify(t *testing.T) {
	for _, c := range goldenVectors(t) {
		for _, form := range []string{"text", "json"} {
			t.Run(c.name+"/"+form, func(t *testing.T) {
				args := append([]string{"verify"}, c.args...)
				if form == "json" {
					args = append(args, "--json")
				}
				stdout, stderr, code := run(t, args...)
				if code == exitBadInput {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				golden(t, "verify-"+c.name+"."+form, transcript(args, stdout, stderr, code))
			})
		}
	}
}

// goldenArchive writes a node database holding, for each real vector, the verdict a
// node would make and archive for it (evidence, policy, collateral, audit record),
// bound to a fixed chain, registry, machine, key and anchor. Everything in it is a
// function of the vectors and the constants here, so the audit output is too.
func goldenArchive(t *testing.T) (string, map[string]common.Hash) {
	t.Helper()
	shared := filepath.Join(repoRoot, "..", "shared", "vectors")
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	pol := read(td("policies", "default.yaml"))
	tdxSet, err := collateral.LoadDcapQVL(filepath.Join(shared, "tdx-v5-outdated", "collateral.json"))
	if err != nil {
		t.Fatal(err)
	}
	tdxJSON, err := json.Marshal(tdxSet)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		name     string
		evidence []byte
		certs    []evidence.Input // go into the evidence bundle (as an agent sends them)
		kind     string           // collateral kind archived beside the verdict ("" none)
		coll     []byte
		at       string
		// shift moves the audit record's decision time after the verdict was made:
		// an archive whose record does not back its verdict (audit prints the
		// differences).
		shift int64
	}
	entries := []entry{
		{name: "snp-turin", evidence: read(filepath.Join(shared, "snp-turin", "report.bin")),
			kind: audit.CollateralSNPVCEK, coll: read(filepath.Join(shared, "snp-turin", "vcek.der")), at: "2025-07-18T00:00:00Z"},
		{name: "snp-vlek-milan", evidence: read(filepath.Join(shared, "snp-vlek-milan", "report.bin")),
			certs: []evidence.Input{{Name: "vlek.pem", Data: read(filepath.Join(shared, "snp-vlek-milan", "vlek.pem"))}}, at: "2024-12-11T00:00:00Z"},
		{name: "tdx-v5-outdated", evidence: read(filepath.Join(shared, "tdx-v5-outdated", "quote.bin")),
			kind: audit.CollateralTDXSet, coll: tdxJSON, at: "2026-02-19T00:00:00Z"},
		{name: "snp-turin-shifted", evidence: read(filepath.Join(shared, "snp-turin", "report.bin")),
			kind: audit.CollateralSNPVCEK, coll: read(filepath.Join(shared, "snp-turin", "vcek.der")), at: "2025-07-18T00:00:00Z", shift: -86400},
	}
	db := filepath.Join(t.TempDir(), "node.db")
	st, err := store.Open(db, service.StoreOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	vf, err := verifier.New(verifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	domain := verdict.Domain{ChainID: 31337, Registry: common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")}
	hashes := map[string]common.Hash{}
	for i, e := range entries {
		ev, err := evidence.Decode(e.name, e.evidence, e.certs...)
		if err != nil {
			t.Fatal(err)
		}
		evb, err := ev.MarshalBundle()
		if err != nil {
			t.Fatal(err)
		}
		at, err := time.Parse(time.RFC3339, e.at)
		if err != nil {
			t.Fatal(err)
		}
		bind := &verifier.Binding{MachineID: common.BytesToHash([]byte{byte(i + 1)}), TEEKey: common.BytesToAddress([]byte{0x22, byte(i + 1)}),
			AnchorBlockNumber: 7, AnchorBlockHash: common.BytesToHash([]byte{0x33, byte(i + 1)})}
		req := &verifier.Request{Evidence: evidence.Input{Name: e.name, Data: evb}, Policy: pol, At: at, Domain: domain, Binding: bind}
		rec := audit.Record{AsOf: at.Unix(), ChainID: domain.ChainID, Registry: domain.Registry, MachineID: bind.MachineID,
			TEEKey: bind.TEEKey, AnchorNumber: bind.AnchorBlockNumber, AnchorHash: bind.AnchorBlockHash,
			Collateral: []audit.Item{}, Used: []audit.ItemUsed{}}
		if e.kind != "" {
			audit.AddArchived(&req.Collateral, e.kind, evidence.Input{Name: e.kind, Data: e.coll})
			if _, err := st.PutCollateral(e.coll); err != nil {
				t.Fatal(err)
			}
			rec.Collateral = append(rec.Collateral, audit.Item{Kind: e.kind, SHA256: sha256.Sum256(e.coll)})
		}
		out, err := vf.Verify(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		v := out.Decision.Verdict
		rec.VerdictHash, rec.EvidenceHash, rec.PolicyHash = out.VerdictHash, v.EvidenceHash, v.PolicyHash
		rec.Trusted, rec.Reasons = out.Decision.Trusted, out.Decision.Reasons.Names()
		for _, f := range out.Decision.Findings {
			rec.Findings = append(rec.Findings, f.Detail)
		}
		for _, c := range out.Appraisal.Collateral {
			rec.Used = append(rec.Used, audit.ItemUsed{Kind: c.Kind, SHA256: c.Hash})
		}
		rec.AsOf += e.shift
		recJSON, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		body, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.PutEvidence(evb); err != nil {
			t.Fatal(err)
		}
		if _, err := st.PutPolicy(pol); err != nil {
			t.Fatal(err)
		}
		if err := st.PutVerdict(store.Verdict{Hash: out.VerdictHash, MachineID: v.MachineID, IssuedAt: v.IssuedAt, Body: body}); err != nil {
			t.Fatal(err)
		}
		if err := st.SetMeta(audit.RecordKey(out.VerdictHash), recJSON); err != nil {
			t.Fatal(err)
		}
		hashes[e.name] = out.VerdictHash
	}
	return db, hashes
}

// TestGoldenAudit: audit's text and JSON output for verdicts archived from the real
// vectors, read from a node database, byte for byte. The database path never
// appears in the output (the test checks that, since it is a temporary name).
func TestGoldenAudit(t *testing.T) {
	goldenVectors(t)
	db, hashes := goldenArchive(t)
	for _, name := range []string{"snp-turin", "snp-vlek-milan", "tdx-v5-outdated", "snp-turin-shifted"} {
		for _, form := range []string{"text", "json"} {
			t.Run(name+"/"+form, func(t *testing.T) {
				args := []string{"audit", "--verdict-hash", hashes[name].Hex(), "--db", db}
				if form == "json" {
					args = append(args, "--json")
				}
				stdout, stderr, code := run(t, args...)
				if wantCode := map[bool]int{true: exitUntrusted, false: exitOK}[name == "snp-turin-shifted"]; code != wantCode || strings.Contains(stdout+stderr, db) {
					t.Fatalf("exit %d (or the temporary path printed):\n%s\n%s", code, stdout, stderr)
				}
				shown := slices.Clone(args)
				shown[4] = "DB"
				golden(t, "audit-"+name+"."+form, transcript(shown, stdout, stderr, code))
			})
		}
	}
}

// devnetNormalise replaces what differs between two runs of `devnet --once`, and
// nothing else:
//   - 0x-prefixed 40- and 64-digit hex (contract, oracle and TEE-key addresses,
//     machine and workload ids, policy hash, transaction hashes): the devnet makes
//     fresh keys and simulated-hardware roots on every run, and everything derived
//     from them differs; each is replaced by as many 'x' so column widths still count;
//   - "sha256:" and 16 hex digits (fingerprints of the per-run simulated roots);
//   - the API and JSON-RPC ports (random free ports);
//   - the expiry times (wall clock plus the verdict validity);
//   - gas used, in the machine and transaction tables (calldata gas depends on how
//     many zero bytes the per-run addresses and hashes hold);
//   - the block numbers in the transaction table (the simulated chain also seals
//     a block every second on a timer, so a transaction's block depends on how
//     long the steps before it took), each replaced by "B" padded to the same
//     column width;
//   - the order of the two submitBatch rows: the two machines' agents run
//     concurrently, so either verdict can be published first;
//   - the duration of the first round ("done in 2.27s": wall clock).
//
// The TCB values, verdicts, reasons, the real-evidence table and every label and
// column layout are compared as they are.
func devnetNormalise(out string) string {
	hex64 := regexp.MustCompile(`0x[0-9a-fA-F]{64}`)
	hex40 := regexp.MustCompile(`0x[0-9a-fA-F]{40}\b`)
	out = hex64.ReplaceAllString(out, "0x"+strings.Repeat("x", 64))
	out = hex40.ReplaceAllString(out, "0x"+strings.Repeat("x", 40))
	out = regexp.MustCompile(`sha256:[0-9a-f]{16}`).ReplaceAllString(out, "sha256:"+strings.Repeat("x", 16))
	out = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`).ReplaceAllString(out, "127.0.0.1:PORT")
	out = regexp.MustCompile(`(?m)(TRUSTED\s+)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ(\s+)[0-9]+$`).ReplaceAllString(out, "${1}YYYY-MM-DDTHH:MM:SSZ${2}GAS")
	out = regexp.MustCompile(`(?m)^(  (?:deploy|register|authorize|submit)\S*.*\s0xx{64}\s+)([0-9]+)(\s+)[0-9]+$`).ReplaceAllStringFunc(out, func(line string) string {
		m := regexp.MustCompile(`^(.*\s0xx{64}\s+)([0-9]+)(\s+)[0-9]+$`).FindStringSubmatch(line)
		// The block column is as wide as its header ("block") plus two spaces
		// while block numbers have at most 5 digits.
		return m[1] + "B" + strings.Repeat(" ", max(len(m[2])+len(m[3])-1, 1)) + "GAS"
	})
	out = regexp.MustCompile(`done in [0-9.]+(ms|s|µs)`).ReplaceAllString(out, "done in DURATION")
	// The submitBatch rows, sorted (their order is the agents' race).
	lines := strings.Split(out, "\n")
	var idx []int
	var rows []string
	for i, l := range lines {
		if strings.HasPrefix(l, "  submitBatch") {
			idx, rows = append(idx, i), append(rows, l)
		}
	}
	slices.Sort(rows)
	for k, i := range idx {
		lines[i] = rows[k]
	}
	return strings.Join(lines, "\n")
}

// TestGoldenDevnet: `devnet --once` prints the same bytes as before, up to the
// per-run values devnetNormalise lists.
func TestGoldenDevnet(t *testing.T) {
	goldenVectors(t)
	args := []string{"devnet", "--once"}
	stdout, stderr, code := run(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	golden(t, "devnet-once.text", transcript(args, devnetNormalise(stdout), stderr, code))
	// The normalisation left the parts it must not touch.
	if !bytes.Contains([]byte(stdout), []byte("real hardware evidence")) {
		t.Fatal("no real-evidence table")
	}
}
