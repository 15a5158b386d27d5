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
)

// admission bounds evidence submissions in flight: their number, per client and in
// all, and the body bytes they may hold. Admission is all or nothing and never
// waits: a submission that does not fit is refused at once, so overload shows as
// fast 503s and 429s rather than as requests queued behind each other.
type admission struct {
	maxReqs, maxPerClient int
	maxBytes              int64

	mu      sync.Mutex
	reqs    int
	bytes   int64
	clients map[netip.Prefix]int // only clients with a submission in flight
}

func newAdmission(maxReqs, maxPerClient int, maxBytes int64) *admission {
	return &admission{maxReqs: maxReqs, maxPerClient: maxPerClient, maxBytes: maxBytes, clients: map[netip.Prefix]int{}}
}

// acquire admits a submission of client reserving n bytes, or returns errBusy or
// errClientBusy. release must be called once when the submission is done.
func (a *admission) acquire(client netip.Prefix, n int64) (release func(), err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.clients[client] >= a.maxPerClient:
		return nil, errClientBusy
	case a.reqs >= a.maxReqs || a.bytes+n > a.maxBytes:
		return nil, errBusy
	}
	a.reqs++
	a.bytes += n
	a.clients[client]++
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.reqs--
			a.bytes -= n
			if a.clients[client]--; a.clients[client] <= 0 {
				delete(a.clients, client)
			}
		})
	}, nil
}

// inFlight returns the submissions and bytes admitted and not yet released.
func (a *admission) inFlight() (int, int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.reqs, a.bytes
}

// connLimiter wraps a listener to bound open connections, in all and per client
// (ClientKey of the peer). A connection past a bound is closed as soon as it is
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
	clients map[netip.Prefix]int
}

func newConnLimiter(ln net.Listener, max, perClient int, proxies []netip.Prefix, onRefuse func(string)) *connLimiter {
	return &connLimiter{Listener: ln, max: max, perClient: perClient, proxies: proxies, onRefuse: onRefuse,
		clients: map[netip.Prefix]int{}}
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
	if key.IsValid() {
		if l.clients[key] >= l.perClient {
			return "client"
		}
		l.clients[key]++
	}
	l.open++
	return ""
}

func (l *connLimiter) give(key netip.Prefix) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if key.IsValid() {
		if l.clients[key]--; l.clients[key] <= 0 {
			delete(l.clients, key)
		}
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
