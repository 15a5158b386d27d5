package appraise

import (
	"fmt"
	"strings"
)

// SNPTCB is an SEV-SNP TCB_VERSION split into its security patch levels. The byte
// layout of the 64-bit TCB_VERSION depends on the product line: Milan and Genoa put
// BOOTLOADER, TEE, four reserved bytes, SNP and MICROCODE in bytes 0..7; Turin (SNP ABI
// 1.58) puts FMC, BOOTLOADER, TEE, SNP in bytes 0..3, three reserved bytes, then
// MICROCODE. go-sev-guest v0.15.0 knows only the first layout (kds.DecomposeTCBVersion).
type SNPTCB struct {
	FMC        uint8 // Turin only
	Bootloader uint8
	TEE        uint8
	SNP        uint8
	Microcode  uint8
	// Reserved holds the reserved bytes, which must be zero in a well-formed value
	// (Milan/Genoa: bytes 2..5; Turin: bytes 4..6).
	Reserved uint32
	// HasFMC is true for product lines whose layout has an FMC byte (Turin).
	HasFMC bool
}

// tcbHasFMC reports whether a product line uses the Turin TCB_VERSION layout.
func tcbHasFMC(productLine string) bool { return productLine == "Turin" }

// DecodeSNPTCB splits a TCB_VERSION value by the layout of its product line.
func DecodeSNPTCB(productLine string, v uint64) SNPTCB {
	b := func(i uint) uint8 { return uint8(v >> (8 * i)) }
	if tcbHasFMC(productLine) {
		return SNPTCB{FMC: b(0), Bootloader: b(1), TEE: b(2), SNP: b(3), Microcode: b(7),
			Reserved: uint32(v>>32) & 0xffffff, HasFMC: true}
	}
	return SNPTCB{Bootloader: b(0), TEE: b(1), SNP: b(6), Microcode: b(7), Reserved: uint32(v >> 16)}
}

// Encode returns the TCB_VERSION value of t in its product line's layout.
func (t SNPTCB) Encode() uint64 {
	if t.HasFMC {
		return uint64(t.FMC) | uint64(t.Bootloader)<<8 | uint64(t.TEE)<<16 | uint64(t.SNP)<<24 |
			uint64(t.Reserved&0xffffff)<<32 | uint64(t.Microcode)<<56
	}
	return uint64(t.Bootloader) | uint64(t.TEE)<<8 | uint64(t.Reserved)<<16 | uint64(t.SNP)<<48 | uint64(t.Microcode)<<56
}

// String names each component, e.g. "fmc=0 bl=1 tee=0 snp=2 ucode=71".
func (t SNPTCB) String() string {
	var sb strings.Builder
	if t.HasFMC {
		fmt.Fprintf(&sb, "fmc=%d ", t.FMC)
	}
	fmt.Fprintf(&sb, "bl=%d tee=%d snp=%d ucode=%d", t.Bootloader, t.TEE, t.SNP, t.Microcode)
	return sb.String()
}

// CompareSNPTCB compares a against b component by component. It returns 0 when they
// are equal, -1 when no component of a is higher and at least one is lower, +1 when no
// component is lower and one is higher, and 2 when they are incomparable (one component
// lower, another higher). Reserved bytes take no part.
func CompareSNPTCB(a, b SNPTCB) int {
	lower, higher := false, false
	cmp := func(x, y uint8) {
		if x < y {
			lower = true
		} else if x > y {
			higher = true
		}
	}
	cmp(a.Bootloader, b.Bootloader)
	cmp(a.TEE, b.TEE)
	cmp(a.SNP, b.SNP)
	cmp(a.Microcode, b.Microcode)
	if a.HasFMC || b.HasFMC {
		cmp(a.FMC, b.FMC)
	}
	switch {
	case lower && higher:
		return 2
	case lower:
		return -1
	case higher:
		return 1
	}
	return 0
}
