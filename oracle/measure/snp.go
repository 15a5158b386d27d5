package measure

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"strings"
)

// VMM is the hypervisor that launches the guest: each sets up the VMSAs and the
// CPUID page a little differently.
type VMM int

// The VMMs whose launch sequence SNPLaunchDigest reproduces.
const (
	QEMU VMM = iota + 1
	EC2
	GCE
)

func (v VMM) String() string {
	switch v {
	case QEMU:
		return "qemu"
	case EC2:
		return "ec2"
	case GCE:
		return "gce"
	}
	return fmt.Sprintf("vmm(%d)", int(v))
}

// ParseVMM reads a VMM name: qemu, ec2 or gce.
func ParseVMM(s string) (VMM, error) {
	for _, v := range []VMM{QEMU, EC2, GCE} {
		if strings.EqualFold(s, v.String()) {
			return v, nil
		}
	}
	return 0, fmt.Errorf("unknown VMM %q (want qemu, ec2 or gce)", s)
}

// CPUSig is the CPUID Fn0000_0001_EAX signature of a family, model and stepping
// (AMD CPUID specification #25481), which QEMU puts in each VMSA's RDX.
func CPUSig(family, model, stepping int) uint32 {
	famLow, famHigh := family, 0
	if family > 0xf {
		famLow, famHigh = 0xf, (family-0xf)&0xff
	}
	return uint32(famHigh<<20 | (model>>4&0xf)<<16 | famLow<<8 | (model&0xf)<<4 | stepping&0xf)
}

// VCPUTypes are QEMU's EPYC CPU models and their signatures.
var VCPUTypes = map[string]uint32{
	"EPYC": CPUSig(23, 1, 2), "EPYC-v1": CPUSig(23, 1, 2), "EPYC-v2": CPUSig(23, 1, 2),
	"EPYC-IBPB": CPUSig(23, 1, 2), "EPYC-v3": CPUSig(23, 1, 2), "EPYC-v4": CPUSig(23, 1, 2),
	"EPYC-Rome": CPUSig(23, 49, 0), "EPYC-Rome-v1": CPUSig(23, 49, 0), "EPYC-Rome-v2": CPUSig(23, 49, 0),
	"EPYC-Rome-v3": CPUSig(23, 49, 0), "EPYC-Milan": CPUSig(25, 1, 1), "EPYC-Milan-v1": CPUSig(25, 1, 1),
	"EPYC-Milan-v2": CPUSig(25, 1, 1), "EPYC-Genoa": CPUSig(25, 17, 0), "EPYC-Genoa-v1": CPUSig(25, 17, 0),
	"EPYC-Turin": CPUSig(26, 0, 0),
}

// SNPInput is what the launch digest of an SEV-SNP guest depends on.
type SNPInput struct {
	// Firmware is the parsed OVMF image (ParseOVMF).
	Firmware *OVMF
	// FirmwareDigest, when set, replaces hashing Firmware's pages: the launch digest
	// after them, as published by a firmware vendor (48 bytes). Firmware is still
	// needed for its metadata.
	FirmwareDigest []byte
	// Kernel, when non-nil, is measured direct boot: QEMU fills OVMF's hash table
	// with SHA-256 of the kernel, the initrd (empty when nil) and the command line.
	Kernel, Initrd []byte
	Cmdline        string
	// VCPUs is the number of vCPUs (one VMSA each); VCPUSig the CPU signature
	// (QEMU only; EC2 and GCE put a fixed value).
	VCPUs   int
	VCPUSig uint32
	// GuestFeatures is the VMSA's SEV_FEATURES (QEMU's default 0x1 = SNP active;
	// 0x21 adds restricted injection...). Must match the launch.
	GuestFeatures uint64
	VMM           VMM
}

// SNPLaunchDigest is the MEASUREMENT an SEV-SNP guest launched from in reports.
func SNPLaunchDigest(in SNPInput) ([48]byte, error) {
	var zero [48]byte
	o := in.Firmware
	if o == nil {
		return zero, fmt.Errorf("no firmware")
	}
	if len(o.Sections) == 0 {
		return zero, fmt.Errorf("%s: %w: the OVMF image has no SEV metadata (not built for SEV-SNP; use OvmfPkg/AmdSev or an SNP-enabled OvmfX64)", o.Name, errMissingSection)
	}
	if in.VCPUs < 1 || in.VCPUs > 512 {
		return zero, fmt.Errorf("%d vCPUs: want 1..512", in.VCPUs)
	}
	if in.VMM == 0 {
		in.VMM = QEMU
	}
	if in.Kernel != nil && !o.HasSection(SectionSNPKernelHashes) {
		return zero, fmt.Errorf("%s: a kernel was given, but the firmware declares no SNP_KERNEL_HASHES section (it cannot measure direct boot; use OvmfPkg/AmdSev)", o.Name)
	}
	var g gctx
	switch len(in.FirmwareDigest) {
	case 0:
		g.updateNormal(o.GPA(), o.Data)
	case 48:
		g.ld = [48]byte(in.FirmwareDigest)
	default:
		return zero, fmt.Errorf("firmware digest is %d bytes, want 48", len(in.FirmwareDigest))
	}
	if err := g.metadataPages(o, in); err != nil {
		return zero, err
	}
	eip, err := o.SEVESResetEIP()
	if err != nil {
		return zero, err
	}
	bsp := vmsaPage(0xfffffff0, in)
	ap := vmsaPage(eip, in)
	for i := range in.VCPUs {
		if i == 0 {
			g.updateVMSA(bsp)
		} else {
			g.updateVMSA(ap)
		}
	}
	return g.ld, nil
}

// FirmwareDigest is the launch digest after OVMF's own pages: what a firmware
// vendor can publish so that others need not hold the image.
func FirmwareDigest(o *OVMF) [48]byte {
	var g gctx
	g.updateNormal(o.GPA(), o.Data)
	return g.ld
}

// metadataPages adds the SEV metadata sections the way the VMM does.
func (g *gctx) metadataPages(o *OVMF, in SNPInput) error {
	for _, s := range o.Sections {
		switch s.Type {
		case SectionSNPSecMem:
			if in.VMM == GCE {
				g.updatePages(pageUnmeasured, uint64(s.GPA), s.Size)
			} else {
				g.updatePages(pageZero, uint64(s.GPA), s.Size)
			}
		case SectionSNPSecrets:
			g.update(pageSecrets, uint64(s.GPA), [48]byte{})
		case SectionCPUID:
			if in.VMM != EC2 { // EC2 adds the CPUID page last
				g.update(pageCPUID, uint64(s.GPA), [48]byte{})
			}
		case SectionSNPKernelHashes:
			if in.Kernel == nil {
				g.updatePages(pageZero, uint64(s.GPA), s.Size)
				continue
			}
			if s.Size != pageSize {
				return fmt.Errorf("%s: SNP_KERNEL_HASHES section of %d bytes, want one page", o.Name, s.Size)
			}
			at, size, err := o.SEVHashTable()
			if err != nil {
				return err
			}
			// QEMU refuses an area smaller than the padded table and writes the
			// table at base, which must lie in the page measured here.
			switch {
			case size < paddedHashTable:
				return fmt.Errorf("%s: SEV hash table entry: size %d, below the %d bytes of the padded table", o.Name, size, paddedHashTable)
			case at < s.GPA || at-s.GPA >= pageSize:
				return fmt.Errorf("%s: SEV hash table entry: base %#x outside the SNP_KERNEL_HASHES page at %#x", o.Name, at, s.GPA)
			case at%pageSize+paddedHashTable > pageSize:
				return fmt.Errorf("%s: SEV hash table entry: base %#x leaves less than the %d bytes of the padded table in its page", o.Name, at, paddedHashTable)
			}
			g.updateNormal(uint64(s.GPA), hashesPage(at%pageSize, in))
		case SectionSVSMCAA:
			g.updatePages(pageZero, uint64(s.GPA), s.Size)
		}
	}
	if in.VMM == EC2 {
		for _, s := range o.Sections {
			if s.Type == SectionCPUID {
				g.update(pageCPUID, uint64(s.GPA), [48]byte{})
			}
		}
	}
	return nil
}

// Page types of PAGE_INFO (SEV-SNP firmware ABI).
const (
	pageNormal     = 1
	pageVMSA       = 2
	pageZero       = 3
	pageUnmeasured = 4
	pageSecrets    = 5
	pageCPUID      = 6
)

// vmsaGPA is the GPA the launch digest records for VMSA pages: (u64)-1, page
// aligned, bits above 51 cleared.
const vmsaGPA = 0xFFFFFFFFF000

// gctx is the guest context's launch digest.
type gctx struct{ ld [48]byte }

// update folds one PAGE_INFO into the digest: previous digest, page contents
// digest, length 0x70, page type, IMI 0, VMPL1-3 permissions 0, reserved, GPA.
func (g *gctx) update(typ byte, gpa uint64, contents [48]byte) {
	var pi [0x70]byte
	copy(pi[0:], g.ld[:])
	copy(pi[48:], contents[:])
	binary.LittleEndian.PutUint16(pi[96:], 0x70)
	pi[98] = typ
	binary.LittleEndian.PutUint64(pi[104:], gpa)
	g.ld = sha512.Sum384(pi[:])
}

func (g *gctx) updateNormal(gpa uint64, data []byte) {
	for off := 0; off < len(data); off += pageSize {
		g.update(pageNormal, gpa+uint64(off), sha512.Sum384(data[off:off+pageSize]))
	}
}

func (g *gctx) updatePages(typ byte, gpa uint64, size uint32) {
	for off := uint64(0); off < uint64(size); off += pageSize {
		g.update(typ, gpa+off, [48]byte{})
	}
}

func (g *gctx) updateVMSA(page []byte) { g.update(pageVMSA, vmsaGPA, sha512.Sum384(page)) }

// Kernel hash table GUIDs (QEMU target/i386/sev.c).
var (
	guidHashTableHeader = mustGUID("9438d606-4f22-4cc9-b479-a793d411fd21")
	guidHashKernel      = mustGUID("4de79437-abd2-427f-b835-d5b172d2045b")
	guidHashInitrd      = mustGUID("44baf731-3a2f-4bd7-9af1-41e29169781d")
	guidHashCmdline     = mustGUID("97d02dd8-bd20-4c94-aa78-e7714d36ab2a")
)

// paddedHashTable is the size of QEMU's hash table (header of 18 bytes, three
// entries of 50) padded to 16 bytes, the least area OVMF may declare for it.
const paddedHashTable = (16 + 2 + 3*(16+2+32) + 15) &^ 15

// hashesPage is the page QEMU writes at OVMF's SEV hash table: the table (GUID,
// length, then cmdline, initrd, kernel entries of GUID, length, SHA-256), padded
// to 16 bytes, at offset within the page.
func hashesPage(offset uint32, in SNPInput) []byte {
	const entry = 16 + 2 + 32
	const table = 16 + 2 + 3*entry
	page := make([]byte, pageSize)
	t := page[offset:]
	copy(t, guidHashTableHeader[:])
	binary.LittleEndian.PutUint16(t[16:], table)
	put := func(at int, g [16]byte, h [32]byte) {
		copy(t[at:], g[:])
		binary.LittleEndian.PutUint16(t[at+16:], entry)
		copy(t[at+18:], h[:])
	}
	put(18, guidHashCmdline, sha256.Sum256(append([]byte(in.Cmdline), 0)))
	put(18+entry, guidHashInitrd, sha256.Sum256(in.Initrd))
	put(18+2*entry, guidHashKernel, sha256.Sum256(in.Kernel))
	return page
}

// vmsaPage is the initial VMSA (SEV-ES save area, AMD APM vol. 2 table B-4) of a
// vCPU starting at eip, as the VMM sets it up.
func vmsaPage(eip uint32, in SNPInput) []byte {
	csFlags, ssFlags, trFlags := uint16(0x9b), uint16(0x93), uint16(0x8b)
	gPAT := uint64(0x7040600070406) // PAT MSR reset value (APM vol. 2 A.3)
	rdx, mxcsr, fcw := uint64(in.VCPUSig), uint32(0x1f80), uint16(0x37f)
	switch in.VMM {
	case EC2:
		if eip == 0xfffffff0 {
			csFlags = 0x9a
		}
		ssFlags, trFlags, rdx, mxcsr, fcw = 0x92, 0x83, 0x600, 0, 0
	case GCE:
		gPAT, rdx, mxcsr, fcw = 0x00070106, 0x600, 0, 0
	}
	p := make([]byte, pageSize)
	seg := func(at int, sel, attrib uint16, limit uint32, base uint64) {
		binary.LittleEndian.PutUint16(p[at:], sel)
		binary.LittleEndian.PutUint16(p[at+2:], attrib)
		binary.LittleEndian.PutUint32(p[at+4:], limit)
		binary.LittleEndian.PutUint64(p[at+8:], base)
	}
	seg(0x00, 0, 0x93, 0xffff, 0)                              // es
	seg(0x10, 0xf000, csFlags, 0xffff, uint64(eip&0xffff0000)) // cs
	seg(0x20, 0, ssFlags, 0xffff, 0)                           // ss
	seg(0x30, 0, 0x93, 0xffff, 0)                              // ds
	seg(0x40, 0, 0x93, 0xffff, 0)                              // fs
	seg(0x50, 0, 0x93, 0xffff, 0)                              // gs
	seg(0x60, 0, 0, 0xffff, 0)                                 // gdtr
	seg(0x70, 0, 0x82, 0xffff, 0)                              // ldtr
	seg(0x80, 0, 0, 0xffff, 0)                                 // idtr
	seg(0x90, 0, trFlags, 0xffff, 0)                           // tr
	u64 := func(at int, v uint64) { binary.LittleEndian.PutUint64(p[at:], v) }
	u64(0xd0, 0x1000)              // efer: SVME
	u64(0x148, 0x40)               // cr4: MCE
	u64(0x158, 0x10)               // cr0
	u64(0x160, 0x400)              // dr7
	u64(0x168, 0xffff0ff0)         // dr6
	u64(0x170, 0x2)                // rflags
	u64(0x178, uint64(eip&0xffff)) // rip
	u64(0x268, gPAT)               // g_pat
	u64(0x310, rdx)                // rdx
	u64(0x3b0, in.GuestFeatures)   // sev_features
	u64(0x3e8, 0x1)                // xcr0
	binary.LittleEndian.PutUint32(p[0x408:], mxcsr)
	binary.LittleEndian.PutUint16(p[0x410:], fcw) // x87_fcw
	return p
}
