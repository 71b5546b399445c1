package workspace_test

import (
	"context"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/workspace"
)

// The scope get's budget: through a Key Vault-backed scope it must reach
// at least 0.8 of a direct vault GET's throughput. Compare
//
//	go test ./internal/workspace -run '^$' -bench 'Get(Direct|KeyVault|Databricks)'
//
// When nothing changed, a scope get runs no store transaction of its own:
// scopes and ACLs come from the workspace's snapshot, the vault from the
// Key Vault engine's index, AzureDatabricks from the per-tenant cache; only
// the vault GET (or the Databricks-backed value) reads the store.

// BenchmarkVaultGetDirect is what the Key Vault wire does for a GET: the
// shared access path's decision, then the read.
func BenchmarkVaultGetDirect(b *testing.B) {
	f, v, dbx := mustBenchKeyVault(b)
	ctx := context.Background()
	for b.Loop() {
		vv, err := f.vaults.Vault(ctx, v.Name)
		if err != nil {
			b.Fatal(err)
		}
		d, err := f.svc.Access.CheckVault(ctx, dbx, vv, scopevault.OpGetSecret, "db-password")
		if err != nil || !d.Allowed {
			b.Fatalf("%+v %v", d, err)
		}
		if _, err := f.vaults.Get(ctx, vv, "db-password", ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScopeGetKeyVault is secrets/get through a Key Vault-backed scope
// by a user holding READ through a group.
func BenchmarkScopeGetKeyVault(b *testing.B) {
	f, _, _ := mustBenchKeyVault(b)
	ctx := context.Background()
	for b.Loop() {
		if _, _, err := f.svc.GetSecret(ctx, f.bob, "kv", "db-password"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScopeGetDatabricks is secrets/get through a Databricks-backed
// scope by a user holding READ through a group.
func BenchmarkScopeGetDatabricks(b *testing.B) {
	f := mustScopeFixture(b, "premium")
	ctx := context.Background()
	f.mustScope(b, f.admin, workspace.NewScope{Name: "dbx"})
	f.mustPut(b, f.admin, "dbx", "db-password", testValue)
	f.mustACL(b, f.admin, "dbx", "data", "READ")
	for b.Loop() {
		if _, _, err := f.svc.GetSecret(ctx, f.bob, "dbx", "db-password"); err != nil {
			b.Fatal(err)
		}
	}
}

// mustBenchKeyVault is a workspace with an RBAC vault, an AZURE_KEYVAULT
// scope "kv" over it readable by the group "data", and AzureDatabricks
// holding Key Vault Secrets User on the vault.
func mustBenchKeyVault(b *testing.B) (*scopeFixture, *scopevault.Vault, *scopevault.Caller) {
	b.Helper()
	f := mustScopeFixture(b, "premium")
	ctx := context.Background()
	v := f.mustVault(b, "kv-bench", true)
	f.mustScope(b, f.entraAdmin(b, readerRoleID), workspace.NewScope{Name: "kv", Backend: "AZURE_KEYVAULT",
		KeyVault: &scopevault.KeyVaultMetadata{ResourceID: v.ResourceID(), DNSName: "https://kv-bench.vault.azure.net/"}})
	f.mustACL(b, f.admin, "kv", "data", "READ")
	p, err := f.id.PrincipalByAppID(ctx, f.ws.TenantID, scopevault.AzureDatabricksAppID)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := f.authz.CreateAssignment(ctx, scopevault.RoleAssignment{Name: scopevault.NewGUID(), Scope: v.ResourceID(),
		RoleDefinitionID: kvSecretsUserRoleID, PrincipalID: p.ObjectID, PrincipalType: scopevault.KindServicePrincipal}); err != nil {
		b.Fatal(err)
	}
	dbx := &scopevault.Caller{TenantID: f.ws.TenantID, ObjectID: p.ObjectID, AppID: p.AppID, Issuer: identity.Issuer(f.ws.TenantID), Kind: scopevault.KindServicePrincipal}
	return f, v, dbx
}
