package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
)

// armAudiences are the aud values ARM accepts, compared without a trailing slash.
var armAudiences = []string{"https://management.core.windows.net", "https://management.azure.com"}

// graphAudiences are the aud values Graph accepts: its URI and its app id.
var graphAudiences = []string{"https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"}

func audienceOK(aud string, allowed []string) bool {
	a := strings.TrimSuffix(aud, "/")
	for _, x := range allowed {
		if strings.EqualFold(a, x) {
			return true
		}
	}
	return false
}

// authenticate verifies the bearer token, checks its audience for the
// dialect and resolves the caller's groups. Messages are ARM's and Graph's
// own; none of them quotes the token.
func (h *Handler) authenticate(req *request) (*scopevault.Caller, error) {
	graph := req.dialect == dialectGraph
	token, present, ok := bearer(req.r)
	switch {
	case !present && graph:
		return nil, unauthorized("InvalidAuthenticationToken", "Access token is empty.")
	case !present:
		return nil, unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
	case !ok && graph:
		return nil, unauthorized("InvalidAuthenticationToken", "Access token validation failure.")
	case !ok:
		return nil, unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided in an invalid format.")
	}
	authn, err := h.cfg.Access.Authenticate(req.ctx(), token)
	if err != nil {
		if scopevault.ErrorCodeOf(err) != scopevault.EUNAUTHORIZED {
			return nil, err
		}
		expired := scopevault.ErrorReasonOf(err) == identity.ReasonTokenExpired
		switch {
		case graph && expired:
			return nil, unauthorized("InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
		case graph:
			return nil, unauthorized("InvalidAuthenticationToken", "Access token validation failure.")
		case expired:
			return nil, unauthorized("ExpiredAuthenticationToken", "The access token has expired. Get a new token and retry.")
		}
		return nil, unauthorized("InvalidAuthenticationToken", "The access token is invalid.")
	}
	claims := authn.Claims
	if graph && !audienceOK(claims.Audience, graphAudiences) {
		return nil, unauthorized("InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
	}
	if !graph && !audienceOK(claims.Audience, armAudiences) {
		return nil, unauthorized("InvalidAuthenticationTokenAudience",
			"The access token has been obtained for wrong audience or resource '"+clip(claims.Audience)+"'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.")
	}
	return authn.Caller, nil
}

// bearer returns the token of an "Authorization: Bearer <token>" header:
// present says the header exists, ok that it has the bearer form.
func bearer(r *http.Request) (token string, present, ok bool) {
	a := r.Header.Get("Authorization")
	if a == "" {
		return "", false, false
	}
	if len(a) < 7 || !strings.EqualFold(a[:7], "bearer ") {
		return "", true, false
	}
	t := strings.TrimSpace(a[7:])
	return t, true, t != ""
}

func unauthorized(reason, msg string) error {
	return &scopevault.Error{Code: scopevault.EUNAUTHORIZED, Reason: reason, Message: msg}
}

// clip bounds caller-supplied text echoed in messages.
func clip(s string) string {
	const max = 200
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
