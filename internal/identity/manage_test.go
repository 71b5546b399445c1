package identity_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
)

// Deleting a managed identity revokes its header, frees its app id and
// takes it out of its groups; anything else is not a managed identity.
func TestDeleteManagedIdentity(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	MustTenant(t, e.svc)
	mi, header, err := e.svc.CreateManagedIdentity(ctx, tenantA, "worker")
	if err != nil {
		t.Fatal(err)
	}
	g, err := e.svc.CreateGroup(ctx, tenantA, "team")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AddMember(ctx, tenantA, g.ObjectID, mi.ObjectID); err != nil {
		t.Fatal(err)
	}
	sp, _, err := e.svc.CreateServicePrincipal(ctx, tenantA, "app")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteManagedIdentity(ctx, tenantA, sp.ObjectID); scopevault.ErrorCodeOf(err) != scopevault.EINVALID {
		t.Fatalf("deleting a service principal as a managed identity: %v", err)
	}
	if err := e.svc.DeleteManagedIdentity(ctx, tenantA, mi.ObjectID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ManagedIdentityToken(ctx, header, "https://vault.azure.net", "", ""); scopevault.ErrorCodeOf(err) != scopevault.EUNAUTHORIZED {
		t.Fatalf("header after delete: %v", err)
	}
	for name, err := range map[string]error{
		"by object id": func() error { _, err := e.svc.GetPrincipal(ctx, tenantA, mi.ObjectID); return err }(),
		"by app id":    func() error { _, err := e.svc.PrincipalByAppID(ctx, tenantA, mi.AppID); return err }(),
	} {
		if scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
			t.Errorf("lookup %s after delete: %v", name, err)
		}
	}
	g, err = e.svc.GetPrincipal(ctx, tenantA, g.ObjectID)
	if err != nil || slices.Contains(g.Members, mi.ObjectID) {
		t.Fatalf("group still lists the deleted identity: %v %v", g.Members, err)
	}
}

func TestRemoveMemberAndClientSecret(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	MustTenant(t, e.svc)
	sp, first, err := e.svc.CreateServicePrincipal(ctx, tenantA, "app")
	if err != nil {
		t.Fatal(err)
	}
	g, err := e.svc.CreateGroup(ctx, tenantA, "team")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AddMember(ctx, tenantA, g.ObjectID, sp.ObjectID); err != nil {
		t.Fatal(err)
	}
	second, cred, err := e.svc.AddClientSecret(ctx, tenantA, sp.ObjectID, "second", t0.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		do   func() error
		want scopevault.ErrorCode
	}{
		{"ok/remove-member", func() error { return e.svc.RemoveMember(ctx, tenantA, g.ObjectID, sp.ObjectID) }, ""},
		{"fail/not-a-member", func() error { return e.svc.RemoveMember(ctx, tenantA, g.ObjectID, sp.ObjectID) }, scopevault.ENOTFOUND},
		{"fail/not-a-group", func() error { return e.svc.RemoveMember(ctx, tenantA, sp.ObjectID, g.ObjectID) }, scopevault.EINVALID},
		{"ok/remove-secret", func() error { return e.svc.RemoveClientSecret(ctx, tenantA, sp.ObjectID, cred.KeyID) }, ""},
		{"fail/secret-gone", func() error { return e.svc.RemoveClientSecret(ctx, tenantA, sp.ObjectID, cred.KeyID) }, scopevault.ENOTFOUND},
		{"fail/group-has-no-secrets", func() error { return e.svc.RemoveClientSecret(ctx, tenantA, g.ObjectID, cred.KeyID) }, scopevault.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if got := scopevault.ErrorCodeOf(err); err != nil && got != tc.want || err == nil && tc.want != "" {
				t.Fatalf("err = %v, want code %q", err, tc.want)
			}
		})
	}
	if groups, _ := e.svc.GroupsOf(ctx, tenantA, sp.ObjectID); len(groups) != 0 {
		t.Errorf("GroupsOf after removal = %v", groups)
	}
	if _, err := e.svc.ClientCredentials(ctx, tenantA, sp.AppID, second, "https://vault.azure.net/.default"); err == nil {
		t.Error("a removed secret still authenticates")
	}
	if _, err := e.svc.ClientCredentials(ctx, tenantA, sp.AppID, first, "https://vault.azure.net/.default"); err != nil {
		t.Errorf("the remaining secret no longer authenticates: %v", err)
	}
}

func TestCheckMailNickname(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"ok/plain", "kv-readers", true},
		{"ok/64-characters", strings.Repeat("a", 64), true},
		{"fail/empty", "", false},
		{"fail/65-characters", strings.Repeat("a", 65), false},
		{"fail/space", "kv readers", false},
		{"fail/at-sign", "a@b", false},
		{"fail/bracket", "a[b]", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := identity.CheckMailNickname(tc.in); (err == nil) != tc.ok {
				t.Fatalf("CheckMailNickname(%q) = %v", tc.in, err)
			}
		})
	}
}
