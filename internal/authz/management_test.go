package authz_test

import (
	"context"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
)

const (
	actVaultWrite        = "Microsoft.KeyVault/vaults/write"
	actAccessPolicyWrite = "Microsoft.KeyVault/vaults/accessPolicies/write"
	actRoleAssignWrite   = "Microsoft.Authorization/roleAssignments/write"
	actPurgeDeletedVault = "Microsoft.KeyVault/locations/deletedVaults/purge/action"
)

func TestManagementBuiltinRoles(t *testing.T) {
	v := rbacVault()
	for _, tc := range []struct {
		name   string
		role   string
		action string
		scope  string
		want   bool
	}{
		{"ok/kv-contributor-vault-write", authz.RoleKeyVaultContributor, actVaultWrite, v.ResourceID(), true},
		{"ok/kv-contributor-access-policies", authz.RoleKeyVaultContributor, actAccessPolicyWrite, v.ResourceID(), true},
		{"fail/kv-contributor-purge-subtracted", authz.RoleKeyVaultContributor, actPurgeDeletedVault, subScope(), false},
		{"fail/kv-contributor-role-assignments", authz.RoleKeyVaultContributor, actRoleAssignWrite, v.ResourceID(), false},
		{"ok/contributor-vault-write", authz.RoleContributor, actVaultWrite, v.ResourceID(), true},
		{"fail/contributor-role-assignments", authz.RoleContributor, actRoleAssignWrite, v.ResourceID(), false},
		{"fail/contributor-role-assignment-delete", authz.RoleContributor, "Microsoft.Authorization/roleAssignments/delete", v.ResourceID(), false},
		{"ok/owner-role-assignments", authz.RoleOwner, actRoleAssignWrite, v.ResourceID(), true},
		{"ok/uaa-role-assignments", authz.RoleUserAccessAdministrator, actRoleAssignWrite, v.ResourceID(), true},
		{"fail/uaa-vault-write", authz.RoleUserAccessAdministrator, actVaultWrite, v.ResourceID(), false},
		{"ok/reader-read", authz.RoleReader, "Microsoft.KeyVault/vaults/read", v.ResourceID(), true},
		{"fail/reader-write", authz.RoleReader, actVaultWrite, v.ResourceID(), false},
		// A data role grants no management action, even one spelled like its dataActions.
		{"fail/secrets-officer-vault-write", authz.RoleKeyVaultSecretsOfficer, actVaultWrite, v.ResourceID(), false},
		{"fail/admin-secret-data-as-action", authz.RoleKeyVaultAdministrator, "Microsoft.KeyVault/vaults/secrets/getSecret/action", v.ResourceID(), false},
		// Unconditional roleAssignments/write is what switching the permission model needs.
		{"fail/data-access-admin-unconditional", authz.RoleKeyVaultDataAccessAdmin, actRoleAssignWrite, v.ResourceID(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := MustAuthorizer(t)
			MustAssign(t, a, tc.role, alice, rgScope())
			d := MustMgmt(t, a, user(alice), tc.action, tc.scope)
			if got, want := d.Allowed, tc.want; got != want {
				t.Fatalf("allowed = %v, want %v (rule %q)", got, want, d.Rule)
			}
			if !d.Allowed && (d.Reason != "AuthorizationFailed" || d.Resource != tc.scope || d.Action != tc.action) {
				t.Errorf("deny = %+v", d)
			}
		})
	}
}

func TestManagementScope(t *testing.T) {
	a, _ := MustAuthorizer(t)
	v := rbacVault()
	MustAssign(t, a, authz.RoleKeyVaultContributor, alice, v.ResourceID())
	if MustMgmt(t, a, user(alice), actVaultWrite, rgScope()+"/providers/Microsoft.KeyVault/vaults/kv-other").Allowed {
		t.Error("vault-scoped assignment granted on another vault")
	}
	if MustMgmt(t, a, user(alice), actVaultWrite, rgScope()).Allowed {
		t.Error("vault-scoped assignment granted at its resource group")
	}
}

// Key Vault Data Access Administrator may assign only the Key Vault data roles.
func TestAuthorizeRoleAssignmentCondition(t *testing.T) {
	a, _ := MustAuthorizer(t)
	v := rbacVault()
	MustAssign(t, a, authz.RoleKeyVaultDataAccessAdmin, alice, v.ResourceID())
	MustAssign(t, a, authz.RoleOwner, bob, v.ResourceID())
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		who  string
		role string
		want bool
	}{
		{"ok/daa-assigns-secrets-user", alice, authz.RoleKeyVaultSecretsUser, true},
		{"ok/daa-assigns-full-id", alice, "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + authz.RoleKeyVaultAdministrator, true},
		{"fail/daa-assigns-owner", alice, authz.RoleOwner, false},
		{"fail/daa-assigns-kv-contributor", alice, authz.RoleKeyVaultContributor, false},
		{"fail/daa-empty-role", alice, "", false},
		{"ok/owner-assigns-owner", bob, authz.RoleOwner, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := a.AuthorizeRoleAssignment(ctx, user(tc.who), actRoleAssignWrite, v.ResourceID(), tc.role)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Allowed; got != tc.want {
				t.Errorf("allowed = %v, want %v (%+v)", got, tc.want, d)
			}
		})
	}
}

func TestAuthorizeNilArguments(t *testing.T) {
	a, _ := MustAuthorizer(t)
	ctx := context.Background()
	if _, err := a.AuthorizeData(ctx, nil, rbacVault(), scopevault.OpGetSecret, "s"); err == nil {
		t.Error("AuthorizeData(nil caller) returned no error")
	}
	if _, err := a.AuthorizeData(ctx, user(alice), nil, scopevault.OpGetSecret, "s"); err == nil {
		t.Error("AuthorizeData(nil vault) returned no error")
	}
	if _, err := a.AuthorizeData(ctx, user(alice), rbacVault(), "keyvault.Nope", "s"); err == nil {
		t.Error("AuthorizeData(unknown op) returned no error")
	}
	if _, err := a.AuthorizeManagement(ctx, nil, actVaultWrite, "/"); err == nil {
		t.Error("AuthorizeManagement(nil caller) returned no error")
	}
}
