package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// scopevault run --azure: the program resolves Azure's own names to
// scopevault without /etc/hosts changing, and its environment names them;
// an unmodified azsecrets program then runs every operation against
// https://<vault>.vault.azure.net:PORT/ with its token from
// https://login.microsoftonline.com:PORT/.
func TestRunAzure(t *testing.T) {
	requireTool(t, "sh")
	requireTool(t, "getent")
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	env["HOME"] = t.TempDir()
	v, err := srv.Engine.Vault(context.Background(), srv.Boot.Vault)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	root := repoRoot(t)
	azsecrets, sv := filepath.Join(dir, "azsecrets"), filepath.Join(dir, "scopevault")
	run(t, root, environ(nil), "go", "build", "-o", azsecrets, "./examples/azsecrets")
	run(t, root, environ(nil), "go", "build", "-o", sv, "./cmd/scopevault")

	out := run(t, dir, environ(env), sv, "run", "--azure", "--", "sh", "-c",
		`getent hosts login.microsoftonline.com management.azure.com graph.microsoft.com `+v.Name+`.vault.azure.net; echo "kv=$AZURE_KEYVAULT_URL"; echo "authority=$AZURE_AUTHORITY_HOST"; echo "dbx=$DATABRICKS_HOST"`)
	port := ":" + strings.TrimPrefix(env["SCOPEVAULT_URL"], "https://localhost:")
	for _, want := range []string{
		"127.0.0.1       login.microsoftonline.com management.azure.com graph.microsoft.com",
		v.Address + " ", "kv=https://" + v.Name + ".vault.azure.net" + port + "/",
		"authority=https://login.microsoftonline.com" + port + "/", "azuredatabricks.net" + port,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the program placed with --azure lacks %q:\n%s", want, out)
		}
	}
	out = run(t, dir, environ(env), sv, "run", "--azure", "--", azsecrets)
	if !strings.Contains(out, "OK: all 12 operations") {
		t.Fatalf("azsecrets with Azure's names:\n%s", out)
	}
}
