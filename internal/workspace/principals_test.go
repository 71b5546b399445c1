package workspace_test

import (
	"context"
	"slices"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/workspace"
)

func TestPrincipals(t *testing.T) {
	f := mustFixture(t)
	ctx := context.Background()
	admin := f.mustCaller(t, f.pat)
	create := func(t *testing.T, np workspace.NewPrincipal) *scopevault.WorkspacePrincipal {
		t.Helper()
		p, err := f.svc.CreatePrincipal(ctx, admin, np)
		if err != nil {
			t.Fatalf("create %+v: %v", np, err)
		}
		return p
	}
	bob := create(t, workspace.NewPrincipal{Kind: scopevault.WorkspaceUser, Name: "bob@example.com"})
	inner := create(t, workspace.NewPrincipal{Kind: scopevault.WorkspaceGroup, DisplayName: "inner", Members: []string{bob.ID}})
	outer := create(t, workspace.NewPrincipal{Kind: scopevault.WorkspaceGroup, DisplayName: "outer", Members: []string{inner.ID}})
	sp := create(t, workspace.NewPrincipal{Kind: scopevault.WorkspaceServicePrincipal, DisplayName: "managed"})

	t.Run("ok/nested-groups", func(t *testing.T) {
		d, err := f.svc.Directory(ctx, f.ws)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := d.Groups(bob.ID), []string{"inner", "outer", "users"}; !slices.Equal(got, want) {
			t.Fatalf("groups %v, want %v", got, want)
		}
		if p := d.Lookup("OUTER"); p == nil || p.ID != outer.ID {
			t.Fatalf("lookup outer = %v", p)
		}
		if p := d.Lookup(sp.Name); p == nil || p.Kind != scopevault.WorkspaceServicePrincipal {
			t.Fatalf("lookup sp = %v", p)
		}
		if !scopevault.ValidGUID(sp.Name) {
			t.Fatalf("a Databricks-managed service principal gets a generated application id, got %q", sp.Name)
		}
	})
	t.Run("ok/cycle", func(t *testing.T) {
		if _, err := f.svc.PatchGroup(ctx, admin, inner.ID, workspace.GroupPatch{Add: []string{outer.ID}}); err != nil {
			t.Fatal(err)
		}
		d, _ := f.svc.Directory(ctx, f.ws)
		if got := d.Groups(bob.ID); !slices.Equal(got, []string{"inner", "outer", "users"}) {
			t.Fatalf("groups %v", got)
		}
	})
	t.Run("ok/admin-through-group", func(t *testing.T) {
		d, _ := f.svc.Directory(ctx, f.ws)
		admins := d.ByName(scopevault.WorkspaceGroup, "admins")
		if _, err := f.svc.PatchGroup(ctx, admin, admins.ID, workspace.GroupPatch{Add: []string{outer.ID}}); err != nil {
			t.Fatal(err)
		}
		d, _ = f.svc.Directory(ctx, f.ws)
		if !d.Admin(bob.ID) {
			t.Fatal("bob is not an admin through outer")
		}
		if _, err := f.svc.PatchGroup(ctx, admin, admins.ID, workspace.GroupPatch{Remove: []string{outer.ID}}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ok/rename", func(t *testing.T) {
		g, err := f.svc.PatchGroup(ctx, admin, outer.ID, workspace.GroupPatch{DisplayName: "Outer2"})
		if err != nil || g.Name != "Outer2" {
			t.Fatalf("rename: %v %+v", err, g)
		}
		d, _ := f.svc.Directory(ctx, f.ws)
		if d.ByName(scopevault.WorkspaceGroup, "outer") != nil || d.ByName(scopevault.WorkspaceGroup, "outer2") == nil {
			t.Fatal("name index not moved")
		}
	})

	nonAdmin := &scopevault.WorkspaceCaller{Workspace: f.ws, Principal: bob, Groups: []string{"users"}}
	for _, tc := range []struct {
		name   string
		err    func() error
		code   scopevault.ErrorCode
		reason string
	}{
		{"fail/duplicate-user", func() error {
			_, err := f.svc.CreatePrincipal(ctx, admin, workspace.NewPrincipal{Kind: scopevault.WorkspaceUser, Name: "BOB@example.com"})
			return err
		}, scopevault.ECONFLICT, "RESOURCE_ALREADY_EXISTS"},
		{"fail/duplicate-builtin", func() error {
			_, err := f.svc.CreatePrincipal(ctx, admin, workspace.NewPrincipal{Kind: scopevault.WorkspaceGroup, DisplayName: "admins"})
			return err
		}, scopevault.ECONFLICT, "RESOURCE_ALREADY_EXISTS"},
		{"fail/empty-username", func() error {
			_, err := f.svc.CreatePrincipal(ctx, admin, workspace.NewPrincipal{Kind: scopevault.WorkspaceUser, Name: " "})
			return err
		}, scopevault.EINVALID, "INVALID_PARAMETER_VALUE"},
		{"fail/bad-appid", func() error {
			_, err := f.svc.CreatePrincipal(ctx, admin, workspace.NewPrincipal{Kind: scopevault.WorkspaceServicePrincipal, Name: "not-a-guid"})
			return err
		}, scopevault.EINVALID, "INVALID_PARAMETER_VALUE"},
		{"fail/unknown-member", func() error {
			_, err := f.svc.CreatePrincipal(ctx, admin, workspace.NewPrincipal{Kind: scopevault.WorkspaceGroup, DisplayName: "g", Members: []string{"123"}})
			return err
		}, scopevault.ENOTFOUND, "RESOURCE_DOES_NOT_EXIST"},
		{"fail/non-admin-create", func() error {
			_, err := f.svc.CreatePrincipal(ctx, nonAdmin, workspace.NewPrincipal{Kind: scopevault.WorkspaceUser, Name: "eve@example.com"})
			return err
		}, scopevault.EFORBIDDEN, "PERMISSION_DENIED"},
		{"fail/non-admin-delete", func() error {
			return f.svc.DeletePrincipal(ctx, nonAdmin, scopevault.WorkspaceUser, bob.ID)
		}, scopevault.EFORBIDDEN, "PERMISSION_DENIED"},
		{"fail/delete-wrong-kind", func() error {
			return f.svc.DeletePrincipal(ctx, admin, scopevault.WorkspaceGroup, bob.ID)
		}, scopevault.ENOTFOUND, "RESOURCE_DOES_NOT_EXIST"},
		{"fail/self-member", func() error {
			_, err := f.svc.PatchGroup(ctx, admin, inner.ID, workspace.GroupPatch{Add: []string{inner.ID}})
			return err
		}, scopevault.EINVALID, "INVALID_PARAMETER_VALUE"},
		{"fail/empty-admins", func() error {
			d, _ := f.svc.Directory(ctx, f.ws)
			empty := []string{}
			_, err := f.svc.PatchGroup(ctx, admin, d.ByName(scopevault.WorkspaceGroup, "admins").ID, workspace.GroupPatch{Replace: &empty})
			return err
		}, scopevault.EINVALID, "INVALID_PARAMETER_VALUE"},
		{"fail/rename-builtin", func() error {
			d, _ := f.svc.Directory(ctx, f.ws)
			_, err := f.svc.PatchGroup(ctx, admin, d.ByName(scopevault.WorkspaceGroup, "users").ID, workspace.GroupPatch{DisplayName: "everyone"})
			return err
		}, scopevault.EINVALID, "INVALID_PARAMETER_VALUE"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.err(), tc.code, tc.reason) })
	}

	t.Run("ok/delete-leaves-groups", func(t *testing.T) {
		if err := f.svc.DeletePrincipal(ctx, admin, scopevault.WorkspaceUser, bob.ID); err != nil {
			t.Fatal(err)
		}
		d, _ := f.svc.Directory(ctx, f.ws)
		if g := d.Principal(inner.ID); g == nil || slices.Contains(g.Members, bob.ID) {
			t.Fatalf("inner = %+v", g)
		}
	})
}

func TestTokenQuota(t *testing.T) {
	f := mustFixture(t)
	ctx := context.Background()
	f.svc.TokenQuota = 5
	c := f.mustCaller(t, f.pat)
	for i := 1; i < 5; i++ { // the bootstrap token is the first
		if _, _, err := f.svc.CreateToken(ctx, c, 0, ""); err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
	}
	_, _, err := f.svc.CreateToken(ctx, c, 0, "")
	wantErr(t, err, scopevault.EINVALID, "QUOTA_EXCEEDED")
}
