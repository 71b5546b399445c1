package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MSIAPIVersion is the App Service managed identity protocol version the
// credential speaks (IDENTITY_ENDPOINT + IDENTITY_HEADER).
const MSIAPIVersion = "2019-08-01"

// ManagedIdentityID names a user-assigned managed identity by one of its
// ids; the zero value means the environment's (system-assigned) identity.
type ManagedIdentityID struct {
	ClientID   string
	ObjectID   string
	ResourceID string
}

// ManagedIdentityCredential gets tokens from an App Service-style managed
// identity endpoint: GET {endpoint}?api-version=2019-08-01&resource=...
// with the X-IDENTITY-HEADER secret, and client_id, object_id or mi_res_id
// when a user-assigned identity is named. The tenant is the identity's own: a tenant asked
// for by a Key Vault challenge is not the credential's to choose. Tokens are
// cached per scope until five minutes before they expire.
type ManagedIdentityCredential struct {
	endpoint *url.URL
	header   string
	id       ManagedIdentityID
	hc       *http.Client

	// Now is the clock; tests replace it.
	Now func() time.Time

	cache tokenCache
}

// NewManagedIdentityCredential returns a credential for the identity
// endpoint. The endpoint must be https, or http on a loopback address (as
// App Service's is): the identity header is a secret.
func NewManagedIdentityCredential(endpoint, identityHeader string, id ManagedIdentityID, hc *http.Client) (*ManagedIdentityCredential, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return nil, fmt.Errorf("client: identity endpoint %q is not an https URL (or http on a loopback address)", endpoint)
	}
	if identityHeader == "" {
		return nil, fmt.Errorf("client: an identity header is required")
	}
	n := 0
	for _, v := range []string{id.ClientID, id.ObjectID, id.ResourceID} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return nil, fmt.Errorf("client: name a managed identity by one of client id, object id or resource id")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &ManagedIdentityCredential{endpoint: u, header: identityHeader, id: id, hc: hc, Now: time.Now}, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Token returns a token for scope (one resource, "/.default" dropped).
func (c *ManagedIdentityCredential) Token(ctx context.Context, _ string, scope string) (AccessToken, error) {
	resource, ok := strings.CutSuffix(scope, "/.default")
	if !ok || resource == "" || strings.ContainsAny(resource, " ") {
		return AccessToken{}, fmt.Errorf("client: managed identity scope %q is not one resource's /.default scope", scope)
	}
	return c.cache.get(c.Now(), scope, func() (AccessToken, error) { return c.fetch(ctx, resource) })
}

func (c *ManagedIdentityCredential) fetch(ctx context.Context, resource string) (AccessToken, error) {
	u := *c.endpoint
	q := u.Query()
	q.Set("api-version", MSIAPIVersion)
	q.Set("resource", resource)
	switch {
	case c.id.ClientID != "":
		q.Set("client_id", c.id.ClientID)
	case c.id.ObjectID != "":
		q.Set("object_id", c.id.ObjectID)
	case c.id.ResourceID != "":
		q.Set("mi_res_id", c.id.ResourceID)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return AccessToken{}, fmt.Errorf("client: managed identity request: %w", err)
	}
	req.Header.Set("X-IDENTITY-HEADER", c.header)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	res, err := c.hc.Do(req)
	if err != nil {
		return AccessToken{}, fmt.Errorf("client: managed identity request: %w", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	if res.StatusCode != http.StatusOK {
		return AccessToken{}, responseError(res, body)
	}
	var out struct {
		AccessToken string          `json:"access_token"`
		ExpiresOn   json.RawMessage `json:"expires_on"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.AccessToken == "" {
		return AccessToken{}, fmt.Errorf("client: the identity endpoint answered without an access token")
	}
	exp, ok := parseExpiresOn(out.ExpiresOn)
	if !ok {
		secs := parseSeconds(out.ExpiresIn)
		if secs <= 0 {
			secs = 3600
		}
		exp = c.Now().Add(time.Duration(secs) * time.Second)
	}
	return AccessToken{Token: out.AccessToken, ExpiresOn: exp}, nil
}

// parseExpiresOn reads expires_on: epoch seconds (number or string) or one
// of the date forms App Service has used.
func parseExpiresOn(raw json.RawMessage) (time.Time, bool) {
	var n int64
	if json.Unmarshal(raw, &n) == nil && n > 0 {
		return time.Unix(n, 0), true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil || s == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return time.Unix(n, 0), true
	}
	for _, layout := range []string{time.RFC3339, "01/02/2006 15:04:05 -07:00", "01/02/2006 15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
