// Package databricks is the Databricks workspace API wire: Secrets API 2.0,
// the Tokens API, SCIM (Me, Users, ServicePrincipals, Groups) and the
// workspace's well-known configuration. Each request becomes a named
// operation (ops.go), passes one pipeline (resolve the workspace,
// authenticate, operate, audit) and failures are rendered in Databricks'
// {"error_code","message"} shape (errors.go).
//
// It imports the domain, internal/workspace, internal/audit and
// internal/httpx; it never imports another wire package.
package databricks

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/audit"
	"github.com/scopevault/scopevault/internal/httpx"
	"github.com/scopevault/scopevault/internal/workspace"
)

// Config wires a Handler.
type Config struct {
	Workspaces *workspace.Service
	// Resolve finds the workspace a request is for, from its Host header
	// (adb-<id>.<n>.azuredatabricks.net) or the loopback address its
	// connection arrived on. ENOTFOUND when none.
	Resolve func(ctx context.Context, host string, local netip.Addr) (*scopevault.Workspace, error)
	// Audit takes one record per call; nil keeps none.
	Audit  audit.Recorder
	Logger *slog.Logger
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// Handler serves the workspace API of every workspace.
type Handler struct {
	cfg Config
}

// New returns a Handler.
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Audit == nil {
		cfg.Audit = audit.Discard{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{cfg: cfg}
}

// request is one workspace API request moving through the pipeline.
type request struct {
	r         *http.Request
	op        op
	spec      opSpec
	workspace *scopevault.Workspace
	caller    *scopevault.WorkspaceCaller
	// audit is filled by the operation with what it touched (scope, key,
	// params) and the access decision; the pipeline adds who and the outcome.
	audit audit.Record
	// pathID is the id at the end of a path such as /api/2.0/token/{id}.
	pathID string
}

func (req *request) ctx() context.Context { return req.r.Context() }

// ServeHTTP runs the pipeline: resolve the operation and the workspace,
// authenticate, operate; then audit the call whatever its outcome.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, reqID := httpx.EnsureRequestID(r)
	hdr := w.Header()
	hdr.Set("Server", "databricks")
	hdr.Set("X-Request-Id", reqID)
	req := &request{r: r}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	err := h.serve(sw, req)
	if err != nil {
		h.writeError(sw, req, err)
	}
	if req.spec.Action != "" {
		h.record(req, sw.status, err)
	}
}

func (h *Handler) serve(w http.ResponseWriter, req *request) error {
	r := req.r
	op, pathID, ok := parseRoute(r.Method, r.URL.Path)
	if !ok {
		return errEndpointNotFound(r.Method, r.URL.Path)
	}
	req.op, req.pathID = op, pathID
	// The server's access log and metrics name it too (httpx.Note).
	httpx.SetOperation(r.Context(), string(op))
	spec, ok := operations[op]
	if !ok {
		return scopevault.Errorf(scopevault.EINTERNAL, "", "databricks: operation %q has no spec", op)
	}
	req.spec = spec

	o := scopevault.OriginFrom(r.Context())
	ws, err := h.cfg.Resolve(r.Context(), r.Host, o.LocalAddr.Addr())
	if err != nil {
		return err
	}
	req.workspace = ws
	hdr := w.Header()
	hdr.Set("X-Databricks-Org-Id", formatID(ws.WorkspaceID))

	if !spec.Anonymous {
		token, ok := bearer(r)
		if !ok {
			return errUnauthenticated()
		}
		c, err := h.cfg.Workspaces.Authenticate(r.Context(), ws, token)
		if err != nil {
			return err
		}
		req.caller = c
		// An Entra token's object id is already named (the access path);
		// a personal access token names the workspace principal.
		if c.Entra == nil && c.Principal != nil {
			httpx.SetPrincipal(r.Context(), c.Principal.ID)
		}
	}
	return spec.run(h, w, req)
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	a := r.Header.Get("Authorization")
	if len(a) < 7 || !strings.EqualFold(a[:7], "bearer ") {
		return "", false
	}
	t := strings.TrimSpace(a[7:])
	return t, t != ""
}

// record writes the call's audit record: who, what, where, and the outcome.
func (h *Handler) record(req *request, status int, err error) {
	rec := req.audit
	rec.Time = h.cfg.Now().UTC()
	rec.RequestID = scopevault.RequestIDFrom(req.ctx())
	rec.Service, rec.Action = req.spec.Service, req.spec.Action
	if req.workspace != nil {
		rec.Workspace = req.workspace.Name
	}
	if req.caller != nil && req.caller.Principal != nil {
		rec.Principal = req.caller.Principal.Name
		if req.caller.Entra != nil {
			rec.AppID = req.caller.Entra.AppID
		}
	}
	if o := scopevault.OriginFrom(req.ctx()); o.RemoteAddr.IsValid() {
		rec.SourceAddr = o.RemoteAddr.Addr().Unmap().String()
	}
	rec.Status = status
	if err != nil {
		rec.ErrorCode, _ = errorCode(err)
		if rec.Decision == "" && scopevault.ErrorCodeOf(err) == scopevault.EFORBIDDEN {
			rec.Decision = "deny"
		}
	}
	h.cfg.Audit.Record(rec)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
