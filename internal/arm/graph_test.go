package arm_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/identity"
)

const graphAudience = "https://graph.microsoft.com"

func TestCreateServicePrincipal(t *testing.T) {
	e := MustEnv(t)
	r := e.Do(t, http.MethodPost, "/v1.0/servicePrincipals", e.Token(t, e.admin, graphAudience), map[string]any{"displayName": "ci-deployer"})
	MustStatus(t, r, http.StatusCreated)
	appID, _ := r.Get("appId").(string)
	creds, _ := r.Get("passwordCredentials").([]any)
	if appID == "" || len(creds) != 1 {
		t.Fatalf("body = %s", r.Raw)
	}
	secret, _ := creds[0].(map[string]any)["secretText"].(string)
	if secret == "" || r.Get("displayName") != "ci-deployer" || r.Get("servicePrincipalType") != "Application" {
		t.Fatalf("body = %s", r.Raw)
	}
	// The secret works at the token endpoint.
	if _, err := e.id.ClientCredentials(context.Background(), tenant, appID, secret, "https://management.core.windows.net//.default"); err != nil {
		t.Fatalf("new credential does not authenticate: %v", err)
	}
	// Reads never show the secret again.
	r = e.Do(t, http.MethodGet, "/v1.0/servicePrincipals?$filter="+url.QueryEscape("appId eq '"+appID+"'"), e.Token(t, e.admin, graphAudience), nil)
	MustStatus(t, r, http.StatusOK)
	if strings.Contains(string(r.Raw), secret) || len(r.Body["value"].([]any)) != 1 {
		t.Fatalf("list = %s", r.Raw)
	}
	objectID := r.Body["value"].([]any)[0].(map[string]any)["id"].(string)
	r = e.Do(t, http.MethodGet, "/v1.0/directoryObjects/"+objectID, e.Token(t, e.admin, graphAudience), nil)
	MustStatus(t, r, http.StatusOK)
	if got := r.Body["@odata.type"]; got != "#microsoft.graph.servicePrincipal" {
		t.Errorf("@odata.type = %v", got)
	}
	MustStatus(t, e.Do(t, http.MethodGet, "/v1.0/servicePrincipals(appId='"+appID+"')", e.Token(t, e.admin, graphAudience), nil), http.StatusOK)
	MustStatus(t, e.Do(t, http.MethodGet, "/v1.0/servicePrincipals/"+objectID, e.Token(t, e.admin, graphAudience), nil), http.StatusOK)
}

func TestGraphErrors(t *testing.T) {
	e := MustEnv(t)
	plain := e.MustPrincipal(t, "plain")
	user, err := e.id.CreateUser(context.Background(), tenant, "alice@contoso.example", "Alice", "pw-alice-1")
	if err != nil {
		t.Fatal(err)
	}
	admin := e.Token(t, e.admin, graphAudience)
	for _, tc := range []struct {
		name   string
		method string
		path   string
		token  string
		body   any
		status int
		code   string
	}{
		{"fail/not-directory-admin", http.MethodPost, "/v1.0/servicePrincipals", e.Token(t, plain, graphAudience), map[string]any{"displayName": "x"}, 403, "Authorization_RequestDenied"},
		{"fail/arm-audience", http.MethodPost, "/v1.0/servicePrincipals", e.Token(t, e.admin, ""), map[string]any{"displayName": "x"}, 401, "InvalidAuthenticationToken"},
		{"fail/no-token", http.MethodGet, "/v1.0/servicePrincipals", "", nil, 401, "InvalidAuthenticationToken"},
		{"fail/no-display-name", http.MethodPost, "/v1.0/servicePrincipals", admin, map[string]any{}, 400, "Request_BadRequest"},
		{"fail/app-id-given", http.MethodPost, "/v1.0/servicePrincipals", admin, map[string]any{"displayName": "x", "appId": "y"}, 400, "Request_BadRequest"},
		{"fail/unknown-segment", http.MethodGet, "/v1.0/devices", admin, nil, 400, "BadRequest"},
		{"fail/unknown-object", http.MethodGet, "/v1.0/directoryObjects/12345678-1234-4234-8234-123456789012", admin, nil, 404, "Request_ResourceNotFound"},
		{"fail/user-is-not-sp", http.MethodGet, "/v1.0/servicePrincipals/" + user.ObjectID, admin, nil, 404, "Request_ResourceNotFound"},
		{"fail/bad-filter", http.MethodGet, "/v1.0/servicePrincipals?$filter=" + url.QueryEscape("startswith(displayName,'a')"), admin, nil, 400, "Request_UnsupportedQuery"},
		{"ok/user-by-upn", http.MethodGet, "/v1.0/users/alice@contoso.example", e.Token(t, plain, graphAudience), nil, 200, ""},
		{"ok/user-by-id", http.MethodGet, "/v1.0/users/" + user.ObjectID, admin, nil, 200, ""},
		{"ok/graph-app-id-audience", http.MethodGet, "/v1.0/servicePrincipals", e.Token(t, e.admin, "00000003-0000-0000-c000-000000000000"), nil, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, tc.method, tc.path, tc.token, tc.body)
			MustStatus(t, r, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q (%s)", got, tc.code, r.Raw)
			}
			if tc.code == "" {
				return
			}
			inner, _ := r.Get("error.innerError").(map[string]any)
			if inner["request-id"] == "" || inner["request-id"] != r.Header.Get("request-id") {
				t.Errorf("innerError = %v, request-id header %q", inner, r.Header.Get("request-id"))
			}
		})
	}
	if got := identity.AudienceGraph; got != graphAudience {
		t.Fatalf("identity issues Graph tokens for %q", got)
	}
}
