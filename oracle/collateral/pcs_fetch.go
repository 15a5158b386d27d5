//go:build !(js && wasm)

package collateral

// Not in the WebAssembly verifier (js/wasm): it fetches nothing, and go-tdx-guest's
// getter (net/http) would add about 260 KB to the module (docs/wasm.md).

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/go-tdx-guest/verify/trust"
)

// PCSFetcher fetches TDX collateral from Intel PCS (or a PCCS serving the same API)
// through go-tdx-guest's getter interface, so the transport, retries and tests are
// the caller's. It reads no clock.
type PCSFetcher struct {
	// Getter performs the HTTP GETs. Required: a nil Getter is an error, never a silent
	// default that reaches the network.
	Getter trust.HTTPSGetter
	// TDXBaseURL and SGXBaseURL default to Intel's v4 API
	// (https://api.trustedservices.intel.com/{tdx,sgx}/certification/v4).
	TDXBaseURL string
	SGXBaseURL string
	// RootCRLURL defaults to https://certificates.trustedservices.intel.com/IntelSGXRootCA.der.
	RootCRLURL string
}

// Default Intel PCS endpoints (the same as go-tdx-guest's pcs package uses).
const (
	DefaultPCSTDXBaseURL = "https://api.trustedservices.intel.com/tdx/certification/v4"
	DefaultPCSSGXBaseURL = "https://api.trustedservices.intel.com/sgx/certification/v4"
	DefaultIntelRootCRL  = "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"
)

// FetchTDX fetches TCB Info for fmspc, the TD QE Identity, the PCK CRL of ca and the
// root CA CRL. The getter interface takes no context, so ctx is checked between
// requests only.
func (f *PCSFetcher) FetchTDX(ctx context.Context, fmspc, ca string) (*TDXCollateral, error) {
	if f.Getter == nil {
		return nil, fmt.Errorf("%w: PCS fetcher has no getter", ErrTDXCollateral)
	}
	tdxBase := or(f.TDXBaseURL, DefaultPCSTDXBaseURL)
	sgxBase := or(f.SGXBaseURL, DefaultPCSSGXBaseURL)
	c := &TDXCollateral{}
	get := func(u string) (map[string][]string, []byte, error) {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		h, b, err := f.Getter.Get(u)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: GET %s: %w", ErrTDXCollateral, u, err)
		}
		return h, b, nil
	}
	signed := func(u, field string, headers []string) (SignedJSON, error) {
		h, body, err := get(u)
		if err != nil {
			return SignedJSON{}, err
		}
		chain, err := chainHeader(h, headers)
		if err != nil {
			return SignedJSON{}, fmt.Errorf("GET %s: %w", u, err)
		}
		sj, err := ParsePCSSignedJSON(body, field, chain)
		if err != nil {
			return SignedJSON{}, fmt.Errorf("GET %s: %w", u, err)
		}
		return sj, nil
	}
	var err error
	if c.TCBInfo, err = signed(tdxBase+"/tcb?fmspc="+url.QueryEscape(fmspc), pcsTCBInfoPhrase, pcsTCBInfoChainHeaders); err != nil {
		return nil, err
	}
	if c.QEIdentity, err = signed(tdxBase+"/qe/identity", pcsQEIdentityPhrase, pcsQEIdentityChainHeaders); err != nil {
		return nil, err
	}
	u := sgxBase + "/pckcrl?ca=" + url.QueryEscape(ca) + "&encoding=der"
	h, body, err := get(u)
	if err != nil {
		return nil, err
	}
	if c.PCKCRL, err = CRLToDER(body); err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if c.PCKCRLIssuerChain, err = chainHeader(h, pcsPCKCRLChainHeaders); err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	u = or(f.RootCRLURL, DefaultIntelRootCRL)
	if _, body, err = get(u); err != nil {
		return nil, err
	}
	if c.RootCACRL, err = CRLToDER(body); err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	return c, nil
}

// chainHeader finds the first of names in h, case-insensitively (getters other than
// net/http may not canonicalise header names).
func chainHeader(h map[string][]string, names []string) ([][]byte, error) {
	for _, want := range names {
		for k, v := range h {
			if strings.EqualFold(k, want) && len(v) > 0 {
				return ParseIssuerChain(v[0])
			}
		}
	}
	return nil, fmt.Errorf("%w: response has no %s header", ErrTDXCollateral, strings.Join(names, " or "))
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
