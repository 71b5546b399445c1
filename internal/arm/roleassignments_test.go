package arm_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
)

func assignmentPath(scope, name string) string {
	return scope + "/providers/Microsoft.Authorization/roleAssignments/" + name + "?" + authAPI
}

func assignmentBody(role, principal, typ string) map[string]any {
	props := map[string]any{
		"roleDefinitionId": "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + role,
		"principalId":      principal,
	}
	if typ != "" {
		props["principalType"] = typ
	}
	return map[string]any{"properties": props}
}

func TestRoleAssignmentLifecycle(t *testing.T) {
	e := MustEnv(t)
	v := e.MustVault(t, "kv-ra", true)
	app := e.MustPrincipal(t, "app")
	tok := e.Token(t, e.admin, "")
	name := newName()
	path := assignmentPath(v.ResourceID(), name)

	r := e.Do(t, http.MethodPut, path, tok, assignmentBody(authz.RoleKeyVaultSecretsUser, app.ObjectID, ""))
	MustStatus(t, r, http.StatusCreated)
	for k, want := range map[string]any{
		"id":                          v.ResourceID() + "/providers/Microsoft.Authorization/roleAssignments/" + name,
		"name":                        name,
		"type":                        "Microsoft.Authorization/roleAssignments",
		"properties.roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/" + authz.RoleKeyVaultSecretsUser,
		"properties.principalId":      app.ObjectID,
		"properties.principalType":    "ServicePrincipal",
		"properties.scope":            v.ResourceID(),
		"properties.createdBy":        e.admin.ObjectID,
	} {
		if got := r.Get(k); got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	MustStatus(t, e.Do(t, http.MethodPut, path, tok, assignmentBody(authz.RoleKeyVaultSecretsUser, app.ObjectID, "ServicePrincipal")), http.StatusOK)
	MustStatus(t, e.Do(t, http.MethodGet, path, tok, nil), http.StatusOK)
	// The same name read at another scope is not there.
	MustStatus(t, e.Do(t, http.MethodGet, assignmentPath(rgScope(), name), tok, nil), http.StatusNotFound)

	d, err := e.authz.AuthorizeData(context.Background(), callerOf(app), v, "keyvault.GetSecret", "s1")
	if err != nil || !d.Allowed {
		t.Fatalf("assignment does not grant: %+v %v", d, err)
	}

	r = e.Do(t, http.MethodDelete, path, tok, nil)
	MustStatus(t, r, http.StatusOK)
	if got := r.Get("name"); got != name {
		t.Errorf("deleted name = %v", got)
	}
	MustStatus(t, e.Do(t, http.MethodDelete, path, tok, nil), http.StatusNoContent)
	MustStatus(t, e.Do(t, http.MethodGet, path, tok, nil), http.StatusNotFound)
}

func TestRoleAssignmentErrors(t *testing.T) {
	e := MustEnv(t)
	v := e.MustVault(t, "kv-err", true)
	app := e.MustPrincipal(t, "app")
	tok := e.Token(t, e.admin, "")
	dup := newName()
	MustStatus(t, e.Do(t, http.MethodPut, assignmentPath(v.ResourceID(), dup), tok, assignmentBody(authz.RoleReader, app.ObjectID, "")), http.StatusCreated)
	for _, tc := range []struct {
		name   string
		scope  string
		body   any
		status int
		code   string
	}{
		{"fail/principal-not-found", v.ResourceID(), assignmentBody(authz.RoleReader, "12345678-1234-4234-8234-123456789012", ""), 400, "PrincipalNotFound"},
		{"fail/unmatched-type", v.ResourceID(), assignmentBody(authz.RoleReader, app.ObjectID, "User"), 400, "UnmatchedPrincipalType"},
		{"fail/bad-type", v.ResourceID(), assignmentBody(authz.RoleReader, app.ObjectID, "Robot"), 400, "InvalidPrincipalType"},
		{"fail/unknown-role", v.ResourceID(), assignmentBody("12345678-1234-4234-8234-123456789012", app.ObjectID, ""), 400, "RoleDefinitionDoesNotExist"},
		{"fail/no-properties", v.ResourceID(), map[string]any{}, 400, "InvalidRoleDefinitionId"},
		{"fail/no-principal", v.ResourceID(), map[string]any{"properties": map[string]any{"roleDefinitionId": authz.RoleReader}}, 400, "InvalidPrincipalId"},
		{"fail/missing-vault", vaultPath("kv-none"), assignmentBody(authz.RoleReader, app.ObjectID, ""), 404, "ResourceNotFound"},
		{"fail/missing-group", subScope() + "/resourceGroups/absent", assignmentBody(authz.RoleReader, app.ObjectID, ""), 404, "ResourceGroupNotFound"},
		{"fail/unknown-resource-type", rgScope() + "/providers/Microsoft.Network/virtualNetworks/v", assignmentBody(authz.RoleReader, app.ObjectID, ""), 404, "ResourceNotFound"},
		{"fail/condition", v.ResourceID(), map[string]any{"properties": map[string]any{"roleDefinitionId": authz.RoleReader, "principalId": app.ObjectID, "condition": "true"}}, 400, "InvalidCondition"},
		{"fail/duplicate-grant", v.ResourceID(), assignmentBody(authz.RoleReader, app.ObjectID, ""), 409, "RoleAssignmentExists"},
		{"fail/management-group", "/providers/Microsoft.Management/managementGroups/mg", assignmentBody(authz.RoleReader, app.ObjectID, ""), 400, "InvalidScope"},
		{"ok/secret-scope", v.ResourceID() + "/secrets/db-password", assignmentBody(authz.RoleKeyVaultSecretsUser, app.ObjectID, ""), 201, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, http.MethodPut, assignmentPath(tc.scope, newName()), tok, tc.body)
			MustStatus(t, r, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q (%s)", got, tc.code, r.Raw)
			}
		})
	}
	r := e.Do(t, http.MethodPut, assignmentPath(v.ResourceID(), "not-a-guid"), tok, assignmentBody(authz.RoleOwner, app.ObjectID, ""))
	MustStatus(t, r, http.StatusBadRequest)
	if got := r.ErrorCode(); got != "InvalidRoleAssignmentId" {
		t.Errorf("code = %q", got)
	}
}

func TestRoleAssignmentAuthorization(t *testing.T) {
	e := MustEnv(t)
	v := e.MustVault(t, "kv-auth", true)
	app := e.MustPrincipal(t, "app")
	contributor := e.MustPrincipal(t, "contributor")
	e.MustAssign(t, authz.RoleContributor, contributor.ObjectID, subScope())
	daa := e.MustPrincipal(t, "data-access-admin")
	e.MustAssign(t, authz.RoleKeyVaultDataAccessAdmin, daa.ObjectID, v.ResourceID())
	who := map[string]*scopevault.Principal{"admin": e.admin, "contributor": contributor, "daa": daa}
	for _, tc := range []struct {
		name string
		who  string
		role string
		want int
	}{
		{"ok/owner", "admin", authz.RoleUserAccessAdministrator, 201},
		{"fail/contributor", "contributor", authz.RoleKeyVaultSecretsUser, 403},
		{"ok/data-access-admin-secrets-user", "daa", authz.RoleKeyVaultSecretsUser, 201},
		{"fail/data-access-admin-owner", "daa", authz.RoleOwner, 403},
		{"fail/data-access-admin-kv-contributor", "daa", authz.RoleKeyVaultContributor, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			caller := who[tc.who]
			r := e.Do(t, http.MethodPut, assignmentPath(v.ResourceID(), newName()), e.Token(t, caller, ""), assignmentBody(tc.role, app.ObjectID, ""))
			MustStatus(t, r, tc.want)
			if tc.want == http.StatusForbidden && !strings.Contains(r.ErrorMessage(), "'Microsoft.Authorization/roleAssignments/write' over scope '"+v.ResourceID()+"'") {
				t.Errorf("message = %q", r.ErrorMessage())
			}
		})
	}
	// Deleting needs the same right, with the stored assignment's role.
	name := newName()
	MustStatus(t, e.Do(t, http.MethodPut, assignmentPath(v.ResourceID(), name), e.Token(t, e.admin, ""), assignmentBody(authz.RoleOwner, app.ObjectID, "")), http.StatusCreated)
	MustStatus(t, e.Do(t, http.MethodDelete, assignmentPath(v.ResourceID(), name), e.Token(t, daa, ""), nil), http.StatusForbidden)
	MustStatus(t, e.Do(t, http.MethodDelete, assignmentPath(v.ResourceID(), name), e.Token(t, contributor, ""), nil), http.StatusForbidden)
	MustStatus(t, e.Do(t, http.MethodGet, assignmentPath(v.ResourceID(), name), e.Token(t, contributor, ""), nil), http.StatusOK)
}

func TestListRoleAssignments(t *testing.T) {
	e := MustEnv(t)
	v := e.MustVault(t, "kv-list", true)
	app := e.MustPrincipal(t, "app")
	group, err := e.id.CreateGroup(t.Context(), tenant, "team")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.id.AddMember(t.Context(), tenant, group.ObjectID, app.ObjectID); err != nil {
		t.Fatal(err)
	}
	tok := e.Token(t, e.admin, "")
	onVault, onSecret, onGroup := newName(), newName(), newName()
	MustStatus(t, e.Do(t, http.MethodPut, assignmentPath(v.ResourceID(), onVault), tok, assignmentBody(authz.RoleKeyVaultReader, app.ObjectID, "")), http.StatusCreated)
	MustStatus(t, e.Do(t, http.MethodPut, assignmentPath(v.ResourceID()+"/secrets/s1", onSecret), tok, assignmentBody(authz.RoleKeyVaultSecretsUser, app.ObjectID, "")), http.StatusCreated)
	MustStatus(t, e.Do(t, http.MethodPut, assignmentPath(rgScope(), onGroup), tok, assignmentBody(authz.RoleReader, group.ObjectID, "Group")), http.StatusCreated)
	list := v.ResourceID() + "/providers/Microsoft.Authorization/roleAssignments?" + authAPI
	for _, tc := range []struct {
		name   string
		filter string
		want   []string // names; the admin's subscription Owner assignment is "owner"
		status int
	}{
		{"ok/all", "", []string{"owner", onVault, onSecret, onGroup}, 200},
		{"ok/at-scope", "atScope()", []string{"owner", onVault, onGroup}, 200},
		{"ok/principal", "principalId eq '" + app.ObjectID + "'", []string{onVault, onSecret}, 200},
		{"ok/at-scope-and-principal", "atScope() and principalId eq '" + app.ObjectID + "'", []string{onVault}, 200},
		{"ok/assigned-to-includes-groups", "assignedTo('" + app.ObjectID + "')", []string{onVault, onSecret, onGroup}, 200},
		{"fail/unknown-filter", "roleName eq 'Owner'", nil, 400},
		{"fail/garbage-filter", "principalId eq 'unterminated", nil, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := list
			if tc.filter != "" {
				path += "&$filter=" + url.QueryEscape(tc.filter)
			}
			r := e.Do(t, http.MethodGet, path, tok, nil)
			MustStatus(t, r, tc.status)
			if tc.status != 200 {
				return
			}
			var got []string
			for _, x := range r.Body["value"].([]any) {
				m := x.(map[string]any)
				n := m["name"].(string)
				if m["properties"].(map[string]any)["principalId"] == e.admin.ObjectID {
					n = "owner"
				}
				got = append(got, n)
			}
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("names = %v, want %v", got, want)
			}
		})
	}
	nobody := e.MustPrincipal(t, "nobody")
	MustStatus(t, e.Do(t, http.MethodGet, list, e.Token(t, nobody, ""), nil), http.StatusForbidden)
}

func TestRoleDefinitions(t *testing.T) {
	e := MustEnv(t)
	nobody := e.MustPrincipal(t, "nobody")
	tok := e.Token(t, nobody, "")
	base := subScope() + "/providers/Microsoft.Authorization/roleDefinitions"
	r := e.Do(t, http.MethodGet, base+"?"+authAPI+"&$filter="+url.QueryEscape("roleName eq 'key vault secrets user'"), tok, nil)
	MustStatus(t, r, http.StatusOK)
	vals := r.Body["value"].([]any)
	if len(vals) != 1 {
		t.Fatalf("got %d roles, want 1: %s", len(vals), r.Raw)
	}
	role := vals[0].(map[string]any)
	if got, want := role["id"], base+"/"+authz.RoleKeyVaultSecretsUser; got != want {
		t.Errorf("id = %v, want %v", got, want)
	}
	if got := role["properties"].(map[string]any)["type"]; got != "BuiltInRole" {
		t.Errorf("type = %v", got)
	}
	r = e.Do(t, http.MethodGet, "/providers/Microsoft.Authorization/roleDefinitions/"+authz.RoleOwner+"?"+authAPI, tok, nil)
	MustStatus(t, r, http.StatusOK)
	if got, want := r.Get("id"), "/providers/Microsoft.Authorization/roleDefinitions/"+authz.RoleOwner; got != want {
		t.Errorf("id = %v, want %v", got, want)
	}
	if got := r.Get("properties.roleName"); got != "Owner" {
		t.Errorf("roleName = %v", got)
	}
	r = e.Do(t, http.MethodGet, base+"/12345678-1234-4234-8234-123456789012?"+authAPI, tok, nil)
	MustStatus(t, r, http.StatusNotFound)
	r = e.Do(t, http.MethodGet, base+"?"+authAPI+"&$filter="+url.QueryEscape("type eq 'BuiltInRole'"), tok, nil)
	MustStatus(t, r, http.StatusOK)
	if got := len(r.Body["value"].([]any)); got < 10 {
		t.Errorf("only %d built-in roles", got)
	}
}

func callerOf(p *scopevault.Principal) *scopevault.Caller {
	return &scopevault.Caller{TenantID: p.TenantID, ObjectID: p.ObjectID, AppID: p.AppID, Kind: p.Kind}
}
