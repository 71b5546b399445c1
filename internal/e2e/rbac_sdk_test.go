package e2e

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/server"
)

// TestArmAuthorizationSDK drives role assignments and role definitions with
// the unmodified armauthorization client (api-version 2022-04-01).
func TestArmAuthorizationSDK(t *testing.T) {
	ctx := context.Background()
	srv := MustServer(t)
	c := MustClient(t, MustEnvFile(t, srv.DataDir()))
	admin := MustAdminCredential(t, srv)
	rc := MustRBACClients(t, srv, admin)
	app := MustGraphSP(t, c, srv, MustToken(t, admin, graphScope), "sdk-app")

	sub := "/subscriptions/" + srv.Boot.SubscriptionID
	rg := sub + "/resourceGroups/" + srv.Boot.ResourceGroup
	vault := rg + "/providers/Microsoft.KeyVault/vaults/" + srv.Boot.Vault
	secretsUser := rc.MustRole(t, sub, "Key Vault Secrets User")
	name := scopevault.NewGUID()
	params := func(roleID, principal string, typ armauthorization.PrincipalType) armauthorization.RoleAssignmentCreateParameters {
		return armauthorization.RoleAssignmentCreateParameters{Properties: &armauthorization.RoleAssignmentProperties{
			RoleDefinitionID: &roleID, PrincipalID: &principal, PrincipalType: &typ, Description: ptr("e2e"),
		}}
	}

	t.Run("ok/create", func(t *testing.T) {
		res, err := rc.assignments.Create(ctx, vault, name, params(*secretsUser.ID, app.ObjectID, armauthorization.PrincipalTypeServicePrincipal), nil)
		if err != nil {
			t.Fatal(err)
		}
		p := res.Properties
		if *res.Name != name || *res.ID != vault+"/providers/Microsoft.Authorization/roleAssignments/"+name ||
			*p.PrincipalID != app.ObjectID || *p.PrincipalType != armauthorization.PrincipalTypeServicePrincipal ||
			*p.RoleDefinitionID != "/providers/Microsoft.Authorization/roleDefinitions/"+authz.RoleKeyVaultSecretsUser ||
			*p.Scope != vault || p.CreatedOn == nil || *p.Description != "e2e" {
			t.Fatalf("created = %+v %+v", res.RoleAssignment, *p)
		}
	})
	t.Run("ok/create-again-is-idempotent", func(t *testing.T) {
		if _, err := rc.assignments.Create(ctx, vault, name, params(*secretsUser.ID, app.ObjectID, armauthorization.PrincipalTypeServicePrincipal), nil); err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct {
		name   string
		scope  string
		params armauthorization.RoleAssignmentCreateParameters
		status int
		code   string
	}{
		{"fail/RoleAssignmentExists", vault, params(*secretsUser.ID, app.ObjectID, armauthorization.PrincipalTypeServicePrincipal), 409, "RoleAssignmentExists"},
		{"fail/PrincipalNotFound", vault, params(*secretsUser.ID, scopevault.NewGUID(), armauthorization.PrincipalTypeServicePrincipal), 400, "PrincipalNotFound"},
		{"fail/UnmatchedPrincipalType", vault, params(*secretsUser.ID, app.ObjectID, armauthorization.PrincipalTypeUser), 400, "UnmatchedPrincipalType"},
		{"fail/RoleDefinitionDoesNotExist", vault, params("/providers/Microsoft.Authorization/roleDefinitions/"+scopevault.NewGUID(), app.ObjectID, armauthorization.PrincipalTypeServicePrincipal), 400, "RoleDefinitionDoesNotExist"},
		{"fail/ResourceNotFound/scope", rg + "/providers/Microsoft.KeyVault/vaults/no-such-vault", params(*secretsUser.ID, app.ObjectID, armauthorization.PrincipalTypeServicePrincipal), 404, "ResourceNotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rc.assignments.Create(ctx, tc.scope, scopevault.NewGUID(), tc.params, nil)
			if status, code := respCode(err); status != tc.status || code != tc.code {
				t.Fatalf("got %d %q, want %d %q (%v)", status, code, tc.status, tc.code, err)
			}
		})
	}
	t.Run("fail/AuthorizationFailed/caller-without-roleAssignments-write", func(t *testing.T) {
		other := MustRBACClients(t, srv, MustSecretCredential(t, srv, app.AppID, app.Secret))
		_, err := other.assignments.Create(ctx, vault, scopevault.NewGUID(), params(*secretsUser.ID, app.ObjectID, armauthorization.PrincipalTypeServicePrincipal), nil)
		if status, code := respCode(err); status != 403 || code != "AuthorizationFailed" {
			t.Fatalf("got %d %q (%v)", status, code, err)
		}
	})

	t.Run("ok/get", func(t *testing.T) {
		res, err := rc.assignments.Get(ctx, vault, name, nil)
		if err != nil || *res.Name != name {
			t.Fatalf("get: %v", err)
		}
		byID, err := rc.assignments.GetByID(ctx, *res.ID, nil)
		if err != nil || *byID.Name != name {
			t.Fatalf("get by id: %v", err)
		}
	})

	// list collects assignment names from any of the list pagers.
	names := func(t *testing.T, next func() (bool, []*armauthorization.RoleAssignment, error)) []string {
		t.Helper()
		var out []string
		for {
			more, page, err := next()
			if err != nil {
				t.Fatal(err)
			}
			for _, ra := range page {
				out = append(out, *ra.Name)
			}
			if !more {
				return out
			}
		}
	}
	// The SDK appends $filter to the URL unencoded; like Azure (whose front
	// end answers "HTTP Error 400. The request is badly formed."), the
	// server refuses a request line with spaces, so callers encode a filter
	// that has any (Azure/azure-sdk-for-go#20847).
	forScope := func(scope, filter string) func() (bool, []*armauthorization.RoleAssignment, error) {
		filter = url.QueryEscape(filter)
		p := rc.assignments.NewListForScopePager(scope, &armauthorization.RoleAssignmentsClientListForScopeOptions{Filter: &filter})
		return func() (bool, []*armauthorization.RoleAssignment, error) {
			page, err := p.NextPage(ctx)
			return p.More(), page.Value, err
		}
	}
	for _, tc := range []struct {
		name string
		next func() (bool, []*armauthorization.RoleAssignment, error)
		want bool
	}{
		{"ok/atScope-at-the-vault", forScope(vault, "atScope()"), true},
		{"ok/atScope-above-the-vault-excludes-it", forScope(rg, "atScope()"), false},
		{"ok/principalId-below-the-subscription", forScope(sub, "principalId eq '"+app.ObjectID+"'"), true},
		{"ok/principalId-of-someone-else", forScope(sub, "principalId eq '"+scopevault.NewGUID()+"'"), false},
		{"ok/list-for-subscription", func() (bool, []*armauthorization.RoleAssignment, error) {
			f := url.QueryEscape("principalId eq '" + app.ObjectID + "'")
			p := rc.assignments.NewListForSubscriptionPager(&armauthorization.RoleAssignmentsClientListForSubscriptionOptions{Filter: &f})
			page, err := p.NextPage(ctx)
			return false, page.Value, err
		}, true},
		{"ok/list-for-resource-group", func() (bool, []*armauthorization.RoleAssignment, error) {
			p := rc.assignments.NewListForResourceGroupPager(srv.Boot.ResourceGroup, nil)
			page, err := p.NextPage(ctx)
			return false, page.Value, err
		}, true},
		{"ok/list-for-resource", func() (bool, []*armauthorization.RoleAssignment, error) {
			f := "atScope()"
			p := rc.assignments.NewListForResourcePager(srv.Boot.ResourceGroup, "Microsoft.KeyVault", "vaults", srv.Boot.Vault,
				&armauthorization.RoleAssignmentsClientListForResourceOptions{Filter: &f})
			page, err := p.NextPage(ctx)
			return false, page.Value, err
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := slices.Contains(names(t, tc.next), name); got != tc.want {
				t.Fatalf("listed = %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("fail/unencoded-filter-with-spaces", func(t *testing.T) {
		f := "principalId eq '" + app.ObjectID + "'"
		_, err := rc.assignments.NewListForScopePager(sub, &armauthorization.RoleAssignmentsClientListForScopeOptions{Filter: &f}).NextPage(ctx)
		if status, _ := respCode(err); status != http.StatusBadRequest {
			t.Fatalf("got %d (%v), want 400", status, err)
		}
	})

	t.Run("ok/delete", func(t *testing.T) {
		res, err := rc.assignments.Delete(ctx, vault, name, nil)
		if err != nil || res.Name == nil || *res.Name != name {
			t.Fatalf("delete: %+v %v", res, err)
		}
		// A second delete finds nothing: 204, which the SDK accepts.
		if _, err := rc.assignments.Delete(ctx, vault, name, nil); err != nil {
			t.Fatalf("second delete: %v", err)
		}
		_, err = rc.assignments.Get(ctx, vault, name, nil)
		if status, code := respCode(err); status != 404 || code != "RoleAssignmentNotFound" {
			t.Fatalf("get after delete: %d %q", status, code)
		}
	})

	t.Run("ok/role-definitions", func(t *testing.T) {
		got, err := rc.definitions.Get(ctx, sub, authz.RoleKeyVaultSecretsOfficer, nil)
		if err != nil || *got.Properties.RoleName != "Key Vault Secrets Officer" || *got.Properties.RoleType != "BuiltInRole" {
			t.Fatalf("get: %+v %v", got, err)
		}
		byID, err := rc.definitions.GetByID(ctx, "/providers/Microsoft.Authorization/roleDefinitions/"+authz.RoleOwner, nil)
		if err != nil || *byID.Properties.RoleName != "Owner" {
			t.Fatalf("get by id: %v", err)
		}
		want := []string{"Owner", "Contributor", "Reader", "User Access Administrator", "Key Vault Administrator",
			"Key Vault Contributor", "Key Vault Reader", "Key Vault Secrets Officer", "Key Vault Secrets User",
			"Key Vault Data Access Administrator", "Key Vault Purge Operator", "Key Vault Certificates Officer",
			"Key Vault Crypto Officer", "Key Vault Crypto User", "Key Vault Certificate User"}
		for _, n := range want {
			if r := rc.MustRole(t, sub, strings.ToLower(n)); *r.Properties.RoleName != n {
				t.Errorf("roleName eq '%s' found %s", n, *r.Properties.RoleName)
			}
		}
		_, err = rc.definitions.Get(ctx, sub, scopevault.NewGUID(), nil)
		if status, code := respCode(err); status != 404 || code != "RoleDefinitionDoesNotExist" {
			t.Fatalf("unknown role: %d %q", status, code)
		}
	})

	t.Run("ok/custom-role", func(t *testing.T) {
		id := scopevault.NewGUID()
		def := armauthorization.RoleDefinition{Properties: &armauthorization.RoleDefinitionProperties{
			RoleName: ptr("e2e secret getter"), Description: ptr("reads secret values only"), RoleType: ptr("CustomRole"),
			AssignableScopes: []*string{&sub},
			Permissions: []*armauthorization.Permission{{
				Actions:     []*string{ptr("Microsoft.KeyVault/vaults/read")},
				DataActions: []*string{ptr("Microsoft.KeyVault/vaults/secrets/getSecret/action")},
			}},
		}}
		res, err := rc.definitions.CreateOrUpdate(ctx, sub, id, def, nil)
		if err != nil || *res.Name != id || *res.Properties.RoleType != "CustomRole" {
			t.Fatalf("create: %+v %v", res, err)
		}
		_, err = rc.definitions.CreateOrUpdate(ctx, sub, scopevault.NewGUID(), def, nil)
		if status, code := respCode(err); status != 409 || code != "RoleDefinitionWithSameNameExists" {
			t.Fatalf("same name: %d %q (%v)", status, code, err)
		}
		if r := rc.MustRole(t, sub, "E2E Secret Getter"); *r.Name != id {
			t.Fatalf("listed %s", *r.Name)
		}
		ra := rc.MustAssign(t, vault, *res.ID, app.ObjectID)
		_, err = rc.definitions.Delete(ctx, sub, id, nil)
		if status, code := respCode(err); status != 409 || code != "RoleDefinitionHasAssignments" {
			t.Fatalf("delete while assigned: %d %q (%v)", status, code, err)
		}
		if _, err := rc.assignments.DeleteByID(ctx, *ra.ID, nil); err != nil {
			t.Fatal(err)
		}
		del, err := rc.definitions.Delete(ctx, sub, id, nil)
		if err != nil || del.Name == nil || *del.Name != id {
			t.Fatalf("delete: %+v %v", del, err)
		}
		if _, err := rc.definitions.Delete(ctx, sub, id, nil); err != nil {
			t.Fatalf("second delete: %v", err)
		}
	})

	// The role assignment the SDK made is what the data plane honours.
	t.Run("ok/assignment-grants-data-access", func(t *testing.T) {
		adminVault := MustToken(t, admin, vaultScope)
		u := vaultBase(t, srv) + "secrets/sdk-secret?" + dataAPI
		if status, raw, err := c.Do(http.MethodPut, u, adminVault, map[string]string{"value": "v1"}); err != nil || status != 200 {
			t.Fatalf("set: %d %v %s", status, err, raw)
		}
		appVault := c.Token(t, app.AppID, app.Secret, vaultScope)
		if status, _, _ := c.Do(http.MethodGet, u, appVault, nil); status != 403 {
			t.Fatalf("before the assignment: %d", status)
		}
		rc.MustAssign(t, vault+"/secrets/sdk-secret", *secretsUser.ID, app.ObjectID)
		if status, raw, _ := c.Do(http.MethodGet, u, appVault, nil); status != 200 {
			t.Fatalf("after the assignment: %d %s", status, raw)
		}
	})
}

// vaultBase is the default vault's data-plane URL, with a trailing slash.
func vaultBase(tb testing.TB, srv *server.Server) string {
	tb.Helper()
	v, err := srv.Engine.Vault(context.Background(), srv.Boot.Vault)
	if err != nil {
		tb.Fatal(err)
	}
	return srv.VaultURL(v)
}
