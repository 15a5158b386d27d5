package service

import (
	"sync"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// Bounds of the submissions handed from Submit to the workers.
const (
	handoffMax      = 4096
	handoffMaxBytes = 32 << 20
)

// handoffs passes what Submit decoded and committed to the worker that takes the
// submission, so the worker neither reads the evidence and parameters back from
// the store nor decodes them again. The evidence is the API's decoding of the
// body, from which the archived bundle was encoded: the same report, certificates
// and parts, with the same hash (evidence's fuzz tests check the round trip). An
// entry is taken once; a submission without one (put off, left by a previous
// run, or past the bounds) is read from the store as before.
type handoffs struct {
	mu    sync.Mutex
	m     map[string]handoff
	bytes int
}

type handoff struct {
	ev   *evidence.Evidence
	meta *subMeta
	size int
}

// put keeps ev and m for submission id, unless the bounds are reached.
func (h *handoffs) put(id string, ev *evidence.Evidence, m *subMeta, size int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.m) >= handoffMax || h.bytes+size > handoffMaxBytes {
		return
	}
	if h.m == nil {
		h.m = map[string]handoff{}
	}
	h.m[id] = handoff{ev: ev, meta: m, size: size}
	h.bytes += size
}

// take returns and forgets what was kept for submission id.
func (h *handoffs) take(id string) (handoff, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.m[id]
	if ok {
		delete(h.m, id)
		h.bytes -= e.size
	}
	return e, ok
}
