package client

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// KeyVaultAPIVersion is the data-plane api-version the secrets client sends.
const KeyVaultAPIVersion = "7.5"

// Secrets is a Key Vault secrets client for one vault. The first request
// goes out without a token to learn, from the 401 challenge, the vault's
// tenant and the token scope; the challenge's resource must be a parent
// domain of the vault's host (port included), as the Azure SDKs require, so
// a server cannot send the token elsewhere. It is safe for concurrent use.
type Secrets struct {
	base *url.URL
	cred TokenCredential
	hc   *http.Client

	mu        sync.Mutex
	challenge *challenge
}

// challenge is what a vault's 401 said about authentication.
type challenge struct {
	tenantID string
	scope    string
}

// NewSecrets returns a client for the vault at vaultURL ("https://127.1.0.1:8443/").
func NewSecrets(vaultURL string, cred TokenCredential, hc *http.Client) (*Secrets, error) {
	u, err := url.Parse(vaultURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("client: vault URL %q is not an https URL", vaultURL)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Secrets{base: &url.URL{Scheme: "https", Host: u.Host}, cred: cred, hc: hc}, nil
}

// VaultURL is the vault's base URL, without a trailing slash.
func (s *Secrets) VaultURL() string { return s.base.String() }

// Secret is a secret bundle (value set) or item (value nil).
type Secret struct {
	ID          string            `json:"id"`
	Value       *string           `json:"value,omitempty"`
	ContentType *string           `json:"contentType,omitempty"`
	Attributes  SecretAttributes  `json:"attributes"`
	Tags        map[string]string `json:"tags,omitempty"`
	Kid         *string           `json:"kid,omitempty"`
	Managed     *bool             `json:"managed,omitempty"`
}

// SecretAttributes are a version's attributes; times are Unix seconds.
type SecretAttributes struct {
	Enabled         *bool  `json:"enabled,omitempty"`
	NotBefore       *int64 `json:"nbf,omitempty"`
	Expires         *int64 `json:"exp,omitempty"`
	Created         *int64 `json:"created,omitempty"`
	Updated         *int64 `json:"updated,omitempty"`
	RecoverableDays *int   `json:"recoverableDays,omitempty"`
	RecoveryLevel   string `json:"recoveryLevel,omitempty"`
}

// Name is the secret's name, read from its id.
func (s Secret) Name() string {
	name, _ := SecretIDParts(s.ID)
	return name
}

// Version is the version in the secret's id, or "".
func (s Secret) Version() string {
	_, v := SecretIDParts(s.ID)
	return v
}

// SecretIDParts splits "https://vault/secrets/{name}[/{version}]" (or a
// deleted secret's recovery id, "https://vault/deletedsecrets/{name}").
func SecretIDParts(id string) (name, version string) {
	u, err := url.Parse(id)
	if err != nil {
		return "", ""
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) < 2 || !strings.EqualFold(segs[0], "secrets") && !strings.EqualFold(segs[0], "deletedsecrets") {
		return "", ""
	}
	if len(segs) > 2 {
		version = segs[2]
	}
	return segs[1], version
}

// SetSecretParams are the inputs of SetSecret.
type SetSecretParams struct {
	Value       string            `json:"value"`
	ContentType *string           `json:"contentType,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	Attributes  *SecretAttributes `json:"attributes,omitempty"`
}

// SetSecret creates a new version of a secret.
func (s *Secrets) SetSecret(ctx context.Context, name string, p SetSecretParams) (Secret, error) {
	var out Secret
	err := s.do(ctx, http.MethodPut, "/secrets/"+url.PathEscape(name), nil, p, &out)
	return out, err
}

// GetSecret gets a secret's value: the current version when version is "".
func (s *Secrets) GetSecret(ctx context.Context, name, version string) (Secret, error) {
	path := "/secrets/" + url.PathEscape(name)
	if version != "" {
		path += "/" + url.PathEscape(version)
	}
	var out Secret
	err := s.do(ctx, http.MethodGet, path, nil, nil, &out)
	return out, err
}

// ListSecrets lists every secret (no values), following nextLink.
func (s *Secrets) ListSecrets(ctx context.Context) ([]Secret, error) {
	return listAll[Secret](ctx, s, "/secrets")
}

// ListSecretVersions lists every version of a secret (no values).
func (s *Secrets) ListSecretVersions(ctx context.Context, name string) ([]Secret, error) {
	return listAll[Secret](ctx, s, "/secrets/"+url.PathEscape(name)+"/versions")
}

// UpdateSecretParams are the inputs of UpdateSecret; nil fields stay as
// they are (an empty, non-nil Tags removes every tag).
type UpdateSecretParams struct {
	ContentType *string           `json:"contentType,omitempty"`
	Tags        map[string]string `json:"tags"`
	Attributes  *SecretAttributes `json:"attributes,omitempty"`
}

// UpdateSecret changes a version's attributes, content type or tags (the
// current version when version is ""). The result carries no value.
func (s *Secrets) UpdateSecret(ctx context.Context, name, version string, p UpdateSecretParams) (Secret, error) {
	var out Secret
	err := s.do(ctx, http.MethodPatch, "/secrets/"+url.PathEscape(name)+"/"+url.PathEscape(version), nil, p, &out)
	return out, err
}

// DeletedSecret is a soft-deleted secret: its last version's attributes and
// when it was deleted and will be purged (Unix seconds).
type DeletedSecret struct {
	Secret
	RecoveryID         string `json:"recoveryId,omitempty"`
	DeletedDate        *int64 `json:"deletedDate,omitempty"`
	ScheduledPurgeDate *int64 `json:"scheduledPurgeDate,omitempty"`
}

// DeleteSecret deletes every version of a secret; on a soft-delete vault
// the secret can be recovered until it is purged.
func (s *Secrets) DeleteSecret(ctx context.Context, name string) (DeletedSecret, error) {
	var out DeletedSecret
	err := s.do(ctx, http.MethodDelete, "/secrets/"+url.PathEscape(name), nil, nil, &out)
	return out, err
}

// GetDeletedSecret gets a soft-deleted secret's attributes.
func (s *Secrets) GetDeletedSecret(ctx context.Context, name string) (DeletedSecret, error) {
	var out DeletedSecret
	err := s.do(ctx, http.MethodGet, "/deletedsecrets/"+url.PathEscape(name), nil, nil, &out)
	return out, err
}

// ListDeletedSecrets lists the vault's soft-deleted secrets.
func (s *Secrets) ListDeletedSecrets(ctx context.Context) ([]DeletedSecret, error) {
	return listAll[DeletedSecret](ctx, s, "/deletedsecrets")
}

// RecoverDeletedSecret brings a soft-deleted secret back with all its versions.
func (s *Secrets) RecoverDeletedSecret(ctx context.Context, name string) (Secret, error) {
	var out Secret
	err := s.do(ctx, http.MethodPost, "/deletedsecrets/"+url.PathEscape(name)+"/recover", nil, nil, &out)
	return out, err
}

// PurgeDeletedSecret deletes a soft-deleted secret for good.
func (s *Secrets) PurgeDeletedSecret(ctx context.Context, name string) error {
	return s.do(ctx, http.MethodDelete, "/deletedsecrets/"+url.PathEscape(name), nil, nil, nil)
}

// BackupSecret returns the protected backup blob of every version of a
// secret; only a vault of the same tenant can restore it.
func (s *Secrets) BackupSecret(ctx context.Context, name string) ([]byte, error) {
	var out struct {
		Value string `json:"value"`
	}
	if err := s.do(ctx, http.MethodPost, "/secrets/"+url.PathEscape(name)+"/backup", nil, nil, &out); err != nil {
		return nil, err
	}
	blob, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(out.Value, "="))
	if err != nil || len(blob) == 0 {
		return nil, fmt.Errorf("client: the vault's backup is not base64url")
	}
	return blob, nil
}

// RestoreSecret restores a backup blob made by BackupSecret. The result carries no value.
func (s *Secrets) RestoreSecret(ctx context.Context, blob []byte) (Secret, error) {
	var out Secret
	err := s.do(ctx, http.MethodPost, "/secrets/restore", nil, map[string]string{"value": base64.RawURLEncoding.EncodeToString(blob)}, &out)
	return out, err
}

// maxListPages bounds how many pages a list follows.
const maxListPages = 10000

// listAll gets every item of a collection, following nextLink within the vault.
func listAll[T any](ctx context.Context, s *Secrets, path string) ([]T, error) {
	var all []T
	query := url.Values{"maxresults": {"25"}}
	for pages := 0; path != ""; pages++ {
		if pages > maxListPages {
			return nil, fmt.Errorf("client: the list at %s does not end", path)
		}
		var page struct {
			Value    []T     `json:"value"`
			NextLink *string `json:"nextLink"`
		}
		if err := s.do(ctx, http.MethodGet, path, query, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Value...)
		path, query = "", nil
		if page.NextLink != nil && *page.NextLink != "" {
			var err error
			if path, query, err = s.sameVault(*page.NextLink); err != nil {
				return nil, err
			}
		}
	}
	return all, nil
}

// sameVault splits a nextLink into path and query, refusing one that leaves the vault.
func (s *Secrets) sameVault(link string) (string, url.Values, error) {
	u, err := url.Parse(link)
	if err != nil || !strings.EqualFold(u.Host, s.base.Host) || u.Scheme != "https" {
		return "", nil, fmt.Errorf("client: the vault sent a nextLink to another host")
	}
	return u.Path, u.Query(), nil
}

// do runs one call through the challenge dance: probe without a token (and
// without a body) until the vault's challenge is known, then send with a
// token for the challenged tenant and scope; a 401 carrying a new challenge
// is retried once.
func (s *Secrets) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	if query == nil {
		query = url.Values{}
	}
	if query.Get("api-version") == "" {
		query.Set("api-version", KeyVaultAPIVersion)
	}
	u := *s.base
	u.Path, u.RawQuery = path, query.Encode()
	for attempt := 0; ; attempt++ {
		s.mu.Lock()
		ch := s.challenge
		s.mu.Unlock()
		var req *http.Request
		var err error
		if ch == nil {
			req, err = newJSONRequest(ctx, method, u.String(), nil)
		} else {
			req, err = newJSONRequest(ctx, method, u.String(), in)
			if err == nil {
				var tok AccessToken
				if tok, err = s.cred.Token(ctx, ch.tenantID, ch.scope); err == nil {
					req.Header.Set("Authorization", "Bearer "+tok.Token)
				}
			}
		}
		if err != nil {
			return err
		}
		res, err := s.hc.Do(req)
		if err != nil {
			return fmt.Errorf("client: %s %s: %w", method, path, err)
		}
		if res.StatusCode == http.StatusUnauthorized && attempt < 2 {
			next, cerr := parseChallenge(res.Header.Get("WWW-Authenticate"), s.base.Host)
			if cerr == nil && (ch == nil || *next != *ch) {
				res.Body.Close()
				s.mu.Lock()
				s.challenge = next
				s.mu.Unlock()
				continue
			}
			if cerr != nil && ch == nil {
				res.Body.Close()
				return cerr
			}
		}
		err = readResponse(res, out)
		res.Body.Close()
		if ch == nil && err == nil && in != nil {
			// A vault that serves a write unauthenticated would have dropped the body.
			return fmt.Errorf("client: the vault accepted an unauthenticated %s", method)
		}
		return err
	}
}

// parseChallenge reads `Bearer authorization="https://host/{tenant}",
// resource="https://vault.azure.net"` (or scope="...") and checks that the
// resource's host is a parent domain of vaultHost, ports included.
func parseChallenge(header, vaultHost string) (*challenge, error) {
	scheme, params, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, fmt.Errorf("client: the vault sent no bearer challenge")
	}
	kv := map[string]string{}
	for _, part := range strings.Split(params, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		kv[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	auth := kv["authorization"]
	if auth == "" {
		auth = kv["authorization_uri"]
	}
	au, err := url.Parse(auth)
	if err != nil || au.Scheme != "https" || au.Host == "" {
		return nil, fmt.Errorf("client: the vault's challenge names no authority")
	}
	tenant, _, _ := strings.Cut(strings.Trim(au.Path, "/"), "/")
	if tenant == "" {
		return nil, fmt.Errorf("client: the vault's challenge names no tenant")
	}
	resource := strings.TrimSuffix(kv["scope"], "/.default")
	if resource == "" {
		resource = kv["resource"]
	}
	scope := strings.TrimSuffix(resource, "/") + "/.default"
	ru, err := url.Parse(resource)
	if err != nil || ru.Scheme != "https" || ru.Host == "" {
		return nil, fmt.Errorf("client: the vault's challenge names no resource")
	}
	if !strings.HasSuffix(strings.ToLower(vaultHost), "."+strings.ToLower(ru.Host)) {
		return nil, fmt.Errorf("client: challenge resource %q doesn't match the vault host %q", resource, vaultHost)
	}
	return &challenge{tenantID: tenant, scope: scope}, nil
}
