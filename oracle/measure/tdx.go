package measure

import (
	"crypto/sha512"
	"encoding/binary"
	"fmt"
)

// TDX: MRTD is SHA-384 over what the VMM asked the TDX module to do while it built
// the TD: for each page of each TDVF metadata section, TDH.MEM.PAGE.ADD (a 128-byte
// record "MEM.PAGE.ADD" ‖ GPA), and for sections marked MR.EXTEND, TDH.MR.EXTEND
// over each 256-byte chunk of the page (128 bytes "MR.EXTEND" ‖ GPA, then the
// chunk), page by page as KVM does it (TDVF design guide, section "TD
// measurement"; Intel TDX module ABI TDH.MEM.PAGE.ADD, TDH.MR.EXTEND).

var (
	guidTDXMetadataOffset = mustGUID("e47a6535-984a-4798-865e-4685a7bf8ec2") // OVMF footer entry
	guidTDXMetadata       = mustGUID("e9eaf9f3-168e-44d5-a8eb-7f4d8738f6ae") // precedes the descriptor
)

// TDVF metadata section types and attributes.
const (
	tdvfSectionTypeMax = 9
	tdvfSectionTDInfo  = 7
	tdvfAttrMRExtend   = 1 << 0
	tdvfAttrPageAug    = 1 << 1 // accepted by the guest later: no PAGE.ADD at build
	tdvfDescriptorSize = 16
	tdvfSectionSize    = 32
	mrExtendChunk      = 256
	// maxTDVFMemory bounds the memory all sections describe (a real TDVF describes
	// a few MiB), so that hostile metadata cannot make MRTD hash for minutes.
	maxTDVFMemory = 256 << 20
)

// TDVFSection is one TDVF metadata section.
type TDVFSection struct {
	DataOffset, RawDataSize       uint32
	MemoryAddress, MemoryDataSize uint64
	Type, Attributes              uint32
}

// TDVFSections reads the TDX metadata of a TDVF image (an OVMF built with TDX
// support) from its OVMF footer table entry.
func (o *OVMF) TDVFSections() ([]TDVFSection, error) {
	var at int
	if e, ok := o.table[guidTDXMetadataOffset]; ok && len(e) >= 4 {
		at = len(o.Data) - int(binary.LittleEndian.Uint32(e)) - 16
	} else {
		return nil, fmt.Errorf("%s: %w: no TDX metadata entry in the OVMF footer table (not built with TDX support)", o.Name, errMissingSection)
	}
	if at < 0 || at+16+tdvfDescriptorSize > len(o.Data) || [16]byte(o.Data[at:at+16]) != guidTDXMetadata {
		return nil, fmt.Errorf("%s: TDX metadata: no metadata GUID at offset %d", o.Name, at)
	}
	d := o.Data[at+16:]
	sig, length := string(d[:4]), int(binary.LittleEndian.Uint32(d[4:]))
	version, n := binary.LittleEndian.Uint32(d[8:]), int(binary.LittleEndian.Uint32(d[12:]))
	if sig != "TDVF" || version != 1 || n == 0 || length != tdvfDescriptorSize+tdvfSectionSize*n || at+16+length > len(o.Data) {
		return nil, fmt.Errorf("%s: TDX metadata: bad descriptor (signature %q, version %d, length %d, %d sections)", o.Name, sig, version, length, n)
	}
	secs := make([]TDVFSection, n)
	var total uint64
	for i := range secs {
		b := d[tdvfDescriptorSize+tdvfSectionSize*i:]
		s := TDVFSection{DataOffset: binary.LittleEndian.Uint32(b), RawDataSize: binary.LittleEndian.Uint32(b[4:]),
			MemoryAddress: binary.LittleEndian.Uint64(b[8:]), MemoryDataSize: binary.LittleEndian.Uint64(b[16:]),
			Type: binary.LittleEndian.Uint32(b[24:]), Attributes: binary.LittleEndian.Uint32(b[28:])}
		if err := s.check(len(o.Data)); err != nil {
			return nil, fmt.Errorf("%s: TDX metadata section %d: %w", o.Name, i, err)
		}
		if s.MemoryDataSize > maxTDVFMemory-total {
			return nil, fmt.Errorf("%s: TDX metadata: sections add up to over %d bytes of TD memory", o.Name, maxTDVFMemory)
		}
		total += s.MemoryDataSize
		secs[i] = s
	}
	return secs, nil
}

func (s TDVFSection) check(imageSize int) error {
	switch {
	case s.Type >= tdvfSectionTypeMax:
		return fmt.Errorf("type %d unknown", s.Type)
	case s.MemoryAddress%pageSize != 0 || s.MemoryDataSize%pageSize != 0:
		return fmt.Errorf("memory %#x+%#x not page-aligned", s.MemoryAddress, s.MemoryDataSize)
	case s.Type != tdvfSectionTDInfo && s.MemoryDataSize < uint64(s.RawDataSize):
		return fmt.Errorf("memory size %#x smaller than its raw data %#x", s.MemoryDataSize, s.RawDataSize)
	case s.Attributes&tdvfAttrMRExtend != 0 && uint64(s.DataOffset)+s.MemoryDataSize > uint64(imageSize):
		return fmt.Errorf("measured data %#x+%#x runs past the %d-byte image (truncated?)", s.DataOffset, s.MemoryDataSize, imageSize)
	}
	return nil
}

// TDXMRTD is the MRTD of a TD built from the TDVF image o.
func TDXMRTD(o *OVMF) ([48]byte, error) {
	secs, err := o.TDVFSections()
	if err != nil {
		return [48]byte{}, err
	}
	h := sha512.New384()
	var rec [128]byte
	for _, s := range secs {
		for p := uint64(0); p < s.MemoryDataSize; p += pageSize {
			gpa := s.MemoryAddress + p
			if s.Attributes&tdvfAttrPageAug == 0 {
				rec = [128]byte{}
				copy(rec[:], "MEM.PAGE.ADD")
				binary.LittleEndian.PutUint64(rec[16:], gpa)
				h.Write(rec[:])
			}
			if s.Attributes&tdvfAttrMRExtend == 0 {
				continue
			}
			for c := uint64(0); c < pageSize; c += mrExtendChunk {
				rec = [128]byte{}
				copy(rec[:], "MR.EXTEND")
				binary.LittleEndian.PutUint64(rec[16:], gpa+c)
				h.Write(rec[:])
				off := uint64(s.DataOffset) + p + c
				h.Write(o.Data[off : off+mrExtendChunk])
			}
		}
	}
	var out [48]byte
	h.Sum(out[:0])
	return out, nil
}
