package fakehw

import (
	"bytes"
	"crypto/sha512"
	"fmt"

	"github.com/teeoracle/teeoracle/oracle/eventlog"
)

// TDXBoot is what a simulated TD boots, measured as TDVF and GRUB do it: the
// firmware volume into RTMR0 (EV_EFI_PLATFORM_FIRMWARE_BLOB2 "TDVF CFV") with
// the TD HOB (EV_EFI_HANDOFF_TABLES2), the boot loader into RTMR1
// (EV_EFI_BOOT_SERVICES_APPLICATION), and the kernel, initrd and kernel command
// line into RTMR2 (GRUB's EV_IPL events). The machine's RTMR0..2 are the replay
// of that log, so the log it hands out always replays. DEVNET ONLY: the bytes
// are stand-ins, and the MRTD stays TDXMachineOptions.MRTD.
type TDXBoot struct {
	Firmware, BootLoader, Kernel, Initrd []byte
	Cmdline                              string
}

// DefaultTDXBoot returns the devnet TD's boot artifacts.
func DefaultTDXBoot() TDXBoot {
	return TDXBoot{
		Firmware:   []byte("teeoracle devnet TDVF configuration firmware volume"),
		BootLoader: []byte("teeoracle devnet shim+grub"),
		Kernel:     []byte("teeoracle devnet linux 6.8 kernel image"),
		Initrd:     []byte("teeoracle devnet initrd"),
		Cmdline:    "console=ttyS0 root=/dev/vda1 ro teeoracle.devnet=1",
	}
}

// DevnetKernelPath and DevnetInitrdPath are the paths GRUB logs for them.
const (
	DevnetKernelPath = "/boot/vmlinuz-6.8.0-devnet"
	DevnetInitrdPath = "/boot/initrd.img-6.8.0-devnet"
)

// log builds the CCEL data for the boot.
func (b *TDXBoot) log() *eventlog.Builder {
	sha := func(x []byte) []byte { d := sha512.Sum384(x); return d[:] }
	desc := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
	return eventlog.NewBuilder().
		AddDigest(0, eventlog.EvEFIPlatformFirmwareBlob2, sha(b.Firmware), desc("TDVF CFV")).
		Add(0, eventlog.EvEFIHandoffTables2, desc("TD HOB")).
		Add(0, eventlog.EvSeparator, []byte{0, 0, 0, 0}).
		AddDigest(1, eventlog.EvEFIBootServicesApp, sha(b.BootLoader), []byte("devnet boot loader")).
		Add(1, eventlog.EvSeparator, []byte{0, 0, 0, 0}).
		AddDigest(2, eventlog.EvIPL, sha(b.Kernel), []byte(DevnetKernelPath)).
		AddDigest(2, eventlog.EvIPL, sha(b.Initrd), []byte(DevnetInitrdPath)).
		Add(2, eventlog.EvIPL, []byte("kernel_cmdline: "+b.Cmdline+"\x00"))
}

// ccelAreaSize is the log area the devnet CCEL table announces; the data the
// machine hands out is padded to it with 0xFF, as the kernel shows it.
const ccelAreaSize = 16 << 10

// applyBoot sets RTMR0..2 from the boot's log and keeps the log.
func (m *TDXMachine) applyBoot() error {
	if m.opts.Boot == nil {
		return nil
	}
	b := m.opts.Boot.log()
	data := b.Bytes()
	if len(data) > ccelAreaSize {
		return fmt.Errorf("devnet TD: boot log of %d bytes exceeds the %d-byte log area", len(data), ccelAreaSize)
	}
	m.ccel = append(data, bytes.Repeat([]byte{0xff}, ccelAreaSize-len(data))...)
	r := b.RTMR()
	for i := range 3 {
		m.opts.RTMR[i] = r[i]
	}
	m.opts.RTMR[3] = make([]byte, 48)
	return nil
}

// CCEL returns the CCEL ACPI table and its log area as Linux exposes them under
// /sys/firmware/acpi/tables/CCEL and data/CCEL; nil for a machine without Boot.
func (m *TDXMachine) CCEL() (table, data []byte) {
	if m.ccel == nil {
		return nil, nil
	}
	return eventlog.NewCCELTable(ccelAreaSize, 0x7f000000), bytes.Clone(m.ccel)
}

// ExtendRTMR extends RTMR index (2 or 3, the ones a guest may extend) with a
// 48-byte digest, as Linux's TSM measurement interface does on a real TD.
func (m *TDXMachine) ExtendRTMR(index int, digest []byte) error {
	if index != 2 && index != 3 {
		return fmt.Errorf("devnet TD: RTMR%d cannot be extended by the guest (2 or 3)", index)
	}
	if len(digest) != 48 {
		return fmt.Errorf("devnet TD: digest of %d bytes, want 48", len(digest))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.opts.RTMR[index] = eventlog.Extend(m.opts.RTMR[index], digest)
	return nil
}

// Authority returns the platform the TD runs on.
func (m *TDXMachine) Authority() *TDXAuthority { return m.a }
