package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"ok/devel-no-vcs", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true,
			"scopevault (devel)\n  go: " + runtime.Version() + "\n"},
		{"ok/no-build-info", nil, false, "scopevault (devel)\n  go: " + runtime.Version() + "\n"},
		{"ok/tagged-with-vcs", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-11-29T04:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}, true,
			"scopevault v1.2.3\n  commit: 0123abcd (modified)\n  commit time: 2026-11-29T04:00:00Z\n  go: " + runtime.Version() + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := readBuildInfo
			t.Cleanup(func() { readBuildInfo = old })
			readBuildInfo = func() (*debug.BuildInfo, bool) { return tc.info, tc.ok }
			if got := versionText(); got != tc.want {
				t.Fatalf("versionText() = %q, want %q", got, tc.want)
			}
		})
	}
}

// `scopevault version` and `scopevault --version` print the same text on
// stdout and nothing else.
func TestVersionCommands(t *testing.T) {
	want := versionText()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, errs, code := runMain(t, args...)
		if code != 0 || out != want || errs != "" {
			t.Errorf("scopevault %s: code %d, stdout %q, stderr %q; want %q", args[0], code, out, errs, want)
		}
	}
	if _, errs, code := runMain(t, "version", "extra"); code == 0 || !strings.Contains(errs, "unrecognized arguments: extra") {
		t.Errorf("version extra: code %d, stderr %q", code, errs)
	}
}

// The README tells a newcomer what the first ten minutes need, and every
// command `scopevault --help` lists is documented somewhere a user reads.
func TestReadmeAndHelpDescribeToday(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	for _, want := range []string{"`up` runs in the foreground", "Ctrl-C", "`&`", "go install ./cmd/scopevault",
		"npm ci", "scopevault version", "SKIPPED: <test>: <reason>", "`--port`"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.md does not say %q", want)
		}
	}
	docs := readme
	files, _ := filepath.Glob("../../docs/*.md")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs += string(b)
	}
	help, _, code := runMain(t, "--help")
	if code != 0 {
		t.Fatalf("--help: code %d", code)
	}
	for _, c := range NewRootCommand().Commands() {
		if !c.IsAvailableCommand() || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		if !strings.Contains(help, "  "+c.Name()+" ") {
			t.Errorf("scopevault --help does not list %s", c.Name())
		}
		if !strings.Contains(docs, "scopevault "+c.Name()) {
			t.Errorf("no README or docs page shows `scopevault %s`", c.Name())
		}
	}
	for _, want := range []string{"scopevault up", "foreground", "Ctrl-C", "scopevault.env"} {
		if !strings.Contains(help, want) {
			t.Errorf("scopevault --help does not say %q:\n%s", want, help)
		}
	}
}
