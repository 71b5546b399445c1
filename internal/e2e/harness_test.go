package e2e

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/server"
	"github.com/scopevault/scopevault/internal/testskip"
)

// MustServer starts a server on a fresh data directory and stops it when the test ends.
func MustServer(tb testing.TB) *server.Server {
	tb.Helper()
	srv, err := server.Start(context.Background(), server.Config{DataDir: tb.TempDir(), Port: 0})
	if err != nil {
		tb.Fatalf("start server: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			tb.Errorf("shutdown: %v", err)
		}
	})
	return srv
}

// MustEnvFile parses DIR/scopevault.env the way a shell sourcing it would.
func MustEnvFile(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	f, err := os.Open(filepath.Join(dir, config.EnvFile))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "export ") || !strings.Contains(line, "=") {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		env[k] = strings.Trim(v, "'")
	}
	return env
}

// environ is the process environment with the env file's variables on top,
// and nothing Azure-related from the developer's own shell.
func environ(env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AZURE_") || strings.HasPrefix(k, "SCOPEVAULT_") || k == "SSL_CERT_FILE" || k == "NODE_EXTRA_CA_CERTS" {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// requireTool finds an executable, skipping the test when it is missing —
// except in CI, where a missing dependency is a failure.
func requireTool(tb testing.TB, name string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(tb, name+" is not installed")
	}
	return p
}

func missing(tb testing.TB, what string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("CI: %s (.ci/run installs it)", what)
	}
	testskip.Skipf(tb, "%s; run .ci/run to install test dependencies", what)
}

// run executes a command with env, failing the test with its output on error.
func run(tb testing.TB, dir string, env []string, name string, args ...string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keepGoCaches keeps Go's caches where they are for a script run with a
// HOME of its own, so its `go run` lines do not rebuild and download
// everything again.
func keepGoCaches(env map[string]string) {
	for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
		if out, err := exec.Command("go", "env", v).Output(); err == nil && strings.TrimSpace(string(out)) != "" {
			env[v] = strings.TrimSpace(string(out))
		}
	}
}
