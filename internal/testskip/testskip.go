// Package testskip makes a skipped test visible in a plain `go test ./...`,
// which shows only "ok" for a passing package however many of its tests
// were skipped. A test skips through Skipf, which records why; the
// package's TestMain runs its tests through Main, which then writes one
// "SKIPPED: <test>: <reason>" line per skip to the terminal (/dev/tty: the
// go command keeps a passing package's stdout and stderr to itself), or to
// stdout under -v or when SCOPEVAULT_SKIP_REPORT=stdout. Only tests import it.
package testskip

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
)

var (
	mu      sync.Mutex
	skipped []string
)

// Skipf records why tb is skipped, then skips it.
func Skipf(tb testing.TB, format string, args ...any) {
	tb.Helper()
	reason := fmt.Sprintf(format, args...)
	mu.Lock()
	skipped = append(skipped, tb.Name()+": "+reason)
	mu.Unlock()
	tb.Skip(reason)
}

// Main runs the package's tests and reports the skips; TestMain calls
// os.Exit(testskip.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if w, closeFn := reportWriter(); w != nil {
		Report(w)
		closeFn()
	}
	return code
}

// Report writes the recorded skips, one line each, and forgets them.
func Report(w io.Writer) {
	mu.Lock()
	defer mu.Unlock()
	for _, s := range skipped {
		fmt.Fprintln(w, "SKIPPED: "+strings.ReplaceAll(s, "\n", " "))
	}
	skipped = nil
}

// reportWriter is stdout when asked for (or under -v, where the go command
// shows it), else the terminal when there is one, else nothing.
func reportWriter() (io.Writer, func()) {
	if os.Getenv("SCOPEVAULT_SKIP_REPORT") == "stdout" || testing.Verbose() {
		return os.Stdout, func() {}
	}
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		return nil, nil
	}
	return tty, func() { tty.Close() }
}
