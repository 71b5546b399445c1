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
	cmd.AddCommand(a.pecStateCommand("Approved"), a.pecStateCommand("Rejected"),
		a.pecCommand(azDoc{use: "delete", short: "Remove a private endpoint connection from the vault (the endpoint is left Disconnected)",
			example: `  az keyvault private-endpoint-connection delete --id "$PEC_ID"`},
			func(_ *cobra.Command, c azCall) error {
				return c.s.arm.DeleteVaultPrivateEndpointConnection(c.ctx, c.sub, c.group, c.parent, c.name)
			}),
		a.pecCommand(azDoc{use: "show", short: "Show a private endpoint connection and its state",
			example: `  az keyvault private-endpoint-connection show --id "$PEC_ID" --query privateLinkServiceConnectionState.status -o tsv`},
			func(cmd *cobra.Command, c azCall) error {
				return a.printFetched(cmd)(c.s.arm.VaultPrivateEndpointConnection(c.ctx, c.sub, c.group, c.parent, c.name))
			}),
		a.pecListCommand())
	return cmd
}

// vaultFlags are --id (of what idUsage says), -g and --vault-name: the
// vault's group and name go to r's group and parent.
func vaultFlags(cmd *cobra.Command, id *string, idUsage string, r *resRef) {
	f := cmd.Flags()
	f.StringVar(id, "id", "", idUsage)
	f.StringVarP(&r.group, "resource-group", "g", "", "name of the resource group (default: the vault's)")
	f.StringVar(&r.parent, "vault-name", "", "name of the key vault")
}

// vaultGroup sets the call's group to its vault's (found by name in the
// subscription) when -g was not given.
func (c *azCall) vaultGroup() error {
	if c.group != "" {
		return nil
	}
	v, err := c.s.arm.FindVault(c.ctx, c.sub, c.parent)
	if err != nil {
		return err
	}
	c.group = v.ResourceGroup()
	return nil
}

// pecCommand is a command on one connection, named by --id, or by -n with
// --vault-name (and -g, found from the vault when not given): it opens the
// session, resolves the connection, then runs.
func (a *azCLI) pecCommand(d azDoc, run func(cmd *cobra.Command, c azCall) error) *cobra.Command {
	var id string
	var r resRef
	cmd := d.command(func(cmd *cobra.Command) error {
		c, err := a.call(cmd, &r)
		if err != nil {
			return err
		}
		if id != "" {
			rid, ok := client.ParseResourceID(id)
			if !ok || !rid.Is("Microsoft.KeyVault", "vaults", "privateEndpointConnections") {
				return errors.New("argument --id: '" + id + "' is not the id of a key vault's private endpoint connection")
			}
			c.fromID(rid)
		}
		if c.parent == "" || c.name == "" {
			return errors.New("incorrect usage: [--id ID | --name NAME --vault-name NAME]")
		}
		if err := c.vaultGroup(); err != nil {
			return err
		}
		return run(cmd, c)
	})
	vaultFlags(cmd, &id, "id of the private endpoint connection", &r)
	cmd.Flags().StringVarP(&r.name, "name", "n", "", "name of the private endpoint connection")
	return cmd
}

// pecStateCommand is approve (status Approved) or reject (Rejected).
func (a *azCLI) pecStateCommand(status string) *cobra.Command {
	var description string
	use, short := "approve", "Approve a private endpoint connection: the endpoint starts to lead to the vault"
	if status == "Rejected" {
		use, short = "reject", "Reject a private endpoint connection: the endpoint gives no access"
	}
	cmd := a.pecCommand(azDoc{use: use, short: short,
		example: `  az keyvault private-endpoint-connection ` + use + ` -g rg-data --vault-name kv-data -n "$PEC_NAME" --description "ok by security"
  az keyvault private-endpoint-connection ` + use + ` --id "$PEC_ID"`},
		func(cmd *cobra.Command, c azCall) error {
			return a.printFetched(cmd)(c.s.arm.SetVaultPrivateEndpointConnectionState(c.ctx, c.sub, c.group, c.parent, c.name, status, description))
		})
	cmd.Flags().StringVar(&description, "description", "", "comments for the "+use+" operation")
	return cmd
}

func (a *azCLI) pecListCommand() *cobra.Command {
	var id string
	var r resRef
	cmd := azDoc{use: "list", short: "List a vault's private endpoint connections",
		example: `  az keyvault private-endpoint-connection list --vault-name kv-data \
    --query "[].{name: name, state: privateLinkServiceConnectionState.status}" -o table`,
	}.command(func(cmd *cobra.Command) error {
		c, err := a.call(cmd, &r)
		if err != nil {
			return err
		}
		if id != "" {
			rid, ok := client.ParseResourceID(id)
			if !ok || !rid.Is("Microsoft.KeyVault", "vaults") {
				return errors.New("argument --id: '" + id + "' is not a key vault's id")
			}
			c.group, c.parent = rid.ResourceGroup, rid.Name
		}
		if c.parent == "" {
			return errors.New("incorrect usage: [--id ID | --vault-name NAME]")
		}
		if err := c.vaultGroup(); err != nil {
			return err
		}
		out, err := c.s.arm.VaultPrivateEndpointConnections(c.ctx, c.sub, c.group, c.parent)
		return a.printFetched(cmd)(nonNil(out), err)
	})
	vaultFlags(cmd, &id, "id of the key vault", &r)
	return cmd
}
