package evidence

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// configfs-tsm provider names (the "provider" attribute of a report entry).
const (
	ProviderSEVGuest = "sev_guest"
	ProviderTDXGuest = "tdx_guest"
)

// ConfigFSReport is a configfs-tsm report (Linux /sys/kernel/config/tsm/report/*)
// written out as JSON. Field names are the configfs attribute names; JSON keys match
// them case-insensitively, so go-configfs-tsm's report.Response marshalled by
// encoding/json ({"Provider", "OutBlob", "AuxBlob"}) reads too. Blobs are strings in
// standard base64 (padded or not, or URL-safe) or hex (optionally 0x-prefixed).
// Keys other than these are ignored: tools add their own. Every attribute may carry
// the whitespace (the trailing newline) of the kernel's attribute file; it is
// dropped, so the decoded evidence and its hash do not depend on it.
type ConfigFSReport struct {
	Provider string `json:"provider"`
	// Generation is the entry's write counter; informational.
	Generation *uint64 `json:"generation,omitempty"`
	// OutBlob is the report (SEV-SNP) or quote (TDX). Required.
	OutBlob []byte `json:"outblob"`
	// AuxBlob is, for SEV-SNP, the certificate table; TDX has none.
	AuxBlob []byte `json:"auxblob,omitempty"`
	// InBlob is the 64 bytes of report data the guest asked for; informational.
	InBlob    []byte  `json:"inblob,omitempty"`
	PrivLevel *uint64 `json:"privlevel,omitempty"`
}

type configFSJSON struct {
	Provider   string   `json:"provider"`
	Generation flexUint `json:"generation"`
	OutBlob    blob     `json:"outblob"`
	AuxBlob    blob     `json:"auxblob"`
	InBlob     blob     `json:"inblob"`
	PrivLevel  flexUint `json:"privlevel"`
}

// ParseConfigFSReport reads configfs-tsm report JSON (see ConfigFSReport).
func ParseConfigFSReport(name string, data []byte) (*ConfigFSReport, error) {
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("%s: %w: %d bytes, at most %d", name, ErrTooLarge, len(data), MaxInputSize)
	}
	var j configFSJSON
	if err := decodeJSONObject(data, &j, false); err != nil {
		return nil, fmt.Errorf("%s: configfs-tsm report: %w", name, err)
	}
	if !j.OutBlob.set || len(j.OutBlob.b) == 0 {
		return nil, fmt.Errorf("%s: configfs-tsm report: %w: outblob missing or empty", name, ErrBadJSON)
	}
	return &ConfigFSReport{
		// The kernel's attribute files end with a newline, and tools that dump them
		// (cat, shell scripts) keep it: "sev_guest\n" is the provider sev_guest.
		Provider:   strings.TrimSpace(j.Provider),
		Generation: j.Generation.p,
		OutBlob:    j.OutBlob.b,
		AuxBlob:    j.AuxBlob.b,
		InBlob:     j.InBlob.b,
		PrivLevel:  j.PrivLevel.p,
	}, nil
}

// decodeJSONObject decodes exactly one JSON object from data into v, wrapping
// failures with ErrBadJSON. strict rejects unknown fields.
func decodeJSONObject(data []byte, v any, strict bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", ErrBadJSON, err)
	}
	if rest := data[dec.InputOffset():]; len(bytes.TrimSpace(rest)) != 0 {
		return fmt.Errorf("%w: %d bytes after the JSON object", ErrBadJSON, len(rest))
	}
	return nil
}

// blob is a byte string in JSON written as base64 or hex (see ConfigFSReport).
type blob struct {
	b   []byte
	set bool
}

func (x *blob) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("blob is not a string: %w", err)
	}
	b, err := decodeBlobString(s)
	if err != nil {
		return err
	}
	x.b, x.set = b, true
	return nil
}

// decodeBlobString decodes hex ("0x" prefix, or only hex digits in even number) or
// else base64 (standard or URL alphabet, padded or not). A string of hex digits is
// read as hex: for real evidence the two readings cannot both make sense, since
// base64 of a report or quote uses far more than sixteen letters.
func decodeBlobString(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		b, err := hex.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("0x-prefixed blob is not hex: %w", err)
		}
		return b, nil
	}
	if len(s)%2 == 0 && isHex(s) {
		return hex.DecodeString(s)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("blob of %d characters is neither hex nor base64", len(s))
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// flexUint is a non-negative integer written as a JSON number or a decimal string
// (configfs attributes are text files, and dumps keep them as text).
type flexUint struct{ p *uint64 }

func (x *flexUint) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	s := string(data)
	if len(s) > 0 && s[0] == '"' {
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not a non-negative integer: %w", err)
	}
	x.p = &v
	return nil
}
