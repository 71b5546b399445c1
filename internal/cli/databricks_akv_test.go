package cli

import (
	"strings"
	"testing"
)

// The seed's create-scope line, verbatim but for the vault's names, on an
// access-policy vault: created with an Entra token, the scope's creation
// grants AzureDatabricks get/list itself, so the value reads at once — and
// `scopevault run` shows it only as [REDACTED], passing the exit code on.
func TestDatabricksSeedAccessPolicyVault(t *testing.T) {
	e := MustDatabricks(t)
	requireTool(t, "sh")
	e.MustRun(t, "group", "create", "-n", "rg-seed", "-l", "westeurope", "-o", "none")
	e.MustRun(t, "keyvault", "create", "-n", "kv-policy", "-g", "rg-seed", "--enable-rbac-authorization", "false", "-o", "none")
	const value = "p0licy-vault-value"
	e.MustRun(t, "keyvault", "secret", "set", "--vault-name", "kv-policy", "-n", "db-password", "--value", value, "-o", "none")
	kvID := strings.TrimSpace(e.MustRun(t, "keyvault", "show", "-n", "kv-policy", "--query", "id", "-o", "tsv"))
	aad := strings.TrimSpace(e.MustRun(t, "account", "get-access-token", "--resource", "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d", "--query", "accessToken", "-o", "tsv"))
	if !strings.HasPrefix(aad, "eyJ") {
		t.Fatalf("get-access-token printed no JWT (%d bytes)", len(aad))
	}

	seed := []string{"secrets", "create-scope", "--scope", "my-keyvault-scope", "--scope-backend-type", "AZURE_KEYVAULT",
		"--resource-id", kvID, "--dns-name", "https://kv-policy.vault.azure.net/"}
	// With the env file's personal access token Databricks refuses it.
	MustDBXFail(t, 1, `Error: b'{"error_code":"INVALID_PARAMETER_VALUE","message":"Scope with Azure KeyVault must have userAADToken defined!"}'`+"\n", seed...)
	t.Setenv("DATABRICKS_TOKEN", aad)
	if out := MustDBX(t, seed...); out != "" {
		t.Errorf("create-scope printed %q", out)
	}
	t.Setenv("DATABRICKS_TOKEN", e.env["DATABRICKS_TOKEN"])

	if out := MustDBX(t, "secrets", "list-scopes"); !strings.Contains(out, "\nmy-keyvault-scope  AZURE_KEYVAULT  https://kv-policy.vault.azure.net/\n") {
		t.Errorf("list-scopes:\n%s", out)
	}
	if out := MustDBX(t, "secrets", "list", "--scope", "my-keyvault-scope"); !strings.Contains(out, "\ndb-password ") {
		t.Errorf("list:\n%s", out)
	}
	MustDBXFail(t, 1, `Error: b'{"error_code":"BAD_REQUEST","message":"Scope my-keyvault-scope is backed by Azure Key Vault and is read-only through Databricks: write or delete its secrets in the Key Vault."}'`+"\n",
		"secrets", "put", "--scope", "my-keyvault-scope", "--key", "x", "--string-value", "y")

	out, errOut, code := runCLI(t, "", "run", "--env", "DB_PASSWORD={{secrets/my-keyvault-scope/db-password}}", "--",
		"sh", "-c", `echo "password: $DB_PASSWORD"; echo "stderr: $DB_PASSWORD" >&2; exit 4`)
	if code != 4 || out != "password: [REDACTED]\n" || errOut != "stderr: [REDACTED]\n" {
		t.Errorf("run: exit %d, stdout %q, stderr %q; want 4, the value redacted on both", code, out, errOut)
	}
	// The child did get the value: its length, which is not redacted.
	out, _, code = runCLI(t, "", "run", "--env", "DB_PASSWORD={{secrets/my-keyvault-scope/db-password}}", "--",
		"sh", "-c", `echo ${#DB_PASSWORD}`)
	if code != 0 || out != "18\n" {
		t.Errorf("run: exit %d, stdout %q, want the value's length 18", code, out)
	}
}
