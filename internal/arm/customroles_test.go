package arm_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/scopevault/scopevault/internal/authz"
)

func rolePath(scope, id string) string {
	return scope + "/providers/Microsoft.Authorization/roleDefinitions/" + id + "?" + authAPI
}

func customRoleBody(name string, scopes []string, actions, dataActions []string) map[string]any {
	return map[string]any{"properties": map[string]any{
		"roleName": name, "description": "test role", "type": "CustomRole", "assignableScopes": scopes,
		"permissions": []any{map[string]any{"actions": actions, "notActions": []string{}, "dataActions": dataActions, "notDataActions": []string{}}},
	}}
}

func TestCustomRoleLifecycle(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	id := "0e5e7a1b-3c2d-4e5f-8a9b-0c1d2e3f4a5b"
	body := customRoleBody("Secret Reader (custom)", []string{rgScope()},
		[]string{"Microsoft.KeyVault/vaults/read"}, []string{"Microsoft.KeyVault/vaults/secrets/getSecret/action"})

	r := e.Do(t, http.MethodPut, rolePath(subScope(), id), tok, body)
	MustStatus(t, r, http.StatusCreated)
	for k, want := range map[string]any{
		"id":                  subScope() + "/providers/Microsoft.Authorization/roleDefinitions/" + id,
		"name":                id,
		"type":                "Microsoft.Authorization/roleDefinitions",
		"properties.roleName": "Secret Reader (custom)",
		"properties.type":     "CustomRole",
	} {
		if got := r.Get(k); got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	// An update answers 201 too: the only status the SDK accepts.
	MustStatus(t, e.Do(t, http.MethodPut, rolePath(subScope(), id), tok, body), http.StatusCreated)

	// Listed where it is assignable (at or below its assignable scope), not above.
	for scope, want := range map[string]int{rgScope(): 1, subScope(): 0} {
		r = e.Do(t, http.MethodGet, scope+"/providers/Microsoft.Authorization/roleDefinitions?"+authAPI+"&$filter="+url.QueryEscape("roleName eq 'secret reader (custom)'"), tok, nil)
		MustStatus(t, r, http.StatusOK)
		if got := len(r.Body["value"].([]any)); got != want {
			t.Fatalf("list at %s found %d roles, want %d: %s", scope, got, want, r.Raw)
		}
	}

	// The role grants what it says, through an assignment.
	v := e.MustVault(t, "kv-custom", true)
	app := e.MustPrincipal(t, "app")
	name := newName()
	MustStatus(t, e.Do(t, http.MethodPut, assignmentPath(v.ResourceID(), name), tok, assignmentBody(id, app.ObjectID, "ServicePrincipal")), http.StatusCreated)
	d, err := e.authz.AuthorizeData(context.Background(), callerOf(app), v, "keyvault.GetSecret", "s1")
	if err != nil || !d.Allowed {
		t.Fatalf("custom role does not grant getSecret: %+v, %v", d, err)
	}
	// Assigned roles cannot be deleted.
	r = e.Do(t, http.MethodDelete, rolePath(subScope(), id), tok, nil)
	MustStatus(t, r, http.StatusConflict)
	if r.ErrorCode() != "RoleDefinitionHasAssignments" {
		t.Fatalf("code = %q", r.ErrorCode())
	}
	MustStatus(t, e.Do(t, http.MethodDelete, assignmentPath(v.ResourceID(), name), tok, nil), http.StatusOK)
	r = e.Do(t, http.MethodDelete, rolePath(subScope(), id), tok, nil)
	MustStatus(t, r, http.StatusOK)
	if r.Get("properties.roleName") != "Secret Reader (custom)" {
		t.Fatalf("deleted = %s", r.Raw)
	}
	MustStatus(t, e.Do(t, http.MethodDelete, rolePath(subScope(), id), tok, nil), http.StatusNoContent)
	MustStatus(t, e.Do(t, http.MethodGet, rolePath(subScope(), id), tok, nil), http.StatusNotFound)
}

func TestCustomRoleErrors(t *testing.T) {
	e := MustEnv(t)
	admin := e.Token(t, e.admin, "")
	rgOwner := e.MustPrincipal(t, "rg-owner")
	e.MustAssign(t, authz.RoleOwner, rgOwner.ObjectID, rgScope())
	contributor := e.MustPrincipal(t, "contributor")
	e.MustAssign(t, authz.RoleContributor, contributor.ObjectID, subScope())
	taken := "1e5e7a1b-3c2d-4e5f-8a9b-0c1d2e3f4a5b"
	MustStatus(t, e.Do(t, http.MethodPut, rolePath(subScope(), taken), admin, customRoleBody("Taken", []string{subScope()}, []string{"*/read"}, nil)), http.StatusCreated)

	fresh := "2e5e7a1b-3c2d-4e5f-8a9b-0c1d2e3f4a5b"
	ok := func() map[string]any { return customRoleBody("Fresh", []string{subScope()}, []string{"*/read"}, nil) }
	with := func(k string, v any) map[string]any {
		b := ok()
		b["properties"].(map[string]any)[k] = v
		return b
	}
	for _, tc := range []struct {
		name   string
		token  string
		path   string
		body   any
		status int
		code   string
	}{
		{"fail/RoleDefinitionWithSameNameExists", admin, rolePath(subScope(), fresh), with("roleName", "TAKEN"), 409, "RoleDefinitionWithSameNameExists"},
		{"fail/RoleDefinitionWithSameNameExists/built-in-name", admin, rolePath(subScope(), fresh), with("roleName", "Key Vault Reader"), 409, "RoleDefinitionWithSameNameExists"},
		{"fail/InvalidAssignableScope/root", admin, rolePath(subScope(), fresh), with("assignableScopes", []string{"/"}), 400, "InvalidAssignableScope"},
		{"fail/SubscriptionNotFound/assignable-scope", admin, rolePath(subScope(), fresh),
			with("assignableScopes", []string{"/subscriptions/99999999-2222-3333-4444-555555555555"}), 404, "SubscriptionNotFound"},
		{"fail/InvalidRoleDefinition/no-scopes", admin, rolePath(subScope(), fresh), with("assignableScopes", []string{}), 400, "InvalidRoleDefinition"},
		{"fail/InvalidRoleDefinition/no-name", admin, rolePath(subScope(), fresh), with("roleName", ""), 400, "InvalidRoleDefinition"},
		{"fail/InvalidRoleDefinition/built-in-type", admin, rolePath(subScope(), fresh), with("type", "BuiltInRole"), 400, "InvalidRoleDefinition"},
		{"fail/InvalidActionOrNotAction", admin, rolePath(subScope(), fresh),
			with("permissions", []any{map[string]any{"actions": []string{"Microsoft.KeyVault/vaults read"}}}), 400, "InvalidActionOrNotAction"},
		{"fail/InvalidRoleDefinitionId", admin, rolePath(subScope(), "not-a-guid"), ok(), 400, "InvalidRoleDefinitionId"},
		{"fail/RoleDefinitionIsBuiltIn/update", admin, rolePath(subScope(), authz.RoleReader), ok(), 400, "RoleDefinitionIsBuiltIn"},
		{"fail/RoleDefinitionIsBuiltIn/delete", admin, rolePath(subScope(), authz.RoleReader), nil, 400, "RoleDefinitionIsBuiltIn"},
		{"fail/AuthorizationFailed/contributor", e.Token(t, contributor, ""), rolePath(subScope(), fresh), ok(), 403, "AuthorizationFailed"},
		// Owner of a resource group may not make a role assignable at the subscription.
		{"fail/AuthorizationFailed/assignable-scope-above-the-caller", e.Token(t, rgOwner, ""), rolePath(rgScope(), fresh), ok(), 403, "AuthorizationFailed"},
		{"fail/AuthorizationFailed/delete-by-rg-owner", e.Token(t, rgOwner, ""), rolePath(rgScope(), taken), nil, 403, "AuthorizationFailed"},
		{"ok/rg-owner-at-its-group", e.Token(t, rgOwner, ""), rolePath(rgScope(), fresh), with("assignableScopes", []string{rgScope()}), 201, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := http.MethodPut
			if tc.body == nil {
				method = http.MethodDelete
			}
			r := e.Do(t, method, tc.path, tc.token, tc.body)
			MustStatus(t, r, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q (%s)", got, tc.code, r.Raw)
			}
		})
	}
}
