package agent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/teeoracle/teeoracle/oracle/agent"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/devnet"
	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// lossyProxy is a proxy in front of the node that loses every answer to the first
// evidence posted (the node stores it; the agent sees the connection close), and
// starts mining once the node refuses a later submission with 409.
type lossyProxy struct {
	t         *testing.T
	next      *httputil.ReverseProxy
	mine      func()
	mu        sync.Mutex
	first     []byte // the first evidence request's body
	id        string // the submission the node stored for it
	conflicts int
	mining    chan struct{}
}

func (p *lossyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/evidence" {
		p.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		p.t.Error(err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	p.mu.Lock()
	if p.first == nil {
		p.first = body
	}
	lose := bytes.Equal(body, p.first)
	p.mu.Unlock()
	rec := httptest.NewRecorder()
	p.next.ServeHTTP(rec, r)
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case lose:
		var res api.SubmitResult
		if rec.Code == http.StatusAccepted && json.Unmarshal(rec.Body.Bytes(), &res) == nil {
			p.id = res.ID
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			p.t.Error(err)
			return
		}
		conn.Close()
		return
	case rec.Code == http.StatusConflict:
		if p.conflicts++; p.conflicts == 1 {
			go p.mineUntilDone()
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (p *lossyProxy) mineUntilDone() {
	for {
		select {
		case <-p.mining:
			return
		case <-time.After(50 * time.Millisecond):
			p.mine()
		}
	}
}

// An agent whose submission was stored but whose answer was lost attests again at
// the same chain head: the node refuses the new evidence (409, not newer than the
// stored submission, which it names), and the agent follows the stored submission
// instead of quitting; --once ends with that submission's outcome.
func TestLostSubmitAnswerFollowsStoredSubmission(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	t.Cleanup(cancel)
	log := slog.New(slog.NewTextHandler(logWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// No block is mined on its own: the head stays where it is until the proxy mines.
	d, err := devnet.Start(ctx, devnet.Options{Logger: log, DataDir: t.TempDir(), BlockInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close devnet: %v", err)
		}
	})
	m := machine(t, d, evidence.TEETDX)
	cfg, err := d.AgentConfig(m)
	if err != nil {
		t.Fatal(err)
	}
	target, err := url.Parse(d.APIURL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := &lossyProxy{t: t, next: httputil.NewSingleHostReverseProxy(target), mine: d.Chain.Mine(), mining: make(chan struct{})}
	defer close(proxy.mining)
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	if cfg.Oracle, err = agent.NewHTTPOracle(srv.URL, nil); err != nil {
		t.Fatal(err)
	}
	// The first round ends while its answers are lost; the next one gets a new challenge.
	cfg.RoundTimeout, cfg.PollInterval = 2*time.Second, 50*time.Millisecond
	cfg.Backoff = agent.Backoff{Initial: 50 * time.Millisecond, Max: 200 * time.Millisecond}
	a := newAgent(t, cfg)
	r, err := a.AttestOnce(ctx)
	if err != nil {
		t.Fatalf("AttestOnce: %v", err)
	}
	proxy.mu.Lock()
	id, conflicts := proxy.id, proxy.conflicts
	proxy.mu.Unlock()
	if id == "" || conflicts == 0 {
		t.Fatalf("stored submission %q, %d refusals: the answer was not lost or no later submission was refused", id, conflicts)
	}
	if r.SubmissionID != id || !r.Trusted {
		t.Errorf("round ended with submission %s (trusted %v), want the stored %s", r.SubmissionID, r.Trusted, id)
	}
	if ok, err := d.Registry.IsTrusted(ctx, m.ID); err != nil || !ok {
		t.Errorf("isTrusted %v, %v", ok, err)
	}
}
