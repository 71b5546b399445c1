package cli

import "github.com/spf13/cobra"

func newApplyCommand() *cobra.Command {
	return &cobra.Command{
		Hidden: true,
		Use:    "apply",
		Short:  "Create or update resources declared in a YAML file",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
}
