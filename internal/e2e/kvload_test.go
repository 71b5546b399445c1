package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/server"
)

// TestKvloadCommand runs the load command as documented (after sourcing the
// env file), briefly, and checks it prints a row for every target with the
// server's CPU time. It asserts nothing about speed: figures come from
// running it, not from tests.
func TestKvloadCommand(t *testing.T) {
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	bin := filepath.Join(t.TempDir(), "kvload")
	run(t, repoRoot(t), environ(nil), "go", "build", "-o", bin, "./bench/kvload")
	out := run(t, t.TempDir(), environ(env), bin, "-c", "1,2", "-d", "200ms", "-n", "200", "-list-size", "50")
	if !strings.Contains(out, "cpu-s/1k") || !strings.Contains(out, "/bare") {
		t.Fatalf("kvload header lacks its columns:\n%s", out)
	}
	for _, target := range []string{"bare", "bare-inproc", "healthz", "get", "get-net", "set", "list", "token", "arm-get", "scope-get"} {
		for _, conns := range []string{"1", "2"} {
			// A server target's row carries its CPU-seconds per 1,000 requests.
			cpu := `\d+\.\d{3}`
			if target == "bare-inproc" {
				cpu = "-"
			}
			row := regexp.MustCompile(`(?m)^` + conns + `\s+` + regexp.QuoteMeta(target) + `\s+\d+\s+\S+\s+\S+\s+` + cpu + `\s+\d+\.\d\d$`)
			if !row.MatchString(out) {
				t.Fatalf("kvload output lacks the %s row at %s connections:\n%s", target, conns, out)
			}
		}
	}
	for _, k := range []string{"AZURE_CLIENT_SECRET", "DATABRICKS_TOKEN"} {
		if v := env[k]; v != "" && strings.Contains(out, v) {
			t.Fatalf("kvload printed %s", k)
		}
	}
	// Without the server's pid (a data directory with no lock file) the
	// CPU column is "-", and the rest is measured as before.
	out = run(t, t.TempDir(), environ(env), bin, "-c", "1", "-d", "100ms", "-t", "bare,healthz", "-data", t.TempDir())
	if !regexp.MustCompile(`(?m)^1\s+healthz\s+\d+\s+\S+\s+\S+\s+-\s+\d+\.\d\d$`).MatchString(out) {
		t.Fatalf("kvload without the server's pid: want \"-\" for its CPU:\n%s", out)
	}

	// Seeding writes through the engine directly, so it refuses a data
	// directory a running server holds.
	cmd := exec.Command(bin, "seed", "-data", srv.DataDir(), "-n", "10")
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "in use") {
		t.Fatalf("kvload seed on a running server's data directory: %v\n%s", err, b)
	}

	// On a stopped server's directory it seeds, and the next start serves
	// what it wrote (get-seeded reads them at random).
	dir := t.TempDir()
	stopped, err := server.Start(context.Background(), server.Config{DataDir: dir, Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	if err := stopped.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if out := run(t, t.TempDir(), environ(nil), bin, "seed", "-data", dir, "-n", "40"); !strings.Contains(out, "seeded 40 secrets") {
		t.Fatalf("kvload seed: %s", out)
	}
	again, err := server.Start(context.Background(), server.Config{DataDir: dir, Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Shutdown(context.Background())
	out = run(t, t.TempDir(), environ(MustEnvFile(t, dir)), bin, "-c", "2", "-d", "200ms", "-t", "bare,get", "-seeded", "40")
	if !regexp.MustCompile(`(?m)^2\s+get-seeded\s+\d+`).MatchString(out) {
		t.Fatalf("kvload -seeded lacks the get-seeded row:\n%s", out)
	}
}
