package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// AzureCLIClientID is the Azure CLI's public client application id: the app
// `az login --username` signs users in through.
const AzureCLIClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

// UsernamePasswordCredential is the OAuth2 resource owner password grant
// (grant_type=password) for a user of one tenant, through a public client.
// Tokens are cached per scope until five minutes before they expire. It is
// safe for concurrent use.
type UsernamePasswordCredential struct {
	authority string
	tenantID  string
	clientID  string
	username  string
	password  string
	hc        *http.Client

	// Now is the clock; tests replace it.
	Now func() time.Time

	cache tokenCache
}

// NewUsernamePasswordCredential returns a credential for a user signing in
// with username (a user principal name) and password through the public
// client clientID (AzureCLIClientID when "").
func NewUsernamePasswordCredential(authorityHost, tenantID, clientID, username, password string, hc *http.Client) (*UsernamePasswordCredential, error) {
	authority, err := checkAuthority(authorityHost, tenantID)
	if err != nil {
		return nil, err
	}
	switch {
	case username == "":
		return nil, fmt.Errorf("client: a username is required")
	case password == "":
		return nil, fmt.Errorf("client: a password is required")
	}
	if clientID == "" {
		clientID = AzureCLIClientID
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &UsernamePasswordCredential{authority: authority, tenantID: tenantID, clientID: clientID,
		username: username, password: password, hc: hc, Now: time.Now}, nil
}

// TenantID is the user's tenant.
func (c *UsernamePasswordCredential) TenantID() string { return c.tenantID }

// Username is the user principal name the credential signs in with.
func (c *UsernamePasswordCredential) Username() string { return c.username }

// Token returns a token for scope, from the cache or the token endpoint.
func (c *UsernamePasswordCredential) Token(ctx context.Context, tenantID, scope string) (AccessToken, error) {
	if err := sameTenant(tenantID, c.tenantID); err != nil {
		return AccessToken{}, err
	}
	return c.cache.get(c.Now(), scope, func() (AccessToken, error) {
		return postTokenForm(ctx, c.hc, c.authority, c.tenantID, c.Now, url.Values{
			"grant_type": {"password"},
			"client_id":  {c.clientID},
			"username":   {c.username},
			"password":   {c.password},
			"scope":      {scope},
		})
	})
}
