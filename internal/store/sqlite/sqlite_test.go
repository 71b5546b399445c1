package sqlite_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
	"github.com/scopevault/scopevault/internal/store/sqlite"
	"github.com/scopevault/scopevault/internal/store/storetest"
)

// fileStore remembers which file a store is over, so the suite can reopen it.
type fileStore struct {
	*sqlite.Store
	path string
}

func TestConformance(t *testing.T) {
	storetest.RunWithReopen(t,
		func(t *testing.T) store.Store {
			path := filepath.Join(t.TempDir(), "scopevault.db")
			return fileStore{MustOpen(t, path), path}
		},
		func(t *testing.T, st store.Store) store.Store {
			path := st.(fileStore).path
			return fileStore{MustOpen(t, path), path}
		})
}

// MustOpen opens the database at path; the caller closes it.
func MustOpen(tb testing.TB, path string) *sqlite.Store {
	tb.Helper()
	st, err := sqlite.Open(path)
	if err != nil {
		tb.Fatalf("Open(%q): %v", path, err)
	}
	return st
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		path    string
		wantErr bool
	}{
		{name: "ok", path: filepath.Join(dir, "scopevault.db")},
		// SQLite would read '#' as the start of a URI fragment and '%20' as an
		// escaped space if the path went in as a file: URI.
		{name: "ok/uri-characters-in-path", path: filepath.Join(dir, "a#b%20c d", "scopevault.db")},
		{name: "fail/empty", path: "", wantErr: true},
		{name: "fail/memory", path: ":memory:", wantErr: true},
		{name: "fail/question-mark", path: filepath.Join(dir, "what?.db"), wantErr: true},
		{name: "fail/uri", path: "file:" + filepath.Join(dir, "x.db"), wantErr: true},
		{name: "fail/missing-directory", path: filepath.Join(dir, "no", "such", "dir", "x.db"), wantErr: true},
	}
	if err := os.MkdirAll(filepath.Join(dir, "a#b%20c d"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := sqlite.Open(tt.path)
			if err == nil {
				// The driver opens lazily; make it touch the file.
				err = st.Update(t.Context(), func(tx store.Tx) error { return tx.Put(t.Context(), "k", []byte("v")) })
				st.Close()
			}
			if got, want := err != nil, tt.wantErr; got != want {
				t.Fatalf("Open(%q) error = %v, want error: %v", tt.path, err, want)
			}
			if tt.wantErr {
				return
			}
			if _, err := os.Stat(tt.path); err != nil {
				t.Errorf("the database is not at the path given: %v", err)
			}
		})
	}
}

// TestTwoHandlesOneFile runs writers through two Stores over one file, as two
// processes would: only SQLite's own locking keeps them apart.
func TestTwoHandlesOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scopevault.db")
	stores := []*sqlite.Store{MustOpen(t, path), MustOpen(t, path)}
	for _, st := range stores {
		t.Cleanup(func() { st.Close() })
	}
	const each = 25
	var wg sync.WaitGroup
	for i := range 4 {
		st := stores[i%2]
		wg.Go(func() {
			for range each {
				if err := increment(t, st, "counter"); err != nil {
					t.Errorf("Update: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	for i, st := range stores {
		var got []byte
		err := st.View(t.Context(), func(tx store.Tx) error {
			var err error
			got, err = tx.Get(t.Context(), "counter")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(got), strconv.Itoa(4*each); got != want {
			t.Errorf("store %d reads counter = %s, want %s", i, got, want)
		}
	}
}

func increment(t *testing.T, st store.Store, key string) error {
	return st.Update(t.Context(), func(tx store.Tx) error {
		n := 0
		v, err := tx.Get(t.Context(), key)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			if n, err = strconv.Atoi(string(v)); err != nil {
				return err
			}
		}
		return tx.Put(t.Context(), key, []byte(strconv.Itoa(n+1)))
	})
}

var killChild = flag.String("sqlite.kill-child", "", "internal: run as the child of TestUpdateSurvivesKill on this database file")

// TestUpdateSurvivesKill kills (SIGKILL, no Close) a child process right after
// its Update returned, then expects the write in the file.
func TestUpdateSurvivesKill(t *testing.T) {
	if *killChild != "" {
		runKillChild(*killChild)
		return
	}
	path := filepath.Join(t.TempDir(), "scopevault.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestUpdateSurvivesKill$", "-test.count=1", "-sqlite.kill-child="+path)
	stdin, err := cmd.StdinPipe() // held open so the child blocks reading it
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	committed := false
	for sc := bufio.NewScanner(stdout); sc.Scan(); {
		if sc.Text() == "committed" {
			committed = true
			break
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if !committed {
		t.Fatal("the child never reported its Update returned")
	}

	st := MustOpen(t, path)
	defer st.Close()
	var got []byte
	err = st.View(t.Context(), func(tx store.Tx) error {
		var err error
		got, err = tx.Get(t.Context(), "k")
		return err
	})
	if err != nil {
		t.Fatalf("Get after kill: %v", err)
	}
	if got, want := string(got), "survives"; got != want {
		t.Errorf("Get after kill = %q, want %q", got, want)
	}
}

func runKillChild(path string) {
	st, err := sqlite.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx := context.Background()
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.Put(ctx, "k", []byte("survives")) }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println("committed")
	io.Copy(io.Discard, os.Stdin) // wait to be killed
	os.Exit(3)
}
