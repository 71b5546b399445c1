package cli

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestStartPprof(t *testing.T) {
	for _, tc := range []struct{ name, addr, err string }{
		{"fail/all-interfaces", "0.0.0.0:0", "loopback address only"},
		{"fail/empty-host", ":0", "loopback address only"},
		{"fail/private-address", "192.0.2.1:6060", "loopback address only"},
		{"fail/host-name", "example.com:6060", "loopback address only"},
		{"fail/no-port", "127.0.0.1", "want HOST:PORT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := startPprof(tc.addr)
			if err == nil {
				l.Close()
				t.Fatalf("startPprof(%q) listened on %s", tc.addr, l.Addr())
			}
			if !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("startPprof(%q): %v, want %q", tc.addr, err, tc.err)
			}
		})
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		t.Run("ok/"+addr, func(t *testing.T) {
			l, err := startPprof(addr)
			if err != nil {
				if addr == "[::1]:0" && strings.Contains(err.Error(), "cannot assign") {
					t.Skip("no IPv6 loopback here")
				}
				t.Fatal(err)
			}
			defer l.Close()
			resp, err := http.Get("http://" + l.Addr().String() + "/debug/pprof/cmdline")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || len(body) == 0 {
				t.Fatalf("cmdline: %d %q", resp.StatusCode, body)
			}
		})
	}
}
