package authz_test

import (
	"context"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
)

// Seeded grants (the bootstrap admin's) ignore the propagation delay, even
// one configured after they were made; CreateAssignment cannot seed.
func TestSeedAssignmentSkipsPropagationDelay(t *testing.T) {
	ctx := context.Background()
	a, _ := MustAuthorizer(t)
	seeded, _, err := a.SeedAssignment(ctx, scopevault.RoleAssignment{
		Name: "00000000-0000-4000-8000-000000005eed", Scope: subScope(), RoleDefinitionID: authz.RoleOwner, PrincipalID: alice,
	})
	if err != nil || !seeded.Seeded {
		t.Fatalf("SeedAssignment: %+v, %v", seeded, err)
	}
	forged, _, err := a.CreateAssignment(ctx, scopevault.RoleAssignment{
		Name: "00000000-0000-4000-8000-0000000f0e6e", Scope: subScope(), RoleDefinitionID: authz.RoleOwner, PrincipalID: bob, Seeded: true,
	})
	if err != nil || forged.Seeded {
		t.Fatalf("CreateAssignment kept Seeded: %+v, %v", forged, err)
	}
	a.PropagationDelay = time.Hour
	for _, tc := range []struct {
		name string
		who  string
		want bool
	}{
		{"ok/seeded-is-effective", alice, true},
		{"fail/created-waits-for-the-delay", bob, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := MustMgmt(t, a, user(tc.who), "Microsoft.KeyVault/vaults/write", vaultScope()).Allowed
			if got != tc.want {
				t.Fatalf("allowed = %v, want %v", got, tc.want)
			}
		})
	}
}
