package evidence

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/google/uuid"
)

// GUIDs of the SEV-SNP certificate table entries (AMD GHCB specification). AMD
// defines no GUID for the ASVK: hosts put it under the ASK GUID, and the role is
// then told apart by the certificate's subject.
var (
	GUIDVCEK = uuid.MustParse(snpVCEKGUID)
	GUIDVLEK = uuid.MustParse(snpVLEKGUID)
	GUIDASK  = uuid.MustParse(snpASKGUID)
	GUIDARK  = uuid.MustParse(snpARKGUID)
)

// roleForGUID returns the role a certificate table GUID names, or RoleUnknown.
func roleForGUID(g uuid.UUID) CertRole {
	switch g {
	case GUIDVCEK:
		return RoleVCEK
	case GUIDVLEK:
		return RoleVLEK
	case GUIDASK:
		return RoleASK
	case GUIDARK:
		return RoleARK
	}
	return RoleUnknown
}

// CertTableEntry is one entry of an SEV-SNP certificate table.
type CertTableEntry struct {
	GUID uuid.UUID
	// Data is the entry's bytes (a copy).
	Data []byte
	// Certificate is Data parsed (DER or PEM); nil for an entry of an unknown GUID
	// whose data is not a certificate (for example go-sev-guest's extra platform
	// info), which the oracle does not use.
	Certificate *Certificate
}

// ParseCertTable parses an SEV-SNP certificate table: the GUID table that
// /dev/sev-guest's extended report request and configfs-tsm's auxblob return.
// Entries are {GUID 16 bytes, offset u32 LE, length u32 LE} up to an all-zero
// entry; offsets count from the table's start. Entries' data may be DER or PEM (one
// certificate each). An empty input is an empty table.
//
// Stricter than go-sev-guest's abi.CertTable: offset+length is computed without
// uint32 overflow (the library's check wraps and then panics slicing, see
// TestLibraryCertTableOverflowPanics), entries may not overlap each other, a GUID may
// appear once, and a certificate whose subject contradicts its GUID is rejected.
func ParseCertTable(name string, data []byte) ([]CertTableEntry, error) {
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("%s: %w: %d bytes, at most %d", name, ErrTooLarge, len(data), MaxInputSize)
	}
	if len(data) == 0 {
		return nil, nil
	}
	if !hasTerminator(data) {
		return nil, fmt.Errorf("%s: %w: %w: no all-zero terminating entry in %d bytes", name, ErrBadCertTable, ErrTruncated, len(data))
	}
	// With a terminator present, the library's header parser fails only for an
	// entry whose offset points into the header. Its errors are %v-wrapped: ours
	// carry the sentinel.
	headers, err := parseCertTableHeader(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrBadCertTable, err)
	}
	// Check the layout first (bounds, duplicates, overlaps), then read the data, so
	// a layout error is reported as one rather than as an unreadable certificate.
	type span struct{ lo, hi uint64 }
	spans := make([]span, 0, len(headers))
	seen := make(map[uuid.UUID]bool, len(headers))
	for i, h := range headers {
		lo, hi := uint64(h.Offset), uint64(h.Offset)+uint64(h.Length)
		if hi > uint64(len(data)) {
			return nil, fmt.Errorf("%s: entry %d (%s): %w: bytes [%d, %d) outside the table's %d bytes", name, i, h.GUID, ErrBadCertTable, lo, hi, len(data))
		}
		if seen[h.GUID] {
			return nil, fmt.Errorf("%s: entry %d: %w: GUID %s appears twice", name, i, ErrBadCertTable, h.GUID)
		}
		seen[h.GUID] = true
		if h.Length > 0 {
			spans = append(spans, span{lo, hi})
		}
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].lo < spans[b].lo })
	for i := 1; i < len(spans); i++ {
		if spans[i].lo < spans[i-1].hi {
			return nil, fmt.Errorf("%s: %w: entries at [%d, %d) and [%d, %d) overlap", name, ErrBadCertTable, spans[i-1].lo, spans[i-1].hi, spans[i].lo, spans[i].hi)
		}
	}

	out := make([]CertTableEntry, 0, len(headers))
	for i, h := range headers {
		if h.Length == 0 {
			// An entry with no data carries nothing (a host without a cached
			// certificate may write one).
			continue
		}
		e := CertTableEntry{GUID: h.GUID, Data: bytes.Clone(data[h.Offset : uint64(h.Offset)+uint64(h.Length)])}
		role := roleForGUID(h.GUID)
		certs, err := ParseCertificates(fmt.Sprintf("%s: entry %d (%s)", name, i, h.GUID), e.Data)
		switch {
		case err != nil && role != RoleUnknown:
			return nil, err
		case err == nil && len(certs) != 1:
			return nil, fmt.Errorf("%s: entry %d (%s): %w: %d certificates, want one per entry", name, i, h.GUID, ErrBadCertTable, len(certs))
		case err == nil:
			c := certs[0]
			if c.Role, err = mergeGUIDRole(role, c.Role); err != nil {
				return nil, fmt.Errorf("%s: entry %d (%s): %w", name, i, h.GUID, err)
			}
			e.Certificate = &c
		}
		out = append(out, e)
	}
	return out, nil
}

// hasTerminator reports whether data holds an all-zero entry at an entry boundary.
func hasTerminator(data []byte) bool {
	var zero [snpCertTableEntrySize]byte
	for off := 0; off+snpCertTableEntrySize <= len(data); off += snpCertTableEntrySize {
		if bytes.Equal(data[off:off+snpCertTableEntrySize], zero[:]) {
			return true
		}
	}
	return false
}

// mergeGUIDRole combines the role a table GUID names with the role the
// certificate's subject names. The GUID wins when the subject says nothing; the ASK
// GUID also carries the ASVK; any other disagreement is an error, since the
// appraiser picks certificates by role.
func mergeGUIDRole(guid, subject CertRole) (CertRole, error) {
	switch {
	case guid == RoleUnknown:
		return subject, nil
	case subject == RoleUnknown || subject == guid:
		return guid, nil
	case guid == RoleASK && subject == RoleASVK:
		return RoleASVK, nil
	}
	return RoleUnknown, fmt.Errorf("%w: table GUID says %s, certificate subject says %s", ErrBadCertTable, guid, subject)
}

// MarshalCertTable encodes certificates as an SEV-SNP certificate table (DER data,
// entries in the given order) under the GUID of each one's role. It is the inverse
// of ParseCertTable for tests and tools; certificates of roles without a GUID
// (Intel's, or unknown) are an error.
func MarshalCertTable(certs []Certificate) ([]byte, error) {
	guids := make([]uuid.UUID, 0, len(certs))
	data := make([][]byte, 0, len(certs))
	for i, c := range certs {
		var g uuid.UUID
		switch c.Role {
		case RoleVCEK:
			g = GUIDVCEK
		case RoleVLEK:
			g = GUIDVLEK
		case RoleASK, RoleASVK:
			g = GUIDASK
		case RoleARK:
			g = GUIDARK
		default:
			return nil, fmt.Errorf("certificate %d: role %s has no certificate table GUID: %w", i, c.Role, ErrUnsupported)
		}
		guids, data = append(guids, g), append(data, c.DER)
	}
	return marshalCertTable(guids, data), nil
}
