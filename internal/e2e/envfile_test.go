package e2e

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The programs of docs/clients.md's "The env file on any port" and
// "Databricks SDKs" run as written, each in a process whose only
// configuration is the env file of a server on a free port (not 443): so an
// SDK needs no option beyond the ones that section names.

// clientsBlock returns the fenced ```lang block of docs/clients.md whose
// first line is first (the program's name line), first line included.
func clientsBlock(tb testing.TB, lang, first string) string {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(tb), "docs", "clients.md"))
	if err != nil {
		tb.Fatal(err)
	}
	open := "```" + lang + "\n" + first + "\n"
	_, rest, ok := strings.Cut(string(raw), open)
	body, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		tb.Fatalf("docs/clients.md has no %s block starting with %q", lang, first)
	}
	return first + "\n" + body
}

// runStdin runs a command with the program on its standard input, failing
// the test with its output on error.
func runStdin(tb testing.TB, dir string, env []string, stdin string, name string, args ...string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env, cmd.Stdin = dir, env, strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// envFileServer starts a server and returns its env file, with a home of
// its own so no developer ~/.azure or ~/.databrickscfg is read.
func envFileServer(t *testing.T) map[string]string {
	t.Helper()
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	env["HOME"] = t.TempDir()
	return env
}

// jsDir is internal/e2e/js, where the JS SDKs are installed; a test
// without them is skipped (a failure in CI).
func jsDir(t *testing.T, pkg string) (node, dir string) {
	t.Helper()
	node = requireTool(t, "node")
	dir = filepath.Join(repoRoot(t), "internal", "e2e", "js")
	if m, _ := filepath.Glob(filepath.Join(dir, "node_modules", pkg, "package.json")); len(m) == 0 {
		missing(t, "JS packages are not installed (cd internal/e2e/js && npm ci)")
	}
	return node, dir
}

// okLine checks that out has the program's OK line for the secret it wrote
// in the env file's vault.
func okLine(t *testing.T, out, vaultURL, name string) {
	t.Helper()
	if !strings.Contains(out, "OK: "+vaultURL+"secrets/"+name+"/") {
		t.Fatalf("no OK line for %s in %s:\n%s", name, vaultURL, out)
	}
}

// TestEnvFileGo: Go DefaultAzureCredential with DisableInstanceDiscovery
// and azsecrets with no options, the program of docs/clients.md as written.
func TestEnvFileGo(t *testing.T) {
	env := envFileServer(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte(clientsBlock(t, "go", "// envfile: DefaultAzureCredential and azsecrets from the env file, with the one option.")), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "envfile")
	// Built inside this module, which requires azidentity and azsecrets.
	run(t, repoRoot(t), environ(nil), "go", "build", "-o", bin, src)
	out := run(t, dir, environ(env), bin)
	okLine(t, out, env["AZURE_KEYVAULT_URL"], "envfile-go")
}

// TestEnvFileJS: @azure/identity's DefaultAzureCredential with
// disableInstanceDiscovery and SecretClient with
// disableChallengeResourceVerification, the program of docs/clients.md as
// written.
func TestEnvFileJS(t *testing.T) {
	node, dir := jsDir(t, "@azure/keyvault-secrets")
	env := envFileServer(t)
	prog := clientsBlock(t, "js", "// envfile.mjs: DefaultAzureCredential and SecretClient from the env file, with the two options.")
	// An ES module on stdin resolves its imports from the working directory.
	out := runStdin(t, dir, environ(env), prog, node, "--input-type=module")
	okLine(t, out, env["AZURE_KEYVAULT_URL"], "envfile-js")
}

// TestEnvFilePython: Debian's azure-identity (DefaultAzureCredential with
// instance_discovery=False) and azure-keyvault-secrets with no options, the
// program of docs/clients.md as written.
func TestEnvFilePython(t *testing.T) {
	// Debian's own Python, where its python3-azure is installed (another
	// python3 may come first on PATH).
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		py = requireTool(t, "python3")
	}
	if err := exec.Command(py, "-c", "import azure.identity, azure.keyvault.secrets").Run(); err != nil {
		missing(t, "Debian's python3-azure (azure-identity, azure-keyvault-secrets) is not installed")
	}
	env := envFileServer(t)
	prog := clientsBlock(t, "python", "# envfile.py: DefaultAzureCredential and SecretClient from the env file, with the one option.")
	out := runStdin(t, t.TempDir(), environ(env), prog, py, "-")
	okLine(t, out, env["AZURE_KEYVAULT_URL"], "envfile-py")
}

// TestEnvFileDatabricks: docs/clients.md's Databricks SDKs section as
// written — the JS SDK's WorkspaceClient from DATABRICKS_HOST and
// DATABRICKS_TOKEN alone, then the same steps with `scopevault databricks`.
func TestEnvFileDatabricks(t *testing.T) {
	node, dir := jsDir(t, "@databricks/sdk-experimental")
	bash := requireTool(t, "bash")
	env := envFileServer(t)
	t.Run("js", func(t *testing.T) {
		prog := clientsBlock(t, "js", "// databricks.mjs: the workspace's secrets from the env file, no option.")
		out := runStdin(t, dir, environ(env), prog, node, "--input-type=module")
		for _, want := range []string{"scope app DATABRICKS\n", "key db-password\n", "read db-password 7 bytes\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("the JS SDK's output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("cli", func(t *testing.T) {
		cli := map[string]string{}
		for k, v := range env {
			cli[k] = v
		}
		cli["PATH"] = filepath.Dir(buildBinary(t)) + string(os.PathListSeparator) + os.Getenv("PATH")
		cli["SCOPEVAULT_CONFIG_DIR"] = t.TempDir()
		script := docScript(t, "docs/clients.md", "## Databricks SDKs")
		out := run(t, t.TempDir(), environ(cli), bash, "-euo", "pipefail", "-c", script)
		rows := map[string]bool{}
		for _, line := range strings.Split(out, "\n") {
			rows[strings.Join(strings.Fields(line), " ")] = true
		}
		if !rows["app DATABRICKS N/A"] {
			t.Errorf("list-scopes did not list app:\n%s", out)
		}
		if !strings.Contains(out, "\ndb-password ") {
			t.Errorf("list-secrets did not list db-password:\n%s", out)
		}
		if !strings.Contains(out, `"value": "`+base64.StdEncoding.EncodeToString([]byte("hunter2"))+`"`) {
			t.Errorf("get-secret did not give the value, base64-encoded:\n%s", out)
		}
	})
}
