package sqlite_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

// mustFill writes n keys kv/v/secrets/sNNNN with 100-byte values.
func mustFill(tb testing.TB, st store.Store, n int) {
	tb.Helper()
	err := st.Update(tb.Context(), func(tx store.Tx) error {
		for i := range n {
			if err := tx.Put(tb.Context(), fmt.Sprintf("kv/v/secrets/s%04d", i), bytes.Repeat([]byte{byte(i)}, 100)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// mustRewrite replaces every occurrence of old by new (same length) in the
// closed database file, as a failing disk or a stray editor would.
func mustRewrite(tb testing.TB, path string, old, new string) {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(old)) {
		tb.Fatalf("%q is not in the file", old)
	}
	if err := os.WriteFile(path, bytes.ReplaceAll(raw, []byte(old), []byte(new)), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// TestCheck: SQLite's full check finds a key changed out of order (the
// damage that made intact secrets answer 404) and Open refuses a file that
// is not a database, both as ErrDamaged with what to do. A key changed in
// order, or a value, is the barrier's to find (internal/barrier check.go).
func TestCheck(t *testing.T) {
	tests := []struct {
		name        string
		damage      func(t *testing.T, path string)
		wantOpenErr bool // Open (quick check) refuses
		wantDamaged bool // Check(full) reports damage
	}{
		{name: "ok"},
		{name: "fail/key-out-of-order", damage: func(t *testing.T, path string) {
			mustRewrite(t, path, "secrets/s0100", "secrets/s9100")
		}, wantDamaged: true},
		{name: "fail/not-a-database", damage: func(t *testing.T, path string) {
			mustRewrite(t, path, "SQLite format 3", "SQLite format 4")
		}, wantOpenErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "scopevault.db")
			st := MustOpen(t, path)
			mustFill(t, st, 500)
			if err := st.Close(); err != nil { // checkpoints the WAL into the file
				t.Fatal(err)
			}
			if tt.damage != nil {
				tt.damage(t, path)
			}
			st, err := sqlite.Open(path)
			if tt.wantOpenErr {
				if !errors.Is(err, sqlite.ErrDamaged) {
					t.Fatalf("Open error = %v, want ErrDamaged", err)
				}
				mustSayWhatToDo(t, err)
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer st.Close()
			err = st.Check(t.Context(), true)
			if got, want := errors.Is(err, sqlite.ErrDamaged), tt.wantDamaged; got != want {
				t.Fatalf("Check(full) = %v, want damaged: %v", err, want)
			}
			if err != nil {
				mustSayWhatToDo(t, err)
			}
		})
	}
}

func mustSayWhatToDo(t *testing.T, err error) {
	t.Helper()
	var de *sqlite.DamagedError
	if !errors.As(err, &de) || len(de.Problems) == 0 {
		t.Fatalf("error %v is not a *DamagedError with problems", err)
	}
	for _, want := range []string{"damaged", "restore", "backup", "scopevault check"} {
		if !bytes.Contains([]byte(err.Error()), []byte(want)) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestFilesAre0600: the database, WAL and shared-memory files are the
// owner's only, with a umask of 0 and a world-writable directory, and a
// file an older build left 0644 is repaired on open.
func TestFilesAre0600(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	for _, pre := range []bool{false, true} {
		t.Run(fmt.Sprintf("existing-0644=%v", pre), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if err := os.Mkdir(dir, 0o777); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "scopevault.db")
			if pre {
				st := MustOpen(t, path)
				mustFill(t, st, 1)
				st.Close()
				for _, p := range []string{path, path + "-wal", path + "-shm"} {
					if err := os.Chmod(p, 0o644); err != nil && !errors.Is(err, os.ErrNotExist) {
						t.Fatal(err)
					}
				}
			}
			st := MustOpen(t, path)
			defer st.Close()
			mustFill(t, st, 10) // the WAL and shared memory exist while it is open
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatalf("%s: %v", filepath.Base(p), err)
				}
				if got, want := fi.Mode().Perm(), os.FileMode(0o600); got != want {
					t.Errorf("%s mode = %v, want %v", filepath.Base(p), got, want)
				}
			}
		})
	}
}

// TestBackupTo copies the store through a read-only handle while another
// handle keeps writing (as the CLI does beside a running server): the copy
// is one commit's state, 0600, and an existing file is never overwritten.
func TestBackupTo(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "scopevault.db")
	st := MustOpen(t, path)
	defer st.Close()
	mustFill(t, st, 300)

	ro, err := sqlite.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.Update(t.Context(), func(tx store.Tx) error { return tx.Put(t.Context(), "x", nil) }); err == nil {
		t.Error("Update through OpenReadOnly succeeded")
	}

	// A writer goes on while the copy is taken; every commit moves both
	// counters together, so a copy that is one commit's state has them equal.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			st.Update(t.Context(), func(tx store.Tx) error {
				v := []byte(fmt.Sprint(i))
				return errors.Join(tx.Put(t.Context(), "a/counter", v), tx.Put(t.Context(), "z/counter", v))
			})
		}
	}()
	dest := filepath.Join(dir, "copy.db")
	if err := ro.BackupTo(t.Context(), dest); err != nil {
		t.Fatalf("BackupTo: %v", err)
	}
	<-done
	if err := ro.BackupTo(t.Context(), dest); err == nil {
		t.Error("BackupTo over an existing file succeeded")
	}
	fi, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Errorf("copy mode = %v, want %v", got, want)
	}

	cp := MustOpen(t, dest)
	defer cp.Close()
	if err := cp.Check(t.Context(), true); err != nil {
		t.Fatalf("copy: %v", err)
	}
	kvs := mustList(t, cp)
	var a, z string
	n := 0
	for _, kv := range kvs {
		switch kv.Key {
		case "a/counter":
			a = string(kv.Value)
		case "z/counter":
			z = string(kv.Value)
		default:
			n++
		}
	}
	if a != z || n != 300 {
		t.Errorf("copy holds a/counter=%q z/counter=%q and %d keys, want equal counters and 300 keys", a, z, n)
	}
}

func mustList(tb testing.TB, st store.Store) []store.KV {
	tb.Helper()
	var kvs []store.KV
	if err := st.View(tb.Context(), func(tx store.Tx) error {
		var err error
		kvs, err = tx.List(tb.Context(), "", "", 0)
		return err
	}); err != nil {
		tb.Fatal(err)
	}
	return kvs
}
