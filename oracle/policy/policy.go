// Package policy holds the reference values and rules that turn an appraisal into a
// verdict, and the decision itself. A policy is a YAML or JSON file
// (docs/policy.md); its canonical hash is what the registry knows it by and what
// every verdict names. The decision is pure: the same appraisal, policy and inputs
// give the same verdict bytes on every node.
package policy

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"
	yaml2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/yaml"

	"github.com/teeoracle/teeoracle/internal/keccak"
	"github.com/teeoracle/teeoracle/internal/strictjson"
	"github.com/teeoracle/teeoracle/oracle/appraise"
	"github.com/teeoracle/teeoracle/oracle/workload"
)

// Version is the only policy format version this package reads.
const Version = 1

// DefaultValiditySeconds is how long a verdict is valid when the policy does not say:
// one day, so that machines re-attest daily.
const DefaultValiditySeconds = 24 * 60 * 60

// ErrInvalid is returned (wrapped) for a policy that cannot be read or that is
// inconsistent; the message names the field and what is wrong with it.
var ErrInvalid = errors.New("invalid policy")

// Hex is a byte string written as 0x-prefixed hex. It reads either case, with or
// without the prefix, and always writes lowercase with the prefix, so that the
// canonical form does not depend on how the file spelled it.
type Hex []byte

// MarshalJSON writes "0x" and lowercase hex.
func (h Hex) MarshalJSON() ([]byte, error) {
	return json.Marshal("0x" + hex.EncodeToString(h))
}

// UnmarshalJSON reads a hex string, with or without 0x.
func (h *Hex) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("hex value: %w", err)
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	b, err := hex.DecodeString(s)
	if err != nil {
		return fmt.Errorf("hex value %q: %w", s, err)
	}
	*h = b
	return nil
}

// Policy is a decoded policy file. A TEE section left out (nil) means evidence of
// that TEE is never trusted; a section present but empty applies that section's
// defaults, which are the strict ones. See docs/policy.md for each field.
type Policy struct {
	// Version must be 1.
	Version int `json:"version"`
	// Name is free text for people; it is part of the hash.
	Name string `json:"name,omitempty"`
	// ValiditySeconds is how long a verdict is valid from its issue time; 0 in a
	// file means DefaultValiditySeconds.
	ValiditySeconds uint64 `json:"validity_seconds"`
	// MaxCollateralAgeSeconds bounds how long ago each dated collateral item (CRLs,
	// TCB Info, QE Identity) may have been issued; 0 means no bound.
	MaxCollateralAgeSeconds uint64 `json:"max_collateral_age_seconds"`
	// ReportData says what the report data must be.
	ReportData ReportDataRule `json:"report_data"`
	// SNP holds the rules for AMD SEV-SNP evidence; nil means SNP is not accepted.
	SNP *SNPRules `json:"snp,omitempty"`
	// TDX holds the rules for Intel TDX evidence; nil means TDX is not accepted.
	TDX *TDXRules `json:"tdx,omitempty"`
}

// ReportDataRule says how the evidence's 64 bytes of report data are checked.
// Without Expected and without RequireBinding, the data is checked only when the
// decision's inputs carry a binding or expected report data.
type ReportDataRule struct {
	// Expected, when set, is the exact 64 bytes of report data required.
	Expected Hex `json:"expected,omitempty"`
	// RequireBinding makes a verdict untrusted (report_data_unbound) unless the
	// decision is given binding inputs or expected report data to check against.
	RequireBinding bool `json:"require_binding"`
}

// SNPTCB is a minimum per SEV-SNP TCB component. FMC exists on Turin only and is
// ignored for other product lines.
type SNPTCB struct {
	Bootloader uint8 `json:"bootloader"`
	TEE        uint8 `json:"tee"`
	SNP        uint8 `json:"snp"`
	Microcode  uint8 `json:"microcode"`
	FMC        uint8 `json:"fmc"`
}

// WorkloadRules are rules on the workload a VM runs, as its bound workload
// description names it (docs/evidence.md, "Containers"); both sections have them.
// Fields added after policy format 1 was first hashed are written in the
// canonical form only when set, so that older policies keep their hash.
type WorkloadRules struct {
	// AllowedImages ("sha256:<64 hex>"), when non-empty: the bound workload must
	// name at least one image and every image's digest must be listed.
	AllowedImages []string `json:"allowed_images,omitempty"`
	// AllowedComposeHashes (SHA-256, 32 bytes), when non-empty: the bound workload's
	// compose_sha256 must be listed.
	AllowedComposeHashes []Hex `json:"allowed_compose_hashes,omitempty"`
}

// SNPRules are the rules for SEV-SNP evidence. Every boolean's zero value is the
// strict choice.
type SNPRules struct {
	WorkloadRules
	// AllowedMeasurements (48 bytes each) and AllowedWorkloadIDs (32 bytes each):
	// when either is non-empty the evidence must match an entry of one of them.
	AllowedMeasurements []Hex `json:"allowed_measurements"`
	AllowedWorkloadIDs  []Hex `json:"allowed_workload_ids"`
	// AllowedHostData (32 bytes each), when non-empty, lists the accepted HOST_DATA.
	AllowedHostData []Hex `json:"allowed_host_data"`
	// AllowedSigningKeys, when non-empty, lists the accepted signing key types:
	// "vcek", "vlek".
	AllowedSigningKeys []string `json:"allowed_signing_keys"`
	// MinTCB is the lowest acceptable reported TCB, component by component.
	MinTCB SNPTCB `json:"min_tcb"`
	// AllowUncertifiedTCB accepts a reported TCB that differs from the TCB the VCEK
	// or VLEK certifies (by default they must be equal). MinTCB then applies to
	// both: each component of each must be at least the minimum.
	AllowUncertifiedTCB bool `json:"allow_uncertified_tcb"`
	// AllowDebug accepts guests whose policy allows debugging (bit 19).
	AllowDebug bool `json:"allow_debug"`
	// AllowMigrationAgent accepts guests whose policy allows a migration agent.
	AllowMigrationAgent bool `json:"allow_migration_agent"`
	// ForbidSMT rejects guests whose policy allows SMT (hyperthreading). SMT is
	// allowed by default because nearly every cloud host runs with it.
	ForbidSMT bool `json:"forbid_smt"`
}

// MaskRule requires value & Mask == Value, byte by byte, on an 8-byte field as the
// bytes appear in the quote (little-endian).
type MaskRule struct {
	Mask  Hex `json:"mask"`
	Value Hex `json:"value"`
}

// TDXRules are the rules for Intel TDX evidence.
type TDXRules struct {
	WorkloadRules
	// RequireReplayedRTMRs (0..3): these RTMRs must replay from the event logs sent
	// with the quote. Registers not listed (and not read by a rule below) may hold
	// unlogged extensions: they are reported, not refused.
	RequireReplayedRTMRs []int `json:"require_replayed_rtmrs,omitempty"`
	// AllowedKernelCmdlines, when non-empty: a kernel command line must be logged in
	// a replayed register and every one logged must be listed (exact strings).
	AllowedKernelCmdlines []string `json:"allowed_kernel_cmdlines,omitempty"`
	// AllowedMRConfigIDs (48 bytes each), when non-empty, lists accepted MRCONFIGIDs.
	AllowedMRConfigIDs []Hex `json:"allowed_mrconfigids,omitempty"`
	// AllowedMeasurements (MRTD, 48 bytes each) and AllowedWorkloadIDs: when either
	// is non-empty the evidence must match an entry of one of them.
	AllowedMeasurements []Hex `json:"allowed_measurements"`
	AllowedWorkloadIDs  []Hex `json:"allowed_workload_ids"`
	// AcceptedTCBStatuses are Intel's status names; empty in a file means
	// ["UpToDate"]. Revoked can never be accepted.
	AcceptedTCBStatuses []string `json:"accepted_tcb_statuses"`
	// MinTCBEvaluationNumber is the lowest acceptable tcbEvaluationDataNumber of
	// the TCB Info used.
	MinTCBEvaluationNumber uint32 `json:"min_tcb_evaluation_number"`
	// OutOfDateGraceSeconds accepts an OutOfDate TCB until this long after its TCB
	// date (OutOfDateConfigurationNeeded too, when ConfigurationNeeded is accepted).
	OutOfDateGraceSeconds uint64 `json:"out_of_date_grace_seconds"`
	// ForbiddenAdvisoryIDs rejects TCB levels carrying any of these advisories
	// (e.g. "INTEL-SA-00837").
	ForbiddenAdvisoryIDs []string `json:"forbidden_advisory_ids"`
	// AllowDebug accepts debuggable TDs (TD attribute bit 0).
	AllowDebug bool `json:"allow_debug"`
	// AllowedMRSEAM (48 bytes each), when non-empty, lists the accepted TDX modules.
	AllowedMRSEAM []Hex `json:"allowed_mrseam"`
	// TDAttributes and XFAM, when set, are mask rules on those 8-byte fields.
	TDAttributes *MaskRule `json:"td_attributes,omitempty"`
	XFAM         *MaskRule `json:"xfam,omitempty"`
}

// Default returns the policy used when none is given: authentic evidence of either
// TEE, debug forbidden, TDX TCB status UpToDate only, SNP reported TCB equal to the
// certified TCB, report data checked only against inputs the caller supplies.
func Default() *Policy {
	// Written out in normalized form; a test checks that it equals what Parse makes
	// of "version: 1, name: default, snp: {}, tdx: {}".
	return &Policy{
		Version:         Version,
		Name:            "default",
		ValiditySeconds: DefaultValiditySeconds,
		SNP: &SNPRules{
			AllowedMeasurements: []Hex{}, AllowedWorkloadIDs: []Hex{}, AllowedHostData: []Hex{},
			AllowedSigningKeys: []string{},
		},
		TDX: &TDXRules{
			AllowedMeasurements: []Hex{}, AllowedWorkloadIDs: []Hex{}, AllowedMRSEAM: []Hex{},
			AcceptedTCBStatuses: []string{appraise.TCBUpToDate.String()}, ForbiddenAdvisoryIDs: []string{},
		},
	}
}

// Parse decodes a policy from YAML or JSON (JSON is YAML). Unknown fields, duplicate
// keys and ill-formed values are errors that name the field; the result is
// normalized (defaults filled, hex lowercase, lists sorted) and validated.
func Parse(data []byte) (*Policy, error) {
	if err := singleDocument(data); err != nil {
		return nil, err
	}
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	var p Policy
	// Keys spelt exactly (encoding/json alone folds case: a policy read as
	// another than its text says).
	if err := strictjson.CheckKeys(js, reflect.TypeOf(p)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) { // More misses a trailing '}' or ']'
		return nil, fmt.Errorf("%w: more than one document", ErrInvalid)
	}
	if err := p.normalize(); err != nil {
		return nil, err
	}
	return &p, nil
}

// singleDocument fails unless data is exactly one YAML document.
// sigs.k8s.io/yaml (v1.6.0) converts only the first document and silently drops the
// rest, including trailing JSON after a complete object; a policy whose meaning
// hides in ignored bytes must not get a hash, so we count documents ourselves.
func singleDocument(data []byte) error {
	dec := yaml2.NewDecoder(bytes.NewReader(data))
	n := 0
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		n++
	}
	if n != 1 {
		return fmt.Errorf("%w: %d yaml documents, want exactly 1", ErrInvalid, n)
	}
	return nil
}

// tcbStatusByName maps Intel's status names to the registry's numbers.
func tcbStatusByName(name string) (appraise.TCBStatus, bool) {
	for s := appraise.TCBUpToDate; s <= appraise.TCBRevoked; s++ {
		if s.String() == name {
			return s, true
		}
	}
	return 0, false
}

// normalize fills defaults, checks every value and puts lists in canonical order, so
// that two files meaning the same policy have the same canonical form and hash.
func (p *Policy) normalize() error {
	if p.Version != Version {
		return badField("version", "is %d, this oracle reads version %d", p.Version, Version)
	}
	if p.ValiditySeconds == 0 {
		p.ValiditySeconds = DefaultValiditySeconds
	}
	// The registry stores times as uint64 seconds; a validity beyond ~100 years is
	// a typo, not a policy.
	if p.ValiditySeconds > 100*365*86400 {
		return badField("validity_seconds", "%d is more than 100 years", p.ValiditySeconds)
	}
	if err := checkText("name", p.Name); err != nil {
		return err
	}
	if n := len(p.ReportData.Expected); n != 0 && n != 64 {
		return badField("report_data.expected", "has %d bytes, want 64", n)
	}
	if p.SNP == nil && p.TDX == nil {
		return badField("snp, tdx", "neither section is present, so nothing could be trusted")
	}
	if p.SNP != nil {
		if err := p.SNP.normalize(); err != nil {
			return err
		}
	}
	if p.TDX != nil {
		return p.TDX.normalize()
	}
	return nil
}

// checkText refuses a string that is not valid UTF-8 or holds a control character
// (C0, DEL, C1) or a line or paragraph separator (U+2028, U+2029): YAML reads some
// of them differently from how the canonical JSON writes them (U+0085 becomes a
// space), so the policy would not hash as its own canonical form does, and none has
// a place in a name, a command line or an advisory id.
func checkText(field, s string) error {
	if !utf8.ValidString(s) {
		return badField(field, "%q is not valid UTF-8", s)
	}
	for i, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return badField(field, "%q holds the control character %U at byte %d", s, r, i)
		}
	}
	return nil
}

// badField is an ErrInvalid naming the policy field at fault.
func badField(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
}

// normalize checks the SEV-SNP section and puts its sets in canonical order.
func (s *SNPRules) normalize() error {
	var err error
	if s.AllowedMeasurements, err = hexSet("snp.allowed_measurements", s.AllowedMeasurements, 48); err != nil {
		return err
	}
	if s.AllowedWorkloadIDs, err = hexSet("snp.allowed_workload_ids", s.AllowedWorkloadIDs, 32); err != nil {
		return err
	}
	if s.AllowedHostData, err = hexSet("snp.allowed_host_data", s.AllowedHostData, 32); err != nil {
		return err
	}
	if err := s.WorkloadRules.normalize("snp"); err != nil {
		return err
	}
	s.AllowedSigningKeys = stringSet(s.AllowedSigningKeys)
	for _, k := range s.AllowedSigningKeys {
		if k != "vcek" && k != "vlek" {
			return badField("snp.allowed_signing_keys", "%q is neither vcek nor vlek", k)
		}
	}
	return nil
}

// normalize checks the TDX section, fills its default accepted TCB status and puts
// its sets in canonical order.
func (t *TDXRules) normalize() error {
	var err error
	if t.AllowedMeasurements, err = hexSet("tdx.allowed_measurements", t.AllowedMeasurements, 48); err != nil {
		return err
	}
	if t.AllowedWorkloadIDs, err = hexSet("tdx.allowed_workload_ids", t.AllowedWorkloadIDs, 32); err != nil {
		return err
	}
	if t.AllowedMRSEAM, err = hexSet("tdx.allowed_mrseam", t.AllowedMRSEAM, 48); err != nil {
		return err
	}
	if err := t.normalizeTCB(); err != nil {
		return err
	}
	if err := t.normalizeComponents(); err != nil {
		return err
	}
	for _, r := range []struct {
		name string
		m    *MaskRule
	}{{"tdx.td_attributes", t.TDAttributes}, {"tdx.xfam", t.XFAM}} {
		if err := r.m.check(r.name); err != nil {
			return err
		}
	}
	return nil
}

// normalize checks the workload rules of section sec and sorts them.
func (w *WorkloadRules) normalize(sec string) error {
	var err error
	if w.AllowedComposeHashes, err = hexSet(sec+".allowed_compose_hashes", w.AllowedComposeHashes, 32); err != nil {
		return err
	}
	w.AllowedImages = stringSet(w.AllowedImages)
	for i, dg := range w.AllowedImages {
		if err := workload.CheckDigest(dg); err != nil {
			return badField(fmt.Sprintf("%s.allowed_images[%d]", sec, i), "%v", err)
		}
	}
	w.AllowedImages, w.AllowedComposeHashes = nilIfEmpty(w.AllowedImages), nilIfEmpty(w.AllowedComposeHashes)
	return nil
}

// nilIfEmpty keeps the fields added after format 1 nil when empty, as Default()
// and older policies have them.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// normalizeComponents checks the TDX rules on event-log components.
func (t *TDXRules) normalizeComponents() error {
	if err := t.WorkloadRules.normalize("tdx"); err != nil {
		return err
	}
	var err error
	if t.AllowedMRConfigIDs, err = hexSet("tdx.allowed_mrconfigids", t.AllowedMRConfigIDs, 48); err != nil {
		return err
	}
	for _, r := range t.RequireReplayedRTMRs {
		if r < 0 || r > 3 {
			return badField("tdx.require_replayed_rtmrs", "%d is not an RTMR (0..3)", r)
		}
	}
	t.RequireReplayedRTMRs = slices.Compact(slices.Sorted(slices.Values(t.RequireReplayedRTMRs)))
	t.AllowedKernelCmdlines = stringSet(t.AllowedKernelCmdlines)
	for _, c := range t.AllowedKernelCmdlines {
		if c == "" {
			return badField("tdx.allowed_kernel_cmdlines", "an empty command line")
		}
		if err := checkText("tdx.allowed_kernel_cmdlines", c); err != nil {
			return err
		}
	}
	t.AllowedKernelCmdlines, t.AllowedMRConfigIDs = nilIfEmpty(t.AllowedKernelCmdlines), nilIfEmpty(t.AllowedMRConfigIDs)
	t.RequireReplayedRTMRs = nilIfEmpty(t.RequireReplayedRTMRs)
	return nil
}

// advisoryID is the form of the advisory ids Intel's TCB Info lists, which are
// compared exactly: "intel-sa-00837" would never match.
var advisoryID = regexp.MustCompile(`^INTEL-SA-[0-9]{5}$`)

// normalizeTCB checks the accepted TCB statuses (default UpToDate; never Revoked)
// and the forbidden advisory ids.
func (t *TDXRules) normalizeTCB() error {
	if len(t.AcceptedTCBStatuses) == 0 {
		t.AcceptedTCBStatuses = []string{appraise.TCBUpToDate.String()}
	}
	for _, name := range t.AcceptedTCBStatuses {
		s, ok := tcbStatusByName(name)
		if !ok {
			return badField("tdx.accepted_tcb_statuses", "%q is not an Intel TCB status", name)
		}
		if s == appraise.TCBRevoked {
			return badField("tdx.accepted_tcb_statuses", "Revoked can never be accepted")
		}
	}
	t.AcceptedTCBStatuses = stringSet(t.AcceptedTCBStatuses)
	t.ForbiddenAdvisoryIDs = stringSet(t.ForbiddenAdvisoryIDs)
	for _, id := range t.ForbiddenAdvisoryIDs {
		if err := checkText("tdx.forbidden_advisory_ids", id); err != nil {
			return err
		}
		if !advisoryID.MatchString(id) {
			return badField("tdx.forbidden_advisory_ids", "%q is not an Intel advisory id (INTEL-SA- and 5 digits, upper case, as TCB Info lists them)", id)
		}
	}
	return nil
}

// check refuses a mask rule that is malformed or can never match; nil is no rule.
func (m *MaskRule) check(name string) error {
	if m == nil {
		return nil
	}
	if len(m.Mask) != 8 || len(m.Value) != 8 {
		return badField(name, "mask and value must be 8 bytes each, got %d and %d", len(m.Mask), len(m.Value))
	}
	for i := range m.Value {
		if m.Value[i]&^m.Mask[i] != 0 {
			return badField(name, "value %x has bits outside mask %x, so nothing could match", []byte(m.Value), []byte(m.Mask))
		}
	}
	return nil
}

// hexSet checks that every entry has size bytes and returns the entries sorted and
// without duplicates: allow-lists are sets, so their order must not change the hash.
func hexSet(field string, in []Hex, size int) ([]Hex, error) {
	for i, h := range in {
		if len(h) != size {
			return nil, fmt.Errorf("%w: %s[%d]: has %d bytes, want %d", ErrInvalid, field, i, len(h), size)
		}
	}
	out := slices.Clone(in)
	slices.SortFunc(out, func(a, b Hex) int { return bytes.Compare(a, b) })
	out = slices.CompactFunc(out, func(a, b Hex) bool { return bytes.Equal(a, b) })
	if out == nil {
		out = []Hex{}
	}
	return out, nil
}

func stringSet(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// CanonicalJSON returns the policy's canonical form: JSON with every field present
// (defaults filled), object keys sorted, no whitespace, hex lowercase with 0x, sets
// sorted and deduplicated, numbers as integers. Formatting, key order and comments
// of the source file do not change it.
func (p *Policy) CanonicalJSON() ([]byte, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode policy: %w", err)
	}
	return canonical(b)
}

// canonical is the canonical form of b, the policy's encoding/json encoding.
func canonical(b []byte) ([]byte, error) {
	// A round trip through generic maps sorts the keys of every object (encoding/json
	// writes map keys in order); UseNumber keeps integers exact.
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, fmt.Errorf("encode policy: %w", err)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(generic); err != nil {
		return nil, fmt.Errorf("encode policy: %w", err)
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), nil
}

// Hash returns keccak256 of the canonical form: the policy hash registered on-chain
// and named in every verdict. Hashes are remembered by the policy's encoding (a few
// policies are hashed on every verification, twice, and the canonical round trip is
// most of the cost in WebAssembly), so a policy changed after hashing hashes anew.
func (p *Policy) Hash() (common.Hash, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return common.Hash{}, fmt.Errorf("encode policy: %w", err)
	}
	hashMemo.RLock()
	h, ok := hashMemo.m[string(b)]
	hashMemo.RUnlock()
	if ok {
		return h, nil
	}
	c, err := canonical(b)
	if err != nil {
		return common.Hash{}, err
	}
	h = keccak.Hash256(c)
	hashMemo.Lock()
	if hashMemo.m == nil || len(hashMemo.m) >= 256 {
		hashMemo.m = map[string]common.Hash{}
	}
	hashMemo.m[string(b)] = h
	hashMemo.Unlock()
	return h, nil
}

// hashMemo maps a policy's encoding/json encoding to its hash; at most 256 entries,
// emptied when full.
var hashMemo struct {
	sync.RWMutex
	m map[string]common.Hash
}

// Load reads and parses the policy file at path; errors name the file.
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	p, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	return p, nil
}

// LoadHashed loads the policy file at path (see Load) and returns it with its hash
// (see Hash), the one a registry registers it under; errors name the file.
func LoadHashed(path string) (*Policy, common.Hash, error) {
	p, err := Load(path)
	if err != nil {
		return nil, common.Hash{}, err
	}
	h, err := p.Hash()
	if err != nil {
		return nil, common.Hash{}, fmt.Errorf("policy %s: %w", path, err)
	}
	return p, h, nil
}
