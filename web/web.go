// Package web serves the registry explorer: a static page (plain HTML and
// JavaScript modules, no build step) that reads a TeeRegistry from the chain's
// JSON-RPC and re-verifies verdicts in the browser with the WebAssembly verifier
// (docs/wasm.md). `teeoracle serve` and the devnet mount Handler.
package web

import (
	"bytes"
	"crypto/x509"
	"embed"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/teeoracle/teeoracle/oracle/appraise"
)

//go:embed static
var static embed.FS

// ErrOptions is wrapped by every error New returns for options it cannot use.
var ErrOptions = errors.New("invalid explorer options")

// Options configure the explorer.
type Options struct {
	// RPCURL is the chain's JSON-RPC endpoint as the browser reaches it (http or
	// https). Required.
	RPCURL string
	// Registry is the TeeRegistry's address. Required.
	Registry common.Address
	// FromBlock is the first block whose logs are read (the registry's deployment);
	// zero reads from genesis.
	FromBlock uint64
	// OracleAPI is the base URL of an oracle node's API (docs: oracle/api), whose
	// archive the page re-verifies from. Empty means the node serving the page at
	// /explorer/: the page reaches its API at ../v1/, relative to itself, so a path
	// prefix in front of the node is kept.
	OracleAPI string
	// Wasm holds scripts/build-wasm's output (teeoracle.wasm, wasm_exec.js,
	// teeoracle.mjs), served under wasm/. Nil leaves re-verification unavailable:
	// the module is built, not committed, so it cannot be embedded here.
	Wasm fs.FS
	// TestRoots, when set, are test-only roots (a devnet's) the page may also
	// re-verify under, after the vendors' production roots, labelling every verdict
	// reproduced only under them as such. Only the devnet sets them; `teeoracle
	// serve` never does, so a production explorer re-verifies under AMD's and
	// Intel's roots alone.
	TestRoots *TestRoots
}

// TestRoots are test-only trust anchors for the explorer's re-verification, in
// place of AMD's and Intel's roots for both TEEs. They are given to the page in
// config.json as PEM, in the shape of the WebAssembly module's roots option.
type TestRoots struct {
	// Label names them on the page ("devnet"); required.
	Label string
	// SNP are the SEV-SNP roots, one set per product line (an ARK and the ASK
	// and/or ASVK it signed); at least one.
	SNP []appraise.SNPRootSet
	// TDXRoot stands in for the Intel SGX Root CA; required.
	TDXRoot *x509.Certificate
}

// testRootsConfig is TestRoots as config.json carries them: the label, and the
// roots exactly as the module's load(source, {roots}) takes them.
type testRootsConfig struct {
	Label string        `json:"label"`
	Roots testRootsWire `json:"roots"`
}

type testRootsWire struct {
	SNP     []snpRootsWire `json:"snp"`
	TDXRoot string         `json:"tdxRoot"`
}

type snpRootsWire struct {
	ProductLine string `json:"productLine"`
	ARK         string `json:"ark"`
	ASK         string `json:"ask,omitempty"`
	ASVK        string `json:"asvk,omitempty"`
}

// config is the test roots' form in config.json. The module checks the
// certificates' signatures; here only their presence is checked, so that a devnet
// misconfiguration fails at start rather than in the page.
func (r *TestRoots) config() (*testRootsConfig, error) {
	if strings.TrimSpace(r.Label) == "" {
		return nil, fmt.Errorf("%w: test roots need a label", ErrOptions)
	}
	if len(r.SNP) == 0 || r.TDXRoot == nil {
		return nil, fmt.Errorf("%w: test roots need SEV-SNP roots and a TDX root: they replace the vendors' roots for both TEEs", ErrOptions)
	}
	out := &testRootsConfig{Label: r.Label, Roots: testRootsWire{TDXRoot: pemOf(r.TDXRoot)}}
	for i, s := range r.SNP {
		if s.ProductLine == "" || s.ARK == nil || (s.ASK == nil && s.ASVK == nil) {
			return nil, fmt.Errorf("%w: test SEV-SNP roots %d need a product line, an ARK and an ASK or ASVK", ErrOptions, i)
		}
		out.Roots.SNP = append(out.Roots.SNP, snpRootsWire{ProductLine: s.ProductLine, ARK: pemOf(s.ARK), ASK: pemOf(s.ASK), ASVK: pemOf(s.ASVK)})
	}
	return out, nil
}

func pemOf(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	var b bytes.Buffer
	_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}) // writes to memory
	return b.String()
}

// config is what the page reads from config.json.
type config struct {
	RPC       string `json:"rpc"`
	Registry  string `json:"registry"`
	FromBlock uint64 `json:"from_block"`
	OracleAPI string `json:"oracle_api"`
	Wasm      string `json:"wasm"`
	// TestRoots is present only when Options.TestRoots is set (the devnet).
	TestRoots *testRootsConfig `json:"test_roots,omitempty"`
}

// New returns the explorer's handler. Mount it at any path (with
// http.StripPrefix): the page reaches its own files by relative URLs. With
// Options.OracleAPI empty it reaches the oracle API at ../v1/ relative to the page,
// which is the node's API when the node serves the page at /explorer/ (under any
// prefix); mounted elsewhere, set OracleAPI.
func New(opts Options) (http.Handler, error) {
	rpc, err := origin(opts.RPCURL, "RPC URL")
	if err != nil {
		return nil, err
	}
	if opts.Registry == (common.Address{}) {
		return nil, fmt.Errorf("%w: registry address is required", ErrOptions)
	}
	connect := []string{"'self'", rpc}
	if opts.OracleAPI != "" {
		api, err := origin(opts.OracleAPI, "oracle API URL")
		if err != nil {
			return nil, err
		}
		connect = append(connect, api)
	}
	c := config{RPC: opts.RPCURL, Registry: opts.Registry.Hex(), FromBlock: opts.FromBlock,
		OracleAPI: strings.TrimSuffix(opts.OracleAPI, "/"), Wasm: "wasm/teeoracle.mjs"}
	if opts.TestRoots != nil {
		if c.TestRoots, err = opts.TestRoots.config(); err != nil {
			return nil, err
		}
	}
	cfg, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("explorer config: %w", err)
	}
	sub, err := fs.Sub(static, "static")
	if err != nil {
		return nil, fmt.Errorf("explorer files: %w", err)
	}
	mux := http.NewServeMux()
	files := http.FileServerFS(sub)
	mux.Handle("GET /", files)
	mux.HandleFunc("GET /config.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(cfg)
	})
	if opts.Wasm != nil {
		wasm := http.StripPrefix("/wasm", http.FileServerFS(opts.Wasm))
		mux.Handle("GET /wasm/", wasm)
	} else {
		mux.HandleFunc("GET /wasm/", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "the WebAssembly verifier is not served here: build it with scripts/build-wasm and give its directory to the server", http.StatusNotFound)
		})
	}
	// The page talks only to its origin, the chain and the oracle API; WebAssembly
	// compilation needs 'wasm-unsafe-eval', nothing needs inline script.
	csp := "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src " + strings.Join(connect, " ") +
		"; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		// Go's MIME table knows .wasm and .mjs only on some systems; the browser
		// needs both to compile while loading and to run modules.
		switch {
		case strings.HasSuffix(r.URL.Path, ".wasm"):
			h.Set("Content-Type", "application/wasm")
		case strings.HasSuffix(r.URL.Path, ".mjs"), strings.HasSuffix(r.URL.Path, ".js"):
			h.Set("Content-Type", "text/javascript; charset=utf-8")
		}
		mux.ServeHTTP(w, r)
	}), nil
}

// cspHost is a host a CSP source may name as is: a name or IPv4 address, or a
// bracketed IPv6 address, with an optional port. URL parsing admits more (';', ',',
// quotes, '*'), which in the Content-Security-Policy header would end the
// connect-src list or widen it.
var cspHost = regexp.MustCompile(`^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$`)

// origin checks that u is an absolute http(s) URL whose host a content security
// policy can name, and returns its origin, for that policy.
func origin(u, what string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		// The parser's error quotes the URL, which may hold a password.
		return "", fmt.Errorf("%w: %s is not a URL", ErrOptions, what)
	}
	if (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", fmt.Errorf("%w: %s %q is not an absolute http(s) URL", ErrOptions, what, p.Redacted())
	}
	// Every visitor's browser is given the URL (config.json) and calls it: a
	// password in it would be published.
	if p.User != nil {
		return "", fmt.Errorf("%w: %s %q holds a user name or password, which every visitor's browser would be given; use an endpoint the public may call", ErrOptions, what, p.Redacted())
	}
	if !cspHost.MatchString(p.Host) {
		return "", fmt.Errorf("%w: %s %q: host %q may hold only letters, digits, '.', '-' and a port, or a bracketed IPv6 address", ErrOptions, what, p.Redacted(), p.Host)
	}
	return p.Scheme + "://" + p.Host, nil
}
