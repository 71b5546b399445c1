package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/server"
)

// up refuses a log format or a connection bound it cannot use, naming the
// flag, before it touches the data directory or a port.
func TestUpOperationsFlags(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"fail/log-format", []string{"--log-format", "yaml"}, `--log-format: unknown log format "yaml": use text or json`},
		{"fail/read-timeout", []string{"--read-timeout", "-1s"}, "--read-timeout must not be negative"},
		{"fail/idle-timeout", []string{"--idle-timeout", "-1s"}, "--idle-timeout must not be negative"},
		{"fail/max-unauthenticated-conns", []string{"--max-unauthenticated-conns", "-1"}, "--max-unauthenticated-conns must not be negative"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			_, errs, code := runMain(t, append([]string{"up", "--data", dir, "--port", "0"}, c.args...)...)
			if code != 1 || !strings.Contains(errs, c.want) {
				t.Fatalf("code %d, stderr %q, want %q", code, errs, c.want)
			}
		})
	}
}

// A flag's 0 is no bound (the server's negative); other values pass as given.
func TestConnBounds(t *testing.T) {
	for _, c := range []struct {
		name        string
		read, idle  time.Duration
		maxUnauth   int
		wantRead    time.Duration
		wantIdle    time.Duration
		wantMaxConn int
	}{
		{"ok/defaults", server.DefaultReadTimeout, server.DefaultIdleTimeout, server.DefaultMaxUnauthenticatedConns,
			server.DefaultReadTimeout, server.DefaultIdleTimeout, server.DefaultMaxUnauthenticatedConns},
		{"ok/zero-is-none", 0, 0, 0, -1, -1, -1},
		{"ok/short", time.Second, 2 * time.Second, 10, time.Second, 2 * time.Second, 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := connBounds(c.read, c.idle, c.maxUnauth)
			if err != nil {
				t.Fatal(err)
			}
			if got.ReadTimeout != c.wantRead || got.IdleTimeout != c.wantIdle || got.MaxUnauthenticatedConns != c.wantMaxConn {
				t.Errorf("got %s %s %d, want %s %s %d", got.ReadTimeout, got.IdleTimeout, got.MaxUnauthenticatedConns, c.wantRead, c.wantIdle, c.wantMaxConn)
			}
		})
	}
}
