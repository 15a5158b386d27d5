package evidence

import (
	"bytes"
	"encoding/binary"
	"io"
	"slices"

	"golang.org/x/crypto/sha3"
)

// hashDomain starts every evidence hash preimage, so that it cannot collide with a
// hash of anything else the oracle computes (verdicts, policies, report data).
const hashDomain = "teeoracle.evidence.v1\x00"

// hashDomainV2 starts the preimage of evidence that carries event logs or a
// workload description; evidence without them keeps the version 1 preimage, so
// its hash (and every verdict naming it) is unchanged.
const hashDomainV2 = "teeoracle.evidence.v2\x00"

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
//
// Evidence with an EventLog or a Workload hashes under "teeoracle.evidence.v2"
// with the same fields followed by
//
//	‖ u32be(len(ccel_table)) ‖ ccel_table ‖ u32be(len(ccel)) ‖ ccel
//	‖ u32be(m) ‖ for each runtime event in order:
//	      u8(rtmr) ‖ u32be(len(type)) ‖ type ‖ u32be(len(data)) ‖ data
//	‖ u32be(len(w)) ‖ w          (w: the description's canonical bytes, or empty)
func (e *Evidence) Hash() [32]byte {
	h := sha3.NewLegacyKeccak256()
	var n [4]byte
	v2 := e.EventLog != nil || e.Workload != nil
	if v2 {
		h.Write([]byte(hashDomainV2))
	} else {
		h.Write([]byte(hashDomain))
	}
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
	if v2 {
		e.hashV2(h)
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

// hashV2 writes the version 2 fields (see Hash).
func (e *Evidence) hashV2(h io.Writer) {
	field := func(b []byte) {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(b))))
		h.Write(b)
	}
	el := e.EventLog
	if el == nil {
		el = &EventLog{}
	}
	field(el.CCELTable)
	field(el.CCEL)
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(el.Runtime))))
	for _, r := range el.Runtime {
		h.Write([]byte{r.RTMR})
		field([]byte(r.Type))
		field(r.Data)
	}
	var w []byte
	if e.Workload != nil {
		w = e.Workload.Canonical()
	}
	field(w)
}
