package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/server"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

// canary starts a server on dir, sets the canary secret when want is false,
// and requires it to be there already when want is true.
func canary(t *testing.T, dir string, want bool, extraEnv ...string) {
	t.Helper()
	for _, kv := range extraEnv {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	srv, err := server.Start(context.Background(), server.Config{DataDir: dir, Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	v, err := srv.Engine.Vault(context.Background(), srv.Boot.Vault)
	if err != nil {
		t.Fatal(err)
	}
	if want {
		if sv, err := srv.Engine.Get(context.Background(), v, "canary", ""); err != nil || sv.Value != "rotate-me" {
			t.Fatalf("canary after rotation: %v", err)
		}
		return
	}
	env := MustEnvFile(t, dir)
	c := MustClient(t, env)
	if status, body, err := c.Do("PUT", strings.TrimSuffix(env["AZURE_KEYVAULT_URL"], "/")+"/secrets/canary?api-version=7.6", c.AdminToken(t), map[string]string{"value": "rotate-me"}); err != nil || status != 200 {
		t.Fatalf("set: %d %s %v", status, body, err)
	}
}

func opens(t *testing.T, dir string, key []byte) bool {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(dir, config.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = barrier.Open(context.Background(), st, key)
	return err == nil
}

// TestRotateKey runs `scopevault rotate-key` as a user types it, on a key file
// and on SCOPEVAULT_MASTER_KEY, and checks the old key no longer opens the store.
func TestRotateKey(t *testing.T) {
	bin := buildBinary(t)
	t.Run("ok/key-file", func(t *testing.T) {
		dir := t.TempDir()
		canary(t, dir, false)
		oldKey, _, err := config.MasterKey(dir)
		if err != nil {
			t.Fatal(err)
		}
		out := run(t, dir, environ(nil), bin, "rotate-key", "--data", dir)
		if !strings.Contains(out, "rotated:") {
			t.Fatalf("rotate-key output: %s", out)
		}
		newKey, _, err := config.MasterKey(dir)
		if err != nil {
			t.Fatal(err)
		}
		if string(newKey) == string(oldKey) || opens(t, dir, oldKey) || !opens(t, dir, newKey) {
			t.Fatal("after rotate-key the old master key must fail and the new one open the store")
		}
		canary(t, dir, true) // restart reads the secret with the rotated keys
	})
	t.Run("ok/env-key", func(t *testing.T) {
		dir := t.TempDir()
		oldKey, newKey := config.EncodeKey(barrier.NewMasterKey()), config.EncodeKey(barrier.NewMasterKey())
		canary(t, dir, false, config.MasterKeyEnv+"="+oldKey)
		if _, err := os.Stat(filepath.Join(dir, config.MasterKeyFile)); err == nil {
			t.Fatal("a key file was written although the key came from the environment")
		}
		run(t, dir, append(environ(nil), config.MasterKeyEnv+"="+oldKey, "SCOPEVAULT_NEW_MASTER_KEY="+newKey), bin, "rotate-key", "--data", dir)
		canary(t, dir, true, config.MasterKeyEnv+"="+newKey)
	})
}
