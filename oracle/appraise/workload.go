package appraise

import (
	"bytes"
	"fmt"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/oracle/eventlog"
	"github.com/teeoracle/teeoracle/oracle/evidence"
	"github.com/teeoracle/teeoracle/oracle/workload"
)

// Names of the checks made only for evidence that carries event logs or a
// workload description (so that the appraisal of other evidence is unchanged).
const (
	CheckTDXEventLog = "tdx.event_log"
	CheckWorkload    = "workload.binding"
)

// How a workload description is bound to the evidence.
const (
	BindingRTMR3Event = "rtmr3_event" // TDX: a runtime RTMR3 event whose data is the canonical description
	BindingHostData   = "host_data"   // SEV-SNP: HOST_DATA is the description's SHA-256
)

// WorkloadFacts are the workload description the evidence came with and whether
// the evidence binds it. An unbound description is a claim of the sender only:
// policy.Decide refuses it (workload_unbound).
type WorkloadFacts struct {
	Description *workload.Description `json:"description"`
	// Digest is SHA-256 of the description's canonical bytes.
	Digest  hexutil.Bytes `json:"digest"`
	Binding string        `json:"binding"`
	Bound   bool          `json:"bound"`
	// Images are the images' digests, for people and policies.
	Images []string `json:"images"`
}

// EventLogFacts are what replaying a TDX guest's event logs against the quote's
// RTMRs found (eventlog.Replay): a status per register and the recognised
// measured components.
type EventLogFacts struct {
	Registers  [4]RegisterFacts     `json:"registers"`
	Components []eventlog.Component `json:"components"`
	// CCEL says whether the firmware log came (else only the runtime log did).
	CCEL bool `json:"ccel"`
}

// RegisterFacts is one RTMR's replay.
type RegisterFacts struct {
	Status   eventlog.Status `json:"status"`
	Events   int             `json:"events"`
	Replayed hexutil.Bytes   `json:"replayed"`
}

// tdxEventLog replays the evidence's event logs against the quote's RTMRs and
// records the outcome; nothing happens for evidence without logs.
func tdxEventLog(app *Appraisal, ev *evidence.Evidence) {
	if ev.EventLog == nil || app.TDX == nil {
		return
	}
	var log *eventlog.Log
	if len(ev.EventLog.CCEL) > 0 {
		var err error
		if log, err = eventlog.Parse(ev.EventLog.CCEL); err != nil {
			// Decode parsed it already; a hand-built Evidence may not have been.
			app.Checks = append(app.Checks, Check{Name: CheckTDXEventLog, Outcome: Fail, Detail: err.Error()})
			return
		}
	}
	var rtmr [4][]byte
	for i := range rtmr {
		rtmr[i] = app.TDX.RTMR[i]
	}
	res := eventlog.Replay(log, ev.EventLog.Runtime, rtmr)
	f := &EventLogFacts{Components: res.Components, CCEL: log != nil}
	detail := ""
	outcome := Pass
	for i, r := range res.Registers {
		f.Registers[i] = RegisterFacts{Status: r.Status, Events: r.Events, Replayed: r.Replayed}
		detail += fmt.Sprintf("RTMR%d %s (%d events); ", i, r.Status, r.Events)
		if r.Status == eventlog.Mismatch {
			outcome = Fail
		}
	}
	app.TDX.EventLog = f
	// A mismatch fails this check but not authenticity: the quote is genuine either
	// way. The policy decides which registers must replay.
	app.Checks = append(app.Checks, Check{Name: CheckTDXEventLog, Outcome: outcome,
		Detail: detail + fmt.Sprintf("%d components recognised", len(f.Components))})
}

// workloadFacts records the evidence's workload description and checks its
// binding: on TDX a runtime event of type workload.EventType in a replayed
// RTMR3 carrying exactly the canonical bytes, and no other such event; on SEV-SNP
// HOST_DATA equal to the description's SHA-256.
func workloadFacts(app *Appraisal, ev *evidence.Evidence) {
	d := ev.Workload
	if d == nil {
		return
	}
	dg := d.Digest()
	w := &WorkloadFacts{Description: d, Digest: dg[:], Images: d.ImageDigests()}
	var why string
	switch {
	case app.TDX != nil:
		w.Binding = BindingRTMR3Event
		w.Bound, why = boundByRTMR3(app.TDX.EventLog, ev, d.Canonical())
	case app.SNP != nil:
		w.Binding = BindingHostData
		w.Bound = bytes.Equal(app.SNP.HostData, dg[:])
		if !w.Bound {
			why = fmt.Sprintf("HOST_DATA %x is not the description's SHA-256 %x", []byte(app.SNP.HostData), dg)
		}
	}
	app.Workload = w
	if w.Bound {
		app.Checks = append(app.Checks, Check{Name: CheckWorkload, Outcome: Pass, Detail: "bound by " + w.Binding})
		return
	}
	app.Checks = append(app.Checks, Check{Name: CheckWorkload, Outcome: Fail, Detail: why})
}

func boundByRTMR3(f *EventLogFacts, ev *evidence.Evidence, canonical []byte) (bool, string) {
	if f == nil || ev.EventLog == nil {
		return false, "no event log: RTMR3 cannot be replayed"
	}
	if st := f.Registers[3].Status; st != eventlog.Verified {
		return false, fmt.Sprintf("RTMR3 does not replay (%s)", st)
	}
	n, match := 0, false
	for _, e := range ev.EventLog.Runtime {
		if e.RTMR == 3 && e.Type == workload.EventType {
			n++
			match = match || bytes.Equal(e.Data, canonical)
		}
	}
	switch {
	case n == 0:
		return false, "RTMR3 holds no " + workload.EventType + " event"
	case n > 1:
		return false, fmt.Sprintf("RTMR3 holds %d %s events; one workload per boot", n, workload.EventType)
	case !match:
		return false, "the RTMR3 " + workload.EventType + " event names another workload"
	}
	return true, ""
}
