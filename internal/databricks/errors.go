package databricks

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/scopevault/scopevault"
)

// errorJSON is Databricks' error envelope. It never carries "details": the
// JS SDK treats a body whose details lack "metadata" as unparseable.
// ErrorCode is a string, except for an invalid token, where Databricks
// sends the number 403.
type errorJSON struct {
	ErrorCode any    `json:"error_code"`
	Message   string `json:"message"`
}

// Reasons the engine sets on *scopevault.Error are Databricks error codes
// (RESOURCE_ALREADY_EXISTS, BAD_REQUEST, ...). These two are the wire's own.
const (
	reasonInvalidToken    = "INVALID_TOKEN"
	reasonUnauthenticated = "UNAUTHENTICATED"
)

func errUnauthenticated() error {
	return scopevault.Errorf(scopevault.EUNAUTHORIZED, reasonUnauthenticated, "No access token was provided. Set the Authorization header to 'Bearer <token>'.")
}

func errEndpointNotFound(method, path string) error {
	if len(path) > 200 {
		path = path[:200]
	}
	return scopevault.Errorf(scopevault.ENOTFOUND, "ENDPOINT_NOT_FOUND", "No API found for '%s %s'", method, path)
}

// errorCode maps a domain error to Databricks' status and error code.
func errorCode(err error) (code string, status int) {
	reason := scopevault.ErrorReasonOf(err)
	isCode := reason != "" && strings.ToUpper(reason) == reason
	pick := func(def string, st int) (string, int) {
		if isCode {
			return reason, st
		}
		return def, st
	}
	switch scopevault.ErrorCodeOf(err) {
	case scopevault.EINVALID:
		return pick("INVALID_PARAMETER_VALUE", http.StatusBadRequest)
	case scopevault.ENOTFOUND:
		return pick("RESOURCE_DOES_NOT_EXIST", http.StatusNotFound)
	case scopevault.ECONFLICT:
		return pick("RESOURCE_ALREADY_EXISTS", http.StatusBadRequest)
	case scopevault.EFORBIDDEN:
		return pick("PERMISSION_DENIED", http.StatusForbidden)
	case scopevault.EUNAUTHORIZED:
		if reason == reasonUnauthenticated {
			return reasonUnauthenticated, http.StatusUnauthorized
		}
		return "403", http.StatusForbidden
	case scopevault.ETHROTTLED:
		return pick("REQUEST_LIMIT_EXCEEDED", http.StatusTooManyRequests)
	}
	return "INTERNAL_ERROR", http.StatusInternalServerError
}

// writeError renders err. Messages never use the phrases SDKs retry on
// ("Unexpected error", "Timed out after", ...), so a failure is not retried
// for minutes; an internal error names only the request id.
func (h *Handler) writeError(w http.ResponseWriter, req *request, err error) {
	code, status := errorCode(err)
	body := errorJSON{ErrorCode: code, Message: scopevault.ErrorMessageOf(err)}
	switch {
	case status >= 500:
		h.cfg.Logger.Error("databricks: internal error", "request_id", scopevault.RequestIDFrom(req.ctx()), "op", string(req.op), "err", err)
		body.Message = "Internal error. Request id: " + scopevault.RequestIDFrom(req.ctx())
	case code == "403":
		// An invalid token: the error code is the number 403, as Databricks sends it.
		body.ErrorCode = 403
		body.Message = "Invalid access token."
		w.Header().Set("X-Databricks-Reason-Phrase", body.Message)
	}
	// Exactly the bytes Databricks sends: compact JSON, no trailing newline
	// (the legacy CLI prints an error body verbatim, as b'...').
	raw, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(raw)
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }
