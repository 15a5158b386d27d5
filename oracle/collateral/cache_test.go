package collateral

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testCRL makes a test-only CRL valid from thisUpdate to nextUpdate, signed by a
// throwaway CA.
func testCRL(t *testing.T, number int64, thisUpdate, nextUpdate time.Time) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test-only CRL issuer"},
		NotBefore:             thisUpdate.Add(-time.Hour),
		NotAfter:              nextUpdate.Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCRLSign | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, ca, ca, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(der)
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(number), ThisUpdate: thisUpdate, NextUpdate: nextUpdate,
	}, caCert, key)
	if err != nil {
		t.Fatal(err)
	}
	return crl
}

// countingFetcher serves bodies from a map, counting fetches per URL, and can hold
// fetches until released.
type countingFetcher struct {
	mu      sync.Mutex
	bodies  map[string][]byte
	headers map[string]http.Header // by URL; else X-Test: yes
	count   map[string]int
	entered chan struct{}
	release chan struct{}
}

func (f *countingFetcher) Fetch(ctx context.Context, url string) (*Response, error) {
	f.mu.Lock()
	f.count[url]++
	b, ok := f.bodies[url]
	h, hok := f.headers[url]
	f.mu.Unlock()
	if !hok {
		h = http.Header{"X-Test": {"yes"}}
	}
	if f.entered != nil {
		f.entered <- struct{}{}
	}
	if f.release != nil {
		<-f.release
	}
	if !ok {
		return nil, &StatusError{URL: url, Code: http.StatusNotFound}
	}
	return &Response{Body: b, Header: h}, nil
}

func (f *countingFetcher) fetches(url string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.count[url]
}

func TestCacheOneFetchForConcurrentGets(t *testing.T) {
	const url = "https://example.test/vcek"
	f := &countingFetcher{bodies: map[string][]byte{url: []byte("vcek bytes")}, count: map[string]int{},
		entered: make(chan struct{}, 1), release: make(chan struct{})}
	c, err := New(Options{Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	get := func() {
		defer wg.Done()
		e, err := c.Get(context.Background(), url, time.Time{})
		if err == nil && string(e.Body) != "vcek bytes" {
			err = errors.New("wrong body")
		}
		errs <- err
	}
	wg.Add(1)
	go get()
	<-f.entered // the first fetch is in flight and held
	for i := 1; i < n; i++ {
		wg.Add(1)
		go get()
	}
	close(f.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
	}
	// Callers that joined the flight share its result; callers that came after it
	// find the stored entry. Either way there is exactly one fetch.
	if got := f.fetches(url); got != 1 {
		t.Fatalf("fetches = %d, want 1", got)
	}
}

func TestCacheOffline(t *testing.T) {
	c, err := New(Options{Offline: true, Fetcher: MapFetcher{}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), "https://example.test/x", time.Time{})
	if !errors.Is(err, ErrOffline) || !errors.Is(err, ErrNotCached) {
		t.Fatalf("Get offline miss = %v, want ErrOffline and ErrNotCached", err)
	}
	if _, err := c.Put("https://example.test/x", []byte("imported"), nil); err != nil {
		t.Fatal(err)
	}
	e, err := c.Get(context.Background(), "https://example.test/x", time.Time{})
	if err != nil || string(e.Body) != "imported" {
		t.Fatalf("Get offline hit = %v, %v", e, err)
	}
	// Without a Fetcher the cache is offline too.
	c2, _ := New(Options{})
	if _, err := c2.Get(context.Background(), "https://example.test/x", time.Time{}); !errors.Is(err, ErrOffline) {
		t.Fatalf("Get with no fetcher = %v, want ErrOffline", err)
	}
}

func TestCacheCRLVersionsByTime(t *testing.T) {
	const url = "https://example.test/crl"
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	crl1 := testCRL(t, 1, t0, t0.Add(7*24*time.Hour))
	crl2 := testCRL(t, 2, t0.Add(7*24*time.Hour), t0.Add(14*24*time.Hour))
	f := &countingFetcher{bodies: map[string][]byte{url: crl1}, count: map[string]int{}}
	c, err := New(Options{Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e1, err := c.Get(ctx, url, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !e1.IssuedAt.Equal(t0) || !e1.NextUpdate.Equal(t0.Add(7*24*time.Hour)) {
		t.Fatalf("CRL validity = %v..%v", e1.IssuedAt, e1.NextUpdate)
	}
	if _, err := c.Get(ctx, url, t0.Add(2*time.Hour)); err != nil || f.fetches(url) != 1 {
		t.Fatalf("second Get within validity: err %v, fetches %d, want 1", err, f.fetches(url))
	}
	// Past nextUpdate the cached CRL is stale: the cache fetches the new one.
	f.mu.Lock()
	f.bodies[url] = crl2
	f.mu.Unlock()
	e2, err := c.Get(ctx, url, t0.Add(8*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if e2.Hash == e1.Hash || f.fetches(url) != 2 {
		t.Fatalf("stale CRL not refetched: fetches %d", f.fetches(url))
	}
	// An appraisal as of the first week still gets the first CRL, without fetching.
	again, err := c.Get(ctx, url, t0.Add(3*time.Hour))
	if err != nil || again.Hash != e1.Hash || f.fetches(url) != 2 {
		t.Fatalf("historical Get = %v (fetches %d), want the first CRL", err, f.fetches(url))
	}
	if v := c.Versions(url); len(v) != 2 || v[0].Hash != e1.Hash {
		t.Fatalf("Versions = %d entries, want 2 oldest first", len(v))
	}
	// Offline after nextUpdate of the last CRL: not cached.
	off, _ := New(Options{Offline: true})
	off.Put(url, crl2, nil)
	if _, err := off.Get(ctx, url, t0.Add(30*24*time.Hour)); !errors.Is(err, ErrNotCached) {
		t.Fatalf("offline Get past nextUpdate = %v, want ErrNotCached", err)
	}
}

func TestCachePersistsAndDetectsCorruption(t *testing.T) {
	dir := t.TempDir()
	const url = "https://example.test/item"
	f := &countingFetcher{bodies: map[string][]byte{url: []byte("payload")}, count: map[string]int{}}
	c, err := New(Options{Dir: dir, Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	e, err := c.Get(context.Background(), url, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// A second cache on the same directory, offline, serves it with its headers.
	c2, err := New(Options{Dir: dir, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	e2, err := c2.Get(context.Background(), url, time.Time{})
	if err != nil || e2.Hash != e.Hash || e2.Header.Get("X-Test") != "yes" {
		t.Fatalf("reopened Get = %+v, %v", e2, err)
	}
	if byHash, ok := c2.ByHash(e.Hash); !ok || string(byHash.Body) != "payload" {
		t.Fatalf("ByHash missed")
	}
	// Corrupt the blob: the entry is dropped on load, so offline it is not cached.
	blob := filepath.Join(dir, "blobs", hex.EncodeToString(e.Hash[:]))
	if err := os.WriteFile(blob, []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	c3, err := New(Options{Dir: dir, Offline: true, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c3.Get(context.Background(), url, time.Time{}); !errors.Is(err, ErrNotCached) {
		t.Fatalf("Get of corrupt entry = %v, want ErrNotCached", err)
	}
	if _, err := c3.loadVersion(url, indexVersion{Hash: hex.EncodeToString(e.Hash[:])}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("loadVersion of tampered blob = %v, want ErrCorrupt", err)
	}
}

func TestHTTPFetcher(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/ok":
			w.Header().Set("Sgx-Pck-Crl-Issuer-Chain", "chain")
			w.Write([]byte("body"))
		case "/big":
			w.Write(make([]byte, 100))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	f := &HTTPFetcher{Client: srv.Client(), MaxBody: 50}
	ctx := context.Background()
	r, err := f.Fetch(ctx, srv.URL+"/ok")
	if err != nil || string(r.Body) != "body" || r.Header.Get("Sgx-Pck-Crl-Issuer-Chain") != "chain" {
		t.Fatalf("Fetch ok = %+v, %v", r, err)
	}
	_, err = f.Fetch(ctx, srv.URL+"/missing")
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusNotFound || !errors.Is(err, ErrHTTPStatus) {
		t.Fatalf("Fetch missing = %v, want 404 StatusError", err)
	}
	if _, err := f.Fetch(ctx, srv.URL+"/big"); err == nil {
		t.Fatal("Fetch of body over MaxBody succeeded")
	}
	// Through a cache, a 404 is stored nowhere but remembered for NegativeTTL: the
	// next Get within it gets the same answer without asking; after it, it asks.
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c, _ := New(Options{Fetcher: f, NegativeTTL: time.Minute, Now: func() time.Time { return now }})
	for i := 0; i < 2; i++ {
		if _, err := c.Get(ctx, srv.URL+"/missing", time.Time{}); !errors.As(err, &se) || se.Code != http.StatusNotFound {
			t.Fatalf("cache Get missing = %v", err)
		}
	}
	if hits.Load() != 4 {
		t.Fatalf("server hits = %d, want 4 (the second 404 from memory)", hits.Load())
	}
	now = now.Add(time.Minute)
	if _, err := c.Get(ctx, srv.URL+"/missing", time.Time{}); !errors.As(err, &se) {
		t.Fatalf("cache Get missing = %v", err)
	}
	if hits.Load() != 5 {
		t.Fatalf("server hits = %d, want 5 (asked again after NegativeTTL)", hits.Load())
	}
}

// A source that is down, rate-limiting or failing says nothing about the evidence:
// its errors wrap ErrUnavailable, through the cache too; a 404 is an answer and does
// not.
func TestHTTPFetcherUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/busy":
			w.WriteHeader(http.StatusTooManyRequests)
		case "/down":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/broken":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	f := &HTTPFetcher{Client: srv.Client()}
	c, _ := New(Options{Fetcher: f})
	ctx := context.Background()
	for path, want := range map[string]bool{"/busy": true, "/down": true, "/broken": true, "/missing": false} {
		_, err := c.Get(ctx, srv.URL+path, time.Time{})
		var se *StatusError
		if !errors.As(err, &se) || !errors.Is(err, ErrHTTPStatus) {
			t.Fatalf("Get %s = %v, want a StatusError", path, err)
		}
		if got := errors.Is(err, ErrUnavailable); got != want {
			t.Errorf("Get %s: errors.Is(ErrUnavailable) = %v, want %v (%v)", path, got, want, err)
		}
	}
	url := srv.URL + "/down"
	srv.Close()
	_, err := f.Fetch(ctx, url)
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("Fetch from a closed server = %v, want ErrUnavailable", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.Fetch(cctx, url); errors.Is(err, ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch with a cancelled context = %v, want context.Canceled and not ErrUnavailable", err)
	}
}

// TCB Info and QE Identity are served from the cache until their nextUpdate, then
// fetched again; a TDXGetter without AsOf asks its Now for the time.
func TestCacheTCBInfoUntilNextUpdate(t *testing.T) {
	const tcbURL, qeURL = "https://pcs.example.test/tdx/certification/v4/tcb?fmspc=00806f050000", "https://pcs.example.test/tdx/certification/v4/qe/identity"
	tcb, err := os.ReadFile(filepath.Join("..", "..", "testdata", "tdx", "spr-e4", "pcs", "tcb_info.json"))
	if err != nil {
		t.Fatal(err)
	}
	qe, err := os.ReadFile(filepath.Join("..", "..", "testdata", "tdx", "spr-e4", "pcs", "qe_identity.json"))
	if err != nil {
		t.Fatal(err)
	}
	issued, next, err := CollateralValidity(tcbURL, tcb, savedHeader(t, "tcb_info.headers"))
	if err != nil || !issued.Equal(time.Date(2023, 6, 18, 8, 42, 58, 0, time.UTC)) || !next.Equal(time.Date(2023, 7, 18, 8, 42, 58, 0, time.UTC)) {
		t.Fatalf("TCB Info validity = %v..%v, %v", issued, next, err)
	}
	if issued, next, err = CollateralValidity(qeURL, qe, savedHeader(t, "qe_identity.headers")); err != nil || !next.Equal(time.Date(2023, 7, 8, 7, 24, 59, 0, time.UTC)) {
		t.Fatalf("QE Identity validity = %v..%v, %v", issued, next, err)
	}
	if _, _, err := CollateralValidity(tcbURL, []byte(`{"tcbInfo":{"issueDate":"yesterday"}}`), savedHeader(t, "tcb_info.headers")); err == nil {
		t.Fatal("TCB Info with an unreadable issueDate accepted")
	}

	f := &countingFetcher{bodies: map[string][]byte{tcbURL: tcb, qeURL: qe}, count: map[string]int{},
		headers: map[string]http.Header{tcbURL: savedHeader(t, "tcb_info.headers"), qeURL: savedHeader(t, "qe_identity.headers")}}
	c, err := New(Options{Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)
	g := TDXGetter{Cache: c, Now: func() time.Time { return now }}
	for range 3 {
		if _, body, err := g.Get(tcbURL); err != nil || !bytes.Equal(body, tcb) {
			t.Fatalf("Get TCB Info: %v", err)
		}
	}
	if n := f.fetches(tcbURL); n != 1 {
		t.Fatalf("TCB Info fetched %d times within its validity, want 1", n)
	}
	now = time.Date(2023, 7, 20, 0, 0, 0, 0, time.UTC) // past nextUpdate: stale
	if _, _, err := g.Get(tcbURL); err != nil {
		t.Fatal(err)
	}
	if n := f.fetches(tcbURL); n != 2 {
		t.Fatalf("stale TCB Info fetched %d times in all, want 2", n)
	}
	if _, _, err := (TDXGetter{Cache: c}).Get(tcbURL); err == nil {
		t.Fatal("TDXGetter without AsOf or Now served collateral")
	}
}

// savedHeader reads a saved PCS response header ("Name: value") from testdata.
func savedHeader(t *testing.T, name string) http.Header {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "tdx", "spr-e4", "pcs", name))
	if err != nil {
		t.Fatal(err)
	}
	k, v, ok := strings.Cut(strings.TrimSpace(string(b)), ":")
	if !ok {
		t.Fatalf("%s: no header line", name)
	}
	return http.Header{http.CanonicalHeaderKey(k): {strings.TrimSpace(v)}}
}

// sequenceFetcher answers each URL with its bodies in turn (the last one repeated).
type sequenceFetcher struct {
	mu     sync.Mutex
	bodies map[string][][]byte
	count  map[string]int
}

func (f *sequenceFetcher) Fetch(_ context.Context, url string) (*Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	seq := f.bodies[url]
	if len(seq) == 0 {
		return nil, &StatusError{URL: url, Code: http.StatusNotFound}
	}
	i := min(f.count[url], len(seq)-1)
	f.count[url]++
	return &Response{Body: seq[i]}, nil
}

// A 200 answer that is not a CRL (a CDN's maintenance page) is not stored: the KDS CRL
// fails with ErrUnavailable, and the next request fetches again and gets the real CRL.
func TestCacheRefusesNonCollateral(t *testing.T) {
	kds := "https://kds.example.test"
	crlURL, err := CRLURL(kds, "Milan", false)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	crl := testCRL(t, 1, now.Add(-time.Hour), now.Add(24*time.Hour))
	html := []byte("<html><body>Down for maintenance</body></html>")
	f := &sequenceFetcher{bodies: map[string][][]byte{crlURL: {html, crl}}, count: map[string]int{}}
	dir := t.TempDir()
	c, err := New(Options{Dir: dir, Fetcher: f, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	k := &KDS{Cache: c, BaseURL: kds}
	_, err = k.CRL(context.Background(), "Milan", false, now)
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, ErrNotCollateral) {
		t.Fatalf("CRL from an HTML answer = %v, want ErrUnavailable and ErrNotCollateral", err)
	}
	if n := len(c.Versions(crlURL)); n != 0 {
		t.Fatalf("cache holds %d versions after an HTML answer, want 0", n)
	}
	got, err := k.CRL(context.Background(), "Milan", false, now)
	if err != nil || !bytes.Equal(got, crl) {
		t.Fatalf("second CRL = %d bytes, %v; want the real CRL", len(got), err)
	}

	// A cache written without the check (here: a permissive ValidityFunc) holds junk
	// under the CRL URL; reopened with the default one, it drops it and fetches.
	junkDir := t.TempDir()
	old, err := New(Options{Dir: junkDir, Logger: discardLogger(),
		Validity: func(string, []byte, http.Header) (time.Time, time.Time, error) { return time.Time{}, time.Time{}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Put(crlURL, html, nil); err != nil {
		t.Fatal(err)
	}
	f2 := &sequenceFetcher{bodies: map[string][][]byte{crlURL: {crl}}, count: map[string]int{}}
	c2, err := New(Options{Dir: junkDir, Fetcher: f2, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	got, err = (&KDS{Cache: c2, BaseURL: kds}).CRL(context.Background(), "Milan", false, now)
	if err != nil || !bytes.Equal(got, crl) {
		t.Fatalf("CRL after reopening a cache holding junk = %d bytes, %v; want the real CRL", len(got), err)
	}
	if f2.count[crlURL] != 1 {
		t.Fatalf("reopened cache fetched %d times, want 1", f2.count[crlURL])
	}
}

// Each kind of collateral URL refuses bodies of the wrong kind.
func TestCollateralValidityByKind(t *testing.T) {
	const pcs = "https://api.trustedservices.intel.com"
	tcbURL := pcs + "/tdx/certification/v4/tcb?fmspc=00806f050000"
	qeURL := pcs + "/tdx/certification/v4/qe/identity"
	vcekURL, err := VCEKURL("https://kds.example.test", "Genoa", make([]byte, 64), 0)
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "tdx", "spr-e4", "pcs", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tcb, qe, pckcrl := read("tcb_info.json"), read("qe_identity.json"), read("pckcrl.der")
	tcbH, qeH := savedHeader(t, "tcb_info.headers"), savedHeader(t, "qe_identity.headers")
	for _, tc := range []struct {
		name, key string
		body      []byte
		header    http.Header
		ok        bool
	}{
		{"TCB Info", tcbURL, tcb, tcbH, true},
		{"TCB Info without issuer chain", tcbURL, tcb, nil, false},
		{"TCB Info with a junk issuer chain", tcbURL, tcb, http.Header{"Tcb-Info-Issuer-Chain": {"<html>"}}, false},
		{"JSON error at TCB URL", tcbURL, []byte(`{"error":"rate limited"}`), tcbH, false},
		{"TCB Info without nextUpdate", tcbURL, []byte(`{"tcbInfo":{"issueDate":"2023-06-18T08:42:58Z"}}`), tcbH, false},
		{"QE Identity", qeURL, qe, qeH, true},
		{"TCB Info at QE URL", qeURL, tcb, qeH, false},
		{"PCK CRL", pcs + "/sgx/certification/v4/pckcrl?ca=platform&encoding=der", pckcrl, nil, true},
		{"HTML at PCK CRL", pcs + "/sgx/certification/v4/pckcrl?ca=platform&encoding=der", []byte("<html></html>"), nil, false},
		{"HTML at root CRL", DefaultIntelRootCRL, []byte("<html></html>"), nil, false},
		{"HTML at VCEK", vcekURL, []byte("<html></html>"), nil, false},
		{"CRL at VCEK", vcekURL, pckcrl, nil, false},
		{"HTML at cert_chain", "https://kds.example.test/vcek/v1/Milan/cert_chain", []byte("<html></html>"), nil, false},
		{"anything at another URL", "https://example.test/other", []byte("<html></html>"), nil, true},
	} {
		_, _, err := CollateralValidity(tc.key, tc.body, tc.header)
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.ok && !errors.Is(err, ErrNotCollateral) {
			t.Errorf("%s: err = %v, want ErrNotCollateral", tc.name, err)
		}
	}
}

// The same bytes fetched again with another issuer-chain header replace the stored
// header, in memory and on disk.
func TestCachePutReplacesHeader(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Options{Dir: dir, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	const key = "https://example.test/item"
	if _, err := c.Put(key, []byte("body"), http.Header{"X-Chain": {"wrong"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Put(key, []byte("body"), http.Header{"X-Chain": {"right"}}); err != nil {
		t.Fatal(err)
	}
	c2, err := New(Options{Dir: dir, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	for name, cc := range map[string]*Cache{"memory": c, "reopened": c2} {
		vs := cc.Versions(key)
		if len(vs) != 1 || vs[0].Header.Get("X-Chain") != "right" {
			t.Errorf("%s: %d versions, header %v; want 1 with the second header", name, len(vs), vs[0].Header)
		}
	}
}

// certFetcher answers every URL with a fresh test-only certificate and counts
// fetches; when missing is set it answers 404 instead.
type certFetcher struct {
	t       *testing.T
	missing bool
	mu      sync.Mutex
	fetches int
}

func (f *certFetcher) Fetch(_ context.Context, url string) (*Response, error) {
	f.mu.Lock()
	f.fetches++
	f.mu.Unlock()
	if f.missing {
		return nil, &StatusError{URL: url, Code: http.StatusNotFound}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-only VCEK"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return &Response{Body: der}, nil
}

func randomChipID(t *testing.T) []byte {
	id := make([]byte, 64)
	if _, err := rand.Read(id); err != nil {
		t.Fatal(err)
	}
	return id
}

// Submissions naming random chip ids (answered 404 by KDS) cost at most
// UnknownBudget KDS requests per window; past it they are put off (ErrUnavailable)
// without a request, a chip id asked again within NegativeTTL gets the same 404
// without a request, and VCEKs the cache holds are still served.
func TestCacheBoundsUnknownVCEKFetches(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &certFetcher{t: t}
	c, err := New(Options{Fetcher: f, UnknownBudget: 20, NegativeTTL: 10 * time.Minute,
		Now: func() time.Time { return now }, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	k := &KDS{Cache: c, BaseURL: "https://kds.example.test"}
	ctx := context.Background()
	honest := randomChipID(t)
	if _, err := k.VCEK(ctx, "Milan", honest, 0); err != nil {
		t.Fatal(err)
	}
	f.missing = true
	f.fetches = 0
	first := randomChipID(t)
	_, err = k.VCEK(ctx, "Milan", first, 0)
	var se *StatusError
	if !errors.As(err, &se) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("VCEK of an unknown chip = %v, want a 404 (an answer)", err)
	}
	if _, err := k.VCEK(ctx, "Milan", first, 0); !errors.As(err, &se) || f.fetches != 1 {
		t.Fatalf("the same unknown chip again: %v after %d fetches, want the remembered 404 and 1 fetch", err, f.fetches)
	}
	putOff := 0
	for range 500 {
		if _, err := k.VCEK(ctx, "Milan", randomChipID(t), 0); errors.Is(err, ErrUnavailable) {
			putOff++
		}
	}
	if f.fetches != 20 || putOff != 500-19 {
		t.Fatalf("500 random chip ids: %d fetches and %d put off; want 20 (the budget) and %d", f.fetches, putOff, 500-19)
	}
	if _, err := k.VCEK(ctx, "Milan", honest, 0); err != nil {
		t.Fatalf("a held VCEK once the budget is used up: %v", err)
	}
	now = now.Add(10 * time.Minute)
	if _, err := k.VCEK(ctx, "Milan", randomChipID(t), 0); !errors.As(err, &se) || f.fetches != 21 {
		t.Fatalf("next window: %v after %d fetches, want a 404 and 21", err, f.fetches)
	}
}

// byChipFetcher answers a VCEK request with a certificate for the chips in known
// and 404 for any other, and counts the requests.
type byChipFetcher struct {
	certFetcher
	known map[string]bool
}

func (f *byChipFetcher) Fetch(ctx context.Context, url string) (*Response, error) {
	for chip := range f.known {
		if strings.Contains(url, chip) {
			return f.certFetcher.Fetch(ctx, url)
		}
	}
	f.mu.Lock()
	f.fetches++
	f.mu.Unlock()
	return nil, &StatusError{URL: url, Code: http.StatusNotFound}
}

// Each requester's 4xx answers are bounded by its share (UnknownShare), all of them
// together by the ceiling (UnknownBudget), both over a sliding NegativeTTL: a
// requester naming random chip ids is put off once its own share is spent while
// another's VCEK is still fetched; enough requesters together reach the ceiling;
// no span of NegativeTTL holds more than the ceiling's answers, across any
// boundary; and requesters are forgotten once their answers leave the window.
func TestCacheSharesUnknownVCEKFetches(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	honest := randomChipID(t)
	f := &byChipFetcher{known: map[string]bool{hex.EncodeToString(honest): true}}
	c, err := New(Options{Fetcher: f, UnknownBudget: 6, UnknownShare: 2, NegativeTTL: 10 * time.Minute,
		Now: func() time.Time { return now }, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	k := &KDS{Cache: c, BaseURL: "https://kds.example.test"}
	ctx := context.Background()
	// flood has requester ask for n random chips and returns how many were answered
	// (404) and how many put off.
	flood := func(requester string, n int) (answered, putOff int) {
		for range n {
			_, err := k.VCEKFor(ctx, requester, "Milan", randomChipID(t), 0)
			var se *StatusError
			switch {
			case errors.Is(err, ErrUnavailable):
				putOff++
			case errors.As(err, &se) && se.Code == http.StatusNotFound:
				answered++
			default:
				t.Fatalf("%s: VCEK of a random chip = %v, want a 404 or put off", requester, err)
			}
		}
		return answered, putOff
	}
	if a, p := flood("machine-a", 50); a != 2 || p != 48 || f.fetches != 2 {
		t.Fatalf("machine-a, 50 random chips: %d answered, %d put off, %d requests; want 2 (its share), 48, 2", a, p, f.fetches)
	}
	// Machine B's VCEK is fetched: A spent only its own share; a certificate
	// answer costs B nothing.
	if _, err := k.VCEKFor(ctx, "machine-b", "Milan", honest, 0); err != nil {
		t.Fatalf("machine-b's VCEK once machine-a spent its share: %v", err)
	}
	if a, p := flood("machine-b", 3); a != 2 || p != 1 {
		t.Fatalf("machine-b, 3 random chips: %d answered, %d put off; want 2 (its whole share), 1", a, p)
	}
	now = now.Add(5 * time.Minute)
	if a, p := flood("machine-c", 3); a != 2 || p != 1 {
		t.Fatalf("machine-c: %d answered, %d put off; want 2, 1", a, p)
	}
	// The ceiling: 6 answers within the window, whoever asked; Get (no requester)
	// is held by it too.
	if a, p := flood("machine-d", 1); a != 0 || p != 1 {
		t.Fatalf("machine-d at the ceiling: %d answered, %d put off; want 0, 1", a, p)
	}
	if _, err := k.VCEK(ctx, "Milan", randomChipID(t), 0); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Get at the ceiling: %v, want put off", err)
	}
	// Ten minutes after the first answers, A's and B's leave the window but C's
	// (five minutes old) still count: 4 more, not 6 (a fixed window would start
	// afresh).
	now = now.Add(5 * time.Minute)
	if a, _ := flood("machine-a", 2); a != 2 {
		t.Fatalf("machine-a ten minutes later: %d answered, want 2", a)
	}
	if a, _ := flood("machine-e", 2); a != 2 {
		t.Fatalf("machine-e: %d answered, want 2", a)
	}
	if a, p := flood("machine-f", 1); a != 0 || p != 1 {
		t.Fatalf("machine-f with C's answers still in the window: %d answered, %d put off; want 0, 1", a, p)
	}
	now = now.Add(10 * time.Minute)
	c.negMu.Lock()
	c.expire(now)
	n, r := c.charges.Len(), len(c.byRequester)
	c.negMu.Unlock()
	if n != 0 || r != 0 {
		t.Fatalf("once every answer left the window: %d charges, %d requesters known; want none", n, r)
	}
}

// Concurrent fetches of unknown keys by one requester count while they are under
// way: they cannot take more than its share between them.
func TestCacheShareHoldsUnderConcurrency(t *testing.T) {
	f := &gatedFetcher{release: make(chan struct{}), asked: make(chan struct{}, 16)}
	c, err := New(Options{Fetcher: f, UnknownBudget: 100, UnknownShare: 3, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	k := &KDS{Cache: c, BaseURL: "https://kds.example.test"}
	errs := make(chan error, 10)
	for range 10 {
		go func() {
			_, err := k.VCEKFor(context.Background(), "machine-a", "Milan", randomChipID(t), 0)
			errs <- err
		}()
	}
	// Seven are put off without a request while three are under way; a fourth
	// request would overshoot the share.
	for putOff, asked := 0, 0; putOff < 7 || asked < 3; {
		select {
		case err := <-errs:
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("with fetches under way: %v, want put off", err)
			}
			putOff++
		case <-f.asked:
			if asked++; asked > 3 {
				close(f.release)
				t.Fatalf("%d requests under way at once for one requester, want at most 3 (its share)", asked)
			}
		}
	}
	close(f.release)
	for range 3 {
		var se *StatusError
		if err := <-errs; !errors.As(err, &se) {
			t.Fatalf("fetch under way: %v, want its 404", err)
		}
	}
	if f.n.Load() != 3 {
		t.Fatalf("%d requests, want 3 (the share)", f.n.Load())
	}
}

// gatedFetcher answers 404 once release is closed, signalling asked when a request
// arrives.
type gatedFetcher struct {
	release chan struct{}
	asked   chan struct{}
	n       atomic.Int64
}

func (f *gatedFetcher) Fetch(_ context.Context, url string) (*Response, error) {
	f.n.Add(1)
	f.asked <- struct{}{}
	<-f.release
	return nil, &StatusError{URL: url, Code: http.StatusNotFound}
}

// The VCEKs a cache holds stay at MaxVCEKs, in memory and on disk: the least
// recently used is dropped; one served often stays.
func TestCacheBoundsVCEKKeys(t *testing.T) {
	dir := t.TempDir()
	f := &certFetcher{t: t}
	const max = 8
	c, err := New(Options{Dir: dir, Fetcher: f, MaxVCEKs: max, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	k := &KDS{Cache: c, BaseURL: "https://kds.example.test"}
	ctx := context.Background()
	chip := randomChipID(t)
	kept, err := k.VCEK(ctx, "Milan", chip, 0)
	if err != nil {
		t.Fatal(err)
	}
	for tcb := range uint64(100) {
		if _, err := k.VCEK(ctx, "Milan", chip, tcb+1); err != nil {
			t.Fatal(err)
		}
		if got, err := k.VCEK(ctx, "Milan", chip, 0); err != nil || !bytes.Equal(got, kept) {
			t.Fatalf("the VCEK in use was dropped (%v)", err)
		}
		c.mu.RLock()
		n, h := len(c.byKey), len(c.byHash)
		c.mu.RUnlock()
		if n > max || h > max {
			t.Fatalf("after %d VCEKs the cache holds %d keys, %d hashes; want at most %d", tcb+2, n, h, max)
		}
	}
	if f.fetches != 101 {
		t.Fatalf("%d fetches, want 101 (the VCEK in use served from the cache)", f.fetches)
	}
	for _, sub := range []string{"index", "blobs"} {
		files, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != max {
			t.Errorf("%s holds %d files, want %d", sub, len(files), max)
		}
	}
	// Reopened with a lower bound, it drops down to it.
	c2, err := New(Options{Dir: dir, MaxVCEKs: 3, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c2.byKey); n != 3 {
		t.Fatalf("reopened with MaxVCEKs 3: %d keys", n)
	}
}
