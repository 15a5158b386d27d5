package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"

	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/collateral"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/policy"
	"github.com/teeoracle/teeoracle/oracle/verifier"
)

// APIVersion is the version of the module's JavaScript interface (docs/wasm.md). It
// changes when a function or a field changes incompatibly.
const APIVersion = 2

// Error kinds the module reports, so that a page can tell the user what to fix.
const (
	kindRequest    = "request"    // the request JSON is malformed or incomplete
	kindEvidence   = "evidence"   // the evidence or a certificate cannot be decoded
	kindPolicy     = "policy"     // the policy does not parse
	kindCollateral = "collateral" // collateral missing, unreadable or of the other TEE
	kindRoots      = "roots"      // custom trusted roots are malformed (withRoots)
	kindInternal   = "internal"   // a bug: please report it
)

// module is the platform-independent part of the WebAssembly command, so that it is
// tested natively.
type module struct {
	v     *verifier.Verifier
	roots rootsInfo
}

// newModule returns the module under the vendors' production roots; withRoots
// derives one under custom roots.
func newModule(log *slog.Logger) (*module, error) {
	v, err := verifier.New(verifier.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	return &module{v: v, roots: vendorRoots}, nil
}

// outcome is one verify call's result: the report JSON, or an error and its kind.
type outcome struct {
	Report []byte
	Error  string
	Kind   string
}

// verify runs one request. A panic is turned into an "internal" error, because a
// panic would otherwise end the Go program and every later call would fail.
func (m *module) verify(ctx context.Context, requestJSON []byte) outcome {
	return verifyWith(ctx, m.v, requestJSON)
}

// verifyWith runs one request through v.
func verifyWith(ctx context.Context, v *verifier.Verifier, requestJSON []byte) (out outcome) {
	defer func() {
		if r := recover(); r != nil {
			out = outcome{Error: fmt.Sprintf("internal error: %v", r), Kind: kindInternal}
		}
	}()
	req, err := verifier.ParseRequest(requestJSON)
	if err != nil {
		return outcome{Error: err.Error(), Kind: kindRequest}
	}
	res, err := v.Verify(ctx, req)
	if err != nil {
		return outcome{Error: err.Error(), Kind: errorKind(err)}
	}
	b, err := json.Marshal(res.Report())
	if err != nil {
		return outcome{Error: "encode report: " + err.Error(), Kind: kindInternal}
	}
	return outcome{Report: b}
}

// errorKind classifies a Verify error by the sentinels it wraps.
func errorKind(err error) string {
	switch {
	case errors.Is(err, verifier.ErrCollateral), errors.Is(err, verifier.ErrNeedCollateral), errors.Is(err, collateral.ErrTDXCollateral):
		return kindCollateral
	case errors.Is(err, policy.ErrInvalid):
		return kindPolicy
	case errors.Is(err, appraise.ErrRoots):
		return kindRoots
	case errors.Is(err, verifier.ErrRequest):
		return kindRequest
	case errors.Is(err, evidence.ErrUnknownFormat), errors.Is(err, evidence.ErrTruncated), errors.Is(err, evidence.ErrUnsupported),
		errors.Is(err, evidence.ErrMalformed), errors.Is(err, evidence.ErrTrailingData), errors.Is(err, evidence.ErrTooLarge),
		errors.Is(err, evidence.ErrBadCertificate), errors.Is(err, evidence.ErrBadCertTable), errors.Is(err, evidence.ErrBadJSON),
		errors.Is(err, evidence.ErrTEEMismatch), errors.Is(err, evidence.ErrTDXQuote):
		return kindEvidence
	}
	return kindInternal
}

// versionInfo is what version() returns.
type versionInfo struct {
	API               int    `json:"api"`
	Module            string `json:"module"`
	Revision          string `json:"revision,omitempty"`
	Modified          bool   `json:"modified,omitempty"`
	Go                string `json:"go"`
	DefaultPolicyHash string `json:"default_policy_hash"`
	// Roots says which roots this instance trusts: the vendors' or custom ones.
	Roots rootsInfo `json:"roots"`
}

func (m *module) version() []byte {
	vi := versionInfo{API: APIVersion, Go: runtime.Version(), Roots: m.roots}
	if bi, ok := debug.ReadBuildInfo(); ok {
		vi.Module = bi.Main.Path + "@" + bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				vi.Revision = s.Value
			case "vcs.modified":
				vi.Modified = s.Value == "true"
			}
		}
	}
	if h, err := policy.Default().Hash(); err == nil {
		vi.DefaultPolicyHash = h.Hex()
	}
	b, _ := json.Marshal(vi) // a struct of strings, ints and bools always encodes
	return b
}
