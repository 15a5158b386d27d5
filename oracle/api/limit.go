package api

import (
	"container/list"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/prometheus/client_golang/prometheus"
)

// ClientKey is the unit every per-client bound counts in: the client's IPv4 /24 or
// IPv6 /64. One machine, or one attacker, easily holds many addresses of one such
// prefix (an IPv6 host usually a whole /64), so counting single addresses would let
// it multiply its share; agents in one prefix share a budget instead.
func ClientKey(a netip.Addr) netip.Prefix {
	a = a.Unmap()
	bits := 64
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return netip.Prefix{}
	}
	return p
}

// peerAddr is the address of the connection a request came on.
func peerAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// trusted reports whether a is one of the trusted proxies.
func trusted(a netip.Addr, proxies []netip.Prefix) bool {
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the address a request is accounted to: the peer's, or, when the
// peer is a trusted proxy, the right-most X-Forwarded-For entry that is not a
// trusted proxy. Each proxy appends the address it received the request from, so
// only the entries the trusted proxies appended can be believed; those to their
// left come from the client. A malformed entry where the client's should be
// counts the request to the proxy itself.
func clientAddr(r *http.Request, proxies []netip.Prefix) netip.Addr {
	peer := peerAddr(r)
	if !trusted(peer, proxies) {
		return peer
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer
		}
		if a = a.Unmap(); !trusted(a, proxies) {
			return a
		}
	}
	return peer
}

// clientLimiter keeps one token bucket per client (ClientKey), and one per IPv6
// aggregate above it (aggregateLevels), in a table of at most max entries, ordered by when each client was last seen. A full table drops its
// least recently seen entry for a new client: a flood of addresses can only reset
// other clients' buckets (to full, which lets them through), never make clients
// share a bucket or lock them out.
type clientLimiter struct {
	rps       rate.Limit
	burst     int
	bps       rate.Limit
	byteBurst int
	max       int
	now       func() time.Time
	refill    time.Duration // time for an empty bucket to fill: a bucket idle this long is as good as new

	mu      sync.Mutex
	clients map[netip.Prefix]*list.Element // of *clientBucket
	lru     list.List                      // front: most recently seen
}

type clientBucket struct {
	key   netip.Prefix
	lim   *rate.Limiter // requests
	bytes *rate.Limiter // evidence body bytes
	seen  time.Time
}

func newClientLimiter(rps float64, burst int, bps float64, byteBurst, size int, now func() time.Time) *clientLimiter {
	refill := time.Duration(max(float64(burst)/rps, float64(byteBurst)/bps) * float64(time.Second))
	return &clientLimiter{rps: rate.Limit(rps), burst: burst, bps: rate.Limit(bps), byteBurst: byteBurst, max: size, now: now,
		refill: refill, clients: map[netip.Prefix]*list.Element{}}
}

// aggregateLevels are the wider IPv6 prefixes that share one budget between all the
// /64 clients inside them, each with mul times a client's rate and burst. An
// address plan hands a site a /48 and a provider a /32, so without them whoever
// holds a /48 could take a fresh full bucket for each of its 65,536 /64s; with
// them it gets 8 clients' worth, and a whole /32 64 clients' worth. IPv4 needs no
// such level: a /24 is already most of what one party holds.
var aggregateLevels = []struct {
	bits int
	mul  float64
}{{48, 8}, {32, 64}}

// keysOf is the chain of buckets a request from client draws on: its own, then
// those of the aggregates containing it.
func keysOf(client netip.Prefix) []netip.Prefix {
	keys := []netip.Prefix{client}
	if !client.Addr().Is6() {
		return keys
	}
	for _, lvl := range aggregateLevels {
		if p, err := client.Addr().Prefix(lvl.bits); err == nil && lvl.bits < client.Bits() {
			keys = append(keys, p)
		}
	}
	return keys
}

// levelMul is how many clients' budget key (a client or an aggregate) has.
func levelMul(key netip.Prefix) float64 {
	for _, lvl := range aggregateLevels {
		if key.Addr().Is6() && key.Bits() == lvl.bits {
			return lvl.mul
		}
	}
	return 1
}

// allow takes one request from client's budget and from every aggregate above it,
// or from none of them.
func (l *clientLimiter) allow(client netip.Prefix) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := keysOf(client)
	res := make([]*rate.Reservation, 0, len(keys))
	ok := true
	for _, k := range keys {
		r := l.bucket(k, now).lim.ReserveN(now, 1)
		res = append(res, r)
		if !r.OK() || r.DelayFrom(now) > 0 {
			ok = false
			break
		}
	}
	if !ok {
		for _, r := range res {
			r.CancelAt(now)
		}
	}
	return ok
}

// allowBytes takes n evidence body bytes from client's budget, or says how long
// until it could.
func (l *clientLimiter) allowBytes(client netip.Prefix, n int) (time.Duration, bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if n > l.byteBurst {
		return time.Duration(float64(n) / float64(l.bps) * float64(time.Second)), false
	}
	var res []*rate.Reservation
	for _, k := range keysOf(client) {
		r := l.bucket(k, now).bytes.ReserveN(now, n)
		res = append(res, r)
		if d := r.DelayFrom(now); d > 0 {
			for _, r := range res {
				r.CancelAt(now)
			}
			return d, false
		}
	}
	return 0, true
}

// bucket returns client's entry, made most recently seen; l.mu is held.
func (l *clientLimiter) bucket(client netip.Prefix, now time.Time) *clientBucket {
	// Entries idle long enough to have refilled carry no state: drop them.
	for e := l.lru.Back(); e != nil; e = l.lru.Back() {
		b := e.Value.(*clientBucket)
		if now.Sub(b.seen) < l.refill {
			break
		}
		l.lru.Remove(e)
		delete(l.clients, b.key)
	}
	e, ok := l.clients[client]
	if !ok {
		if l.lru.Len() >= l.max {
			old := l.lru.Back()
			l.lru.Remove(old)
			delete(l.clients, old.Value.(*clientBucket).key)
		}
		mul := levelMul(client)
		e = l.lru.PushFront(&clientBucket{key: client, lim: rate.NewLimiter(l.rps*rate.Limit(mul), int(float64(l.burst)*mul)),
			bytes: rate.NewLimiter(l.bps*rate.Limit(mul), int(float64(l.byteBurst)*mul))})
		l.clients[client] = e
	}
	l.lru.MoveToFront(e)
	b := e.Value.(*clientBucket)
	b.seen = now
	return b
}

// len is the number of clients in the table.
func (l *clientLimiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}

// metrics are the API's own series.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	refused  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "teeoracle", Subsystem: "api",
			Name: "requests_total", Help: "HTTP requests by route and status code."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "teeoracle", Subsystem: "api",
			Name: "request_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"route"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "teeoracle", Subsystem: "api",
			Name: "refused_total", Help: "Connections and requests refused by a server bound, by bound: " +
				"connections_total, connections_client, rate, evidence_busy, evidence_client, evidence_receiving, evidence_bytes, cosign_busy, cosign_client, cosign_receiving."}, []string{"reason"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.latency, m.refused)
	}
	return m
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) instrument(route string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		h(rec, r)
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(rec.code)).Inc()
		s.metrics.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}
