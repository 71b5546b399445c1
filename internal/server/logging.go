package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/entra"
	"github.com/scopevault/scopevault/internal/httpx"
	"github.com/scopevault/scopevault/internal/identity"
)

// Log formats for up --log-format.
const (
	LogText = "text"
	LogJSON = "json"
)

// NewLogger is the server's logger writing to w at level in format (text,
// the default, or json: one JSON object a line).
func NewLogger(w io.Writer, format string, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "", LogText:
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case LogJSON:
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("unknown log format %q: use text or json", format)
}

// Wires, the access log's and metrics' wire label.
const (
	wireKeyVault   = "keyvault"
	wireDatabricks = "databricks"
	wireARM        = "arm"
	wireEntra      = "entra"
	wireControl    = "control"
)

// requestState is one request as the server sees it: the status written,
// the wire that answered and the wire's Note. One allocation per request.
type requestState struct {
	http.ResponseWriter
	status int
	wire   string
	note   httpx.Note
}

func (w *requestState) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *requestState) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// onWire names the wire a control-plane handler belongs to (the mux passes
// the server's requestState through as the ResponseWriter) and, when op is
// not empty, the operation.
func onWire(wire string, op func(*http.Request) string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st, ok := w.(*requestState); ok {
			st.wire = wire
			if op != nil {
				st.note.Operation = op(r)
			}
		}
		h.ServeHTTP(w, r)
	})
}

// controlMux registers the server's own control-plane endpoints, each named
// by its pattern ("GET /healthz") as its operation.
type controlMux struct{ *http.ServeMux }

func (m controlMux) Handle(pattern string, h http.Handler) {
	m.ServeMux.Handle(pattern, onWire(wireControl, func(*http.Request) string { return pattern }, h))
}

// notingVerifier is the token verifier that names the verified token's
// principal in the request's Note: every wire authenticates bearer tokens
// through the access path, which calls it.
type notingVerifier struct{ *identity.Service }

func (v notingVerifier) VerifyToken(ctx context.Context, raw string) (*identity.Claims, error) {
	c, err := v.Service.VerifyToken(ctx, raw)
	if err == nil {
		httpx.SetPrincipal(ctx, c.ObjectID)
	}
	return c, err
}

// finish records an answered request: it marks the connection
// authenticated when the request carried a valid credential, counts it in
// the metrics and writes the access log line (up -v).
func (s *Server) finish(ctx context.Context, r *http.Request, st *requestState, reqID string, start time.Time) {
	d := time.Since(start)
	op := st.note.Operation
	tokenIssued := st.wire == wireEntra && entra.IsTokenOperation(op) && st.status == http.StatusOK
	if st.note.Principal != "" || tokenIssued {
		markAuthenticated(ctx)
	}
	if tokenIssued {
		s.metrics.tokenIssued(op)
	}
	s.metrics.observeRequest(st.wire, op, st.status, d)
	// The access log names the path only: no query, no headers, no body,
	// and of the caller only its object id. Its arguments are built only
	// when it is on (up -v).
	if !s.cfg.Logger.Enabled(ctx, slog.LevelInfo) {
		return
	}
	o := scopevault.OriginFrom(ctx)
	attrs := []slog.Attr{
		slog.String("request_id", reqID),
		slog.String("wire", st.wire),
	}
	if op != "" {
		attrs = append(attrs, slog.String("operation", op))
	}
	if st.note.Principal != "" {
		attrs = append(attrs, slog.String("principal", st.note.Principal))
	}
	attrs = append(attrs,
		slog.String("method", r.Method), slog.String("host", r.Host), slog.String("path", r.URL.Path),
		slog.Int("status", st.status), slog.String("client", o.RemoteAddr.String()),
		slog.Float64("latency_ms", float64(d.Microseconds())/1000))
	s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
}
