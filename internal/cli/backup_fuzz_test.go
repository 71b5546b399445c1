package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/config"
)

// FuzzExtractBackup feeds restore's archive reader arbitrary bytes: it
// never panics, and whatever it accepts or refuses, it writes only the
// backup's known file names, inside its staging directory.
func FuzzExtractBackup(f *testing.F) {
	src := f.TempDir()
	if err := os.WriteFile(filepath.Join(src, config.DBFile), []byte("not really a database"), 0o600); err != nil {
		f.Fatal(err)
	}
	sum, err := fileSHA256(filepath.Join(src, config.DBFile))
	if err != nil {
		f.Fatal(err)
	}
	valid := filepath.Join(f.TempDir(), "b.tar.gz")
	m := backupManifest{Format: backupFormat, Created: time.Unix(0, 0).UTC(), Files: map[string]string{config.DBFile: sum}}
	if err := writeBackupArchive(valid, src, m); err != nil {
		f.Fatal(err)
	}
	raw, err := os.ReadFile(valid)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add(raw[:len(raw)/2])
	f.Add([]byte{})
	f.Add([]byte("\x1f\x8b\x08\x00garbage"))

	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		staging := filepath.Join(root, "staging")
		if err := os.Mkdir(staging, 0o700); err != nil {
			t.Fatal(err)
		}
		extractBackup(bytes.NewReader(data), staging)
		entries, err := os.ReadDir(root)
		if err != nil || len(entries) != 1 {
			t.Fatalf("the reader wrote beside its staging directory: %v %v", entries, err)
		}
		files, err := os.ReadDir(staging)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range files {
			if !slices.Contains(backupFiles, e.Name()) || !e.Type().IsRegular() {
				t.Fatalf("the reader wrote %q (%v)", e.Name(), e.Type())
			}
		}
	})
}
