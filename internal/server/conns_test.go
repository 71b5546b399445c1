package server

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// startWith starts a server on a fresh directory with cfg's bounds.
func startWith(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	cfg.DataDir, cfg.Port = tb.TempDir(), 0
	s, err := Start(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Shutdown(context.Background()) })
	return s
}

// dialTLS opens a TLS connection to the control plane offering protos
// (ALPN) and completes the handshake: the server has accepted it.
func dialTLS(tb testing.TB, s *Server, protos ...string) *tls.Conn {
	tb.Helper()
	c, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port())),
		&tls.Config{RootCAs: s.CA.Pool(), ServerName: "localhost", NextProtos: protos})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// closedWithin reports whether the server closes c within d, reading (and
// dropping) whatever it sends until then. A read that times out means c
// is still open.
func closedWithin(c net.Conn, d time.Duration) (bool, error) {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false, nil
	}
	return true, err
}

// mustBeClosed fails unless the server closes c within a generous deadline:
// the bounds under test are a few hundred milliseconds.
func mustBeClosed(t *testing.T, c net.Conn, what string) {
	t.Helper()
	if closed, _ := closedWithin(c, 10*time.Second); !closed {
		t.Fatalf("%s: the server kept the connection open", what)
	}
}

// A request body trickled a byte at a time is cut off at the read timeout:
// the bytes keep coming, the deadline does not move.
func TestSlowBodyIsCutOff(t *testing.T) {
	s := startWith(t, Config{ReadTimeout: 300 * time.Millisecond})
	c := dialTLS(t, s, "http/1.1")
	fmt.Fprintf(c, "POST /%s/oauth2/v2.0/token HTTP/1.1\r\nHost: localhost\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\ngrant_type=", s.Boot.TenantID)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := c.Write([]byte("a")); err != nil {
					return
				}
			}
		}
	}()
	mustBeClosed(t, c, "a trickled body")
}

// An HTTP/1.1 keep-alive connection left idle after a 401 is closed at the
// idle timeout.
func TestIdleKeepAliveAfter401IsClosed(t *testing.T) {
	s := startWith(t, Config{IdleTimeout: 300 * time.Millisecond})
	c := dialTLS(t, s, "http/1.1")
	fmt.Fprintf(c, "GET /subscriptions?api-version=2022-12-01 HTTP/1.1\r\nHost: localhost\r\n\r\n")
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if got, want := res.StatusCode, http.StatusUnauthorized; got != want {
		t.Fatalf("status = %d, want %d", got, want)
	}
	if res.Close {
		t.Fatal("the 401 closed the connection itself; the test needs it kept alive")
	}
	mustBeClosed(t, c, "an idle keep-alive connection after a 401")
}

// An HTTP/2 connection with no streams is closed at the idle timeout.
func TestIdleHTTP2IsClosed(t *testing.T) {
	s := startWith(t, Config{IdleTimeout: 300 * time.Millisecond})
	c := dialTLS(t, s, "h2")
	if got := c.ConnectionState().NegotiatedProtocol; got != "h2" {
		t.Fatalf("negotiated %q, want h2", got)
	}
	// The client preface and an empty SETTINGS frame (RFC 9113 §3.4).
	if _, err := io.WriteString(c, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00"); err != nil {
		t.Fatal(err)
	}
	mustBeClosed(t, c, "an idle HTTP/2 connection")
}

// With the cap at N, N+k idle unauthenticated connections do not stop an
// authenticated client: its request succeeds, and the oldest
// unauthenticated connections are closed to keep the count at N.
func TestUnauthenticatedConnectionCap(t *testing.T) {
	const capN, extra = 4, 3
	s := startWith(t, Config{MaxUnauthenticatedConns: capN})
	var idle []*tls.Conn
	for range capN + extra {
		idle = append(idle, dialTLS(t, s, "http/1.1"))
	}
	// Accepts are counted as they happen: by the last handshake the
	// oldest extra connections have been closed.
	for i, c := range idle[:extra] {
		mustBeClosed(t, c, fmt.Sprintf("unauthenticated connection %d of %d", i+1, capN+extra))
	}
	if got := s.conns.unauthenticated(); got != capN {
		t.Fatalf("unauthenticated connections = %d, want %d", got, capN)
	}

	// A client with a token connects (one more unauthenticated connection,
	// which closes the oldest idle one) and is served.
	admin, err := s.Identity.GetPrincipal(context.Background(), s.Boot.TenantID, s.Boot.ObjectID)
	if err != nil {
		t.Fatal(err)
	}
	status, body, _ := insightCall(t, s, "GET", "/subscriptions?api-version=2022-12-01", mustToken(t, s, admin, "https://management.azure.com/"), "")
	if status != http.StatusOK {
		t.Fatalf("authenticated request: %d %s", status, body)
	}
	mustBeClosed(t, idle[extra], "the oldest idle connection when the client connected")
	// Its connection now counts as authenticated: the cap holds the
	// remaining idle ones, which stay open.
	if got, want := s.conns.unauthenticated(), capN-1; got != want {
		t.Errorf("unauthenticated connections = %d, want %d", got, want)
	}
	if got, want := s.conns.evicted.Load(), uint64(extra+1); got != want {
		t.Errorf("closed by the cap = %d, want %d", got, want)
	}
	for i, c := range idle[extra+1:] {
		if closed, err := closedWithin(c, 50*time.Millisecond); closed {
			t.Errorf("unauthenticated connection %d within the cap was closed (%v)", extra+2+i, err)
		}
	}
}

// The cap prefers closing an idle connection to one with a request in
// flight, and never the one just accepted.
func TestCapClosesIdleBeforeBusy(t *testing.T) {
	tr := &connTracker{max: 2}
	a, b, c := tr.add(nopConn{}), tr.add(nopConn{}), (*trackedConn)(nil)
	tr.mu.Lock()
	a.busy = true
	tr.mu.Unlock()
	c = tr.add(nopConn{})
	if got := tr.unauthenticated(); got != 2 {
		t.Fatalf("unauthenticated = %d, want 2", got)
	}
	if b.elem != nil || a.elem == nil || c.elem == nil {
		t.Errorf("closed: a %v, b %v, c %v; want only the idle b", a.elem == nil, b.elem == nil, c.elem == nil)
	}
	c.authenticated()
	d := tr.add(nopConn{})
	if a.elem == nil || d.elem == nil || tr.unauthenticated() != 2 {
		t.Errorf("an authenticated connection counted against the cap")
	}
	if got := tr.open.Load(); got != 3 {
		t.Errorf("open = %d, want 3", got)
	}
}

type nopConn struct{ net.Conn }

func (nopConn) Close() error { return nil }
