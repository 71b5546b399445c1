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

// refreshMargin is how long before expiry a cached token is renewed.
const refreshMargin = 5 * time.Minute

// tokenCache keeps one token per scope until refreshMargin before it
// expires. Fetches are serialized, so concurrent callers share one request.
type tokenCache struct {
	mu    sync.Mutex
	cache map[string]AccessToken
}

func (c *tokenCache) get(now time.Time, scope string, fetch func() (AccessToken, error)) (AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.cache[scope]; ok && now.Add(refreshMargin).Before(t.ExpiresOn) {
		return t, nil
	}
	t, err := fetch()
	if err != nil {
		return AccessToken{}, err
	}
	if c.cache == nil {
		c.cache = map[string]AccessToken{}
	}
	c.cache[scope] = t
	return t, nil
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

	cache tokenCache
}

// NewClientSecretCredential returns a credential for a service principal.
// authorityHost is an https URL ("https://localhost:8443/").
func NewClientSecretCredential(authorityHost, tenantID, clientID, secret string, hc *http.Client) (*ClientSecretCredential, error) {
	authority, err := checkAuthority(authorityHost, tenantID)
	if err != nil {
		return nil, err
	}
	switch {
	case clientID == "":
		return nil, fmt.Errorf("client: a client id is required")
	case secret == "":
		return nil, fmt.Errorf("client: a client secret is required")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &ClientSecretCredential{authority: authority, tenantID: tenantID, clientID: clientID, secret: secret, hc: hc, Now: time.Now}, nil
}

// checkAuthority validates an authority host and tenant and returns the
// authority without its trailing slash.
func checkAuthority(authorityHost, tenantID string) (string, error) {
	u, err := url.Parse(authorityHost)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("client: authority host %q is not an https URL", authorityHost)
	}
	switch {
	case tenantID == "":
		return "", fmt.Errorf("client: a tenant id is required")
	case strings.ContainsAny(tenantID, "/?#"):
		return "", fmt.Errorf("client: tenant id %q is not valid", tenantID)
	}
	return strings.TrimSuffix(authorityHost, "/"), nil
}

// TenantID is the credential's tenant.
func (c *ClientSecretCredential) TenantID() string { return c.tenantID }

// ClientID is the credential's application (client) id.
func (c *ClientSecretCredential) ClientID() string { return c.clientID }

// Token returns a token for scope, from the cache or the token endpoint.
func (c *ClientSecretCredential) Token(ctx context.Context, tenantID, scope string) (AccessToken, error) {
	if err := sameTenant(tenantID, c.tenantID); err != nil {
		return AccessToken{}, err
	}
	return c.cache.get(c.Now(), scope, func() (AccessToken, error) {
		return postTokenForm(ctx, c.hc, c.authority, c.tenantID, c.Now, url.Values{
			"grant_type":    {"client_credentials"},
			"client_id":     {c.clientID},
			"client_secret": {c.secret},
			"scope":         {scope},
		})
	})
}

func sameTenant(asked, own string) error {
	if asked != "" && !strings.EqualFold(asked, own) {
		return fmt.Errorf("client: the resource is in tenant %s but the credential is for tenant %s", asked, own)
	}
	return nil
}

// postTokenForm posts a grant to {authority}/{tenant}/oauth2/v2.0/token.
// Errors name the endpoint and the service's error, never the form.
func postTokenForm(ctx context.Context, hc *http.Client, authority, tenantID string, now func() time.Time, form url.Values) (AccessToken, error) {
	endpoint := authority + "/" + url.PathEscape(tenantID) + "/oauth2/v2.0/token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return AccessToken{}, fmt.Errorf("client: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	start := now()
	res, err := hc.Do(req)
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
