package authz_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/store"
)

func TestCreateAssignment(t *testing.T) {
	a, clk := MustAuthorizer(t)
	ctx := context.Background()
	v := rbacVault()
	ra := scopevault.RoleAssignment{
		Name:             "5A1B2C3D-0000-4000-8000-000000000001",
		Scope:            v.ResourceID() + "/",
		RoleDefinitionID: "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + authz.RoleKeyVaultSecretsUser,
		PrincipalID:      alice,
		PrincipalType:    scopevault.KindServicePrincipal,
		Created:          time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), // must be ignored
	}
	got, created, err := a.CreateAssignment(ctx, ra)
	if err != nil || !created {
		t.Fatalf("create: created=%v err=%v", created, err)
	}
	if got.Name != strings.ToLower(ra.Name) || got.RoleDefinitionID != authz.RoleKeyVaultSecretsUser ||
		got.Scope != v.ResourceID() || !got.Created.Equal(clk.Now()) {
		t.Errorf("created = %+v", got)
	}

	clk.Advance(time.Hour)
	again := ra
	again.Scope = strings.ToUpper(v.ResourceID())
	again.Description = "databricks"
	got2, created, err := a.CreateAssignment(ctx, again)
	if err != nil || created {
		t.Fatalf("idempotent re-put: created=%v err=%v", created, err)
	}
	if got2.Description != "databricks" || !got2.Created.Equal(got.Created) || got2.Scope != got.Scope {
		t.Errorf("re-put = %+v, want description updated and Created/Scope kept", got2)
	}

	for _, tc := range []struct {
		name       string
		edit       func(*scopevault.RoleAssignment)
		wantCode   scopevault.ErrorCode
		wantReason string
	}{
		{"fail/RoleAssignmentExists", func(r *scopevault.RoleAssignment) { r.Name = "5a1b2c3d-0000-4000-8000-000000000002" }, scopevault.ECONFLICT, "RoleAssignmentExists"},
		{"fail/RoleAssignmentUpdateNotPermitted", func(r *scopevault.RoleAssignment) { r.PrincipalID = bob }, scopevault.ECONFLICT, "RoleAssignmentUpdateNotPermitted"},
		{"fail/RoleDefinitionDoesNotExist", func(r *scopevault.RoleAssignment) {
			r.Name, r.RoleDefinitionID = "5a1b2c3d-0000-4000-8000-000000000003", "eeeeeeee-0000-0000-0000-000000000000"
		}, scopevault.EINVALID, "RoleDefinitionDoesNotExist"},
		{"fail/InvalidRoleAssignmentId", func(r *scopevault.RoleAssignment) { r.Name = "../../core/keyring" }, scopevault.EINVALID, "InvalidRoleAssignmentId"},
		{"fail/InvalidScope", func(r *scopevault.RoleAssignment) {
			r.Name, r.Scope = "5a1b2c3d-0000-4000-8000-000000000004", "subscriptions/x"
		}, scopevault.EINVALID, "InvalidScope"},
		{"fail/InvalidPrincipalId", func(r *scopevault.RoleAssignment) { r.Name, r.PrincipalID = "5a1b2c3d-0000-4000-8000-000000000005", "" }, scopevault.EINVALID, "InvalidPrincipalId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ra
			tc.edit(&r)
			_, _, err := a.CreateAssignment(ctx, r)
			if got, want := scopevault.ErrorCodeOf(err), tc.wantCode; got != want {
				t.Fatalf("code = %q, want %q (err %v)", got, want, err)
			}
			if got, want := scopevault.ErrorReasonOf(err), tc.wantReason; got != want {
				t.Errorf("reason = %q, want %q", got, want)
			}
		})
	}
	if got := scopevault.ErrorMessageOf(func() error {
		r := ra
		r.Name = "5a1b2c3d-0000-4000-8000-000000000009"
		_, _, err := a.CreateAssignment(ctx, r)
		return err
	}()); got != "The role assignment already exists." {
		t.Errorf("RoleAssignmentExists message = %q", got)
	}
}

func TestGetDeleteAssignment(t *testing.T) {
	a, _ := MustAuthorizer(t)
	ctx := context.Background()
	ra := MustAssign(t, a, authz.RoleKeyVaultSecretsUser, alice, vaultScope())

	got, err := a.GetAssignment(ctx, strings.ToUpper(ra.Name))
	if err != nil || got.PrincipalID != alice {
		t.Fatalf("GetAssignment = %+v, %v", got, err)
	}
	del, err := a.DeleteAssignment(ctx, ra.Name)
	if err != nil || del.Name != ra.Name {
		t.Fatalf("DeleteAssignment = %+v, %v", del, err)
	}
	for _, fn := range []func() error{
		func() error { _, err := a.GetAssignment(ctx, ra.Name); return err },
		func() error { _, err := a.DeleteAssignment(ctx, ra.Name); return err },
		func() error { _, err := a.GetAssignment(ctx, "not-a-guid/../x"); return err },
	} {
		if err := fn(); scopevault.ErrorReasonOf(err) != "RoleAssignmentNotFound" || scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
			t.Errorf("err = %v, want ENOTFOUND RoleAssignmentNotFound", err)
		}
	}
	if MustData(t, a, user(alice), rbacVault(), scopevault.OpGetSecret, "s").Allowed {
		t.Error("deleted assignment still grants")
	}
}

func TestListAssignments(t *testing.T) {
	a, _ := MustAuthorizer(t)
	ctx := context.Background()
	secret := vaultScope() + "/secrets/s1"
	atSub := MustAssign(t, a, authz.RoleReader, alice, subScope())
	atRG := MustAssign(t, a, authz.RoleKeyVaultReader, bob, rgScope())
	atVault := MustAssign(t, a, authz.RoleKeyVaultSecretsUser, alice, vaultScope())
	atSecret := MustAssign(t, a, authz.RoleKeyVaultSecretsOfficer, bob, secret)
	other := MustAssign(t, a, authz.RoleOwner, alice, "/subscriptions/other")

	names := func(ras ...scopevault.RoleAssignment) string {
		var s []string
		for _, r := range ras {
			s = append(s, r.Name)
		}
		return strings.Join(s, ",")
	}
	for _, tc := range []struct {
		name string
		f    authz.ListFilter
		want string
	}{
		{"ok/all", authz.ListFilter{}, names(atSub, atRG, atVault, atSecret, other)},
		{"ok/by-scope-above-and-below", authz.ListFilter{Scope: strings.ToUpper(rgScope())}, names(atSub, atRG, atVault, atSecret)},
		{"ok/at-scope-and-above", authz.ListFilter{Scope: vaultScope(), AtScope: true}, names(atSub, atRG, atVault)},
		{"ok/principal", authz.ListFilter{PrincipalID: strings.ToUpper(alice)}, names(atSub, atVault, other)},
		{"ok/principal-and-scope", authz.ListFilter{Scope: vaultScope(), PrincipalID: bob}, names(atRG, atSecret)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := a.ListAssignments(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(got...); got != tc.want {
				t.Errorf("got %s\nwant %s", got, tc.want)
			}
		})
	}

	gone, err := a.DeleteAssignmentsUnder(ctx, strings.ToLower(vaultScope()))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(gone...), names(atVault, atSecret); got != want {
		t.Errorf("DeleteAssignmentsUnder removed %s, want %s", got, want)
	}
	left, _ := a.ListAssignments(ctx, authz.ListFilter{})
	if got, want := names(left...), names(atSub, atRG, other); got != want {
		t.Errorf("left %s, want %s", got, want)
	}
}

// Values go through the barrier: nothing under authz/ is stored in clear.
func TestAssignmentsAreSealed(t *testing.T) {
	a, _, st := mustAuthorizerStore(t)
	ctx := context.Background()
	MustAssign(t, a, authz.RoleKeyVaultSecretsUser, "principal-marker-7f3c", vaultScope())
	if _, _, err := a.CreateOrUpdateRole(ctx, scopevault.RoleDefinition{
		ID: "dddddddd-0000-0000-0000-00000000000f", RoleName: "role-marker-9e1d", AssignableScopes: []string{"/"}}); err != nil {
		t.Fatal(err)
	}
	var kvs []store.KV
	err := st.View(ctx, func(tx store.Tx) error {
		var err error
		kvs, err = tx.List(ctx, "", "", 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, kv := range kvs {
		if !strings.HasPrefix(kv.Key, "authz/") {
			continue
		}
		n++
		if s := string(kv.Value); strings.Contains(s, "marker") || json.Valid(kv.Value) {
			t.Errorf("%s is stored in clear: %q", kv.Key, s)
		}
	}
	if n != 2 {
		t.Errorf("found %d keys under authz/, want 2", n)
	}
}
