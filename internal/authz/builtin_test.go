package authz_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
)

var (
	readMetadataOps = []scopevault.Operation{
		scopevault.OpListSecrets, scopevault.OpListSecretVersions,
		scopevault.OpListDeletedSecrets, scopevault.OpGetDeletedSecret,
	}
	getAndMetadataOps = append([]scopevault.Operation{scopevault.OpGetSecret}, readMetadataOps...)
	allSecretOps      = sortedOps()
)

// wantSecretOps is the hand-written matrix: which secret operations each
// built-in role allows on an RBAC vault when assigned at the vault.
var wantSecretOps = map[string][]scopevault.Operation{
	"Key Vault Administrator":                  allSecretOps,
	"Key Vault Secrets Officer":                allSecretOps,
	"Key Vault Secrets User":                   getAndMetadataOps,
	"Key Vault Certificate User":               getAndMetadataOps,
	"Key Vault Reader":                         readMetadataOps,
	"Key Vault Contributor":                    nil,
	"Key Vault Data Access Administrator":      nil,
	"Key Vault Purge Operator":                 nil,
	"Key Vault Certificates Officer":           nil,
	"Key Vault Crypto Officer":                 nil,
	"Key Vault Crypto User":                    nil,
	"Key Vault Crypto Service Encryption User": nil,
	"Key Vault Crypto Service Release User":    nil,
	"Owner":                                    nil,
	"Contributor":                              nil,
	"Reader":                                   nil,
	"User Access Administrator":                nil,
	"Role Based Access Control Administrator":  nil,
}

func sortedOps() []scopevault.Operation {
	ops := make([]scopevault.Operation, 0, len(scopevault.Operations))
	for op := range scopevault.Operations {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i] < ops[j] })
	return ops
}

// specRoles reads the role names and ids straight from the JSON, so a role
// added to the spec without a row in the matrix fails the test.
func specRoles(tb testing.TB) []struct{ RoleName, ID string } {
	tb.Helper()
	raw, err := os.ReadFile("builtin_roles.json")
	if err != nil {
		tb.Fatal(err)
	}
	var f struct {
		Roles []struct{ RoleName, ID string } `json:"roles"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		tb.Fatal(err)
	}
	return f.Roles
}

func TestBuiltinRoleSecretMatrix(t *testing.T) {
	a, _ := MustAuthorizer(t)
	v := rbacVault()
	for i, r := range specRoles(t) {
		want, ok := wantSecretOps[r.RoleName]
		if !ok {
			t.Errorf("role %q has no row in wantSecretOps", r.RoleName)
			continue
		}
		// One principal per role, so roles cannot leak into each other's rows.
		principal := fmt.Sprintf("cccccccc-0000-0000-0000-%012d", i)
		MustAssign(t, a, r.ID, principal, v.ResourceID())
		for _, op := range allSecretOps {
			t.Run(r.RoleName+"/"+string(op), func(t *testing.T) {
				d := MustData(t, a, user(principal), v, op, "app-secret")
				got, want := d.Allowed, slices.Contains(want, op)
				if got != want {
					t.Errorf("allowed = %v, want %v (rule %q)", got, want, d.Rule)
				}
			})
		}
	}
}

func TestBuiltinRolesExposed(t *testing.T) {
	a, _ := MustAuthorizer(t)
	ctx := context.Background()
	roles := authz.BuiltinRoles()
	if got, want := len(roles), len(specRoles(t)); got != want {
		t.Fatalf("len(BuiltinRoles()) = %d, want %d", got, want)
	}
	for _, r := range roles {
		if !r.BuiltIn || !slices.Equal(r.AssignableScopes, []string{"/"}) {
			t.Errorf("%s: BuiltIn=%v AssignableScopes=%v", r.RoleName, r.BuiltIn, r.AssignableScopes)
		}
		got, err := a.GetRole(ctx, "/subscriptions/"+sub+"/providers/Microsoft.Authorization/roleDefinitions/"+r.ID)
		if err != nil || got.RoleName != r.RoleName {
			t.Errorf("GetRole(%s) = %q, %v", r.ID, got.RoleName, err)
		}
	}
	for name, id := range map[string]string{
		"owner": authz.RoleOwner, "CONTRIBUTOR": authz.RoleContributor, "Reader": authz.RoleReader,
		"User Access Administrator": authz.RoleUserAccessAdministrator, "key vault secrets user": authz.RoleKeyVaultSecretsUser,
		"Key Vault Administrator": authz.RoleKeyVaultAdministrator, "Key Vault Contributor": authz.RoleKeyVaultContributor,
		"Key Vault Reader": authz.RoleKeyVaultReader, "Key Vault Secrets Officer": authz.RoleKeyVaultSecretsOfficer,
		"Key Vault Data Access Administrator":     authz.RoleKeyVaultDataAccessAdmin,
		"Role Based Access Control Administrator": authz.RoleRBACAdministrator,
	} {
		r, err := a.RoleByName(ctx, name)
		if err != nil || r.ID != id {
			t.Errorf("RoleByName(%q) = %s, %v; want %s", name, r.ID, err, id)
		}
	}
}

// The spec file carries annotations inside action lists; they must not
// survive as patterns, and a prose value must grant nothing.
func TestBuiltinAnnotationsCleaned(t *testing.T) {
	a, _ := MustAuthorizer(t)
	ctx := context.Background()
	purge, err := a.GetRole(ctx, "a68e7c17-0ab2-4c09-9a58-125dae29748c")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := purge.Permissions[0].Actions, []string{"Microsoft.KeyVault/locations/deletedVaults/purge/action"}; !slices.Equal(got, want) {
		t.Errorf("Purge Operator actions = %q, want %q", got, want)
	}
	contrib, _ := a.GetRole(ctx, authz.RoleContributor)
	for _, p := range contrib.Permissions[0].NotActions {
		if p == "" || p[0] == '(' {
			t.Errorf("Contributor notActions keeps annotation %q", p)
		}
	}
	rbacAdmin, _ := a.GetRole(ctx, authz.RoleRBACAdministrator)
	if got := rbacAdmin.Permissions[0].Actions; len(got) != 0 {
		t.Errorf("RBAC Administrator actions = %q, want none (UNCONFIRMED in spec)", got)
	}
}
