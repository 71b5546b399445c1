package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/server"
	"github.com/scopevault/scopevault/internal/store"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

// damageValue is a secret's value: it must never show in an error or report.
const damageValue = "value-7c1e-never-printed"

// mustStartServer starts a server on dir and stops it when the test ends
// (or when the returned stop is called first).
func mustStartServer(t *testing.T, dir string) (srv *server.Server, stop func()) {
	t.Helper()
	srv, err := server.Start(context.Background(), server.Config{DataDir: dir, Port: 0})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}
	t.Cleanup(stop)
	return srv, stop
}

// mustServerWithSecrets writes secrets through a real server on a fresh
// directory, stops it and returns the directory.
func mustServerWithSecrets(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	srv, stop := mustStartServer(t, dir)
	v, err := srv.Engine.Vault(t.Context(), srv.Boot.Vault)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"alpha", "damage-target", "omega"} {
		if _, err := srv.Engine.Set(t.Context(), v, name, secrets.SetParams{Value: damageValue}); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	return dir
}

// rawRecord returns the stored (sealed) bytes and key of the first record
// whose key contains part.
func rawRecord(t *testing.T, dir, part string) (key string, sealed []byte) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(dir, config.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.View(t.Context(), func(tx store.Tx) error {
		kvs, err := tx.List(t.Context(), "", "", 0)
		for _, kv := range kvs {
			if strings.Contains(kv.Key, part) && key == "" {
				key, sealed = kv.Key, kv.Value
			}
		}
		return err
	})
	if err != nil || key == "" {
		t.Fatalf("no record with %q in its key (%v)", part, err)
	}
	return key, sealed
}

// flipInFile changes one byte at offset at within every copy of what in
// the (closed) database file, as a failing disk would: one bit, or the
// bits of mask if given.
func flipInFile(t *testing.T, dir string, what []byte, at int, mask ...byte) {
	t.Helper()
	path := filepath.Join(dir, config.DBFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := 0; ; {
		j := bytes.Index(raw[i:], what)
		if j < 0 {
			break
		}
		raw[i+j+at] ^= append(mask, 0x01)[0]
		i += j + len(what)
		n++
	}
	if n == 0 {
		t.Fatalf("%q is not in the database file", what)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedStoreRefused changes one byte of a key, then of a value, in a
// database file a real server wrote: the next start is refused with what
// happened and what to do, and `scopevault check` names the record and
// exits 1. Before this, a changed key started and answered 404 for intact
// secrets.
func TestDamagedStoreRefused(t *testing.T) {
	tests := []struct {
		name       string
		damage     func(t *testing.T, dir string) (damagedKey string)
		wantSQLite string // what SQLite's integrity check says, if it sees it
	}{
		{name: "fail/key-byte", damage: func(t *testing.T, dir string) string {
			key, _ := rawRecord(t, dir, "damage-target")
			flipInFile(t, dir, []byte(key), strings.Index(key, "damage-target")+2) // "da" + 'm'^1 = 'l': still in order
			return strings.Replace(key, "damage-target", "dalage-target", 1)
		}},
		{name: "fail/key-byte-out-of-order", damage: func(t *testing.T, dir string) string {
			// 'd'^0x10 = 't': the key now sorts after "omega", and lookups
			// of intact neighbours can miss (the 404s once served).
			key, _ := rawRecord(t, dir, "damage-target")
			flipInFile(t, dir, []byte(key), strings.Index(key, "damage-target"), 0x10)
			return strings.Replace(key, "damage-target", "tamage-target", 1)
		}, wantSQLite: "DAMAGED  sqlite: row not in PRIMARY KEY order"},
		{name: "fail/value-byte", damage: func(t *testing.T, dir string) string {
			key, sealed := rawRecord(t, dir, "damage-target")
			flipInFile(t, dir, sealed, len(sealed)/2)
			return key
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := mustServerWithSecrets(t)
			damagedKey := tt.damage(t, dir)

			_, err := server.Start(context.Background(), server.Config{DataDir: dir, Port: 0})
			if !errors.Is(err, barrier.ErrDamaged) {
				t.Fatalf("start on a damaged store: %v, want barrier.ErrDamaged", err)
			}
			for _, want := range []string{"damaged", damagedKey, "Restore the data directory from a backup", "scopevault check"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("start error %q does not say %q", err, want)
				}
			}
			if strings.Contains(err.Error(), damageValue) {
				t.Errorf("start error holds a value: %q", err)
			}

			out, errOut, code := runCLI(t, "", "check", "--data", dir)
			if code != 1 {
				t.Fatalf("check: exit %d, want 1\n%s%s", code, out, errOut)
			}
			if want := `DAMAGED  record "` + damagedKey + `" does not open at its key`; !strings.Contains(out, want) {
				t.Errorf("check output lacks %q:\n%s", want, out)
			}
			if !strings.Contains(errOut, "restore the data directory from a backup") {
				t.Errorf("check stderr does not say what to do: %q", errOut)
			}
			if strings.Contains(out+errOut, damageValue) {
				t.Errorf("check printed a value:\n%s%s", out, errOut)
			}
			if tt.wantSQLite != "" && !strings.Contains(out, tt.wantSQLite) {
				t.Errorf("check output lacks %q:\n%s", tt.wantSQLite, out)
			}
		})
	}
}

// TestCheck: a sound store passes, stopped or running (then it says the
// server holds the directory and checks beside it); no data, or no master
// key, is an error, not a pass.
func TestCheck(t *testing.T) {
	dir := mustServerWithSecrets(t)
	out, errOut, code := runCLI(t, "", "check", "--data", dir)
	if code != 0 || !strings.Contains(out, "the store in "+dir+" is sound") || !strings.Contains(out, "ok       sqlite:") || !strings.Contains(out, "0 damaged") || errOut != "" {
		t.Fatalf("check of a sound stopped store: exit %d\n%s%s", code, out, errOut)
	}

	mustStartServer(t, dir)
	out, errOut, code = runCLI(t, "", "check", "--data", dir)
	if code != 0 || !strings.Contains(out, "is sound") || !strings.Contains(errOut, "in use by another scopevault process (pid ") || !strings.Contains(errOut, "checking one snapshot read beside it") {
		t.Fatalf("check beside a running server: exit %d\n%s%s", code, out, errOut)
	}

	if _, errOut, code := runCLI(t, "", "check", "--data", t.TempDir()); code != 1 || !strings.Contains(errOut, "no scopevault data in") {
		t.Errorf("check of an empty directory: exit %d %q", code, errOut)
	}
	keyless := mustServerWithSecrets(t)
	if err := os.Remove(filepath.Join(keyless, config.MasterKeyFile)); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, "", "check", "--data", keyless); code != 1 || !strings.Contains(errOut, "records not checked: no master key") {
		t.Errorf("check without a master key: exit %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(keyless, config.MasterKeyFile)); err == nil {
		t.Error("check wrote a master key")
	}
}

// TestDataFilesAre0600 starts a server with umask 0 on a world-writable
// directory: the database and its WAL and shared memory are the owner's
// only, as are the key, the audit log and the env file.
func TestDataFilesAre0600(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	srv, _ := mustStartServer(t, dir)
	v, err := srv.Engine.Vault(t.Context(), srv.Boot.Vault)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Engine.Set(t.Context(), v, "s", secrets.SetParams{Value: "v"}); err != nil {
		t.Fatal(err)
	}
	db := config.DBFile
	for _, name := range []string{db, db + "-wal", db + "-shm", config.MasterKeyFile, "audit.log", config.EnvFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s mode = %v, want 0600", name, got)
		}
	}
}
