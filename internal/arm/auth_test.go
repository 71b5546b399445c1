package arm_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAuthentication(t *testing.T) {
	e := MustEnv(t)
	stranger, _, err := e.id.CreateServicePrincipal(t.Context(), otherTenant, "stranger")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		header   string
		wantCode string
		want     int
	}{
		{"ok/core-audience", "Bearer " + e.Token(t, e.admin, "https://management.core.windows.net/"), "", http.StatusOK},
		{"ok/core-audience-no-slash", "Bearer " + e.Token(t, e.admin, "https://management.core.windows.net"), "", http.StatusOK},
		{"ok/azure-com-audience", "Bearer " + e.Token(t, e.admin, "https://management.azure.com/"), "", http.StatusOK},
		{"fail/missing", "", "AuthenticationFailed", http.StatusUnauthorized},
		{"fail/not-bearer", "Basic Zm9vOmJhcg==", "AuthenticationFailed", http.StatusUnauthorized},
		{"fail/garbage-token", "Bearer not.a.jwt", "InvalidAuthenticationToken", http.StatusUnauthorized},
		{"fail/vault-audience", "Bearer " + e.Token(t, e.admin, "https://vault.azure.net"), "InvalidAuthenticationTokenAudience", http.StatusUnauthorized},
		{"fail/graph-audience", "Bearer " + e.Token(t, e.admin, "https://graph.microsoft.com"), "InvalidAuthenticationTokenAudience", http.StatusUnauthorized},
		{"fail/other-tenant", "Bearer " + e.Token(t, stranger, ""), "InvalidAuthenticationTokenTenant", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.DoAuth(t, http.MethodGet, rgPath()+"?"+rgAPI, tc.header, nil)
			MustStatus(t, r, tc.want)
			if got := r.ErrorCode(); got != tc.wantCode {
				t.Errorf("code = %q, want %q (%s)", got, tc.wantCode, r.Raw)
			}
			if tc.want == http.StatusUnauthorized {
				if got := r.Header.Get("WWW-Authenticate"); !strings.Contains(got, `Bearer authorization_uri="https://localhost:8443/"`) {
					t.Errorf("WWW-Authenticate = %q", got)
				}
			}
		})
	}
}

func TestAuthenticationMessages(t *testing.T) {
	e := MustEnv(t)
	r := e.Do(t, http.MethodGet, rgPath()+"?"+rgAPI, "", nil)
	if got, want := r.ErrorMessage(), "Authentication failed. The 'Authorization' header is missing."; got != want {
		t.Errorf("missing token message = %q, want %q", got, want)
	}
	r = e.Do(t, http.MethodGet, rgPath()+"?"+rgAPI, e.Token(t, e.admin, "https://vault.azure.net"), nil)
	if got := r.ErrorMessage(); !strings.Contains(got, "'https://vault.azure.net'") || !strings.Contains(got, "'https://management.azure.com'") {
		t.Errorf("audience message = %q", got)
	}
}

func TestExpiredToken(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	e.clock.Advance(2 * time.Hour)
	r := e.Do(t, http.MethodGet, rgPath()+"?"+rgAPI, tok, nil)
	MustStatus(t, r, http.StatusUnauthorized)
	if got, want := r.ErrorCode(), "ExpiredAuthenticationToken"; got != want {
		t.Errorf("code = %q, want %q", got, want)
	}
}

func TestAPIVersion(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	for _, tc := range []struct {
		name  string
		query string
		want  string
	}{
		{"fail/missing", "", "MissingApiVersionParameter"},
		{"fail/malformed", "?api-version=latest", "InvalidApiVersionParameter"},
		{"ok/preview", "?api-version=2025-05-01-preview", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, http.MethodGet, rgPath()+tc.query, tok, nil)
			if tc.want == "" {
				MustStatus(t, r, http.StatusOK)
				return
			}
			MustStatus(t, r, http.StatusBadRequest)
			if got := r.ErrorCode(); got != tc.want {
				t.Errorf("code = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRoutingErrors(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	for _, tc := range []struct {
		name, method, path string
		status             int
		code               string
	}{
		{"fail/unknown-namespace", http.MethodGet, rgPath() + "/providers/Microsoft.Foo/bars/x?" + armAPI, 404, "InvalidResourceNamespace"},
		{"fail/unknown-type", http.MethodGet, rgPath() + "/providers/Microsoft.KeyVault/managedHSMs/x?" + armAPI, 404, "InvalidResourceType"},
		{"fail/method", http.MethodPost, vaultPath("kv1") + "?" + armAPI, 405, "MethodNotAllowed"},
		{"fail/unknown-root", http.MethodGet, "/tenants?" + armAPI, 404, "InvalidRequestUri"},
		{"fail/unknown-subscription", http.MethodGet, "/subscriptions/99999999-2222-3333-4444-555555555555?" + armAPI, 404, "SubscriptionNotFound"},
		{"ok/case-insensitive-segments", http.MethodGet, "/SUBSCRIPTIONS/" + sub + "/RESOURCEGROUPS/" + rg + "?" + rgAPI, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, tc.method, tc.path, tok, nil)
			MustStatus(t, r, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q", got, tc.code)
			}
		})
	}
}

// An internal failure is a generic 500 naming the request id, never its text.
func TestInternalErrorDoesNotLeak(t *testing.T) {
	e := MustEnv(t)
	e.changeErr = errBoom
	r := e.Do(t, http.MethodPut, vaultPath("kv-leak")+"?"+armAPI, e.Token(t, e.admin, ""), vaultBody(nil))
	MustStatus(t, r, http.StatusInternalServerError)
	if strings.Contains(string(r.Raw), "secret-internal-detail") {
		t.Fatalf("500 body leaks the error: %s", r.Raw)
	}
	if id := r.Header.Get("x-ms-request-id"); id == "" || !strings.Contains(r.ErrorMessage(), id) {
		t.Errorf("message %q does not name request id %q", r.ErrorMessage(), id)
	}
}
