package api

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// The tests in this file attack a started server on loopback as a client would.
// Linux routes all of 127.0.0.0/8 to loopback, so a client can pick its source
// address, and with it its /24 (ClientKey), with a dialer's LocalAddr.

// startServer starts a server on loopback and stops it when the test ends.
func startServer(t *testing.T, b Backend, mut func(*Config)) *Server {
	t.Helper()
	s := newTestServer(t, b, mut)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Stop(ctx)
	})
	return s
}

// clientFrom returns an HTTP client whose connections come from source address src.
func clientFrom(src string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

// dialFrom opens a raw connection to the server from source address src.
func dialFrom(t *testing.T, s *Server, src string) net.Conn {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// bigBundle is a valid evidence bundle of about size bytes (at most about 45 KB:
// two collateral items of at most evidence.MaxBundleCollateralItem), unique by
// seed: real SEV-SNP evidence with its CRLs as collateral.
func bigBundle(t *testing.T, size, seed int) []byte {
	t.Helper()
	ev, err := evidence.Decode("r", snpReport(t))
	if err != nil {
		t.Fatal(err)
	}
	n := size * 3 / 4
	a := bytes.Repeat([]byte{byte(seed)}, max(8, min(n, evidence.MaxBundleCollateralItem)))
	binary.BigEndian.PutUint64(a, uint64(seed))
	ev.Collateral = map[string][]byte{"vcek_crl": a}
	if n > len(a) {
		ev.Collateral["vlek_crl"] = make([]byte, min(n-len(a), evidence.MaxBundleCollateralItem))
	}
	b, err := ev.MarshalBundle()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const evidencePath = "/v1/evidence?machine_id=" + mID + "&tee_key=" + key + "&anchor_block=5&pop=" + pop

// blockingBackend holds every Submit until release is closed, telling entered
// about each.
type blockingBackend struct {
	fakeBackend
	entered chan struct{}
	release chan struct{}
	calls   atomic.Int32
}

func (b *blockingBackend) Submit(ctx context.Context, r *SubmitRequest) (*SubmitResult, error) {
	b.calls.Add(1)
	b.entered <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &SubmitResult{ID: "abc", EvidenceHash: r.Evidence.Hash(), State: "received"}, nil
}

type answer struct {
	code   int
	header http.Header
	close  bool // the server closes the connection
	err    error
}

func post(c *http.Client, base string, body []byte) answer {
	resp, err := c.Post(base+evidencePath, "application/json", bytes.NewReader(body))
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return answer{code: resp.StatusCode, header: resp.Header, close: resp.Close}
}

// TestEvidenceInFlightBounded: concurrent uploads are admitted up to the bounds
// (per client, in all, in bytes); the excess is refused at once with Retry-After
// and a closed connection, while the admitted ones are still being processed, and
// the node keeps answering health checks. The bodies (28 KiB) are small enough for
// the node to drain, so each client reads its answer.
func TestEvidenceInFlightBounded(t *testing.T) {
	tests := []struct {
		name    string
		cfg     func(*Config)
		clients []string // one upload from each source address
		admit   int
		refused int // status of the refused ones
	}{
		{"per client", nil, repeat("127.0.0.1", 12), 4, http.StatusTooManyRequests},
		{"in all", func(c *Config) { c.MaxEvidenceInFlight = 3 }, spread(10), 3, http.StatusServiceUnavailable},
		{"bytes", func(c *Config) { c.MaxBodyBytes, c.MaxEvidenceBytes = 64<<10, 64<<10 }, spread(10), 2, http.StatusServiceUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &blockingBackend{entered: make(chan struct{}, len(tc.clients)), release: make(chan struct{})}
			s := startServer(t, b, tc.cfg)
			base := "http://" + s.Addr()
			answers := make(chan answer, len(tc.clients))
			var wg sync.WaitGroup
			for i, src := range tc.clients {
				body := bigBundle(t, 28<<10, i)
				wg.Add(1)
				go func() {
					defer wg.Done()
					answers <- post(clientFrom(src), base, body)
				}()
			}
			// The refusals come while the admitted submissions are still held.
			timeout := time.After(20 * time.Second)
			for range len(tc.clients) - tc.admit {
				select {
				case a := <-answers:
					if a.err != nil || a.code != tc.refused || a.header.Get("Retry-After") == "" || !a.close {
						t.Fatalf("refused upload: %v HTTP %d, Retry-After %q, close %v; want %d with Retry-After and Connection: close",
							a.err, a.code, a.header.Get("Retry-After"), a.close, tc.refused)
					}
				case <-timeout:
					t.Fatalf("uploads not refused at once; backend holds %d", b.calls.Load())
				}
			}
			for range tc.admit {
				<-b.entered
			}
			resp, err := clientFrom("127.0.9.2").Get(base + "/healthz")
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("healthz while uploads are held: %v", err)
			}
			resp.Body.Close()
			close(b.release)
			wg.Wait()
			close(answers)
			for a := range answers {
				if a.err != nil || a.code != http.StatusAccepted {
					t.Fatalf("admitted upload: %v HTTP %d, want 202", a.err, a.code)
				}
			}
			if n := b.calls.Load(); n != int32(tc.admit) {
				t.Fatalf("backend saw %d submissions, want %d", n, tc.admit)
			}
			if n, bytes := s.admit.inFlight(); n != 0 || bytes != 0 {
				t.Fatalf("after the uploads: %d submissions, %d bytes still counted in flight", n, bytes)
			}
		})
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// spread returns n loopback addresses in n different /24s.
func spread(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("127.0.%d.1", i+10)
	}
	return out
}

// TestEvidenceClientGone: a client that leaves while its submission is processed
// cancels the submission's context, and a client that leaves mid-body never
// reaches the backend and counts as its own error (400), not the node's (500).
func TestEvidenceClientGone(t *testing.T) {
	b := &blockingBackend{entered: make(chan struct{}, 1), release: make(chan struct{})}
	reg := prometheus.NewRegistry()
	s := startServer(t, b, func(c *Config) { c.Registerer = reg })
	body := bigBundle(t, 4096, 1)

	c := dialFrom(t, s, "127.0.0.1")
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", evidencePath, len(body), body)
	select {
	case <-b.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the submission never reached the backend")
	}
	c.Close()
	waitCounter(t, reg, "evidence", "400", 1)

	c = dialFrom(t, s, "127.0.0.1")
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", evidencePath, len(body), body[:100])
	c.Close()
	waitCounter(t, reg, "evidence", "400", 2)
	if n := b.calls.Load(); n != 1 {
		t.Fatalf("backend saw %d submissions, want 1", n)
	}
	if n := counter(t, reg, "evidence", "500"); n != 0 {
		t.Fatalf("%v requests counted as 500", n)
	}
}

// counter returns teeoracle_api_requests_total{route, code}.
func counter(t *testing.T, reg *prometheus.Registry, route, code string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "teeoracle_api_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label(m, "route") == route && label(m, "code") == code {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// waitCounter waits until the request counter reaches want.
func waitCounter(t *testing.T, reg *prometheus.Registry, route, code string, want float64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for counter(t, reg, route, code) < want {
		if time.Now().After(deadline) {
			t.Fatalf("requests_total{route=%q,code=%q} = %v, want %v", route, code, counter(t, reg, route, code), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// errorLog counts log records at error level.
type errorLog struct {
	slog.Handler
	errors atomic.Int32
}

func (h *errorLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *errorLog) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		h.errors.Add(1)
	}
	return nil
}
func (h *errorLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *errorLog) WithGroup(string) slog.Handler      { return h }

// TestSlowBody: a body that does not arrive within the read timeout is 408, not
// 500, and is no error in the node's log.
func TestSlowBody(t *testing.T) {
	logs := &errorLog{}
	s := startServer(t, &fakeBackend{}, func(c *Config) {
		c.ReadTimeout = 300 * time.Millisecond
		c.Logger = slog.New(logs)
	})
	c := dialFrom(t, s, "127.0.0.1")
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"tee\"", evidencePath)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("slow body: HTTP %d, want 408", resp.StatusCode)
	}
	if n := logs.errors.Load(); n != 0 {
		t.Fatalf("%d error log records for a slow client", n)
	}
}

// TestEvidenceSizeLimits: the documented limit (evidence.MaxBundleSize, 128 KiB)
// is the real one for the body and for the bundle form the node archives, and
// both are 413.
func TestEvidenceSizeLimits(t *testing.T) {
	fb := &fakeBackend{}
	s := startServer(t, fb, nil)
	base := "http://" + s.Addr()
	c := clientFrom("127.0.0.1")
	send := func(ctype, query string, body []byte) (int, errorBody) {
		resp, err := c.Post(base+evidencePath+query, ctype, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var eb errorBody
		_ = json.NewDecoder(resp.Body).Decode(&eb)
		return resp.StatusCode, eb
	}
	t.Run("body over the limit", func(t *testing.T) {
		body := make([]byte, DefaultMaxBody+1)
		if code, eb := send("application/octet-stream", "&tee=sev-snp", body); code != http.StatusRequestEntityTooLarge || eb.Field != "body" {
			t.Fatalf("%d-byte body: HTTP %d field %q (%s), want 413 body", len(body), code, eb.Field, eb.Error)
		}
	})
	t.Run("bundle under the limit", func(t *testing.T) {
		body := bigBundle(t, 45<<10, 2)
		if code, eb := send("application/json", "", body); code != http.StatusAccepted {
			t.Fatalf("%d-byte body: HTTP %d (%s), want 202", len(body), code, eb.Error)
		}
	})
	t.Run("bundle form over the limit", func(t *testing.T) {
		raw := extendedReportWithCerts(t, 120_000)
		if len(raw) > DefaultMaxBody {
			t.Fatalf("test input %d bytes, over the limit", len(raw))
		}
		code, eb := send("application/octet-stream", "&tee=sev-snp", raw)
		if code != http.StatusRequestEntityTooLarge || eb.Field != "body" {
			t.Fatalf("%d-byte extended report: HTTP %d field %q (%s), want 413 body", len(raw), code, eb.Field, eb.Error)
		}
	})
	if len(fb.submitted) != 1 {
		t.Fatalf("backend saw %d submissions, want 1", len(fb.submitted))
	}
}

// extendedReportWithCerts is an SEV-SNP extended report whose certificate table
// holds distinct certificates (under unassigned GUIDs) of about certBytes in all:
// the raw form is under the body limit, its bundle form (base64) over it.
func extendedReportWithCerts(t *testing.T, certBytes int) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	const pad = 24 << 10
	var certs [][]byte
	for total := 0; total < certBytes; {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(len(certs) + 1)), Subject: pkix.Name{CommonName: "filler"},
			NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0),
			ExtraExtensions: []pkix.Extension{{Id: []int{1, 3, 6, 1, 4, 1, 99999, 1}, Value: make([]byte, pad)}}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, der)
		total += len(der)
	}
	// The table: {GUID, offset, length} entries, an all-zero terminator, then data.
	head := (len(certs) + 1) * 24
	var table, data []byte
	for _, der := range certs {
		g := uuid.New()
		table = append(table, g[:]...)
		table = binary.LittleEndian.AppendUint32(table, uint32(head+len(data)))
		table = binary.LittleEndian.AppendUint32(table, uint32(len(der)))
		data = append(data, der...)
	}
	table = append(table, make([]byte, 24)...)
	return append(append(snpReport(t), table...), data...)
}

// TestConnectionsBounded: connections past the per-client and total bounds are
// closed at once, other clients are still served, and idle connections do not
// linger.
func TestConnectionsBounded(t *testing.T) {
	s := startServer(t, &fakeBackend{}, func(c *Config) {
		c.MaxConnsPerClient, c.MaxConns = 3, 6
		c.IdleTimeout = 200 * time.Millisecond
	})
	closed := func(c net.Conn) bool {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := c.Read(make([]byte, 1))
		return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
	}
	healthy := func(src string) {
		t.Helper()
		resp, err := clientFrom(src).Get("http://" + s.Addr() + "/healthz")
		if err != nil {
			t.Fatalf("healthz from %s: %v", src, err)
		}
		resp.Body.Close()
	}
	// Three open connections from one /24 (held by the server: they sent nothing).
	var held []net.Conn
	for i := range 3 {
		held = append(held, dialFrom(t, s, fmt.Sprintf("127.0.0.%d", i+1)))
	}
	waitConns(t, s, 3)
	if c := dialFrom(t, s, "127.0.0.9"); !closed(c) {
		t.Fatal("a fourth connection from the same /24 was kept")
	}
	healthy("127.0.1.1")
	for i := range 3 {
		held = append(held, dialFrom(t, s, fmt.Sprintf("127.0.%d.1", i+2)))
	}
	waitConns(t, s, 6)
	if c := dialFrom(t, s, "127.0.7.1"); !closed(c) {
		t.Fatal("a connection past the total was kept")
	}
	// Idle keep-alive connections are closed after IdleTimeout, freeing room.
	for _, c := range held {
		c.Close()
	}
	waitConns(t, s, 0)
	c := dialFrom(t, s, "127.0.8.1")
	fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := br.ReadByte(); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("idle keep-alive connection not closed by the server: %v", err)
	}
}

// waitConns waits until the server holds n connections.
func waitConns(t *testing.T, s *Server, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.ln.(*connLimiter).count() != n {
		if time.Now().After(deadline) {
			t.Fatalf("server holds %d connections, want %d", s.ln.(*connLimiter).count(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRateLimitedConnectionClosed: a 429 closes its connection.
func TestRateLimitedConnectionClosed(t *testing.T) {
	s := startServer(t, &fakeBackend{}, func(c *Config) { c.RateLimit, c.RateBurst = 1, 1 })
	c := dialFrom(t, s, "127.0.0.1")
	br := bufio.NewReader(c)
	for i, want := range []int{200, 429} {
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("request %d: HTTP %d, want %d", i, resp.StatusCode, want)
		}
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := br.ReadByte(); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("connection kept open after a 429: %v", err)
	}
}

// TestRateLimiterNoLockout: one request from each of more source addresses than
// the limiter's table holds does not lock out a client that comes next.
func TestRateLimiterNoLockout(t *testing.T) {
	now := time.Unix(1000, 0)
	s := newTestServer(t, &fakeBackend{}, func(c *Config) {
		c.RateLimit = 0 // the default
		c.Now = func() time.Time { return now }
	})
	get := healthzFrom(s)
	for i := range 101_000 {
		get(fmt.Sprintf("%d.%d.%d.1:1", 10+i>>16, i>>8&0xff, i&0xff))
	}
	if n := s.limiter.len(); n > 1<<16 {
		t.Fatalf("limiter table holds %d clients", n)
	}
	for i := range 10 {
		if code := get("192.0.2.1:1"); code != 200 {
			t.Fatalf("new client's request %d after the flood: HTTP %d", i, code)
		}
	}
}

// healthzFrom returns a function that sends GET /healthz to s's handler as if from
// addr, and returns the status code.
func healthzFrom(s *Server) func(addr string) int {
	return func(addr string) int {
		req, _ := http.NewRequest("GET", "/healthz", nil)
		req.RemoteAddr = addr
		rec := &recorder{header: http.Header{}}
		s.Handler().ServeHTTP(rec, req)
		return rec.code
	}
}

// recorder is a minimal ResponseWriter (httptest's keeps every body).
type recorder struct {
	header http.Header
	code   int
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(c int) {
	if r.code == 0 {
		r.code = c
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(200)
	return len(b), nil
}

// TestTrustedProxyRightmost: behind a trusted proxy the client is the right-most
// X-Forwarded-For entry the proxies appended; what a client writes to its left
// does not give it a fresh rate-limit bucket.
func TestTrustedProxyRightmost(t *testing.T) {
	s := startServer(t, &fakeBackend{}, func(c *Config) {
		c.RateLimit, c.RateBurst = 1, 2
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.9.9.0/24")}
	})
	get := func(src, xff string) int {
		req, _ := http.NewRequest("GET", "http://"+s.Addr()+"/healthz", nil)
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		resp, err := clientFrom(src).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i, want := range []int{200, 200, 429} {
		// The attacker at 198.51.100.7 makes up a new first entry each time; the
		// proxies (127.0.0.1 and 10.9.9.1) appended the real one.
		if code := get("127.0.0.1", fmt.Sprintf("203.0.113.%d, 198.51.100.7, 10.9.9.1", i)); code != want {
			t.Fatalf("request %d via the proxy: HTTP %d, want %d", i, code, want)
		}
	}
	if code := get("127.0.0.1", "198.51.200.7"); code != 200 {
		t.Fatalf("another client via the proxy: HTTP %d", code)
	}
	// From an untrusted peer the header is ignored: the peer is the client.
	for i, want := range []int{200, 200, 429} {
		if code := get("127.0.5.1", fmt.Sprintf("203.0.113.%d", i)); code != want {
			t.Fatalf("request %d from an untrusted peer: HTTP %d, want %d", i, code, want)
		}
	}
}

// TestEvidenceByteRate: a client sending large bodies within the request rate is
// held to its byte rate (429 with the time to wait) before its bodies are
// decoded; other clients are not.
func TestEvidenceByteRate(t *testing.T) {
	now := time.Unix(1000, 0)
	var mu sync.Mutex
	fb := &fakeBackend{}
	s := startServer(t, fb, func(c *Config) {
		c.RateLimit = 0 // the defaults: 20/s, burst 40
		c.EvidenceByteRate, c.MaxBodyBytes = 16<<10, 64<<10
		c.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	base := "http://" + s.Addr()
	big := bigBundle(t, 45<<10, 1)
	big2 := bigBundle(t, 45<<10, 2)
	flood := clientFrom("127.0.0.1")
	if a := post(flood, base, big); a.err != nil || a.code != http.StatusAccepted {
		t.Fatalf("first large body: %v HTTP %d, want 202", a.err, a.code)
	}
	a := post(flood, base, big2)
	if wait, _ := strconv.Atoi(a.header.Get("Retry-After")); a.err != nil || a.code != http.StatusTooManyRequests || wait < 2 {
		t.Fatalf("second large body at once: %v HTTP %d Retry-After %q, want 429 with Retry-After of 2 s or more",
			a.err, a.code, a.header.Get("Retry-After"))
	}
	small := bigBundle(t, 1024, 3)
	if a := post(clientFrom("127.0.1.1"), base, small); a.err != nil || a.code != http.StatusAccepted {
		t.Fatalf("another client's small body: %v HTTP %d, want 202", a.err, a.code)
	}
	mu.Lock()
	now = now.Add(3 * time.Second)
	mu.Unlock()
	if a := post(flood, base, big2); a.err != nil || a.code != http.StatusAccepted {
		t.Fatalf("large body after the wait: %v HTTP %d, want 202", a.err, a.code)
	}
	if len(fb.submitted) != 3 {
		t.Fatalf("backend saw %d submissions, want 3", len(fb.submitted))
	}
}

// TestRateLimiterIPv6SiteChurn: a client holding a /48 cannot take a fresh bucket
// for each of its /64s: past eight clients' burst the /48 is refused as a whole,
// while a /64 of another /48 still gets its own full burst.
func TestRateLimiterIPv6SiteChurn(t *testing.T) {
	now := time.Unix(1000, 0)
	s := newTestServer(t, &fakeBackend{}, func(c *Config) {
		c.RateLimit, c.RateBurst = 1, 5
		c.Now = func() time.Time { return now }
	})
	get := healthzFrom(s)
	ok := 0
	for i := range 1000 { // 1000 distinct /64s of 2001:db8:1::/48, one request each
		if get(fmt.Sprintf("[2001:db8:1:%x::1]:1", i)) == 200 {
			ok++
		}
	}
	if ok != 8*5 {
		t.Fatalf("a /48 spread over 1000 /64s got %d requests through at once, want the /48's burst of %d", ok, 8*5)
	}
	for i := range 5 {
		if code := get("[2001:db8:2::1]:1"); code != 200 {
			t.Fatalf("request %d of a client in another /48: HTTP %d", i, code)
		}
	}
	if code := get("[2001:db8:2::1]:1"); code != 429 {
		t.Fatalf("request past its own burst: HTTP %d, want 429", code)
	}
	// The /32 bounds a provider-sized allocation the same way: 64 clients' worth.
	ok = 0
	for i := range 200 { // 200 /48s of 2001:db9::/32, 8 /64s each
		for j := range 8 {
			if get(fmt.Sprintf("[2001:db9:%x:%x::1]:1", i, j)) == 200 {
				ok++
			}
		}
	}
	if ok != 64*5 {
		t.Fatalf("a /32 spread over 1600 /64s got %d requests through, want the /32's burst of %d", ok, 64*5)
	}
}

// TestSilentBodiesHoldNoPlace: connections that send an evidence request's
// headers and never its body hold no place among the node's submissions in
// flight. With 128 of them from 32 /24s (4 each: every one of those clients at its
// own bound), a client of another /24 is accepted while they are still held, and
// each silent one is answered 408 when the body deadline passes, leaving nothing
// counted.
func TestSilentBodiesHoldNoPlace(t *testing.T) {
	s := startServer(t, &fakeBackend{}, func(c *Config) { c.BodyTimeout = 3 * time.Second })
	var silent []net.Conn
	for i := range 32 {
		for range 4 {
			c := dialFrom(t, s, fmt.Sprintf("127.1.%d.1", i))
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1\r\n\r\n", evidencePath)
			silent = append(silent, c)
		}
	}
	waitClients(t, s.admit, 128)
	if a := post(clientFrom("127.0.200.1"), "http://"+s.Addr(), bigBundle(t, 4096, 1)); a.err != nil || a.code != http.StatusAccepted {
		t.Fatalf("honest submission while 128 bodies are silent: %v HTTP %d, want 202", a.err, a.code)
	}
	if n := clientsCounted(s.admit); n != 128 {
		t.Fatalf("after the honest submission %d silent submissions counted, want 128 (still waiting for their bodies)", n)
	}
	for i, c := range silent {
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("silent connection %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestTimeout {
			t.Fatalf("silent connection %d: HTTP %d, want 408", i, resp.StatusCode)
		}
	}
	if n, b := s.admit.inFlight(); n != 0 || b != 0 || clientsCounted(s.admit) != 0 {
		t.Fatalf("after the body deadline: %d submissions, %d bytes, %d client places still counted", n, b, clientsCounted(s.admit))
	}
}

// clientsCounted is the sum of the per-client counts of a (IPv4 clients only).
func clientsCounted(a *admission) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, c := range a.clients {
		n += c
	}
	return n
}

// waitClients waits until the submissions of IPv4 clients a counts reach n.
func waitClients(t *testing.T, a *admission, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for clientsCounted(a) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d submissions counted, want %d", clientsCounted(a), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sixtyFour returns the i-th /64 of prefix p (a /48 or /32: i counts up from
// bit 63, so /64s i and i+1<<16 of a /32 lie in different /48s).
func sixtyFour(p netip.Prefix, i int) netip.Prefix {
	a := p.Addr().As16()
	a[4], a[5], a[6], a[7] = a[4]|byte(i>>24), a[5]|byte(i>>16), a[6]|byte(i>>8), a[7]|byte(i)
	return netip.PrefixFrom(netip.AddrFrom16(a), 64)
}

// TestClientBoundsGroupIPv6: the per-client bounds on submissions in flight hold
// for an IPv6 /48 as eight clients and a /32 as 64, as the rate limits do, and on
// connections for a /48 as 16 clients and a /32 as 64: whoever holds a site's /48
// cannot take a fresh share for each of its /64s, while a /64 of another /48 still
// has its own.
func TestClientBoundsGroupIPv6(t *testing.T) {
	site := netip.MustParsePrefix("2001:db8:1::/48")
	provider := netip.MustParsePrefix("2001:db9::/32")
	a := newAdmission(1<<20, 2, 1<<40, 1<<40)
	l := newConnLimiter(nil, 1<<20, 2, nil, func(string) {})
	take := map[string]func(netip.Prefix) bool{
		"admission":   func(k netip.Prefix) bool { return acquire(a, k) == nil },
		"connections": func(k netip.Prefix) bool { return l.take(k) == "" },
	}
	siteMul := map[string]int{"admission": 8, "connections": 16}
	for name, take := range take {
		ok := 0
		for i := range 100 { // 100 /64s of one /48, 2 each
			for range 2 {
				if take(sixtyFour(site, i)) {
					ok++
				}
			}
		}
		if ok != siteMul[name]*2 {
			t.Errorf("%s: a /48 spread over 100 /64s took %d places, want the /48's %d", name, ok, siteMul[name]*2)
		}
		if !take(netip.MustParsePrefix("2001:db8:2::/64")) {
			t.Errorf("%s: a /64 of another /48 refused", name)
		}
		ok = 0
		for i := range 100 { // 100 /48s of one /32, 8 /64s each
			for j := range 8 {
				if take(sixtyFour(provider, i<<16|j)) {
					ok++
				}
			}
		}
		if ok != 64*2 {
			t.Errorf("%s: a /32 spread over 800 /64s took %d places, want the /32's %d", name, ok, 64*2)
		}
	}
}

// acquire takes a submission of client through a's admission whole: its place,
// one byte received, its place in flight.
func acquire(a *admission, client netip.Prefix) error {
	t, err := a.enter(client)
	if err != nil {
		return err
	}
	if err = t.charge(1); err == nil {
		err = t.admit()
	}
	if err != nil {
		t.release()
	}
	return err
}

// pieceReader yields n bytes in pieces of piece bytes, checking before each read
// that what was charged is at most twice what it has yielded (or receiveStart).
type pieceReader struct {
	t              *testing.T
	n, piece, sent int
	charged        *int64
}

func (p *pieceReader) Read(b []byte) (int, error) {
	if c := *p.charged; c > max(int64(receiveStart), 2*int64(p.sent)) {
		p.t.Fatalf("%d bytes charged after %d arrived", c, p.sent)
	}
	if p.sent == p.n {
		return 0, io.EOF
	}
	k := min(len(b), p.piece, p.n-p.sent)
	for i := range k {
		b[i] = byte(p.sent + i)
	}
	p.sent += k
	return k, nil
}

// TestReceiveGrowsWithArrival: a body's buffer, and what it charges, grows only
// with the bytes that arrive; the body is read whole and in order; a charge
// refused stops the reading; a body past its limit is refused.
func TestReceiveGrowsWithArrival(t *testing.T) {
	var charged int64
	charge := func(n int64) error { charged += n; return nil }
	b, err := receive(&pieceReader{t: t, n: 20000, piece: 700, charged: &charged}, 128<<10, charge)
	if err != nil || len(b) != 20000 {
		t.Fatalf("receive: %d bytes, %v; want 20000", len(b), err)
	}
	for i, c := range b {
		if c != byte(i) {
			t.Fatalf("byte %d is %d, want %d", i, c, byte(i))
		}
	}
	if charged != int64(cap(b)) || charged > 2*20000 {
		t.Fatalf("%d bytes charged for a buffer of %d holding 20000", charged, cap(b))
	}
	charged = 0
	if b, err := receive(&pieceReader{t: t, n: 5000, piece: 5000, charged: &charged}, 5000, charge); err != nil || len(b) != 5000 || charged != 5000 {
		t.Fatalf("a body of its declared length: %d bytes, %d charged, %v; want 5000 and 5000", len(b), charged, err)
	}
	busy := func(n int64) error {
		if charged+n > 4096 {
			return errBusy
		}
		charged += n
		return nil
	}
	charged = 0
	if _, err := receive(&pieceReader{t: t, n: 20000, piece: 700, charged: &charged}, 128<<10, busy); !errors.Is(err, errBusy) || charged > 4096 {
		t.Fatalf("past the byte bound: %v with %d charged, want errBusy within 4096", err, charged)
	}
	charged = 0
	var mbe *http.MaxBytesError
	if _, err := receive(&pieceReader{t: t, n: 5001, piece: 700, charged: &charged}, 5000, charge); !errors.As(err, &mbe) {
		t.Fatalf("a body past its limit: %v, want a MaxBytesError", err)
	}
}

// TestSilentBodiesDoNotLockOutSite: a tenant holding 8 /64s of a shared IPv6 /48,
// each with 4 evidence bodies that never come (every one of its clients at its own
// bound), holds no share of the /48's: the /48 counts only submissions whose body is
// in, so a submission from a 9th /64 of that /48 is accepted. The clients come
// through a trusted proxy (X-Forwarded-For), as loopback has a single IPv6 address.
func TestSilentBodiesDoNotLockOutSite(t *testing.T) {
	s := startServer(t, &fakeBackend{}, func(c *Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	site := netip.MustParsePrefix("2001:db8:1::/48")
	for i := range 8 {
		for range 4 {
			c := dialFrom(t, s, "127.0.0.1")
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: %s\r\nContent-Type: application/json\r\nContent-Length: 1\r\n\r\n",
				evidencePath, sixtyFour(site, i).Addr().Next())
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for held := 0; held != 32; {
		s.admit.mu.Lock()
		held = 0
		for i := range 8 {
			held += s.admit.clients[sixtyFour(site, i)]
		}
		s.admit.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("%d silent submissions counted, want 32", held)
		}
		time.Sleep(5 * time.Millisecond)
	}
	req, err := http.NewRequest("POST", "http://"+s.Addr()+evidencePath, bytes.NewReader(bigBundle(t, 4096, 1)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", sixtyFour(site, 8).Addr().Next().String())
	resp, err := clientFrom("127.0.0.1").Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("a 9th /64 of the /48 while 8 hold 4 silent bodies each: HTTP %d, want 202", resp.StatusCode)
	}
}

// halfSend opens a connection from src (through a trusted proxy when xff is not
// empty, which then names the client) and sends an evidence body of undeclared
// length whose first 64 KiB + 1 bytes arrive and whose end never does: a receive
// buffer of 128 KiB when all of it is taken. answered is sent to when the server
// answers (or closes the connection).
func halfSend(t *testing.T, s *Server, src, xff string, answered chan<- struct{}) {
	t.Helper()
	c := dialFrom(t, s, src)
	hdr := ""
	if xff != "" {
		hdr = "X-Forwarded-For: " + xff + "\r\n"
	}
	chunk := strings.Repeat("a", 64<<10+1)
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n",
		evidencePath, hdr, len(chunk), chunk)
	go func() {
		// The answer's body ends only when the connection does (drainBody).
		_, _ = http.ReadResponse(bufio.NewReader(c), nil)
		answered <- struct{}{}
	}()
}

// waitHalfSent waits until each of n half-sent bodies (halfSend) is either
// answered or holds its whole 128 KiB buffer, and returns the bytes held.
func waitHalfSent(t *testing.T, s *Server, n int, answered <-chan struct{}) int64 {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	done := 0
	for {
		for drained := false; !drained; {
			select {
			case <-answered:
				done++
			default:
				drained = true
			}
		}
		_, b := s.admit.inFlight()
		if b == int64(n-done)*(128<<10) {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d half-sent bodies answered and %d bytes held, want 128 KiB for each of the others", done, n, b)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestHalfSentBodiesDoNotFillBytes: 32 /24s with 4 connections each, every one
// sending 64 KiB + 1 of an evidence body of undeclared length and then nothing,
// hold at most one largest body's bytes (MaxBodyBytes) per /24 (4 MiB in all), not
// the node's 16 MiB, so a client of another /24 is accepted while they are held.
func TestHalfSentBodiesDoNotFillBytes(t *testing.T) {
	s := startServer(t, &fakeBackend{}, func(c *Config) { c.BodyTimeout = 20 * time.Second })
	answered := make(chan struct{}, 128)
	for i := range 32 {
		for range 4 {
			halfSend(t, s, fmt.Sprintf("127.1.%d.1", i), "", answered)
		}
	}
	if b := waitHalfSent(t, s, 128, answered); b > 32*s.cfg.MaxBodyBytes {
		t.Errorf("32 /24s hold %d bytes of half-sent bodies, want at most %d (one largest body each)", b, 32*s.cfg.MaxBodyBytes)
	}
	if a := post(clientFrom("127.0.200.1"), "http://"+s.Addr(), bigBundle(t, 4096, 1)); a.err != nil || a.code != http.StatusAccepted {
		t.Fatalf("honest submission while half-sent bodies are held: %v HTTP %d, want 202", a.err, a.code)
	}
}

// TestHalfSentBodiesIPv6Site: 32 /64s of one IPv6 /48, 4 half-sent bodies each,
// hold at most the /48's share of bytes still arriving (8 clients', 1 MiB), so a
// client of another /48 is accepted while they are held. The clients come through
// a trusted proxy (X-Forwarded-For), as loopback has a single IPv6 address.
func TestHalfSentBodiesIPv6Site(t *testing.T) {
	s := startServer(t, &fakeBackend{}, func(c *Config) {
		c.BodyTimeout = 20 * time.Second
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	site := netip.MustParsePrefix("2001:db8:1::/48")
	answered := make(chan struct{}, 128)
	for i := range 32 {
		for range 4 {
			halfSend(t, s, "127.0.0.1", sixtyFour(site, i).Addr().Next().String(), answered)
		}
	}
	if b := waitHalfSent(t, s, 128, answered); b > 8*s.cfg.MaxBodyBytes {
		t.Errorf("a /48 holds %d bytes of half-sent bodies, want at most %d (8 clients' share)", b, 8*s.cfg.MaxBodyBytes)
	}
	req, err := http.NewRequest("POST", "http://"+s.Addr()+evidencePath, bytes.NewReader(bigBundle(t, 4096, 1)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", "2001:db8:2::1")
	resp, err := clientFrom("127.0.0.1").Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("a client of another /48 while the /48 holds half-sent bodies: HTTP %d, want 202", resp.StatusCode)
	}
}

// TestBodyBytesChargedAsTheyArrive: the bytes of an evidence body of undeclared
// length count against its client's byte rate as they arrive, so a body that never
// finishes (408) has spent them: the client's next body, beyond what is left of
// its burst, is refused 429 with the time to wait, while another client's is not.
func TestBodyBytesChargedAsTheyArrive(t *testing.T) {
	now := time.Unix(1000, 0)
	s := startServer(t, &fakeBackend{}, func(c *Config) {
		c.RateLimit = 0 // the defaults: 20/s, burst 40
		c.EvidenceByteRate, c.MaxBodyBytes = 16<<10, 64<<10
		c.BodyTimeout = time.Second
		c.Now = func() time.Time { return now }
	})
	c := dialFrom(t, s, "127.0.0.1")
	chunk := strings.Repeat("a", 40<<10)
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n",
		evidencePath, len(chunk), chunk)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("a body that never finishes: %v %v, want 408", err, resp)
	}
	base := "http://" + s.Addr()
	body := bigBundle(t, 28<<10, 1)
	a := post(clientFrom("127.0.0.1"), base, body)
	if wait, _ := strconv.Atoi(a.header.Get("Retry-After")); a.err != nil || a.code != http.StatusTooManyRequests || wait < 1 {
		t.Fatalf("28 KiB after 40 KiB of an unfinished body, burst 64 KiB: %v HTTP %d Retry-After %q, want 429 with Retry-After",
			a.err, a.code, a.header.Get("Retry-After"))
	}
	if a := post(clientFrom("127.0.1.1"), base, body); a.err != nil || a.code != http.StatusAccepted {
		t.Fatalf("another client's body: %v HTTP %d, want 202", a.err, a.code)
	}
}

// TestPeerBodiesBounded: the bodies of peer requests count as they arrive, against
// the node's bound on co-signing bytes (maxPeerBodyBytes) and their client's share:
// 64 /24s with 4 connections each, every one sending 16 KiB + 1 of a co-signing
// request (a 32 KiB buffer) and then nothing, hold those 8 MiB, and a 65th /24's
// request is refused at once (503) instead of being read into memory.
func TestPeerBodiesBounded(t *testing.T) {
	hs := hashList(1)
	s := startServer(t, &fakeCosigner{own: map[common.Hash]bool{common.HexToHash(hs[0]): true}},
		func(c *Config) { c.BodyTimeout = 20 * time.Second })
	chunk := strings.Repeat(" ", 16<<10+1)
	for i := range 64 {
		for range 4 {
			c := dialFrom(t, s, fmt.Sprintf("127.1.%d.1", i))
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n",
				batchPath, len(chunk), chunk)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, b := s.cosign.inFlight(); b != maxPeerBodyBytes; _, b = s.cosign.inFlight() {
		if time.Now().After(deadline) {
			t.Fatalf("256 half-sent peer bodies hold %d bytes counted, want %d", b, maxPeerBodyBytes)
		}
		time.Sleep(5 * time.Millisecond)
	}
	req, err := http.NewRequest("POST", "http://"+s.Addr()+batchPath, bytes.NewReader(batchBody(hs)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := clientFrom("127.0.200.1").Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("a peer request past the node's co-signing bytes: HTTP %d Retry-After %q, want 503 with Retry-After",
			resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}
