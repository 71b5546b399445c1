package e2e

import (
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the module root, from this file's location.
func repoRoot(tb testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("no caller")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// TestGoSDKFromEnvFile runs examples/azsecrets — azidentity's
// ClientSecretCredential (DisableInstanceDiscovery) and azsecrets with no
// options — in its own process whose only configuration is the env file.
func TestGoSDKFromEnvFile(t *testing.T) {
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	bin := filepath.Join(t.TempDir(), "azsecrets")
	root := repoRoot(t)
	run(t, root, environ(nil), "go", "build", "-o", bin, "./examples/azsecrets")
	out := run(t, root, environ(env), bin)
	if !strings.Contains(out, "OK: all 12 operations") || !strings.Contains(out, "ok cleanup: deleted and purged") {
		t.Fatalf("example output:\n%s", out)
	}
	for _, op := range []string{"SetSecret", "GetSecret(latest)", "GetSecret(version)", "UpdateSecretProperties",
		"ListSecretProperties", "ListSecretPropertiesVersions", "BackupSecret", "DeleteSecret", "GetDeletedSecret",
		"ListDeletedSecretProperties", "RecoverDeletedSecret", "PurgeDeletedSecret", "RestoreSecret"} {
		if !strings.Contains(out, "ok "+op+"\n") {
			t.Errorf("operation %s did not run:\n%s", op, out)
		}
	}
}

// TestJSSDK runs @azure/keyvault-secrets with @azure/identity under node,
// configured only by the env file: on the vault's no-setup address, and on
// the real <vault>.vault.azure.net form with challenge verification on.
func TestJSSDK(t *testing.T) {
	node := requireTool(t, "node")
	dir := filepath.Join(repoRoot(t), "internal", "e2e", "js")
	if _, err := filepath.Glob(filepath.Join(dir, "node_modules", "@azure", "keyvault-secrets", "package.json")); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "node_modules", "@azure", "keyvault-secrets", "package.json")); len(m) == 0 {
		missing(t, "JS packages are not installed (cd internal/e2e/js && npm ci)")
	}
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	t.Run("ok/no-setup-address", func(t *testing.T) {
		out := run(t, dir, environ(env), node, "all12.mjs", "--no-verify")
		if !strings.Contains(out, "OK: all 12 operations") {
			t.Fatalf("node output:\n%s", out)
		}
	})
	t.Run("ok/real-host-form", func(t *testing.T) {
		url := "https://" + srv.Boot.Vault + ".vault.azure.net:" + strconv.Itoa(srv.Port()) + "/"
		out := run(t, dir, environ(env), node, "--import", "./resolve-vault-hosts.mjs", "all12.mjs", url)
		if !strings.Contains(out, "OK: all 12 operations") {
			t.Fatalf("node output:\n%s", out)
		}
	})
}
