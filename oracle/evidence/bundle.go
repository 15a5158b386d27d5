package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Bundle is the oracle's JSON form of evidence, used by the HTTP API and the
// evidence archive (docs/evidence.md):
//
//	{
//	  "tee": "sev-snp" | "tdx",
//	  "evidence": "<base64: the raw report or quote>",
//	  "certificates": ["<base64: one DER certificate>", ...],
//	  "collateral": {"<name>": "<base64>", ...}
//	}
//
// Base64 is standard with padding (RFC 4648 section 4). "tee" and "evidence" are
// required and must agree; "certificates" and "collateral" are optional. Unknown
// fields are rejected, so a future field cannot be silently ignored by an older
// oracle. Collateral names are 1 to 64 characters of [a-z0-9._-]; values are opaque
// to this package.
type Bundle struct {
	TEE          string            `json:"tee"`
	Evidence     []byte            `json:"evidence"`
	Certificates [][]byte          `json:"certificates,omitempty"`
	Collateral   map[string][]byte `json:"collateral,omitempty"`
}

// maxCollateralName bounds collateral names: they become file names in the archive.
const maxCollateralName = 64

func validCollateralName(s string) bool {
	if len(s) == 0 || len(s) > maxCollateralName {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return s != "." && s != ".."
}

// parseBundle decodes and checks a bundle's JSON; Decode turns it into Evidence.
func parseBundle(name string, data []byte) (*Bundle, error) {
	var b Bundle
	if err := decodeJSONObject(data, &b, true); err != nil {
		return nil, fmt.Errorf("%s: bundle: %w", name, err)
	}
	if b.TEE == "" {
		return nil, fmt.Errorf("%s: bundle: %w: \"tee\" missing", name, ErrBadJSON)
	}
	if len(b.Evidence) == 0 {
		return nil, fmt.Errorf("%s: bundle: %w: \"evidence\" missing or empty", name, ErrBadJSON)
	}
	for k := range b.Collateral {
		if !validCollateralName(k) {
			return nil, fmt.Errorf("%s: bundle: %w: collateral name %q (want 1 to %d of [a-z0-9._-])", name, ErrBadJSON, k, maxCollateralName)
		}
	}
	return &b, nil
}

// MarshalBundle encodes e as a bundle. The output is deterministic: certificates
// in canonical order (ascending bytes, duplicates dropped), collateral by name,
// no insignificant white space.
func (e *Evidence) MarshalBundle() ([]byte, error) {
	if e.TEE != TEESEVSNP && e.TEE != TEETDX {
		return nil, fmt.Errorf("marshal bundle: tee %d: %w", e.TEE, ErrUnsupported)
	}
	for k := range e.Collateral {
		if !validCollateralName(k) {
			return nil, fmt.Errorf("marshal bundle: %w: collateral name %q", ErrBadJSON, k)
		}
	}
	b := Bundle{
		TEE:          e.TEE.String(),
		Evidence:     e.Raw,
		Certificates: canonicalDER(e.Certificates),
		Collateral:   e.Collateral,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&b); err != nil {
		return nil, fmt.Errorf("marshal bundle: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
