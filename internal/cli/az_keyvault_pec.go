package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// privateEndpointConnectionCommand is 'az keyvault private-endpoint-connection':
// the vault owner's side of private endpoints (approve, reject, delete).
func (a *azCLI) privateEndpointConnectionCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "private-endpoint-connection", Short: "Manage a vault's private endpoint connections"}
	cmd.AddCommand(a.pecStateCommand("Approved"), a.pecStateCommand("Rejected"), a.pecDeleteCommand(), a.pecShowCommand(), a.pecListCommand())
	return cmd
}

// pecArgs name one connection: --id, or -n with --vault-name (and -g, found
// from the vault when not given).
type pecArgs struct{ id, group, vault, name string }

func (p *pecArgs) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&p.id, "id", "", "id of the private endpoint connection")
	f.StringVarP(&p.group, "resource-group", "g", "", "name of the resource group (default: the vault's)")
	f.StringVar(&p.vault, "vault-name", "", "name of the key vault")
	f.StringVarP(&p.name, "name", "n", "", "name of the private endpoint connection")
}

// resolve fills group, vault and name from --id or by finding the vault.
func (p *pecArgs) resolve(cmd *cobra.Command, s *session, sub string) error {
	if p.id != "" {
		r, ok := client.ParseResourceID(p.id)
		if !ok || !r.Is("Microsoft.KeyVault", "vaults", "privateEndpointConnections") {
			return errors.New("argument --id: '" + p.id + "' is not the id of a key vault's private endpoint connection")
		}
		p.group, p.vault, p.name = r.ResourceGroup, r.Name, r.Children[0][1]
	}
	if p.vault == "" || p.name == "" {
		return errors.New("incorrect usage: [--id ID | --name NAME --vault-name NAME]")
	}
	if p.group == "" {
		v, err := s.arm.FindVault(cmd.Context(), sub, p.vault)
		if err != nil {
			return err
		}
		p.group = v.ResourceGroup()
	}
	return nil
}

// pecStateCommand is approve (status Approved) or reject (Rejected).
func (a *azCLI) pecStateCommand(status string) *cobra.Command {
	var p pecArgs
	var description string
	use, short := "approve", "Approve a private endpoint connection: the endpoint starts to lead to the vault"
	if status == "Rejected" {
		use, short = "reject", "Reject a private endpoint connection: the endpoint gives no access"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Example: `  az keyvault private-endpoint-connection ` + use + ` -g rg-data --vault-name kv-data -n "$PEC_NAME" --description "ok by security"
  az keyvault private-endpoint-connection ` + use + ` --id "$PEC_ID"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			if err := p.resolve(cmd, s, sub); err != nil {
				return err
			}
			out, err := s.arm.SetVaultPrivateEndpointConnectionState(cmd.Context(), sub, p.group, p.vault, p.name, status, description)
			if err != nil {
				return err
			}
			return a.printResource(cmd, out)
		},
	}
	p.flags(cmd)
	cmd.Flags().StringVar(&description, "description", "", "comments for the "+use+" operation")
	return cmd
}

func (a *azCLI) pecDeleteCommand() *cobra.Command {
	var p pecArgs
	cmd := &cobra.Command{
		Use:     "delete",
		Short:   "Remove a private endpoint connection from the vault (the endpoint is left Disconnected)",
		Example: `  az keyvault private-endpoint-connection delete --id "$PEC_ID"`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			if err := p.resolve(cmd, s, sub); err != nil {
				return err
			}
			return s.arm.DeleteVaultPrivateEndpointConnection(cmd.Context(), sub, p.group, p.vault, p.name)
		},
	}
	p.flags(cmd)
	return cmd
}

func (a *azCLI) pecShowCommand() *cobra.Command {
	var p pecArgs
	cmd := &cobra.Command{
		Use:     "show",
		Short:   "Show a private endpoint connection and its state",
		Example: `  az keyvault private-endpoint-connection show --id "$PEC_ID" --query privateLinkServiceConnectionState.status -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			if err := p.resolve(cmd, s, sub); err != nil {
				return err
			}
			out, err := s.arm.VaultPrivateEndpointConnection(cmd.Context(), sub, p.group, p.vault, p.name)
			if err != nil {
				return err
			}
			return a.printResource(cmd, out)
		},
	}
	p.flags(cmd)
	return cmd
}

func (a *azCLI) pecListCommand() *cobra.Command {
	var id, group, vault string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List a vault's private endpoint connections",
		Example: `  az keyvault private-endpoint-connection list --vault-name kv-data \
    --query "[].{name: name, state: privateLinkServiceConnectionState.status}" -o table`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			if id != "" {
				r, ok := client.ParseResourceID(id)
				if !ok || !r.Is("Microsoft.KeyVault", "vaults") {
					return errors.New("argument --id: '" + id + "' is not a key vault's id")
				}
				group, vault = r.ResourceGroup, r.Name
			}
			if vault == "" {
				return errors.New("incorrect usage: [--id ID | --vault-name NAME]")
			}
			if group == "" {
				v, err := s.arm.FindVault(cmd.Context(), sub, vault)
				if err != nil {
					return err
				}
				group = v.ResourceGroup()
			}
			out, err := s.arm.VaultPrivateEndpointConnections(cmd.Context(), sub, group, vault)
			if err != nil {
				return err
			}
			return a.printResource(cmd, nonNil(out))
		},
	}
	f := cmd.Flags()
	f.StringVar(&id, "id", "", "id of the key vault")
	f.StringVarP(&group, "resource-group", "g", "", "name of the resource group (default: the vault's)")
	f.StringVar(&vault, "vault-name", "", "name of the key vault")
	return cmd
}
