package evidence

import (
	"bytes"
	"fmt"

	"github.com/teeoracle/teeoracle/oracle/eventlog"
	"github.com/teeoracle/teeoracle/oracle/workload"
)

// EventLog is what a TDX guest sends beside its quote so that its RTMRs can be
// replayed: the firmware's CCEL (the ACPI table, and the log with the unused rest
// of its area cut off) and the runtime log of RTMR extensions the agent made
// (docs/evidence.md, "Event logs"). Either part may be absent.
type EventLog struct {
	CCELTable []byte
	CCEL      []byte
	Runtime   []eventlog.RuntimeEvent
}

// Bounds of the event log parts of a bundle. A TDVF and GRUB log is 5 to 20 KiB
// once its padding is cut.
const (
	// MaxBundleCCEL bounds the "ccel" log as received (padding included).
	MaxBundleCCEL = 64 << 10
)

// checkEventLog parses a bundle's event log parts and workload description and
// returns them in canonical form: the CCEL without padding. name names the input
// in errors.
func checkEventLog(name string, tee TEE, b *Bundle) (*EventLog, error) {
	// An empty part is an absent part: JSON's [] or "" must not give the same
	// evidence a second (v2) hash that its re-encoded bundle (omitempty) loses.
	if len(b.CCEL) == 0 {
		b.CCEL = nil
	}
	if len(b.CCELTable) == 0 {
		b.CCELTable = nil
	}
	if len(b.RuntimeEvents) == 0 {
		b.RuntimeEvents = nil
	}
	if b.CCEL == nil && b.CCELTable == nil && b.RuntimeEvents == nil {
		return nil, nil
	}
	if tee != TEETDX {
		return nil, fmt.Errorf("%s: bundle: %w: \"ccel\", \"ccel_table\" and \"runtime_events\" go with TDX evidence only (SEV-SNP binds a workload through HOST_DATA)", name, ErrTEEMismatch)
	}
	if (b.CCEL == nil) != (b.CCELTable == nil) {
		return nil, fmt.Errorf("%s: bundle: %w: \"ccel\" and \"ccel_table\" go together", name, ErrBadJSON)
	}
	el := &EventLog{}
	if b.CCEL != nil {
		if len(b.CCEL) > MaxBundleCCEL {
			return nil, fmt.Errorf("%s: bundle: %w: ccel of %d bytes, at most %d (cut the log area's padding)", name, ErrTooLarge, len(b.CCEL), MaxBundleCCEL)
		}
		if _, err := eventlog.ParseCCELTable(b.CCELTable); err != nil {
			return nil, fmt.Errorf("%s: bundle ccel_table: %w: %w", name, ErrMalformed, err)
		}
		trimmed, err := eventlog.TrimPadding(b.CCEL)
		if err != nil {
			return nil, fmt.Errorf("%s: bundle ccel: %w: %w", name, ErrMalformed, err)
		}
		el.CCELTable, el.CCEL = bytes.Clone(b.CCELTable), bytes.Clone(trimmed)
	}
	if err := eventlog.CheckRuntime(b.RuntimeEvents); err != nil {
		return nil, fmt.Errorf("%s: bundle runtime_events: %w: %w", name, ErrMalformed, err)
	}
	el.Runtime = b.RuntimeEvents
	return el, nil
}

// checkWorkload re-normalises a bundle's workload description (json decoding ran
// workload.Parse already; this keeps a hand-built Bundle honest too).
func checkWorkload(name string, d *workload.Description) error {
	if d == nil {
		return nil
	}
	if err := d.Normalize(); err != nil {
		return fmt.Errorf("%s: bundle workload: %w: %w", name, ErrBadJSON, err)
	}
	return nil
}
