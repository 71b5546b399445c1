package keyvault

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/httpx"
)

// errorJSON is Key Vault's error envelope (lower-case innererror).
type errorJSON struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code       string     `json:"code"`
	Message    string     `json:"message"`
	InnerError *innerJSON `json:"innererror,omitempty"`
}

type innerJSON struct {
	Code string `json:"code"`
}

func unescape(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.PathUnescape(s)
	if err != nil {
		return "", scopevault.Errorf(scopevault.EINVALID, "", "The request URI contains an invalid name: %s", s)
	}
	return u, nil
}

// challengeResource is the resource named in the 401 challenge. The SDKs
// require the vault host to end with "." + the resource host (Go compares
// ports too), so it is derived from the host the client used:
// <name>.vault.azure.net[:p] -> https://vault.azure.net[:p];
// 127.a.b.c:p (a vault's no-setup address) -> https://a.b.c:p.
// The port is echoed exactly as the client sent it, ":443" included: a Go
// client whose vault URL names ":443" compares "<vault>:443" against the
// resource host, so dropping it would make the SDK refuse the challenge.
// The suffix keeps the client's case for the same reason (the Go SDK's
// comparison is case-sensitive); the identity service folds case.
func challengeResource(host string) string {
	h, port := host, ""
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		h, port = host[:i], host[i:]
	}
	if strings.HasSuffix(strings.ToLower(h), VaultSuffix) {
		return "https://" + h[len(h)-len(VaultSuffix)+1:] + port
	}
	if a, err := netip.ParseAddr(h); err == nil && a.Is4() {
		if i := strings.IndexByte(h, '.'); i > 0 {
			return "https://" + h[i+1:] + port
		}
	}
	return "https://vault.azure.net"
}

func (h *Handler) writeError(w http.ResponseWriter, req *request, err error) {
	status, body := h.render(req, err)
	if c, ok := isChallenge(err); ok {
		tenant := "common"
		if req.vault != nil {
			tenant = req.vault.TenantID
		}
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization="%s/%s", resource="%s"`,
			h.cfg.AuthorityHost, tenant, challengeResource(req.r.Host)))
		status, body = http.StatusUnauthorized, errorJSON{Error: errorBody{Code: "Unauthorized", Message: c.msg}}
	}
	req.errorCode = auditErrorCode(body.Error)
	if status >= 500 {
		h.cfg.Logger.Error("keyvault: internal error", "request_id", scopevault.RequestIDFrom(req.r.Context()),
			"op", string(req.route.op), "err", err)
	}
	writeJSON(w, status, body)
}

// render maps a domain error to Key Vault's status and body.
func (h *Handler) render(req *request, err error) (int, errorJSON) {
	code, reason, msg := scopevault.ErrorCodeOf(err), scopevault.ErrorReasonOf(err), scopevault.ErrorMessageOf(err)
	withInner := func(c string) *innerJSON {
		if c == "" {
			return nil
		}
		return &innerJSON{Code: c}
	}
	switch code {
	case scopevault.EINVALID:
		return http.StatusBadRequest, errorJSON{Error: errorBody{Code: "BadParameter", Message: msg, InnerError: withInner(reason)}}
	case scopevault.ENOTFOUND:
		c := reason
		if c == "" {
			c = "NotFound"
		}
		return http.StatusNotFound, errorJSON{Error: errorBody{Code: c, Message: msg}}
	case scopevault.ECONFLICT:
		return http.StatusConflict, errorJSON{Error: errorBody{Code: "Conflict", Message: msg, InnerError: withInner(reason)}}
	case scopevault.EFORBIDDEN:
		return http.StatusForbidden, errorJSON{Error: errorBody{Code: "Forbidden", Message: msg, InnerError: withInner(reason)}}
	case scopevault.ETHROTTLED:
		return http.StatusTooManyRequests, errorJSON{Error: errorBody{Code: "Throttled", Message: msg}}
	case scopevault.EUNAUTHORIZED:
		return http.StatusUnauthorized, errorJSON{Error: errorBody{Code: "Unauthorized", Message: msg}}
	}
	return http.StatusInternalServerError, errorJSON{Error: errorBody{Code: "InternalServerError",
		Message: "An internal error occurred. Request id: " + scopevault.RequestIDFrom(req.r.Context())}}
}

// denied renders a negative decision as the service's 403 (the domain
// holds the words, so a Key Vault-backed scope quotes the very same text).
func denied(d scopevault.Decision, req *request) error {
	return scopevault.VaultDenial(d, req.caller, req.vault, req.route.op, scopevault.OriginFrom(req.r.Context()).RemoteAddr.Addr())
}

func writeJSON(w http.ResponseWriter, status int, body any) { httpx.WriteJSON(w, status, body) }
