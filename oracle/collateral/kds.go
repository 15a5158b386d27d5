//go:build !(js && wasm)

package collateral

// Not in the WebAssembly verifier (js/wasm): it fetches nothing, and net/http would
// add about 260 KB to the module (docs/wasm.md).

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DefaultKDSBaseURL is AMD's Key Distribution Service.
const DefaultKDSBaseURL = "https://kdsintf.amd.com"

// ErrKDSRequest is wrapped when a KDS request cannot be formed from its inputs.
var ErrKDSRequest = errors.New("invalid AMD KDS request")

// KDS gets AMD SEV-SNP collateral (VCEKs, cert chains, CRLs) from AMD's Key
// Distribution Service through a Cache, so each item is fetched once and then served
// from disk, also offline. It implements appraise.SNPCollateral.
type KDS struct {
	// Cache stores and fetches the items. Required.
	Cache *Cache
	// BaseURL defaults to DefaultKDSBaseURL.
	BaseURL string
}

func (k *KDS) base() string {
	if k.BaseURL == "" {
		return DefaultKDSBaseURL
	}
	return strings.TrimRight(k.BaseURL, "/")
}

func kdsLine(productLine string) error {
	switch productLine {
	case "Milan", "Genoa", "Turin":
		return nil
	}
	return fmt.Errorf("%w: unknown product line %q", ErrKDSRequest, productLine)
}

func kdsKind(vlek bool) string {
	if vlek {
		return "vlek"
	}
	return "vcek"
}

// VCEKURL returns the KDS URL of the VCEK for chipID at reportedTCB. Milan and Genoa
// name the chip by its 64-byte CHIP_ID and the TCB as blSPL, teeSPL, snpSPL, ucodeSPL
// from the Milan TCB_VERSION layout. Turin names the chip by the first 8 bytes of
// CHIP_ID and adds fmcSPL, reading the Turin layout (FMC, BL, TEE, SNP in bytes 0..3,
// microcode in byte 7); go-sev-guest v0.15.0's kds.VCEKCertURL knows only the first form.
func VCEKURL(baseURL, productLine string, chipID []byte, reportedTCB uint64) (string, error) {
	if err := kdsLine(productLine); err != nil {
		return "", err
	}
	if len(chipID) != 64 {
		return "", fmt.Errorf("%w: CHIP_ID is %d bytes, want 64", ErrKDSRequest, len(chipID))
	}
	b := func(i uint) uint8 { return uint8(reportedTCB >> (8 * i)) }
	if productLine == "Turin" {
		return fmt.Sprintf("%s/vcek/v1/Turin/%s?fmcSPL=%d&blSPL=%d&teeSPL=%d&snpSPL=%d&ucodeSPL=%d",
			baseURL, hex.EncodeToString(chipID[:8]), b(0), b(1), b(2), b(3), b(7)), nil
	}
	return fmt.Sprintf("%s/vcek/v1/%s/%s?blSPL=%d&teeSPL=%d&snpSPL=%d&ucodeSPL=%d",
		baseURL, productLine, hex.EncodeToString(chipID), b(0), b(1), b(6), b(7)), nil
}

// CRLURL returns the KDS URL of the CRL that productLine's ARK issues for its ASK
// (vlek false) or ASVK (vlek true).
func CRLURL(baseURL, productLine string, vlek bool) (string, error) {
	if err := kdsLine(productLine); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/%s/v1/%s/crl", baseURL, kdsKind(vlek), productLine), nil
}

// CertChainURL returns the KDS URL of productLine's ASK+ARK (vlek false) or ASVK+ARK
// bundle.
func CertChainURL(baseURL, productLine string, vlek bool) (string, error) {
	if err := kdsLine(productLine); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/%s/v1/%s/cert_chain", baseURL, kdsKind(vlek), productLine), nil
}

// VCEK returns the DER VCEK for chipID at reportedTCB. VCEKs never change, so a
// cached one is always served. A 4xx answer is charged to the cache's ceiling only;
// VCEKFor also charges a requester.
func (k *KDS) VCEK(ctx context.Context, productLine string, chipID []byte, reportedTCB uint64) ([]byte, error) {
	return k.VCEKFor(ctx, "", productLine, chipID, reportedTCB)
}

// VCEKFor is VCEK on behalf of requester (Cache.GetFor): chipID and reportedTCB come
// from a report whose signature is not checked yet, so a 4xx answer for them is
// charged to requester's share of the cache's bound on such answers, and one
// requester naming chips KDS does not know cannot keep the others' VCEKs from
// being fetched.
func (k *KDS) VCEKFor(ctx context.Context, requester, productLine string, chipID []byte, reportedTCB uint64) ([]byte, error) {
	u, err := VCEKURL(k.base(), productLine, chipID, reportedTCB)
	if err != nil {
		return nil, err
	}
	e, err := k.Cache.GetFor(ctx, requester, u, time.Time{})
	if err != nil {
		return nil, err
	}
	return e.Body, nil
}

// CRL returns the ARK-signed CRL for productLine's ASK or ASVK that is valid as of
// asOf, fetching a fresh one when the cache has none.
func (k *KDS) CRL(ctx context.Context, productLine string, vlek bool, asOf time.Time) ([]byte, error) {
	u, err := CRLURL(k.base(), productLine, vlek)
	if err != nil {
		return nil, err
	}
	e, err := k.Cache.Get(ctx, u, asOf)
	if err != nil {
		return nil, err
	}
	return e.Body, nil
}

// CertChain returns productLine's KDS cert_chain bundle (PEM: ASK or ASVK, then ARK).
// It is collateral to compare with the configured roots, never a trust anchor.
func (k *KDS) CertChain(ctx context.Context, productLine string, vlek bool) ([]byte, error) {
	u, err := CertChainURL(k.base(), productLine, vlek)
	if err != nil {
		return nil, err
	}
	e, err := k.Cache.Get(ctx, u, time.Time{})
	if err != nil {
		return nil, err
	}
	return e.Body, nil
}
