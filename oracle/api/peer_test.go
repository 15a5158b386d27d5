package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// fakeCosigner co-signs batches of the hashes in own and refuses the rest, as the
// node does with its store; it records every batch that reaches it.
type fakeCosigner struct {
	fakeBackend
	own   map[common.Hash]bool
	calls [][]common.Hash
	block chan struct{} // when set, BatchSignature waits for it to close
	in    chan struct{} // told when a call has entered
}

func (f *fakeCosigner) BatchSignature(ctx context.Context, hashes []common.Hash) (*BatchSignatureView, error) {
	f.mu.Lock()
	f.calls = append(f.calls, hashes)
	f.mu.Unlock()
	if f.in != nil {
		f.in <- struct{}{}
	}
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var missing []common.Hash
	for _, h := range hashes {
		if !f.own[h] {
			missing = append(missing, h)
		}
	}
	if len(missing) > 0 {
		return nil, &NotHeldError{Hashes: missing}
	}
	return &BatchSignatureView{Signature: "0x01", VerdictHashes: hashes}, nil
}

func hashList(n int) []string {
	out := make([]string, n)
	for i := range out {
		var h common.Hash
		h[0], h[1], h[31] = byte(i>>8), byte(i), 0xee
		out[i] = h.Hex()
	}
	return out
}

func batchBody(hs []string) []byte {
	b, _ := json.Marshal(map[string]any{"verdict_hashes": hs})
	return b
}

const batchPath = "/v1/peer/batch-signature"

func TestBatchSignatureSignsWhatTheNodeHolds(t *testing.T) {
	hs := hashList(3)
	fc := &fakeCosigner{own: map[common.Hash]bool{}}
	for _, h := range hs {
		fc.own[common.HexToHash(h)] = true
	}
	s := newTestServer(t, fc, nil)
	req := httptest.NewRequest("POST", batchPath, strings.NewReader(string(batchBody(hs))))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
	}
	var v BatchSignatureView
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || v.Signature != "0x01" {
		t.Fatalf("answer %s: %v", rec.Body, err)
	}
	if len(fc.calls) != 1 || len(fc.calls[0]) != 3 {
		t.Fatalf("backend calls %v", fc.calls)
	}
	for i, h := range hs {
		if fc.calls[0][i] != common.HexToHash(h) {
			t.Fatalf("backend got hash %d = %s, want %s (order kept)", i, fc.calls[0][i], h)
		}
	}
}

// A batch naming any verdict the node does not hold is refused with 422, naming
// exactly those verdicts.
func TestBatchSignatureNamesWhatTheNodeLacks(t *testing.T) {
	hs := hashList(4)
	fc := &fakeCosigner{own: map[common.Hash]bool{common.HexToHash(hs[0]): true, common.HexToHash(hs[2]): true}}
	s := newTestServer(t, fc, nil)
	req := httptest.NewRequest("POST", batchPath, strings.NewReader(string(batchBody(hs))))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("HTTP %d: %s, want 422", rec.Code, rec.Body)
	}
	var nb notHeldBody
	if err := json.Unmarshal(rec.Body.Bytes(), &nb); err != nil {
		t.Fatal(err)
	}
	want := []common.Hash{common.HexToHash(hs[1]), common.HexToHash(hs[3])}
	if nb.Field != "verdict_hashes" || len(nb.Missing) != 2 || nb.Missing[0] != want[0] || nb.Missing[1] != want[1] {
		t.Fatalf("422 body %+v, want missing %v", nb, want)
	}
}

func TestBatchSignatureBadInput(t *testing.T) {
	hs := hashList(2)
	upper := "0x" + strings.ToUpper(hs[0][2:]) // the same hash in upper case
	tests := []struct {
		name, ctype string
		body        []byte
		code        int
		field       string
	}{
		{"not json", "application/json", []byte("verdicts please"), 400, "body"},
		{"a list, not an object", "application/json", []byte(`["` + hs[0] + `"]`), 400, "body"},
		{"unknown field", "application/json", []byte(`{"verdict_hashes":["` + hs[0] + `"],"verdicts":[{}]}`), 400, "body"},
		{"data after the object", "application/json", append(batchBody(hs), []byte(`{}`)...), 400, "body"},
		{"no list", "application/json", []byte(`{}`), 400, "verdict_hashes"},
		{"null list", "application/json", []byte(`{"verdict_hashes":null}`), 400, "verdict_hashes"},
		{"empty list", "application/json", []byte(`{"verdict_hashes":[]}`), 400, "verdict_hashes"},
		{"too many", "application/json", batchBody(hashList(MaxBatchVerdicts + 1)), 400, "verdict_hashes"},
		{"short hash", "application/json", batchBody([]string{hs[0], "0x1234"}), 400, "verdict_hashes[1]"},
		{"hash without 0x", "application/json", batchBody([]string{hs[0][2:]}), 400, "verdict_hashes[0]"},
		{"not a string", "application/json", []byte(`{"verdict_hashes":[1]}`), 400, "body"},
		{"duplicate", "application/json", batchBody([]string{hs[0], hs[1], hs[0]}), 400, "verdict_hashes[2]"},
		{"duplicate in other case", "application/json", batchBody([]string{hs[0], upper}), 400, "verdict_hashes[1]"},
		{"wrong content type", "text/plain", batchBody(hs), 400, "Content-Type"},
		{"over the byte cap", "application/json", []byte(`{"verdict_hashes":["` + hs[0] + `"]` + strings.Repeat(" ", MaxBatchRequestBytes) + `}`), 413, "body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fc := &fakeCosigner{own: map[common.Hash]bool{}}
			s := newTestServer(t, fc, nil)
			code, eb, _ := do(t, s, "POST", batchPath, tc.ctype, tc.body)
			if code != tc.code || eb.Field != tc.field {
				t.Fatalf("HTTP %d field %q (%s), want %d field %q", code, eb.Field, eb.Error, tc.code, tc.field)
			}
			if len(fc.calls) != 0 {
				t.Fatal("bad input reached the backend")
			}
		})
	}
	t.Run("query parameters", func(t *testing.T) {
		fc := &fakeCosigner{own: map[common.Hash]bool{}}
		s := newTestServer(t, fc, nil)
		if code, eb, _ := do(t, s, "POST", batchPath+"?sign=all", "application/json", batchBody(hs)); code != 400 || eb.Field != "sign" {
			t.Fatalf("HTTP %d field %q, want 400 sign", code, eb.Field)
		}
	})
	t.Run("GET", func(t *testing.T) {
		s := newTestServer(t, &fakeCosigner{}, nil)
		if code, _, _ := do(t, s, "GET", batchPath, "", nil); code != http.StatusMethodNotAllowed {
			t.Fatalf("HTTP %d, want 405", code)
		}
	})
	t.Run("a backend that does not co-sign", func(t *testing.T) {
		s := newTestServer(t, &fakeBackend{}, nil)
		if code, _, _ := do(t, s, "POST", batchPath, "application/json", batchBody(hs)); code != http.StatusNotFound {
			t.Fatalf("HTTP %d, want 404", code)
		}
	})
	t.Run("backend failure is a 500 without its text", func(t *testing.T) {
		s := newTestServer(t, &failingCosigner{}, nil)
		code, eb, _ := do(t, s, "POST", batchPath, "application/json", batchBody(hs))
		if code != 500 || strings.Contains(eb.Error, "disk") {
			t.Fatalf("HTTP %d %q, want 500 without the backend's text", code, eb.Error)
		}
	})
}

type failingCosigner struct{ fakeBackend }

func (*failingCosigner) BatchSignature(context.Context, []common.Hash) (*BatchSignatureView, error) {
	return nil, errors.New("disk on fire")
}

// Co-signing requests in flight are bounded per client: past the bound a client is
// refused at once (429), and its requests in flight are served when released.
func TestBatchSignatureAdmission(t *testing.T) {
	hs := hashList(1)
	fc := &fakeCosigner{own: map[common.Hash]bool{common.HexToHash(hs[0]): true},
		block: make(chan struct{}), in: make(chan struct{}, maxCosignPerClient)}
	s := newTestServer(t, fc, nil)
	var wg sync.WaitGroup
	codes := make([]int, maxCosignPerClient)
	for i := range maxCosignPerClient {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest("POST", batchPath, strings.NewReader(string(batchBody(hs))))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			codes[i] = rec.Code
		}()
	}
	for range maxCosignPerClient {
		<-fc.in
	}
	code, eb, _ := do(t, s, "POST", batchPath, "application/json", batchBody(hs))
	if code != http.StatusTooManyRequests || !strings.Contains(eb.Error, "co-signing") {
		t.Fatalf("request past the client's bound: HTTP %d %q, want 429", code, eb.Error)
	}
	close(fc.block)
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("admitted request %d: HTTP %d", i, c)
		}
	}
}

func TestDecodeBatchRequestRoundTrip(t *testing.T) {
	hs := hashList(MaxBatchVerdicts)
	got, err := DecodeBatchRequest(batchBody(hs))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != MaxBatchVerdicts || len(batchBody(hs)) > MaxBatchRequestBytes {
		t.Fatalf("%d hashes decoded from %d bytes", len(got), len(batchBody(hs)))
	}
	for i := range hs {
		if got[i] != common.HexToHash(hs[i]) {
			t.Fatalf("hash %d = %s, want %s", i, got[i], hs[i])
		}
	}
}

// FuzzDecodeBatchRequest: any body either decodes to 1..MaxBatchVerdicts distinct
// hashes that encode back to a body decoding the same, or fails with a FieldError
// naming the field; nothing panics.
func FuzzDecodeBatchRequest(f *testing.F) {
	f.Add(batchBody(hashList(2)))
	f.Add(batchBody([]string{hashList(1)[0], hashList(1)[0]}))
	f.Add([]byte(`{"verdict_hashes":[]}`))
	f.Add(claimBody(hashList(2), common.Address{0x02}, 65))
	f.Add([]byte(`{"verdict_hashes":["0x12"]} x`))
	f.Add([]byte(`{"verdict_hashes":null,"x":1}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		hs, err := DecodeBatchRequest(body)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Fatalf("error %v is not a FieldError naming a field", err)
			}
			return
		}
		if len(hs) == 0 || len(hs) > MaxBatchVerdicts {
			t.Fatalf("accepted %d hashes", len(hs))
		}
		seen := map[common.Hash]bool{}
		strs := make([]string, len(hs))
		for i, h := range hs {
			if seen[h] {
				t.Fatalf("accepted %s twice", h)
			}
			seen[h] = true
			strs[i] = h.Hex()
		}
		again, err := DecodeBatchRequest(batchBody(strs))
		if err != nil || fmt.Sprint(again) != fmt.Sprint(hs) {
			t.Fatalf("re-encoded batch decodes to %v, %v; want %v", again, err, hs)
		}
	})
}

// fakeClaimer co-signs as fakeCosigner and takes relay claims whose signer is
// peer, refusing the others as the node does (a FieldError wrapping ErrForbidden).
type fakeClaimer struct {
	fakeCosigner
	peer   common.Address
	claims [][]common.Hash
}

func (f *fakeClaimer) NoteRelayClaim(hashes []common.Hash, c RelayClaim) error {
	if c.Signer != f.peer {
		return &FieldError{Field: "claim", Err: fmt.Errorf("%w: relay claim signer %s is not a configured peer oracle", ErrForbidden, c.Signer)}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.claims = append(f.claims, hashes)
	return nil
}

func claimBody(hs []string, signer common.Address, sigLen int) []byte {
	b, _ := json.Marshal(map[string]any{"verdict_hashes": hs,
		"claim": map[string]any{"signer": signer, "expires": 1_700_000_030, "signature": "0x" + strings.Repeat("11", sigLen)}})
	return b
}

const claimPath = "/v1/peer/relay-claim"

// TestRelayClaimEndpoint: a relay claim reaches the backend only well-formed; one
// the backend does not authenticate is answered 403 with its reason; a node whose
// backend takes no claims answers 404.
func TestRelayClaimEndpoint(t *testing.T) {
	hs := hashList(2)
	peer, stranger := common.Address{0x02}, common.Address{0x66}
	fc := &fakeClaimer{peer: peer}
	s := newTestServer(t, fc, nil)
	for name, tc := range map[string]struct {
		body  []byte
		code  int
		field string
		say   string
	}{
		"no claim":          {batchBody(hs), 400, "claim", "required"},
		"short signature":   {claimBody(hs, peer, 64), 400, "claim.signature", "64 bytes"},
		"no signer":         {claimBody(hs, common.Address{}, 65), 400, "claim.signer", "required"},
		"no hashes":         {claimBody(nil, peer, 65), 400, "verdict_hashes", "required"},
		"not a peer oracle": {claimBody(hs, stranger, 65), 403, "claim", "not a configured peer oracle"},
		"unknown claim key": {[]byte(`{"verdict_hashes":["` + hs[0] + `"],"claim":{"signer":"0x0200000000000000000000000000000000000000","expires":1,"signature":"0x` + strings.Repeat("11", 65) + `","x":1}}`), 400, "body", "unknown field"},
	} {
		code, eb, _ := do(t, s, "POST", claimPath, "application/json", tc.body)
		if code != tc.code || eb.Field != tc.field || !strings.Contains(eb.Error, tc.say) {
			t.Errorf("%s: HTTP %d field %q %q, want %d field %q saying %q", name, code, eb.Field, eb.Error, tc.code, tc.field, tc.say)
		}
	}
	if len(fc.claims) != 0 {
		t.Fatalf("refused claims reached the backend's record: %v", fc.claims)
	}
	if code, _, _ := do(t, s, "POST", claimPath, "application/json", claimBody(hs, peer, 65)); code != http.StatusNoContent || len(fc.claims) != 1 || len(fc.claims[0]) != 2 {
		t.Fatalf("peer's claim: HTTP %d, claims %v", code, fc.claims)
	}
	// A co-signing request is answered whatever its claim: co-signing is open to
	// anyone, and a refused claim only has no effect.
	fc.own = map[common.Hash]bool{common.HexToHash(hs[0]): true, common.HexToHash(hs[1]): true}
	if code, eb, _ := do(t, s, "POST", batchPath, "application/json", claimBody(hs, stranger, 65)); code != http.StatusOK {
		t.Fatalf("co-signing with a refused claim: HTTP %d %q", code, eb.Error)
	}
	if len(fc.claims) != 1 {
		t.Fatalf("a stranger's claim was recorded: %v", fc.claims)
	}
	plain := newTestServer(t, &fakeCosigner{}, nil)
	if code, _, _ := do(t, plain, "POST", claimPath, "application/json", claimBody(hs, peer, 65)); code != http.StatusNotFound {
		t.Fatalf("node without relay claims: HTTP %d, want 404", code)
	}
}
