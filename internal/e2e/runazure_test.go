package e2e

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/server"
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

// TestAzureNamesMode: up --azure-names tells clients Azure's names — the
// env file, vaultUri and workspaceUrl name https://<vault>.vault.azure.net
// and adb-<id>.<n>.azuredatabricks.net — on any port and without root. The
// scopevault CLI still works with nothing but the env file (no hosts lines:
// it sends Azure's names to the server's address), `scopevault hosts`
// prints the lines the names need, and an unmodified SDK program under
// `run --azure` uses the env file as it is.
func TestAzureNamesMode(t *testing.T) {
	requireTool(t, "sh")
	srv, err := server.Start(context.Background(), server.Config{DataDir: t.TempDir(), Port: 0, AzureNames: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	env := MustEnvFile(t, srv.DataDir())
	env["HOME"] = t.TempDir()
	env["SCOPEVAULT_CONFIG_DIR"] = t.TempDir()
	ctx := context.Background()
	v, err := srv.Engine.Vault(ctx, srv.Boot.Vault)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := srv.BootWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	port := ":" + strconv.Itoa(srv.Port())
	vaultURL := "https://" + v.Name + ".vault.azure.net" + port + "/"
	wsHost := ws.RealHost() + port
	for k, want := range map[string]string{
		"AZURE_KEYVAULT_URL":   vaultURL,
		"AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com" + port + "/",
		"DATABRICKS_HOST":      "https://" + wsHost,
		"SCOPEVAULT_URL":       "https://localhost" + port,
	} {
		if env[k] != want {
			t.Errorf("env file %s = %q, want %q", k, env[k], want)
		}
	}
	dir := t.TempDir()
	root := repoRoot(t)
	azsecrets, sv := filepath.Join(dir, "azsecrets"), filepath.Join(dir, "scopevault")
	run(t, root, environ(nil), "go", "build", "-o", azsecrets, "./examples/azsecrets")
	run(t, root, environ(nil), "go", "build", "-o", sv, "./cmd/scopevault")
	cli := func(args ...string) string { return strings.TrimSpace(run(t, dir, environ(env), sv, args...)) }

	if got := cli("az", "keyvault", "show", "-n", v.Name, "--query", "properties.vaultUri", "-o", "tsv"); got != vaultURL {
		t.Errorf("vaultUri = %q, want %q", got, vaultURL)
	}
	if got := cli("az", "databricks", "workspace", "show", "-g", srv.Boot.ResourceGroup, "-n", ws.Name, "--query", "workspaceUrl", "-o", "tsv"); got != wsHost {
		t.Errorf("workspaceUrl = %q, want %q", got, wsHost)
	}
	// The CLI reaches the vault and the workspace by their names with no
	// hosts lines: Key Vault's data plane, the workspace API, and a secret
	// reference resolved for a program.
	if got := cli("az", "keyvault", "secret", "set", "--vault-name", v.Name, "-n", "named", "--value", "by-name", "--query", "id", "-o", "tsv"); !strings.HasPrefix(got, vaultURL+"secrets/named/") {
		t.Errorf("secret id = %q, want it under %s", got, vaultURL)
	}
	if got := cli("az", "keyvault", "secret", "show", "--vault-name", v.Name, "-n", "named", "--query", "value", "-o", "tsv"); got != "by-name" {
		t.Errorf("secret value = %q", got)
	}
	cli("databricks", "secrets", "create-scope", "--scope", "named-scope")
	cli("databricks", "secrets", "put", "--scope", "named-scope", "--key", "k", "--string-value", "scope-value")
	if got := cli("run", "--env", "X={{secrets/named-scope/k}}", "--", "sh", "-c", `test "$X" = scope-value && echo resolved`); got != "resolved" {
		t.Errorf("run with a secret reference: %q", got)
	}
	hosts := cli("hosts")
	for _, want := range []string{
		v.Address + "\t" + v.Name + ".vault.azure.net\n",
		ws.Address + "\t" + ws.RealHost() + "\n",
		"127.0.0.1\tlogin.microsoftonline.com management.azure.com graph.microsoft.com",
	} {
		if !strings.Contains(hosts+"\n", want) {
			t.Errorf("scopevault hosts lacks %q:\n%s", want, hosts)
		}
	}
	// The load command too reaches the names through the server's address.
	kvload := filepath.Join(dir, "kvload")
	run(t, root, environ(nil), "go", "build", "-o", kvload, "./bench/kvload")
	if out := run(t, dir, environ(env), kvload, "-c", "1", "-d", "200ms", "-n", "50", "-t", "get,scope-get"); !strings.Contains(out, "get ") || !strings.Contains(out, "scope-get ") {
		t.Errorf("kvload with Azure's names:\n%s", out)
	}
	// An unmodified azsecrets program, its environment as the env file has it.
	out := run(t, dir, environ(env), sv, "run", "--azure", "--", azsecrets)
	if !strings.Contains(out, "OK: all 12 operations") {
		t.Fatalf("azsecrets with Azure's names:\n%s", out)
	}
}
