package service_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// lockedBuffer is a log sink read while the node may still write to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A running node whose RPC URL carries a key in its path, its query and its user
// info never writes the key into a log line, an error or an API answer, when the
// endpoint answers 500 quoting the request and when it hangs, across its worker,
// publisher, tracker and health loops; its logs still name the endpoint's host.
func TestE2ERunningNodeKeepsRPCSecret(t *testing.T) {
	t.Parallel()
	const pathKey, queryKey, user, password = "PATHKEY0123456789abcdef", "QUERYKEY0123456789abcdef", "USERNAME0123456789", "PASSWORD0123456789"
	_, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 64)
	machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)

	// The endpoint: anvil behind a proxy that serves only requests carrying the
	// key (so the node must send to the real URL), and in turn answers 500 quoting
	// what it was sent, or hangs.
	const (
		forward = iota
		fail
		hang
	)
	var mode atomic.Int32
	anvilURL, _ := url.Parse(e.url)
	rp := httputil.NewSingleHostReverseProxy(anvilURL)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		sent := r.URL.String() + " user=" + u + " password=" + p
		switch {
		case mode.Load() == fail:
			http.Error(w, "upstream failure for "+sent, http.StatusInternalServerError)
		case mode.Load() == hang:
			_, _ = io.Copy(io.Discard, r.Body) // so that the server sees the client give up
			<-r.Context().Done()
		case r.URL.Path != "/v3/"+pathKey || r.URL.Query().Get("apikey") != queryKey || u != user || p != password:
			http.Error(w, "unauthorized: "+sent, http.StatusUnauthorized)
		default:
			r.URL.Path, r.URL.RawQuery = "/", ""
			rp.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")

	var logs lockedBuffer
	c := nodeConfig(t, e)
	c.RPCURL = "http://" + user + ":" + password + "@" + host + "/v3/" + pathKey + "?apikey=" + queryKey
	c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c.PollInterval, c.HealthInterval, c.ReappraiseInterval = 100*time.Millisecond, 200*time.Millisecond, 200*time.Millisecond
	c.ChainWait = 5 * time.Second
	n, err := service.NewFromConfig(ctxT(t), c)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if err := n.Start(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	api := "http://" + n.APIAddr()
	var seen []string // errors returned and API answers
	look := func(what string) {
		for _, path := range []string{"/healthz", "/readyz", "/v1/challenge?machine=" + machine.Hex() + "&key=" + common.Address{0x01}.Hex()} {
			body, err := httpGetText(api + path)
			seen = append(seen, what+" GET "+path+": "+body)
			if err != nil {
				seen = append(seen, err.Error())
			}
		}
		if _, err := n.Challenge(ctxT(t), machine, common.Address{0x01}); err != nil {
			seen = append(seen, what+" Challenge: "+err.Error())
		}
		if err := n.Ready(ctxT(t)); err != nil {
			seen = append(seen, what+" Ready: "+err.Error())
		}
	}
	look("forwarding")
	for _, m := range []int32{fail, hang} {
		mode.Store(m)
		// Several passes of every loop (tracker and health at 200 ms, publisher at 100 ms).
		time.Sleep(2 * time.Second)
		look([]string{"", "500", "hanging"}[m])
	}
	mode.Store(forward)
	if err := n.Stop(ctxT(t)); err != nil {
		seen = append(seen, "Stop: "+err.Error())
	}
	all := logs.String() + strings.Join(seen, "\n")
	for _, s := range []string{pathKey, queryKey, user, password} {
		if strings.Contains(all, s) {
			t.Errorf("the secret %s was written out:\n%s", s, grepLines(all, s))
		}
	}
	if !strings.Contains(logs.String(), host) {
		t.Errorf("no log line names the endpoint %s:\n%s", host, logs.String())
	}
	if !strings.Contains(strings.Join(seen, "\n"), "500 Internal Server Error") {
		t.Errorf("the endpoint's failure reached no error or answer:\n%s", strings.Join(seen, "\n"))
	}
}
