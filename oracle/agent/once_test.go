package agent

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/api"
)

// AttestOnce gives up at the first failure no retry can cure (the node refuses
// the request, the challenge or the verdict) instead of retrying until a signal,
// so a first-boot check sees its error; AttestUntilDone keeps retrying (a provider
// may authorise the key later).
func TestAttestOnceStopsOnRefusal(t *testing.T) {
	key, _ := crypto.GenerateKey()
	machine := common.HexToHash("0x11")
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   int // requests before AttestOnce returns; 0: it must not return
	}{
		{"key not authorised", http.StatusUnprocessableEntity, `{"error":"tee key not authorized","field":"tee_key"}`, 1},
		{"bad request", http.StatusBadRequest, `{"error":"bad machine_id","field":"machine_id"}`, 1},
		{"unavailable", http.StatusServiceUnavailable, `{"error":"chain unavailable"}`, 0},
		{"stale anchor", http.StatusUnprocessableEntity, `{"error":"stale anchor","field":"anchor_block"}`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			o, err := NewHTTPOracle(srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			a, err := New(Config{MachineID: machine, Registry: common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3"), ChainID: 1337,
				Key: key, Source: snpSource(t), Oracle: o, Backoff: Backoff{Initial: time.Millisecond, Max: time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
			defer cancel()
			_, err = a.AttestOnce(ctx)
			var he *HTTPError
			switch {
			case tc.want > 0 && (!errors.As(err, &he) || he.Status != tc.status || ctx.Err() != nil || int(n.Load()) != tc.want):
				t.Errorf("err %v after %d requests (ctx %v), want HTTP %d after %d", err, n.Load(), ctx.Err(), tc.status, tc.want)
			case tc.want == 0 && (!errors.Is(err, context.DeadlineExceeded) || n.Load() < 2):
				t.Errorf("err %v after %d requests, want retries until the deadline", err, n.Load())
			}
			// Without Once the same refusal is retried until ctx ends.
			n.Store(0)
			ctx2, cancel2 := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel2()
			if _, err := a.AttestUntilDone(ctx2); !errors.Is(err, context.DeadlineExceeded) || n.Load() < 2 {
				t.Errorf("AttestUntilDone: err %v after %d requests, want retries until the deadline", err, n.Load())
			}
		})
	}
}

// The oracle URL's password never shows in what the agent prints or returns; a
// query or fragment, which the client would drop (or send where a token does not
// belong), is refused without quoting it.
func TestHTTPOracleRedactsURL(t *testing.T) {
	o, err := NewHTTPOracle("https://user:s3cret@oracle.example:8080/api/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.URL(); strings.Contains(got, "s3cret") || !strings.Contains(got, "oracle.example:8080/api") {
		t.Errorf("URL() = %q", got)
	}
	for _, raw := range []string{"https://oracle.example/?token=s3cret", "https://oracle.example/#s3cret",
		"ftp://user:s3cret@oracle.example", "https://user:s3cret@[oracle", "https://user:s3cret@"} {
		_, err := NewHTTPOracle(raw, nil)
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: err %v, want a refusal not quoting the secret", raw, err)
		}
	}
}

// failingOracle is a node that fails every submission, and cancels the round's
// context when a second one arrives (a retry).
type failingOracle struct {
	*stubOracle
	retried context.CancelFunc
}

func (o *failingOracle) Submit(ctx context.Context, m common.Hash, k common.Address, anchor uint64, ev, pop []byte) (*api.SubmitResult, error) {
	if o.submits > 0 {
		o.retried()
	}
	return o.stubOracle.Submit(ctx, m, k, anchor, ev, pop)
}

// A submission the node failed is its answer for the evidence: AttestOnce (--once)
// returns it at once, without a second submission, as a *SubmissionError that the
// command exits 2 on; AttestUntilDone submits again.
func TestAttestOnceStopsOnFailedSubmission(t *testing.T) {
	key, _ := crypto.GenerateKey()
	machine := common.HexToHash("0x11")
	for _, once := range []bool{true, false} {
		ctx, cancel := context.WithCancel(t.Context())
		so := &failingOracle{stubOracle: &stubOracle{ch: goodChallenge(machine, crypto.PubkeyToAddress(key.PublicKey)),
			view: api.SubmissionView{ID: "s1", State: "failed", Reason: "no quorum within 10m0s: 1 of 2 signatures"}}, retried: cancel}
		a, err := New(Config{MachineID: machine, Registry: so.ch.Registry, ChainID: so.ch.ChainID, Key: key, Source: snpSource(t),
			Oracle: so, Backoff: Backoff{Initial: time.Millisecond, Max: time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		if once {
			_, err = a.AttestOnce(ctx)
		} else {
			_, err = a.AttestUntilDone(ctx)
		}
		cancel()
		var se *SubmissionError
		switch {
		case once && (!errors.As(err, &se) || !errors.Is(err, ErrSubmissionFailed) || se.ID != "s1" || so.submits != 1):
			t.Errorf("AttestOnce: err %v after %d submissions, want the node's failure after 1", err, so.submits)
		case !once && (!errors.Is(err, context.Canceled) || so.submits != 2):
			t.Errorf("AttestUntilDone: err %v after %d submissions, want a retry", err, so.submits)
		}
	}
}
