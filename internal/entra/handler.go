package entra

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/httpx"
	"github.com/scopevault/scopevault/internal/identity"
)

// handler serves Entra ID for svc.
type handler struct {
	svc *identity.Service
	log *slog.Logger
}

// NewHandler returns the Entra ID endpoints for svc.
func NewHandler(svc *identity.Service, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{svc: svc, log: logger}
	mux := http.NewServeMux()
	aad := func(op string, fn func(http.ResponseWriter, *http.Request) error) http.Handler {
		return endpoint{op: op, fn: fn, render: h.renderAADError}
	}
	mux.Handle("GET /{tenant}/v2.0/.well-known/openid-configuration", aad("OpenIDConfiguration", h.openIDConfigV2))
	mux.Handle("GET /{tenant}/.well-known/openid-configuration", aad("OpenIDConfiguration", h.openIDConfigV1))
	mux.Handle("GET /{tenant}/discovery/v2.0/keys", aad("Keys", h.keys))
	mux.Handle("GET /{tenant}/discovery/keys", aad("Keys", h.keys))
	mux.Handle("GET /common/discovery/instance", aad("InstanceDiscovery", h.instanceDiscovery))
	// MSAL spells it UserRealm; older clients use lower case.
	mux.Handle("GET /common/UserRealm/{user}", aad("UserRealm", h.userRealm))
	mux.Handle("GET /common/userrealm/{user}", aad("UserRealm", h.userRealm))
	mux.Handle("POST /{tenant}/oauth2/v2.0/token", aad(OpToken, h.tokenV2))
	mux.Handle("POST /{tenant}/oauth2/token", aad(OpTokenV1, h.tokenV1))
	mux.Handle("GET /msi/token", endpoint{op: OpManagedIdentityToken, fn: h.msiToken, render: h.renderMSIError})
	return mux
}

// The operations that issue tokens, as the handler names them in the
// request's httpx.Note (the access log, the metrics): a 200 from one of
// them issued a token.
const (
	OpToken                = "Token"
	OpTokenV1              = "TokenV1"
	OpManagedIdentityToken = "ManagedIdentityToken"
)

// IsTokenOperation reports whether op is one of the operations that issue tokens.
func IsTokenOperation(op string) bool {
	return op == OpToken || op == OpTokenV1 || op == OpManagedIdentityToken
}

// endpoint adapts a handler that returns an error; render writes the
// failure in the endpoint's protocol (AADSTS JSON or MSI JSON). op is the
// operation's name, noted for the server's access log and metrics.
type endpoint struct {
	op     string
	fn     func(http.ResponseWriter, *http.Request) error
	render func(http.ResponseWriter, *http.Request, error)
}

func (e endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	httpx.SetOperation(r.Context(), e.op)
	if err := e.fn(w, r); err != nil {
		e.render(w, r, err)
	}
}

// oauthErrors maps identity's AADSTS reasons to the OAuth2 error and status
// Entra answers with. Anything else that is EINVALID is an invalid_request.
var oauthErrors = map[string]struct {
	kind   string
	status int
}{
	identity.ReasonMissingParameter: {"invalid_request", http.StatusBadRequest},
	identity.ReasonUnsupportedGrant: {"unsupported_grant_type", http.StatusBadRequest},
	identity.ReasonTenantNotFound:   {"invalid_request", http.StatusBadRequest},
	identity.ReasonAppNotFound:      {"unauthorized_client", http.StatusBadRequest},
	identity.ReasonInvalidSecret:    {"invalid_client", http.StatusUnauthorized},
	identity.ReasonMissingSecret:    {"invalid_client", http.StatusUnauthorized},
	identity.ReasonSecretExpired:    {"invalid_client", http.StatusUnauthorized},
	identity.ReasonInvalidScope:     {"invalid_scope", http.StatusBadRequest},
	identity.ReasonResourceNotFound: {"invalid_resource", http.StatusBadRequest},
	identity.ReasonInvalidPassword:  {"invalid_grant", http.StatusBadRequest},
	identity.ReasonAccountLocked:    {"invalid_grant", http.StatusBadRequest},
	// Entra answers a throttled client_credentials request 429 with
	// Retry-After (MSAL's docs); its body there is a bare "Too Many
	// Requests" that MSAL cannot parse, so ours keeps the JSON shape with
	// RFC 6749's code for an overloaded server, and a message that says why.
	identity.ReasonThrottled: {"temporarily_unavailable", http.StatusTooManyRequests},
	reasonInvalidInstance:    {"invalid_instance", http.StatusBadRequest},
}

// aadError is Entra's error body.
type aadError struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	Codes         []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	ErrorURI      string `json:"error_uri"`
}

func (h *handler) renderAADError(w http.ResponseWriter, r *http.Request, err error) {
	kind, status, code := "invalid_request", http.StatusBadRequest, 90023
	reason := scopevault.ErrorReasonOf(err)
	if m, ok := oauthErrors[reason]; ok {
		kind, status = m.kind, m.status
	}
	if n, ok := strings.CutPrefix(reason, "AADSTS"); ok {
		code, _ = strconv.Atoi(n)
	}
	msg := scopevault.ErrorMessageOf(err)
	if scopevault.ErrorCodeOf(err) == scopevault.EINTERNAL {
		kind, status, code, msg = "server_error", http.StatusInternalServerError, 50000, "There was an error issuing a token."
	}
	trace, corr := scopevault.NewGUID(), correlationID(r)
	ts := h.svc.Now().UTC().Format("2006-01-02 15:04:05Z")
	h.log.LogAttrs(r.Context(), slog.LevelInfo, "entra: request failed",
		slog.String("path", r.URL.Path), slog.Int("status", status), slog.String("error", kind),
		slog.Int("aadsts", code), slog.String("trace_id", trace), slog.String("correlation_id", corr),
		slog.String("request_id", scopevault.RequestIDFrom(r.Context())))
	if status == http.StatusInternalServerError {
		// The cause stays in our log; the client gets the trace id to quote.
		h.log.LogAttrs(r.Context(), slog.LevelError, "entra: internal error", slog.String("trace_id", trace), slog.Any("err", err))
	}
	if t, ok := errors.AsType[*identity.Throttled](err); ok {
		w.Header().Set("Retry-After", strconv.Itoa(t.RetryAfterSeconds()))
	}
	w.Header().Set("x-ms-request-id", trace)
	w.Header().Set("client-request-id", corr)
	writeJSON(w, status, aadError{
		Error: kind,
		Description: "AADSTS" + strconv.Itoa(code) + ": " + msg + "\r\nTrace ID: " + trace +
			"\r\nCorrelation ID: " + corr + "\r\nTimestamp: " + ts,
		Codes:         []int{code},
		Timestamp:     ts,
		TraceID:       trace,
		CorrelationID: corr,
		ErrorURI:      authority(r) + "/error?code=" + strconv.Itoa(code),
	})
}

// correlationID echoes the client's client-request-id when it is a GUID, as
// Entra does, so a client can match its logs with ours.
func correlationID(r *http.Request) string {
	if id := r.Header.Get("client-request-id"); scopevault.ValidGUID(id) {
		return strings.ToLower(id)
	}
	return scopevault.NewGUID()
}

// authority is the base URL the client reached us at.
func authority(r *http.Request) string { return "https://" + r.Host }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// noStore marks a response that carries (or answers a request for) a token.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
}

// epoch renders t as the decimal Unix seconds string v1 and MSI responses use.
func epoch(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
