package agent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/teeoracle/teeoracle/oracle/eventlog"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/workload"
)

// RTMRExtender extends a TDX runtime measurement register with a SHA-384 digest.
type RTMRExtender interface {
	ExtendRTMR(index int, digest []byte) error
}

// DefaultRTMRDir is where Linux (6.16 and later, the TSM measurement interface of
// the tdx_guest driver) exposes the RTMRs; writing 48 bytes to rtmrN:sha384
// extends RTMR N.
const DefaultRTMRDir = "/sys/class/misc/tdx_guest/measurements"

// SysfsRTMR extends RTMRs through the kernel's measurement files in Dir.
type SysfsRTMR struct{ Dir string }

// ExtendRTMR writes the digest to Dir/rtmr<index>:sha384.
func (s SysfsRTMR) ExtendRTMR(index int, digest []byte) error {
	p := filepath.Join(s.Dir, fmt.Sprintf("rtmr%d:sha384", index))
	// Never O_CREATE: a missing measurement file means no RTMR to extend, not a
	// plain file that would log an extension that never happened.
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("extend RTMR%d: %w", index, err)
	}
	if _, err := f.Write(digest); err != nil {
		f.Close()
		return fmt.Errorf("extend RTMR%d: %w", index, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("extend RTMR%d: %w", index, err)
	}
	return nil
}

// RuntimeLog is the agent's log of the RTMR extensions it made since boot, kept
// in a file (by default on /run, which a reboot empties along with the RTMRs), so
// that a restarted agent neither loses the log nor extends twice. The file is
// the bundle's "runtime_events" array (docs/evidence.md).
type RuntimeLog struct {
	mu     sync.Mutex
	path   string
	events []eventlog.RuntimeEvent
}

// OpenRuntimeLog reads the log at path, or starts an empty one when the file
// does not exist.
func OpenRuntimeLog(path string) (*RuntimeLog, error) {
	l := &RuntimeLog{path: path}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("runtime log: %w", err)
	}
	if l.events, err = parseRuntimeLog(b); err != nil {
		return nil, fmt.Errorf("runtime log %s: %w", path, err)
	}
	return l, nil
}

// parseRuntimeLog reads a runtime log file: the JSON array of the bundle's
// "runtime_events", checked as the oracle checks it.
func parseRuntimeLog(b []byte) ([]eventlog.RuntimeEvent, error) {
	var events []eventlog.RuntimeEvent
	if err := json.Unmarshal(b, &events); err != nil {
		return nil, err
	}
	if err := eventlog.CheckRuntime(events); err != nil {
		return nil, err
	}
	return events, nil
}

// Events returns a copy of the events.
func (l *RuntimeLog) Events() []eventlog.RuntimeEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]eventlog.RuntimeEvent(nil), l.events...)
}

// Extend extends the event's RTMR with its digest, then records it. A crash
// between the two leaves the register unlogged, which replay reports (the
// policy decides whether that register matters); the opposite order would log
// an extension that never happened.
func (l *RuntimeLog) Extend(x RTMRExtender, e eventlog.RuntimeEvent) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	next := append(append([]eventlog.RuntimeEvent(nil), l.events...), e)
	if err := eventlog.CheckRuntime(next); err != nil {
		return err
	}
	if err := x.ExtendRTMR(int(e.RTMR), e.Digest()); err != nil {
		return err
	}
	l.events = next
	b, err := json.Marshal(l.events)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return fmt.Errorf("runtime log: %w", err)
	}
	if err := replaceFile(l.path, b); err != nil {
		return fmt.Errorf("runtime log: %w", err)
	}
	return nil
}

// replaceFile writes b to path through a temporary file that it creates itself
// in the same directory (a new name, opened exclusively, so a file or symlink
// planted there by someone else is never written through), then renames it over
// path.
func replaceFile(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// ErrOtherWorkload: this boot's RTMR3 already names another workload.
var ErrOtherWorkload = errors.New("RTMR3 already names another workload this boot")

// RecordWorkload records on TDX that this VM runs d: one RTMR3 event of type
// workload.EventType whose data is d's canonical bytes, once per boot (a second
// call with the same description does nothing; with another, ErrOtherWorkload).
func RecordWorkload(l *RuntimeLog, x RTMRExtender, d *workload.Description) error {
	c := d.Canonical()
	for _, e := range l.Events() {
		if e.RTMR == 3 && e.Type == workload.EventType {
			if bytes.Equal(e.Data, c) {
				return nil
			}
			return fmt.Errorf("%w: the runtime log holds %s", ErrOtherWorkload, e.Data)
		}
	}
	return l.Extend(x, eventlog.RuntimeEvent{RTMR: 3, Type: workload.EventType, Data: c})
}

// DescribeWorkload builds the description of the configured workload: the images
// as given and the SHA-256 of the compose file's bytes, if one is named.
func DescribeWorkload(name string, images []string, composeFile string) (*workload.Description, error) {
	d := &workload.Description{Name: name, Images: images}
	if composeFile != "" {
		b, err := os.ReadFile(composeFile)
		if err != nil {
			return nil, fmt.Errorf("workload compose file: %w", err)
		}
		h := sha256.Sum256(b)
		d.ComposeSHA256 = h[:]
	}
	if err := d.Normalize(); err != nil {
		return nil, err
	}
	return d, nil
}

// ErrHostData: the SEV-SNP guest was launched with a HOST_DATA that is not the
// workload description's digest, so every verdict would be untrusted.
var ErrHostData = errors.New("HOST_DATA does not bind the workload description")

// snpHostData is where HOST_DATA sits in an SEV-SNP report.
const snpHostDataOffset, snpHostDataEnd = 0xC0, 0xE0

// checkHostData asks the SEV-SNP guest for a report and checks that its
// HOST_DATA is d's digest, so a VM launched with the wrong value fails at start
// with a clear error instead of attesting as untrusted.
func checkHostData(inner EvidenceSource, d *workload.Description) error {
	ev, err := inner.Evidence(context.Background(), [64]byte{})
	if err != nil {
		return fmt.Errorf("read HOST_DATA: %w", err)
	}
	if len(ev.Raw) < snpHostDataEnd {
		return fmt.Errorf("read HOST_DATA: %w: report of %d bytes", evidence.ErrTruncated, len(ev.Raw))
	}
	dg := d.Digest()
	if got := ev.Raw[snpHostDataOffset:snpHostDataEnd]; !bytes.Equal(got, dg[:]) {
		return fmt.Errorf("%w: the VM was launched with HOST_DATA %x; launch it with %x (SHA-256 of %s)", ErrHostData, got, dg, d.Canonical())
	}
	return nil
}

// DefaultCCELDir is where Linux exposes ACPI tables: CCEL, and data/CCEL its log.
const DefaultCCELDir = "/sys/firmware/acpi/tables"

// ReadCCEL returns a function reading the CCEL table and log from dir.
func ReadCCEL(dir string) func() (table, data []byte, err error) {
	return func() ([]byte, []byte, error) {
		t, err := os.ReadFile(filepath.Join(dir, "CCEL"))
		if err != nil {
			return nil, nil, fmt.Errorf("CCEL table: %w", err)
		}
		d, err := os.ReadFile(filepath.Join(dir, "data", "CCEL"))
		if err != nil {
			return nil, nil, fmt.Errorf("CCEL log: %w", err)
		}
		return t, d, nil
	}
}

// WorkloadSource adds to Inner's evidence what names the workload: the
// description, and on TDX the CCEL and the runtime log, so that the oracle can
// replay the RTMRs. Each part is optional (nil).
type WorkloadSource struct {
	Inner    EvidenceSource
	Workload *workload.Description
	Log      *RuntimeLog
	CCEL     func() (table, data []byte, err error)
}

// TEE is Inner's.
func (s WorkloadSource) TEE() evidence.TEE { return s.Inner.TEE() }

// Evidence gets Inner's evidence and attaches the logs (the CCEL with its
// padding cut) and the description.
func (s WorkloadSource) Evidence(ctx context.Context, reportData [64]byte) (*evidence.Evidence, error) {
	ev, err := s.Inner.Evidence(ctx, reportData)
	if err != nil {
		return nil, err
	}
	ev.Workload = s.Workload
	if ev.TEE != evidence.TEETDX || (s.Log == nil && s.CCEL == nil) {
		return ev, nil
	}
	el := &evidence.EventLog{}
	if s.CCEL != nil {
		t, d, err := s.CCEL()
		if err != nil {
			return nil, err
		}
		if el.CCEL, err = eventlog.TrimPadding(d); err != nil {
			return nil, fmt.Errorf("CCEL log: %w", err)
		}
		el.CCELTable = t
	}
	if s.Log != nil {
		el.Runtime = s.Log.Events()
	}
	ev.EventLog = el
	return ev, nil
}

// DefaultRuntimeLog is where the agent keeps its runtime log: /run is emptied
// by a reboot, as the RTMRs are.
const DefaultRuntimeLog = "/run/teeoracle/runtime-log.json"

// ConfigureWorkload wraps inner as the configuration file asks. With a workload
// configured it builds the description; on TDX it records the description in
// RTMR3 (once per boot, through c.RTMRDir) and sends the CCEL (when c.CCELDir
// has one) and the runtime log with every quote; on SEV-SNP the description is
// sent and HOST_DATA, set by whoever launched the VM, must be its SHA-256. x,
// when non-nil, replaces the sysfs extender (tests); a TDX quote provider that
// implements RTMRExtender (a simulated TD) extends its own registers.
func ConfigureWorkload(c *FileConfig, inner EvidenceSource, x RTMRExtender) (EvidenceSource, *workload.Description, error) {
	if c == nil || c.Workload == nil {
		return inner, nil, nil
	}
	d, err := DescribeWorkload(c.Workload.Name, c.Workload.Images, c.Workload.ComposeFile)
	if err != nil {
		return nil, nil, err
	}
	src := WorkloadSource{Inner: inner, Workload: d}
	if inner.TEE() == evidence.TEESEVSNP {
		if err := checkHostData(inner, d); err != nil {
			return nil, nil, err
		}
		return src, d, nil
	}
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	if src.Log, err = OpenRuntimeLog(or(c.RuntimeLog, DefaultRuntimeLog)); err != nil {
		return nil, nil, err
	}
	if t, ok := inner.(TDXQuoteSource); ok && x == nil {
		// A quote provider that extends RTMRs itself (a simulated TD) is the
		// extender of its own registers.
		x, _ = t.QP.(RTMRExtender)
	}
	if x == nil {
		x = SysfsRTMR{Dir: or(c.RTMRDir, DefaultRTMRDir)}
	}
	if err := RecordWorkload(src.Log, x, d); err != nil {
		return nil, nil, fmt.Errorf("record workload in RTMR3: %w", err)
	}
	dir := or(c.CCELDir, DefaultCCELDir)
	if _, err := os.Stat(filepath.Join(dir, "CCEL")); err == nil {
		src.CCEL = ReadCCEL(dir)
	}
	return src, d, nil
}
