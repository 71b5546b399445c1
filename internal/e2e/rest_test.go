package e2e

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// client is a raw HTTPS client that trusts the server's CA file, as a client
// with SSL_CERT_FILE set would.
type client struct {
	http *http.Client
	env  map[string]string
}

func MustClient(tb testing.TB, env map[string]string) *client {
	tb.Helper()
	pem, err := os.ReadFile(env["SSL_CERT_FILE"])
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		tb.Fatal("no CA in SSL_CERT_FILE")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: 64}
	return &client{http: &http.Client{Transport: tr, Timeout: 30 * time.Second}, env: env}
}

// Token gets an access token by client credentials from the token endpoint.
func (c *client) Token(tb testing.TB, clientID, secret, scope string) string {
	tb.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "scope": {scope}}
	resp, err := c.http.PostForm(strings.TrimSuffix(c.env["AZURE_AUTHORITY_HOST"], "/")+"/"+c.env["AZURE_TENANT_ID"]+"/oauth2/v2.0/token", form)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.AccessToken == "" {
		tb.Fatalf("token: status %d err %v", resp.StatusCode, err)
	}
	return out.AccessToken
}

// AdminToken is a Key Vault token for the bootstrap admin.
func (c *client) AdminToken(tb testing.TB) string {
	return c.Token(tb, c.env["AZURE_CLIENT_ID"], c.env["AZURE_CLIENT_SECRET"], "https://vault.azure.net/.default")
}

// Do sends a request and returns status and body.
func (c *client) Do(method, u, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
