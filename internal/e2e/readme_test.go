package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeAzFlow runs the README's az example in bash exactly as written
// (the alias becomes a function calling the built binary), after sourcing
// the env file, so the README cannot drift from what works.
func TestReadmeAzFlow(t *testing.T) {
	bash := requireTool(t, "bash")
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var script []string
	in := false
	for _, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "alias az=") {
			in = true
			script = append(script, `az() { "$SCOPEVAULT_BIN" az "$@"; }`)
			continue
		}
		if in && trimmed == "" {
			break
		}
		if in {
			script = append(script, trimmed)
		}
	}
	if len(script) < 3 {
		t.Fatal("README has no az example starting with an alias line")
	}
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	env["SCOPEVAULT_BIN"] = buildBinary(t)
	env["SCOPEVAULT_CONFIG_DIR"] = t.TempDir()
	run(t, t.TempDir(), environ(env), bash, "-euo", "pipefail", "-c", strings.Join(script, "\n"))
	out := run(t, t.TempDir(), environ(env), env["SCOPEVAULT_BIN"], "az", "keyvault", "secret", "show", "--vault-name", "kv1", "-n", "db-password", "--query", "value", "-o", "tsv")
	if strings.TrimSpace(out) != "hunter2" {
		t.Fatalf("secret after the README flow: %q", out)
	}
}
