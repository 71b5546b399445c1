package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Token scopes of the services this package talks to.
const (
	ScopeARM      = "https://management.core.windows.net//.default"
	ScopeGraph    = "https://graph.microsoft.com/.default"
	ScopeKeyVault = "https://vault.azure.net/.default"
)

// AccessToken is a bearer token and when it expires.
type AccessToken struct {
	Token     string
	ExpiresOn time.Time
}

// TokenCredential gets access tokens. tenantID "" means the credential's own
// tenant; a credential may refuse other tenants.
type TokenCredential interface {
	Token(ctx context.Context, tenantID, scope string) (AccessToken, error)
}

// ClientSecretCredential is the OAuth2 client-credentials grant against an
// Entra-compatible authority ({authority}/{tenant}/oauth2/v2.0/token).
// Tokens are cached per scope until five minutes before they expire. It is
// safe for concurrent use.
type ClientSecretCredential struct {
	authority string
	tenantID  string
	clientID  string
	secret    string
	hc        *http.Client

	// Now is the clock; tests replace it.
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]AccessToken
}

// NewClientSecretCredential returns a credential for a service principal.
// authorityHost is an https URL ("https://localhost:8443/").
func NewClientSecretCredential(authorityHost, tenantID, clientID, secret string, hc *http.Client) (*ClientSecretCredential, error) {
	u, err := url.Parse(authorityHost)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("client: authority host %q is not an https URL", authorityHost)
	}
	switch {
	case tenantID == "":
		return nil, fmt.Errorf("client: a tenant id is required")
	case clientID == "":
		return nil, fmt.Errorf("client: a client id is required")
	case secret == "":
		return nil, fmt.Errorf("client: a client secret is required")
	case strings.ContainsAny(tenantID, "/?#"):
		return nil, fmt.Errorf("client: tenant id %q is not valid", tenantID)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &ClientSecretCredential{
		authority: strings.TrimSuffix(authorityHost, "/"), tenantID: tenantID, clientID: clientID, secret: secret,
		hc: hc, Now: time.Now, cache: map[string]AccessToken{},
	}, nil
}

// TenantID is the credential's tenant.
func (c *ClientSecretCredential) TenantID() string { return c.tenantID }

// ClientID is the credential's application (client) id.
func (c *ClientSecretCredential) ClientID() string { return c.clientID }

// refreshMargin is how long before expiry a cached token is renewed.
const refreshMargin = 5 * time.Minute

// Token returns a token for scope, from the cache or the token endpoint.
func (c *ClientSecretCredential) Token(ctx context.Context, tenantID, scope string) (AccessToken, error) {
	if tenantID != "" && !strings.EqualFold(tenantID, c.tenantID) {
		return AccessToken{}, fmt.Errorf("client: the resource is in tenant %s but the credential is for tenant %s", tenantID, c.tenantID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.cache[scope]; ok && c.Now().Add(refreshMargin).Before(t.ExpiresOn) {
		return t, nil
	}
	t, err := c.fetch(ctx, scope)
	if err != nil {
		return AccessToken{}, err
	}
	c.cache[scope] = t
	return t, nil
}

func (c *ClientSecretCredential) fetch(ctx context.Context, scope string) (AccessToken, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.clientID},
		"client_secret": {c.secret},
		"scope":         {scope},
	}
	endpoint := c.authority + "/" + url.PathEscape(c.tenantID) + "/oauth2/v2.0/token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return AccessToken{}, fmt.Errorf("client: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	start := c.Now()
	res, err := c.hc.Do(req)
	if err != nil {
		// *url.Error names the URL and the cause, never the form body.
		return AccessToken{}, fmt.Errorf("client: token request: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
		return AccessToken{}, responseError(res, body)
	}
	var out struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, maxErrorBody)).Decode(&out); err != nil || out.AccessToken == "" {
		return AccessToken{}, fmt.Errorf("client: the token endpoint answered without an access token")
	}
	secs := parseSeconds(out.ExpiresIn)
	if secs <= 0 {
		secs = 3600
	}
	return AccessToken{Token: out.AccessToken, ExpiresOn: start.Add(time.Duration(secs) * time.Second)}, nil
}

// parseSeconds reads expires_in, which Entra sends as a number or a numeric string.
func parseSeconds(raw json.RawMessage) int64 {
	var n int64
	if json.Unmarshal(raw, &n) == nil {
		return n
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		fmt.Sscan(s, &n)
	}
	return n
}
