package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Databricks is a Databricks workspace REST client: the Secrets API 2.0, the
// Tokens API and SCIM Me, authenticated with one bearer token (a personal
// access token "dapi..." or an Entra ID token). The token is sent only to
// the workspace's host. It is safe for concurrent use.
type Databricks struct {
	base  string // https://host[:port], no trailing slash
	token string
	hc    *http.Client
}

// NewDatabricks returns a client for the workspace at host
// ("https://adb-1.2.azuredatabricks.net" or "https://127.2.0.1:8443"),
// trusting the system roots plus the PEM certificates in extraRoots.
func NewDatabricks(host, token string, extraRoots []byte) (*Databricks, error) {
	u, err := url.Parse(strings.TrimSpace(host))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("client: workspace host %q is not an https URL", host)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return nil, fmt.Errorf("client: workspace host %q must be scheme and host only", host)
	}
	if token == "" {
		return nil, fmt.Errorf("client: no token for the workspace %s", u.Host)
	}
	hc, err := NewHTTPClient(extraRoots)
	if err != nil {
		return nil, err
	}
	return &Databricks{base: "https://" + u.Host, token: token, hc: hc}, nil
}

// Host is the workspace's base URL, without a trailing slash.
func (w *Databricks) Host() string { return w.base }

// DatabricksError is a failed workspace call, as Databricks reports it:
// {"error_code": "...", "message": "..."}. ErrorCode is a string, except
// for an invalid token, where Databricks sends the number 403 (kept here as
// "403"). Body is the raw response body (the legacy CLI prints it).
type DatabricksError struct {
	StatusCode int
	ErrorCode  string
	Message    string
	Body       []byte
}

func (e *DatabricksError) Error() string {
	if e.ErrorCode == "" {
		return e.Message
	}
	return e.ErrorCode + ": " + e.Message
}

func databricksError(status int, body []byte) *DatabricksError {
	e := &DatabricksError{StatusCode: status, Body: body}
	var env struct {
		ErrorCode json.RawMessage `json:"error_code"`
		Message   string          `json:"message"`
		Error     string          `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil {
		var s string
		switch {
		case json.Unmarshal(env.ErrorCode, &s) == nil:
			e.ErrorCode = s
		case len(env.ErrorCode) > 0 && env.ErrorCode[0] != 'n':
			e.ErrorCode = string(env.ErrorCode) // a number: 403
		}
		e.Message = env.Message
		if e.Message == "" {
			e.Message = env.Error
		}
	}
	if e.Message == "" {
		e.Message = fmt.Sprintf("the workspace answered %d %s", status, http.StatusText(status))
	}
	return e
}

// call sends method path with query or a JSON body and decodes a success
// body into out (nil to discard).
func (w *Databricks) call(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := w.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := newJSONRequest(ctx, method, u, in)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+w.token)
	res, err := w.hc.Do(req)
	if err != nil {
		return fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
		return databricksError(res.StatusCode, body)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return fmt.Errorf("client: read response: %w", err)
	}
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("client: decode the response of %s %s: %w", method, path, err)
	}
	return nil
}

// Secret scope backends.
const (
	BackendDatabricks    = "DATABRICKS"
	BackendAzureKeyVault = "AZURE_KEYVAULT"
)

// CreateScopeRequest is the body of secrets/scopes/create.
type CreateScopeRequest struct {
	Scope                  string                 `json:"scope"`
	InitialManagePrincipal string                 `json:"initial_manage_principal,omitempty"`
	ScopeBackendType       string                 `json:"scope_backend_type,omitempty"`
	BackendAzureKeyVault   *AzureKeyVaultMetadata `json:"backend_azure_keyvault,omitempty"`
}

// AzureKeyVaultMetadata names the vault behind a Key Vault-backed scope.
type AzureKeyVaultMetadata struct {
	ResourceID string `json:"resource_id"`
	DNSName    string `json:"dns_name"`
}

// SecretScope is one entry of secrets/scopes/list.
type SecretScope struct {
	Name             string                 `json:"name"`
	BackendType      string                 `json:"backend_type,omitempty"`
	KeyvaultMetadata *AzureKeyVaultMetadata `json:"keyvault_metadata,omitempty"`
}

// SecretMetadata is one entry of secrets/list; the time is epoch milliseconds.
type SecretMetadata struct {
	Key                  string `json:"key"`
	LastUpdatedTimestamp int64  `json:"last_updated_timestamp,omitempty"`
}

// ACLItem is one principal's permission on a scope (MANAGE, WRITE or READ).
type ACLItem struct {
	Principal  string `json:"principal"`
	Permission string `json:"permission"`
}

// CreateScope creates a secret scope.
func (w *Databricks) CreateScope(ctx context.Context, r CreateScopeRequest) error {
	return w.call(ctx, http.MethodPost, "/api/2.0/secrets/scopes/create", nil, r, nil)
}

// ListScopes lists every scope of the workspace.
func (w *Databricks) ListScopes(ctx context.Context) ([]SecretScope, error) {
	var out struct {
		Scopes []SecretScope `json:"scopes"`
	}
	err := w.call(ctx, http.MethodGet, "/api/2.0/secrets/scopes/list", nil, nil, &out)
	return out.Scopes, err
}

// DeleteScope deletes a scope with its secrets and ACLs.
func (w *Databricks) DeleteScope(ctx context.Context, scope string) error {
	return w.call(ctx, http.MethodPost, "/api/2.0/secrets/scopes/delete", nil, map[string]string{"scope": scope}, nil)
}

// PutSecretString writes value as string_value.
func (w *Databricks) PutSecretString(ctx context.Context, scope, key, value string) error {
	return w.call(ctx, http.MethodPost, "/api/2.0/secrets/put", nil,
		map[string]string{"scope": scope, "key": key, "string_value": value}, nil)
}

// PutSecretBytes writes value as bytes_value (base64 on the wire).
func (w *Databricks) PutSecretBytes(ctx context.Context, scope, key string, value []byte) error {
	return w.call(ctx, http.MethodPost, "/api/2.0/secrets/put", nil,
		map[string]string{"scope": scope, "key": key, "bytes_value": base64.StdEncoding.EncodeToString(value)}, nil)
}

// DeleteSecret deletes one secret.
func (w *Databricks) DeleteSecret(ctx context.Context, scope, key string) error {
	return w.call(ctx, http.MethodPost, "/api/2.0/secrets/delete", nil, map[string]string{"scope": scope, "key": key}, nil)
}

// ListSecrets lists a scope's keys (never values).
func (w *Databricks) ListSecrets(ctx context.Context, scope string) ([]SecretMetadata, error) {
	var out struct {
		Secrets []SecretMetadata `json:"secrets"`
	}
	err := w.call(ctx, http.MethodGet, "/api/2.0/secrets/list", url.Values{"scope": {scope}}, nil, &out)
	return out.Secrets, err
}

// GetSecret returns a secret's value, decoded from the wire's base64.
func (w *Databricks) GetSecret(ctx context.Context, scope, key string) ([]byte, error) {
	var out struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	if err := w.call(ctx, http.MethodGet, "/api/2.0/secrets/get", url.Values{"scope": {scope}, "key": {key}}, nil, &out); err != nil {
		return nil, err
	}
	v, err := base64.StdEncoding.DecodeString(out.Value)
	if err != nil {
		// Never quote the value: only say it was not base64.
		return nil, fmt.Errorf("client: the value of %s/%s is not base64", scope, key)
	}
	return v, nil
}

// PutACL sets (creates or overwrites) a principal's permission on a scope.
func (w *Databricks) PutACL(ctx context.Context, scope, principal, permission string) error {
	return w.call(ctx, http.MethodPost, "/api/2.0/secrets/acls/put", nil,
		map[string]string{"scope": scope, "principal": principal, "permission": permission}, nil)
}

// GetACL returns a principal's permission on a scope.
func (w *Databricks) GetACL(ctx context.Context, scope, principal string) (ACLItem, error) {
	var out ACLItem
	err := w.call(ctx, http.MethodGet, "/api/2.0/secrets/acls/get", url.Values{"scope": {scope}, "principal": {principal}}, nil, &out)
	return out, err
}

// ListACLs lists a scope's ACL entries.
func (w *Databricks) ListACLs(ctx context.Context, scope string) ([]ACLItem, error) {
	var out struct {
		Items []ACLItem `json:"items"`
	}
	err := w.call(ctx, http.MethodGet, "/api/2.0/secrets/acls/list", url.Values{"scope": {scope}}, nil, &out)
	return out.Items, err
}

// DeleteACL removes a principal's entry from a scope's ACL.
func (w *Databricks) DeleteACL(ctx context.Context, scope, principal string) error {
	return w.call(ctx, http.MethodPost, "/api/2.0/secrets/acls/delete", nil, map[string]string{"scope": scope, "principal": principal}, nil)
}

// DialAzureNamesAt makes the client reach an adb-<id>.<n>.azuredatabricks.net
// host at scopevault's control plane (see the function of that name).
func (w *Databricks) DialAzureNamesAt(serverURL string) error {
	return DialAzureNamesAt(w.hc, serverURL)
}
