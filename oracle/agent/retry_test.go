package agent

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/api"
	"github.com/teeoracle/teeoracle/oracle/verdict"
)

// busyOracle is stubOracle answering the first busy submissions and status reads
// with 429 and a Retry-After.
type busyOracle struct {
	stubOracle
	busy       int
	retryAfter time.Duration
	subFails   int
	viewFails  int
}

func (o *busyOracle) Submit(ctx context.Context, m common.Hash, k common.Address, b uint64, pop, bundle []byte) (*api.SubmitResult, error) {
	if o.subFails < o.busy {
		o.subFails++
		return nil, &HTTPError{Op: "submit evidence", Status: http.StatusTooManyRequests, RetryAfter: o.retryAfter}
	}
	return o.stubOracle.Submit(ctx, m, k, b, pop, bundle)
}

func (o *busyOracle) Submission(ctx context.Context, id string) (*api.SubmissionView, error) {
	if o.viewFails < o.busy {
		o.viewFails++
		return nil, &HTTPError{Op: "submission status", Status: http.StatusServiceUnavailable, RetryAfter: o.retryAfter}
	}
	return o.stubOracle.Submission(ctx, id)
}

// In a round, a busy node is asked again after its Retry-After at the earliest,
// with the backoff's growing, jittered waits, not at a fixed pace.
func TestRoundHonoursRetryAfter(t *testing.T) {
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	machine := common.HexToHash("0x11")
	base := goodChallenge(machine, addr)
	fixed := fixedEvidence(t, snpSource(t), base)
	v := verdict.Verdict{MachineID: machine, TEE: verdict.TEESEVSNP, Status: verdict.StatusTrusted, TEEKey: addr, IssuedAt: 1, ExpiresAt: 2,
		AnchorBlockNumber: 10, AnchorBlockHash: base.AnchorBlockHash, EvidenceHash: fixed.ev.Hash()}
	body, _ := json.Marshal(v)
	h := v.Digest(verdict.Domain{ChainID: base.ChainID, Registry: base.Registry})
	o := &busyOracle{stubOracle: stubOracle{ch: base, view: api.SubmissionView{ID: "s1", State: "confirmed", VerdictHash: &h},
		verdict: api.VerdictView{Hash: h, Verdict: body}}, busy: 3, retryAfter: 2 * time.Second}
	rnd := []float64{0.9, 0.1, 0.5, 0.3, 0.7, 0.2}
	a, err := New(Config{MachineID: machine, Registry: base.Registry, ChainID: base.ChainID, Key: key, Source: fixed, Oracle: o,
		Backoff: Backoff{Rand: func() float64 { r := rnd[0]; rnd = append(rnd[1:], r); return r }}})
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	a.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
	if _, err := a.Attest(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(waits) != 6 {
		t.Fatalf("waits %v, want 3 before the submission and 3 before its status", waits)
	}
	for _, part := range [][]time.Duration{waits[:3], waits[3:]} {
		if part[0] == part[1] && part[1] == part[2] {
			t.Errorf("waits %v all equal, want backoff", part)
		}
		for _, w := range part {
			if w < o.retryAfter {
				t.Errorf("wait %v shorter than the node's Retry-After %v (all %v)", w, o.retryAfter, waits)
			}
		}
	}
}

// The client reads Retry-After (seconds) into HTTPError, and a 2xx answer whose
// body does not decode is not retried as if the node were busy.
func TestHTTPOracleRetryAfterAndMalformedBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/challenge" {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte("{not json"))
	}))
	defer srv.Close()
	o, err := NewHTTPOracle(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.Challenge(t.Context(), common.Hash{1}, common.Address{2})
	he, ok := err.(*HTTPError)
	if !ok || he.RetryAfter != 7*time.Second || !isTemporary(err) {
		t.Errorf("429: %#v, want an HTTPError with RetryAfter 7s, temporary", err)
	}
	if _, err := o.Submission(t.Context(), "s1"); err == nil || isTemporary(err) {
		t.Errorf("malformed 2xx body: %v, temporary %v; want a permanent error", err, isTemporary(err))
	}
}
