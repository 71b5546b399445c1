package cli

import (
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
