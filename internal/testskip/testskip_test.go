package testskip

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The helper's report names each skipped test and its reason, once.
func TestReport(t *testing.T) {
	t.Run("skip/needs-a-tool", func(t *testing.T) { Skipf(t, "%s is not installed", "frobnicate") })
	var b bytes.Buffer
	Report(&b)
	if got, want := b.String(), "SKIPPED: TestReport/skip/needs-a-tool: frobnicate is not installed\n"; got != want {
		t.Fatalf("report = %q, want %q", got, want)
	}
	b.Reset()
	if Report(&b); b.Len() != 0 {
		t.Fatalf("second report = %q, want nothing", b.String())
	}
}

// A plain `go test` (no -v) of a package whose test skips shows the
// SKIPPED line on the terminal: run under script(1), which gives it one.
func TestSkippedVisibleWithoutVerbose(t *testing.T) {
	if os.Getenv("SCOPEVAULT_SKIP_CHILD") == "1" {
		Skipf(t, "the child skips on purpose")
	}
	if os.Getenv("SCOPEVAULT_SKIP_CHILD") != "" {
		return
	}
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is not installed") // not Skipf: this skip is not a missing dependency of the project
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script, "-qec", exe+" -test.run '^TestSkippedVisibleWithoutVerbose$'", "/dev/null")
	cmd.Env = append(os.Environ(), "SCOPEVAULT_SKIP_CHILD=1", "SCOPEVAULT_SKIP_REPORT=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "SKIPPED: TestSkippedVisibleWithoutVerbose: the child skips on purpose") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func TestMain(m *testing.M) { os.Exit(Main(m)) }
