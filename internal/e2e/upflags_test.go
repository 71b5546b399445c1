package e2e

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// syncBuffer collects a child's log while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestUpFlags starts `scopevault up --role-propagation-delay 1h -v` as a
// user would: a role assigned now is not yet in effect (403 from the data
// plane, the retry Azure forces on callers), the bootstrap admin's own roles
// are, and the request log names each request without a secret or token.
func TestUpFlags(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	var log syncBuffer
	proc := startProcess(t, bin, dir, &log, "--role-propagation-delay", "1h", "-v")
	defer func() { proc.Process.Signal(syscall.SIGTERM); proc.Wait() }()
	env := MustEnvFile(t, dir)
	c := MustClient(t, env)
	admin := c.AdminToken(t)
	vaultURL := strings.TrimSuffix(env["AZURE_KEYVAULT_URL"], "/")
	const value = "flag-test-value-5e1d"
	if status, body, err := c.Do("PUT", vaultURL+"/secrets/flags?api-version=7.6", admin, map[string]string{"value": value}); err != nil || status != 200 {
		t.Fatalf("admin set: %d %s %v", status, body, err)
	}

	// A new service principal, granted Key Vault Secrets User through az.
	env["SCOPEVAULT_CONFIG_DIR"] = t.TempDir()
	sp := run(t, t.TempDir(), environ(env), bin, "az", "ad", "sp", "create-for-rbac", "-n", "late-reader", "--only-show-errors", "--query", "[appId, password]", "-o", "tsv")
	fields := strings.Fields(sp)
	if len(fields) != 2 {
		t.Fatalf("create-for-rbac output: %q", sp)
	}
	scope := strings.TrimSpace(run(t, t.TempDir(), environ(env), bin, "az", "keyvault", "show", "-n", "scopevault-default", "--query", "id", "-o", "tsv"))
	run(t, t.TempDir(), environ(env), bin, "az", "role", "assignment", "create", "--assignee", fields[0], "--role", "Key Vault Secrets User", "--scope", scope, "-o", "none")
	token := c.Token(t, fields[0], fields[1], "https://vault.azure.net/.default")
	status, body, err := c.Do("GET", vaultURL+"/secrets/flags/?api-version=7.6", token, nil)
	if err != nil || status != 403 || !strings.Contains(string(body), "ForbiddenByRbac") {
		t.Fatalf("read within the propagation delay: %d %s %v (want 403 ForbiddenByRbac)", status, body, err)
	}

	got := log.String()
	if !strings.Contains(got, "msg=request") || !strings.Contains(got, "path=/secrets/flags") {
		t.Fatalf("-v logged no request lines:\n%s", got)
	}
	for what, secret := range map[string]string{"secret value": value, "admin token": admin, "sp token": token, "sp secret": fields[1], "admin secret": env["AZURE_CLIENT_SECRET"]} {
		if strings.Contains(got, secret) {
			t.Errorf("the request log contains the %s", what)
		}
	}
}

// TestUpPprof starts `scopevault up --pprof 127.0.0.1:PORT` as
// docs/performance.md says and reads a profile with `go tool pprof`.
func TestUpPprof(t *testing.T) {
	bin := buildBinary(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	proc := startProcess(t, bin, t.TempDir(), nil, "--pprof", addr)
	defer func() { proc.Process.Signal(syscall.SIGTERM); proc.Wait() }()
	for _, profile := range []string{"heap", "block", "mutex"} {
		resp, err := http.Get("http://" + addr + "/debug/pprof/" + profile)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s profile: HTTP %d", profile, resp.StatusCode)
		}
		file := filepath.Join(t.TempDir(), profile+".pb.gz")
		if err := os.WriteFile(file, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		out := run(t, t.TempDir(), environ(nil), "go", "tool", "pprof", "-top", bin, file)
		if !strings.Contains(out, "flat") {
			t.Fatalf("go tool pprof -top %s:\n%s", profile, out)
		}
	}
}

// TestUpAzureNamesFlag types `scopevault up --azure-names` as docs/clients.md
// does (on a free port): the env file and az keyvault show name Azure's
// hosts, and the CLI reads the vault through them with no hosts lines.
func TestUpAzureNamesFlag(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	proc := startProcess(t, bin, dir, nil, "--azure-names")
	defer func() { proc.Process.Signal(syscall.SIGTERM); proc.Wait() }()
	env := MustEnvFile(t, dir)
	env["SCOPEVAULT_CONFIG_DIR"] = t.TempDir()
	port := strings.TrimPrefix(env["SCOPEVAULT_URL"], "https://localhost")
	want := "https://scopevault-default.vault.azure.net" + port + "/"
	if env["AZURE_KEYVAULT_URL"] != want || env["AZURE_AUTHORITY_HOST"] != "https://login.microsoftonline.com"+port+"/" {
		t.Fatalf("env file: AZURE_KEYVAULT_URL=%q AZURE_AUTHORITY_HOST=%q, want Azure's names", env["AZURE_KEYVAULT_URL"], env["AZURE_AUTHORITY_HOST"])
	}
	if got := strings.TrimSpace(run(t, t.TempDir(), environ(env), bin, "az", "keyvault", "show", "-n", "scopevault-default", "--query", "properties.vaultUri", "-o", "tsv")); got != want {
		t.Errorf("vaultUri = %q, want %q", got, want)
	}
	run(t, t.TempDir(), environ(env), bin, "az", "keyvault", "secret", "set", "--vault-name", "scopevault-default", "-n", "named", "--value", "v", "-o", "none")
}
