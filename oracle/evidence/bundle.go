package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/teeoracle/teeoracle/internal/strictjson"
	"github.com/teeoracle/teeoracle/oracle/eventlog"
	"github.com/teeoracle/teeoracle/oracle/workload"
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
// oracle. Collateral names are those of BundleCollateralNames for the bundle's TEE;
// values are opaque to this package.
//
// A node archives the bundle as received, so every part of a submitted bundle is
// bounded (Decode): the whole JSON by MaxBundleSize, the evidence by
// MaxBundleEvidence, the certificates by MaxBundleCertificates of
// MaxBundleCertificate bytes each, and each collateral item by
// MaxBundleCollateralItem; whatever exceeds them is ErrTooLarge. Reading back what
// is archived (DecodeArchived) does not apply these bounds.
type Bundle struct {
	TEE          string            `json:"tee"`
	Evidence     []byte            `json:"evidence"`
	Certificates [][]byte          `json:"certificates,omitempty"`
	Collateral   map[string][]byte `json:"collateral,omitempty"`

	// TDX event logs (docs/evidence.md, "Event logs"): the CCEL ACPI table and its
	// log, and the agent's runtime log of RTMR extensions.
	CCELTable     []byte                  `json:"ccel_table,omitempty"`
	CCEL          []byte                  `json:"ccel,omitempty"`
	RuntimeEvents []eventlog.RuntimeEvent `json:"runtime_events,omitempty"`
	// Workload names what the VM runs (images, compose file); it is bound by a
	// runtime RTMR3 event (TDX) or HOST_DATA (SEV-SNP).
	Workload *workload.Description `json:"workload,omitempty"`
}

// maxCollateralName bounds collateral names: they become file names in the archive.
const maxCollateralName = 64

// Bounds of a bundle's parts. Real evidence is far below them: an SEV-SNP report is
// 1184 bytes, a TDX quote with its PCK chain about 5 KB, a certificate of either
// vendor under 2 KB, an AMD CRL a few KB.
const (
	// MaxBundleSize bounds a bundle's JSON, white space included.
	MaxBundleSize = 128 << 10
	// MaxBundleEvidence bounds the decoded "evidence" (report or quote).
	MaxBundleEvidence = 16 << 10
	// MaxBundleCertificates bounds the number of "certificates"; MaxBundleCertificate
	// the size of each.
	MaxBundleCertificates = 6
	MaxBundleCertificate  = 8 << 10
	// MaxBundleCollateralItem bounds each decoded "collateral" value.
	MaxBundleCollateralItem = 16 << 10
)

// BundleCollateralNames are the collateral names a bundle may carry, by TEE: the
// items an appraiser reads from the bundle (the SEV-SNP appraiser takes the ARK's
// CRL from it when its collateral source has none). Nothing else is accepted, so a
// bundle cannot carry data the oracle would archive without using it. A TDX
// appraisal takes its collateral from Intel PCS or the node's sources only.
var BundleCollateralNames = map[TEE][]string{
	TEESEVSNP: {"vcek_crl", "vlek_crl"},
	TEETDX:    nil,
}

func bundleCollateralAllowed(tee TEE, name string) bool {
	for _, n := range BundleCollateralNames[tee] {
		if n == name {
			return true
		}
	}
	return false
}

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

// bundleFields are Bundle's JSON names.
var bundleFields = []string{"tee", "evidence", "certificates", "collateral", "ccel_table", "ccel", "runtime_events", "workload"}

// parseBundle decodes and checks a bundle's JSON, whose top-level keys are keys;
// Decode turns it into Evidence. Unknown keys are refused as
// json.Decoder.DisallowUnknownFields would (names match case-insensitively; when
// bounded, a submission, they must match exactly and appear once), but
// data is decoded in place: a decoder would first copy it into its buffer. When
// bounded, the submission bounds apply too (checkBundleBounds).
func parseBundle(name string, data []byte, keys map[string]present, bounded bool) (*Bundle, error) {
	// A submission's keys are spelt exactly, each once (encoding/json folds case and
	// lets a repeated key win: one bundle read as another than its bytes say).
	// Archived bundles are read as they were accepted. The check skips the values'
	// bytes (json.Unmarshal below refuses what is not JSON).
	if bounded {
		if err := strictjson.CheckValidKeys(data, reflect.TypeFor[Bundle]()); err != nil {
			return nil, fmt.Errorf("%s: bundle: %w: %w", name, ErrBadJSON, err)
		}
	}
	for k := range keys {
		if !slices.ContainsFunc(bundleFields, func(f string) bool { return strings.EqualFold(f, k) }) {
			return nil, fmt.Errorf("%s: bundle: %w: json: unknown field %q", name, ErrBadJSON, k)
		}
	}
	var b Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("%s: bundle: %w: %w", name, ErrBadJSON, err)
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
	if bounded {
		if err := checkBundleBounds(name, &b); err != nil {
			return nil, err
		}
	}
	return &b, nil
}

// checkBundleBounds applies the submission bounds to a bundle: the size of its
// evidence, the number and size of its certificates, the names (BundleCollateralNames)
// and size of its collateral items.
func checkBundleBounds(name string, b *Bundle) error {
	if len(b.Evidence) > MaxBundleEvidence {
		return fmt.Errorf("%s: bundle: %w: evidence of %d bytes, at most %d", name, ErrTooLarge, len(b.Evidence), MaxBundleEvidence)
	}
	if len(b.Certificates) > MaxBundleCertificates {
		return fmt.Errorf("%s: bundle: %w: %d certificates, at most %d", name, ErrTooLarge, len(b.Certificates), MaxBundleCertificates)
	}
	for i, c := range b.Certificates {
		if len(c) > MaxBundleCertificate {
			return fmt.Errorf("%s: bundle: %w: certificate %d of %d bytes, at most %d", name, ErrTooLarge, i, len(c), MaxBundleCertificate)
		}
	}
	tee, _ := ParseTEE(b.TEE)
	for k, v := range b.Collateral {
		if !bundleCollateralAllowed(tee, k) {
			return fmt.Errorf("%s: bundle: %w: collateral %q is not one a %s appraisal reads (accepted: %v)", name, ErrBadJSON, k, b.TEE, BundleCollateralNames[tee])
		}
		if len(v) > MaxBundleCollateralItem {
			return fmt.Errorf("%s: bundle: %w: collateral %q of %d bytes, at most %d", name, ErrTooLarge, k, len(v), MaxBundleCollateralItem)
		}
	}
	return nil
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
		Workload:     e.Workload,
	}
	if el := e.EventLog; el != nil {
		b.CCELTable, b.CCEL, b.RuntimeEvents = el.CCELTable, el.CCEL, el.Runtime
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&b); err != nil {
		return nil, fmt.Errorf("marshal bundle: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
