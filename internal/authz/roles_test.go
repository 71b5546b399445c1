package authz_test

import (
	"context"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
)

func TestCustomRoles(t *testing.T) {
	a, _ := MustAuthorizer(t)
	ctx := context.Background()
	const id = "dddddddd-0000-0000-0000-0000000000c1"
	def := scopevault.RoleDefinition{
		ID: "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + id, RoleName: "Secret Lister",
		AssignableScopes: []string{rgScope()}, BuiltIn: true, // BuiltIn must be ignored
		Permissions: []scopevault.Permission{{DataActions: []string{"Microsoft.KeyVault/vaults/secrets/readMetadata/action"}}},
	}
	got, created, err := a.CreateOrUpdateRole(ctx, def)
	if err != nil || !created || got.ID != id || got.BuiltIn {
		t.Fatalf("create = %+v, created=%v, err=%v", got, created, err)
	}
	def.Description = "lists secrets"
	if _, created, err := a.CreateOrUpdateRole(ctx, def); err != nil || created {
		t.Fatalf("update: created=%v err=%v", created, err)
	}
	if r, err := a.RoleByName(ctx, "secret LISTER"); err != nil || r.Description != "lists secrets" {
		t.Errorf("RoleByName = %+v, %v", r, err)
	}
	if rs, err := a.ListRoles(ctx, "Secret Lister"); err != nil || len(rs) != 1 {
		t.Errorf("ListRoles(filter) = %d roles, %v", len(rs), err)
	}
	if rs, _ := a.ListRoles(ctx, ""); len(rs) != len(authz.BuiltinRoles())+1 {
		t.Errorf("ListRoles() = %d roles, want builtins+1", len(rs))
	}

	// Assignable only within its assignable scopes.
	MustAssign(t, a, id, alice, vaultScope())
	_, _, err = a.CreateAssignment(ctx, scopevault.RoleAssignment{Name: "dddddddd-0000-0000-0000-0000000000a1", Scope: subScope(), RoleDefinitionID: id, PrincipalID: alice})
	if scopevault.ErrorReasonOf(err) != "RoleDefinitionDoesNotExist" {
		t.Errorf("assign above assignable scope: err = %v", err)
	}
	if d := MustData(t, a, user(alice), rbacVault(), scopevault.OpListSecrets, ""); !d.Allowed {
		t.Errorf("custom role did not grant: %+v", d)
	}

	_, err = a.DeleteRole(ctx, id)
	if scopevault.ErrorReasonOf(err) != "RoleDefinitionHasAssignments" {
		t.Errorf("delete with assignments: err = %v", err)
	}
	if _, err := a.DeleteAssignmentsUnder(ctx, "/"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DeleteRole(ctx, id); err != nil {
		t.Fatalf("DeleteRole: %v", err)
	}
	if _, err := a.GetRole(ctx, id); scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		t.Errorf("GetRole after delete: err = %v", err)
	}
}

func TestCustomRoleErrors(t *testing.T) {
	a, _ := MustAuthorizer(t)
	ctx := context.Background()
	ok := scopevault.RoleDefinition{ID: "dddddddd-0000-0000-0000-0000000000c2", RoleName: "Mine", AssignableScopes: []string{"/"}}
	for _, tc := range []struct {
		name       string
		edit       func(*scopevault.RoleDefinition)
		wantReason string
	}{
		{"fail/RoleDefinitionIsBuiltIn", func(d *scopevault.RoleDefinition) { d.ID = authz.RoleOwner }, "RoleDefinitionIsBuiltIn"},
		{"fail/RoleDefinitionWithSameNameExists", func(d *scopevault.RoleDefinition) { d.RoleName = "key vault READER" }, "RoleDefinitionWithSameNameExists"},
		{"fail/InvalidRoleDefinitionId", func(d *scopevault.RoleDefinition) { d.ID = "../assignments/x" }, "InvalidRoleDefinitionId"},
		{"fail/InvalidRoleDefinition/no-name", func(d *scopevault.RoleDefinition) { d.RoleName = " " }, "InvalidRoleDefinition"},
		{"fail/InvalidRoleDefinition/no-scope", func(d *scopevault.RoleDefinition) { d.AssignableScopes = nil }, "InvalidRoleDefinition"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := ok
			tc.edit(&d)
			_, _, err := a.CreateOrUpdateRole(ctx, d)
			if got := scopevault.ErrorReasonOf(err); got != tc.wantReason {
				t.Errorf("reason = %q, want %q (err %v)", got, tc.wantReason, err)
			}
		})
	}
	if _, err := a.DeleteRole(ctx, authz.RoleReader); scopevault.ErrorReasonOf(err) != "RoleDefinitionIsBuiltIn" {
		t.Errorf("DeleteRole(builtin): err = %v", err)
	}
	if _, err := a.RoleByName(ctx, "No Such Role"); scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		t.Errorf("RoleByName(missing): err = %v", err)
	}
	// Returned definitions are copies: mutating one must not change the next read.
	r, _ := a.GetRole(ctx, authz.RoleOwner)
	r.Permissions[0].Actions[0] = "nothing"
	if r2, _ := a.GetRole(ctx, authz.RoleOwner); r2.Permissions[0].Actions[0] != "*" {
		t.Error("GetRole returned shared state")
	}
}
