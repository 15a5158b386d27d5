package web_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/appraise"
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

// speedRequest is one timed request: its wire JSON and the report the native
// verifier makes of it.
type speedRequest struct {
	Label   string `json:"label"`
	Request string `json:"request"`
	report  []byte
}

// TestVerifierSpeedInChromium reports the WebAssembly verifier's time per
// verification in headless Chromium beside the native verifier's, from the same
// request JSON, in the same process. The page drives it: for each request, in each
// of speedRounds rounds, it has this test measure the native time (GET /native/i:
// testing.Benchmark of what BenchmarkVerifyJSON* do: parse the request JSON, verify
// with an appraiser made for the request, encode the report), then times its own
// verifyJSON calls (signatures by WebCrypto), in wall time and in CPU time (the
// process's; Chromium's from DevTools). On this shared machine the load moves wall
// times by 2-4x within a minute, so each pair is taken back to back, and the table
// gives the fastest of the rounds on each side and the median of the rounds'
// ratios; one ECDSA check alone is timed the same way. The
// figures are logged, not asserted; what is asserted is that Chromium's report is
// byte for byte the native one. docs/wasm.md, Time, has the figures.
func TestVerifierSpeedInChromium(t *testing.T) {
	// Opt-in: it takes about a minute and asserts nothing the parity tests
	// (go test ./wasm, TestExplorerInChromium) do not; its product is the table.
	if os.Getenv("TEEORACLE_BROWSER_SPEED") == "" || testing.Short() {
		t.Skip("set TEEORACLE_BROWSER_SPEED=1 to time the verifier in Chromium against native")
	}
	node, chromium, playwright := browserTools(t)
	reqs := speedRequests(t)
	wasmDir := t.TempDir()
	if b, err := exec.Command(filepath.Join(repoRoot, "scripts", "build-wasm"), wasmDir).CombinedOutput(); err != nil {
		t.Fatalf("scripts/build-wasm: %v\n%s", err, b)
	}
	browser := chromiumTimes(t, node, chromium, playwright, wasmDir, reqs)
	var table strings.Builder
	fmt.Fprintf(&table, "%s, %d rounds of at least %d calls and 0.5 s after warm-up; fastest round of each side, and the median of the rounds' ratios\n", browser.UA, speedRounds, browser.Iterations)
	fmt.Fprintf(&table, "%-34s %9s %9s %6s %6s | %9s %9s %6s %6s\n", "wall time per call", "native", "Chromium", "ratio", "median", "CPU", "Chromium", "ratio", "median")
	for i, r := range reqs {
		got := browser.Rows[i]
		if got.Report != string(r.report) {
			t.Errorf("%s: Chromium's report differs from the native one\nchromium: %s\nnative:   %s", r.Label, got.Report, r.report)
		}
		table.WriteString(speedLine(t, r.Label, got.Native, got.EachMs, got.CPUMs))
	}
	for _, sig := range browser.Signatures {
		table.WriteString(speedLine(t, "one ECDSA "+sig.Curve+" check", sig.Native, sig.EachMs, sig.CPUMs))
	}
	fmt.Fprintf(&table, "signature checks: %s", browser.Stats)
	t.Logf("verification time, native (Go) and in Chromium (WebAssembly, WebCrypto):\n%s", table.String())
}

// speedLine is one row of the table: wall and CPU time, native and in Chromium.
func speedLine(t *testing.T, label string, native []nativeCost, eachMs, cpuMs []float64) string {
	t.Helper()
	if len(native) != speedRounds || len(eachMs) != speedRounds || len(cpuMs) != speedRounds {
		t.Fatalf("%s: %d native and %d Chromium rounds, want %d", label, len(native), len(eachMs), speedRounds)
	}
	wall := make([]float64, speedRounds)
	cpu := make([]float64, speedRounds)
	for k, n := range native {
		wall[k], cpu[k] = n.WallNs/1e6, n.CPUNs/1e6
	}
	return fmt.Sprintf("%-34s %s | %s\n", label, ratioColumns(wall, eachMs), ratioColumns(cpu, cpuMs))
}

// ratioColumns formats the fastest native and browser rounds, their ratio, and the
// median of the per-round ratios.
func ratioColumns(native, browser []float64) string {
	ratios := make([]float64, len(native))
	for k := range ratios {
		ratios[k] = browser[k] / native[k]
	}
	slices.Sort(ratios)
	n, b := slices.Min(native), slices.Min(browser)
	return fmt.Sprintf("%6.2f ms %6.2f ms %5.1fx %5.1fx", n, b, b/n, ratios[len(ratios)/2])
}

// speedRounds is how many native-then-Chromium pairs are timed per request.
const speedRounds = 3

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

// nativeCost is the native cost of one verifyJSON: wall time, and the process's
// CPU time (user and system, every thread: the garbage collector's too).
type nativeCost struct {
	WallNs float64 `json:"wall_ns"`
	CPUNs  float64 `json:"cpu_ns"`
}

// nativeTime is the native cost per verifyJSON of data (testing.Benchmark, about a
// second of it; the CPU time is that of its last, longest run).
func nativeTime(data string) (nativeCost, error) {
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		return nativeCost{}, err
	}
	return benchCost(func() error {
		_, err := verifyJSON(v, []byte(data))
		return err
	})
}

// nativeECDSATime is the native cost of one ECDSA check as the verifier makes it
// (appraise.GoSignatures: crypto/ecdsa), of 1000 bytes signed with SHA-256 for P-256
// and SHA-384 for P-384.
func nativeECDSATime(curve string) (nativeCost, error) {
	c, h := elliptic.P256(), crypto.SHA256
	switch curve {
	case "P-256":
	case "P-384":
		c, h = elliptic.P384(), crypto.SHA384
	default:
		return nativeCost{}, fmt.Errorf("curve %q: want P-256 or P-384", curve)
	}
	key, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		return nativeCost{}, err
	}
	msg := make([]byte, 1000)
	hf := h.New()
	hf.Write(msg)
	r, ss, err := ecdsa.Sign(rand.Reader, key, hf.Sum(nil))
	if err != nil {
		return nativeCost{}, err
	}
	size := (c.Params().BitSize + 7) / 8
	sig := make([]byte, 2*size) // r || s, the form the verifier checks
	r.FillBytes(sig[:size])
	ss.FillBytes(sig[size:])
	return benchCost(func() error {
		if !(appraise.GoSignatures{}).VerifyECDSA(&key.PublicKey, h, msg, sig) {
			return errors.New("signature does not verify")
		}
		return nil
	})
}

// benchCost runs op under testing.Benchmark (about a second) and returns its wall
// and CPU time per call; the CPU time is that of the last, longest run.
func benchCost(op func() error) (nativeCost, error) {
	var failed error
	var cpu time.Duration
	r := testing.Benchmark(func(b *testing.B) {
		c0 := processCPU()
		for b.Loop() {
			if err := op(); err != nil {
				failed = err
				b.FailNow()
			}
		}
		cpu = (processCPU() - c0) / time.Duration(b.N)
	})
	if failed != nil || r.N == 0 {
		return nativeCost{}, fmt.Errorf("native benchmark failed: %v", failed)
	}
	return nativeCost{WallNs: float64(r.NsPerOp()), CPUNs: float64(cpu)}, nil
}

// processCPU is the CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type chromiumRun struct {
	UA         string          `json:"ua"`
	Iterations int             `json:"iterations"`
	Stats      json.RawMessage `json:"stats"`
	Signatures []struct {
		Curve  string       `json:"curve"`
		EachMs []float64    `json:"each_ms"`
		CPUMs  []float64    `json:"cpu_ms"`
		Native []nativeCost `json:"native"`
	} `json:"signatures"`
	Rows []struct {
		FirstMs float64      `json:"first_ms"`
		EachMs  []float64    `json:"each_ms"` // wall time per call, per round
		CPUMs   []float64    `json:"cpu_ms"`  // Chromium's CPU time per call, per round
		Native  []nativeCost `json:"native"`  // per round, measured just before
		Report  string       `json:"report"`
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
	mux.HandleFunc("/native/{i}", func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(r.PathValue("i"))
		if err != nil || i < 0 || i >= len(reqs) {
			http.Error(w, "no such request", http.StatusNotFound)
			return
		}
		d, err := nativeTime(reqs[i].Request)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("content-type", "application/json")
		_ = json.NewEncoder(w).Encode(d)
	})
	mux.HandleFunc("/native-ecdsa/{curve}", func(w http.ResponseWriter, r *http.Request) {
		d, err := nativeECDSATime(r.PathValue("curve"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("content-type", "application/json")
		_ = json.NewEncoder(w).Encode(d)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("content-type", "text/html")
		fmt.Fprint(w, "<!doctype html><title>teeoracle speed</title>")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("test", "speed.browser.mjs"))
	cmd.Env = append(os.Environ(), "SPEED_URL="+srv.URL+"/", "SPEED_ROUNDS="+strconv.Itoa(speedRounds), "PLAYWRIGHT_CORE="+playwright, "CHROMIUM="+chromium)
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
