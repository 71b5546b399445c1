package arm_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/scopevault/scopevault/internal/authz"
)

const miAPI = "api-version=2023-01-31"

func identityPath(name string) string {
	return rgScope() + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + name
}

func TestUserAssignedIdentityLifecycle(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	path := identityPath("app-identity") + "?" + miAPI

	r := e.Do(t, http.MethodPut, path, tok, map[string]any{"location": "East US", "tags": map[string]string{"env": "test"}})
	MustStatus(t, r, http.StatusCreated)
	principalID, _ := r.Get("properties.principalId").(string)
	clientID, _ := r.Get("properties.clientId").(string)
	for k, want := range map[string]any{
		"id": identityPath("app-identity"), "name": "app-identity", "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
		"location": "eastus", "tags.env": "test", "properties.tenantId": tenant,
	} {
		if got := r.Get(k); got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	header := r.Header.Get("x-scopevault-identity-header")
	if header == "" || r.Header.Get("x-scopevault-identity-endpoint") != "https://localhost:8443/msi/token" {
		t.Fatalf("headers = %v", r.Header)
	}
	tk, err := e.id.ManagedIdentityToken(ctx, header, "https://vault.azure.net", clientID, principalID)
	if err != nil || tk.Principal.ObjectID != principalID {
		t.Fatalf("identity header does not authenticate: %v", err)
	}

	// A re-PUT updates tags and never shows the secret again.
	r = e.Do(t, http.MethodPut, path, tok, map[string]any{"location": "eastus", "tags": map[string]string{"env": "prod"}})
	MustStatus(t, r, http.StatusOK)
	if r.Header.Get("x-scopevault-identity-header") != "" || r.Get("tags.env") != "prod" || r.Get("properties.principalId") != principalID {
		t.Fatalf("update = %s %v", r.Raw, r.Header)
	}
	MustStatus(t, e.Do(t, http.MethodGet, path, tok, nil), http.StatusOK)
	for _, list := range []string{
		rgScope() + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities?" + miAPI,
		subScope() + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities?" + miAPI,
	} {
		r := e.Do(t, http.MethodGet, list, tok, nil)
		MustStatus(t, r, http.StatusOK)
		if v := r.Body["value"].([]any); len(v) != 1 {
			t.Fatalf("list %s = %s", list, r.Raw)
		}
	}

	// Deleting it revokes the identity header at once.
	MustStatus(t, e.Do(t, http.MethodDelete, path, tok, nil), http.StatusOK)
	if _, err := e.id.ManagedIdentityToken(ctx, header, "https://vault.azure.net", "", ""); err == nil {
		t.Fatal("the identity header still works after DELETE")
	}
	MustStatus(t, e.Do(t, http.MethodDelete, path, tok, nil), http.StatusNoContent)
	MustStatus(t, e.Do(t, http.MethodGet, path, tok, nil), http.StatusNotFound)
}

func TestUserAssignedIdentityErrors(t *testing.T) {
	e := MustEnv(t)
	admin := e.Token(t, e.admin, "")
	reader := e.MustPrincipal(t, "reader")
	e.MustAssign(t, authz.RoleReader, reader.ObjectID, subScope())
	MustStatus(t, e.Do(t, http.MethodPut, identityPath("taken")+"?"+miAPI, admin, map[string]any{"location": "eastus"}), http.StatusCreated)
	for _, tc := range []struct {
		name   string
		method string
		path   string
		token  string
		body   any
		status int
		code   string
	}{
		{"fail/LocationRequired", "PUT", identityPath("no-location"), admin, map[string]any{}, 400, "LocationRequired"},
		{"fail/InvalidResourceName", "PUT", identityPath("-x"), admin, map[string]any{"location": "eastus"}, 400, "InvalidResourceName"},
		{"fail/InvalidResourceLocation/moved", "PUT", identityPath("taken"), admin, map[string]any{"location": "westus"}, 409, "InvalidResourceLocation"},
		{"fail/ResourceGroupNotFound", "PUT", subScope() + "/resourceGroups/nope/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x1y", admin, map[string]any{"location": "eastus"}, 404, "ResourceGroupNotFound"},
		{"fail/AuthorizationFailed/reader-writes", "PUT", identityPath("by-reader"), e.Token(t, reader, ""), map[string]any{"location": "eastus"}, 403, "AuthorizationFailed"},
		{"ok/reader-reads", "GET", identityPath("taken"), e.Token(t, reader, ""), nil, 200, ""},
		{"fail/ResourceNotFound", "GET", identityPath("missing"), admin, nil, 404, "ResourceNotFound"},
		{"fail/InvalidResourceType", "GET", rgScope() + "/providers/Microsoft.ManagedIdentity/systemAssigned", admin, nil, 404, "InvalidResourceType"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, tc.method, tc.path+"?"+miAPI, tc.token, tc.body)
			MustStatus(t, r, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q (%s)", got, tc.code, r.Raw)
			}
		})
	}
}
