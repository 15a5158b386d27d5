package web_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/bindings"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/web"
)

// TestABIConstants: the selectors, topics and signatures the page uses
// (static/abi.json) are the deployed contract's, so a change to the contract that
// the page does not follow fails here rather than in a browser.
func TestABIConstants(t *testing.T) {
	a, err := bindings.TeeRegistryMetaData.ParseABI()
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Functions map[string]struct{ Signature, Selector string }
		Events    map[string]struct{ Signature, Topic string }
	}
	if err := json.Unmarshal(mustRead(t, filepath.Join("static", "abi.json")), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Functions) == 0 || len(page.Events) == 0 {
		t.Fatal("abi.json lists nothing")
	}
	for name, f := range page.Functions {
		m, ok := a.Methods[name]
		if !ok {
			t.Errorf("function %s is not in the contract", name)
			continue
		}
		if m.Sig != f.Signature || "0x"+common.Bytes2Hex(m.ID) != f.Selector {
			t.Errorf("function %s: page has %s %s, contract %s 0x%x", name, f.Signature, f.Selector, m.Sig, m.ID)
		}
	}
	for name, ev := range page.Events {
		e, ok := a.Events[name]
		if !ok {
			t.Errorf("event %s is not in the contract", name)
			continue
		}
		if e.Sig != ev.Signature || e.ID.Hex() != ev.Topic {
			t.Errorf("event %s: page has %s %s, contract %s %s", name, ev.Signature, ev.Topic, e.Sig, e.ID.Hex())
		}
	}
	// The page decodes machine() as ten static words and VerdictAccepted's data as seven.
	if out := a.Methods["machine"].Outputs; len(out) != 1 || len(out[0].Type.TupleElems) != 10 {
		t.Errorf("machine() returns %v, the page reads ten fields", out)
	}
	if in := a.Events["VerdictAccepted"].Inputs.NonIndexed(); len(in) != 7 {
		t.Errorf("VerdictAccepted has %d data fields, the page reads seven", len(in))
	}
}

func TestNewRejects(t *testing.T) {
	reg := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	for name, o := range map[string]web.Options{
		"no RPC URL":       {Registry: reg},
		"relative RPC URL": {RPCURL: "/rpc", Registry: reg},
		"ws RPC URL":       {RPCURL: "ws://127.0.0.1:8545", Registry: reg},
		"no registry":      {RPCURL: "http://127.0.0.1:8545"},
		"bad oracle API":   {RPCURL: "http://127.0.0.1:8545", Registry: reg, OracleAPI: "oracle:8080"},
		// Hosts that would add to the page's Content-Security-Policy.
		"RPC host with ;":        {RPCURL: "http://rpc.example;script-src*/", Registry: reg},
		"RPC host with ,":        {RPCURL: "http://rpc.example,evil.example/", Registry: reg},
		"RPC host with quote":    {RPCURL: "http://rpc.example'unsafe-inline'/", Registry: reg},
		"RPC host with *":        {RPCURL: "http://*.example/", Registry: reg},
		"oracle API host with ;": {RPCURL: "http://127.0.0.1:8545", Registry: reg, OracleAPI: "https://oracle.example;x/"},
		"oracle API host with &": {RPCURL: "http://127.0.0.1:8545", Registry: reg, OracleAPI: "https://oracle&example/"},
		"unbracketed IPv6-ish":   {RPCURL: "http://[::1;]:8545/", Registry: reg},
		// Credentials would be handed to every visitor's browser.
		"RPC URL with password":        {RPCURL: "https://user:s3cretpass@rpc.example/", Registry: reg},
		"oracle API URL with password": {RPCURL: "http://127.0.0.1:8545", Registry: reg, OracleAPI: "https://u:s3cretpass@oracle.example/"},
		"unparsable URL with password": {RPCURL: "https://user:s3cretpass@rpc.example:port/", Registry: reg},
	} {
		_, err := web.New(o)
		if !errors.Is(err, web.ErrOptions) {
			t.Errorf("%s: err = %v, want ErrOptions", name, err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cretpass") {
			t.Errorf("%s: error shows the password: %v", name, err)
		}
	}
	// Hosts a CSP source may name: names, IPv4, bracketed IPv6, with ports.
	for _, u := range []string{"http://127.0.0.1:8545", "https://rpc.example-1.org/v2/key", "http://[::1]:8545/", "https://[2001:db8::1]/"} {
		if _, err := web.New(web.Options{RPCURL: u, Registry: reg, OracleAPI: u}); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

func get(t *testing.T, h http.Handler, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestHandler(t *testing.T) {
	reg := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	h, err := web.New(web.Options{RPCURL: "http://127.0.0.1:8545/", Registry: reg, FromBlock: 7, OracleAPI: "https://oracle.example/"})
	if err != nil {
		t.Fatal(err)
	}
	res, body := get(t, h, "/")
	if res.StatusCode != 200 || !strings.Contains(body, `<script type="module" src="app.mjs">`) {
		t.Fatalf("index: %d %.80s", res.StatusCode, body)
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"connect-src 'self' http://127.0.0.1:8545 https://oracle.example;", "'wasm-unsafe-eval'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "'unsafe-inline'") || strings.Contains(csp, "'unsafe-eval'") {
		t.Errorf("CSP allows inline or eval: %q", csp)
	}
	_, body = get(t, h, "/config.json")
	var cfg map[string]any
	if err := json.Unmarshal([]byte(body), &cfg); err != nil || cfg["registry"] != reg.Hex() || cfg["from_block"] != float64(7) ||
		cfg["oracle_api"] != "https://oracle.example" || cfg["rpc"] != "http://127.0.0.1:8545/" {
		t.Errorf("config.json %s (%v)", body, err)
	}
	if res, _ := get(t, h, "/app.mjs"); res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("app.mjs: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// Without a wasm build, the module's path says how to get one.
	if res, body := get(t, h, "/wasm/teeoracle.mjs"); res.StatusCode != 404 || !strings.Contains(body, "scripts/build-wasm") {
		t.Errorf("wasm without a build: %d %s", res.StatusCode, body)
	}
	h, err = web.New(web.Options{RPCURL: "http://127.0.0.1:8545", Registry: reg, Wasm: fstest.MapFS{"teeoracle.wasm": {Data: []byte("\x00asm")}}})
	if err != nil {
		t.Fatal(err)
	}
	if res, body := get(t, h, "/wasm/teeoracle.wasm"); res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/wasm" || body != "\x00asm" {
		t.Errorf("wasm: %d %s %q", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	// Mounted under a prefix, as teeoracle serve does.
	mux := http.NewServeMux()
	mux.Handle("/explorer/", http.StripPrefix("/explorer", h))
	if res, _ := get(t, mux, "/explorer/registry.mjs"); res.StatusCode != 200 {
		t.Errorf("under a prefix: %d", res.StatusCode)
	}
	if _, err := os.Stat(filepath.Join("static", "index.html")); err != nil {
		t.Fatal(err)
	}
	// A production explorer (no TestRoots) never tells the page about other roots.
	if _, body := get(t, h, "/config.json"); strings.Contains(body, "test_roots") || strings.Contains(body, "CERTIFICATE") {
		t.Errorf("config.json without test roots mentions some: %s", body)
	}
}

// TestTestRoots: test roots given to the explorer reach the page's config.json as
// PEM in the module's roots shape, with their label; incomplete ones are refused.
func TestTestRoots(t *testing.T) {
	reg := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	ark, ask, tdx := selfSigned(t, "test ARK"), selfSigned(t, "test ASK"), selfSigned(t, "test TDX root")
	roots := &web.TestRoots{Label: "devnet", SNP: []appraise.SNPRootSet{{ProductLine: "Milan", ARK: ark, ASK: ask}}, TDXRoot: tdx}
	h, err := web.New(web.Options{RPCURL: "http://127.0.0.1:8545", Registry: reg, TestRoots: roots})
	if err != nil {
		t.Fatal(err)
	}
	_, body := get(t, h, "/config.json")
	var cfg struct {
		TestRoots struct {
			Label string `json:"label"`
			Roots struct {
				SNP []struct {
					ProductLine string `json:"productLine"`
					ARK, ASK    string
					ASVK        *string `json:"asvk"`
				} `json:"snp"`
				TDXRoot string `json:"tdxRoot"`
			} `json:"roots"`
		} `json:"test_roots"`
	}
	if err := json.Unmarshal([]byte(body), &cfg); err != nil {
		t.Fatal(err)
	}
	r := cfg.TestRoots
	pemDER := func(s string) []byte {
		b, _ := pem.Decode([]byte(s))
		if b == nil || b.Type != "CERTIFICATE" {
			return nil
		}
		return b.Bytes
	}
	if r.Label != "devnet" || len(r.Roots.SNP) != 1 || r.Roots.SNP[0].ProductLine != "Milan" ||
		!bytes.Equal(pemDER(r.Roots.SNP[0].ARK), ark.Raw) || !bytes.Equal(pemDER(r.Roots.SNP[0].ASK), ask.Raw) ||
		r.Roots.SNP[0].ASVK != nil || !bytes.Equal(pemDER(r.Roots.TDXRoot), tdx.Raw) {
		t.Errorf("config.json test roots: %s", body)
	}
	for name, bad := range map[string]*web.TestRoots{
		"no label":        {SNP: roots.SNP, TDXRoot: tdx},
		"no TDX root":     {Label: "devnet", SNP: roots.SNP},
		"no SEV-SNP":      {Label: "devnet", TDXRoot: tdx},
		"no ARK":          {Label: "devnet", SNP: []appraise.SNPRootSet{{ProductLine: "Milan", ASK: ask}}, TDXRoot: tdx},
		"no intermediate": {Label: "devnet", SNP: []appraise.SNPRootSet{{ProductLine: "Milan", ARK: ark}}, TDXRoot: tdx},
		"no product line": {Label: "devnet", SNP: []appraise.SNPRootSet{{ARK: ark, ASK: ask}}, TDXRoot: tdx},
	} {
		if _, err := web.New(web.Options{RPCURL: "http://127.0.0.1:8545", Registry: reg, TestRoots: bad}); !errors.Is(err, web.ErrOptions) {
			t.Errorf("%s: err = %v, want ErrOptions", name, err)
		}
	}
}

func selfSigned(t *testing.T, cn string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
