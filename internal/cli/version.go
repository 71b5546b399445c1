package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// readBuildInfo is debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

// versionText is what `scopevault version` and `scopevault --version`
// print: the module's version as the go command recorded it ("(devel)" for
// a build from a work tree, v1.2.3 for `go install ...@v1.2.3`), then the
// commit, its time and whether the tree had changes when the build has
// them, and the Go version.
func versionText() string {
	version, lines := "(devel)", []string(nil)
	if info, ok := readBuildInfo(); ok {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		set := map[string]string{}
		for _, s := range info.Settings {
			set[s.Key] = s.Value
		}
		if rev := set["vcs.revision"]; rev != "" {
			if set["vcs.modified"] == "true" {
				rev += " (modified)"
			}
			lines = append(lines, "commit: "+rev)
		}
		if t := set["vcs.time"]; t != "" {
			lines = append(lines, "commit time: "+t)
		}
	}
	lines = append(lines, "go: "+runtime.Version())
	return "scopevault " + version + "\n  " + strings.Join(lines, "\n  ") + "\n"
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print scopevault's version (also --version)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(cmd.OutOrStdout(), versionText())
			return err
		},
	}
}

// setVersion gives the root command --version, printing what `version` does.
func setVersion(root *cobra.Command) {
	root.Version = strings.TrimPrefix(strings.SplitN(versionText(), "\n", 2)[0], "scopevault ")
	root.SetVersionTemplate("{{printf \"%s\" .Annotations.versionText}}")
	if root.Annotations == nil {
		root.Annotations = map[string]string{}
	}
	root.Annotations["versionText"] = versionText()
}
