package cli

import (
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/server"
	"github.com/scopevault/scopevault/internal/store"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

// useServer points the in-process az and databricks commands at srv, as
// `. DIR/scopevault.env` in a new shell would.
func useServer(t *testing.T, srv *server.Server) *azEnv {
	t.Helper()
	e := &azEnv{srv: srv, env: MustEnvFile(t, filepath.Join(srv.DataDir(), config.EnvFile)), cfgDir: t.TempDir()}
	e.armURL = e.env["SCOPEVAULT_ARM_ENDPOINT"]
	for k, v := range e.env {
		t.Setenv(k, v)
	}
	t.Setenv(envConfigDir, e.cfgDir)
	return e
}

// userView is what a user reads back through the CLIs: every secret
// version with its value, every role assignment, the workspace's scopes
// and a scope's secret. URLs are left out: a restored server has its own port.
func userView(t *testing.T, e *azEnv) []string {
	t.Helper()
	vault := e.srv.Boot.Vault
	var lines []string
	for _, name := range strings.Fields(e.MustRun(t, "keyvault", "secret", "list", "--vault-name", vault, "--query", "[].name", "-o", "tsv")) {
		for _, id := range strings.Fields(e.MustRun(t, "keyvault", "secret", "list-versions", "--vault-name", vault, "-n", name, "--query", "[].id", "-o", "tsv")) {
			val := e.MustRun(t, "keyvault", "secret", "show", "--vault-name", vault, "-n", name, "--version", path.Base(id), "--query", "value", "-o", "tsv")
			lines = append(lines, "secret "+name+" "+path.Base(id)+" = "+strings.TrimSpace(val))
		}
	}
	for _, ra := range strings.Split(strings.TrimSpace(e.MustRun(t, "role", "assignment", "list", "--all", "--query", "[].[name, principalId, roleDefinitionName, scope]", "-o", "tsv")), "\n") {
		lines = append(lines, "role "+ra)
	}
	lines = append(lines, "scopes "+MustDBX(t, "secrets", "list-scopes", "-o", "json"))
	lines = append(lines, "etl/token "+MustDBX(t, "secrets", "get-secret", "etl", "token"))
	slices.Sort(lines)
	return lines
}

// mustRecords opens every record of dir's store (read-only, beside a
// running server if there is one) and returns them in clear.
func mustRecords(t *testing.T, dir string, key []byte) map[string]string {
	t.Helper()
	st, err := sqlite.OpenReadOnly(filepath.Join(dir, config.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := barrier.Load(t.Context(), st, key)
	if err != nil {
		t.Fatal(err)
	}
	recs := map[string]string{}
	err = st.View(t.Context(), func(tx store.Tx) error {
		kvs, err := b.Wrap(tx).List(t.Context(), "", "", 0)
		for _, kv := range kvs {
			recs[kv.Key] = string(kv.Value)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func mustCLIOK(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	out, errOut, code := runCLI(t, "", args...)
	if code != 0 {
		t.Fatalf("scopevault %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out, errOut
}

// TestBackupRestore backs up a running server holding secrets with
// several versions, role assignments and a Databricks scope, restores the
// backup into a fresh directory, starts a server there and reads
// everything back through the CLIs; the restored store holds the same
// records, byte for byte in clear.
func TestBackupRestore(t *testing.T) {
	e := MustDatabricks(t)
	boot := e.srv.Boot
	for _, v := range []string{"one", "two", "three"} {
		e.MustRun(t, "keyvault", "secret", "set", "--vault-name", boot.Vault, "-n", "db-password", "--value", "pw-"+v, "-o", "none")
	}
	e.MustRun(t, "keyvault", "secret", "set", "--vault-name", boot.Vault, "-n", "api-key", "--value", "k-1", "-o", "none")
	vaultID := strings.TrimSpace(e.MustRun(t, "keyvault", "show", "-n", boot.Vault, "--query", "id", "-o", "tsv"))
	e.MustRun(t, "role", "assignment", "create", "--assignee", scopevault.AzureDatabricksAppID, "--role", "Key Vault Secrets User", "--scope", vaultID, "-o", "none")
	MustDBX(t, "secrets", "create-scope", "etl")
	MustDBX(t, "secrets", "put-secret", "etl", "token", "--string-value", "dbx-secret-1")
	before := userView(t, e.azEnv)
	if n := len(before); n < 8 {
		t.Fatalf("the view before backup has %d lines:\n%s", n, strings.Join(before, "\n"))
	}

	file := filepath.Join(t.TempDir(), "sv.tar.gz")
	out, errOut := mustCLIOK(t, "backup", file, "--data", e.srv.DataDir())
	if !strings.Contains(out, "records checked") || !strings.Contains(out, "the master key is not in it") || strings.Contains(errOut, "WARNING") {
		t.Errorf("backup output:\n%s%s", out, errOut)
	}
	key, _, err := config.MasterKey(e.srv.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	want := mustRecords(t, e.srv.DataDir(), key) // nothing was written since the backup
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v, want mode 0600", fi, err)
	}
	if raw, _ := os.ReadFile(file); strings.Contains(string(raw), "pw-three") {
		t.Error("the backup holds a value in clear")
	}

	dir := filepath.Join(t.TempDir(), "restored")
	out, _ = mustCLIOK(t, "restore", file, "--data", dir, "--master-key-file", filepath.Join(e.srv.DataDir(), config.MasterKeyFile))
	if !strings.Contains(out, "restored: ") || !strings.Contains(out, "scopevault up --data "+dir) {
		t.Errorf("restore output: %s", out)
	}
	if got := mustRecords(t, dir, key); !maps.Equal(got, want) {
		t.Errorf("the restored store holds %d records, the original %d, or they differ", len(got), len(want))
	}

	srv2, _ := mustStartServer(t, dir)
	after := userView(t, useServer(t, srv2))
	if !slices.Equal(after, before) {
		t.Errorf("read back after restore:\n%s\nwant:\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	if ca1, ca2 := mustRead(t, filepath.Join(e.srv.DataDir(), config.CAFile)), mustRead(t, filepath.Join(dir, config.CAFile)); ca1 != ca2 {
		t.Error("the restored server has another CA: clients trusting the old one would fail")
	}
}

// TestRestore: what restore refuses, and the key in the backup.
func TestRestore(t *testing.T) {
	src := mustServerWithSecrets(t)
	plain := filepath.Join(t.TempDir(), "plain.tar.gz")
	mustCLIOK(t, "backup", plain, "--data", src)
	withKey := filepath.Join(t.TempDir(), "with-key.tar.gz")
	_, errOut := mustCLIOK(t, "backup", withKey, "--data", src, "--include-master-key")
	if !strings.Contains(errOut, "WARNING: "+withKey+" holds the master key") {
		t.Errorf("--include-master-key warned %q", errOut)
	}
	if _, errOut, code := runCLI(t, "", "backup", plain, "--data", src); code != 1 || !strings.Contains(errOut, "exists") {
		t.Errorf("backup over an existing file: exit %d %q", code, errOut)
	}
	wrongKey := filepath.Join(t.TempDir(), "wrong.key")
	if err := os.WriteFile(wrongKey, []byte(config.EncodeKey(barrier.NewMasterKey())), 0o600); err != nil {
		t.Fatal(err)
	}
	damagedFile := filepath.Join(t.TempDir(), "damaged.tar.gz")
	raw := []byte(mustRead(t, plain))
	raw[len(raw)/2] ^= 0xff
	if err := os.WriteFile(damagedFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	used := t.TempDir()
	if err := os.WriteFile(filepath.Join(used, "notes.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		dir     string
		args    []string
		env     string // SCOPEVAULT_MASTER_KEY
		wantErr string // "" for success
	}{
		{name: "fail/no-master-key", args: []string{plain}, wantErr: "holds no master key (it was made without --include-master-key) and none was given: give the store's key with --master-key-file PATH or in SCOPEVAULT_MASTER_KEY"},
		{name: "fail/wrong-master-key", args: []string{plain, "--master-key-file", wrongKey}, wantErr: "does not open the store in " + plain + ": it is not the key this backup was made with"},
		{name: "fail/wrong-env-key", args: []string{withKey}, env: config.EncodeKey(barrier.NewMasterKey()), wantErr: "the master key from SCOPEVAULT_MASTER_KEY does not open"},
		{name: "fail/not-empty", dir: used, args: []string{withKey}, wantErr: "is not empty: restore into a new or empty directory, or give --force"},
		{name: "fail/damaged-backup", args: []string{damagedFile, "--master-key-file", filepath.Join(src, config.MasterKeyFile)}, wantErr: damagedFile},
		{name: "fail/server-running", dir: src, args: []string{withKey, "--force"}, wantErr: "in use by another scopevault process: stop it before restoring"},
		{name: "ok/key-in-backup", args: []string{withKey}},
		{name: "ok/key-file", args: []string{plain, "--master-key-file", filepath.Join(src, config.MasterKeyFile)}},
		{name: "ok/env-key", args: []string{plain}, env: config.EncodeKey(mustKey(t, src))},
		{name: "ok/force", dir: used, args: []string{withKey, "--force"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir
			if dir == "" {
				dir = filepath.Join(t.TempDir(), "data")
			}
			if tt.name == "fail/server-running" {
				mustStartServer(t, src)
			}
			t.Setenv(config.MasterKeyEnv, tt.env)
			out, errOut, code := runCLI(t, "", append([]string{"restore", "--data", dir}, tt.args...)...)
			if tt.wantErr != "" {
				if code == 0 || !strings.Contains(errOut, tt.wantErr) {
					t.Fatalf("restore: exit %d, stderr %q; want an error saying %q", code, errOut, tt.wantErr)
				}
				if tt.dir == "" {
					if _, err := os.Stat(filepath.Join(dir, config.DBFile)); err == nil {
						t.Error("a refused restore left a store in the directory")
					}
				}
				return
			}
			if code != 0 {
				t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
			}
			if tt.env == "" {
				if fi, err := os.Stat(filepath.Join(dir, config.MasterKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
					t.Fatalf("restored master.key: %v %v, want 0600", fi, err)
				}
			}
			srv, _ := mustStartServer(t, dir)
			v, err := srv.Engine.Vault(t.Context(), srv.Boot.Vault)
			if err != nil {
				t.Fatal(err)
			}
			if sv, err := srv.Engine.Get(t.Context(), v, "damage-target", ""); err != nil || sv.Value != damageValue {
				t.Errorf("a secret after restore: %v", err)
			}
		})
	}
}

// TestBackupRefusesDamagedStore: a damaged store is not backed up as a good one.
func TestBackupRefusesDamagedStore(t *testing.T) {
	dir := mustServerWithSecrets(t)
	key, sealed := rawRecord(t, dir, "damage-target")
	flipInFile(t, dir, sealed, len(sealed)/2)
	file := filepath.Join(t.TempDir(), "sv.tar.gz")
	_, errOut, code := runCLI(t, "", "backup", file, "--data", dir)
	if code != 1 || !strings.Contains(errOut, "is damaged") || !strings.Contains(errOut, key) || !strings.Contains(errOut, "no backup written") {
		t.Errorf("backup of a damaged store: exit %d %q", code, errOut)
	}
	if _, err := os.Stat(file); err == nil {
		t.Error("a backup file was written")
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustKey(t *testing.T, dir string) []byte {
	t.Helper()
	k, _, err := config.MasterKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
