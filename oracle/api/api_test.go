package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// fakeBackend records what reaches it. Handler tests check that bad input never
// does, and that backend errors map to the documented status codes.
type fakeBackend struct {
	mu        sync.Mutex
	submitted []*SubmitRequest
	due       []DueMachine
	err       error // returned by every method when set
}

func (f *fakeBackend) Challenge(_ context.Context, m common.Hash, k common.Address) (*Challenge, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &Challenge{ChainID: 1, MachineID: m, TEEKey: k, AnchorBlockNumber: 7}, nil
}

func (f *fakeBackend) Submit(_ context.Context, r *SubmitRequest) (*SubmitResult, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.submitted = append(f.submitted, r)
	return &SubmitResult{ID: "abc", EvidenceHash: r.Evidence.Hash(), State: "received"}, nil
}

func (f *fakeBackend) Submission(_ context.Context, id string) (*SubmissionView, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &SubmissionView{ID: id, State: "received"}, nil
}

func (f *fakeBackend) Verdict(_ context.Context, h common.Hash) (*VerdictView, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &VerdictView{Hash: h, Verdict: json.RawMessage(`{}`)}, nil
}

func (f *fakeBackend) Signature(_ context.Context, h common.Hash) (*SignatureView, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &SignatureView{Signature: "0x00"}, nil
}

func (f *fakeBackend) EvidenceVerdicts(context.Context, common.Hash) ([]common.Hash, error) {
	return nil, f.err
}

func (f *fakeBackend) Archive(_ context.Context, kind string, h common.Hash) ([]byte, error) {
	if f.err != nil {
		return nil, f.err
	}
	return []byte(kind), nil
}

func (f *fakeBackend) Due(context.Context) ([]DueMachine, error) { return f.due, f.err }
func (f *fakeBackend) Ready(context.Context) error               { return f.err }

func newTestServer(t *testing.T, b Backend, mut func(*Config)) *Server {
	t.Helper()
	cfg := Config{Listen: "127.0.0.1:0", RateLimit: -1}
	if mut != nil {
		mut(&cfg)
	}
	s, err := New(cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func do(t *testing.T, s *Server, method, target, ctype string, body []byte) (int, errorBody, http.Header) {
	t.Helper()
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	var eb errorBody
	if rec.Code >= 400 {
		if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error == "" {
			t.Fatalf("%s %s: HTTP %d without a JSON error body: %q", method, target, rec.Code, rec.Body.String())
		}
	}
	return rec.Code, eb, rec.Header()
}

// snpReport is real SEV-SNP evidence from the repository's testdata.
func snpReport(t *testing.T) []byte {
	t.Helper()
	matches, _ := filepath.Glob("../../testdata/sev-snp/*/*")
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil || len(b) != 1184 {
			continue
		}
		if ev, err := evidence.Decode(m, b); err == nil && ev.TEE == evidence.TEESEVSNP {
			return b
		}
	}
	t.Fatal("no raw SEV-SNP report under testdata/")
	return nil
}

const (
	mID = "0x0101010101010101010101010101010101010101010101010101010101010101"
	key = "0x1111111111111111111111111111111111111111"
	// pop is a well-formed proof of possession; the API checks its shape, the
	// backend its signer.
	pop = "0x" + "22222222222222222222222222222222222222222222222222222222222222223333333333333333333333333333333333333333333333333333333333333333" + "01"
)

func TestEvidenceBadInput(t *testing.T) {
	raw := snpReport(t)
	ev, err := evidence.Decode("r", raw)
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := ev.MarshalBundle()
	if err != nil {
		t.Fatal(err)
	}
	q := func(extra string) string {
		return "/v1/evidence?machine_id=" + mID + "&tee_key=" + key + "&anchor_block=5&pop=" + pop + extra
	}
	tests := []struct {
		name, target, ctype string
		body                []byte
		code                int
		field               string
	}{
		{"missing machine id", "/v1/evidence?tee_key=" + key + "&anchor_block=5", "application/json", bundle, 400, "machine_id"},
		{"short machine id", "/v1/evidence?machine_id=0x01&tee_key=" + key + "&anchor_block=5", "application/json", bundle, 400, "machine_id"},
		{"machine id not hex", "/v1/evidence?machine_id=0x" + strings.Repeat("zz", 32) + "&tee_key=" + key + "&anchor_block=5", "application/json", bundle, 400, "machine_id"},
		{"missing key", "/v1/evidence?machine_id=" + mID + "&anchor_block=5", "application/json", bundle, 400, "tee_key"},
		{"key without 0x", "/v1/evidence?machine_id=" + mID + "&tee_key=" + key[2:] + "&anchor_block=5", "application/json", bundle, 400, "tee_key"},
		{"zero key", "/v1/evidence?machine_id=" + mID + "&tee_key=0x" + strings.Repeat("0", 40) + "&anchor_block=5", "application/json", bundle, 400, "tee_key"},
		{"missing anchor", "/v1/evidence?machine_id=" + mID + "&tee_key=" + key, "application/json", bundle, 400, "anchor_block"},
		{"zero anchor", "/v1/evidence?machine_id=" + mID + "&tee_key=" + key + "&anchor_block=0", "application/json", bundle, 400, "anchor_block"},
		{"negative anchor", "/v1/evidence?machine_id=" + mID + "&tee_key=" + key + "&anchor_block=-1", "application/json", bundle, 400, "anchor_block"},
		{"unknown parameter", q("&machine=1"), "application/json", bundle, 400, "machine"},
		{"repeated parameter", q("&anchor_block=6"), "application/json", bundle, 400, "anchor_block"},
		{"missing pop", "/v1/evidence?machine_id=" + mID + "&tee_key=" + key + "&anchor_block=5", "application/json", bundle, 400, "pop"},
		{"short pop", "/v1/evidence?machine_id=" + mID + "&tee_key=" + key + "&anchor_block=5&pop=" + pop[:130], "application/json", bundle, 400, "pop"},
		{"pop not hex", "/v1/evidence?machine_id=" + mID + "&tee_key=" + key + "&anchor_block=5&pop=0x" + strings.Repeat("zz", 65), "application/json", bundle, 400, "pop"},
		{"no content type", q(""), "", bundle, 400, "Content-Type"},
		{"wrong content type", q(""), "text/plain", bundle, 400, "Content-Type"},
		{"tee with a bundle", q("&tee=sev-snp"), "application/json", bundle, 400, "tee"},
		{"raw without tee", q(""), "application/octet-stream", raw, 400, "tee"},
		{"raw with unknown tee", q("&tee=sgx"), "application/octet-stream", raw, 400, "tee"},
		{"raw with the other tee", q("&tee=tdx"), "application/octet-stream", raw, 400, "tee"},
		{"empty body", q(""), "application/json", nil, 400, "body"},
		{"invalid json", q(""), "application/json", []byte(`{"tee":`), 400, "body"},
		{"json not a bundle", q(""), "application/json", []byte(`{"tee":"sev-snp"}`), 400, "body"},
		{"bundle with unknown field", q(""), "application/json", bytes.Replace(bundle, []byte(`{"tee"`), []byte(`{"x":1,"tee"`), 1), 400, "body"},
		{"raw garbage", q("&tee=sev-snp"), "application/octet-stream", []byte("not evidence"), 400, "body"},
		{"truncated report", q("&tee=sev-snp"), "application/octet-stream", raw[:1000], 400, "body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fb := &fakeBackend{}
			s := newTestServer(t, fb, nil)
			code, eb, _ := do(t, s, "POST", tc.target, tc.ctype, tc.body)
			if code != tc.code || eb.Field != tc.field {
				t.Fatalf("HTTP %d field %q (%s), want %d field %q", code, eb.Field, eb.Error, tc.code, tc.field)
			}
			if len(fb.submitted) != 0 {
				t.Fatal("bad input reached the backend")
			}
		})
	}
}

func TestEvidenceDecodesSpecificErrors(t *testing.T) {
	// The error kinds of the decoder survive into the API's FieldError.
	fb := &fakeBackend{}
	s := newTestServer(t, fb, nil)
	req := httptest.NewRequest("POST", "/v1/evidence?machine_id="+mID+"&tee_key="+key+"&anchor_block=5&pop="+pop+"&tee=sev-snp", strings.NewReader("x"))
	req.Header.Set("Content-Type", "application/octet-stream")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != 400 {
		t.Fatalf("HTTP %d", rec.Code)
	}
	// Direct check of the mapping from decode errors.
	_, err := evidence.Decode("body", []byte("x"))
	fe := &FieldError{Field: "body", Err: err}
	if !errors.Is(fe, evidence.ErrUnknownFormat) {
		t.Fatalf("FieldError does not unwrap to the decoder's sentinel: %v", fe)
	}
}

func TestEvidenceAccepted(t *testing.T) {
	raw := snpReport(t)
	fb := &fakeBackend{}
	s := newTestServer(t, fb, nil)
	code, eb, h := do(t, s, "POST", "/v1/evidence?machine_id="+mID+"&tee_key="+key+"&anchor_block=5&pop="+pop+"&tee=sev-snp", "application/octet-stream", raw)
	if code != http.StatusAccepted {
		t.Fatalf("HTTP %d: %s", code, eb.Error)
	}
	if h.Get("Location") != "/v1/submissions/abc" {
		t.Fatalf("Location %q", h.Get("Location"))
	}
	if len(fb.submitted) != 1 || fb.submitted[0].AnchorBlock != 5 || fb.submitted[0].TEEKey != common.HexToAddress(key) {
		t.Fatalf("backend got %+v", fb.submitted)
	}
	// The archive form is the bundle; it decodes to the same evidence hash.
	ev, err := evidence.Decode("bundle", fb.submitted[0].Bundle)
	if err != nil || ev.Hash() != fb.submitted[0].Evidence.Hash() {
		t.Fatalf("bundle does not round-trip: %v", err)
	}
}

func TestBodyTooLarge(t *testing.T) {
	fb := &fakeBackend{}
	s := newTestServer(t, fb, func(c *Config) { c.MaxBodyBytes = 100 })
	code, eb, _ := do(t, s, "POST", "/v1/evidence?machine_id="+mID+"&tee_key="+key+"&anchor_block=5&pop="+pop+"&tee=sev-snp", "application/octet-stream", make([]byte, 101))
	if code != http.StatusRequestEntityTooLarge || eb.Field != "body" {
		t.Fatalf("HTTP %d field %q", code, eb.Field)
	}
}

func TestPathAndQueryBadInput(t *testing.T) {
	h := "0x" + strings.Repeat("ab", 32)
	tests := []struct {
		name, target string
		code         int
		field        string
	}{
		{"challenge without machine", "/v1/challenge?tee_key=" + key, 400, "machine_id"},
		{"challenge without key", "/v1/challenge?machine_id=" + mID, 400, "tee_key"},
		{"challenge bad key", "/v1/challenge?machine_id=" + mID + "&tee_key=0x12", 400, "tee_key"},
		{"challenge unknown param", "/v1/challenge?machine_id=" + mID + "&tee_key=" + key + "&x=1", 400, "x"},
		{"verdict short hash", "/v1/verdicts/0x1234", 400, "hash"},
		{"verdict no 0x", "/v1/verdicts/" + strings.Repeat("ab", 32), 400, "hash"},
		{"signature bad hash", "/v1/verdicts/nothex/signature", 400, "hash"},
		{"archive unknown kind", "/v1/archive/keys/" + h, 400, "kind"},
		{"archive bad hash", "/v1/archive/evidence/0x00", 400, "hash"},
		{"evidence verdicts bad hash", "/v1/evidence/xyz/verdicts", 400, "hash"},
		{"submission id too long", "/v1/submissions/" + strings.Repeat("a", 129), 400, "id"},
		{"due with params", "/v1/machines/due?all=1", 400, "all"},
		{"unknown route", "/v2/anything", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, &fakeBackend{}, nil)
			code, eb, _ := do(t, s, "GET", tc.target, "", nil)
			if code != tc.code || eb.Field != tc.field {
				t.Fatalf("HTTP %d field %q (%s), want %d %q", code, eb.Field, eb.Error, tc.code, tc.field)
			}
		})
	}
	t.Run("wrong method", func(t *testing.T) {
		s := newTestServer(t, &fakeBackend{}, nil)
		if code, _, _ := do(t, s, "DELETE", "/v1/verdicts/"+h, "", nil); code != http.StatusMethodNotAllowed {
			t.Fatalf("HTTP %d, want 405", code)
		}
	})
}

func TestBackendErrorsMapToStatus(t *testing.T) {
	h := "0x" + strings.Repeat("ab", 32)
	tests := []struct {
		err  error
		code int
		sub  string // the answer's "submission"
	}{
		{fmt.Errorf("x: %w", ErrNotFound), 404, ""},
		{fmt.Errorf("x: %w", ErrConflict), 409, ""},
		{&SubmissionConflict{Submission: "s1", Err: fmt.Errorf("x: %w", ErrConflict)}, 409, "s1"},
		{fmt.Errorf("x: %w", ErrUnavailable), 503, ""},
		{&FieldError{Field: "anchor_block", Unprocessable: true, Err: errors.New("stale")}, 422, ""},
		{errors.New("disk on fire"), 500, ""},
	}
	for _, tc := range tests {
		s := newTestServer(t, &fakeBackend{err: tc.err}, nil)
		code, eb, _ := do(t, s, "GET", "/v1/verdicts/"+h, "", nil)
		if code != tc.code || eb.Submission != tc.sub {
			t.Errorf("%v: HTTP %d submission %q, want %d %q", tc.err, code, eb.Submission, tc.code, tc.sub)
		}
		if tc.code == 500 && strings.Contains(eb.Error, "disk") {
			t.Errorf("internal error text leaked: %q", eb.Error)
		}
	}
	s := newTestServer(t, &fakeBackend{err: errors.New("rpc down")}, nil)
	if code, _, _ := do(t, s, "GET", "/readyz", "", nil); code != 503 {
		t.Errorf("readyz with a failing backend: HTTP %d", code)
	}
	if code, _, _ := do(t, s, "GET", "/healthz", "", nil); code != 200 {
		t.Errorf("healthz: HTTP %d", code)
	}
}

func TestRateLimitPerClient(t *testing.T) {
	now := time.Unix(1000, 0)
	s := newTestServer(t, &fakeBackend{}, func(c *Config) {
		c.RateLimit, c.RateBurst = 1, 2
		c.Now = func() time.Time { return now }
	})
	get := func(addr string) int {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.RemoteAddr = addr
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	for i := range 2 {
		if c := get("10.0.0.1:5"); c != 200 {
			t.Fatalf("request %d within burst: HTTP %d", i, c)
		}
	}
	if c := get("10.0.0.1:6"); c != http.StatusTooManyRequests {
		t.Fatalf("over the burst: HTTP %d, want 429", c)
	}
	if c := get("10.0.0.2:5"); c != http.StatusTooManyRequests {
		t.Fatalf("a client of the same /24: HTTP %d, want 429 (one budget per /24)", c)
	}
	if c := get("10.0.1.2:5"); c != 200 {
		t.Fatalf("another client limited by the first: HTTP %d", c)
	}
	now = now.Add(time.Second)
	if c := get("10.0.0.1:7"); c != 200 {
		t.Fatalf("after refill: HTTP %d", c)
	}
}

func TestConfigCheck(t *testing.T) {
	for _, c := range []Config{{}, {Listen: "nohostport"}, {Listen: ":0", ReadTimeout: -1}, {Listen: ":0", RateBurst: -1}} {
		if err := c.Check(); !errors.Is(err, ErrConfig) {
			t.Errorf("Check(%+v) = %v, want ErrConfig", c, err)
		}
	}
}

func TestServerLifecycle(t *testing.T) {
	s := newTestServer(t, &fakeBackend{}, nil)
	if err := s.Stop(context.Background()); err != nil {
		t.Fatalf("Stop before Start: %v", err)
	}
	s = newTestServer(t, &fakeBackend{}, nil)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + s.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if !s.Stopped() {
		t.Fatal("Stopped false after Stop")
	}
	if _, err := http.Get("http://" + s.Addr() + "/healthz"); err == nil {
		t.Fatal("server still answers after Stop")
	}
}

// TestUnavailableHidesChainErrors: a 503 for a chain that cannot answer says so
// with Retry-After and nothing of the error (the RPC endpoint's host and address a
// dial error names), on every route that reads the chain; the detail goes to the
// node's log.
func TestUnavailableHidesChainErrors(t *testing.T) {
	const host, ip = "rpc.internal.example", "10.1.2.3"
	err := fmt.Errorf("%w: Post \"https://%s:8545\": dial tcp %s:8545: connect: connection refused", ErrUnavailable, host, ip)
	var logged strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logged}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := newTestServer(t, &fakeBackend{err: err}, func(c *Config) { c.Logger = logger })
	h := "0x" + strings.Repeat("ab", 32)
	for _, target := range []string{"/v1/challenge?machine_id=" + mID + "&tee_key=" + key, "/v1/verdicts/" + h, "/v1/machines/due"} {
		req := httptest.NewRequest("GET", target, nil)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != http.StatusServiceUnavailable || strings.Contains(body, host) || strings.Contains(body, ip) || strings.Contains(body, "dial") {
			t.Errorf("GET %s: HTTP %d %q; want 503 without the chain error", target, rec.Code, body)
		}
		if rec.Header().Get("Retry-After") == "" {
			t.Errorf("GET %s: no Retry-After", target)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logged.String(), ip) {
		t.Errorf("the chain error is not in the log: %q", logged.String())
	}
}

// TestUnavailableSaysOwnConditions: a 503 whose cause is a condition of the node's
// own (a PublicError: the registry scan still catching up) says what it is, naming
// the block, and is no warning in the log; a chain error beside it still gets the
// fixed text and the warning.
func TestUnavailableSaysOwnConditions(t *testing.T) {
	const behind = "registry event scan behind the chain head: scanned to block 80000 of 1000004"
	const ip = "10.1.2.3"
	for _, tc := range []struct {
		name     string
		err      error
		body     string
		warnings int
	}{
		{"own condition", &PublicError{Err: fmt.Errorf("%w: %s", ErrUnavailable, behind)}, "temporarily unavailable: " + behind, 0},
		{"chain error", fmt.Errorf("%w: dial tcp %s:8545: connect: connection refused", ErrUnavailable, ip), msgUnavailable, 1},
		// A PublicError without ErrUnavailable is no 503 of its own: the node's error.
		{"public, not unavailable", &PublicError{Err: errors.New("disk " + ip)}, "internal error", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &levelLog{}
			s := newTestServer(t, &fakeBackend{err: tc.err}, func(c *Config) { c.Logger = slog.New(logs) })
			req := httptest.NewRequest("GET", "/v1/machines/due", nil)
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			var eb errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil {
				t.Fatalf("answer %q: %v", rec.Body.String(), err)
			}
			wantCode := http.StatusServiceUnavailable
			if tc.body == "internal error" {
				wantCode = http.StatusInternalServerError
			}
			if rec.Code != wantCode || eb.Error != tc.body {
				t.Fatalf("HTTP %d %q; want %d %q", rec.Code, eb.Error, wantCode, tc.body)
			}
			if wantCode == http.StatusServiceUnavailable && rec.Header().Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
			if n := logs.count(slog.LevelWarn); n != tc.warnings {
				t.Errorf("%d warnings logged, want %d", n, tc.warnings)
			}
		})
	}
}

// levelLog counts log records by level.
type levelLog struct {
	mu     sync.Mutex
	levels map[slog.Level]int
}

func (h *levelLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *levelLog) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.levels == nil {
		h.levels = map[slog.Level]int{}
	}
	h.levels[r.Level]++
	return nil
}
func (h *levelLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *levelLog) WithGroup(string) slog.Handler      { return h }

func (h *levelLog) count(l slog.Level) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.levels[l]
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// TestReadyzSaysOnlyPublicReasons: /readyz answers a backend's PublicError with its
// reasons, and any other error, which may quote the chain client's (its host, its
// address, the key in its URL), with a fixed text, logging it as a warning.
func TestReadyzSaysOnlyPublicReasons(t *testing.T) {
	const secret = `Post "http://user:s3cretpass@10.1.2.3:8545/key123456789": dial tcp 10.1.2.3:8545: connect: connection refused`
	const lag = "chain head lagging: head block 9 is 1h0m0s old, more than 2m0s"
	for _, tc := range []struct {
		name     string
		err      error
		body     string
		warnings int
	}{
		{"public reasons", &PublicError{Err: errors.Join(errors.New(lag), errors.New("chain unreachable: chain endpoint unavailable (head)"))},
			"not ready: " + lag + "\nchain unreachable: chain endpoint unavailable (head)", 0},
		{"chain error", fmt.Errorf("chain unreachable: %s", secret), msgNotReady, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &levelLog{}
			s := newTestServer(t, &fakeBackend{err: tc.err}, func(c *Config) { c.Logger = slog.New(logs) })
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			var eb errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil {
				t.Fatalf("answer %q: %v", rec.Body.String(), err)
			}
			if rec.Code != http.StatusServiceUnavailable || eb.Error != tc.body {
				t.Fatalf("HTTP %d %q; want 503 %q", rec.Code, eb.Error, tc.body)
			}
			for _, part := range []string{"s3cretpass", "10.1.2.3", "8545", "key123456789", "user:"} {
				if strings.Contains(rec.Body.String(), part) {
					t.Errorf("the answer quotes %q: %s", part, rec.Body.String())
				}
			}
			if n := logs.count(slog.LevelWarn); n != tc.warnings {
				t.Errorf("%d warnings logged, want %d", n, tc.warnings)
			}
		})
	}
}
