package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
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

// secretOutage is the node's chain client going away between a submission's
// acceptance and its appraisal (every read failing once the first machineOfKey
// read, a submission's last, is answered), its errors quoting the endpoint's URL
// with a password and a key, and its address, as a client not dialled by
// chain.DialClient would.
type secretOutage struct {
	*ethclient.Client
	last []byte
	down atomic.Bool
}

const outageURL = "http://user:s3cretpass@10.1.2.3:8545/key123456789"

// outageParts are the pieces of outageURL no answer may quote.
var outageParts = []string{"s3cretpass", "10.1.2.3", "8545", "key123456789", "user:"}

func (f *secretOutage) err() error {
	return errors.New(`Post "` + outageURL + `": dial tcp 10.1.2.3:8545: connect: connection refused`)
}

func (f *secretOutage) CallContract(ctx context.Context, msg ethereum.CallMsg, block *big.Int) ([]byte, error) {
	if f.down.Load() {
		return nil, f.err()
	}
	out, err := f.Client.CallContract(ctx, msg, block)
	if len(msg.Data) >= 4 && bytes.Equal(msg.Data[:4], f.last) {
		f.down.Store(true)
	}
	return out, err
}

func (f *secretOutage) BlockNumber(ctx context.Context) (uint64, error) {
	if f.down.Load() {
		return 0, f.err()
	}
	return f.Client.BlockNumber(ctx)
}

func (f *secretOutage) HeaderByNumber(ctx context.Context, n *big.Int) (*types.Header, error) {
	if f.down.Load() {
		return nil, f.err()
	}
	return f.Client.HeaderByNumber(ctx, n)
}

func (f *secretOutage) BalanceAt(ctx context.Context, a common.Address, n *big.Int) (*big.Int, error) {
	if f.down.Load() {
		return nil, f.err()
	}
	return f.Client.BalanceAt(ctx, a, n)
}

// A chain client's errors reach neither /readyz nor a submission's status (its
// reason, its wait, its history): they say "chain endpoint unavailable" and the
// endpoint's error goes to the node's log.
func TestChainErrorsStayInTheLog(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle}, 1, 64)
	good := measurement(0x11)
	pol := testPolicy(t, "chain-secret", 600, good)
	e.registerPolicy(t, pol)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	rpc := &secretOutage{Client: e.client, last: e.reg.PackMachineOfKey(common.Address{})[:4]}
	var logs lockedBuffer
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, rpc: rpc, collWait: 3 * time.Second, logs: &logs})
	machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	a := e.newAgent(t, snp, machine)
	ch := a.challenge(t, n)
	code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, nil))
	if code != 202 {
		t.Fatalf("submit: HTTP %d: %s", code, res.Error)
	}
	if !rpc.down.Load() {
		t.Fatal("the endpoint is still up after the submission's reads")
	}
	var bodies []string
	var waited, readyDown bool
	var last api.SubmissionView
	if !eventually(30*time.Second, 50*time.Millisecond, func() bool {
		status, err := httpGetText(n.url + "/v1/submissions/" + res.ID)
		if err != nil {
			t.Fatal(err)
		}
		ready, err := httpGetText(n.url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, status, ready)
		readyDown = readyDown || strings.Contains(ready, "chain unreachable: chain endpoint unavailable")
		last = api.SubmissionView{}
		if err := json.Unmarshal([]byte(status), &last); err != nil {
			t.Fatalf("status %q: %v", status, err)
		}
		waited = waited || strings.Contains(last.Waiting, "chain endpoint unavailable")
		return last.State == "failed" && readyDown
	}) {
		t.Fatalf("submission %s (%s), /readyz saw the outage: %v", last.State, last.Reason, readyDown)
	}
	if !waited || !strings.Contains(last.Reason, "no verdict: chain endpoint unavailable") {
		t.Errorf("waiting seen: %v; failed with %q, want the chain endpoint named unavailable", waited, last.Reason)
	}
	all := strings.Join(bodies, "\n")
	for _, part := range outageParts {
		if strings.Contains(all, part) {
			t.Errorf("an answer quotes %q:\n%s", part, grepLines(all, part))
		}
	}
	if !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("the endpoint's error is not in the node's log:\n%s", logs.String())
	}
}
