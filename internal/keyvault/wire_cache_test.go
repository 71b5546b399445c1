package keyvault_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/secrets"
)

// TestWireCachesTakeEffectNextRequest: the data plane's caches (verified
// tokens, group memberships, the RBAC snapshot, sealed secrets) never
// outlive a change. Each case warms every cache with a GET, makes one
// change, and the very next GET over the wire must see it.
func TestWireCachesTakeEffectNextRequest(t *testing.T) {
	ctx := context.Background()
	w := MustWire(t)
	q := "?api-version=" + defaultAPIVersion
	tests := []struct {
		name string
		// change is made after a successful GET of secret "s" (value "v1")
		// by sp, who reads through a group's Key Vault Secrets User role.
		change     func(t *testing.T, v *scopevault.Vault, sp principal, group, assignment string)
		wantStatus int
		wantValue  string
		wantCode   string
	}{
		{name: "ok/value-written-read-back", change: func(t *testing.T, v *scopevault.Vault, _ principal, _, _ string) {
			w.MustSet(t, v, "s", secrets.SetParams{Value: "v2"})
		}, wantStatus: 200, wantValue: "v2"},
		{name: "ok/unrelated-write-keeps-answer", change: func(t *testing.T, v *scopevault.Vault, _ principal, _, _ string) {
			w.MustSet(t, v, "other", secrets.SetParams{Value: "x"})
		}, wantStatus: 200, wantValue: "v1"},
		{name: "secret-deleted", change: func(t *testing.T, v *scopevault.Vault, _ principal, _, _ string) {
			w.MustDelete(t, v, "s")
		}, wantStatus: 404, wantCode: "SecretNotFound"},
		{name: "secret-purged", change: func(t *testing.T, v *scopevault.Vault, _ principal, _, _ string) {
			w.MustDelete(t, v, "s")
			if err := w.srv.Engine.Purge(ctx, v, "s"); err != nil {
				t.Fatal(err)
			}
		}, wantStatus: 404, wantCode: "SecretNotFound"},
		{name: "secret-disabled", change: func(t *testing.T, v *scopevault.Vault, _ principal, _, _ string) {
			off := false
			if _, _, err := w.srv.Engine.Update(ctx, v, "s", "", secrets.UpdateParams{Attributes: scopevault.SecretAttributes{Enabled: &off}}); err != nil {
				t.Fatal(err)
			}
		}, wantStatus: 403, wantCode: "Forbidden"},
		{name: "role-assignment-removed", change: func(t *testing.T, _ *scopevault.Vault, _ principal, _, assignment string) {
			if _, err := w.srv.Authz.DeleteAssignment(ctx, assignment); err != nil {
				t.Fatal(err)
			}
		}, wantStatus: 403, wantCode: "Forbidden"},
		{name: "group-membership-removed", change: func(t *testing.T, _ *scopevault.Vault, sp principal, group, _ string) {
			if err := w.srv.Identity.RemoveMember(ctx, w.srv.Boot.TenantID, group, sp.ObjectID); err != nil {
				t.Fatal(err)
			}
		}, wantStatus: 403, wantCode: "Forbidden"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, base := w.MustVault(t, "kv-cache-"+string(rune('a'+i)), nil)
			w.MustSet(t, v, "s", secrets.SetParams{Value: "v1"})
			sp := w.MustSP(t, "", "")
			group, err := w.srv.Identity.CreateGroup(ctx, w.srv.Boot.TenantID, "readers-"+v.Name)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.srv.Identity.AddMember(ctx, w.srv.Boot.TenantID, group.ObjectID, sp.ObjectID); err != nil {
				t.Fatal(err)
			}
			ra, _, err := w.srv.Authz.CreateAssignment(ctx, scopevault.RoleAssignment{Name: scopevault.NewGUID(), Scope: v.ResourceID(),
				RoleDefinitionID: authz.RoleKeyVaultSecretsUser, PrincipalID: group.ObjectID, PrincipalType: scopevault.KindGroup})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // the second GET is served from the warm caches
				if r := w.Do(t, "GET", base+"/secrets/s"+q, sp.token, nil); r.status != http.StatusOK {
					t.Fatalf("warm-up GET: HTTP %d %s", r.status, r.body)
				}
			}
			tt.change(t, v, sp, group.ObjectID, ra.Name)
			r := w.Do(t, "GET", base+"/secrets/s"+q, sp.token, nil)
			if r.status != tt.wantStatus {
				t.Fatalf("GET after the change: HTTP %d, want %d: %s", r.status, tt.wantStatus, r.body)
			}
			if tt.wantCode != "" {
				if code, _, _ := r.errorOf(t); code != tt.wantCode {
					t.Fatalf("error code %q, want %q: %s", code, tt.wantCode, r.body)
				}
				return
			}
			var got struct{ Value string }
			r.JSON(t, &got)
			if got.Value != tt.wantValue {
				t.Fatalf("value %q, want %q", got.Value, tt.wantValue)
			}
		})
	}
}
