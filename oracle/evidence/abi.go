package evidence

import (
	"encoding/binary"
	"fmt"

	"github.com/google/uuid"
)

// ABI constants and the SEV-SNP certificate table header, defined here rather than
// taken from go-sev-guest's and go-tdx-guest's abi packages: those packages bring the
// protobuf runtime (their report and quote types are protobuf messages), a fifth of
// the WebAssembly verifier (docs/wasm.md). abi_test.go holds every value and the
// header parser to the libraries'.
const (
	// tdxTEEType is a TDX quote header's TEE type (Intel TDX DCAP quote library).
	tdxTEEType = 0x81
	// tdxAttestationKeyType is the attestation key type ECDSA P-256 with SHA-256.
	tdxAttestationKeyType = 2

	// snpCertTableEntrySize is one certificate table header entry: GUID, offset,
	// length.
	snpCertTableEntrySize = 24

	snpVCEKGUID = "63da758d-e664-4564-adc5-f4b93be8accd"
	snpVLEKGUID = "a8074bc2-a25a-483e-aae6-39c045a0b8a1"
	snpASKGUID  = "4ab7b379-bbac-4fe4-a02f-05aef327c782"
	snpARKGUID  = "c0b406a4-a803-4952-9743-3fb6014cd0ae"
)

// certTableHeader is one entry of an SEV-SNP certificate table's header.
type certTableHeader struct {
	GUID           uuid.UUID
	Offset, Length uint32
}

// parseCertTableHeader reads the header entries up to the all-zero one, as
// go-sev-guest's abi.ParseSnpCertTableHeader does (same checks): each
// entry's data must start after the header. An empty table has no entries.
func parseCertTableHeader(data []byte) ([]certTableHeader, error) {
	if len(data) == 0 {
		return nil, nil
	}
	var entries []certTableHeader
	index := 0
	for {
		if len(data)-index < snpCertTableEntrySize {
			return nil, fmt.Errorf("cert table index %d entry unmarshalling error: data too small: %v, want %v", index, len(data)-index, snpCertTableEntrySize)
		}
		e := data[index : index+snpCertTableEntrySize]
		var h certTableHeader
		copy(h.GUID[:], e[:16])
		h.Offset = binary.LittleEndian.Uint32(e[16:20])
		h.Length = binary.LittleEndian.Uint32(e[20:24])
		index += snpCertTableEntrySize
		if h.Offset == 0 && h.Length == 0 && h.GUID == (uuid.UUID{}) {
			break
		}
		entries = append(entries, h)
	}
	for i, h := range entries {
		if h.Offset < uint32(index) {
			return nil, fmt.Errorf("cert table entry %d has invalid offset into header (size %d): %d", i, index, h.Offset)
		}
	}
	return entries, nil
}

// marshalCertTable writes entries as a certificate table: the header (with its
// all-zero terminator), then each entry's data in order, as go-sev-guest's
// abi.CertTable.Marshal does. No entries is no bytes.
func marshalCertTable(guids []uuid.UUID, data [][]byte) []byte {
	if len(guids) == 0 {
		return nil
	}
	header := (len(guids) + 1) * snpCertTableEntrySize
	size := header
	for _, d := range data {
		size += len(d)
	}
	out := make([]byte, size)
	cursor := header
	for i, g := range guids {
		e := out[i*snpCertTableEntrySize:]
		copy(e[:16], g[:])
		binary.LittleEndian.PutUint32(e[16:20], uint32(cursor))
		binary.LittleEndian.PutUint32(e[20:24], uint32(len(data[i])))
		copy(out[cursor:], data[i])
		cursor += len(data[i])
	}
	return out
}
