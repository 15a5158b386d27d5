package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ErrConfig is returned (wrapped) by Config.Check.
var ErrConfig = errors.New("invalid api config")

// Config configures the HTTP server. Zero durations and limits take the defaults in
// their comments; Check fills them in and rejects nonsense.
type Config struct {
	// Listen is the TCP address, e.g. "127.0.0.1:8545" or ":0".
	Listen string
	// ReadHeaderTimeout bounds reading request headers; 0 means 5 s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included; 0 means 30 s. A
	// body not received in time is answered 408.
	ReadTimeout time.Duration
	// BodyTimeout bounds receiving a request body, from when the handler starts
	// reading it; 0 means 10 s (evidence is a few KiB: the largest body, 128 KiB,
	// at 13 KiB/s). The read timeout applies when shorter. A body not received in
	// time is answered 408; until then a submission holds one of its client's
	// places (MaxEvidencePerClient) but none of the node's, and the bytes of its
	// body that arrived (MaxEvidenceBytes, within its client's share: admission).
	BodyTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the end of its
	// response; 0 means 30 s.
	WriteTimeout time.Duration
	// IdleTimeout bounds idle keep-alive connections; 0 means 10 s. Agents submit a
	// few times an hour: a long keep-alive only holds file descriptors.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds request headers; 0 means 16 KiB.
	MaxHeaderBytes int
	// MaxBodyBytes bounds request bodies; 0 means evidence.MaxBundleSize (128 KiB),
	// the most the node stores for one piece of evidence. Larger bodies get 413 before
	// they are read when they declare their length.
	MaxBodyBytes int64
	// MaxConns bounds open connections; 0 means 4096. Past it a new connection is
	// closed as soon as it is accepted, so the process never runs out of file
	// descriptors; keep it well below the descriptor limit (ulimit -n).
	MaxConns int
	// MaxConnsPerClient bounds open connections per client (an IPv4 /24 or IPv6
	// /64, see ClientKey); 0 means 64. An IPv6 /48 holds at most 16 times as many
	// and a /32 64 times (connLevelMul). Connections from TrustedProxies count only
	// toward MaxConns.
	MaxConnsPerClient int
	// MaxEvidenceInFlight bounds evidence submissions being decoded and stored at
	// once; 0 means 128. A submission takes its place once its body is in, so one
	// whose body never comes holds none. Past it a submission gets 503 with
	// Retry-After at once.
	MaxEvidenceInFlight int
	// MaxEvidencePerClient bounds one client's submissions from when their body
	// starts being read until they are done; 0 means 4. An IPv6 /48 holds at most
	// 8 times as many and a /32 64 times (aggregateLevels) of the submissions whose
	// body is in: one still receiving its body counts only against its client.
	// Past it the client gets 429 with Retry-After at once.
	MaxEvidencePerClient int
	// MaxEvidenceBytes bounds the bytes of evidence bodies being received or in
	// flight: a body's buffer grows with the bytes that arrive (receive) and each
	// growth is counted before it is made; 0 means 16 MiB. Bodies still arriving
	// count too against their client's share, MaxBodyBytes (an IPv6 /48 8 times
	// that, a /32 64 times), so filling this with bodies that never finish takes
	// MaxEvidenceBytes / MaxBodyBytes clients (admission). With the decoded and archived
	// copies a body in flight costs about three times its size, so this bounds the
	// memory submissions can hold (docs/operator.md, Limits).
	MaxEvidenceBytes int64
	// RateLimit is the sustained requests per second per client; 0 means 20.
	// Negative disables rate limiting (tests and benchmarks).
	RateLimit float64
	// RateBurst is the burst per client; 0 means 40.
	RateBurst int
	// EvidenceByteRate is the sustained evidence body bytes per second per client,
	// with a burst of MaxBodyBytes; 0 means 256 KiB/s (real evidence is kilobytes).
	// A body of declared length is charged before it is read, one of undeclared
	// length as its bytes arrive, so one that never finishes is charged too. Decoding costs CPU in
	// proportion to size: without it, a few clients sending the largest bodies
	// within the request rate would take the CPU from agents sending kilobytes.
	// It applies when RateLimit does.
	EvidenceByteRate float64
	// RateClients bounds the rate limiter's table of clients; 0 means 65536.
	// When it is full the least recently seen client's bucket is dropped, so a
	// flood of source addresses can only reset buckets, never lock others out.
	RateClients int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is believed: for
	// a request from one of them the client is the right-most X-Forwarded-For entry
	// that is not itself a trusted proxy (entries to its left are written by the
	// client and prove nothing). Empty means the header is ignored.
	TrustedProxies []netip.Prefix
	// Gatherer serves /metrics; nil means an empty registry.
	Gatherer prometheus.Gatherer
	// Registerer receives the API's own metrics; nil means none are registered.
	Registerer prometheus.Registerer
	// Logger; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock for rate limiting and receive times; nil means time.Now.
	Now func() time.Time
	// Explorer, when set, is served under /explorer/ (the registry explorer of
	// package web, which then uses this API on the same origin).
	Explorer http.Handler
}

// Check validates c and fills defaults.
func (c *Config) Check() error {
	if c.Listen == "" {
		return fmt.Errorf("%w: empty listen address", ErrConfig)
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("%w: listen address %q: %w", ErrConfig, c.Listen, err)
	}
	if err := c.checkTimeouts(); err != nil {
		return err
	}
	if err := c.checkSizes(); err != nil {
		return err
	}
	if err := c.checkRates(); err != nil {
		return err
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Gatherer == nil {
		c.Gatherer = prometheus.NewRegistry()
	}
	return nil
}

// checkTimeouts fills the timeouts left zero and refuses negative ones.
func (c *Config) checkTimeouts() error {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.ReadHeaderTimeout, 5*time.Second)
	def(&c.ReadTimeout, 30*time.Second)
	def(&c.BodyTimeout, 10*time.Second)
	def(&c.WriteTimeout, 30*time.Second)
	def(&c.IdleTimeout, 10*time.Second)
	for name, d := range map[string]time.Duration{"read header": c.ReadHeaderTimeout, "read": c.ReadTimeout,
		"body": c.BodyTimeout, "write": c.WriteTimeout, "idle": c.IdleTimeout} {
		if d < 0 {
			return fmt.Errorf("%w: negative %s timeout", ErrConfig, name)
		}
	}
	return nil
}

// checkSizes fills the byte, connection and table bounds left zero and refuses
// negative or contradictory ones.
func (c *Config) checkSizes() error {
	defInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defInt(&c.MaxHeaderBytes, 16<<10)
	defInt(&c.MaxConns, 4096)
	defInt(&c.MaxConnsPerClient, 64)
	defInt(&c.MaxEvidenceInFlight, 128)
	defInt(&c.MaxEvidencePerClient, 4)
	defInt(&c.RateClients, 1<<16)
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBody
	}
	if c.MaxEvidenceBytes == 0 {
		c.MaxEvidenceBytes = 16 << 20
	}
	for name, v := range map[string]int64{"max header bytes": int64(c.MaxHeaderBytes), "max body bytes": c.MaxBodyBytes,
		"max connections": int64(c.MaxConns), "max connections per client": int64(c.MaxConnsPerClient),
		"max evidence in flight": int64(c.MaxEvidenceInFlight), "max evidence per client": int64(c.MaxEvidencePerClient),
		"max evidence bytes": c.MaxEvidenceBytes, "rate limiter clients": int64(c.RateClients)} {
		if v < 0 {
			return fmt.Errorf("%w: negative %s", ErrConfig, name)
		}
	}
	if c.MaxBodyBytes > DefaultMaxBody {
		return fmt.Errorf("%w: max body bytes %d above %d, the largest evidence the node stores", ErrConfig, c.MaxBodyBytes, DefaultMaxBody)
	}
	if c.MaxEvidenceBytes < c.MaxBodyBytes {
		return fmt.Errorf("%w: max evidence bytes %d below max body bytes %d: no body of the largest size could ever be received",
			ErrConfig, c.MaxEvidenceBytes, c.MaxBodyBytes)
	}
	return nil
}

// checkRates fills the per-client rates left zero and checks the trusted proxies.
func (c *Config) checkRates() error {
	if c.RateLimit == 0 {
		c.RateLimit = 20
	}
	if c.RateBurst == 0 {
		c.RateBurst = 40
	}
	if c.EvidenceByteRate == 0 {
		c.EvidenceByteRate = 256 << 10
	}
	if c.EvidenceByteRate < 0 {
		return fmt.Errorf("%w: negative evidence byte rate", ErrConfig)
	}
	if c.RateBurst < 0 {
		return fmt.Errorf("%w: negative rate burst", ErrConfig)
	}
	for _, p := range c.TrustedProxies {
		if !p.IsValid() {
			return fmt.Errorf("%w: invalid trusted proxy prefix", ErrConfig)
		}
	}
	return nil
}

// Server is the API's HTTP server. Start, Stop and Stopped follow the node's
// lifecycle: Stop is safe to call twice and before Start.
type Server struct {
	cfg     Config
	backend Backend
	log     *slog.Logger
	handler http.Handler
	limiter *clientLimiter
	admit   *admission
	cosign  *admission // batch co-signing requests of peers in flight
	metrics *metrics

	mu      sync.Mutex
	srv     *http.Server
	ln      net.Listener
	done    chan struct{}
	stopped bool
}

// New checks cfg and builds the server; it does not listen yet.
func New(cfg Config, backend Backend) (*Server, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if backend == nil {
		return nil, fmt.Errorf("%w: nil backend", ErrConfig)
	}
	s := &Server{cfg: cfg, backend: backend, log: cfg.Logger.With("component", "api")}
	if cfg.RateLimit > 0 {
		s.limiter = newClientLimiter(cfg.RateLimit, cfg.RateBurst, cfg.EvidenceByteRate, int(cfg.MaxBodyBytes), cfg.RateClients, cfg.Now)
	}
	// A client's bodies still arriving may hold one body of the largest size, or
	// several smaller ones (admission).
	s.admit = newAdmission(cfg.MaxEvidenceInFlight, cfg.MaxEvidencePerClient, cfg.MaxEvidenceBytes, cfg.MaxBodyBytes)
	s.cosign = newAdmission(maxCosignInFlight, maxCosignPerClient, maxPeerBodyBytes, maxCosignPerClient*MaxBatchRequestBytes)
	s.metrics = newMetrics(cfg.Registerer)
	s.handler = s.routes()
	return s, nil
}

// Handler returns the API's handler (for httptest and embedding).
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens and serves in the background.
func (s *Server) Start(_ context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return fmt.Errorf("api: already started")
	}
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("api: listen %s: %w", s.cfg.Listen, err)
	}
	ln = newConnLimiter(ln, s.cfg.MaxConns, s.cfg.MaxConnsPerClient, s.cfg.TrustedProxies, func(reason string) {
		s.metrics.refused.WithLabelValues("connections_" + reason).Inc()
	})
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.done = make(chan struct{})
	srv, done := s.srv, s.done
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("api server stopped", "err", err)
		}
	}()
	s.log.Info("api listening", "addr", ln.Addr().String())
	return nil
}

// Addr returns the listening address (useful with ":0"), or "" before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Stop stops accepting requests and waits for in-flight ones until ctx ends, then
// closes the remaining connections.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	already := s.stopped
	s.stopped = true
	s.mu.Unlock()
	if srv == nil || already {
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(fmt.Errorf("api: shutdown: %w", err), srv.Close())
	}
	<-done
	return err
}

// Stopped reports whether Stop was called.
func (s *Server) Stopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern, name string, h http.HandlerFunc) {
		mux.Handle(pattern, s.instrument(name, h))
	}
	handle("GET /v1/challenge", "challenge", s.handleChallenge)
	handle("POST /v1/evidence", "evidence", s.handleEvidence)
	handle("GET /v1/submissions/{id}", "submission", s.handleSubmission)
	handle("GET /v1/verdicts/{hash}", "verdict", s.handleVerdict)
	handle("GET /v1/verdicts/{hash}/signature", "signature", s.handleSignature)
	handle("GET /v1/evidence/{hash}/verdicts", "evidence_verdicts", s.handleEvidenceVerdicts)
	handle("POST /v1/peer/batch-signature", "batch_signature", s.handleBatchSignature)
	handle("POST /v1/peer/relay-claim", "relay_claim", s.handleRelayClaim)
	handle("GET /v1/archive/{kind}/{hash}", "archive", s.handleArchive)
	handle("GET /v1/machines/due", "due", s.handleDue)
	handle("GET /healthz", "healthz", s.handleHealthz)
	handle("GET /readyz", "readyz", s.handleReadyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.cfg.Gatherer, promhttp.HandlerOpts{}))
	if s.cfg.Explorer != nil {
		mux.Handle("GET /explorer/", http.StripPrefix("/explorer", s.cfg.Explorer))
		mux.Handle("GET /explorer", http.RedirectHandler("/explorer/", http.StatusMovedPermanently))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// The catch-all also sees known paths with the wrong method: answer those
		// 405 with the methods that exist, as the mux would without a catch-all.
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			r2 := r.Clone(r.Context())
			r2.Method = m
			if _, pat := mux.Handler(r2); pat != "/" && pat != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on "+r.URL.Path, "")
			return
		}
		writeError(w, http.StatusNotFound, "no such route: "+r.Method+" "+r.URL.Path, "")
	})
	return s.guard(mux)
}

// guard applies the per-client rate limit and the body size limit to everything.
// A refused request's connection is closed: a client over its limit gets nothing
// from keeping one open.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.limiter != nil && !s.limiter.allow(ClientKey(clientAddr(r, s.cfg.TrustedProxies))) {
			s.metrics.refused.WithLabelValues("rate").Inc()
			refuse(w, r, http.StatusTooManyRequests, 1, "rate limit exceeded for this client")
			return
		}
		if r.ContentLength > s.cfg.MaxBodyBytes {
			// Refused before a byte of the body is read.
			w.Header().Set("Connection", "close")
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", s.cfg.MaxBodyBytes), "body")
			drainBody(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// refuse answers a request the node will not serve now: Retry-After, and the
// connection closed so that refused clients do not hold connections.
func refuse(w http.ResponseWriter, r *http.Request, code, retryAfter int, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	w.Header().Set("Connection", "close")
	writeError(w, code, msg, "")
	drainBody(w, r)
}

// drainMax is the largest refused body drainBody reads.
const drainMax = 256 << 10

// drainBody discards, after the answer is sent, what the client still sends of a
// refused body up to drainMax (real evidence is kilobytes), within the request's
// read timeout. Closing a connection with unread data resets it, and a client
// still writing its body would see the reset rather than the answer and its
// Retry-After. A larger refused body is not read: reading what an attacker sends
// costs the node as much CPU as decoding would save, so such a client may see the
// answer or a reset, at once either way.
func drainBody(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 || r.ContentLength > drainMax {
		return
	}
	rc := http.NewResponseController(w)
	if err := rc.EnableFullDuplex(); err != nil {
		return
	}
	_ = rc.Flush()
	_, _ = io.CopyN(io.Discard, r.Body, drainMax)
}
