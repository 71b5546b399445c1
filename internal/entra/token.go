package entra

import (
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/scopevault/scopevault/internal/identity"
)

// maxFormBytes bounds a token request body; real ones are well under 4 KB.
const maxFormBytes = 64 << 10

// tokenRequest is a parsed token request. Only the parameters scopevault acts
// on are kept: claims (CAE) and client telemetry are accepted and ignored.
type tokenRequest struct {
	GrantType    string
	ClientID     string
	ClientSecret string
	Scope        string // v2
	Resource     string // v1
	Username     string
	Password     string
}

// parseTokenForm reads a token request from an x-www-form-urlencoded body.
// The client secret may come in the body or as HTTP Basic credentials
// (RFC 6749 2.3.1: both halves form-encoded); the body wins. Query string
// parameters are ignored: secrets do not belong in URLs.
func parseTokenForm(r *http.Request) (tokenRequest, error) {
	var tr tokenRequest
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return tr, identity.MissingParameter("grant_type")
	}
	if err := r.ParseForm(); err != nil {
		return tr, identity.MissingParameter("grant_type")
	}
	f := r.PostForm
	tr = tokenRequest{
		GrantType:    f.Get("grant_type"),
		ClientID:     f.Get("client_id"),
		ClientSecret: f.Get("client_secret"),
		Scope:        f.Get("scope"),
		Resource:     f.Get("resource"),
		Username:     f.Get("username"),
		Password:     f.Get("password"),
	}
	if user, pass, ok := r.BasicAuth(); ok {
		user, err1 := url.QueryUnescape(user)
		pass, err2 := url.QueryUnescape(pass)
		if err1 == nil && err2 == nil && (tr.ClientID == "" || tr.ClientID == user) {
			if tr.ClientID == "" {
				tr.ClientID = user
			}
			if tr.ClientSecret == "" {
				tr.ClientSecret = pass
			}
		}
	}
	if tr.GrantType == "" {
		return tr, identity.MissingParameter("grant_type")
	}
	return tr, nil
}

// issue runs the grant the request names. v1 requests name a resource
// instead of a scope; its scope is the resource plus "/.default".
func (h *handler) issue(r *http.Request, tr tokenRequest, v1 bool) (*identity.Token, error) {
	tenant := r.PathValue("tenant")
	scope, param := tr.Scope, "scope"
	if v1 {
		scope, param = tr.Resource+"/.default", "resource"
	}
	if tr.GrantType != "client_credentials" && tr.GrantType != "password" {
		return nil, identity.UnsupportedGrant(tr.GrantType)
	}
	if tr.ClientID == "" {
		return nil, identity.MissingParameter("client_id")
	}
	if v1 && tr.Resource == "" || !v1 && tr.Scope == "" {
		return nil, identity.MissingParameter(param)
	}
	if tr.GrantType == "client_credentials" {
		return h.svc.ClientCredentials(r.Context(), tenant, tr.ClientID, tr.ClientSecret, scope)
	}
	if tr.Username == "" {
		return nil, identity.MissingParameter("username")
	}
	if tr.Password == "" {
		return nil, identity.MissingParameter("password")
	}
	return h.svc.Password(r.Context(), tenant, tr.ClientID, tr.Username, tr.Password, scope)
}

// token is the shared body of both token endpoints.
func (h *handler) token(w http.ResponseWriter, r *http.Request, v1 bool) (*identity.Token, error) {
	noStore(w)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	tr, err := parseTokenForm(r)
	if err != nil {
		return nil, err
	}
	tok, err := h.issue(r, tr, v1)
	if err != nil {
		return nil, err // renderAADError logs it
	}
	// Ids and the outcome only: never the secret, password or token.
	h.log.LogAttrs(r.Context(), slog.LevelInfo, "entra: token issued",
		slog.String("tenant", tok.Principal.TenantID), slog.String("grant_type", tr.GrantType),
		slog.String("client_id", tr.ClientID), slog.String("oid", tok.Principal.ObjectID),
		slog.String("aud", tok.Audience), slog.Bool("v1", v1))
	return tok, nil
}

func expiresIn(t *identity.Token) int {
	// Entra reports one second less than the token's lifetime.
	return max(int(t.Expires.Sub(t.NotBefore)/time.Second)-1, 0)
}

// tokenV2 is POST /{tenant}/oauth2/v2.0/token.
func (h *handler) tokenV2(w http.ResponseWriter, r *http.Request) error {
	tok, err := h.token(w, r, false)
	if err != nil {
		return err
	}
	in := expiresIn(tok)
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"expires_in":     in,
		"ext_expires_in": in,
		"access_token":   tok.AccessToken,
	})
	return nil
}

// tokenV1 is POST /{tenant}/oauth2/token: numbers as strings, plus
// expires_on, not_before and the resource as requested.
func (h *handler) tokenV1(w http.ResponseWriter, r *http.Request) error {
	tok, err := h.token(w, r, true)
	if err != nil {
		return err
	}
	in := strconv.Itoa(expiresIn(tok))
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"expires_in":     in,
		"ext_expires_in": in,
		"expires_on":     epoch(tok.Expires),
		"not_before":     epoch(tok.NotBefore),
		"resource":       tok.Resource,
		"access_token":   tok.AccessToken,
	})
	return nil
}
