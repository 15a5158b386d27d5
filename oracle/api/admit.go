package api

import (
	"errors"
	"net"
	"net/netip"
	"sync"
)

// Reasons an evidence submission is refused admission.
var (
	// errBusy: the node's evidence bounds (requests or bytes in flight) are reached (503).
	errBusy = errors.New("evidence submissions in flight at the node's limit")
	// errClientBusy: this client's submissions in flight are at its limit (429).
	errClientBusy = errors.New("this client's evidence submissions in flight at its limit")
	// errClientBytes: the bytes of this client's bodies still arriving (or its IPv6
	// /48's or /32's) are at its limit (429).
	errClientBytes = errors.New("this client's evidence bodies still being received at its byte limit")
)

// admission bounds evidence submissions: their number in flight, per client and
// in all, and the body bytes they hold. A submission counts against its client
// (ClientKey) from when its body starts being received, and its body's bytes count
// as they arrive; only once its body is in does it take one of the node's places in
// flight and count against the IPv6 aggregates above its client (groupCounts). A
// client that never sends its body holds only its own client's places: neither the
// node's nor its /48's and /32's, which it shares with its neighbours. Admission
// never waits: a submission that does not fit is refused at once, so overload
// shows as fast 503s and 429s rather than as requests queued behind each other.
//
// The bytes of bodies still arriving count, besides against the node's maxBytes,
// against their client and the IPv6 aggregates above it (receiving), each within
// maxRecvPerClient times its multiplier (levelMul): a client can hold at most
// maxRecvPerClient bytes of half-sent bodies, a /48 8 times that and a /32 64 times.
// Filling maxBytes with bodies that never finish then takes maxBytes /
// maxRecvPerClient clients (IPv4 /24s or IPv6 /64s in as many /48s), or
// maxBytes / (8 * maxRecvPerClient) /48s: with the defaults (16 MiB, one largest
// body of 128 KiB) 128 /24s or 16 /48s, each resending its bytes every body
// timeout, where without it 32 /24s or one /48 sufficed (docs/operator.md, Limits).
type admission struct {
	maxReqs, maxPerClient int
	maxBytes              int64
	maxRecvPerClient      int64

	mu        sync.Mutex
	reqs      int
	bytes     int64
	clients   groupCounts            // clients with a submission being received or in flight; aggregates with one in flight
	receiving map[netip.Prefix]int64 // bytes of bodies still arriving, per client and IPv6 aggregate (keysOf)
}

func newAdmission(maxReqs, maxPerClient int, maxBytes, maxRecvPerClient int64) *admission {
	return &admission{maxReqs: maxReqs, maxPerClient: maxPerClient, maxBytes: maxBytes, maxRecvPerClient: maxRecvPerClient,
		clients: groupCounts{}, receiving: map[netip.Prefix]int64{}}
}

// ticket is one submission's hold on an admission: its client's place, the bytes
// it charged, and once admitted its place in flight and its aggregates' places.
type ticket struct {
	a        *admission
	client   netip.Prefix
	bytes    int64
	recv     int64 // of bytes, those still counted as arriving (receiving)
	admitted bool
	once     sync.Once
}

// enter counts a submission of client, or returns errClientBusy. The ticket's
// release must be called once when the submission is done.
func (a *admission) enter(client netip.Prefix) (*ticket, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.clients.take([]netip.Prefix{client}, a.maxPerClient, levelMul) {
		return nil, errClientBusy
	}
	return &ticket{a: a, client: client}, nil
}

// charge counts n more bytes of a body still arriving, or counts nothing and
// returns errBusy past the node's bound or errClientBytes past the bound of the
// client or of an IPv6 aggregate above it on bytes still arriving.
func (t *ticket) charge(n int64) error {
	a := t.a
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.bytes+n > a.maxBytes {
		return errBusy
	}
	keys := keysOf(t.client)
	for _, k := range keys {
		if a.receiving[k]+n > int64(float64(a.maxRecvPerClient)*levelMul(k)) {
			return errClientBytes
		}
	}
	for _, k := range keys {
		a.receiving[k] += n
	}
	a.bytes += n
	t.bytes += n
	t.recv += n
	return nil
}

// received stops counting the ticket's bytes as arriving (they stay counted
// against the node's bound until release); a.mu is held.
func (t *ticket) received() {
	a := t.a
	for _, k := range keysOf(t.client) {
		if a.receiving[k] -= t.recv; a.receiving[k] <= 0 {
			delete(a.receiving, k)
		}
	}
	t.recv = 0
}

// admit marks the body received, then takes one of the node's places in flight
// and one of each IPv6 aggregate above the client, or returns errBusy (the node's)
// or errClientBusy (an aggregate's) and takes nothing.
func (t *ticket) admit() error {
	a := t.a
	a.mu.Lock()
	defer a.mu.Unlock()
	t.received()
	if a.reqs >= a.maxReqs {
		return errBusy
	}
	if !a.clients.take(aggregatesOf(t.client), a.maxPerClient, levelMul) {
		return errClientBusy
	}
	a.reqs++
	t.admitted = true
	return nil
}

// release gives back everything the ticket holds; later calls do nothing.
func (t *ticket) release() {
	t.once.Do(func() {
		a := t.a
		a.mu.Lock()
		defer a.mu.Unlock()
		if t.admitted {
			a.reqs--
			a.clients.give(aggregatesOf(t.client))
		}
		t.received()
		a.bytes -= t.bytes
		a.clients.give([]netip.Prefix{t.client})
	})
}

// inFlight returns the submissions and bytes admitted and not yet released.
func (a *admission) inFlight() (int, int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.reqs, a.bytes
}

// groupCounts counts what each client holds, and each IPv6 aggregate above it
// (keysOf), each within perClient times its multiplier, so whoever holds a site's
// /48 cannot take a fresh share for each of its /64s. The caller holds the lock.
type groupCounts map[netip.Prefix]int

// take counts one for each of keys within perClient times mul(key), or counts
// nothing and returns false.
func (g groupCounts) take(keys []netip.Prefix, perClient int, mul func(netip.Prefix) float64) bool {
	for _, k := range keys {
		if g[k] >= int(float64(perClient)*mul(k)) {
			return false
		}
	}
	for _, k := range keys {
		g[k]++
	}
	return true
}

// give returns what take counted for keys.
func (g groupCounts) give(keys []netip.Prefix) {
	for _, k := range keys {
		if g[k]--; g[k] <= 0 {
			delete(g, k)
		}
	}
}

// aggregatesOf is the IPv6 aggregates above client (keysOf without the client).
func aggregatesOf(client netip.Prefix) []netip.Prefix { return keysOf(client)[1:] }

// connLevelMul is how many clients' connections key (a client or an IPv6
// aggregate) may hold: a /48 16 clients' (a quarter of the default MaxConns), a
// /32 64 clients'. A connection is counted from accept, before anything is known of
// it, so the /48's share is a place neighbours in a shared /48 contend for: the
// larger it is, the more /64s a tenant needs to fill it (16 at their own bound),
// and the more of the node's connections one /48 can hold (docs/operator.md,
// Limits). Evidence places take a /48's share only once a body is in (admission),
// where the rate limits' multiplier (levelMul) applies.
func connLevelMul(key netip.Prefix) float64 {
	if key.Addr().Is6() && key.Bits() == 48 {
		return 16
	}
	return levelMul(key)
}

// connLimiter wraps a listener to bound open connections, in all and per client
// (ClientKey of the peer, and the IPv6 aggregates above it: groupCounts with
// connLevelMul). A connection past a bound is closed as soon as it is
// accepted: the client sees a reset at once instead of waiting in the kernel's
// backlog, and the process never reaches its file descriptor limit. Connections
// from trusted proxies count only toward the total.
type connLimiter struct {
	net.Listener
	max, perClient int
	proxies        []netip.Prefix
	onRefuse       func(reason string)

	mu      sync.Mutex
	open    int
	clients groupCounts
}

func newConnLimiter(ln net.Listener, max, perClient int, proxies []netip.Prefix, onRefuse func(string)) *connLimiter {
	return &connLimiter{Listener: ln, max: max, perClient: perClient, proxies: proxies, onRefuse: onRefuse,
		clients: groupCounts{}}
}

// Accept returns the next connection within the bounds, closing those past them.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		var key netip.Prefix
		if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil && !trusted(ap.Addr().Unmap(), l.proxies) {
			key = ClientKey(ap.Addr())
		}
		if reason := l.take(key); reason != "" {
			l.onRefuse(reason)
			_ = c.Close()
			continue
		}
		return &limitedConn{Conn: c, release: sync.OnceFunc(func() { l.give(key) })}, nil
	}
}

func (l *connLimiter) take(key netip.Prefix) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open >= l.max {
		return "total"
	}
	if key.IsValid() && !l.clients.take(keysOf(key), l.perClient, connLevelMul) {
		return "client"
	}
	l.open++
	return ""
}

func (l *connLimiter) give(key netip.Prefix) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if key.IsValid() {
		l.clients.give(keysOf(key))
	}
}

// count returns the open connections.
func (l *connLimiter) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

type limitedConn struct {
	net.Conn
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}
