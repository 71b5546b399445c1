package python_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault/client"
	"github.com/scopevault/scopevault/internal/server"
	"github.com/scopevault/scopevault/internal/testskip"
)

// pyEnv is a running scopevault, the environment its env file gives a
// shell, and a client for seeding the workspace.
type pyEnv struct {
	env  map[string]string
	home string
	w    *client.Databricks
}

func MustPyEnv(t *testing.T) *pyEnv {
	t.Helper()
	s, err := server.Start(context.Background(), server.Config{DataDir: t.TempDir(), Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	e := &pyEnv{env: map[string]string{}, home: t.TempDir()}
	for _, kv := range s.Env() {
		e.env[kv[0]] = kv[1]
	}
	if e.env["DATABRICKS_HOST"] == "" || e.env["DATABRICKS_TOKEN"] == "" {
		t.Fatal("the env file names no workspace (DATABRICKS_HOST, DATABRICKS_TOKEN)")
	}
	if e.w, err = client.NewDatabricks(e.env["DATABRICKS_HOST"], e.env["DATABRICKS_TOKEN"], s.CA.PEM()); err != nil {
		t.Fatal(err)
	}
	return e
}

func requirePython(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI: python3 is not installed")
		}
		testskip.Skipf(t, "python3 is not installed")
	}
	return p
}

// py runs a Python script that imports scopevault_dbutils, with only the
// given variables from the env file (plus PATH and a fresh HOME).
func (e *pyEnv) py(t *testing.T, script string, vars map[string]string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, requirePython(t), "-c", script)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + e.home, "PYTHONPATH=.", "PYTHONDONTWRITEBYTECODE=1"}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestPythonDbutils(t *testing.T) {
	requirePython(t)
	e := MustPyEnv(t)
	ctx := t.Context()
	if err := e.w.CreateScope(ctx, client.CreateScopeRequest{Scope: "py-scope"}); err != nil {
		t.Fatal(err)
	}
	if err := e.w.PutSecretString(ctx, "py-scope", "db-password", "hunter2-é"); err != nil {
		t.Fatal(err)
	}
	if err := e.w.PutSecretBytes(ctx, "py-scope", "blob", []byte{0, 0xff, 'x'}); err != nil {
		t.Fatal(err)
	}
	fromEnv := map[string]string{
		"DATABRICKS_HOST":  e.env["DATABRICKS_HOST"],
		"DATABRICKS_TOKEN": e.env["DATABRICKS_TOKEN"],
		"SSL_CERT_FILE":    e.env["SSL_CERT_FILE"],
	}
	script := `
from scopevault_dbutils import dbutils, DatabricksError
v = dbutils.secrets.get(scope="py-scope", key="db-password")
assert v == "hunter2-\u00e9", "get"
assert dbutils.secrets.getBytes("py-scope", "blob") == b"\x00\xffx", "getBytes"
assert sorted(m.key for m in dbutils.secrets.list(scope="py-scope")) == ["blob", "db-password"], "list"
assert "py-scope" in [s.name for s in dbutils.secrets.listScopes()], "listScopes"
try:
    dbutils.secrets.get(scope="py-scope", key="nope")
    raise SystemExit("a missing key was read")
except DatabricksError as e:
    assert e.error_code == "RESOURCE_DOES_NOT_EXIST" and e.status_code == 404, (e.error_code, e.status_code)
print("Fetched secret length:", len(v))
`
	t.Run("ok/env", func(t *testing.T) {
		out, err := e.py(t, script, fromEnv)
		if err != nil {
			t.Fatalf("python: %v\n%s", err, out)
		}
		if got, want := out, "Fetched secret length: 9\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})

	t.Run("ok/databrickscfg-profile", func(t *testing.T) {
		cfg := filepath.Join(t.TempDir(), "cfg")
		body := "[DEFAULT]\nhost = https://nowhere.invalid\ntoken = dapi-wrong\n\n[local]\nhost = " +
			e.env["DATABRICKS_HOST"] + "\ntoken = " + e.env["DATABRICKS_TOKEN"] + "\n"
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := e.py(t, script, map[string]string{
			"DATABRICKS_CONFIG_FILE":    cfg,
			"DATABRICKS_CONFIG_PROFILE": "local",
			"REQUESTS_CA_BUNDLE":        e.env["SSL_CERT_FILE"],
		})
		if err != nil {
			t.Fatalf("python: %v\n%s", err, out)
		}
	})

	t.Run("fail/invalid-token", func(t *testing.T) {
		vars := map[string]string{"DATABRICKS_HOST": e.env["DATABRICKS_HOST"], "DATABRICKS_TOKEN": "dapi-not-a-token", "SSL_CERT_FILE": e.env["SSL_CERT_FILE"]}
		out, err := e.py(t, `
from scopevault_dbutils import dbutils, DatabricksError
try:
    dbutils.secrets.listScopes()
except DatabricksError as e:
    print(e.status_code, e.error_code, e)
`, vars)
		if err != nil {
			t.Fatalf("python: %v\n%s", err, out)
		}
		if !strings.HasPrefix(out, "403 403 ") {
			t.Errorf("got %q, want status 403 and error code 403", out)
		}
		if strings.Contains(out, "dapi-not-a-token") {
			t.Error("the error shows the token")
		}
	})

	t.Run("fail/no-config", func(t *testing.T) {
		out, err := e.py(t, `
from scopevault_dbutils import dbutils, DatabricksError
try:
    dbutils.secrets.listScopes()
except DatabricksError as e:
    print(e)
`, nil)
		if err != nil || !strings.Contains(out, "DATABRICKS_HOST") {
			t.Fatalf("got %q, %v; want the no-config message", out, err)
		}
	})
}
