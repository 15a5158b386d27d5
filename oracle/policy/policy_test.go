package policy

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/keccak"
)

const exampleYAML = `
# A policy as an operator would write it.
version: 1
name: example
validity_seconds: 3600
max_collateral_age_seconds: 2592000
report_data:
  require_binding: true
snp:
  allowed_measurements:
    - 0x4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D4D
  min_tcb: {bootloader: 3, tee: 0, snp: 8, microcode: 115}
  forbid_smt: false
tdx:
  accepted_tcb_statuses: [UpToDate, SWHardeningNeeded]
  min_tcb_evaluation_number: 17
  out_of_date_grace_seconds: 2592000
  allowed_mrseam: []
  td_attributes: {mask: "0x0100000000000000", value: "0x0000000000000000"}
`

// The same policy as JSON with other key order, hex case, list order and a duplicate.
const exampleJSON = `{"tdx":{"td_attributes":{"value":"0000000000000000","mask":"0x0100000000000000"},
 "out_of_date_grace_seconds":2592000,"min_tcb_evaluation_number":17,
 "accepted_tcb_statuses":["SWHardeningNeeded","UpToDate","UpToDate"]},
 "snp":{"min_tcb":{"microcode":115,"snp":8,"bootloader":3},
  "allowed_measurements":["0x4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d"]},
 "report_data":{"require_binding":true},"max_collateral_age_seconds":2592000,"validity_seconds":3600,
 "name":"example","version":1}`

func TestCanonicalHashStableAcrossFormatting(t *testing.T) {
	py, err := Parse([]byte(exampleYAML))
	if err != nil {
		t.Fatal(err)
	}
	pj, err := Parse([]byte(exampleJSON))
	if err != nil {
		t.Fatal(err)
	}
	cy, _ := py.CanonicalJSON()
	cj, _ := pj.CanonicalJSON()
	if !bytes.Equal(cy, cj) {
		t.Fatalf("canonical forms differ:\n%s\n%s", cy, cj)
	}
	hy, _ := py.Hash()
	hj, _ := pj.Hash()
	if hy != hj {
		t.Fatalf("hashes differ: %s %s", hy, hj)
	}
	// Canonical form re-parses to itself.
	pc, err := Parse(cy)
	if err != nil {
		t.Fatalf("canonical form does not parse: %v", err)
	}
	if cc, _ := pc.CanonicalJSON(); !bytes.Equal(cc, cy) {
		t.Errorf("canonical form is not a fixed point:\n%s\n%s", cc, cy)
	}
	if bytes.ContainsAny(cy, " \n\t") {
		t.Errorf("canonical form has whitespace: %s", cy)
	}
}

func TestCanonicalFormKnownAnswer(t *testing.T) {
	c, err := Default().CanonicalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"max_collateral_age_seconds":0,"name":"default","report_data":{"require_binding":false},"snp":{"allow_debug":false,"allow_migration_agent":false,"allow_uncertified_tcb":false,"allowed_host_data":[],"allowed_measurements":[],"allowed_signing_keys":[],"allowed_workload_ids":[],"forbid_smt":false,"min_tcb":{"bootloader":0,"fmc":0,"microcode":0,"snp":0,"tee":0}},"tdx":{"accepted_tcb_statuses":["UpToDate"],"allow_debug":false,"allowed_measurements":[],"allowed_mrseam":[],"allowed_workload_ids":[],"forbidden_advisory_ids":[],"min_tcb_evaluation_number":0,"out_of_date_grace_seconds":0},"validity_seconds":86400,"version":1}`
	if string(c) != want {
		t.Errorf("default canonical form:\n got %s\nwant %s", c, want)
	}
	h, _ := Default().Hash()
	// keccak256 of the string above, computed independently with
	// `cast keccak '<string>'`; docs/policy.md quotes it.
	if got, want := h.Hex(), "0xba5ad30ebdfed45145555c97030ba1d02fe17d0a4b87f28fbcd0a10af0dcf2f6"; got != want {
		t.Errorf("default policy hash = %s, want %s", got, want)
	}
}

func TestDefaultEqualsParsedMinimal(t *testing.T) {
	p, err := Parse([]byte("version: 1\nname: default\nsnp: {}\ntdx: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, Default()) {
		t.Errorf("Default() = %+v\nparsed    = %+v", Default(), p)
	}
}

func TestEveryFieldChangesTheHash(t *testing.T) {
	base, _ := Parse([]byte(exampleYAML))
	ref, _ := base.Hash()
	for _, edit := range []string{
		"name: example2",
		"validity_seconds: 3601",
		"max_collateral_age_seconds: 1",
		"  require_binding: false",
		"  min_tcb: {bootloader: 3, tee: 0, snp: 8, microcode: 116}",
		"  forbid_smt: true",
		"  min_tcb_evaluation_number: 18",
		"  out_of_date_grace_seconds: 1",
		"  accepted_tcb_statuses: [UpToDate]",
	} {
		key := strings.SplitN(strings.TrimSpace(edit), ":", 2)[0]
		var lines []string
		for _, l := range strings.Split(exampleYAML, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), key+":") {
				l = edit
			}
			lines = append(lines, l)
		}
		p, err := Parse([]byte(strings.Join(lines, "\n")))
		if err != nil {
			t.Fatalf("%s: %v", edit, err)
		}
		if h, _ := p.Hash(); h == ref {
			t.Errorf("%s: hash unchanged", edit)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for name, in := range map[string]string{
		"not yaml":             "version: [1",
		"wrong version":        "version: 2\nsnp: {}",
		"no version":           "snp: {}",
		"no tee section":       "version: 1",
		"unknown field":        "version: 1\nsnp: {}\nbogus: 1",
		"unknown nested field": "version: 1\nsnp: {allow_debugg: true}",
		"duplicate key":        "version: 1\nsnp: {}\nsnp: {}",
		"key case":             "version: 1\nsnp: {}\nValidity_Seconds: 60",
		"key case nested":      "version: 1\nsnp: {Allow_Debug: true}",
		"key in two cases":     "version: 1\nsnp: {allow_debug: false, ALLOW_DEBUG: true}",
		"measurement length":   "version: 1\nsnp: {allowed_measurements: ['0x0102']}",
		"workload id length":   "version: 1\ntdx: {allowed_workload_ids: ['0x0102']}",
		"host data length":     "version: 1\nsnp: {allowed_host_data: ['0x01']}",
		"mrseam length":        "version: 1\ntdx: {allowed_mrseam: ['0x01']}",
		"not hex":              "version: 1\nsnp: {allowed_measurements: ['0xzz']}",
		"hex not a string":     "version: 1\nsnp: {allowed_measurements: [12]}",
		"signing key":          "version: 1\nsnp: {allowed_signing_keys: [ark]}",
		"tcb status":           "version: 1\ntdx: {accepted_tcb_statuses: [Fine]}",
		"revoked accepted":     "version: 1\ntdx: {accepted_tcb_statuses: [UpToDate, Revoked]}",
		"mask size":            "version: 1\ntdx: {xfam: {mask: '0x01', value: '0x01'}}",
		"value outside mask":   "version: 1\ntdx: {td_attributes: {mask: '0x0100000000000000', value: '0x0200000000000000'}}",
		"min tcb too large":    "version: 1\nsnp: {min_tcb: {snp: 256}}",
		"negative validity":    "version: 1\nsnp: {}\nvalidity_seconds: -1",
		"huge validity":        "version: 1\nsnp: {}\nvalidity_seconds: 99999999999",
		"expected report data": "version: 1\nsnp: {}\nreport_data: {expected: '0x01'}",
		"empty advisory":       "version: 1\ntdx: {forbidden_advisory_ids: ['']}",
		"advisory lower case":  "version: 1\ntdx: {forbidden_advisory_ids: [intel-sa-00837]}",
		"advisory 4 digits":    "version: 1\ntdx: {forbidden_advisory_ids: [INTEL-SA-0837]}",
		"advisory space":       "version: 1\ntdx: {forbidden_advisory_ids: ['INTEL-SA-00837 ']}",
		"advisory other form":  "version: 1\ntdx: {forbidden_advisory_ids: [CVE-2023-23583]}",
		"two json documents":   `{"version":1,"snp":{}} {"version":1}`,
		"validity as string":   "version: 1\nsnp: {}\nvalidity_seconds: '1h'",
		"two yaml documents":   "version: 1\nsnp: {}\n---\nversion: 1\ntdx: {}\n",
		"empty":                "",
	} {
		if _, err := Parse([]byte(in)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

// Text fields refuse control characters (C0, DEL, C1) and U+2028/U+2029, naming the
// field: YAML folds some of them (U+0085 to a space), so a policy holding one would
// hash differently from its own canonical form.
func TestParseRejectsControlCharacters(t *testing.T) {
	for _, ch := range []string{`\u0085`, `\u0000`, `\t`, `\n`, `\r`, `\u007f`, `\u009f`, `\u2028`, `\u2029`} {
		for field, in := range map[string]string{
			"name":                        `{"version":1,"name":"a` + ch + `b","snp":{}}`,
			"tdx.allowed_kernel_cmdlines": `{"version":1,"tdx":{"allowed_kernel_cmdlines":["console=ttyS0` + ch + `"]}}`,
			"tdx.forbidden_advisory_ids":  `{"version":1,"tdx":{"forbidden_advisory_ids":["INTEL-SA-` + ch + `00837"]}}`,
		} {
			_, err := Parse([]byte(in))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), field) {
				t.Errorf("%s with %s: err = %v, want ErrInvalid naming the field", field, ch, err)
			}
		}
	}
	if _, err := Parse([]byte("version: 1\nname: \"caf\u00e9 \u2014 prod\"\nsnp: {}\n")); err != nil {
		t.Errorf("a name with printable non-ASCII text: %v", err)
	}
}

// Advisory ids are compared exactly with Intel's, so a lower-case one, which would
// never match, is refused naming the field and the value.
func TestParseAdvisoryIDForm(t *testing.T) {
	_, err := Parse([]byte("version: 1\ntdx: {forbidden_advisory_ids: [INTEL-SA-00837, intel-sa-00615]}"))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "tdx.forbidden_advisory_ids") || !strings.Contains(err.Error(), `"intel-sa-00615"`) {
		t.Fatalf("err = %v, want ErrInvalid naming tdx.forbidden_advisory_ids and the value", err)
	}
	p, err := Parse([]byte("version: 1\ntdx: {forbidden_advisory_ids: [INTEL-SA-01099, INTEL-SA-00837]}"))
	if err != nil || !slices.Equal(p.TDX.ForbiddenAdvisoryIDs, []string{"INTEL-SA-00837", "INTEL-SA-01099"}) {
		t.Fatalf("Intel's form: %v, %v", p, err)
	}
}

// repoRoot is two levels up from this package.
func repoRoot() string { return filepath.Join("..", "..") }

func TestExamplePolicies(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot(), "testdata", "policies", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found %d example policies in testdata/policies, want at least 3", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(data); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	// default.yaml documents the built-in default: it must hash the same.
	p, err := Load(filepath.Join(repoRoot(), "testdata", "policies", "default.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	hp, _ := p.Hash()
	hd, _ := Default().Hash()
	if hp != hd {
		t.Errorf("testdata/policies/default.yaml hashes to %s, Default() to %s", hp, hd)
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("version: 7\nsnp: {}"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(bad)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), bad) {
		t.Errorf("err = %v, want ErrInvalid naming %s", err, bad)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want ErrNotExist", err)
	}
}

// LoadHashed gives the file's policy with the hash of its canonical form, not of
// its bytes: a reformatted file hashes the same, a changed rule does not.
func TestLoadHashed(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p, h, err := LoadHashed(filepath.Join(repoRoot(), "testdata", "policies", "default.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := Default().Hash(); h != want || p.ValiditySeconds != Default().ValiditySeconds {
		t.Errorf("default.yaml: hash %s validity %d, want %s %d", h, p.ValiditySeconds, want, Default().ValiditySeconds)
	}
	canon, err := Default().CanonicalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if _, h2, err := LoadHashed(write("canon.json", string(canon)+"\n\n")); err != nil || h2 != h {
		t.Errorf("the canonical form with trailing newlines: hash %s, %v; want %s", h2, err, h)
	}
	longer := Default()
	longer.ValiditySeconds++
	lc, _ := longer.CanonicalJSON()
	if _, h3, err := LoadHashed(write("longer.json", string(lc))); err != nil || h3 == h {
		t.Errorf("a longer validity hashes %s (%v), the same as the default", h3, err)
	}
	bad := write("bad.yaml", "version: 7\nsnp: {}")
	if _, _, err := LoadHashed(bad); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), bad) {
		t.Errorf("err = %v, want ErrInvalid naming %s", err, bad)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(exampleYAML))
	f.Add([]byte(exampleJSON))
	f.Add([]byte("version: 1\nsnp: {}\n"))
	f.Add([]byte(`{"version":1,"name":"a\u0085b","snp":{}}`))
	f.Add([]byte(`{"version":1,"tdx":{"allowed_kernel_cmdlines":["a\u2028b"],"forbidden_advisory_ids":["INTEL-SA-00837"]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		// An accepted policy has a canonical form that parses to the same hash.
		c, err := p.CanonicalJSON()
		if err != nil {
			t.Fatal(err)
		}
		p2, err := Parse(c)
		if err != nil {
			t.Fatalf("canonical form %s does not parse: %v", c, err)
		}
		h1, _ := p.Hash()
		h2, _ := p2.Hash()
		if h1 != h2 {
			t.Fatalf("hash changed through canonical form: %s", c)
		}
	})
}

// TestHashRemembered: a policy changed after it was hashed hashes anew (the hash is
// remembered by the policy's encoding, not by the pointer), and every hash, first or
// remembered, is keccak256 of the canonical form.
func TestHashRemembered(t *testing.T) {
	p := Default()
	check := func(what string) common.Hash {
		t.Helper()
		c, err := p.CanonicalJSON()
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			h, err := p.Hash()
			if err != nil {
				t.Fatal(err)
			}
			if want := keccak.Hash256(c); h != want {
				t.Fatalf("%s: hash %s, want keccak256 of the canonical form %s", what, h, want)
			}
		}
		h, _ := p.Hash()
		return h
	}
	before := check("default")
	p.ValiditySeconds++
	if after := check("validity changed"); after == before {
		t.Fatalf("changing the validity left the hash at %s", after)
	}
	p.ValiditySeconds--
	if again := check("validity restored"); again != before {
		t.Fatalf("restored policy hashes to %s, want %s", again, before)
	}
}
