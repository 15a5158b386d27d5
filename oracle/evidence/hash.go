package evidence

import (
	"bytes"
	"encoding/binary"
	"slices"

	"golang.org/x/crypto/sha3"
)

// hashDomain starts every evidence hash preimage, so that it cannot collide with a
// hash of anything else the oracle computes (verdicts, policies, report data).
const hashDomain = "teeoracle.evidence.v1\x00"

// Hash returns the canonical evidence hash, the verdict's evidenceHash:
//
//	keccak256( "teeoracle.evidence.v1" 0x00
//	         ‖ tee (1 byte: 1 SEV-SNP, 2 TDX)
//	         ‖ u32be(len(raw)) ‖ raw
//	         ‖ u32be(n) ‖ for each certificate: u32be(len(der)) ‖ der )
//
// where raw is the report or quote as signed (Decode removes TDX padding) and the n
// certificates are the distinct DER encodings in ascending byte order. Roles, form,
// provider and bundle collateral are left out, so the same evidence hashes the same
// from every input form. Keccak-256 because the hash is stored and compared
// on-chain, where it is the native hash.
func (e *Evidence) Hash() [32]byte {
	h := sha3.NewLegacyKeccak256()
	var n [4]byte
	h.Write([]byte(hashDomain))
	h.Write([]byte{byte(e.TEE)})
	binary.BigEndian.PutUint32(n[:], uint32(len(e.Raw)))
	h.Write(n[:])
	h.Write(e.Raw)
	certs := canonicalDER(e.Certificates)
	binary.BigEndian.PutUint32(n[:], uint32(len(certs)))
	h.Write(n[:])
	for _, c := range certs {
		binary.BigEndian.PutUint32(n[:], uint32(len(c)))
		h.Write(n[:])
		h.Write(c)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// canonicalDER returns the distinct certificates in ascending byte order, without
// modifying the input.
func canonicalDER(certs [][]byte) [][]byte {
	out := slices.Clone(certs)
	slices.SortFunc(out, bytes.Compare)
	return slices.CompactFunc(out, bytes.Equal)
}
