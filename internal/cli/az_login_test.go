package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mustProfile reads the saved az login profile, checking it is private and
// holds no token.
func (e *azEnv) mustProfile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(e.cfgDir, profileFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("profile mode = %v, want 0600", st.Mode().Perm())
	}
	if strings.Contains(string(raw), "eyJ") || strings.Contains(string(raw), "access_token") {
		t.Errorf("the profile holds a token: %s", raw)
	}
	return string(raw)
}

// A user created with az signs in with a password (the password grant
// through az's public client) and works with the roles granted to it.
func TestAzUserLogin(t *testing.T) {
	e := MustAz(t)
	boot := e.srv.Boot
	const upn, password = "alice@contoso.example", "Correct-Horse-7"
	user := e.MustJSON(t, "ad", "user", "create", "--display-name", "Alice", "--user-principal-name", upn, "--password", password)
	aliceID, _ := user["id"].(string)
	if !guidRE.MatchString(aliceID) || user["userPrincipalName"] != upn || user["displayName"] != "Alice" {
		t.Fatalf("ad user create = %v", user)
	}
	if strings.Contains(e.MustRun(t, "ad", "user", "create", "--display-name", "Bob", "--user-principal-name", "bob@contoso.example", "--password", "pw-Bob-1"), "pw-Bob-1") {
		t.Error("ad user create echoes the password")
	}
	e.MustFail(t, "userPrincipalName already exists", "ad", "user", "create", "--display-name", "Alice2", "--user-principal-name", upn, "--password", "x")
	e.MustRun(t, "role", "assignment", "create", "--assignee", upn, "--role", "Reader", "-o", "none")
	vaultID := strings.TrimSpace(e.MustRun(t, "keyvault", "show", "-n", boot.Vault, "--query", "id", "-o", "tsv"))
	e.MustRun(t, "role", "assignment", "create", "--assignee", upn, "--role", "Key Vault Secrets User", "--scope", vaultID, "-o", "none")
	e.MustRun(t, "keyvault", "secret", "set", "--vault-name", boot.Vault, "-n", "api-key", "--value", "k-1", "-o", "none")

	e.MustFail(t, "AADSTS50126", "login", "-u", upn, "-p", "wrong-password")
	if _, err := os.Stat(filepath.Join(e.cfgDir, profileFile)); !os.IsNotExist(err) {
		t.Fatalf("a failed login left a profile: %v", err)
	}
	var accounts []map[string]any
	if err := json.Unmarshal([]byte(e.MustRun(t, "login", "-u", upn, "-p", password)), &accounts); err != nil || len(accounts) != 1 {
		t.Fatalf("login printed %v (%v)", accounts, err)
	}
	if get(accounts[0], "user.name") != upn || get(accounts[0], "user.type") != "user" || accounts[0]["tenantId"] != boot.TenantID || accounts[0]["isDefault"] != true {
		t.Errorf("login account = %v", accounts[0])
	}
	if prof := e.mustProfile(t); !strings.Contains(prof, `"kind": "user"`) {
		t.Errorf("profile = %s", prof)
	}
	if got := e.MustRun(t, "account", "show", "--query", "[user.name, user.type]", "-o", "tsv"); got != upn+"\nuser\n" {
		t.Errorf("account show user = %q", got)
	}
	if got := e.MustRun(t, "keyvault", "secret", "show", "--vault-name", boot.Vault, "-n", "api-key", "--query", "value", "-o", "tsv"); got != "k-1\n" {
		t.Errorf("alice reads %q", got)
	}
	e.MustFail(t, "ForbiddenByRbac", "keyvault", "secret", "set", "--vault-name", boot.Vault, "-n", "api-key", "--value", "x")
	e.MustFail(t, "AuthorizationFailed", "group", "create", "-n", "rg-alice", "-l", "eastus")

	// An access-policy vault names the creator's object id, read from the
	// token (the admin creates it; alice gets a policy by UPN).
	e.MustRun(t, "logout")
	e.MustRun(t, "keyvault", "create", "-n", "kv-ap", "-g", boot.ResourceGroup, "--enable-rbac-authorization", "false", "-o", "none")
	e.MustRun(t, "keyvault", "set-policy", "-n", "kv-ap", "--upn", upn, "--secret-permissions", "get", "list", "-o", "none")
	e.MustRun(t, "keyvault", "secret", "set", "--vault-name", "kv-ap", "-n", "s", "--value", "ap", "-o", "none")
	e.MustRun(t, "login", "-u", upn, "-p", password, "--tenant", boot.TenantID, "-o", "none")
	if got := e.MustRun(t, "keyvault", "secret", "show", "--vault-name", "kv-ap", "-n", "s", "--query", "value", "-o", "tsv"); got != "ap\n" {
		t.Errorf("alice reads %q through her access policy", got)
	}
	e.MustFail(t, "AccessDenied", "keyvault", "secret", "set", "--vault-name", "kv-ap", "-n", "s", "--value", "x")
}

// az login --identity signs in through the App Service managed identity
// protocol (IDENTITY_ENDPOINT, IDENTITY_HEADER); the header is never saved.
func TestAzManagedIdentityLogin(t *testing.T) {
	e := MustAz(t)
	boot := e.srv.Boot
	// Setup: a managed identity is created where the app runs, not with az.
	mi, header, err := e.srv.Identity.CreateManagedIdentity(t.Context(), boot.TenantID, "app-mi")
	if err != nil {
		t.Fatal(err)
	}
	e.MustRun(t, "role", "assignment", "create", "--assignee-object-id", mi.ObjectID, "--assignee-principal-type", "ServicePrincipal",
		"--role", "Reader", "--scope", "/subscriptions/"+boot.SubscriptionID, "-o", "none")
	vaultID := strings.TrimSpace(e.MustRun(t, "keyvault", "show", "-n", boot.Vault, "--query", "id", "-o", "tsv"))
	e.MustRun(t, "role", "assignment", "create", "--assignee", mi.AppID, "--role", "Key Vault Secrets User", "--scope", vaultID, "-o", "none")
	e.MustRun(t, "keyvault", "secret", "set", "--vault-name", boot.Vault, "-n", "conn", "--value", "c-1", "-o", "none")

	e.MustFail(t, "IDENTITY_ENDPOINT and IDENTITY_HEADER must be set", "login", "--identity")
	t.Setenv(envIdentityEndpoint, strings.TrimSuffix(e.env["SCOPEVAULT_URL"], "/")+"/msi/token")
	t.Setenv(envIdentityHeader, header)

	var accounts []map[string]any
	if err := json.Unmarshal([]byte(e.MustRun(t, "login", "--identity")), &accounts); err != nil || len(accounts) != 1 {
		t.Fatalf("login --identity printed %v (%v)", accounts, err)
	}
	if get(accounts[0], "user.name") != "systemAssignedIdentity" || get(accounts[0], "user.assignedIdentityInfo") != "MSI" ||
		get(accounts[0], "user.type") != "servicePrincipal" || accounts[0]["tenantId"] != boot.TenantID {
		t.Errorf("account = %v", accounts[0])
	}
	if prof := e.mustProfile(t); strings.Contains(prof, header) {
		t.Error("the profile holds the identity header")
	}
	if got := e.MustRun(t, "keyvault", "secret", "show", "--vault-name", boot.Vault, "-n", "conn", "--query", "value", "-o", "tsv"); got != "c-1\n" {
		t.Errorf("the identity reads %q", got)
	}
	e.MustFail(t, "ForbiddenByRbac", "keyvault", "secret", "set", "--vault-name", boot.Vault, "-n", "conn", "--value", "x")

	e.MustRun(t, "login", "--identity", "--client-id", mi.AppID, "-o", "none")
	if got := e.MustRun(t, "account", "show", "--query", "[user.name, user.assignedIdentityInfo]", "-o", "tsv"); got != "userAssignedIdentity\nMSIClient-"+mi.AppID+"\n" {
		t.Errorf("account show = %q", got)
	}
	e.MustRun(t, "keyvault", "secret", "show", "--vault-name", boot.Vault, "-n", "conn", "-o", "none")
	e.MustFail(t, "No managed identity with the requested client_id or object_id", "login", "--identity", "--object-id", boot.ObjectID)

	// The header lives in the environment only: without it, commands stop.
	t.Setenv(envIdentityHeader, "")
	e.MustFail(t, "IDENTITY_ENDPOINT and IDENTITY_HEADER must be set", "account", "show")
	t.Setenv(envIdentityHeader, "not-the-header")
	e.MustFail(t, "X-IDENTITY-HEADER", "account", "show")
}
