package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// Every databricks command, and run, is documented in docs/cli.md with an example.
func TestDatabricksDocsCoverEveryCommand(t *testing.T) {
	raw, err := os.ReadFile(cliDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	has := func(path string) bool {
		return strings.Contains(doc, path+" ") || strings.Contains(doc, path+"\n")
	}
	var walk func(c *cobra.Command, path string)
	walk = func(c *cobra.Command, path string) {
		if !c.HasSubCommands() {
			if !has(path) {
				t.Errorf("docs/cli.md has no example of %q", path)
			}
			for _, a := range c.Aliases {
				if alias := strings.TrimSuffix(path, c.Name()) + a; !has(alias) {
					t.Errorf("docs/cli.md does not mention the alias %q", alias)
				}
			}
			return
		}
		for _, sub := range c.Commands() {
			if sub.Name() != "help" && sub.Name() != "completion" {
				walk(sub, path+" "+sub.Name())
			}
		}
	}
	walk(NewDatabricksCommand(), "databricks")
	if !has("scopevault run") {
		t.Error("docs/cli.md has no example of scopevault run")
	}
}

// The databricks and run sections of docs/cli.md run in bash exactly as
// written, after `. .scopevault/scopevault.env`, with scopevault being
// this test binary: the seed's Key Vault-backed scope, both syntaxes,
// tokens, configure and run's redaction.
func TestDatabricksDocScripting(t *testing.T) {
	bash := requireTool(t, "bash")
	requireTool(t, "sed")
	e := MustAz(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, k := range []string{"DATABRICKS_CONFIG_FILE", "DATABRICKS_CONFIG_PROFILE", "DATABRICKS_AAD_TOKEN"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	dir := t.TempDir()
	if err := os.Symlink(e.srv.DataDir(), filepath.Join(dir, ".scopevault")); err != nil {
		t.Fatal(err)
	}
	prelude := `scopevault() { "$SCOPEVAULT_CLI_TEST_BIN" "$@"; }
az() { scopevault az "$@"; }
databricks() { scopevault databricks "$@"; }
`
	checks := `
test "$(stat -c %a "$HOME/.databrickscfg")" = 600
grep -q '^\[aad\]$' "$HOME/.databrickscfg"
echo "checks passed"
`
	script := prelude + docSection(t, "## scopevault databricks") + "\n" + docSection(t, "## scopevault run") + "\n" + checks
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, "-euo", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), envRunAsCLI+"=1", "SCOPEVAULT_CLI_TEST_BIN="+os.Args[0])
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the databricks and run sections failed: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{
		"db-password   ", // list --scope my-keyvault-scope
		"my-keyvault-scope  AZURE_KEYVAULT  https://kv-dbx.vault.azure.net/", // list-scopes
		"users        READ",   // get-acl
		`"value": "czNjcjN0"`, // get-secret
		"Scope              Backend Type\njson-scope         DATABRICKS\n", // list-scopes -o text
		`"token_value": "dapi`,
		"Databricks Host (should begin with https://): \nToken: \n",
		"password: [REDACTED]\n",
		"length 7\n",
		"exit code 3\n",
		"checks passed\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the script's output lacks %q:\n%s", want, got)
		}
	}
	for _, secret := range []string{"hunter2", "s3cr3t", e.env["DATABRICKS_TOKEN"]} {
		if strings.Contains(got, secret) {
			t.Errorf("the script printed a secret value or token (%d bytes)", len(secret))
		}
	}
}
