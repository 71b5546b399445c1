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

	"github.com/scopevault/scopevault/internal/testskip"
)

const cliDoc = "../../docs/cli.md"

// docSection returns the ```sh blocks of the docs/cli.md section whose
// heading starts with heading.
func docSection(t *testing.T, heading string) string {
	t.Helper()
	raw, err := os.ReadFile(cliDoc)
	if err != nil {
		t.Fatal(err)
	}
	var script []string
	in, code := false, false
	for _, line := range strings.Split(string(raw), "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			in = strings.HasPrefix(line, heading)
		case in && strings.HasPrefix(line, "```sh"):
			code = true
		case in && code && strings.HasPrefix(line, "```"):
			code = false
		case in && code:
			script = append(script, line)
		}
	}
	if len(script) == 0 {
		t.Fatalf("%s has no sh block under %q", cliDoc, heading)
	}
	return strings.Join(script, "\n")
}

func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI: %s is not installed", name)
		}
		testskip.Skipf(t, "%s is not installed", name)
	}
	return p
}

// The scripting section of docs/cli.md runs in bash exactly as written,
// with az as a function calling this test binary as scopevault, after the
// environment of `. .scopevault/scopevault.env`.
func TestAzDocScripting(t *testing.T) {
	bash := requireTool(t, "bash")
	requireTool(t, "paste")
	e := MustAz(t)
	checks := `
test "$SUB" = "$AZURE_SUBSCRIPTION_ID"
test "$ME" = "$AZURE_CLIENT_ID"
test "$PASSWORD" = s3cr3t
test "$ENABLED" = 1
test "$RECOVERED" = db-password
test "$COUNT" = 1
test -n "$APP_ID" && test -n "$APP_PASSWORD"
case "$DATABRICKS_SP" in ????????-????-????-????-????????????) ;; *) echo "DATABRICKS_SP=$DATABRICKS_SP"; exit 1 ;; esac
case "$VAULT_URL" in https://127.*) ;; *) echo "VAULT_URL=$VAULT_URL"; exit 1 ;; esac
test "$(az keyvault list-deleted --query 'length(@)')" = 0
echo "checks passed"
`
	script := "az() { \"$SCOPEVAULT_CLI_TEST_BIN\" az \"$@\"; }\n" + docSection(t, "## Scripting with") + "\n" + checks
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, "-euo", "pipefail", "-c", script)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), envRunAsCLI+"=1", "SCOPEVAULT_CLI_TEST_BIN="+os.Args[0])
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the scripting section failed: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{
		"secret: db-password\n",
		"kv-script\thttps://127.",
		"\ttrue\n",
		e.srv.Boot.Vault + "\thttps://127.",
		e.env["AZURE_CLIENT_ID"] + "\tKey Vault Secrets Officer\n",
		"\tKey Vault Secrets User\n",
		"2ff814a6-3304-4ab8-85cb-cd0e6f879c1d\tKey Vault Secrets User\n",
		"Key Vault Administrator\n",
		"Microsoft.KeyVault/vaults/secrets/getSecret/action\n",
		"203.0.113.7/32\n",
		"db-password\t20",
		"Name        Location\n",
		"checks passed\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the script's output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "s3cr3t") {
		t.Error("the script printed the secret's value")
	}
	if _, err := os.Stat(filepath.Join(e.cfgDir, profileFile)); !os.IsNotExist(err) {
		t.Error("the script left a login profile")
	}
}

// Every az command is documented in docs/cli.md with an example.
func TestAzDocsCoverEveryCommand(t *testing.T) {
	raw, err := os.ReadFile(cliDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	var walk func(c *cobra.Command, path string)
	walk = func(c *cobra.Command, path string) {
		if !c.HasSubCommands() {
			if !strings.Contains(doc, path+" ") && !strings.Contains(doc, path+"\n") {
				t.Errorf("docs/cli.md has no example of %q", path)
			}
			return
		}
		for _, sub := range c.Commands() {
			if sub.Name() != "help" && sub.Name() != "completion" && !sub.Hidden {
				walk(sub, path+" "+sub.Name())
			}
		}
	}
	walk(NewAzCommand(), "az")
}
