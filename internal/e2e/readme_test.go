package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeBlocks returns the README's shell examples that start with an alias
// line, the aliases replaced by functions calling the built binary.
func readmeBlocks(tb testing.TB) []string {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(tb), "README.md"))
	if err != nil {
		tb.Fatal(err)
	}
	var blocks []string
	var script []string
	in := false
	for _, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "alias az="):
			in = true
			script = []string{
				`az() { "$SCOPEVAULT_BIN" az "$@"; }`,
				`databricks() { "$SCOPEVAULT_BIN" databricks "$@"; }`,
				`scopevault() { "$SCOPEVAULT_BIN" "$@"; }`,
			}
		case in && trimmed == "":
			blocks = append(blocks, strings.Join(script, "\n"))
			in = false
		case in:
			script = append(script, trimmed)
		}
	}
	if in {
		blocks = append(blocks, strings.Join(script, "\n"))
	}
	return blocks
}

// TestReadmeAzFlow runs the README's examples in bash exactly as written
// (the aliases become functions calling the built binary), after sourcing
// the env file, so the README cannot drift from what works: the az flow,
// then the Key Vault-backed scope read through `scopevault run`.
func TestReadmeAzFlow(t *testing.T) {
	bash := requireTool(t, "bash")
	blocks := readmeBlocks(t)
	if len(blocks) != 3 {
		t.Fatalf("README has %d examples starting with an alias line, want 3", len(blocks))
	}
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	env["SCOPEVAULT_BIN"] = buildBinary(t)
	env["SCOPEVAULT_CONFIG_DIR"] = t.TempDir()
	env["HOME"] = t.TempDir()
	run(t, t.TempDir(), environ(env), bash, "-euo", "pipefail", "-c", blocks[0])
	out := run(t, t.TempDir(), environ(env), env["SCOPEVAULT_BIN"], "az", "keyvault", "secret", "show", "--vault-name", "kv1", "-n", "db-password", "--query", "value", "-o", "tsv")
	if strings.TrimSpace(out) != "hunter2" {
		t.Fatalf("secret after the README flow: %q", out)
	}
	out = run(t, t.TempDir(), environ(env), bash, "-euo", "pipefail", "-c", blocks[1])
	if strings.TrimSpace(out) != "[REDACTED]" {
		t.Fatalf("the README's scope example printed %q, want [REDACTED]", out)
	}
	// The lockdown: the bin directory is on PATH, so the placed program
	// can call scopevault by name as the README does.
	env["PATH"] = filepath.Dir(env["SCOPEVAULT_BIN"]) + ":" + os.Getenv("PATH")
	out = run(t, t.TempDir(), environ(env), bash, "-uo", "pipefail", "-c", blocks[2])
	for _, want := range []string{
		"ForbiddenByConnection", "refused: the control plane is not in your network",
		"4. network gate            denied", "db-password", "refused from outside", "\nhunter2\n", "flowchart",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the README's lockdown example lacks %q:\n%s", want, out)
		}
	}
}
