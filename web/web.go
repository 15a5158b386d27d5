// Package web serves the registry explorer: a static page (plain HTML and
// JavaScript modules, no build step) that reads a TeeRegistry from the chain's
// JSON-RPC and re-verifies verdicts in the browser with the WebAssembly verifier
// (docs/wasm.md). `teeoracle serve` and the devnet mount Handler.
package web

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/ethereum/go-ethereum/common"
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
	// archive the page re-verifies from. Empty means the origin serving the page.
	OracleAPI string
	// Wasm holds scripts/build-wasm's output (teeoracle.wasm, wasm_exec.js,
	// teeoracle.mjs), served under wasm/. Nil leaves re-verification unavailable:
	// the module is built, not committed, so it cannot be embedded here.
	Wasm fs.FS
}

// config is what the page reads from config.json.
type config struct {
	RPC       string `json:"rpc"`
	Registry  string `json:"registry"`
	FromBlock uint64 `json:"from_block"`
	OracleAPI string `json:"oracle_api"`
	Wasm      string `json:"wasm"`
}

// New returns the explorer's handler. Mount it at any path (with
// http.StripPrefix): the page uses relative URLs only.
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
	cfg, err := json.Marshal(config{RPC: opts.RPCURL, Registry: opts.Registry.Hex(), FromBlock: opts.FromBlock,
		OracleAPI: strings.TrimSuffix(opts.OracleAPI, "/"), Wasm: "wasm/teeoracle.mjs"})
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

// origin checks that u is an absolute http(s) URL and returns its origin, for the
// content security policy.
func origin(u, what string) (string, error) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", fmt.Errorf("%w: %s %q is not an absolute http(s) URL", ErrOptions, what, u)
	}
	return p.Scheme + "://" + p.Host, nil
}
