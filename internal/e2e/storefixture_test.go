package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/server"
)

// The data directories under testdata/ were written by earlier releases of
// scopevault, one per store schema (internal/server/schema.go). Each is
// opened by the current code and every kind of record read back, so a
// change of a stored domain type that old stores cannot decode fails here
// instead of silently in a user's store. A new schema adds a directory
// (SCOPEVAULT_WRITE_FIXTURE=DIR go test ./internal/e2e -run TestStoreFixture
// writes one with the current code); the old ones stay.

// fixtureFacts are what the fixture's writer knew and its reader checks:
// test credentials made for the fixture alone.
type fixtureFacts struct {
	Schema      int    `json:"schema"`
	Commit      string `json:"commit"`
	SPAppID     string `json:"spAppId"`
	SPPassword  string `json:"spPassword"`
	UserName    string `json:"userName"`
	UserPass    string `json:"userPassword"`
	KVSeedID    string `json:"kvSeedId"`
	FixtureVlt  string `json:"fixtureVault"`
	DBXPassword string `json:"dbPassword"`
}

const fixtureFactsFile = "fixture.json"

func TestStoreFixture(t *testing.T) {
	if dir := os.Getenv("SCOPEVAULT_WRITE_FIXTURE"); dir != "" {
		writeStoreFixture(t, dir)
		return
	}
	dirs, _ := filepath.Glob(filepath.Join(repoRoot(t), "internal", "e2e", "testdata", "datadir-v*"))
	if len(dirs) == 0 {
		t.Fatal("no data directory fixture under internal/e2e/testdata")
	}
	bin := buildBinary(t)
	for _, fixture := range dirs {
		t.Run(filepath.Base(fixture), func(t *testing.T) { readStoreFixture(t, bin, fixture) })
	}
}

// writeStoreFixture builds a data directory holding every kind of record
// through the CLI, as a user would, and keeps its store and master key.
func writeStoreFixture(t *testing.T, out string) {
	// A server of this test's own: it is shut down before the copy.
	srv, err := server.Start(context.Background(), server.Config{DataDir: t.TempDir(), Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	env := MustEnvFile(t, srv.DataDir())
	env["HOME"] = t.TempDir()
	env["DB_PASSWORD"], env["API_KEY"] = "fixture-db-password", "fixture-api-key"
	e := &applyEnv{bin: buildBinary(t), srv: srv, env: env}
	e.mustRun(t, "apply", "-f", "examples/seed.yaml")
	facts := fixtureFacts{Schema: server.SchemaVersion, FixtureVlt: "kv-fixture", DBXPassword: "fixture-db-password",
		UserName: "fixture-user@scopevault.example", UserPass: "Fixture-Passw0rd!"}
	facts.KVSeedID = strings.TrimSpace(e.mustRun(t, "az", "keyvault", "show", "-n", "kv-seed", "--query", "id", "-o", "tsv"))
	// An access-policy vault with versions, a deleted secret and tags.
	e.mustRun(t, "az", "keyvault", "create", "-n", "kv-fixture", "-g", "rg-seed", "--enable-rbac-authorization", "false", "-o", "none")
	e.mustRun(t, "az", "keyvault", "secret", "set", "--vault-name", "kv-fixture", "-n", "versioned", "--value", "first", "-o", "none")
	e.mustRun(t, "az", "keyvault", "secret", "set", "--vault-name", "kv-fixture", "-n", "versioned", "--value", "second", "--tags", "env=fixture", "-o", "none")
	e.mustRun(t, "az", "keyvault", "secret", "set", "--vault-name", "kv-fixture", "-n", "gone", "--value", "deleted-value", "-o", "none")
	e.mustRun(t, "az", "keyvault", "secret", "delete", "--vault-name", "kv-fixture", "-n", "gone", "-o", "none")
	// Directory objects: a user, a group holding it, a service principal
	// with a client secret.
	e.mustRun(t, "az", "ad", "user", "create", "--display-name", "Fixture User", "--user-principal-name", facts.UserName, "--password", facts.UserPass, "-o", "none")
	e.mustRun(t, "az", "ad", "group", "create", "--display-name", "fixture-group", "--mail-nickname", "fixture-group", "-o", "none")
	uid := strings.TrimSpace(e.mustRun(t, "az", "ad", "user", "show", "--id", facts.UserName, "--query", "id", "-o", "tsv"))
	e.mustRun(t, "az", "ad", "group", "member", "add", "--group", "fixture-group", "--member-id", uid)
	var sp struct{ AppID, Password string }
	if err := json.Unmarshal([]byte(e.mustRun(t, "az", "ad", "sp", "create-for-rbac", "-n", "sp-fixture", "--only-show-errors", "--query", "{AppID:appId,Password:password}", "-o", "json")), &sp); err != nil {
		t.Fatal(err)
	}
	facts.SPAppID, facts.SPPassword = sp.AppID, sp.Password
	// A Databricks-backed scope on the default workspace, with an ACL.
	e.mustRun(t, "databricks", "secrets", "create-scope", "--scope", "dbx-scope")
	e.mustRun(t, "databricks", "secrets", "put", "--scope", "dbx-scope", "--key", "k", "--string-value", "dbx-value")
	e.mustRun(t, "databricks", "secrets", "put-acl", "--scope", "dbx-scope", "--principal", "users", "--permission", "READ")
	if c, err := exec.Command("git", "-C", repoRoot(t), "rev-parse", "HEAD").Output(); err == nil {
		facts.Commit = strings.TrimSpace(string(c))
	}
	dir := e.srv.DataDir()
	if err := e.srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"scopevault.db", "master.key"} {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, name), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	raw, _ := json.MarshalIndent(facts, "", "  ")
	if err := os.WriteFile(filepath.Join(out, fixtureFactsFile), append(raw, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", out)
}

// readStoreFixture starts the current code on a copy of the fixture and
// reads every kind of record through the wires.
func readStoreFixture(t *testing.T, bin, fixture string) {
	var facts fixtureFacts
	raw, err := os.ReadFile(filepath.Join(fixture, fixtureFactsFile))
	if err != nil || json.Unmarshal(raw, &facts) != nil {
		t.Fatalf("%s: %v", fixtureFactsFile, err)
	}
	dir := t.TempDir()
	for _, name := range []string{"scopevault.db", "master.key"} {
		raw, err := os.ReadFile(filepath.Join(fixture, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := server.Start(context.Background(), server.Config{DataDir: dir, Port: 0})
	if err != nil {
		t.Fatalf("the current code cannot open a schema %d store: %v", facts.Schema, err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	env := MustEnvFile(t, dir)
	env["HOME"] = t.TempDir()
	e := &applyEnv{bin: bin, srv: srv, env: env}
	want := func(got, want, what string) {
		t.Helper()
		if strings.TrimSpace(got) != want {
			t.Errorf("%s: got %q, want %q", what, strings.TrimSpace(got), want)
		}
	}
	// Key Vault: versions, tags, a deleted secret, access policies.
	want(e.mustRun(t, "az", "keyvault", "secret", "show", "--vault-name", "kv-fixture", "-n", "versioned", "--query", "value", "-o", "tsv"), "second", "latest version")
	want(e.mustRun(t, "az", "keyvault", "secret", "show", "--vault-name", "kv-fixture", "-n", "versioned", "--query", "tags.env", "-o", "tsv"), "fixture", "tags")
	want(e.mustRun(t, "az", "keyvault", "secret", "list-versions", "--vault-name", "kv-fixture", "-n", "versioned", "--query", "length(@)", "-o", "tsv"), "2", "versions")
	want(e.mustRun(t, "az", "keyvault", "secret", "show-deleted", "--vault-name", "kv-fixture", "-n", "gone", "--query", "name", "-o", "tsv"), "gone", "deleted secret")
	want(e.mustRun(t, "az", "keyvault", "show", "-n", "kv-fixture", "--query", "properties.enableRbacAuthorization", "-o", "tsv"), "false", "access-policy vault")
	// RBAC: the seed's role assignments.
	want(e.mustRun(t, "az", "role", "assignment", "list", "--scope", facts.KVSeedID, "--assignee", "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d", "--query", "[0].roleDefinitionName", "-o", "tsv"), "Key Vault Secrets User", "AzureDatabricks' role")
	// The network: the vault locked down, its private endpoint approved.
	want(e.mustRun(t, "az", "keyvault", "show", "-n", "kv-seed", "--query", "properties.publicNetworkAccess", "-o", "tsv"), "Disabled", "kv-seed's public access")
	want(e.mustRun(t, "az", "network", "private-endpoint", "show", "-g", "rg-seed", "-n", "pe-kv-seed", "--query", "privateLinkServiceConnections[0].privateLinkServiceConnectionState.status", "-o", "tsv"), "Approved", "private endpoint")
	// The locked vault's secret, from the endpoint's subnet.
	want(e.mustRun(t, "run", "--subnet", "vnet-dbx/snet-pe", "--", bin, "az", "keyvault", "secret", "show", "--vault-name", "kv-seed", "-n", "db-password", "--query", "value", "-o", "tsv"), facts.DBXPassword, "kv-seed's secret from its private endpoint")
	// Databricks: both scopes, the Key Vault-backed one read as a notebook does.
	scopes := e.mustRun(t, "databricks", "secrets", "list-scopes")
	if !strings.Contains(scopes, "dbx-scope") {
		t.Errorf("the default workspace's scopes:\n%s", scopes)
	}
	want(e.mustRun(t, "run", "--env", "V={{secrets/dbx-scope/k}}", "--", "sh", "-c", `test "$V" = dbx-value && echo read`), "read", "Databricks-backed secret")
	if got, err := e.readScope(t, "db-password"); err != nil || string(got) != facts.DBXPassword {
		t.Errorf("Key Vault-backed scope read: %q, %v", got, err)
	}
	acl := e.mustRun(t, "databricks", "secrets", "list-acls", "--scope", "dbx-scope")
	if !strings.Contains(acl, "users") || !strings.Contains(acl, "READ") {
		t.Errorf("the scope's ACLs:\n%s", acl)
	}
	// Identity: the service principal's client secret and the user's
	// password (both stored hashed) still sign in; the group holds the user.
	sp := map[string]string{}
	for k, v := range env {
		sp[k] = v
	}
	sp["SCOPEVAULT_CONFIG_DIR"] = t.TempDir()
	spEnv := &applyEnv{bin: bin, srv: srv, env: sp}
	spEnv.mustRun(t, "az", "login", "--service-principal", "-u", facts.SPAppID, "-p", facts.SPPassword, "--tenant", srv.Boot.TenantID, "--allow-no-subscriptions", "-o", "none")
	sp["SCOPEVAULT_CONFIG_DIR"] = t.TempDir()
	spEnv.mustRun(t, "az", "login", "-u", facts.UserName, "-p", facts.UserPass, "--allow-no-subscriptions", "-o", "none")
	want(e.mustRun(t, "az", "ad", "group", "member", "list", "--group", "fixture-group", "--query", "[0].userPrincipalName", "-o", "tsv"), facts.UserName, "group member")
}
