package cli

import "github.com/spf13/cobra"

// privateEndpointConnectionCommand is 'az keyvault private-endpoint-connection'.
func (a *azCLI) privateEndpointConnectionCommand() *cobra.Command {
	return &cobra.Command{Hidden: true, Use: "private-endpoint-connection", Short: "Manage a vault's private endpoint connections"}
}
