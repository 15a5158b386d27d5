package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Input is one named input: a file (Name is its path) or a request part. The name
// appears in every error about it.
type Input struct {
	Name string
	Data []byte
}

// Decode reads evidence of any accepted form from data and attaches the
// certificates in extra, returning one Evidence. name names data in errors.
//
// data may be: a raw SEV-SNP report (1184 bytes, version 2, 3 or 5); an SEV-SNP
// extended report (the report followed by its certificate table); a raw TDX quote
// (v4 or v5, trailing zero padding removed); configfs-tsm report JSON; or a bundle
// (see Bundle). Each extra input is PEM (one or more certificates), DER (one or
// more), or an SEV-SNP certificate table. The certificates from all sources are
// merged (duplicates dropped) into canonical order. Certificates whose subject names
// the other vendor's chain (an AMD certificate with a TDX quote, or an Intel one
// with an SEV-SNP report) are rejected with ErrTEEMismatch.
//
// A bundle is held to the submission bounds (MaxBundleSize and the bounds of its
// parts, the collateral names of BundleCollateralNames), which DecodeArchived
// does not apply.
//
// Decode does not verify anything; errors wrap the sentinels in errors.go.
func Decode(name string, data []byte, extra ...Input) (*Evidence, error) {
	return decode(name, data, true, extra)
}

// DecodeArchived is Decode for evidence a node already holds (its archive, an
// audit of it, a file re-verified): everything Decode checks except the
// submission bounds of a bundle, which are the API's rule for what it takes in.
// A bundle archived before those bounds existed, or under other ones, still reads
// and hashes as it did; it is bounded by MaxInputSize and by what the store holds.
func DecodeArchived(name string, data []byte, extra ...Input) (*Evidence, error) {
	return decode(name, data, false, extra)
}

// decode is Decode, with the bundle submission bounds when bounded.
func decode(name string, data []byte, bounded bool, extra []Input) (*Evidence, error) {
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("%s: %w: %d bytes, at most %d", name, ErrTooLarge, len(data), MaxInputSize)
	}
	var (
		ev    *Evidence
		certs []Certificate
		err   error
	)
	if isJSON(data) {
		ev, certs, err = decodeJSON(name, data, bounded)
	} else {
		ev, certs, err = decodeBinary(name, data)
	}
	if err != nil {
		return nil, err
	}
	for _, x := range extra {
		cs, err := parseCertInput(x.Name, x.Data)
		if err != nil {
			return nil, err
		}
		certs = append(certs, cs...)
	}
	if err := ev.setCertificates(certs); err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	return ev, nil
}

func decodeBinary(name string, data []byte) (*Evidence, []Certificate, error) {
	r, err := detectRaw(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	ev := &Evidence{TEE: r.tee, Raw: bytes.Clone(r.raw), Form: r.form}
	if r.form != FormExtendedReport {
		return ev, nil, nil
	}
	certs, err := certsFromTable(name+": certificate table after the report", r.certTable)
	if err != nil {
		return nil, nil, err
	}
	return ev, certs, nil
}

// present is a JSON value whose presence matters, not its content: decoding one
// validates and skips it without copying it.
type present struct{}

func (*present) UnmarshalJSON([]byte) error { return nil }

// isJSON reports whether data is meant as JSON: its first non-space byte is '{'. No
// report or quote starts so (their first byte is a small version number).
func isJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	t = bytes.TrimPrefix(t, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	return len(t) > 0 && t[0] == '{'
}

// decodeJSON tells a configfs-tsm report from a bundle by their keys and decodes it.
func decodeJSON(name string, data []byte, bounded bool) (*Evidence, []Certificate, error) {
	raw := data
	data = bytes.TrimPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("\xef\xbb\xbf"))
	// Only the keys are needed here: values are skipped, not copied (a bundle can be
	// megabytes of base64).
	var keys map[string]present
	if err := json.Unmarshal(data, &keys); err != nil {
		return nil, nil, fmt.Errorf("%s: %w: %w", name, ErrBadJSON, err)
	}
	var configfs, bundle bool
	for k := range keys {
		switch strings.ToLower(k) {
		case "outblob":
			configfs = true
		case "evidence":
			bundle = true
		}
	}
	switch {
	case configfs && bundle:
		return nil, nil, fmt.Errorf("%s: %w: JSON has both \"outblob\" (configfs-tsm) and \"evidence\" (bundle)", name, ErrUnknownFormat)
	case configfs:
		return decodeConfigFS(name, data)
	case bundle:
		if bounded && len(raw) > MaxBundleSize {
			return nil, nil, fmt.Errorf("%s: bundle: %w: %d bytes, at most %d", name, ErrTooLarge, len(raw), MaxBundleSize)
		}
		return decodeBundle(name, data, keys, bounded)
	}
	return nil, nil, fmt.Errorf("%s: %w: JSON with neither \"outblob\" (configfs-tsm) nor \"evidence\" (bundle)", name, ErrUnknownFormat)
}

func decodeConfigFS(name string, data []byte) (*Evidence, []Certificate, error) {
	rep, err := ParseConfigFSReport(name, data)
	if err != nil {
		return nil, nil, err
	}
	r, err := detectRaw(rep.OutBlob)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: configfs-tsm outblob: %w", name, err)
	}
	if r.form != FormRaw {
		return nil, nil, fmt.Errorf("%s: configfs-tsm outblob: %w: %d bytes, longer than an SEV-SNP report (certificates belong in auxblob)", name, ErrUnknownFormat, len(rep.OutBlob))
	}
	switch rep.Provider {
	case "":
	case ProviderSEVGuest, ProviderTDXGuest:
		if want := map[string]TEE{ProviderSEVGuest: TEESEVSNP, ProviderTDXGuest: TEETDX}[rep.Provider]; want != r.tee {
			return nil, nil, fmt.Errorf("%s: %w: provider %q but outblob is %s evidence", name, ErrTEEMismatch, rep.Provider, r.tee)
		}
	default:
		return nil, nil, fmt.Errorf("%s: configfs-tsm provider %q: %w (accepted: %s, %s)", name, rep.Provider, ErrUnsupported, ProviderSEVGuest, ProviderTDXGuest)
	}
	ev := &Evidence{TEE: r.tee, Raw: bytes.Clone(r.raw), Form: FormConfigFSTSM, Provider: rep.Provider}
	if len(rep.AuxBlob) == 0 {
		return ev, nil, nil
	}
	if r.tee != TEESEVSNP {
		// The tdx_guest provider writes no auxblob; one here is something we do not
		// understand, and dropping it silently could hide a mistake.
		return nil, nil, fmt.Errorf("%s: configfs-tsm auxblob with a TDX quote: %w (TDX carries its certificates in the quote)", name, ErrUnsupported)
	}
	certs, err := certsFromTable(name+": configfs-tsm auxblob", rep.AuxBlob)
	if err != nil {
		return nil, nil, err
	}
	return ev, certs, nil
}

func decodeBundle(name string, data []byte, keys map[string]present, bounded bool) (*Evidence, []Certificate, error) {
	b, err := parseBundle(name, data, keys, bounded)
	if err != nil {
		return nil, nil, err
	}
	tee, err := ParseTEE(b.TEE)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: bundle: %w", name, err)
	}
	r, err := detectRaw(b.Evidence)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: bundle evidence: %w", name, err)
	}
	if r.form != FormRaw {
		return nil, nil, fmt.Errorf("%s: bundle evidence: %w: %d bytes, longer than an SEV-SNP report (certificates belong in \"certificates\")", name, ErrUnknownFormat, len(b.Evidence))
	}
	if r.tee != tee {
		return nil, nil, fmt.Errorf("%s: bundle: %w: \"tee\" is %q but evidence is %s", name, ErrTEEMismatch, b.TEE, r.tee)
	}
	var certs []Certificate
	for i, der := range b.Certificates {
		cs, err := ParseCertificates(fmt.Sprintf("%s: bundle certificate %d", name, i), der)
		if err != nil {
			return nil, nil, err
		}
		if len(cs) != 1 || bytes.Contains(der, pemBegin) {
			return nil, nil, fmt.Errorf("%s: bundle certificate %d: %w: want exactly one DER certificate", name, i, ErrBadCertificate)
		}
		certs = append(certs, cs...)
	}
	ev := &Evidence{TEE: r.tee, Raw: bytes.Clone(r.raw), Form: FormBundle, Workload: b.Workload}
	if ev.EventLog, err = checkEventLog(name, tee, b); err != nil {
		return nil, nil, err
	}
	if err := checkWorkload(name, b.Workload); err != nil {
		return nil, nil, err
	}
	if len(b.Collateral) > 0 {
		ev.Collateral = b.Collateral
	}
	return ev, certs, nil
}

// certsFromTable returns the certificates of a certificate table.
func certsFromTable(name string, table []byte) ([]Certificate, error) {
	entries, err := ParseCertTable(name, table)
	if err != nil {
		return nil, err
	}
	var certs []Certificate
	for _, e := range entries {
		if e.Certificate != nil {
			certs = append(certs, *e.Certificate)
		}
	}
	return certs, nil
}

// parseCertInput reads a certificate file given beside the evidence: PEM, DER, or an
// SEV-SNP certificate table.
func parseCertInput(name string, data []byte) ([]Certificate, error) {
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("%s: %w: %d bytes, at most %d", name, ErrTooLarge, len(data), MaxInputSize)
	}
	if bytes.Contains(data, pemBegin) || (len(data) > 0 && data[0] == 0x30) {
		// PEM, or an ASN.1 SEQUENCE: DER. No certificate table GUID the oracle
		// knows starts with 0x30.
		return ParseCertificates(name, data)
	}
	certs, err := certsFromTable(name, data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: not PEM, DER, or an SEV-SNP certificate table: %w", name, ErrBadCertificate, err)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: %w: certificate table holds no certificate", name, ErrBadCertificate)
	}
	return certs, nil
}

// vendorOf says which TEE's chains a role belongs to.
func vendorOf(r CertRole) TEE {
	switch r {
	case RoleVCEK, RoleVLEK, RoleASK, RoleASVK, RoleARK:
		return TEESEVSNP
	case RolePCK, RolePCKCA, RoleIntelRoot, RoleTCBSigning:
		return TEETDX
	}
	return TEEUnknown
}

// setCertificates merges certs into e.Certificates and e.Roles in canonical order,
// dropping duplicates; a certificate given with two different known roles is an
// error.
func (e *Evidence) setCertificates(certs []Certificate) error {
	byDER := make(map[string]int, len(certs))
	var merged []Certificate
	for _, c := range certs {
		if v := vendorOf(c.Role); v != TEEUnknown && v != e.TEE {
			return fmt.Errorf("%s: %w: %s certificate %q given with %s evidence", c.Source, ErrTEEMismatch, c.Role, c.X509.Subject.CommonName, e.TEE)
		}
		i, ok := byDER[string(c.DER)]
		if !ok {
			byDER[string(c.DER)] = len(merged)
			merged = append(merged, c)
			continue
		}
		switch prev := merged[i].Role; {
		case prev == c.Role || c.Role == RoleUnknown:
		case prev == RoleUnknown:
			merged[i].Role = c.Role
		default:
			return fmt.Errorf("%s: %w: certificate %q given as %s here and as %s in %s", c.Source, ErrBadCertificate, c.X509.Subject.CommonName, c.Role, prev, merged[i].Source)
		}
	}
	slices.SortFunc(merged, func(a, b Certificate) int { return bytes.Compare(a.DER, b.DER) })
	e.Certificates, e.Roles = nil, nil
	for _, c := range merged {
		e.Certificates = append(e.Certificates, c.DER)
		e.Roles = append(e.Roles, c.Role)
	}
	return nil
}
