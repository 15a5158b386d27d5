package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/verifier"
	"github.com/teeoracle/teeoracle/oracle/verifier/verifiertest"
)

// speedCases are the requests TestVerifierSpeedInChromium times: the same ones as
// oracle/verifier's BenchmarkVerifyJSONSNP and BenchmarkVerifyJSONTDX (and Turin).
var speedCases = []struct{ label, name string }{
	{"SEV-SNP Milan report, VCEK", "snp-milan-v2/raw+der/default"},
	{"SEV-SNP Turin report, VCEK", "snp-turin/default"},
	{"TDX v5 quote, dcap-qvl collateral", "tdx-v5-outdated/default"},
}

// speedRequest is one timed request: its wire JSON, the report the native verifier
// makes of it, and the native time per verification.
type speedRequest struct {
	Label   string `json:"label"`
	Request string `json:"request"`
	report  []byte
	native  time.Duration
}

// TestVerifierSpeedInChromium reports the WebAssembly verifier's time per
// verification in headless Chromium beside the native verifier's, from the same
// request JSON in the same process: native first (testing.Benchmark of what
// BenchmarkVerifyJSON* do: parse the request JSON, verify with a fresh appraiser,
// encode the report), then the browser (verifyJSON, signatures by WebCrypto), then
// native again to show how much the machine's load moved meanwhile. The figures are
// logged, not asserted (the machine is shared); what is asserted is that Chromium's
// report is byte for byte the native one. docs/wasm.md, Time, has the figures.
func TestVerifierSpeedInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the WebAssembly module and starts Chromium")
	}
	node, chromium, playwright := browserTools(t)
	reqs := speedRequests(t)
	for i := range reqs {
		reqs[i].native = nativeTime(t, reqs[i].Request)
	}
	wasmDir := t.TempDir()
	if b, err := exec.Command(filepath.Join(repoRoot, "scripts", "build-wasm"), wasmDir).CombinedOutput(); err != nil {
		t.Fatalf("scripts/build-wasm: %v\n%s", err, b)
	}
	browser := chromiumTimes(t, node, chromium, playwright, wasmDir, reqs)
	var table strings.Builder
	fmt.Fprintf(&table, "%s, %d iterations each after warm-up\n", browser.UA, browser.Iterations)
	fmt.Fprintf(&table, "%-36s %12s %12s %12s %7s\n", "", "native", "Chromium", "native after", "ratio")
	for i, r := range reqs {
		got := browser.Rows[i]
		if got.Report != string(r.report) {
			t.Errorf("%s: Chromium's report differs from the native one\nchromium: %s\nnative:   %s", r.Label, got.Report, r.report)
		}
		after := nativeTime(t, r.Request)
		native := float64(r.native) / 1e6
		fmt.Fprintf(&table, "%-36s %9.2f ms %9.2f ms %9.2f ms %6.1fx\n", r.Label, native, got.EachMs, float64(after)/1e6, got.EachMs/native)
	}
	fmt.Fprintf(&table, "signature checks: %s", browser.Stats)
	t.Logf("verification time, native (Go) and in Chromium (WebAssembly, WebCrypto):\n%s", table.String())
}

// speedRequests builds the timed requests' wire JSON and their native reports.
func speedRequests(t *testing.T) []speedRequest {
	set, err := verifiertest.Load(repoRoot, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]verifiertest.Case{}
	for _, c := range set.Cases {
		byName[c.Name] = c
	}
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []speedRequest
	for _, sc := range speedCases {
		c, ok := byName[sc.name]
		if !ok {
			if os.Getenv("CI") != "" {
				t.Fatalf("CI is set and case %s is missing: %v", sc.name, set.SharedMissing)
			}
			t.Logf("case %s missing (%v): not timed", sc.name, set.SharedMissing)
			continue
		}
		data, err := json.Marshal(c.Request)
		if err != nil {
			t.Fatal(err)
		}
		report, err := verifyJSON(v, data)
		if err != nil {
			t.Fatalf("%s: %v", sc.name, err)
		}
		out = append(out, speedRequest{Label: sc.label, Request: string(data), report: report})
	}
	return out
}

// verifyJSON is the module's verifyJSON natively: parse, verify, encode the report.
func verifyJSON(v *verifier.Verifier, data []byte) ([]byte, error) {
	req, err := verifier.ParseRequest(data)
	if err != nil {
		return nil, err
	}
	res, err := v.Verify(context.Background(), req)
	if err != nil {
		return nil, err
	}
	return json.Marshal(res.Report())
}

// nativeTime is the native time per verifyJSON of data (testing.Benchmark, about a
// second of it).
func nativeTime(t *testing.T, data string) time.Duration {
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var failed error
	r := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			if _, err := verifyJSON(v, []byte(data)); err != nil {
				failed = err
				b.FailNow()
			}
		}
	})
	if failed != nil || r.N == 0 {
		t.Fatalf("native benchmark failed: %v", failed)
	}
	return time.Duration(r.NsPerOp())
}

type chromiumRun struct {
	UA         string          `json:"ua"`
	Iterations int             `json:"iterations"`
	Stats      json.RawMessage `json:"stats"`
	Rows       []struct {
		FirstMs float64 `json:"first_ms"`
		EachMs  float64 `json:"each_ms"`
		Report  string  `json:"report"`
	} `json:"rows"`
}

// chromiumTimes serves the module and the requests and runs test/speed.browser.mjs.
func chromiumTimes(t *testing.T, node, chromium, playwright, wasmDir string, reqs []speedRequest) chromiumRun {
	mux := http.NewServeMux()
	mux.Handle("/wasm/", http.StripPrefix("/wasm/", http.FileServer(http.Dir(wasmDir))))
	mux.HandleFunc("/requests.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("content-type", "application/json")
		_ = json.NewEncoder(w).Encode(reqs)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("content-type", "text/html")
		fmt.Fprint(w, "<!doctype html><title>teeoracle speed</title>")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("test", "speed.browser.mjs"))
	cmd.Env = append(os.Environ(), "SPEED_URL="+srv.URL+"/", "PLAYWRIGHT_CORE="+playwright, "CHROMIUM="+chromium)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("speed.browser.mjs: %v\n%s", err, stderr.Bytes())
	}
	var run chromiumRun
	if err := json.Unmarshal(out, &run); err != nil {
		t.Fatalf("speed.browser.mjs output: %v\n%s", err, out)
	}
	if len(run.Rows) != len(reqs) {
		t.Fatalf("speed.browser.mjs timed %d requests, want %d", len(run.Rows), len(reqs))
	}
	return run
}
