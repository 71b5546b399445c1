package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// putVault writes back a vault read with GET, as az's read-modify-write
// commands do: its location, tags and properties (read-only properties are
// ignored by the service; createMode is not a property of a live vault).
func putVault(cmd *cobra.Command, s *session, sub string, v client.Vault) (client.Vault, error) {
	p := v.Properties
	p.CreateMode, p.PrivateEndpointConnections = "", nil
	if p.AccessPolicies == nil {
		p.AccessPolicies = []client.AccessPolicy{}
	}
	return s.arm.CreateVault(cmd.Context(), sub, v.ResourceGroup(), v.Name, client.Vault{Location: v.Location, Tags: v.Tags, Properties: p})
}

// networkFlags checks --public-network-access, --default-action and
// --bypass against az's choices (case-insensitive) and spells them as the
// service does.
func networkFlags(pna, defaultAction, bypass *string) error {
	var err error
	if *pna, err = oneOf("--public-network-access", *pna, "Enabled", "Disabled"); err != nil {
		return err
	}
	if *defaultAction, err = oneOf("--default-action", *defaultAction, "Allow", "Deny"); err != nil {
		return err
	}
	*bypass, err = oneOf("--bypass", *bypass, "AzureServices", "None")
	return err
}

// optBool parses an optional three-state flag value into dst.
func optBool(flag, val string, dst **bool) error {
	if val == "" {
		return nil
	}
	b, err := parseBool(flag, val)
	if err != nil {
		return err
	}
	*dst = &b
	return nil
}

func (a *azCLI) keyvaultUpdateCommand() *cobra.Command {
	var name, group, purge, rbac, softDelete, deploy, disk, template, pna, defaultAction, bypass string
	var retention int
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Update a key vault's properties",
		Long: `Update a key vault's properties, as az does: read the vault, change what the
flags say, and write the vault back with PUT. Retention (--retention-days) is fixed
at creation: the service refuses a new value. Purge protection cannot be turned off.
Changing --enable-rbac-authorization needs Owner or User Access Administrator.`,
		Example: `  az keyvault update -n kv-data --enable-purge-protection true
  az keyvault update -n kv-data --default-action Deny --bypass AzureServices
  az keyvault update -n kv-data --public-network-access Disabled`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, sub, v, err := a.namedVault(cmd, name, group)
			if err != nil {
				return err
			}
			p := &v.Properties
			for _, f := range []struct {
				flag, val string
				dst       **bool
			}{
				{"--enable-purge-protection", purge, &p.EnablePurgeProtection},
				{"--enable-rbac-authorization", rbac, &p.EnableRbacAuthorization},
				{"--enable-soft-delete", softDelete, &p.EnableSoftDelete},
				{"--enabled-for-deployment", deploy, &p.EnabledForDeployment},
				{"--enabled-for-disk-encryption", disk, &p.EnabledForDiskEncryption},
				{"--enabled-for-template-deployment", template, &p.EnabledForTemplateDeployment},
			} {
				if err := optBool(f.flag, f.val, f.dst); err != nil {
					return err
				}
			}
			if p.EnableSoftDelete != nil && !*p.EnableSoftDelete {
				// az ignores '--enable-soft-delete false' the same way.
				fmt.Fprintln(cmd.ErrOrStderr(), `"--enable-soft-delete false" has been deprecated, you cannot disable Soft Delete via CLI. The value will be changed to true.`)
				yes := true
				p.EnableSoftDelete = &yes
			}
			if cmd.Flags().Changed("retention-days") {
				p.SoftDeleteRetentionInDays = &retention
			}
			if err := networkFlags(&pna, &defaultAction, &bypass); err != nil {
				return err
			}
			if pna != "" {
				p.PublicNetworkAccess = pna
			}
			if bypass != "" || defaultAction != "" {
				if p.NetworkACLs == nil {
					p.NetworkACLs = &client.NetworkACLs{Bypass: "AzureServices", DefaultAction: "Allow"}
				}
				if bypass != "" {
					p.NetworkACLs.Bypass = bypass
				}
				if defaultAction != "" {
					p.NetworkACLs.DefaultAction = defaultAction
				}
			}
			out, err := putVault(cmd, s, sub, v)
			if err != nil {
				return err
			}
			return a.print(cmd, azVault(out))
		},
	}
	f := cmd.Flags()
	f.StringVarP(&name, "name", "n", "", "name of the key vault")
	f.StringVarP(&group, "resource-group", "g", "", "name of the resource group (default: found by name)")
	f.StringVar(&purge, "enable-purge-protection", "", "true to enable purge protection (irreversible)")
	f.StringVar(&rbac, "enable-rbac-authorization", "", "true: Azure RBAC authorizes data actions; false: access policies do")
	f.StringVar(&softDelete, "enable-soft-delete", "", "deprecated: soft delete is always on")
	f.StringVar(&deploy, "enabled-for-deployment", "", "let virtual machines read certificates stored as secrets")
	f.StringVar(&disk, "enabled-for-disk-encryption", "", "let Azure Disk Encryption read secrets and unwrap keys")
	f.StringVar(&template, "enabled-for-template-deployment", "", "let Resource Manager read secrets")
	f.IntVar(&retention, "retention-days", 90, "soft-delete retention in days (fixed at creation)")
	f.StringVar(&pna, "public-network-access", "", "Enabled or Disabled")
	f.StringVar(&defaultAction, "default-action", "", "network default action: Allow or Deny")
	f.StringVar(&bypass, "bypass", "", "network bypass: AzureServices or None")
	return cmd
}

// vaultDeleteWarning is what az prints when it deletes a vault.
const vaultDeleteWarning = "Warning! If you have soft-delete protection enabled on this key vault, you will not be able to reuse this key vault name until the key vault has been purged from the soft deleted state. Please see the following documentation for additional guidance.\nhttps://docs.microsoft.com/azure/key-vault/general/soft-delete-overview"

func (a *azCLI) keyvaultDeleteCommand() *cobra.Command {
	var name, group string
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a key vault (soft delete: it can be recovered until purged)",
		Example: `  az keyvault delete -n kv-data
  az keyvault list-deleted --query "[].name" -o tsv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return errors.New("the following arguments are required: --name/-n")
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			if group == "" {
				v, err := s.arm.FindVault(cmd.Context(), sub, name)
				if err != nil {
					return err
				}
				group = v.ResourceGroup()
			}
			if !a.onlyErrors {
				fmt.Fprintln(cmd.ErrOrStderr(), vaultDeleteWarning)
			}
			return s.arm.DeleteVault(cmd.Context(), sub, group, name)
		},
	}
	cmd.Flags().StringVarP(&name, "name", "n", "", "name of the key vault")
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "name of the resource group (default: found by name)")
	return cmd
}

// namedDeletedVault starts the commands on a soft-deleted vault named by
// --name: session, subscription, the deleted vault.
func (a *azCLI) namedDeletedVault(cmd *cobra.Command, name, location string) (*session, string, client.DeletedVault, error) {
	if name == "" {
		return nil, "", client.DeletedVault{}, errors.New("the following arguments are required: --name/-n")
	}
	s, sub, err := a.sessionAndSubscription(cmd)
	if err != nil {
		return nil, "", client.DeletedVault{}, err
	}
	d, err := deletedVault(cmd, s, sub, location, name)
	return s, sub, d, err
}

// deletedVault finds a soft-deleted vault: at --location when given, else
// by name among the subscription's deleted vaults.
func deletedVault(cmd *cobra.Command, s *session, sub, location, name string) (client.DeletedVault, error) {
	if location != "" {
		return s.arm.DeletedVault(cmd.Context(), sub, location, name)
	}
	return s.arm.FindDeletedVault(cmd.Context(), sub, name)
}

func (a *azCLI) keyvaultPurgeCommand() *cobra.Command {
	var name, location string
	cmd := &cobra.Command{
		Use:     "purge",
		Short:   "Permanently delete a soft-deleted key vault",
		Long:    `Permanently delete a soft-deleted key vault, freeing its name. Refused while purge protection holds it.`,
		Example: `  az keyvault purge -n kv-data`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, sub, d, err := a.namedDeletedVault(cmd, name, location)
			if err != nil {
				return err
			}
			return s.arm.PurgeDeletedVault(cmd.Context(), sub, d.Properties.Location, d.Name)
		},
	}
	cmd.Flags().StringVarP(&name, "name", "n", "", "name of the deleted key vault")
	cmd.Flags().StringVarP(&location, "location", "l", "", "location of the deleted vault (default: found by name)")
	return cmd
}

func (a *azCLI) keyvaultRecoverCommand() *cobra.Command {
	var name, group, location string
	cmd := &cobra.Command{
		Use:   "recover",
		Short: "Recover a soft-deleted key vault",
		Long: `Recover a soft-deleted key vault into its original resource group and location,
as az does: a PUT of the vault with createMode "recover". Role assignments scoped to
the vault were deleted with it and are not restored.`,
		Example: `  az keyvault recover -n kv-data`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, sub, d, err := a.namedDeletedVault(cmd, name, location)
			if err != nil {
				return err
			}
			if group == "" {
				if group = deletedVaultGroup(d); group == "" {
					return fmt.Errorf("the deleted vault %s names no resource group; pass --resource-group", name)
				}
			}
			v, err := s.arm.RecoverVault(cmd.Context(), sub, group, d.Name, d.Properties.Location, s.tenantID())
			if err != nil {
				return err
			}
			return a.print(cmd, azVault(v))
		},
	}
	cmd.Flags().StringVarP(&name, "name", "n", "", "name of the deleted key vault")
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "resource group to recover into (default: the original)")
	cmd.Flags().StringVarP(&location, "location", "l", "", "location of the deleted vault (default: found by name)")
	return cmd
}

func (a *azCLI) keyvaultListDeletedCommand() *cobra.Command {
	var resourceType string
	cmd := &cobra.Command{
		Use:     "list-deleted",
		Short:   "List soft-deleted key vaults",
		Example: `  az keyvault list-deleted --query "[].{name:name, purge:properties.scheduledPurgeDate}" -o table`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch resourceType {
			case "", "vault":
			case "hsm":
				return a.print(cmd, []deletedVaultJSON{}) // scopevault has no managed HSMs
			default:
				return fmt.Errorf("argument --resource-type: invalid choice: '%s' (choose from 'hsm', 'vault')", resourceType)
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			ds, err := s.arm.DeletedVaults(cmd.Context(), sub)
			if err != nil {
				return err
			}
			out := []deletedVaultJSON{}
			for _, d := range ds {
				out = append(out, azDeletedVault(d))
			}
			return a.print(cmd, out)
		},
	}
	cmd.Flags().StringVar(&resourceType, "resource-type", "", "vault or hsm (default: vaults)")
	return cmd
}
