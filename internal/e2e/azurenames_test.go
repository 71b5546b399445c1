package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/server"
)

// TestAzureNamesOn443: with up --port 443 --azure-names, unmodified programs using
// DefaultAzureCredential with no options and the env file's
// AZURE_KEYVAULT_URL, run under `scopevault run --azure`, reach
// https://<vault>.vault.azure.net/ with their token from
// login.microsoftonline.com — Go, JS and Debian's Python SDK. Nothing but the
// CA is configured (SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE).
func TestAzureNamesOn443(t *testing.T) {
	srv, err := server.Start(context.Background(), server.Config{DataDir: t.TempDir(), Port: 443, AzureNames: true})
	if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, os.ErrPermission) {
		missing(t, "port 443 is not available: "+err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	env := MustEnvFile(t, srv.DataDir())
	env["HOME"] = t.TempDir()
	// up --azure-names: the env file names Azure's hosts, with no port.
	for k, want := range map[string]string{
		"AZURE_KEYVAULT_URL":   "https://" + srv.Boot.Vault + ".vault.azure.net/",
		"AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com/",
		"SCOPEVAULT_URL":       "https://localhost",
	} {
		if env[k] != want {
			t.Errorf("env file %s = %q, want %q", k, env[k], want)
		}
	}
	if h := env["DATABRICKS_HOST"]; !strings.HasPrefix(h, "https://adb-") || !strings.HasSuffix(h, ".azuredatabricks.net") {
		t.Errorf("env file DATABRICKS_HOST = %q, want the workspace's real name", h)
	}
	dir := t.TempDir()
	root := repoRoot(t)
	sv, goProg := filepath.Join(dir, "scopevault"), filepath.Join(dir, "defaultcred")
	run(t, root, environ(nil), "go", "build", "-o", sv, "./cmd/scopevault")
	run(t, root, environ(nil), "go", "build", "-o", goProg, "./examples/defaultcred")
	want := "back from https://" + srv.Boot.Vault + ".vault.azure.net/"
	placed := func(t *testing.T, args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, sv, append([]string{"run", "--azure", "--"}, args...)...)
		cmd.Dir, cmd.Env = root, environ(env)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "OK: DefaultAzureCredential read https://"+srv.Boot.Vault+".vault.azure.net/secrets/") ||
			!strings.Contains(string(out), want) {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	t.Run("go", func(t *testing.T) { placed(t, goProg) })
	t.Run("js", func(t *testing.T) {
		node := requireTool(t, "node")
		js := filepath.Join(root, "internal", "e2e", "js")
		if m, _ := filepath.Glob(filepath.Join(js, "node_modules", "@azure", "identity", "package.json")); len(m) == 0 {
			missing(t, "JS packages are not installed (cd internal/e2e/js && npm ci)")
		}
		placed(t, node, filepath.Join(js, "defaultcred.mjs"))
	})
	t.Run("az", func(t *testing.T) {
		// Debian's azure-cli 2.45, unmodified, with its own config directory.
		requireTool(t, "az")
		env["AZURE_CONFIG_DIR"] = filepath.Join(t.TempDir(), ".azure")
		env["OBJECT_ID"] = srv.Boot.ObjectID
		ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
		defer cancel()
		script := `set -e
az login --service-principal -u "$AZURE_CLIENT_ID" -p "$AZURE_CLIENT_SECRET" --tenant "$AZURE_TENANT_ID" --query "[].name" -o tsv
az group create -n rg-real -l eastus --query properties.provisioningState -o tsv
az keyvault create -n kv-real-rbac -g rg-real --enable-rbac-authorization true --query properties.enableRbacAuthorization -o tsv
az keyvault show -n kv-real-rbac --query name -o tsv
az keyvault list --query "[].name" -o tsv
# Without the RBAC flag az looks its caller up in Graph to grant it an access policy.
az keyvault create -n kv-real-ap -g rg-real --query "properties.accessPolicies[0].objectId" -o tsv
az ad sp show --id "$AZURE_CLIENT_ID" --query appId -o tsv
az ad sp create-for-rbac -n sp-real --query displayName -o tsv 2>/dev/null
az rest --method get --url "$AZURE_KEYVAULT_URL"secrets?api-version=7.4 --resource https://vault.azure.net --query "value[].id" -o tsv
# What Debian's packaging of az 2.45 breaks (az keyvault secret, az role
# assignment: docs/clients.md), az rest does.
az rest --method put --url "$AZURE_KEYVAULT_URL"secrets/from-az-rest?api-version=7.4 --resource https://vault.azure.net \
  --body '{"value":"az-rest-value"}' --query id -o tsv
KV=$(az keyvault show -n kv-real-rbac --query id -o tsv)
az rest --method put --url "https://management.azure.com$KV/providers/Microsoft.Authorization/roleAssignments/3f1c9a52-2b7e-4d8a-9c1e-5a6b7c8d9e0f?api-version=2022-04-01" \
  --body "{\"properties\":{\"roleDefinitionId\":\"/subscriptions/$AZURE_SUBSCRIPTION_ID/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6\",\"principalId\":\"$OBJECT_ID\"}}" \
  --query properties.roleDefinitionId -o tsv
echo done`
		cmd := exec.CommandContext(ctx, sv, "run", "--azure", "--", "sh", "-c", script)
		cmd.Dir, cmd.Env = t.TempDir(), environ(env)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("az: %v\n%s", err, out)
		}
		for _, want := range []string{"scopevault\n", "Succeeded\n", "true\n", "kv-real-rbac\n", srv.Boot.Vault + "\n",
			"https://" + srv.Boot.Vault + ".vault.azure.net/secrets/defaultcred-check\n",
			"https://" + srv.Boot.Vault + ".vault.azure.net/secrets/from-az-rest/",
			srv.Boot.ObjectID + "\n", srv.Boot.ClientID + "\n", "sp-real\n", "/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6\n", "done\n"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("az's output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("az-cloud-register", func(t *testing.T) {
		// az cloud register reads ARM's /metadata/endpoints; the cloud it
		// registers then signs in and manages resources.
		requireTool(t, "az")
		env["AZURE_CONFIG_DIR"] = filepath.Join(t.TempDir(), ".azure")
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
		defer cancel()
		script := `set -e
az cloud register -n scopevault --endpoint-resource-manager https://localhost/ 2>/dev/null
az cloud set -n scopevault
az login --service-principal -u "$AZURE_CLIENT_ID" -p "$AZURE_CLIENT_SECRET" --tenant "$AZURE_TENANT_ID" -o none
az cloud show --query endpoints.resourceManager -o tsv
az group list --query "[?name=='scopevault'].name" -o tsv`
		cmd := exec.CommandContext(ctx, sv, "run", "--azure", "--", "sh", "-c", script)
		cmd.Dir, cmd.Env = t.TempDir(), environ(env)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "https://localhost/\nscopevault\n") {
			t.Fatalf("az cloud register: %v\n%s", err, out)
		}
	})
	t.Run("curl", func(t *testing.T) {
		// docs/clients.md's curl recipe, as written there.
		requireTool(t, "curl")
		raw, err := os.ReadFile(filepath.Join(root, "docs", "clients.md"))
		if err != nil {
			t.Fatal(err)
		}
		_, rest, ok := strings.Cut(string(raw), "```sh\n# curl\n")
		script, _, ok2 := strings.Cut(rest, "```")
		if !ok || !ok2 {
			t.Fatal("docs/clients.md has no curl block")
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, sv, "run", "--azure", "--", "bash", "-euo", "pipefail", "-c", script)
		cmd.Dir, cmd.Env = t.TempDir(), environ(env)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), `"id":"https://`+srv.Boot.Vault+`.vault.azure.net/secrets/defaultcred-check/`) {
			t.Fatalf("curl: %v\n%s", err, out)
		}
	})
	t.Run("python", func(t *testing.T) {
		// Debian's own Python, where its python3-azure is installed
		// (another python3 may come first on PATH).
		py := "/usr/bin/python3"
		if _, err := os.Stat(py); err != nil {
			py = requireTool(t, "python3")
		}
		if err := exec.Command(py, "-c", "import azure.identity, azure.keyvault.secrets").Run(); err != nil {
			missing(t, "Debian's python3-azure (azure-identity, azure-keyvault-secrets) is not installed")
		}
		placed(t, py, filepath.Join(root, "examples", "defaultcred", "defaultcred.py"))
	})
}
