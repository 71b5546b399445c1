package server_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/config"
	"github.com/scopevault/scopevault/internal/server"
)

// TestLockDataDir: one holder at a time, and the lock file names its pid
// (the load command reads the server's CPU time through it).
func TestLockDataDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, config.LockFile), []byte("999999999999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := server.LockDataDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, err := os.ReadFile(filepath.Join(dir, config.LockFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(raw)); got != strconv.Itoa(os.Getpid()) {
		t.Fatalf("lock file holds %q, want this process's pid %d", got, os.Getpid())
	}
	if _, err := server.LockDataDir(dir); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second lock: %v, want in use", err)
	}
}
