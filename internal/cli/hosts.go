package cli

import (
	"github.com/spf13/cobra"
)

func newHostsCommand() *cobra.Command {
	return &cobra.Command{Use: "hosts", Short: "Print hosts-file lines for the real vault host names", Hidden: true}
}
