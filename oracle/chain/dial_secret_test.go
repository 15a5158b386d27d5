package chain_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/teeoracle/teeoracle/oracle/chain"
)

// The credentials an RPC URL may carry, each in its own test URL.
const (
	pathKey  = "PATHKEY0123456789abcdef"
	queryKey = "QUERYKEY0123456789abcdef"
	userName = "USERNAME0123456789"
	password = "PASSWORD0123456789"
)

// secretURLs puts each kind of credential into a URL at base (scheme://host:port).
func secretURLs(base string) map[string]string {
	return map[string]string{
		"path key":  base + "/v3/" + pathKey,
		"query key": base + "/?apikey=" + queryKey,
		"user info": strings.Replace(base, "://", "://"+userName+":"+password+"@", 1),
	}
}

func assertNoSecret(t *testing.T, what, text, host string) {
	t.Helper()
	basic := base64.StdEncoding.EncodeToString([]byte(userName + ":" + password))
	for _, s := range []string{pathKey, queryKey, userName, password, basic} {
		if strings.Contains(text, s) {
			t.Errorf("%s holds the secret %s: %s", what, s, text)
		}
	}
	if !strings.Contains(text, host) {
		t.Errorf("%s does not name the endpoint's host %s: %s", what, host, text)
	}
}

// A chain client dialled at an RPC URL with a key in its path, its query or its
// user info never shows the key in an error, whatever the endpoint does (refuse
// the connection, answer 500 quoting the request, redirect to a URL with the key,
// hang), and its errors still name the endpoint's host.
func TestDialClientErrorsHoldNoSecret(t *testing.T) {
	// What the endpoint answers, by behaviour; each quotes the URL it was asked at
	// and the credentials it was sent.
	echo := func(r *http.Request) string {
		u, p, _ := r.BasicAuth()
		return r.URL.String() + " user=" + u + " password=" + p + " authorization=" + r.Header.Get("Authorization")
	}
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	servers := map[string]http.HandlerFunc{
		"500": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no such project: "+echo(r), http.StatusInternalServerError)
		},
		"401": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"error":"invalid key `+echo(r)+`"}`, http.StatusUnauthorized)
		},
		"redirect": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://"+r.Host+r.URL.String()+"/moved", http.StatusPermanentRedirect)
		},
		"hang": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // so that the server sees the client go
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		},
	}
	endpoints := map[string]string{}
	for name, h := range servers {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		endpoints[name] = srv.URL
	}
	// A port nothing listens on: a listener's, closed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoints["refused"] = "http://" + l.Addr().String()
	endpoints["ws refused"] = "ws://" + l.Addr().String()
	_ = l.Close()
	endpoints["ws 500"] = "ws://" + strings.TrimPrefix(endpoints["500"], "http://")

	for ename, base := range endpoints {
		host := strings.SplitN(base, "://", 2)[1]
		for uname, rawURL := range secretURLs(base) {
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			c, err := chain.DialClient(ctx, rawURL)
			if err == nil {
				_, err = c.ChainID(ctx)
				c.Close()
			}
			cancel()
			if err == nil {
				t.Errorf("%s, %s: no error", ename, uname)
				continue
			}
			assertNoSecret(t, ename+", "+uname+": the error", err.Error(), host)
		}
	}
}

// The client sends its requests to the URL as given, path, query and user info
// (as basic authentication) included, though its errors never show them.
func TestDialClientSendsToTheRealURL(t *testing.T) {
	var got struct{ path, query, user, password string }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.path, got.query = r.URL.Path, r.URL.RawQuery
		got.user, got.password, _ = r.BasicAuth()
		var req struct {
			ID json.RawMessage `json:"id"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": "0x7a69"})
	}))
	defer srv.Close()
	rawURL := strings.Replace(srv.URL, "://", "://"+userName+":"+password+"@", 1) + "/v3/" + pathKey + "?apikey=" + queryKey
	c, err := chain.DialClient(context.Background(), rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	id, err := c.ChainID(context.Background())
	if err != nil || id.Int64() != 31337 {
		t.Fatalf("ChainID = %v, %v", id, err)
	}
	if got.path != "/v3/"+pathKey || got.query != "apikey="+queryKey || got.user != userName || got.password != password {
		t.Errorf("endpoint was asked at path %q, query %q, user %q, password %q", got.path, got.query, got.user, got.password)
	}
	// A URL that does not parse is refused without quoting it.
	if _, err := chain.DialClient(context.Background(), "http://h:badport/"+pathKey); err == nil || strings.Contains(err.Error(), pathKey) {
		t.Errorf("unparsable URL: %v", err)
	}
}

// jsonRPCErrorServer answers every request with HTTP 200 and a JSON-RPC error
// whose message and data quote the URL it was asked at and the credentials it was
// sent, as a provider refusing a key may.
func jsonRPCErrorServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID json.RawMessage `json:"id"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		u, p, _ := r.BasicAuth()
		echo := "asked at " + r.URL.String() + " as user " + u + " password " + p + " authorization " + r.Header.Get("Authorization")
		_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID,
			"error": map[string]any{"code": -32001, "message": "project not found: " + echo, "data": "detail: " + echo}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A JSON-RPC error answered with HTTP 200 quoting the key (in the path, the query,
// the user info or the Basic credential) reaches the caller without it, in its
// message and its data, and the rest of the message stays readable.
func TestDialClientJSONRPCErrorHoldsNoSecret(t *testing.T) {
	srv := jsonRPCErrorServer(t)
	for uname, rawURL := range secretURLs(srv.URL) {
		c, err := chain.DialClient(context.Background(), rawURL)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.BlockNumber(context.Background())
		c.Close()
		if err == nil {
			t.Fatalf("%s: no error", uname)
		}
		var de rpc.DataError
		if !errors.As(err, &de) {
			t.Fatalf("%s: %v is not a JSON-RPC error with data", uname, err)
		}
		data, _ := de.ErrorData().(string)
		for what, text := range map[string]string{"message": err.Error(), "data": data} {
			assertNoSecret(t, uname+": the error's "+what, text, "asked at /")
			if !strings.Contains(text, "as user ") || !strings.Contains(text, " password ") {
				t.Errorf("%s: the error's %s lost the endpoint's words: %s", uname, what, text)
			}
		}
		if !strings.Contains(err.Error(), "project not found: asked at /") {
			t.Errorf("%s: the error lost the endpoint's message: %v", uname, err)
		}
	}
}

// A large result (a 1 MiB eth_call answer full of near-copies of the URL's key)
// passes through the key-cutting transport byte for byte.
func TestDialClientLargeResultIntact(t *testing.T) {
	const hexKey = "0123456789abcdef0123456789abcdef"
	near, err := hex.DecodeString(hexKey[:30] + "00") // the key but its last 2 characters
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var want []byte
	for len(want) < 1<<20 {
		chunk := make([]byte, 1+rng.IntN(1000))
		for i := range chunk {
			chunk[i] = byte(rng.Uint32())
		}
		want = append(append(want, chunk...), near...)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID json.RawMessage `json:"id"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": hexutil.Bytes(want)})
	}))
	defer srv.Close()
	rawURL := strings.Replace(srv.URL, "://", "://"+userName+":"+password+"@", 1) + "/v3/" + hexKey + "?apikey=" + queryKey
	c, err := chain.DialClient(context.Background(), rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	to := common.HexToAddress("0x01")
	got, err := c.CallContract(context.Background(), ethereum.CallMsg{To: &to}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("eth_call result: %d bytes, want the %d bytes sent", len(got), len(want))
	}
}

// A user name or password short enough to occur in a result (here "a", a hex
// digit, and "rpc", part of the "jsonrpc" member) is not cut out of 2xx answers,
// which it would corrupt, but still out of non-2xx ones.
func TestDialClientShortCredentials(t *testing.T) {
	var fail atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID json.RawMessage `json:"id"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		if fail.Load() {
			u, p, _ := r.BasicAuth()
			http.Error(w, "refused ["+u+"] ["+p+"]", http.StatusUnauthorized)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": "0x7a69"})
	}))
	defer srv.Close()
	c, err := chain.DialClient(context.Background(), strings.Replace(srv.URL, "://", "://a:rpc@", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if id, err := c.ChainID(context.Background()); err != nil || id.Int64() != 31337 {
		t.Errorf("ChainID = %v, %v; want 31337", id, err)
	}
	fail.Store(true)
	_, err = c.ChainID(context.Background())
	if err == nil || !strings.Contains(err.Error(), "refused [...] [...]") {
		t.Errorf("non-2xx error %v, want the user name and password cut out", err)
	}
}
