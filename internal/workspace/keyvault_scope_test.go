package workspace_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/workspace"
)

// mustVault creates a vault of the workspace's tenant holding db-password.
func (f *scopeFixture) mustVault(tb testing.TB, name string, rbac bool) *scopevault.Vault {
	tb.Helper()
	ctx := context.Background()
	v, err := f.vaults.CreateVault(ctx, scopevault.Vault{Name: name, SubscriptionID: f.ws.SubscriptionID, ResourceGroup: "rg",
		Location: "eastus", TenantID: f.ws.TenantID, SKU: "standard", EnableRBACAuthorization: rbac})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := f.vaults.Set(ctx, v, "db-password", secrets.SetParams{Value: testValue}); err != nil {
		tb.Fatal(err)
	}
	return v
}

// entraAdmin is the workspace admin calling with an Entra token of a
// directory service principal holding role on the subscription.
func (f *scopeFixture) entraAdmin(tb testing.TB, role string) *scopevault.WorkspaceCaller {
	tb.Helper()
	ctx := context.Background()
	p, _, err := f.id.CreateServicePrincipal(ctx, f.ws.TenantID, "creator")
	if err != nil {
		tb.Fatal(err)
	}
	if _, _, err := f.authz.CreateAssignment(ctx, scopevault.RoleAssignment{Name: scopevault.NewGUID(), Scope: "/subscriptions/" + f.ws.SubscriptionID,
		RoleDefinitionID: role, PrincipalID: p.ObjectID, PrincipalType: scopevault.KindServicePrincipal}); err != nil {
		tb.Fatal(err)
	}
	c := *f.admin
	c.Entra = &scopevault.Caller{TenantID: f.ws.TenantID, ObjectID: p.ObjectID, AppID: p.AppID, Issuer: identity.Issuer(f.ws.TenantID), Kind: scopevault.KindServicePrincipal}
	return &c
}

// The seed's flow on an RBAC vault: creation adds nothing; the read is
// refused with PERMISSION_DENIED quoting the vault until AzureDatabricks
// holds Key Vault Secrets User; writes are refused; ACLs still apply.
func TestKeyVaultBackedScopeRBAC(t *testing.T) {
	f := mustScopeFixture(t, "premium")
	ctx := context.Background()
	v := f.mustVault(t, "kv-rbac", true)
	creator := f.entraAdmin(t, readerRoleID)
	ns := workspace.NewScope{Name: "my-keyvault-scope", Backend: "AZURE_KEYVAULT",
		KeyVault: &scopevault.KeyVaultMetadata{ResourceID: v.ResourceID(), DNSName: "https://kv-rbac.vault.azure.net/"}}

	_, err := f.svc.CreateScope(ctx, f.admin, ns)
	wantMessage(t, err, "INVALID_PARAMETER_VALUE", "Scope with Azure KeyVault must have userAADToken defined!")
	_, err = f.svc.CreateScope(ctx, creator, workspace.NewScope{Name: "x", Backend: "AZURE_KEYVAULT"})
	wantMessage(t, err, "INVALID_PARAMETER_VALUE", "Scope with Azure KeyVault must have AzureKeyVaultSecretScopeMetadata defined!")
	f.mustScope(t, creator, ns)
	if got, _ := f.vaults.Vault(ctx, v.Name); len(got.AccessPolicies) != 0 {
		t.Fatalf("an RBAC vault got policies: %+v", got.AccessPolicies)
	}
	scopes, err := f.svc.ListScopes(ctx, f.bob)
	if err != nil || len(scopes) != 1 || scopes[0].Backend != scopevault.BackendAzureKeyVault || *scopes[0].KeyVault != *ns.KeyVault {
		t.Fatalf("scopes %+v %v", scopes, err)
	}

	_, d, err := f.svc.GetSecret(ctx, f.admin, "my-keyvault-scope", "db-password")
	if scopevault.ErrorReasonOf(err) != "PERMISSION_DENIED" || d.Allowed || !strings.Contains(d.Rule, "Key Vault refused") {
		t.Fatalf("get before the role: %+v %v", d, err)
	}
	msg := scopevault.ErrorMessageOf(err)
	for _, want := range []string{"Invalid permissions on the specified KeyVault https://kv-rbac.vault.azure.net/. Wrapped Message: Status code 403, ",
		`"innererror":{"code":"ForbiddenByRbac"}`, "appid=" + scopevault.AzureDatabricksAppID} {
		if !strings.Contains(msg, want) {
			t.Fatalf("denial lacks %q: %s", want, msg)
		}
	}
	_, _, err = f.svc.ListSecrets(ctx, f.admin, "my-keyvault-scope")
	if scopevault.ErrorReasonOf(err) != "PERMISSION_DENIED" {
		t.Fatalf("list before the role: %v", err)
	}

	dbx, err := f.id.PrincipalByAppID(ctx, f.ws.TenantID, scopevault.AzureDatabricksAppID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.authz.CreateAssignment(ctx, scopevault.RoleAssignment{Name: scopevault.NewGUID(), Scope: v.ResourceID(),
		RoleDefinitionID: kvSecretsUserRoleID, PrincipalID: dbx.ObjectID, PrincipalType: scopevault.KindServicePrincipal}); err != nil {
		t.Fatal(err)
	}
	got, d, err := f.svc.GetSecret(ctx, f.admin, "MY-KEYVAULT-SCOPE", "db-password")
	if err != nil || string(got) != testValue || !d.Allowed {
		t.Fatalf("get after the role: %+v %v", d, err)
	}
	list, _, err := f.svc.ListSecrets(ctx, f.admin, "my-keyvault-scope")
	if err != nil || len(list) != 1 || list[0].Key != "db-password" || !list[0].Updated.Equal(f.clock.Now()) {
		t.Fatalf("list after the role: %+v %v", list, err)
	}
	// Databricks ACLs still apply before the vault is asked.
	_, _, err = f.svc.GetSecret(ctx, f.bob, "my-keyvault-scope", "db-password")
	wantMessage(t, err, "PERMISSION_DENIED", "User bob@example.com does not have READ permission on scope my-keyvault-scope to perform this action.")
	// Read-only through Databricks.
	_, err = f.svc.PutSecret(ctx, f.admin, "my-keyvault-scope", "api-key", []byte("x"))
	wantMessage(t, err, "BAD_REQUEST", "Scope my-keyvault-scope is backed by Azure Key Vault and is read-only through Databricks: write or delete its secrets in the Key Vault.")
	_, err = f.svc.DeleteSecret(ctx, f.admin, "my-keyvault-scope", "db-password")
	wantMessage(t, err, "BAD_REQUEST", "Scope my-keyvault-scope is backed by Azure Key Vault and is read-only through Databricks: write or delete its secrets in the Key Vault.")
	_, _, err = f.svc.GetSecret(ctx, f.admin, "my-keyvault-scope", "missing")
	wantMessage(t, err, "RESOURCE_DOES_NOT_EXIST", "Secret does not exist with scope: my-keyvault-scope and key: missing")
	// The vault's secret states, as Databricks surfaces them: an expired
	// secret is returned and listed, a disabled one is the vault's 403
	// wrapped, a deleted one does not exist.
	past := f.clock.Now().Add(-time.Hour)
	off := false
	for name, attrs := range map[string]scopevault.SecretAttributes{"expired": {Expires: &past}, "disabled": {Enabled: &off}, "deleted": {}} {
		if _, err := f.vaults.Set(ctx, v, name, secrets.SetParams{Value: testValue, Attributes: attrs}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.vaults.Delete(ctx, v, "deleted"); err != nil {
		t.Fatal(err)
	}
	if got, _, err := f.svc.GetSecret(ctx, f.admin, "my-keyvault-scope", "expired"); err != nil || string(got) != testValue {
		t.Fatalf("expired: %v", err)
	}
	_, _, err = f.svc.GetSecret(ctx, f.admin, "my-keyvault-scope", "disabled")
	if scopevault.ErrorReasonOf(err) != "PERMISSION_DENIED" || !strings.Contains(scopevault.ErrorMessageOf(err), `"innererror":{"code":"SecretDisabled"}`) {
		t.Fatalf("disabled: %v", err)
	}
	_, _, err = f.svc.GetSecret(ctx, f.admin, "my-keyvault-scope", "deleted")
	wantMessage(t, err, "RESOURCE_DOES_NOT_EXIST", "Secret does not exist with scope: my-keyvault-scope and key: deleted")
	list, _, err = f.svc.ListSecrets(ctx, f.admin, "my-keyvault-scope")
	var keys []string
	for _, m := range list {
		keys = append(keys, m.Key)
	}
	if err != nil || strings.Join(keys, ",") != "db-password,disabled,expired" {
		t.Fatalf("list %v %v", keys, err)
	}
	// Deleting the scope leaves the vault's secret alone.
	if _, err := f.svc.DeleteScope(ctx, f.admin, "my-keyvault-scope"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.vaults.Get(ctx, v, "db-password", ""); err != nil {
		t.Fatalf("the vault's secret went with the scope: %v", err)
	}
}

// On an access-policy vault, creation by someone who may write the vault's
// policies adds get and list for AzureDatabricks; anyone else is refused
// with Databricks' "Unable to grant" error and no scope is created.
func TestKeyVaultBackedScopeAccessPolicy(t *testing.T) {
	f := mustScopeFixture(t, "premium")
	ctx := context.Background()
	v := f.mustVault(t, "kv-policies", false)
	ns := workspace.NewScope{Name: "ap-scope", Backend: "azure_keyvault",
		KeyVault: &scopevault.KeyVaultMetadata{ResourceID: strings.ToLower(v.ResourceID()), DNSName: "https://" + v.Address + ":8443"}}

	_, err := f.svc.CreateScope(ctx, f.entraAdmin(t, readerRoleID), ns)
	wantMessage(t, err, "PERMISSION_DENIED", "Unable to grant read/list permission to Databricks service principal to KeyVault 'https://"+v.Address+":8443': Unknown error with status code 403")
	if scopes, _ := f.svc.ListScopes(ctx, f.admin); len(scopes) != 0 {
		t.Fatalf("a refused creation left %+v", scopes)
	}
	f.mustScope(t, f.entraAdmin(t, ownerRoleID), ns)
	got, _, err := f.svc.GetSecret(ctx, f.admin, "ap-scope", "db-password")
	if err != nil || string(got) != testValue {
		t.Fatalf("get: %v", err)
	}
}
