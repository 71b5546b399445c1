package workspace_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/access"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/store"
	"github.com/scopevault/scopevault/internal/store/sqlite"
	"github.com/scopevault/scopevault/internal/workspace"
)

// countingStore counts the transactions run on a real store.
type countingStore struct {
	store.Store
	views, updates atomic.Int64
}

func (s *countingStore) View(ctx context.Context, fn func(store.Tx) error) error {
	s.views.Add(1)
	return s.Store.View(ctx, fn)
}

func (s *countingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	s.updates.Add(1)
	return s.Store.Update(ctx, fn)
}

// When nothing changed, a scope get runs exactly one store transaction:
// the Databricks-backed value's read, or the vault GET's own. Scopes,
// ACLs, the vault and AzureDatabricks come from caches.
func TestScopeGetTransactions(t *testing.T) {
	ctx := context.Background()
	raw, err := sqlite.Open(filepath.Join(t.TempDir(), "scopevault.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	st := &countingStore{Store: raw}
	b, err := barrier.Open(ctx, st, barrier.NewMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	id, err := identity.New(ctx, st, b)
	if err != nil {
		t.Fatal(err)
	}
	tid := scopevault.NewGUID()
	if _, err := id.EnsureTenant(ctx, tid, "test"); err != nil {
		t.Fatal(err)
	}
	az := authz.New(st, b)
	vaults := secrets.New(st, b)
	svc := workspace.New(st, b)
	svc.Identity, svc.Authz, svc.Vaults = id, az, vaults
	svc.Access = &access.Pipeline{Verifier: id, Authorizer: az}
	ws := &scopevault.Workspace{Name: "ws1", SubscriptionID: scopevault.NewGUID(), ResourceGroup: "rg", TenantID: tid, SKU: "premium", WorkspaceID: 7}
	sp, _, err := id.CreateServicePrincipal(ctx, tid, "admin")
	if err != nil {
		t.Fatal(err)
	}
	pat, err := svc.BootstrapAdmin(ctx, ws, sp)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := svc.Authenticate(ctx, ws, pat)
	if err != nil {
		t.Fatal(err)
	}
	v, err := vaults.CreateVault(ctx, scopevault.Vault{Name: "kv-tx", SubscriptionID: ws.SubscriptionID, ResourceGroup: "rg", Location: "eastus", TenantID: tid, SKU: "standard", EnableRBACAuthorization: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vaults.Set(ctx, v, "db-password", secrets.SetParams{Value: testValue}); err != nil {
		t.Fatal(err)
	}
	dbx, err := id.PrincipalByAppID(ctx, tid, scopevault.AzureDatabricksAppID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := az.CreateAssignment(ctx, scopevault.RoleAssignment{Name: scopevault.NewGUID(), Scope: v.ResourceID(),
		RoleDefinitionID: kvSecretsUserRoleID, PrincipalID: dbx.ObjectID, PrincipalType: scopevault.KindServicePrincipal}); err != nil {
		t.Fatal(err)
	}
	creator := *admin
	creator.Entra = &scopevault.Caller{TenantID: tid, ObjectID: sp.ObjectID, AppID: sp.AppID, Issuer: identity.Issuer(tid), Kind: scopevault.KindServicePrincipal}
	if _, err := svc.CreateScope(ctx, &creator, workspace.NewScope{Name: "kv", Backend: "AZURE_KEYVAULT",
		KeyVault: &scopevault.KeyVaultMetadata{ResourceID: v.ResourceID(), DNSName: "https://kv-tx.vault.azure.net/"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateScope(ctx, admin, workspace.NewScope{Name: "dbx"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutSecret(ctx, admin, "dbx", "db-password", []byte(testValue)); err != nil {
		t.Fatal(err)
	}
	// A Databricks-backed get reads its sealed value in one view; a Key
	// Vault-backed get of an unchanged secret is served by the engine's read
	// cache of sealed records, with no transaction at all.
	for scope, wantViews := range map[string]int64{"dbx": 1, "kv": 0} {
		t.Run("ok/"+scope, func(t *testing.T) {
			// Warm the caches (the directory and the scopes are rebuilt after
			// the writes above).
			if _, err := svc.Authenticate(ctx, ws, pat); err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.GetSecret(ctx, admin, scope, "db-password"); err != nil {
				t.Fatal(err)
			}
			views, updates := st.views.Load(), st.updates.Load()
			if _, err := svc.Authenticate(ctx, ws, pat); err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.GetSecret(ctx, admin, scope, "db-password"); err != nil {
				t.Fatal(err)
			}
			if got := st.views.Load() - views; got != wantViews {
				t.Errorf("views per authenticated get: %d, want %d", got, wantViews)
			}
			if got := st.updates.Load() - updates; got != 0 {
				t.Errorf("updates per get: %d, want 0", got)
			}
		})
	}
}
