package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/audit"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// Evidence a node serves for audit is held to the submission bounds: a node cannot
// make the auditor verify more certificates than a submission may carry. Evidence
// within the bounds, and bytes that do not decode at all (a damaged archive, which
// the audit reports), come back as served.
func TestNodeSourceBoundsEvidence(t *testing.T) {
	certs := make([][]byte, evidence.MaxBundleCertificates+1)
	for i := range certs {
		certs[i] = []byte{0x30, 0x03, 0x02, 0x01, byte(i)}
	}
	over, err := json.Marshal(evidence.Bundle{TEE: "sev-snp", Evidence: make([]byte, 1184), Certificates: certs})
	if err != nil {
		t.Fatal(err)
	}
	within, err := json.Marshal(evidence.Bundle{TEE: "sev-snp", Evidence: make([]byte, 1184), Certificates: certs[:1]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evidence.DecodeArchived("over", over); errors.Is(err, evidence.ErrTooLarge) {
		t.Fatalf("DecodeArchived(over) = %v: the archive path must not apply the bounds", err)
	}
	for _, tc := range []struct {
		name, kind string
		body       []byte
		wantErr    error
	}{
		{"over the bounds", api.ArchiveEvidence, over, evidence.ErrTooLarge},
		{"within the bounds", api.ArchiveEvidence, within, nil},
		{"damaged", api.ArchiveEvidence, []byte("not evidence"), nil},
		{"policy, not evidence", api.ArchivePolicy, over, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(tc.body) }))
			defer srv.Close()
			b, err := audit.NewNodeSource(srv.URL, nil).Archive(context.Background(), tc.kind, common.Hash{1})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Archive = %v, want %v", err, tc.wantErr)
			}
			if err == nil && !bytes.Equal(b, tc.body) {
				t.Fatalf("Archive returned %d bytes, want the %d served", len(b), len(tc.body))
			}
		})
	}
}

// A node that refuses with 429 and a Retry-After is asked again after the wait it
// names, not before.
func TestNodeSourceHonoursRetryAfter(t *testing.T) {
	var calls atomic.Int32
	var first time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		if since := time.Since(first); since < time.Second {
			t.Errorf("asked again after %s, the node asked for 1s", since)
		}
		w.Write([]byte("content"))
	}))
	defer srv.Close()
	b, err := audit.NewNodeSource(srv.URL, nil).Archive(context.Background(), api.ArchivePolicy, common.Hash{1})
	if err != nil || string(b) != "content" || calls.Load() != 2 {
		t.Fatalf("Archive = %q, %v after %d calls; want the content after 2", b, err, calls.Load())
	}
}

// Waiting out a refusal ends with the context.
func TestNodeSourceWaitEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel()
		w.Header().Set("Retry-After", "10")
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	_, err := audit.NewNodeSource(srv.URL, nil).Archive(ctx, api.ArchiveEvidence, common.Hash{1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Archive = %v, want context.Canceled", err)
	}
}

// Hashes and addresses in an audit record are typed: a malformed one is refused,
// not read as some other value.
func TestRecordRefusesMalformedHash(t *testing.T) {
	for _, field := range []string{`{"verdict_hash":"0x12zz"}`, `{"registry":"0x1234"}`, `{"machine_id":"not hex"}`} {
		var r audit.Record
		if err := json.Unmarshal([]byte(field), &r); err == nil {
			t.Errorf("%s: decoded as %+v, want an error", field, r)
		}
	}
}

// recordSleeps makes n record the waits it would take between attempts instead of
// taking them.
func recordSleeps(n *audit.NodeSource) *[]time.Duration {
	var waits []time.Duration
	audit.SetSleep(n, func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	})
	return &waits
}

// refuseThenServe answers the first request with code and a Retry-After header,
// then "content".
func refuseThenServe(t *testing.T, code int, retryAfter string, calls *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", retryAfter)
			http.Error(w, "busy", code)
			return
		}
		w.Write([]byte("content"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A Retry-After above the old fixed 10 s limit but within MaxRetryAfter is waited
// out in full (seconds, or an HTTP date), then the request is made again.
func TestNodeSourceHonoursLongRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name, header string
		min, max     time.Duration
	}{
		{"seconds", "45", 45 * time.Second, 45 * time.Second},
		{"http date", time.Now().Add(50 * time.Second).UTC().Format(http.TimeFormat), 45 * time.Second, 50 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := refuseThenServe(t, http.StatusServiceUnavailable, tc.header, &calls)
			n := audit.NewNodeSource(srv.URL, nil, audit.MaxRetryAfter(time.Minute))
			waits := recordSleeps(n)
			b, err := n.Archive(context.Background(), api.ArchiveCollateral, common.Hash{1})
			if err != nil || string(b) != "content" || calls.Load() != 2 {
				t.Fatalf("Archive = %q, %v after %d calls; want the content after 2", b, err, calls.Load())
			}
			if len(*waits) != 1 || (*waits)[0] < tc.min || (*waits)[0] > tc.max {
				t.Fatalf("waits %v, want one of %s to %s", *waits, tc.min, tc.max)
			}
		})
	}
}

// A node asking for a longer wait than MaxRetryAfter gets an error naming the wait
// and the limit, at once and without asking again.
func TestNodeSourceRefusesRetryAfterOverCap(t *testing.T) {
	var calls atomic.Int32
	srv := refuseThenServe(t, http.StatusTooManyRequests, "600", &calls)
	n := audit.NewNodeSource(srv.URL, nil, audit.MaxRetryAfter(2*time.Minute))
	waits := recordSleeps(n)
	_, err := n.Archive(context.Background(), api.ArchiveEvidence, common.Hash{1})
	if err == nil || !strings.Contains(err.Error(), "retry after 10m0s") || !strings.Contains(err.Error(), "2m0s") ||
		!strings.Contains(err.Error(), "HTTP 429") {
		t.Fatalf("Archive error %v: want the asked wait (10m0s), the limit (2m0s) and the status named", err)
	}
	if calls.Load() != 1 || len(*waits) != 0 {
		t.Fatalf("%d calls, waits %v: want one call and no wait", calls.Load(), *waits)
	}
	// The default limit is a minute.
	calls.Store(0)
	n = audit.NewNodeSource(srv.URL, nil)
	recordSleeps(n)
	if _, err := n.Archive(context.Background(), api.ArchiveEvidence, common.Hash{1}); err == nil || !strings.Contains(err.Error(), "1m0s") {
		t.Fatalf("default limit: %v", err)
	}
}

// A wait that would outlast the request's context is refused at once, naming it.
func TestNodeSourceRetryAfterPastDeadline(t *testing.T) {
	var calls atomic.Int32
	srv := refuseThenServe(t, http.StatusServiceUnavailable, "30", &calls)
	n := audit.NewNodeSource(srv.URL, nil)
	waits := recordSleeps(n)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := n.Archive(ctx, api.ArchivePolicy, common.Hash{1})
	if err == nil || !strings.Contains(err.Error(), "retry after 30s") || !strings.Contains(err.Error(), "deadline") || len(*waits) != 0 {
		t.Fatalf("Archive error %v, waits %v: want the 30 s wait refused for the deadline", err, *waits)
	}
}

// An error answer is quoted in the error only up to MaxErrorBody bytes, with
// control characters replaced, and no more of it is read than that.
func TestNodeSourceBoundsErrorBody(t *testing.T) {
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		chunk := []byte(strings.Repeat("A", 1000) + "\x1b[31m\r\nforged log line\n")
		for range 16 << 10 { // up to 16 MiB, until the client stops reading
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	_, err := audit.NewNodeSource(srv.URL, nil).Archive(context.Background(), api.ArchiveEvidence, common.Hash{1})
	if err == nil {
		t.Fatal("no error for HTTP 404")
	}
	msg := err.Error()
	if len(msg) > audit.MaxErrorBody+300 || !strings.Contains(msg, "HTTP 404") || !strings.Contains(msg, "cut at 512 bytes") {
		t.Fatalf("error of %d bytes: %.1000s", len(msg), msg)
	}
	if strings.ContainsAny(msg, "\x1b\r\n") {
		t.Fatalf("error quotes control characters: %q", msg)
	}
	// The client hung up after MaxErrorBody bytes: the server could not write the
	// whole body (Close waits for the handler to return).
	srv.Close()
	if total := int64(16<<10) * 1019; written.Load() >= total {
		t.Fatalf("server wrote the whole %d-byte error body: the client read it all", total)
	}
	// Control characters inside the quoted part are replaced, not dropped silently.
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such\x1b[2J evidence\n\xff", http.StatusNotFound)
	}))
	defer srv2.Close()
	_, err = audit.NewNodeSource(srv2.URL, nil).Archive(context.Background(), api.ArchiveEvidence, common.Hash{1})
	if err == nil || !strings.Contains(err.Error(), "no such\uFFFD[2J evidence") || bytes.ContainsAny([]byte(err.Error()), "\x1b\n") || bytes.IndexByte([]byte(err.Error()), 0xff) >= 0 {
		t.Fatalf("sanitised error: %q", err)
	}
}

// A successful answer larger than MaxArchiveBody is an error, not a silently cut
// archive item.
func TestNodeSourceRefusesOversizedAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte{0}, audit.MaxArchiveBody+1))
	}))
	defer srv.Close()
	_, err := audit.NewNodeSource(srv.URL, nil).Archive(context.Background(), api.ArchiveEvidence, common.Hash{1})
	if err == nil || !strings.Contains(err.Error(), "larger than 16777216 bytes") {
		t.Fatalf("Archive error %v, want the size limit named", err)
	}
}
