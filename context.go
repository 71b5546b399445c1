package scopevault

import (
	"context"
	"net/netip"
)

// Request facts travel in the context; stores, loggers and clocks never do.
type ctxKey int

const (
	callerKey ctxKey = iota
	requestIDKey
	originKey
)

// Origin is where a request came from, as the listener that accepted it saw it.
// It is never taken from a header a client can set.
type Origin struct {
	RemoteAddr netip.AddrPort // client address and port
	LocalAddr  netip.AddrPort // the address the client connected to
	// RemoteIP and LocalIP are the two addresses (IPv4-mapped ones
	// unmapped) as text, made once per connection rather than per request.
	RemoteIP, LocalIP string
	// Via is what the listener the connection arrived on stands for in the
	// simulated network (a private endpoint, or a subnet's view of a vault);
	// nil for the public listeners.
	Via *Placement
}

// WithCaller returns ctx carrying the authenticated caller.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey, c)
}

// CallerFrom returns the authenticated caller, or nil.
func CallerFrom(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey).(*Caller)
	return c
}

// WithRequestID returns ctx carrying the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestIDFrom returns the request id, or "".
func RequestIDFrom(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// WithOrigin returns ctx carrying the network origin.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey, o)
}

// OriginFrom returns the network origin (zero if unknown).
func OriginFrom(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey).(Origin)
	return o
}
