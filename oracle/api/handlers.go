package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/teeoracle/teeoracle/oracle/evidence"
)

// DefaultMaxBody is the default and largest request body limit: the largest
// evidence bundle the node decodes and archives (evidence.MaxBundleSize). Raw
// evidence is archived in its bundle form, which base64 makes a third larger, so
// no larger body of any form could be accepted, and raw evidence whose bundle form
// is over the limit is refused (413) too.
const DefaultMaxBody = evidence.MaxBundleSize

// maxIDLen bounds submission ids in paths; the node issues 32 hex digits.
const maxIDLen = 128

// msgUnavailable is the whole answer to a request the chain could not serve (503)
// for a cause that is no PublicError.
const msgUnavailable = "chain unavailable, retry later"

// msgNotReady is the whole 503 answer of /readyz when the backend's reason is no
// PublicError.
const msgNotReady = "not ready; the node's log says why"

// errorBody is every error response: a message and, for bad input, the field.
type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
	// Submission names the stored submission a 409 conflicts with.
	Submission string `json:"submission,omitempty"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg, field string) {
	writeJSON(w, code, errorBody{Error: msg, Field: field})
}

// fail maps a backend or parsing error to a response.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var fe *FieldError
	var mbe *http.MaxBytesError
	var se *statusError
	var pe *PublicError
	var tm *TooManyError
	var sc *SubmissionConflict
	switch {
	case errors.As(err, &tm):
		s.log.Debug("request refused", "method", r.Method, "path", r.URL.Path, "err", err)
		refuse(w, r, http.StatusTooManyRequests, max(int((tm.RetryAfter+time.Second-1)/time.Second), 1), err.Error())
	case errors.As(err, &mbe):
		w.Header().Set("Connection", "close")
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", mbe.Limit), "body")
	case errors.As(err, &se):
		s.log.Debug("request failed", "method", r.Method, "path", r.URL.Path, "code", se.code, "err", err)
		w.Header().Set("Connection", "close")
		writeError(w, se.code, err.Error(), se.field)
	case errors.As(err, &fe) && errors.Is(err, evidence.ErrTooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, err.Error(), fe.Field)
	case errors.As(err, &fe) && errors.Is(err, ErrForbidden):
		writeError(w, http.StatusForbidden, err.Error(), fe.Field)
	case errors.As(err, &fe):
		code := http.StatusBadRequest
		if fe.Unprocessable {
			code = http.StatusUnprocessableEntity
		}
		writeError(w, code, err.Error(), fe.Field)
	case r.Context().Err() != nil && errors.Is(err, context.Canceled):
		// The client went away; nobody reads this answer, but the metrics count it
		// as the client's doing.
		s.log.Debug("client gone", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusBadRequest, "client closed the request", "")
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error(), "")
	case errors.As(err, &sc) && errors.Is(err, ErrConflict):
		writeJSON(w, http.StatusConflict, errorBody{Error: err.Error(), Submission: sc.Submission})
	case errors.Is(err, ErrConflict):
		writeError(w, http.StatusConflict, err.Error(), "")
	case errors.As(err, &pe) && errors.Is(pe, ErrUnavailable):
		s.log.Debug("unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "2")
		writeError(w, http.StatusServiceUnavailable, pe.Error(), "")
	case errors.Is(err, ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		// The chain's errors name the RPC endpoint's host and addresses: they are
		// the operator's to read, not an anonymous client's.
		s.log.Warn("chain unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "2")
		writeError(w, http.StatusServiceUnavailable, msgUnavailable, "")
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error", "")
	}
}

func badField(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

// onlyParams rejects query parameters outside allowed, so a misspelt one is an
// error instead of being ignored, and repeated ones, which would be ambiguous.
func onlyParams(r *http.Request, allowed ...string) error {
	q := r.URL.Query()
	for k, vs := range q {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			return badField(k, "unknown query parameter (allowed: %s)", strings.Join(allowed, ", "))
		}
		if len(vs) != 1 {
			return badField(k, "given %d times", len(vs))
		}
	}
	return nil
}

func hashParam(field, s string) (common.Hash, error) {
	if s == "" {
		return common.Hash{}, badField(field, "required")
	}
	b, err := hexutil.Decode(s)
	if err != nil || len(b) != 32 {
		return common.Hash{}, badField(field, "want 0x and 64 hex digits (32 bytes), got %q", clip(s))
	}
	return common.BytesToHash(b), nil
}

// popParam parses a proof of possession: 0x and 130 hex digits (65 bytes).
func popParam(s string) ([]byte, error) {
	if s == "" {
		return nil, badField("pop", "required: the TEE key's signature over the challenge's possession digest (docs/verdict-encoding.md)")
	}
	b, err := hexutil.Decode(s)
	if err != nil || len(b) != 65 {
		return nil, badField("pop", "want 0x and 130 hex digits (a 65-byte signature), got %q", clip(s))
	}
	return b, nil
}

func addressParam(field, s string) (common.Address, error) {
	if s == "" {
		return common.Address{}, badField(field, "required")
	}
	if !strings.HasPrefix(s, "0x") || !common.IsHexAddress(s) {
		return common.Address{}, badField(field, "want 0x and 40 hex digits (20 bytes), got %q", clip(s))
	}
	a := common.HexToAddress(s)
	if a == (common.Address{}) {
		return common.Address{}, badField(field, "the zero address is not a key")
	}
	return a, nil
}

// clip keeps echoed input short in error messages.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

func (s *Server) handleChallenge(w http.ResponseWriter, r *http.Request) {
	if err := onlyParams(r, "machine_id", "tee_key"); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	machine, err := hashParam("machine_id", q.Get("machine_id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	key, err := addressParam("tee_key", q.Get("tee_key"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ch, err := s.backend.Challenge(r.Context(), machine, key)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ch)
}

// handleEvidence accepts a bundle (application/json) or raw bytes
// (application/octet-stream, with ?tee=). Everything is decoded and checked here, so
// only well-formed evidence reaches the store; the 202 is written only after the
// backend has committed the submission.
func (s *Server) handleEvidence(w http.ResponseWriter, r *http.Request) {
	req, err := submitParams(r, s.cfg.Now().UTC())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mt, wantTEE, err := evidenceMediaType(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The client's byte rate is charged before the body is read when its size is
	// declared, else as its bytes arrive (receiveEvidence); either way before
	// decoding, whose cost grows with the size.
	if r.ContentLength >= 0 && !s.allowBytes(w, r, int(r.ContentLength)) {
		return
	}
	body, release, ok := s.receiveEvidence(w, r)
	if !ok {
		return
	}
	defer release()
	if err := decodeSubmission(req, body, mt, wantTEE); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.backend.Submit(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The submission is committed: give its acknowledgement time to be written even
	// if the commit took most of the write timeout. A client that still misses it
	// learns the id by submitting the same evidence again.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(ackWriteTime))
	w.Header().Set("Location", "/v1/submissions/"+res.ID)
	code := http.StatusAccepted
	if res.Existing {
		code = http.StatusOK
	}
	writeJSON(w, code, res)
}

// submitParams reads a submission's query parameters.
func submitParams(r *http.Request, now time.Time) (*SubmitRequest, error) {
	if err := onlyParams(r, "machine_id", "tee_key", "anchor_block", "pop", "tee"); err != nil {
		return nil, err
	}
	q := r.URL.Query()
	req := &SubmitRequest{ReceivedAt: now}
	var err error
	if req.MachineID, err = hashParam("machine_id", q.Get("machine_id")); err != nil {
		return nil, err
	}
	if req.TEEKey, err = addressParam("tee_key", q.Get("tee_key")); err != nil {
		return nil, err
	}
	ab := q.Get("anchor_block")
	if ab == "" {
		return nil, badField("anchor_block", "required: the anchor block number of the challenge")
	}
	if req.AnchorBlock, err = strconv.ParseUint(ab, 10, 64); err != nil || req.AnchorBlock == 0 {
		return nil, badField("anchor_block", "want a positive decimal block number, got %q", clip(ab))
	}
	if req.PoP, err = popParam(q.Get("pop")); err != nil {
		return nil, err
	}
	return req, nil
}

// evidenceMediaType returns the body's media type and, for raw evidence, the TEE
// the ?tee= parameter names (a bundle names its own).
func evidenceMediaType(r *http.Request) (string, evidence.TEE, error) {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil {
		return "", 0, badField("Content-Type", "want application/json (bundle) or application/octet-stream (raw evidence), got %q", clip(ct))
	}
	q := r.URL.Query()
	switch mt {
	case "application/json":
		if q.Has("tee") {
			return "", 0, badField("tee", "only with application/octet-stream: a bundle names its TEE")
		}
		return mt, evidence.TEEUnknown, nil
	case "application/octet-stream":
		tee, err := evidence.ParseTEE(q.Get("tee"))
		if err != nil {
			return "", 0, &FieldError{Field: "tee", Err: err}
		}
		return mt, tee, nil
	}
	return "", 0, badField("Content-Type", "want application/json (bundle) or application/octet-stream (raw evidence), got %q", clip(mt))
}

// receiveEvidence reads a submission's body and then takes its place among those
// in flight, or answers the client itself and returns false: 429 when its client
// is at its own bound on submissions or on bytes still arriving (or, once the body
// is in, its IPv6 /48 or /32 is), or past its byte rate, 503 when the node's bounds
// on submissions or on body bytes in flight are reached, and the client's error
// (408, 400, 413) for a body that does not arrive whole. The body's bytes count as
// they arrive, against the node's bound and against its client's and aggregates'
// bounds on bytes still arriving (admission), and, for a body of undeclared length,
// against the client's byte rate. Its client's place is taken before reading, but
// the node's and the aggregates' places only once the body is in, so a client that
// never sends its body holds its own client's places, never the ones other clients
// need. A refused body's bytes are given back before the answer, which may wait on
// the client (drainBody). The caller calls release when the submission is done.
func (s *Server) receiveEvidence(w http.ResponseWriter, r *http.Request) (body []byte, release func(), ok bool) {
	client := ClientKey(clientAddr(r, s.cfg.TrustedProxies))
	t, err := s.admit.enter(client)
	if err != nil {
		s.refuseEvidence(w, r, err)
		return nil, nil, false
	}
	src := r.Body
	if r.ContentLength < 0 && s.limiter != nil {
		src = &meteredBody{ReadCloser: r.Body, charge: func(n int) error { return s.byteRate(client, n) }}
	}
	body, err = s.readBody(w, r, src, s.cfg.MaxBodyBytes, t.charge)
	if err == nil && len(body) == 0 {
		err = badField("body", "empty")
	}
	if err == nil {
		if err = t.admit(); err == nil {
			return body, t.release, true
		}
	}
	t.release()
	var re *byteRateError
	switch {
	case errors.Is(err, errBusy), errors.Is(err, errClientBusy), errors.Is(err, errClientBytes):
		s.refuseEvidence(w, r, err)
	case errors.As(err, &re):
		s.refuseBytes(w, r, re)
	default:
		s.fail(w, r, err)
	}
	return nil, nil, false
}

// meteredBody charges each read's bytes (charge) as they arrive; a refused charge
// ends the body with its error.
type meteredBody struct {
	io.ReadCloser
	charge func(int) error
}

func (m *meteredBody) Read(p []byte) (int, error) {
	n, err := m.ReadCloser.Read(p)
	if n > 0 {
		if cerr := m.charge(n); cerr != nil {
			return n, cerr
		}
	}
	return n, err
}

// refuseEvidence answers a submission refused by an admission bound: 429 for the
// client's own bound, 503 for the node's.
func (s *Server) refuseEvidence(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errClientBytes) {
		s.metrics.refused.WithLabelValues("evidence_receiving").Inc()
		refuse(w, r, http.StatusTooManyRequests, 1, err.Error())
		return
	}
	if errors.Is(err, errClientBusy) {
		s.metrics.refused.WithLabelValues("evidence_client").Inc()
		refuse(w, r, http.StatusTooManyRequests, 1, err.Error())
		return
	}
	s.metrics.refused.WithLabelValues("evidence_busy").Inc()
	refuse(w, r, http.StatusServiceUnavailable, 1, err.Error())
}

// decodeSubmission decodes the body into req's evidence and its bundle form,
// checking it is of the form and TEE the request says and that its bundle form
// fits the archive.
func decodeSubmission(req *SubmitRequest, body []byte, mt string, wantTEE evidence.TEE) error {
	// Decode checks the JSON itself: a separate validation pass would cost as much
	// again on a large body.
	ev, err := evidence.Decode("body", body)
	if err != nil {
		return &FieldError{Field: "body", Err: err}
	}
	if mt == "application/json" && ev.Form != evidence.FormBundle {
		return badField("body", "JSON body is not an evidence bundle (form %s)", ev.Form)
	}
	if wantTEE != evidence.TEEUnknown && ev.TEE != wantTEE {
		return &FieldError{Field: "tee", Err: fmt.Errorf("%w: tee=%s, evidence is %s", evidence.ErrTEEMismatch, wantTEE, ev.TEE)}
	}
	if req.Bundle, err = ev.MarshalBundle(); err != nil {
		return &FieldError{Field: "body", Err: err}
	}
	// The archive keeps the bundle form, which the store decodes again: raw evidence
	// under the body limit can grow past the bundle limit in base64.
	if len(req.Bundle) > evidence.MaxBundleSize {
		return &FieldError{Field: "body", Err: fmt.Errorf("%w: the evidence's bundle form (base64) is %d bytes, at most %d",
			evidence.ErrTooLarge, len(req.Bundle), evidence.MaxBundleSize)}
	}
	req.Evidence = ev
	return nil
}

// byteRateError refuses evidence bytes past the client's byte rate: the client may
// send them after wait.
type byteRateError struct {
	rate float64
	wait time.Duration
}

func (e *byteRateError) Error() string {
	return fmt.Sprintf("evidence byte rate exceeded for this client (%.0f bytes/s)", e.rate)
}

// byteRate charges n evidence body bytes to client's byte rate and its IPv6
// aggregates', or returns a *byteRateError.
func (s *Server) byteRate(client netip.Prefix, n int) error {
	if s.limiter == nil {
		return nil
	}
	if wait, ok := s.limiter.allowBytes(client, n); !ok {
		return &byteRateError{rate: s.cfg.EvidenceByteRate, wait: wait}
	}
	return nil
}

// refuseBytes answers a request past its client's byte rate: 429 with the time to
// wait.
func (s *Server) refuseBytes(w http.ResponseWriter, r *http.Request, e *byteRateError) {
	s.metrics.refused.WithLabelValues("evidence_bytes").Inc()
	refuse(w, r, http.StatusTooManyRequests, int(e.wait.Seconds())+1, e.Error())
}

// allowBytes charges n evidence body bytes to the client's byte rate, or refuses
// the request (429 with the time to wait) and returns false.
func (s *Server) allowBytes(w http.ResponseWriter, r *http.Request, n int) bool {
	var re *byteRateError
	if err := s.byteRate(ClientKey(clientAddr(r, s.cfg.TrustedProxies)), n); errors.As(err, &re) {
		s.refuseBytes(w, r, re)
		return false
	}
	return true
}

// ackWriteTime is how long the acknowledgement of a committed submission may take
// to write.
const ackWriteTime = 5 * time.Second

// readBody reads r's body from src (r.Body, or a reader over it), of at most max bytes, within the body deadline
// (Config.BodyTimeout, or the read timeout when shorter), into a buffer that grows
// with the bytes that arrive (receive), charging each growth to charge when it is
// not nil. A failed read is the client's error: 413 past the limit, 408 when the
// body did not arrive in time, 400 when the connection ended before it did.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, src io.ReadCloser, max int64, charge func(int64) error) ([]byte, error) {
	limit := max
	if r.ContentLength >= 0 && r.ContentLength < max {
		limit = r.ContentLength
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(min(s.cfg.BodyTimeout, s.cfg.ReadTimeout)))
	b, err := receive(http.MaxBytesReader(w, src, max), limit, charge)
	var mbe *http.MaxBytesError
	var ne net.Error
	var re *byteRateError
	switch {
	case err == nil:
		// Once the body is in the server reads on to notice the client leaving, and
		// a deadline passing then would cancel the request: the read timeout bounds
		// that read from here.
		_ = rc.SetReadDeadline(time.Now().Add(s.cfg.ReadTimeout))
		return b, nil
	case errors.As(err, &mbe), errors.Is(err, errBusy), errors.Is(err, errClientBytes), errors.As(err, &re):
		return nil, err
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return nil, &statusError{code: http.StatusRequestTimeout, field: "body", err: fmt.Errorf("body not received within %s: %w",
			min(s.cfg.BodyTimeout, s.cfg.ReadTimeout), err)}
	default:
		return nil, &statusError{code: http.StatusBadRequest, field: "body", err: fmt.Errorf("body not received: %w", err)}
	}
}

// receiveStart is the buffer receive starts with: the most a client that sends
// nothing makes the node allocate for its body.
const receiveStart = 1 << 10

// receive reads body to its end, at most limit bytes, into a buffer that doubles
// (from receiveStart, up to limit) only when the bytes that arrived have filled it,
// so a body holds at most twice what its client has sent. Each growth is charged
// to charge first, when it is not nil, whose error stops the reading.
func receive(body io.Reader, limit int64, charge func(int64) error) ([]byte, error) {
	var b []byte
	for {
		if len(b) == cap(b) && int64(cap(b)) < limit {
			c := min(max(2*int64(cap(b)), receiveStart), limit)
			if charge != nil {
				if err := charge(c - int64(cap(b))); err != nil {
					return nil, err
				}
			}
			nb := make([]byte, len(b), c)
			copy(nb, b)
			b = nb
		}
		p := b[len(b):cap(b)]
		if len(p) == 0 {
			p = make([]byte, 1) // at the limit: only the body's end may follow
		}
		n, err := body.Read(p)
		if n > 0 && len(b) == cap(b) {
			return nil, &http.MaxBytesError{Limit: limit}
		}
		b = b[:len(b)+n]
		if errors.Is(err, io.EOF) {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// statusError is a client's failure that is not about a field's value (a body that
// never arrived); it is answered with code and logged at debug level only.
type statusError struct {
	code  int
	field string
	err   error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

func (s *Server) handleSubmission(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == "" || len(id) > maxIDLen || strings.ContainsAny(id, "/\\ \t\r\n") {
		s.fail(w, r, badField("id", "want a submission id of at most %d characters", maxIDLen))
		return
	}
	if err := onlyParams(r); err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.backend.Submission(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) pathHash(w http.ResponseWriter, r *http.Request) (common.Hash, bool) {
	if err := onlyParams(r); err != nil {
		s.fail(w, r, err)
		return common.Hash{}, false
	}
	h, err := hashParam("hash", r.PathValue("hash"))
	if err != nil {
		s.fail(w, r, err)
		return common.Hash{}, false
	}
	return h, true
}

func (s *Server) handleVerdict(w http.ResponseWriter, r *http.Request) {
	h, ok := s.pathHash(w, r)
	if !ok {
		return
	}
	v, err := s.backend.Verdict(r.Context(), h)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) handleSignature(w http.ResponseWriter, r *http.Request) {
	h, ok := s.pathHash(w, r)
	if !ok {
		return
	}
	v, err := s.backend.Signature(r.Context(), h)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) handleEvidenceVerdicts(w http.ResponseWriter, r *http.Request) {
	h, ok := s.pathHash(w, r)
	if !ok {
		return
	}
	v, err := s.backend.EvidenceVerdicts(r.Context(), h)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v == nil {
		v = []common.Hash{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"evidence_hash": h, "verdict_hashes": v})
}

func (s *Server) handleArchive(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	switch kind {
	case ArchiveEvidence, ArchiveCollateral, ArchivePolicy:
	default:
		s.fail(w, r, badField("kind", "want evidence, collateral or policy, got %q", clip(kind)))
		return
	}
	h, ok := s.pathHash(w, r)
	if !ok {
		return
	}
	b, err := s.backend.Archive(r.Context(), kind, h)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ct := "application/octet-stream"
	if kind != ArchiveCollateral {
		ct = "application/json" // evidence bundles and canonical policies
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// Bounds of a GET /v1/machines/due answer: the machines it lists when the request
// names no limit, and the most it lists. The rest is reached with next_cursor.
const (
	DefaultDueLimit = 1000
	MaxDueLimit     = 5000
)

// handleDue answers one page of the due list: at most limit machines after
// cursor (the next_cursor of the previous page; none: from the start), and
// next_cursor when more follow. With 30,000 machines due after an outage, the whole
// list was megabytes per request.
func (s *Server) handleDue(w http.ResponseWriter, r *http.Request) {
	if err := onlyParams(r, "limit", "cursor"); err != nil {
		s.fail(w, r, err)
		return
	}
	limit, after, err := dueParams(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.backend.Due(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, next := duePage(d, limit, after)
	body := map[string]any{"machines": page}
	if next != nil {
		body["next_cursor"] = next.String()
	}
	writeJSON(w, http.StatusOK, body)
}

// dueCursor is a position in the due list: the entries after the machine id at
// expiresAt, in the list's order (Backend.Due).
type dueCursor struct {
	expiresAt uint64
	machine   common.Hash
}

func (c dueCursor) String() string {
	return strconv.FormatUint(c.expiresAt, 10) + ":" + c.machine.Hex()
}

// before reports whether c is before d in the due list's order.
func (c dueCursor) before(d DueMachine) bool {
	if c.expiresAt != d.ExpiresAt {
		return c.expiresAt < d.ExpiresAt
	}
	return bytes.Compare(c.machine[:], d.MachineID[:]) < 0
}

// dueParams reads the due list's limit (DefaultDueLimit when absent, at most
// MaxDueLimit) and cursor (nil when absent).
func dueParams(r *http.Request) (int, *dueCursor, error) {
	q := r.URL.Query()
	limit := DefaultDueLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxDueLimit {
			return 0, nil, badField("limit", "want a whole number from 1 to %d, got %q", MaxDueLimit, clip(v))
		}
		limit = n
	}
	v := q.Get("cursor")
	if v == "" {
		return limit, nil, nil
	}
	at, id, ok := strings.Cut(v, ":")
	n, err := strconv.ParseUint(at, 10, 64)
	if !ok || err != nil {
		return 0, nil, badField("cursor", "want the next_cursor of a previous answer (expires_at:machine_id), got %q", clip(v))
	}
	h, err := hashParam("cursor", id)
	if err != nil {
		return 0, nil, err
	}
	return limit, &dueCursor{expiresAt: n, machine: h}, nil
}

// duePage returns at most limit entries of the due list d after after (from the
// start when nil), and the cursor of the last one when more follow.
func duePage(d []DueMachine, limit int, after *dueCursor) ([]DueMachine, *dueCursor) {
	i := 0
	if after != nil {
		i = sort.Search(len(d), func(i int) bool { return after.before(d[i]) })
	}
	page := d[i:min(len(d), i+limit)]
	if len(page) == 0 {
		return []DueMachine{}, nil
	}
	if i+len(page) == len(d) {
		return page, nil
	}
	last := page[len(page)-1]
	return page, &dueCursor{expiresAt: last.ExpiresAt, machine: last.MachineID}
}

func (s *Server) handleHealthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.backend.Ready(ctx); err != nil {
		// Only the reasons the backend worded for a client are answered (a
		// PublicError); any other error may quote the chain's and stays in the log.
		msg := msgNotReady
		var pe *PublicError
		if errors.As(err, &pe) {
			msg = "not ready: " + pe.Error()
		} else {
			s.log.Warn("not ready", "err", err)
		}
		writeError(w, http.StatusServiceUnavailable, msg, "")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
