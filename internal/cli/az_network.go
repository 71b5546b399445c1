package cli

import "github.com/spf13/cobra"

// networkCommand is 'az network': virtual networks, subnets, private
// endpoints and private DNS.
func (a *azCLI) networkCommand() *cobra.Command {
	return &cobra.Command{Hidden: true, Use: "network", Short: "Manage virtual networks, private endpoints and private DNS"}
}
