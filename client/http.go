package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// NewHTTPClient returns an HTTP client that trusts the system roots plus the
// PEM certificates in extraRoots (scopevault's CA bundle; may be nil).
func NewHTTPClient(extraRoots []byte) (*http.Client, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if len(bytes.TrimSpace(extraRoots)) > 0 && !pool.AppendCertsFromPEM(extraRoots) {
		return nil, errors.New("client: the CA bundle holds no PEM certificate")
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t, Timeout: 60 * time.Second}, nil
}

// UserAgent is sent with every request.
const UserAgent = "scopevault-client/1"

// maxBody bounds how much of a successful response is read.
const maxBody = 32 << 20

// rest is a JSON REST client for one service base URL and token scope.
type rest struct {
	base  string // https://host[:port], no trailing slash
	scope string // token scope, e.g. https://management.core.windows.net//.default
	cred  TokenCredential
	hc    *http.Client
}

func newREST(base, scope string, cred TokenCredential, hc *http.Client) (*rest, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("client: endpoint %q is not an https URL", base)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &rest{base: strings.TrimSuffix(base, "/"), scope: scope, cred: cred, hc: hc}, nil
}

// do sends method path?query with in as a JSON body (nil for none) and
// decodes a success body into out (nil to discard). It returns the status.
func (c *rest) do(ctx context.Context, method, path string, query url.Values, in, out any) (int, error) {
	status, _, err := c.send(ctx, method, c.base+path, query, in, out)
	return status, err
}

// send is do for an absolute URL, which must be under the client's base
// (the token goes nowhere else); it also returns the response headers.
func (c *rest) send(ctx context.Context, method, u string, query url.Values, in, out any) (int, http.Header, error) {
	if !strings.HasPrefix(u, c.base+"/") {
		return 0, nil, fmt.Errorf("client: %s is not under %s", u, c.base)
	}
	tok, err := c.cred.Token(ctx, "", c.scope)
	if err != nil {
		return 0, nil, err
	}
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := newJSONRequest(ctx, method, u, in)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("client: %s %s: %w", method, req.URL.Path, err)
	}
	defer res.Body.Close()
	return res.StatusCode, res.Header, readResponse(res, out)
}

func newJSONRequest(ctx context.Context, method, u string, in any) (*http.Request, error) {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("client: encode request: %w", err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// readResponse decodes a 2xx body into out, or returns a *ResponseError.
func readResponse(res *http.Response, out any) error {
	if res.StatusCode < 200 || res.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
		return responseError(res, body)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return fmt.Errorf("client: read response: %w", err)
	}
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("client: decode response: %w", err)
	}
	return nil
}
