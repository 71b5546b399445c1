package cli

import "github.com/spf13/cobra"

func newExplainCommand() *cobra.Command {
	return &cobra.Command{
		Hidden: true,
		Use:    "explain",
		Short:  "Explain why a secret read is allowed or denied, hop by hop",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
}
