package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/audit"
)

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
