package cli

import "github.com/spf13/cobra"

func newDiagramCommand() *cobra.Command {
	return &cobra.Command{
		Hidden: true,
		Use:    "diagram",
		Short:  "Draw who can reach what: networks, endpoints, vaults and flows",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
}
