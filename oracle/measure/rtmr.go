package measure

import (
	"fmt"

	"github.com/teeoracle/teeoracle/oracle/eventlog"
)

// TDXBoot is what a reference boot's event log says the firmware measured: the
// values RTMR0-2 end with (firmware and its configuration, the boot loader and
// kernel, the kernel command line and initrd) and the components it names.
type TDXBoot struct {
	RTMR       [3][48]byte
	Components []eventlog.Component
}

// TDXRTMRs replays the CCEL event log of a reference boot (the contents of
// /sys/firmware/acpi/tables/data/CCEL on a TD launched from the same firmware,
// kernel, initrd and command line): RTMR0-2 are not a function of the firmware
// image alone (they measure the VMM's ACPI tables and the boot path), so the
// log is what makes them predictable. name says which file the log came from.
func TDXRTMRs(name string, ccel []byte) (*TDXBoot, error) {
	data, err := eventlog.TrimPadding(ccel)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	log, err := eventlog.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(log.Events) == 0 {
		return nil, fmt.Errorf("%s: the event log holds no measured event", name)
	}
	res := eventlog.Replay(log, nil, [4][]byte{})
	b := &TDXBoot{}
	for i := range b.RTMR {
		copy(b.RTMR[i][:], res.Registers[i].Replayed)
	}
	for _, c := range res.Components {
		if c.RTMR <= 2 {
			b.Components = append(b.Components, c)
		}
	}
	return b, nil
}

// KernelCmdlines are the kernel command lines the boot's log names.
func (b *TDXBoot) KernelCmdlines() []string {
	var out []string
	for _, c := range b.Components {
		if c.Kind == eventlog.KindKernelCmdline && c.Value != "" {
			out = append(out, c.Value)
		}
	}
	return out
}
