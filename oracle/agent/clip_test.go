package agent

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/teeoracle/teeoracle/oracle/api"
)

// What a node says reaches the agent's errors and logs bounded: a 4 MiB error
// message, failure reason or report data makes an error of at most 1 KiB.
func TestNodeTextBounded(t *testing.T) {
	huge := strings.Repeat("é", 2<<20) // 4 MiB
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": huge[:4<<20-4<<10], "field": huge[:1<<10]})
	}))
	defer srv.Close()
	o, err := NewHTTPOracle(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.Challenge(t.Context(), common.Hash{1}, common.Address{2})
	var he *HTTPError
	if !errors.As(err, &he) || len(err.Error()) > 1024 || !strings.Contains(err.Error(), "éé") {
		t.Errorf("HTTP error of %d bytes (%.80s…), want at most 1 KiB keeping the message's start", len(err.Error()), err)
	}

	key, _ := crypto.GenerateKey()
	machine := common.HexToHash("0x11")
	base := goodChallenge(machine, crypto.PubkeyToAddress(key.PublicKey))
	reasons := make([]string, 10000)
	for i := range reasons {
		reasons[i] = huge[:1000]
	}
	for name, tc := range map[string]struct {
		ch   func(*api.Challenge)
		view api.SubmissionView
	}{
		"failure reason":  {func(*api.Challenge) {}, api.SubmissionView{ID: "s1", State: "failed", Reason: huge, Reasons: reasons}},
		"submission id":   {func(*api.Challenge) {}, api.SubmissionView{ID: huge, State: "failed", Reason: "x"}},
		"challenge bytes": {func(c *api.Challenge) { c.ReportData = huge }, api.SubmissionView{}},
	} {
		t.Run(name, func(t *testing.T) {
			so := &stubOracle{ch: base, view: tc.view}
			tc.ch(&so.ch)
			a, err := New(Config{MachineID: machine, Registry: base.Registry, ChainID: base.ChainID, Key: key, Source: snpSource(t), Oracle: so})
			if err != nil {
				t.Fatal(err)
			}
			_, err = a.Attest(t.Context())
			if err == nil || len(err.Error()) > 1024 {
				t.Errorf("error of %d bytes, want at most 1 KiB: %.200s", len(err.Error()), err)
			}
		})
	}
}
