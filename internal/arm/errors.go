package arm

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/httpx"
)

// errorJSON is ARM's CloudError and Graph's error envelope; Graph adds innerError.
type errorJSON struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code       string          `json:"code"`
	Message    string          `json:"message"`
	InnerError *graphInnerJSON `json:"innerError,omitempty"`
}

type graphInnerJSON struct {
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
	ClientRequestID string `json:"client-request-id"`
}

// armCodes are ARM's default error codes per domain code, used when the
// error carries no reason of its own.
var armCodes = map[scopevault.ErrorCode]string{
	scopevault.EINVALID:      "BadRequest",
	scopevault.ENOTFOUND:     "ResourceNotFound",
	scopevault.ECONFLICT:     "Conflict",
	scopevault.EFORBIDDEN:    "AuthorizationFailed",
	scopevault.EUNAUTHORIZED: "AuthenticationFailed",
	scopevault.ETHROTTLED:    "TooManyRequests",
}

// graphCodes are Graph's.
var graphCodes = map[scopevault.ErrorCode]string{
	scopevault.EINVALID:      "Request_BadRequest",
	scopevault.ENOTFOUND:     "Request_ResourceNotFound",
	scopevault.ECONFLICT:     "Request_BadRequest",
	scopevault.EFORBIDDEN:    "Authorization_RequestDenied",
	scopevault.EUNAUTHORIZED: "InvalidAuthenticationToken",
	scopevault.ETHROTTLED:    "TooManyRequests",
}

var statuses = map[scopevault.ErrorCode]int{
	scopevault.EINVALID:      http.StatusBadRequest,
	scopevault.ENOTFOUND:     http.StatusNotFound,
	scopevault.ECONFLICT:     http.StatusConflict,
	scopevault.EFORBIDDEN:    http.StatusForbidden,
	scopevault.EUNAUTHORIZED: http.StatusUnauthorized,
	scopevault.ETHROTTLED:    http.StatusTooManyRequests,
}

// render maps any error to a status and body. It is the only place error
// bodies are made: an internal error becomes a generic 500 naming the
// request id, never the error's text.
func render(d dialect, err error, reqID string) (int, errorJSON) {
	code := scopevault.ErrorCodeOf(err)
	status, known := statuses[code]
	if !known {
		return http.StatusInternalServerError, errorJSON{Error: errorBody{Code: "InternalServerError",
			Message: "An internal error occurred. Request id: " + reqID}}
	}
	codes := armCodes
	if d == dialectGraph {
		codes = graphCodes
	}
	wire := codes[code]
	if r := scopevault.ErrorReasonOf(err); wireReason(r) {
		wire = r
	}
	if wire == reasonMethodNotAllowed {
		status = http.StatusMethodNotAllowed
	}
	return status, errorJSON{Error: errorBody{Code: wire, Message: scopevault.ErrorMessageOf(err)}}
}

// wireReason reports whether a domain reason is usable as a wire error code:
// identity's AADSTS numbers belong to the token endpoints, not to ARM.
func wireReason(r string) bool {
	if r == "" || strings.HasPrefix(r, "AADSTS") {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func (h *Handler) writeError(w http.ResponseWriter, req *request, err error) {
	reqID := scopevault.RequestIDFrom(req.r.Context())
	status, body := render(req.dialect, err, reqID)
	if status >= http.StatusInternalServerError {
		h.cfg.Logger.Error("arm: internal error", "request_id", reqID, "op", string(req.route.op), "err", err)
	}
	if status == http.StatusUnauthorized {
		if req.dialect == dialectGraph {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="", authorization_uri="%s/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`, h.cfg.AuthorityHost))
		} else {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization_uri="%s/", error="invalid_token", error_description="%s"`,
				h.cfg.AuthorityHost, strings.ReplaceAll(body.Error.Message, `"`, `'`)))
		}
	}
	if req.dialect == dialectGraph {
		body.Error.InnerError = &graphInnerJSON{
			Date:            h.cfg.Now().UTC().Format("2006-01-02T15:04:05"),
			RequestID:       reqID,
			ClientRequestID: w.Header().Get("client-request-id"),
		}
	}
	if req.r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, body any) { httpx.WriteJSON(w, status, body) }
