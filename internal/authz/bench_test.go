package authz_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
)

// BenchmarkAuthorizeData: a data-plane decision with few and with many role
// assignments in the subscription (others' assignments must not cost), in
// parallel so that contention on the snapshot shows.
func BenchmarkAuthorizeData(b *testing.B) {
	for _, others := range []int{10, 1000} {
		a, _ := MustAuthorizer(b)
		// The server's clock: the test clock's mutex would be contention
		// of the benchmark's own making.
		a.Now = time.Now
		v := rbacVault()
		for i := range others {
			MustAssign(b, a, authz.RoleKeyVaultSecretsUser, fmt.Sprintf("cccccccc-0000-0000-0000-%012d", i), v.ResourceID())
		}
		MustAssign(b, a, authz.RoleKeyVaultSecretsUser, alice, v.ResourceID())
		MustAssign(b, a, authz.RoleKeyVaultSecretsUser, team, v.ResourceID())
		cases := []struct {
			name  string
			c     *scopevault.Caller
			allow bool
		}{
			{"direct", &scopevault.Caller{TenantID: tenant, ObjectID: alice}, true},
			{"group", &scopevault.Caller{TenantID: tenant, ObjectID: bob, GroupIDs: []string{team}}, true},
			{"denied", &scopevault.Caller{TenantID: tenant, ObjectID: bob}, false},
		}
		for _, tc := range cases {
			b.Run(fmt.Sprintf("%d-assignments/%s", others, tc.name), func(b *testing.B) {
				if d := MustData(b, a, tc.c, v, scopevault.OpGetSecret, "db"); d.Allowed != tc.allow {
					b.Fatalf("allowed = %v, want %v (%s)", d.Allowed, tc.allow, d.Rule)
				}
				b.ReportAllocs()
				b.ResetTimer() // the setup above is not the measure
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := a.AuthorizeData(context.Background(), tc.c, v, scopevault.OpGetSecret, "db"); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
	b.Run("access-policy", func(b *testing.B) {
		a, _ := MustAuthorizer(b)
		v := apVault(scopevault.AccessPolicy{TenantID: tenant, ObjectID: alice, Permissions: scopevault.Permissions{Secrets: []string{"get"}}})
		c := &scopevault.Caller{TenantID: tenant, ObjectID: alice}
		b.ReportAllocs()
		for b.Loop() {
			if d := MustData(b, a, c, v, scopevault.OpGetSecret, "db"); !d.Allowed {
				b.Fatal("denied")
			}
		}
	})
}
