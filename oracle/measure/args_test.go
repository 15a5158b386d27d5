package measure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// SNPArgs.Input parses the settings as given and refuses each bad one naming it;
// the unbroken settings pass, with the firmware's digest filled in.
func TestSNPArgsInput(t *testing.T) {
	kernel := filepath.Join(t.TempDir(), "vmlinuz")
	if err := os.WriteFile(kernel, []byte("kernel"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := func() SNPArgs {
		return SNPArgs{Firmware: Arg{"--firmware", "testdata/virtee/ovmf_AmdSev_suffix.bin"}, Kernel: Arg{"--kernel", kernel},
			Initrd: Arg{"--initrd", kernel}, Cmdline: Arg{"--append", "quiet"}, VCPUType: Arg{"--vcpu-type", "EPYC-v4"},
			VCPUSig: Arg{Name: "--vcpu-sig"}, GuestFeatures: Arg{"--guest-features", "0x21"}, VMM: Arg{"--vmm", "ec2"},
			FirmwareDigest: Arg{Name: "--firmware-digest"}, VCPUs: 2}
	}
	in, err := good().Input()
	if err != nil {
		t.Fatal(err)
	}
	fd := FirmwareDigest(in.Firmware)
	if in.VCPUs != 2 || in.VCPUSig != VCPUTypes["EPYC-v4"] || in.GuestFeatures != 0x21 || in.VMM != EC2 ||
		string(in.Kernel) != "kernel" || string(in.Initrd) != "kernel" || in.Cmdline != "quiet" || string(in.FirmwareDigest) != string(fd[:]) {
		t.Errorf("input %+v", in)
	}
	for _, tc := range []struct {
		name   string
		break_ func(*SNPArgs)
		want   string
	}{
		{"no firmware", func(a *SNPArgs) { a.Firmware.Value = "" }, "--firmware is required"},
		{"missing firmware", func(a *SNPArgs) { a.Firmware.Value = "nope.fd" }, "--firmware"},
		{"short digest", func(a *SNPArgs) { a.FirmwareDigest.Value = "abcd" }, "--firmware-digest"},
		{"append without kernel", func(a *SNPArgs) { a.Kernel.Value = "" }, "only with --kernel"},
		{"missing initrd", func(a *SNPArgs) { a.Initrd.Value = "nope" }, "--initrd"},
		{"vmm", func(a *SNPArgs) { a.VMM.Value = "xen" }, "--vmm"},
		{"cpu type", func(a *SNPArgs) { a.VCPUType.Value = "Pentium" }, `--vcpu-type "Pentium"`},
		{"cpu sig", func(a *SNPArgs) { a.VCPUSig.Value = "0xZZ" }, "--vcpu-sig"},
		{"features", func(a *SNPArgs) { a.GuestFeatures.Value = "many" }, "--guest-features"},
	} {
		a := good()
		tc.break_(&a)
		if _, err := a.Input(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %q", tc.name, err, tc.want)
		}
	}
	if mi, d, err := good().Measure(); err != nil || mi.VCPUs != in.VCPUs || d != mustDigest(t, in) {
		t.Errorf("Measure: %x, %v; want Input's launch digest", d, err)
	}
	if _, _, err := (SNPArgs{Firmware: Arg{Name: "--firmware"}}).Measure(); err == nil || !strings.Contains(err.Error(), "--firmware is required") {
		t.Errorf("Measure without firmware: %v", err)
	}
	a := good()
	a.VCPUSig.Value, a.VCPUType.Value = "0xA00F11", "unknown-but-overridden"
	a.FirmwareDigest.Value = "0x" + strings.Repeat("ab", 48)
	if in, err := a.Input(); err != nil || in.VCPUSig != 0xA00F11 || in.FirmwareDigest[0] != 0xab {
		t.Errorf("signature and digest given: %+v, %v", in, err)
	}
}

// ReadTDXBoot: no path is no boot; a file that is no event log is refused naming it.
func TestReadTDXBoot(t *testing.T) {
	if b, err := ReadTDXBoot(Arg{Name: "--event-log"}); b != nil || err != nil {
		t.Errorf("no path: %v, %v", b, err)
	}
	if _, err := ReadTDXBoot(Arg{"--event-log", "testdata/virtee/ovmf_AmdSev_suffix.bin"}); err == nil || !strings.Contains(err.Error(), "--event-log") {
		t.Errorf("not an event log: %v", err)
	}
}

// TDXArgs.Measure gives the image's MRTD, no boot without an event log, and
// refuses a missing image, one without TDX metadata, or a file that is no event
// log, naming the input.
func TestTDXArgsMeasure(t *testing.T) {
	img := tdvfImage(t, func(int) byte { return 0 })
	fw := filepath.Join(t.TempDir(), "tdvf.fd")
	if err := os.WriteFile(fw, img, 0o644); err != nil {
		t.Fatal(err)
	}
	m, boot, err := TDXArgs{Firmware: Arg{"--firmware", fw}, EventLog: Arg{Name: "--event-log"}}.Measure()
	if err != nil || m != mrtdOf(t, img) || boot != nil {
		t.Errorf("MRTD %x (want %x), boot %v, %v", m, mrtdOf(t, img), boot, err)
	}
	for _, tc := range []struct {
		args TDXArgs
		want string
	}{
		{TDXArgs{Firmware: Arg{Name: "--firmware"}}, "--firmware is required"},
		{TDXArgs{Firmware: Arg{"--firmware", "testdata/virtee/ovmf_AmdSev_suffix.bin"}}, "--firmware: "},
		{TDXArgs{Firmware: Arg{"--firmware", fw}, EventLog: Arg{"--event-log", fw}}, "--event-log: "},
	} {
		if _, _, err := tc.args.Measure(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error starting %q", tc.args, err, tc.want)
		}
	}
}

func mustDigest(t *testing.T, in SNPInput) [48]byte {
	t.Helper()
	d, err := SNPLaunchDigest(in)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
