package measure

import (
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Arg is one input as a person gives it: its text (a value or a file path) and the
// name errors call it by (the command-line flag that set it, say).
type Arg struct{ Name, Value string }

// SNPArgs are an SEV-SNP guest's launch settings as given: file paths and values
// as text, each named for errors. Input turns them into an SNPInput.
type SNPArgs struct {
	// Firmware is the OVMF image's path (required); FirmwareDigest optionally the
	// launch digest after its pages in hex (48 bytes), as a vendor publishes it.
	Firmware, FirmwareDigest Arg
	// Kernel, Initrd and Cmdline are measured direct boot: paths of the kernel and
	// initrd, and the command line; Initrd and Cmdline need Kernel.
	Kernel, Initrd, Cmdline Arg
	// VCPUSig is a CPUID signature (0x-prefixed or decimal) that replaces VCPUType,
	// a QEMU CPU model (VCPUTypes).
	VCPUType, VCPUSig Arg
	// GuestFeatures is SEV_FEATURES (0x-prefixed or decimal); VMM qemu, ec2 or gce.
	GuestFeatures, VMM Arg
	VCPUs              int
}

// Input reads the files and parses the values. FirmwareDigest is the given one, or
// else the firmware's pages hashed once here, so the digest a caller prints is the
// one the launch digest is computed from.
func (a SNPArgs) Input() (SNPInput, error) {
	in := SNPInput{VCPUs: a.VCPUs}
	var err error
	if in.Firmware, err = ReadOVMF(a.Firmware); err != nil {
		return in, err
	}
	if h := a.FirmwareDigest.Value; h != "" {
		if in.FirmwareDigest, err = hex.DecodeString(strings.TrimPrefix(strings.ToLower(h), "0x")); err != nil || len(in.FirmwareDigest) != 48 {
			return in, fmt.Errorf("%s: want 48 bytes of hex, got %q", a.FirmwareDigest.Name, h)
		}
	} else {
		d := FirmwareDigest(in.Firmware)
		in.FirmwareDigest = d[:]
	}
	if err := a.readBoot(&in); err != nil {
		return in, err
	}
	if in.VMM, err = ParseVMM(a.VMM.Value); err != nil {
		return in, fmt.Errorf("%s: %w", a.VMM.Name, err)
	}
	if s := a.VCPUSig.Value; s != "" {
		v, err := strconv.ParseUint(s, 0, 32)
		if err != nil {
			return in, fmt.Errorf("%s %q: %w", a.VCPUSig.Name, s, err)
		}
		in.VCPUSig = uint32(v)
	} else if sig, ok := VCPUTypes[a.VCPUType.Value]; ok {
		in.VCPUSig = sig
	} else {
		return in, fmt.Errorf("%s %q: unknown (see --help)", a.VCPUType.Name, a.VCPUType.Value)
	}
	if in.GuestFeatures, err = strconv.ParseUint(a.GuestFeatures.Value, 0, 64); err != nil {
		return in, fmt.Errorf("%s %q: %w", a.GuestFeatures.Name, a.GuestFeatures.Value, err)
	}
	return in, nil
}

// Measure reads the inputs (Input) and returns them with the guest's launch
// digest (SNPLaunchDigest).
func (a SNPArgs) Measure() (SNPInput, [48]byte, error) {
	in, err := a.Input()
	if err != nil {
		return in, [48]byte{}, err
	}
	d, err := SNPLaunchDigest(in)
	return in, d, err
}

// readBoot reads the kernel, initrd and command line of measured direct boot.
func (a SNPArgs) readBoot(in *SNPInput) error {
	if a.Kernel.Value == "" {
		if a.Initrd.Value != "" || a.Cmdline.Value != "" {
			return fmt.Errorf("%s and %s are measured only with %s (measured direct boot)", a.Initrd.Name, a.Cmdline.Name, a.Kernel.Name)
		}
		return nil
	}
	var err error
	if in.Kernel, err = os.ReadFile(a.Kernel.Value); err != nil {
		return fmt.Errorf("%s: %w", a.Kernel.Name, err)
	}
	in.Cmdline = a.Cmdline.Value
	if p := a.Initrd.Value; p != "" {
		if in.Initrd, err = os.ReadFile(p); err != nil {
			return fmt.Errorf("%s: %w", a.Initrd.Name, err)
		}
	}
	return nil
}

// ReadOVMF reads and parses the firmware image at path a (required).
func ReadOVMF(a Arg) (*OVMF, error) {
	if a.Value == "" {
		return nil, fmt.Errorf("%s is required", a.Name)
	}
	fw, err := os.ReadFile(a.Value)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.Name, err)
	}
	o, err := ParseOVMF(a.Value, fw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.Name, err)
	}
	return o, nil
}

// TDXArgs are a TD's launch inputs as given, each named for errors: the TDVF
// image's path (required) and, optionally, the CCEL event log of a reference boot
// of the same firmware, kernel and command line.
type TDXArgs struct{ Firmware, EventLog Arg }

// Measure reads the inputs and returns the TD's MRTD (TDXMRTD) and, with an
// event log, its boot (ReadTDXBoot; nil without one).
func (a TDXArgs) Measure() (mrtd [48]byte, boot *TDXBoot, err error) {
	o, err := ReadOVMF(a.Firmware)
	if err != nil {
		return mrtd, nil, err
	}
	if mrtd, err = TDXMRTD(o); err != nil {
		return mrtd, nil, fmt.Errorf("%s: %w", a.Firmware.Name, err)
	}
	boot, err = ReadTDXBoot(a.EventLog)
	return mrtd, boot, err
}

// ReadTDXBoot reads the CCEL event log at path a and replays it (TDXRTMRs); no
// path is no boot (nil).
func ReadTDXBoot(a Arg) (*TDXBoot, error) {
	if a.Value == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(a.Value)
	if err == nil {
		var b *TDXBoot
		if b, err = TDXRTMRs(a.Value, raw); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%s: %w", a.Name, err)
}
