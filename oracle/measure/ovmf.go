// Package measure computes the launch measurements a confidential VM will report,
// from the artifacts it is launched with, so that a policy can allow exactly them.
//
// SEV-SNP: the MEASUREMENT of an attestation report is the launch digest the AMD
// secure processor accumulated over SNP_LAUNCH_UPDATE: one PAGE_INFO hash per page
// the VMM added (SEV-SNP firmware ABI, "PAGE_INFO"), in the order the VMM added
// them. For OVMF that order is fixed by OVMF's footer table and SEV metadata
// (edk2 OvmfPkg/ResetVector), the VMM (QEMU, Amazon EC2, Google Compute Engine)
// and the vCPUs' VMSAs. SNPLaunchDigest reproduces it; the result agrees with
// virtee/sev-snp-measure and virtee/sev on their published test inputs
// (measure_test.go).
package measure

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// OVMF GUIDs (little-endian byte order as stored in the firmware) of the footer
// table entries SNP measurement needs.
var (
	guidFooterTable   = mustGUID("96b582de-1fb2-45f7-baea-a366c55a082d")
	guidSEVHashTable  = mustGUID("7255371f-3a3b-4b04-927b-1da6efa8d454")
	guidSEVESReset    = mustGUID("00f771de-1a7e-4fcb-890e-68c77e2fb44e")
	guidSEVMetadata   = mustGUID("dc886566-984a-4798-a75e-5585a7bf67cc")
	errNotOVMF        = errors.New("no OVMF footer table (not an OVMF image, or truncated)")
	errMissingSection = errors.New("missing")
)

// SectionType is the type of an OVMF SEV metadata section.
type SectionType uint32

// OVMF SEV metadata section types (edk2 OvmfPkg/ResetVector/X64/OvmfSevMetadata.asm).
const (
	SectionSNPSecMem       SectionType = 1
	SectionSNPSecrets      SectionType = 2
	SectionCPUID           SectionType = 3
	SectionSVSMCAA         SectionType = 4
	SectionSNPKernelHashes SectionType = 0x10
)

func (t SectionType) String() string {
	switch t {
	case SectionSNPSecMem:
		return "SNP_SEC_MEM"
	case SectionSNPSecrets:
		return "SNP_SECRETS"
	case SectionCPUID:
		return "CPUID"
	case SectionSVSMCAA:
		return "SVSM_CAA"
	case SectionSNPKernelHashes:
		return "SNP_KERNEL_HASHES"
	}
	return fmt.Sprintf("section type %#x", uint32(t))
}

// Section is one OVMF SEV metadata section: guest memory the VMM adds to the
// launch digest in a type-specific way.
type Section struct {
	GPA  uint32
	Size uint32
	Type SectionType
}

// OVMF is a parsed OVMF firmware image.
type OVMF struct {
	Name     string
	Data     []byte
	table    map[[16]byte][]byte
	Sections []Section
}

const (
	fourGB          = 1 << 32
	pageSize        = 4096
	footerEntrySize = 2 + 16 // uint16 size, GUID
)

// ParseOVMF parses an OVMF image: its GUIDed footer table (which ends 32 bytes
// before the end of the image) and the SEV metadata it points to. name says which
// file the bytes came from, in errors.
func ParseOVMF(name string, data []byte) (*OVMF, error) {
	if len(data) == 0 || len(data)%pageSize != 0 {
		return nil, fmt.Errorf("%s: firmware is %d bytes, not a non-zero multiple of the %d-byte page (truncated?)", name, len(data), pageSize)
	}
	if len(data) > fourGB {
		return nil, fmt.Errorf("%s: firmware is %d bytes, more than fits below 4 GiB", name, len(data))
	}
	o := &OVMF{Name: name, Data: data, table: map[[16]byte][]byte{}}
	if err := o.parseFooter(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := o.parseMetadata(); err != nil {
		return nil, fmt.Errorf("%s: SEV metadata: %w", name, err)
	}
	return o, nil
}

func (o *OVMF) parseFooter() error {
	start := len(o.Data) - 32 - footerEntrySize
	if start < 0 {
		return errNotOVMF
	}
	size := int(binary.LittleEndian.Uint16(o.Data[start:]))
	if [16]byte(o.Data[start+2:start+18]) != guidFooterTable {
		return errNotOVMF
	}
	tableSize := size - footerEntrySize
	if tableSize < 0 || tableSize > start {
		return fmt.Errorf("OVMF footer table size %d does not fit the image", size)
	}
	table := o.Data[start-tableSize : start]
	for len(table) >= footerEntrySize {
		hdr := table[len(table)-footerEntrySize:]
		n := int(binary.LittleEndian.Uint16(hdr))
		if n < footerEntrySize || n > len(table) {
			return fmt.Errorf("OVMF footer table entry of size %d (at most %d remain)", n, len(table))
		}
		o.table[[16]byte(hdr[2:])] = table[len(table)-n : len(table)-footerEntrySize]
		table = table[:len(table)-n]
	}
	return nil
}

func (o *OVMF) parseMetadata() error {
	entry, ok := o.table[guidSEVMetadata]
	if !ok {
		return nil // no SEV metadata: an image that is not built for SNP; SNPLaunchDigest refuses it
	}
	if len(entry) < 4 {
		return fmt.Errorf("footer entry of %d bytes, want 4", len(entry))
	}
	off := int(binary.LittleEndian.Uint32(entry))
	start := len(o.Data) - off
	if off <= 0 || start < 0 || start+16 > len(o.Data) {
		return fmt.Errorf("offset %d from the end lies outside the %d-byte image", off, len(o.Data))
	}
	h := o.Data[start:]
	if string(h[:4]) != "ASEV" {
		return fmt.Errorf("signature %q, want \"ASEV\"", h[:4])
	}
	size := int(binary.LittleEndian.Uint32(h[4:]))
	if v := binary.LittleEndian.Uint32(h[8:]); v != 1 {
		return fmt.Errorf("version %d, want 1", v)
	}
	n := int(binary.LittleEndian.Uint32(h[12:]))
	if size < 16 || start+size > len(o.Data) || n > (size-16)/12 {
		return fmt.Errorf("header says %d bytes with %d sections, which do not fit the image", size, n)
	}
	for i := range n {
		d := h[16+12*i:]
		s := Section{GPA: binary.LittleEndian.Uint32(d), Size: binary.LittleEndian.Uint32(d[4:]),
			Type: SectionType(binary.LittleEndian.Uint32(d[8:]))}
		switch s.Type {
		case SectionSNPSecMem, SectionSNPSecrets, SectionCPUID, SectionSVSMCAA, SectionSNPKernelHashes:
		default:
			return fmt.Errorf("section %d: unknown %s", i, s.Type)
		}
		if s.GPA%pageSize != 0 || s.Size%pageSize != 0 {
			return fmt.Errorf("section %d (%s): GPA %#x size %#x not page-aligned", i, s.Type, s.GPA, s.Size)
		}
		o.Sections = append(o.Sections, s)
	}
	return nil
}

// GPA is the guest physical address the image is mapped at: it ends at 4 GiB.
func (o *OVMF) GPA() uint64 { return fourGB - uint64(len(o.Data)) }

// HasSection reports whether the SEV metadata declares a section of type t.
func (o *OVMF) HasSection(t SectionType) bool {
	for _, s := range o.Sections {
		if s.Type == t {
			return true
		}
	}
	return false
}

// tableUint32 reads the first four bytes of a footer entry.
func (o *OVMF) tableUint32(g [16]byte, what string) (uint32, error) {
	e, ok := o.table[g]
	if !ok || len(e) < 4 {
		return 0, fmt.Errorf("%s: %w: no %s entry in the OVMF footer table", o.Name, errMissingSection, what)
	}
	return binary.LittleEndian.Uint32(e), nil
}

// SEVESResetEIP is the AP reset vector from the SEV-ES reset block.
func (o *OVMF) SEVESResetEIP() (uint32, error) {
	return o.tableUint32(guidSEVESReset, "SEV-ES reset block")
}

// SEVHashTable is where OVMF expects QEMU's table of kernel, initrd and command
// line hashes (measured direct boot): the footer entry's base GPA and the size of
// the area there.
func (o *OVMF) SEVHashTable() (base, size uint32, err error) {
	e, ok := o.table[guidSEVHashTable]
	if !ok || len(e) < 8 {
		return 0, 0, fmt.Errorf("%s: %w: no SEV hash table entry (base and size) in the OVMF footer table", o.Name, errMissingSection)
	}
	return binary.LittleEndian.Uint32(e), binary.LittleEndian.Uint32(e[4:]), nil
}

// mustGUID encodes a GUID string in the mixed-endian byte order EFI stores.
func mustGUID(s string) [16]byte {
	var raw [16]byte
	var hex []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			hex = append(hex, s[i])
		}
	}
	if len(hex) != 32 {
		panic("bad GUID " + s)
	}
	for i := range 16 {
		var b byte
		for _, c := range hex[2*i : 2*i+2] {
			b <<= 4
			switch {
			case c >= '0' && c <= '9':
				b |= c - '0'
			case c >= 'a' && c <= 'f':
				b |= c - 'a' + 10
			default:
				panic("bad GUID " + s)
			}
		}
		raw[i] = b
	}
	// Data1 (4 bytes), Data2 and Data3 (2 each) are little-endian; Data4 is bytes.
	return [16]byte{raw[3], raw[2], raw[1], raw[0], raw[5], raw[4], raw[7], raw[6],
		raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]}
}
