package service_test

import (
	"context"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/chain"
	"github.com/teeoracle/teeoracle/oracle/service"
	"github.com/teeoracle/teeoracle/oracle/store"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// barrierPeers are fake peers that answer a signature request only once every
// one of them has been asked: a node that asks its peers one after another never
// gets past the first (it times out as unreachable).
type barrierPeers struct {
	mu      sync.Mutex
	arrived map[int]bool
	all     chan struct{}
	urls    []string
}

func newBarrierPeers(t *testing.T, n int) *barrierPeers {
	b := &barrierPeers{arrived: map[int]bool{}, all: make(chan struct{})}
	for i := range n {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case strings.HasSuffix(r.URL.Path, "/signature"):
				b.mu.Lock()
				if !b.arrived[i] {
					b.arrived[i] = true
					if len(b.arrived) == n {
						close(b.all)
					}
				}
				b.mu.Unlock()
				select {
				case <-b.all:
					http.NotFound(w, r)
				case <-r.Context().Done():
				}
			case r.Method == http.MethodPost:
				w.WriteHeader(http.StatusAccepted)
			case r.URL.Path == "/healthz":
				w.WriteHeader(http.StatusOK)
			default:
				http.NotFound(w, r)
			}
		}))
		t.Cleanup(srv.Close)
		b.urls = append(b.urls, srv.URL)
	}
	return b
}

// TestE2EPeersAskedTogether: a node gathering a 2-of-2 quorum asks both of its
// peers at once; each answers only after both were asked.
func TestE2EPeersAskedTogether(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	_, other := testchain.DevKey(4)
	provider, _ := testchain.DevKey(2)
	e := newChain(t, []common.Address{oracle, other}, 2, 32)
	good := measurement(0x11)
	pol := testPolicy(t, "peers", 600, good)
	e.registerPolicy(t, pol)
	machine := e.registerMachine(t, provider, 1, verdict.TEESEVSNP)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	peers := newBarrierPeers(t, 2)
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp, peers: peers.urls})
	a := e.newAgent(t, snp, machine)
	ch := a.challenge(t, n)
	code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, nil))
	if code != 202 {
		t.Fatalf("submit: HTTP %d: %s", code, res.Error)
	}
	var v api.SubmissionView
	asked := eventually(30*time.Second, 200*time.Millisecond, func() bool {
		v = api.SubmissionView{}
		if code := httpJSON(t, "GET", n.url+"/v1/submissions/"+res.ID, "", nil, &v); code != 200 {
			t.Fatalf("submission: HTTP %d", code)
		}
		return v.Quorum != nil && len(v.Quorum.Peers) == 2
	})
	if !asked {
		t.Fatalf("no quorum progress after 30 s: %+v", v)
	}
	for _, p := range v.Quorum.Peers {
		if p.Status != "pending" {
			t.Fatalf("peer %s: %s (%s), want pending: peers were not asked together", p.URL, p.Status, p.Detail)
		}
	}
}

// stuckRPC is a chain endpoint whose chain id request never returns until
// released, ignoring its context: a node starting on it is stuck inside the call.
type stuckRPC struct {
	*ethclient.Client
	entered chan struct{}
	once    sync.Once
	release chan struct{}
}

func (r *stuckRPC) ChainID(context.Context) (*big.Int, error) {
	r.once.Do(func() { close(r.entered) })
	<-r.release
	return nil, errors.New("endpoint down")
}

// TestStopWhileStartIsStuck: Stop returns while Start is blocked in a chain call
// that never returns, and the Start then gives up with ErrStopped.
func TestStopWhileStartIsStuck(t *testing.T) {
	t.Parallel()
	key, _ := testchain.DevKey(1)
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "node.db"), service.StoreOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cl, err := ethclient.Dial("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	rpc := &stuckRPC{Client: cl, entered: make(chan struct{}), release: make(chan struct{})}
	svc, err := service.New(service.Config{
		API:      api.Config{Listen: "127.0.0.1:0", RateLimit: -1},
		Registry: common.HexToAddress("0x1"), ChainID: 31337, OracleKey: key,
		Policy: testPolicy(t, "stuck", 600, measurement(1)), Appraiser: appraise.ByTEE{}, Store: st,
		TxManager: chain.TxManagerConfig{MaxFeeCap: big.NewInt(1e9)},
	}, rpc)
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan error, 1)
	go func() { started <- svc.Start(context.Background()) }()
	<-rpc.entered
	if err := svc.Stop(ctxT(t)); err != nil {
		t.Fatalf("stop: %v", err)
	}
	// Stop returned while Start is still inside the chain call: it did not wait on
	// Start. Now let the call return.
	close(rpc.release)
	if err := <-started; !errors.Is(err, service.ErrStopped) {
		t.Fatalf("start after stop: %v, want ErrStopped", err)
	}
	if !svc.Stopped() {
		t.Fatal("not stopped")
	}
}
