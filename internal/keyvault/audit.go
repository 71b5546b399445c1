package keyvault

import (
	"net/http"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/audit"
	"github.com/scopevault/scopevault/internal/httpx"
)

// auditService is the Service of every Key Vault audit record.
const auditService = "keyvault"

// statusWriter keeps the status a response was written with, for the audit
// record. It lives inside the request, so it costs no allocation of its own.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// record audits one data-plane request, whatever its outcome, once its vault
// is known: a request for no vault names nothing to audit. The SDKs' first,
// token-less challenge probe is recorded too (status 401, no principal), as
// Azure's own AuditEvent log records unauthenticated requests. What is
// recorded is the request's names and the outcome; never a body.
func (h *Handler) record(req *request) {
	if req.vault == nil {
		return
	}
	now := time.Now
	if h.cfg.Engine != nil && h.cfg.Engine.Now != nil {
		now = h.cfg.Engine.Now
	}
	ctx := req.r.Context()
	rec := audit.Record{
		Time:      now().UTC(),
		RequestID: scopevault.RequestIDFrom(ctx),
		Service:   auditService,
		Vault:     req.vault.Name,
		Status:    req.sw.status,
		ErrorCode: req.errorCode,
	}
	if rec.Status == 0 {
		rec.Status = http.StatusOK
	}
	op, key := req.route.op, req.route.name
	if op == "" {
		// The request failed before routing (no token, bad api-version):
		// name the operation it asked for when its path names one.
		if rt, ok := parseRoute(req.r.Method, req.r.URL.EscapedPath()); ok {
			op = rt.op
			if name, err := unescape(rt.name); err == nil && scopevault.ValidSecretName(name) {
				key = name
			}
		}
	}
	rec.Action, rec.Key = auditAction(op), key
	// The server's access log and metrics name the same operation.
	httpx.SetOperation(ctx, string(op))
	if c := req.caller; c != nil {
		rec.Principal, rec.AppID = c.ObjectID, c.AppID
	}
	if o := scopevault.OriginFrom(ctx); o.RemoteIP != "" {
		rec.SourceAddr = o.RemoteIP
	} else if o.RemoteAddr.IsValid() {
		rec.SourceAddr = o.RemoteAddr.Addr().Unmap().String()
	}
	if req.decided {
		rec.Decision, rec.Rule = "deny", req.decision.Rule
		if req.decision.Allowed {
			rec.Decision = "allow"
		}
	}
	h.cfg.Audit.Record(rec)
}

// auditAction is an operation's audit action name: "keyvault.GetSecret" is
// "GetSecret"; a request naming no operation is "Unknown".
func auditAction(op scopevault.Operation) string {
	if op == "" {
		return "Unknown"
	}
	return strings.TrimPrefix(string(op), "keyvault.")
}

// auditErrorCode is the code a failed request's audit record carries: the
// innererror code when there is one ("ForbiddenByRbac"), else the error code.
func auditErrorCode(e errorBody) string {
	if e.InnerError != nil && e.InnerError.Code != "" {
		return e.InnerError.Code
	}
	return e.Code
}
