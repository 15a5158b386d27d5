package service_test

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/internal/testchain"
	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// testKDS is a test-only AMD KDS over HTTP: the fake chip's VCEK and the ARK's CRL
// of a fakeSNP, 404 for anything else.
type testKDS struct {
	srv             *httptest.Server
	served          map[string][]byte
	vceks, notFound atomic.Int64
}

func newTestKDS(t *testing.T, snp *fakeSNP) *testKDS {
	t.Helper()
	k := &testKDS{served: map[string][]byte{}}
	k.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := k.served[k.srv.URL+r.URL.RequestURI()]
		if !ok {
			k.notFound.Add(1)
			http.NotFound(w, r)
			return
		}
		if strings.Contains(r.URL.Path, "/vcek/v1/Milan/") && !strings.HasSuffix(r.URL.Path, "/crl") {
			k.vceks.Add(1)
		}
		w.Write(body)
	}))
	t.Cleanup(k.srv.Close)
	vcek, err := collateral.VCEKURL(k.srv.URL, "Milan", snp.chipID[:], snp.tcb)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := collateral.CRLURL(k.srv.URL, "Milan", false)
	if err != nil {
		t.Fatal(err)
	}
	k.served[vcek] = snp.signer.Vcek.Raw
	k.served[crl] = snp.crls.crls[0].der
	return k
}

// TestE2EVCEKBudgetShared: machine A's provider floods the node with reports (no
// certificate table) naming random chip ids, each a VCEK that AMD KDS does not
// know (404). Once A has spent its share of the node's budget of such answers,
// its next report is put off; machine B's report, of another provider, still has
// its VCEK fetched from KDS and B is trusted on-chain. Before each requester had a
// share, A spent the whole budget and B's submission waited for collateral, then
// failed.
func TestE2EVCEKBudgetShared(t *testing.T) {
	t.Parallel()
	oracleKey, oracle := testchain.DevKey(1)
	providerA, _ := testchain.DevKey(2)
	providerB, _ := testchain.DevKey(3)
	e := newChain(t, []common.Address{oracle}, 1, 64)
	good := measurement(0x31)
	pol := testPolicy(t, "vcek-share", 600, good)
	e.registerPolicy(t, pol)
	snp := newFakeSNP(t, time.Now().Add(-24*time.Hour))
	kds := newTestKDS(t, snp)
	const budget, share = 4, 2
	cache, err := collateral.New(collateral.Options{Fetcher: &collateral.HTTPFetcher{}, UnknownBudget: budget,
		UnknownShare: share, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	n := startNode(t, e, nodeOpts{key: oracleKey, policy: pol, snp: snp,
		snpColl: &collateral.KDS{Cache: cache, BaseURL: kds.srv.URL}, collRetry: 300 * time.Millisecond, collWait: 3 * time.Second})

	machineA := e.registerMachine(t, providerA, 1, verdict.TEESEVSNP)
	a := e.newAgent(t, snp, machineA)
	// A's reports until one is put off (at most one more than the whole budget).
	flooded := 0
	for ; flooded <= budget; flooded++ {
		var chip [64]byte
		if _, err := rand.Read(chip[:]); err != nil {
			t.Fatal(err)
		}
		ch := a.challenge(t, n)
		code, res := a.submit(t, n, ch.AnchorBlockNumber, a.evidenceFor(t, ch, good, func(o *reportOpts) {
			o.noVCEK, o.chipID = true, &chip
		}))
		if code != 202 {
			t.Fatalf("machine A's report %d: HTTP %d: %s", flooded, code, res.Error)
		}
		if v := settled(t, n, res.ID); v.Waiting != "" {
			if !strings.Contains(v.Waiting, "collateral unavailable") {
				t.Fatalf("machine A's report %d waits for %q, want collateral unavailable", flooded, v.Waiting)
			}
			break
		}
	}
	if flooded != share || kds.notFound.Load() != share {
		t.Errorf("machine A: report %d (from 0) put off, after %d KDS 404s; want report %d, after %d (its share)",
			flooded, kds.notFound.Load(), share, share)
	}

	machineB := e.registerMachine(t, providerB, 1, verdict.TEESEVSNP)
	b := e.newAgent(t, snp, machineB)
	ch := b.challenge(t, n)
	code, res := b.submit(t, n, ch.AnchorBlockNumber, b.evidenceFor(t, ch, good, func(o *reportOpts) { o.noVCEK = true }))
	if code != 202 {
		t.Fatalf("machine B: HTTP %d: %s", code, res.Error)
	}
	v := waitState(t, n, res.ID, 60*time.Second, "confirmed")
	if v.State != "confirmed" || v.Trusted == nil || !*v.Trusted {
		t.Fatalf("machine B's submission %+v: want trusted and confirmed", v)
	}
	if kds.vceks.Load() < 1 || !e.isTrusted(t, machineB) {
		t.Fatalf("machine B: %d VCEKs served by KDS, trusted on-chain %v; want its VCEK fetched and trusted",
			kds.vceks.Load(), e.isTrusted(t, machineB))
	}
}

// settled waits until submission id failed or waits for collateral.
func settled(t *testing.T, n *node, id string) api.SubmissionView {
	t.Helper()
	var v api.SubmissionView
	if !eventually(30*time.Second, 50*time.Millisecond, func() bool {
		v = waitState(t, n, id, 30*time.Second, "received", "failed")
		return v.State == "failed" || v.Waiting != ""
	}) {
		t.Fatalf("submission %s neither failed nor waits: %+v", id, v)
	}
	return v
}
