package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The workflow of docs/cli.md, typed as a user would after sourcing the env file.
func TestAzScriptedWorkflow(t *testing.T) {
	e := MustAz(t)
	boot := e.srv.Boot

	acct := e.MustJSON(t, "account", "show")
	if get(acct, "id") != boot.SubscriptionID || get(acct, "tenantId") != boot.TenantID || get(acct, "user.type") != "servicePrincipal" || get(acct, "user.name") != boot.ClientID {
		t.Fatalf("account show = %v", acct)
	}
	if got := e.MustRun(t, "account", "show", "--query", "id", "-o", "tsv"); got != boot.SubscriptionID+"\n" {
		t.Errorf("account show --query id -o tsv = %q", got)
	}

	g := e.MustJSON(t, "group", "create", "-n", "rg-app", "-l", "westeurope", "--tags", "env=dev", "team=data")
	if get(g, "name") != "rg-app" || get(g, "location") != "westeurope" || get(g, "tags.team") != "data" || get(g, "properties.provisioningState") != "Succeeded" {
		t.Fatalf("group create = %v", g)
	}

	kv := e.MustJSON(t, "keyvault", "create", "-n", "kv-app", "-g", "rg-app", "--retention-days", "7")
	for k, want := range map[string]any{
		"name": "kv-app", "location": "westeurope", "resourceGroup": "rg-app", "type": "Microsoft.KeyVault/vaults",
		"properties.enableRbacAuthorization": true, "properties.softDeleteRetentionInDays": float64(7),
		"properties.tenantId": boot.TenantID, "properties.sku.name": "standard", "properties.provisioningState": "Succeeded",
	} {
		if got := get(kv, k); got != want {
			t.Errorf("keyvault create: %s = %v, want %v", k, got, want)
		}
	}
	vaultURI, _ := get(kv, "properties.vaultUri").(string)
	if !strings.HasPrefix(vaultURI, "https://127.") {
		t.Fatalf("vaultUri = %q", vaultURI)
	}
	e.MustFail(t, "already exists", "keyvault", "create", "-n", "kv-app", "-g", "rg-app")

	// Owner of the subscription holds no data role on an RBAC vault.
	e.MustFail(t, "ForbiddenByRbac", "keyvault", "secret", "set", "--vault-name", "kv-app", "-n", "db-password", "--value", "s3cr3t")

	vaultID := strings.TrimSpace(e.MustRun(t, "keyvault", "show", "-n", "kv-app", "--query", "id", "-o", "tsv"))
	if vaultID != "/subscriptions/"+boot.SubscriptionID+"/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv-app" {
		t.Fatalf("vault id = %q", vaultID)
	}
	ra := e.MustJSON(t, "role", "assignment", "create", "--assignee", boot.ClientID, "--role", "Key Vault Secrets Officer", "--scope", vaultID)
	if get(ra, "principalId") != boot.ObjectID || get(ra, "principalType") != "ServicePrincipal" || get(ra, "scope") != vaultID || get(ra, "resourceGroup") != "rg-app" {
		t.Fatalf("role assignment create = %v", ra)
	}
	e.MustFail(t, "RoleAssignmentExists", "role", "assignment", "create", "--assignee-object-id", boot.ObjectID,
		"--assignee-principal-type", "ServicePrincipal", "--role", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "--scope", vaultID)

	set := e.MustJSON(t, "keyvault", "secret", "set", "--vault-name", "kv-app", "-n", "db-password", "--value", "s3cr3t", "--tags", "a=b", "c=d")
	if get(set, "value") != "s3cr3t" || get(set, "name") != "db-password" || get(set, "tags.c") != "d" || get(set, "attributes.enabled") != true || get(set, "attributes.recoverableDays") != float64(7) {
		t.Fatalf("secret set = %v", set)
	}
	if created, _ := get(set, "attributes.created").(string); !strings.HasSuffix(created, "+00:00") {
		t.Errorf("attributes.created = %q, want az's ISO form", created)
	}
	firstID := get(set, "id").(string)
	e.MustRun(t, "keyvault", "secret", "set", "--vault-name", "kv-app", "-n", "db-password", "--value", "rotated")

	if got := e.MustRun(t, "keyvault", "secret", "show", "--vault-name", "kv-app", "-n", "db-password", "--query", "value", "-o", "tsv"); got != "rotated\n" {
		t.Errorf("secret show --query value -o tsv = %q", got)
	}
	old := e.MustJSON(t, "keyvault", "secret", "show", "--id", firstID)
	if get(old, "value") != "s3cr3t" {
		t.Errorf("secret show --id <first version> = %v", old)
	}
	version := firstID[strings.LastIndex(firstID, "/")+1:]
	if got := e.MustRun(t, "keyvault", "secret", "show", "--vault-name", "kv-app", "-n", "db-password", "--version", version, "--query", "value", "-o", "tsv"); got != "s3cr3t\n" {
		t.Errorf("secret show --version = %q", got)
	}

	pem := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(pem, []byte("-----BEGIN KEY-----\nabc\n-----END KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := e.MustJSON(t, "keyvault", "secret", "set", "--vault-name", "kv-app", "-n", "tls-key", "--file", pem, "--content-type", "application/x-pem-file")
	if get(f, "contentType") != "application/x-pem-file" || get(f, "tags.file-encoding") != "utf-8" || !strings.Contains(get(f, "value").(string), "BEGIN KEY") {
		t.Errorf("secret set --file = %v", f)
	}

	names := strings.Fields(e.MustRun(t, "keyvault", "secret", "list", "--vault-name", "kv-app", "--query", "[].name", "-o", "tsv"))
	if !slices.Equal(names, []string{"db-password", "tls-key"}) {
		t.Errorf("secret list names = %v", names)
	}
	var items []map[string]any
	if err := json.Unmarshal([]byte(e.MustRun(t, "keyvault", "secret", "list", "--vault-name", "kv-app")), &items); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if _, has := it["value"]; has {
			t.Errorf("secret list item carries a value: %v", it)
		}
	}
}

// create-for-rbac, then login as the new principal: the profile wins over
// the environment and holds no token.
func TestAzServicePrincipalLogin(t *testing.T) {
	e := MustAz(t)
	boot := e.srv.Boot
	vaultID := strings.TrimSpace(e.MustRun(t, "keyvault", "show", "-n", boot.Vault, "--query", "id", "-o", "tsv"))
	// The bootstrap admin is Key Vault Administrator of the default vault.
	e.MustRun(t, "keyvault", "secret", "set", "--vault-name", boot.Vault, "-n", "api-key", "--value", "k-123")

	out, stderr, err := e.Run(t, "ad", "sp", "create-for-rbac", "-n", "reader-app", "--role", "Key Vault Secrets User", "--scopes", vaultID)
	if err != nil {
		t.Fatalf("create-for-rbac: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "The output includes credentials that you must protect") || !strings.Contains(stderr, "Creating 'Key Vault Secrets User' role assignment") {
		t.Errorf("stderr = %q", stderr)
	}
	var sp map[string]string
	if err := json.Unmarshal([]byte(out), &sp); err != nil {
		t.Fatal(err)
	}
	if sp["displayName"] != "reader-app" || sp["tenant"] != boot.TenantID || sp["appId"] == "" || sp["password"] == "" {
		t.Fatalf("create-for-rbac = %v", sp)
	}

	login := e.MustRun(t, "login", "--service-principal", "-u", sp["appId"], "-p", sp["password"], "--tenant", sp["tenant"])
	var accounts []map[string]any
	if err := json.Unmarshal([]byte(login), &accounts); err != nil || len(accounts) != 1 || accounts[0]["isDefault"] != true {
		t.Fatalf("login printed %s (%v)", login, err)
	}
	raw, err := os.ReadFile(filepath.Join(e.cfgDir, profileFile))
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(filepath.Join(e.cfgDir, profileFile)); st.Mode().Perm() != 0o600 {
		t.Errorf("profile mode = %v, want 0600", st.Mode().Perm())
	}
	if strings.Contains(string(raw), "eyJ") || strings.Contains(string(raw), "access_token") {
		t.Errorf("the profile holds a token: %s", raw)
	}

	if got := e.MustRun(t, "account", "show", "--query", "user.name", "-o", "tsv"); got != sp["appId"]+"\n" {
		t.Errorf("account show user = %q, want the logged-in app", got)
	}
	if got := e.MustRun(t, "keyvault", "secret", "show", "--vault-name", boot.Vault, "-n", "api-key", "--query", "value", "-o", "tsv"); got != "k-123\n" {
		t.Errorf("reader reads %q", got)
	}
	e.MustFail(t, "ForbiddenByRbac", "keyvault", "secret", "set", "--vault-name", boot.Vault, "-n", "api-key", "--value", "x")
	e.MustFail(t, "Authorization_RequestDenied", "ad", "sp", "create-for-rbac", "-n", "escalate")
	e.MustFail(t, "AuthorizationFailed", "group", "create", "-n", "rg-nope", "-l", "eastus")

	e.MustRun(t, "logout")
	if got := e.MustRun(t, "account", "show", "--query", "user.name", "-o", "tsv"); got != boot.ClientID+"\n" {
		t.Errorf("after logout the environment's principal is %q", got)
	}
}

func TestAzAccessPolicyVault(t *testing.T) {
	e := MustAz(t)
	boot := e.srv.Boot
	kv := e.MustJSON(t, "keyvault", "create", "-n", "kv-legacy", "-g", boot.ResourceGroup, "--enable-rbac-authorization", "false", "--enable-purge-protection", "true")
	if get(kv, "properties.enableRbacAuthorization") != false || get(kv, "properties.enablePurgeProtection") != true {
		t.Fatalf("keyvault create = %v", kv)
	}
	pols, _ := get(kv, "properties.accessPolicies").([]any)
	if len(pols) != 1 || get(pols[0], "objectId") != boot.ObjectID {
		t.Fatalf("access policies = %v, want one for the creator", pols)
	}
	// The creator's access policy grants data access without any role assignment.
	e.MustRun(t, "keyvault", "secret", "set", "--vault-name", "kv-legacy", "-n", "s1", "--value", "v1")
	if got := e.MustRun(t, "keyvault", "secret", "show", "--vault-name", "kv-legacy", "-n", "s1", "--query", "value", "-o", "tsv"); got != "v1\n" {
		t.Errorf("secret show = %q", got)
	}
	if got := e.MustRun(t, "keyvault", "list", "--query", "length(@)"); got != "2\n" {
		t.Errorf("keyvault list length = %q", got)
	}
}

func TestAzErrors(t *testing.T) {
	e := MustAz(t)
	for _, tc := range []struct {
		name string
		want string
		args []string
	}{
		{"fail/bad-output", "invalid choice: 'xml'", []string{"group", "list", "-o", "xml"}},
		{"fail/bad-query", "invalid jmespath_type value", []string{"group", "list", "--query", "[?name=="}},
		{"fail/secret-needs-value", "usage error: --value VALUE | --file PATH", []string{"keyvault", "secret", "set", "--vault-name", "v", "-n", "s"}},
		{"fail/value-and-file", "usage error: --value VALUE | --file PATH", []string{"keyvault", "secret", "set", "--vault-name", "v", "-n", "s", "--value", "x", "--file", "f"}},
		{"fail/unknown-vault", "ResourceNotFound", []string{"keyvault", "secret", "show", "--vault-name", "kv-none", "-n", "s"}},
		{"fail/unknown-secret", "SecretNotFound", []string{"keyvault", "secret", "show", "--vault-name", e.srv.Boot.Vault, "-n", "absent"}},
		{"fail/unknown-role", "Role 'Chief' doesn't exist.", []string{"role", "assignment", "create", "--assignee", e.srv.Boot.ClientID, "--role", "Chief"}},
		{"fail/unknown-assignee", "Cannot find user or service principal", []string{"role", "assignment", "create", "--assignee", "nobody@contoso.example", "--role", "Reader"}},
		{"fail/role-without-scopes", "specify both --role and --scopes", []string{"ad", "sp", "create-for-rbac", "--role", "Reader"}},
		{"fail/bad-rbac-flag", "invalid value: 'maybe'", []string{"keyvault", "create", "-n", "kv-x", "-g", "scopevault", "--enable-rbac-authorization", "maybe"}},
		{"fail/bad-vault-name", "VaultNameNotValid", []string{"keyvault", "create", "-n", "kv--x", "-g", "scopevault"}},
		{"fail/missing-group", "ResourceGroupNotFound", []string{"keyvault", "create", "-n", "kv-x", "-g", "rg-absent"}},
		{"fail/stray-argument", "unrecognized arguments: extra", []string{"group", "list", "extra"}},
		{"fail/login-interactive", "no browser or device-code login", []string{"login"}},
		{"fail/login-unknown-tenant", "AADSTS90002", []string{"login", "-u", "a@contoso.example", "-p", "b", "--tenant", "c"}},
		{"fail/login-identity-and-password", "--identity cannot be used", []string{"login", "--identity", "-p", "x"}},
		{"fail/login-client-id-without-identity", "need --identity", []string{"login", "--client-id", "x"}},
		{"fail/login-bad-secret", "invalid_client", []string{"login", "--service-principal", "-u", e.srv.Boot.ClientID, "-p", "wrong", "--tenant", e.srv.Boot.TenantID}},
		{"fail/unknown-subscription", "Subscription 'nope' not found", []string{"group", "list", "--subscription", "nope"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.MustFail(t, tc.want, tc.args...)
		})
	}
	// The failed login saved nothing.
	if _, err := os.Stat(filepath.Join(e.cfgDir, profileFile)); !os.IsNotExist(err) {
		t.Errorf("a failed login left a profile: %v", err)
	}
}

func TestAzNotLoggedIn(t *testing.T) {
	for _, k := range []string{envURL, envARMEndpoint, envAuthority, envTenantID, envClientID, envClientSecret, envSubscription} {
		t.Setenv(k, "")
	}
	t.Setenv(envConfigDir, t.TempDir())
	_, _, err := (&azEnv{}).Run(t, "group", "list")
	if err == nil || !strings.Contains(err.Error(), "Please run 'az login'") {
		t.Fatalf("err = %v", err)
	}
}

func TestAzOutputFormats(t *testing.T) {
	e := MustAz(t)
	e.MustRun(t, "group", "create", "-n", "rg-b", "-l", "westus")
	table := e.MustRun(t, "group", "list", "-o", "table")
	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	// az's transform_resource_group_list: Name, Location, Status.
	if len(lines) != 4 || lines[0] != "Name        Location  Status" || !strings.HasPrefix(lines[1], "----------  ") || strings.Contains(table, "/subscriptions/") {
		t.Errorf("group list -o table =\n%s", table)
	}
	q := e.MustRun(t, "group", "list", "--query", "[].{Name:name, Where:location}", "-o", "table")
	if !strings.HasPrefix(q, "Name") {
		t.Errorf("a query's columns keep their order:\n%s", q)
	}
	tsv := e.MustRun(t, "group", "list", "--query", "[?name=='rg-b'].[name, location]", "-o", "tsv")
	if tsv != "rg-b\twestus\n" {
		t.Errorf("tsv = %q", tsv)
	}
	if got := e.MustRun(t, "group", "list", "-o", "none"); got != "" {
		t.Errorf("-o none printed %q", got)
	}
}
