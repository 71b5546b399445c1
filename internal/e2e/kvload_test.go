package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestKvloadCommand runs the load command as documented (after sourcing the
// env file), briefly, and checks it prints every row. It asserts nothing
// about speed: figures come from running it, not from tests.
func TestKvloadCommand(t *testing.T) {
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	bin := filepath.Join(t.TempDir(), "kvload")
	run(t, repoRoot(t), environ(nil), "go", "build", "-o", bin, "./bench/kvload")
	out := run(t, t.TempDir(), environ(env), bin, "-c", "1,4", "-d", "200ms", "-n", "200")
	for _, want := range []string{"conns", "healthz", "get-secret", "ratio", "scope-get", "scope/get"} {
		if !strings.Contains(out, want) {
			t.Fatalf("kvload output lacks %q:\n%s", want, out)
		}
	}
}
