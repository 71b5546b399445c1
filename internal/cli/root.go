// Package cli is scopevault's command line: one file per command group. With
// internal/server it is where the parts are wired together; commands that
// talk to a running server do so only through its public REST APIs.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"slices"
	"syscall"

	"github.com/spf13/cobra"
)

// NewRootCommand builds the scopevault command tree.
func NewRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "scopevault",
		Short: "Databricks secret scopes backed by Azure Key Vault, without Azure",
		Long: `scopevault: Databricks secret scopes backed by Azure Key Vault, without Azure. One
program serves an Entra ID token service, ARM, Microsoft Graph, Key Vault and a Databricks
workspace, so the official SDKs and CLIs work against it.

Start it with 'scopevault up' (it runs in the foreground: use a second terminal or '&',
stop it with Ctrl-C). Then '. .scopevault/scopevault.env' is all a client needs, and
'scopevault az ...' and 'scopevault databricks ...' speak the az and Databricks CLIs'
syntax. See README.md and docs/cli.md.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newUpCommand(), newHostsCommand(), newRotateKeyCommand(), NewAzCommand(), newAuditCommand(),
		NewDatabricksCommand(), newRunCommand(), newInSubnetCommand(), newExplainCommand(), newDiagramCommand(), newApplyCommand(), newVersionCommand(), newCheckCommand(), newBackupCommand(), newRestoreCommand())
	setVersion(root)
	return root
}

// Main runs the CLI and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	root := NewRootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if !slices.Contains(args, "--only-show-errors") {
		sink := &noticeSink{w: stderr}
		sessionNotices.Store(sink)
		defer sessionNotices.CompareAndSwap(sink, nil)
	}
	err := unknownCommand(root, args)
	if err == nil {
		err = root.ExecuteContext(ctx)
	}
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(stderr, ee.msg)
			}
			return ee.code
		}
		fmt.Fprintln(stderr, "ERROR:", err)
		return 1
	}
	return 0
}

// exitError ends the command with a given code and message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }
