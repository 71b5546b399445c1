package workspace

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/access"
	"github.com/scopevault/scopevault/internal/audit"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

const (
	roleOwner          = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	roleReader         = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	roleKVSecretsUser  = "4633458b-17de-408a-b874-0445c86b69e6"
	kvTestPasswordText = "kv-backed-password-value"
)

// kvFixture is the engine over real SQLite with a directory, an authorizer,
// the shared access path and two vaults: one RBAC, one with access policies.
type kvFixture struct {
	svc            *Service
	rbac, policies *scopevault.Vault
	ws             *scopevault.Workspace
	owner, reader  *scopevault.WorkspaceCaller
	dbx            *scopevault.Principal
}

func mustKVFixture(t *testing.T) *kvFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "scopevault.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := barrier.Open(ctx, st, barrier.NewMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	id, err := identity.New(ctx, st, b)
	if err != nil {
		t.Fatal(err)
	}
	az := authz.New(st, b)
	tid, sub := scopevault.NewGUID(), scopevault.NewGUID()
	if _, err := id.EnsureTenant(ctx, tid, "test"); err != nil {
		t.Fatal(err)
	}
	vaults := secrets.New(st, b)
	svc := New(st, b)
	svc.Identity, svc.Authz, svc.Vaults = id, az, vaults
	svc.Access = &access.Pipeline{Verifier: id, Authorizer: az}
	f := &kvFixture{svc: svc, ws: &scopevault.Workspace{Name: "ws1", SubscriptionID: sub, ResourceGroup: "rg", TenantID: tid, SKU: "premium", WorkspaceID: 1234567890123456}}
	for _, v := range []**scopevault.Vault{&f.rbac, &f.policies} {
		rbac := v == &f.rbac
		name := map[bool]string{true: "kv-rbac", false: "kv-policies"}[rbac]
		if *v, err = vaults.CreateVault(ctx, scopevault.Vault{Name: name, SubscriptionID: sub, ResourceGroup: "rg", Location: "eastus",
			TenantID: tid, SKU: "standard", EnableRBACAuthorization: rbac}); err != nil {
			t.Fatal(err)
		}
		if _, err := vaults.Set(ctx, *v, "db-password", secrets.SetParams{Value: kvTestPasswordText}); err != nil {
			t.Fatal(err)
		}
	}
	caller := func(role string) *scopevault.WorkspaceCaller {
		p, _, err := id.CreateServicePrincipal(ctx, tid, "creator-"+role[:4])
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := az.CreateAssignment(ctx, scopevault.RoleAssignment{Name: scopevault.NewGUID(), Scope: "/subscriptions/" + sub,
			RoleDefinitionID: role, PrincipalID: p.ObjectID, PrincipalType: scopevault.KindServicePrincipal}); err != nil {
			t.Fatal(err)
		}
		e := &scopevault.Caller{TenantID: tid, ObjectID: p.ObjectID, AppID: p.AppID, Issuer: identity.Issuer(tid), Kind: scopevault.KindServicePrincipal}
		return &scopevault.WorkspaceCaller{Workspace: f.ws, Principal: &scopevault.WorkspacePrincipal{Name: p.AppID}, Groups: []string{"users"}, Entra: e}
	}
	f.owner, f.reader = caller(roleOwner), caller(roleReader)
	if f.dbx, err = id.PrincipalByAppID(ctx, tid, scopevault.AzureDatabricksAppID); err != nil {
		t.Fatal(err)
	}
	return f
}

// records keeps audit records in memory.
type records struct {
	mu  sync.Mutex
	all []audit.Record
}

func (r *records) Record(rec audit.Record) {
	r.mu.Lock()
	r.all = append(r.all, rec)
	r.mu.Unlock()
}

func meta(v *scopevault.Vault, dns string) *scopevault.KeyVaultMetadata {
	return &scopevault.KeyVaultMetadata{ResourceID: v.ResourceID(), DNSName: dns}
}

func wantErr(t *testing.T, err error, code, contains string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s %q", code, contains)
	}
	if got := scopevault.ErrorReasonOf(err); got != code || !strings.Contains(scopevault.ErrorMessageOf(err), contains) {
		t.Fatalf("error %s %q, want %s containing %q", got, scopevault.ErrorMessageOf(err), code, contains)
	}
	if strings.Contains(err.Error(), kvTestPasswordText) {
		t.Fatal("an error carries the secret's value")
	}
}

func TestPrepareKeyVaultScopeRefusals(t *testing.T) {
	f := mustKVFixture(t)
	pat := *f.owner
	pat.Entra = nil
	other := *f.rbac
	other.ResourceGroup = "other-rg"
	tests := []struct {
		name     string
		caller   *scopevault.WorkspaceCaller
		meta     *scopevault.KeyVaultMetadata
		code     string
		contains string
	}{
		{"fail/personal-access-token", &pat, meta(f.rbac, "https://kv-rbac.vault.azure.net/"), "INVALID_PARAMETER_VALUE", "Scope with Azure KeyVault must have userAADToken defined!"},
		{"fail/no-metadata", f.owner, nil, "INVALID_PARAMETER_VALUE", "must have AzureKeyVaultSecretScopeMetadata defined!"},
		{"fail/bad-resource-id", f.owner, &scopevault.KeyVaultMetadata{ResourceID: "kv-rbac", DNSName: "https://kv-rbac.vault.azure.net/"}, "INVALID_PARAMETER_VALUE", "is not valid"},
		{"fail/no-such-vault", f.owner, &scopevault.KeyVaultMetadata{ResourceID: strings.Replace(f.rbac.ResourceID(), "kv-rbac", "kv-none", 1), DNSName: "https://kv-none.vault.azure.net/"}, "INVALID_PARAMETER_VALUE", "does not exist"},
		{"fail/wrong-group", f.owner, meta(&other, "https://kv-rbac.vault.azure.net/"), "INVALID_PARAMETER_VALUE", "does not exist"},
		{"fail/dns-of-another-vault", f.owner, meta(f.rbac, "https://kv-policies.vault.azure.net/"), "INVALID_PARAMETER_VALUE", "use https://kv-rbac.vault.azure.net/"},
		{"fail/dns-not-https", f.owner, meta(f.rbac, "http://kv-rbac.vault.azure.net/"), "INVALID_PARAMETER_VALUE", "is not the Azure KeyVault"},
		{"fail/policies-without-rights", f.reader, meta(f.policies, "https://kv-policies.vault.azure.net/"), "PERMISSION_DENIED",
			"Unable to grant read/list permission to Databricks service principal to KeyVault 'https://kv-policies.vault.azure.net/': Unknown error with status code 403"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.prepareKeyVaultScope(context.Background(), tt.caller, tt.meta)
			wantErr(t, err, tt.code, tt.contains)
		})
	}
}

// On an RBAC vault scope creation grants nothing: the read is refused with
// the vault's own ForbiddenByRbac, quoted in PERMISSION_DENIED, until
// AzureDatabricks holds Key Vault Secrets User.
func TestKeyVaultScopeOnRBACVault(t *testing.T) {
	f := mustKVFixture(t)
	ctx := context.Background()
	rec := &records{}
	f.svc.Audit = rec
	// Both URL forms name the vault: Azure's and the local address.
	for _, dns := range []string{"https://kv-rbac.vault.azure.net/", "https://" + f.rbac.Address + ":8443/"} {
		if _, err := f.svc.prepareKeyVaultScope(ctx, f.reader, meta(f.rbac, dns)); err != nil {
			t.Fatalf("prepare with %s: %v", dns, err)
		}
	}
	sc := &scopevault.SecretScope{Name: "my-keyvault-scope", Backend: scopevault.BackendAzureKeyVault, KeyVault: meta(f.rbac, "https://kv-rbac.vault.azure.net/")}
	_, err := f.svc.keyVaultGet(ctx, sc, "db-password")
	wantErr(t, err, "PERMISSION_DENIED", "Invalid permissions on the specified KeyVault https://kv-rbac.vault.azure.net/. Wrapped Message: Status code 403, ")
	for _, want := range []string{`"innererror":{"code":"ForbiddenByRbac"}`, "appid=" + scopevault.AzureDatabricksAppID, "secrets/getSecret/action"} {
		if !strings.Contains(scopevault.ErrorMessageOf(err), want) {
			t.Errorf("denial lacks %q: %s", want, scopevault.ErrorMessageOf(err))
		}
	}
	_, err = f.svc.keyVaultList(ctx, sc)
	wantErr(t, err, "PERMISSION_DENIED", "ForbiddenByRbac")

	if _, _, err := f.svc.Authz.CreateAssignment(ctx, scopevault.RoleAssignment{Name: scopevault.NewGUID(), Scope: f.rbac.ResourceID(),
		RoleDefinitionID: roleKVSecretsUser, PrincipalID: f.dbx.ObjectID, PrincipalType: scopevault.KindServicePrincipal}); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.keyVaultGet(ctx, sc, "db-password")
	if err != nil || string(got) != kvTestPasswordText {
		t.Fatalf("get after the grant: %v", err)
	}
	list, err := f.svc.keyVaultList(ctx, sc)
	if err != nil || len(list) != 1 || list[0].Key != "db-password" || list[0].Updated.IsZero() {
		t.Fatalf("list after the grant: %+v %v", list, err)
	}

	// The secret's own states, as Databricks surfaces the vault's answers.
	_, err = f.svc.keyVaultGet(ctx, sc, "no-such-secret")
	wantErr(t, err, "RESOURCE_DOES_NOT_EXIST", "Secret does not exist with scope: my-keyvault-scope and key: no-such-secret")
	_, err = f.svc.keyVaultGet(ctx, sc, "not_a_vault_name")
	wantErr(t, err, "INVALID_PARAMETER_VALUE", "Key Vault secret names")
	off := false
	if _, _, err := f.svc.Vaults.Update(ctx, f.rbac, "db-password", "", secrets.UpdateParams{Attributes: scopevault.SecretAttributes{Enabled: &off}}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.keyVaultGet(ctx, sc, "db-password")
	wantErr(t, err, "PERMISSION_DENIED", `"innererror":{"code":"SecretDisabled"}`)

	// The vault's side of each read is audited as a Key Vault call by
	// AzureDatabricks, with the decision and the rule that made it.
	var lines []string
	for _, r := range rec.all {
		if r.Service != "keyvault" || r.AppID != scopevault.AzureDatabricksAppID || r.Principal != f.dbx.ObjectID || r.Vault != "kv-rbac" {
			t.Errorf("record %+v", r)
		}
		lines = append(lines, fmt.Sprintf("%s %s %d %s %s", r.Action, r.Key, r.Status, r.Decision, r.ErrorCode))
	}
	want := []string{"GetSecret db-password 403 deny ForbiddenByRbac", "ListSecrets  403 deny ForbiddenByRbac",
		"GetSecret db-password 200 allow ", "ListSecrets  200 allow ", "GetSecret no-such-secret 404 allow SecretNotFound",
		"GetSecret db-password 403 allow SecretDisabled"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit records:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// On an access-policy vault, creation by someone who may write the vault's
// policies grants AzureDatabricks get and list, and the read works at once.
func TestKeyVaultScopeOnAccessPolicyVault(t *testing.T) {
	f := mustKVFixture(t)
	ctx := context.Background()
	sc := &scopevault.SecretScope{Name: "ap-scope", Backend: scopevault.BackendAzureKeyVault, KeyVault: meta(f.policies, "https://kv-policies.vault.azure.net/")}
	_, err := f.svc.keyVaultGet(ctx, sc, "db-password")
	wantErr(t, err, "PERMISSION_DENIED", `"innererror":{"code":"AccessDenied"}`)
	for range 2 { // a second scope over the same vault keeps one policy
		if _, err := f.svc.prepareKeyVaultScope(ctx, f.owner, sc.KeyVault); err != nil {
			t.Fatal(err)
		}
	}
	v, err := f.svc.Vaults.Vault(ctx, f.policies.Name)
	if err != nil {
		t.Fatal(err)
	}
	var granted [][]string
	for _, p := range v.AccessPolicies {
		if p.ObjectID == f.dbx.ObjectID {
			granted = append(granted, p.Permissions.Secrets)
		}
	}
	if len(granted) != 1 || strings.Join(granted[0], ",") != "get,list" {
		t.Fatalf("AzureDatabricks policies: %v", granted)
	}
	got, err := f.svc.keyVaultGet(ctx, sc, "db-password")
	if err != nil || string(got) != kvTestPasswordText {
		t.Fatalf("get: %v", err)
	}
}

func FuzzParseVaultID(f *testing.F) {
	f.Add("/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1")
	f.Add("/subscriptions//resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1/")
	f.Add("//////////")
	f.Fuzz(func(t *testing.T, id string) {
		sub, group, name, ok := parseVaultID(id)
		if ok && (sub == "" || group == "" || !scopevault.ValidVaultName(name)) {
			t.Fatalf("accepted %q as %q %q %q", id, sub, group, name)
		}
	})
}
