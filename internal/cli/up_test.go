package cli

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A first `up` on a busy port says the port is busy and leaves no data
// directory (or an empty one as it was), so the next `up` is a clean first
// start; a restart on a busy port keeps the data it had.
func TestUpBusyPortLeavesNoHalfMadeDataDir(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	up := func(t *testing.T, dir string) {
		t.Helper()
		out, errs, code := runMain(t, "up", "--data", dir, "--host", "127.0.0.1", "--port", port)
		if code != 1 || !strings.Contains(errs, "127.0.0.1:"+port+" is busy") || !strings.Contains(errs, "--port") {
			t.Fatalf("up on a busy port: code %d, stdout %q, stderr %q", code, out, errs)
		}
	}
	t.Run("fail/new-dir-removed", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		up(t, dir)
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			entries, _ := os.ReadDir(dir)
			t.Fatalf("data directory left behind (%v): %d entries", err, len(entries))
		}
	})
	t.Run("fail/empty-dir-kept-empty", func(t *testing.T) {
		dir := t.TempDir()
		up(t, dir)
		if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
			t.Fatalf("empty data directory: %v, %d entries left", err, len(entries))
		}
	})
	t.Run("fail/restart-keeps-data", func(t *testing.T) {
		dir := t.TempDir()
		keep := filepath.Join(dir, "keep")
		if err := os.WriteFile(keep, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, errs, code := runMain(t, "up", "--data", dir, "--host", "127.0.0.1", "--port", port)
		if code == 0 {
			t.Fatalf("up on a busy port succeeded: %s", errs)
		}
		if _, err := os.Stat(keep); err != nil {
			t.Fatalf("a restart's failure removed data: %v", err)
		}
	})
}
