package authz_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
)

func TestRBACScopeInheritance(t *testing.T) {
	v := rbacVault()
	secretScope := v.ResourceID() + "/secrets/app-secret"
	for _, tc := range []struct {
		name   string
		scope  string
		secret string
		want   bool
	}{
		{"ok/root", "/", "app-secret", true},
		{"ok/subscription", subScope(), "app-secret", true},
		{"ok/resource-group", rgScope(), "app-secret", true},
		{"ok/resource-group-other-case", strings.ToUpper(rgScope()), "app-secret", true},
		{"ok/vault", v.ResourceID(), "app-secret", true},
		{"ok/secret", secretScope, "app-secret", true},
		{"ok/secret-name-other-case", secretScope, "APP-Secret", true},
		{"fail/secret-scope-other-secret", secretScope, "db-password", false},
		{"fail/secret-scope-vault-wide-op", secretScope, "", false},
		{"fail/secret-scope-path-trick", secretScope, "app-secret/../other", false},
		{"ok/vault-scope-odd-name", v.ResourceID(), "app-secret/../other", true},
		{"fail/sibling-resource-group", subScope() + "/resourceGroups/rg-dat", "app-secret", false},
		{"fail/prefix-not-on-segment", subScope() + "/resourceGroups/rg-data2", "app-secret", false},
		{"fail/other-vault", rgScope() + "/providers/Microsoft.KeyVault/vaults/kv-other", "app-secret", false},
		{"fail/management-group", "/providers/Microsoft.Management/managementGroups/root", "app-secret", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := MustAuthorizer(t)
			ra := MustAssign(t, a, authz.RoleKeyVaultSecretsUser, alice, tc.scope)
			op := scopevault.OpGetSecret
			if tc.secret == "" {
				op = scopevault.OpListSecrets
			}
			d := MustData(t, a, user(alice), v, op, tc.secret)
			if got, want := d.Allowed, tc.want; got != want {
				t.Fatalf("allowed = %v, want %v (rule %q)", got, want, d.Rule)
			}
			if d.Allowed && d.AssignmentID != authz.AssignmentID(ra) {
				t.Errorf("AssignmentID = %q, want %q", d.AssignmentID, authz.AssignmentID(ra))
			}
		})
	}
}

func TestRBACDecisionFields(t *testing.T) {
	a, _ := MustAuthorizer(t)
	v := rbacVault()
	MustAssign(t, a, authz.RoleKeyVaultReader, alice, subScope())
	MustAssign(t, a, authz.RoleKeyVaultSecretsUser, alice, v.ResourceID())

	d := MustData(t, a, user(alice), v, scopevault.OpListSecrets, "")
	want := "role 'Key Vault Secrets User' assigned at '" + v.ResourceID() + "'"
	if !d.Allowed || d.Model != "rbac" || d.Rule != want {
		t.Errorf("allow = %+v; want the most specific grant %q", d, want)
	}

	d = MustData(t, a, user(alice), v, scopevault.OpSetSecret, "My-Secret")
	wantRes := "/subscriptions/" + sub + "/resourcegroups/" + rg + "/providers/microsoft.keyvault/vaults/kv-data/secrets/My-Secret"
	if d.Allowed || d.Model != "rbac" || d.Reason != "ForbiddenByRbac" || d.Rule != "no role assignment grants the action" ||
		d.Action != "Microsoft.KeyVault/vaults/secrets/setSecret/action" || d.Resource != wantRes || d.AssignmentID != "" {
		t.Errorf("deny = %+v", d)
	}
}

func TestRBACGroupMembership(t *testing.T) {
	a, _ := MustAuthorizer(t)
	v := rbacVault()
	MustAssign(t, a, authz.RoleKeyVaultSecretsUser, team, v.ResourceID())
	for _, tc := range []struct {
		name   string
		caller *scopevault.Caller
		want   bool
	}{
		{"ok/member", user(alice, "other-group", team), true},
		{"ok/member-upper-case-id", user(alice, strings.ToUpper(team)), true},
		{"fail/not-member", user(bob, "other-group"), false},
		{"fail/empty-caller-ids", user("", ""), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MustData(t, a, tc.caller, v, scopevault.OpGetSecret, "s").Allowed; got != tc.want {
				t.Errorf("allowed = %v, want %v", got, tc.want)
			}
		})
	}
}

// notDataActions subtract only from their own block: a second block of the
// same role (or another role) still grants.
func TestRBACNotDataActionsWithinBlock(t *testing.T) {
	a, _ := MustAuthorizer(t)
	ctx := context.Background()
	v := rbacVault()
	const allButGet, getOnly = "dddddddd-0000-0000-0000-000000000001", "dddddddd-0000-0000-0000-000000000002"
	mustRole := func(id, name string, perms ...scopevault.Permission) {
		t.Helper()
		if _, _, err := a.CreateOrUpdateRole(ctx, scopevault.RoleDefinition{ID: id, RoleName: name, AssignableScopes: []string{subScope()}, Permissions: perms}); err != nil {
			t.Fatal(err)
		}
	}
	mustRole(allButGet, "All but get", scopevault.Permission{
		DataActions: []string{"Microsoft.KeyVault/vaults/secrets/*"}, NotDataActions: []string{"microsoft.keyvault/vaults/secrets/GETSECRET/action"}})
	mustRole(getOnly, "Two blocks", scopevault.Permission{
		DataActions: []string{"Microsoft.KeyVault/vaults/secrets/*"}, NotDataActions: []string{"Microsoft.KeyVault/vaults/secrets/*"}},
		scopevault.Permission{DataActions: []string{"Microsoft.KeyVault/vaults/secrets/getSecret/action"}})
	MustAssign(t, a, allButGet, alice, v.ResourceID())
	MustAssign(t, a, getOnly, bob, v.ResourceID())

	for _, tc := range []struct {
		name string
		who  string
		op   scopevault.Operation
		want bool
	}{
		{"ok/subtracted-role-still-sets", alice, scopevault.OpSetSecret, true},
		{"fail/subtracted-get", alice, scopevault.OpGetSecret, false},
		{"ok/second-block-grants-get", bob, scopevault.OpGetSecret, true},
		{"fail/first-block-subtracts-everything", bob, scopevault.OpSetSecret, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MustData(t, a, user(tc.who), v, tc.op, "s").Allowed; got != tc.want {
				t.Errorf("allowed = %v, want %v", got, tc.want)
			}
		})
	}
	// notDataActions are not denies: another role assigned to alice still grants get.
	MustAssign(t, a, authz.RoleKeyVaultSecretsUser, alice, rgScope())
	if !MustData(t, a, user(alice), v, scopevault.OpGetSecret, "s").Allowed {
		t.Error("a second role did not grant what the first one subtracted")
	}
}

func TestRBACPropagationDelay(t *testing.T) {
	a, clk := MustAuthorizer(t)
	a.PropagationDelay = 5 * time.Minute
	v := rbacVault()
	MustAssign(t, a, authz.RoleKeyVaultSecretsUser, alice, v.ResourceID())
	MustAssign(t, a, authz.RoleKeyVaultContributor, alice, v.ResourceID())
	get := func() bool { return MustData(t, a, user(alice), v, scopevault.OpGetSecret, "s").Allowed }
	mgmt := func() bool {
		return MustMgmt(t, a, user(alice), "Microsoft.KeyVault/vaults/write", v.ResourceID()).Allowed
	}

	if get() || mgmt() {
		t.Fatal("assignment effective before the propagation delay")
	}
	clk.Advance(5*time.Minute - time.Nanosecond)
	if get() {
		t.Fatal("assignment effective 1ns before the propagation delay")
	}
	clk.Advance(time.Nanosecond)
	if !get() || !mgmt() {
		t.Fatal("assignment not effective once Now() == Created+PropagationDelay")
	}
}

// The vault's model decides which evaluator runs; the other is ignored.
func TestModelSwitching(t *testing.T) {
	a, _ := MustAuthorizer(t)
	v := rbacVault()
	v.AccessPolicies = []scopevault.AccessPolicy{{TenantID: tenant, ObjectID: alice, Permissions: scopevault.Permissions{Secrets: []string{"all"}}}}
	MustAssign(t, a, authz.RoleKeyVaultSecretsOfficer, bob, v.ResourceID())

	if d := MustData(t, a, user(alice), v, scopevault.OpGetSecret, "s"); d.Allowed || d.Reason != "ForbiddenByRbac" {
		t.Errorf("rbac vault honoured an access policy: %+v", d)
	}
	if d := MustData(t, a, user(bob), v, scopevault.OpGetSecret, "s"); !d.Allowed || d.Model != "rbac" {
		t.Errorf("rbac vault refused a role assignment: %+v", d)
	}
	v.EnableRBACAuthorization = false
	if d := MustData(t, a, user(alice), v, scopevault.OpGetSecret, "s"); !d.Allowed || d.Model != "accesspolicy" {
		t.Errorf("access-policy vault refused its policy: %+v", d)
	}
	if d := MustData(t, a, user(bob), v, scopevault.OpGetSecret, "s"); d.Allowed || d.Reason != "AccessDenied" {
		t.Errorf("access-policy vault honoured a role assignment: %+v", d)
	}
}
