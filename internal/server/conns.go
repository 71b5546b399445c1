package server

import (
	"container/list"
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Connection bounds (up's --read-timeout, --idle-timeout and
// --max-unauthenticated-conns; docs/operations.md).
//
// Every listener's connections pass one connTracker. A connection is
// unauthenticated from its accept until one of its requests completes with
// a valid credential: a bearer token the access path verified, a Databricks
// personal access token, or a token the token endpoint issued. When more
// than the cap are unauthenticated, each accept closes the oldest other
// unauthenticated connection, an idle one (no request in flight) if there is
// one. New connections are never refused: every client's first connection
// is unauthenticated until its first request completes, so refusing at the
// cap would lock out the clients the cap protects; closing the oldest lets a
// crowd of idle or slow connections churn among themselves while a client
// that connects and sends its request at once gets served. Authenticated
// connections are not capped (the idle timeout still ends them).
const (
	// DefaultReadTimeout bounds reading one whole request, headers and body.
	// The largest body any wire takes is 4 MiB (a Key Vault request); over
	// loopback that is milliseconds, and 30 s still lets a client sending
	// at 140 KB/s finish. A body trickled a byte at a time is cut off.
	DefaultReadTimeout = 30 * time.Second
	// DefaultIdleTimeout ends a keep-alive connection, HTTP/1.1 or HTTP/2,
	// with no request for this long. It is longer than the 90 s for which
	// Go's (and azcore's) transport keeps an idle connection, so clients
	// usually close theirs first rather than meet a connection closing
	// under a new request.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultMaxUnauthenticatedConns caps connections not yet authenticated.
	DefaultMaxUnauthenticatedConns = 1024
	// readHeaderTimeout bounds the request line and headers (and the TLS
	// handshake, which net/http bounds by the shortest read timeout).
	readHeaderTimeout = 10 * time.Second
)

// connTracker counts open connections and caps unauthenticated ones.
type connTracker struct {
	max int // <= 0: no cap

	mu sync.Mutex
	// unauth holds the unauthenticated connections, oldest first.
	unauth list.List

	open    atomic.Int64
	evicted atomic.Uint64
}

// trackedConn is an accepted connection under the tracker.
type trackedConn struct {
	net.Conn
	t *connTracker
	// elem is the connection's place in t.unauth, nil once authenticated
	// or closed; busy says a request is in flight. Both guarded by t.mu.
	elem *list.Element
	busy bool
	// authed is set once authenticated: later requests skip the lock.
	authed atomic.Bool

	closeOnce sync.Once
	closeErr  error
}

// trackedListener puts every accepted connection under the tracker.
type trackedListener struct {
	net.Listener
	t *connTracker
}

func (l trackedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.t.add(c), nil
}

func (t *connTracker) listener(l net.Listener) net.Listener {
	return trackedListener{Listener: l, t: t}
}

// add tracks a new connection as unauthenticated and, over the cap, closes
// the oldest other unauthenticated one (an idle one first).
func (t *connTracker) add(c net.Conn) *trackedConn {
	tc := &trackedConn{Conn: c, t: t}
	t.open.Add(1)
	t.mu.Lock()
	tc.elem = t.unauth.PushBack(tc)
	var victim *trackedConn
	if t.max > 0 && t.unauth.Len() > t.max {
		victim = t.oldestLocked(tc)
		t.unauth.Remove(victim.elem)
		victim.elem = nil
	}
	t.mu.Unlock()
	if victim != nil {
		t.evicted.Add(1)
		victim.Close()
	}
	return tc
}

// oldestLocked is the oldest unauthenticated connection other than except,
// preferring one with no request in flight. The list holds at least two.
func (t *connTracker) oldestLocked(except *trackedConn) *trackedConn {
	var first *trackedConn
	for e := t.unauth.Front(); e != nil; e = e.Next() {
		c := e.Value.(*trackedConn)
		if c == except {
			continue
		}
		if !c.busy {
			return c
		}
		if first == nil {
			first = c
		}
	}
	return first
}

// unauthenticated is how many connections are not yet authenticated.
func (t *connTracker) unauthenticated() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.unauth.Len()
}

func (c *trackedConn) Close() error {
	c.closeOnce.Do(func() {
		c.t.mu.Lock()
		if c.elem != nil {
			c.t.unauth.Remove(c.elem)
			c.elem = nil
		}
		c.t.mu.Unlock()
		c.t.open.Add(-1)
		c.closeErr = c.Conn.Close()
	})
	return c.closeErr
}

// authenticated takes the connection out of the unauthenticated count for
// good.
func (c *trackedConn) authenticated() {
	if c.authed.Swap(true) {
		return
	}
	c.t.mu.Lock()
	if c.elem != nil {
		c.t.unauth.Remove(c.elem)
		c.elem = nil
	}
	c.t.mu.Unlock()
}

// connState is the http.Server's ConnState hook: it keeps busy current, so
// the cap closes idle connections before ones with a request in flight.
func (t *connTracker) connState(c net.Conn, state http.ConnState) {
	tc := trackedOf(c)
	if tc == nil || tc.authed.Load() {
		return
	}
	t.mu.Lock()
	tc.busy = state == http.StateActive
	t.mu.Unlock()
}

// trackedOf finds the tracked connection under a (TLS) connection.
func trackedOf(c net.Conn) *trackedConn {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	tc, _ := c.(*trackedConn)
	return tc
}

type connKey struct{}

// withConn puts the request's connection in the connection's context
// (connContext), for markAuthenticated.
func withConn(ctx context.Context, c net.Conn) context.Context {
	if tc := trackedOf(c); tc != nil {
		return context.WithValue(ctx, connKey{}, tc)
	}
	return ctx
}

// markAuthenticated records that the request's connection has completed a
// request with a valid credential.
func markAuthenticated(ctx context.Context) {
	if tc, ok := ctx.Value(connKey{}).(*trackedConn); ok {
		tc.authenticated()
	}
}
