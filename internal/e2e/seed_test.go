package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/audit"
)

// docScript returns the ```sh blocks of a doc under the "## " heading that
// starts with heading.
func docScript(tb testing.TB, doc, heading string) string {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(tb), doc))
	if err != nil {
		tb.Fatal(err)
	}
	var lines []string
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
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		tb.Fatalf("%s has no sh block under %q", doc, heading)
	}
	return strings.Join(lines, "\n")
}

// TestSeedWalkthrough runs docs/seed.md's script in bash, as a user types
// it after sourcing the env file: the seed's whole flow on an RBAC vault and
// on an access-policy vault. Each step's outcome is checked in the output.
func TestSeedWalkthrough(t *testing.T) {
	bash := requireTool(t, "bash")
	requireTool(t, "curl")
	requireTool(t, "python3")
	bin := buildBinary(t)
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	const password, apiKey = "s33d-pa55word-value", "s33d-api-key-value"
	env["DB_PASSWORD"], env["API_KEY"] = password, apiKey
	env["HOME"] = t.TempDir()
	keepGoCaches(env)
	env["PATH"] = filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH")
	script := "az() { scopevault az \"$@\"; }\ndatabricks() { scopevault databricks \"$@\"; }\n" +
		docScript(t, "docs/seed.md", "## The walkthrough")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, "-uo", "pipefail", "-c", "set -e\n"+script)
	cmd.Dir, cmd.Env = repoRoot(t), environ(env)
	raw, err := cmd.CombinedOutput()
	out := string(raw)
	if err != nil {
		t.Fatalf("the walkthrough failed: %v\n%s", err, out)
	}
	t.Logf("the walkthrough printed:\n%s", out)
	for _, want := range []string{
		"Scope with Azure KeyVault must have userAADToken defined!",
		"refused: a PAT cannot create it",
		"my-keyvault-scope",
		"https://kv-seed.vault.azure.net/",
		"PERMISSION_DENIED",
		"appid=2ff814a6-3304-4ab8-85cb-cd0e6f879c1d",
		"refused: AzureDatabricks has no role yet",
		"api-key",
		"db-password",
		"the API returns DB_PASSWORD: True",
		"Fetched secret length: " + strconv.Itoa(len(password)),
		"connecting with [REDACTED]",
		"get\tlist",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the walkthrough's output lacks %q:\n%s", want, out)
		}
	}
	for _, leak := range []string{password, apiKey} {
		if strings.Contains(out, leak) {
			t.Errorf("the walkthrough printed a secret value:\n%s", out)
		}
	}

	// Every call of the walkthrough is in the audit log, as `scopevault
	// audit` reads it, with its decision; no value is.
	if err := srv.Audit.Flush(); err != nil {
		t.Fatal(err)
	}
	raw, err = exec.Command(bin, "audit", "--data", srv.DataDir(), "-o", "json").Output()
	if err != nil {
		t.Fatalf("scopevault audit: %v", err)
	}
	var recs []audit.Record
	if err := json.Unmarshal(raw, &recs); err != nil {
		t.Fatalf("scopevault audit -o json: %v\n%s", err, raw)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		seen[fmt.Sprintf("%s %s %s %s %d %s %s", r.Service, r.Action, r.Scope+r.Vault, r.Key, r.Status, r.Decision, r.ErrorCode)] = true
	}
	for _, want := range []string{
		"keyvault SetSecret kv-seed db-password 200 allow ",
		"keyvault SetSecret kv-seed api-key 200 allow ",
		"secrets createScope my-keyvault-scope  400 allow INVALID_PARAMETER_VALUE",
		"secrets createScope my-keyvault-scope  200 allow ",
		"secrets listSecrets my-keyvault-scope  403 deny PERMISSION_DENIED",
		"keyvault ListSecrets kv-seed  403 deny ForbiddenByRbac",
		"keyvault ListSecrets kv-seed  200 allow ",
		"secrets listSecrets my-keyvault-scope  200 allow ",
		"secrets getSecret my-keyvault-scope db-password 200 allow ",
		"keyvault GetSecret kv-seed db-password 200 allow ",
		"secrets createScope ap-scope  200 allow ",
		"keyvault ListSecrets kv-seed-ap  200 allow ",
		"keyvault GetSecret kv-seed-ap db-password 200 allow ",
	} {
		if !seen[want] {
			t.Errorf("the audit log lacks %q; it has:\n%s", want, strings.Join(slices.Sorted(maps.Keys(seen)), "\n"))
		}
	}
	file, err := os.ReadFile(filepath.Join(srv.DataDir(), audit.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{password, apiKey, base64.StdEncoding.EncodeToString([]byte(password)), env["DATABRICKS_TOKEN"]} {
		if strings.Contains(string(file), leak) {
			t.Error("the audit log holds a secret value or a token")
		}
	}
}
