package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
	"github.com/scopevault/scopevault/internal/config"
)

// selfPerms is the access policy az keyvault create gives its caller on an
// access-policy vault: every permission on every object type.
var selfPerms = []string{"all"}

func (a *azCLI) keyvaultCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "keyvault", Short: "Manage key vaults and their secrets"}
	cmd.AddCommand(a.keyvaultCreateCommand(), a.keyvaultShowCommand(), a.keyvaultListCommand(), a.keyvaultUpdateCommand(),
		a.keyvaultDeleteCommand(), a.keyvaultPurgeCommand(), a.keyvaultRecoverCommand(), a.keyvaultListDeletedCommand(),
		a.keyvaultSetPolicyCommand(), a.keyvaultDeletePolicyCommand(), a.networkRuleCommand(), a.privateEndpointConnectionCommand(), a.secretCommand())
	return cmd
}

func (a *azCLI) keyvaultCreateCommand() *cobra.Command {
	var name, group, location, rbac, purge, sku, pna, defaultAction, bypass string
	var retention int
	var tags []string
	var noSelfPerms bool
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a key vault",
		Long: `Create a key vault. Like az (2.61+), new vaults use Azure RBAC unless
--enable-rbac-authorization false; an access-policy vault gets a policy for the
signed-in principal unless --no-self-perms.`,
		Example: `  az keyvault create -n kv-data -g rg-data --retention-days 7
  az keyvault create -n kv-legacy -g rg-data --enable-rbac-authorization false`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && !cmd.Flags().Changed("tags") {
				return noArgs(cmd, args)
			}
			if err := azRequired("--name/-n", name, "--resource-group/-g", group); err != nil {
				return err
			}
			t, err := parseTags(tags, args)
			if err != nil {
				return err
			}
			useRBAC, err := parseBool("--enable-rbac-authorization", rbac)
			if err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if _, err := s.arm.Vault(ctx, sub, group, name); err == nil {
				return fmt.Errorf("The specified vault: %s already exists", name)
			} else if !client.IsNotFound(err) {
				return err
			}
			if location == "" {
				g, err := s.arm.ResourceGroup(ctx, sub, group)
				if err != nil {
					return err
				}
				location = g.Location
			}
			yes := true
			props := client.VaultProperties{
				TenantID: s.tenantID(), SKU: &client.SKU{Family: "A", Name: sku},
				EnableRbacAuthorization: &useRBAC, EnableSoftDelete: &yes, SoftDeleteRetentionInDays: &retention,
				AccessPolicies: []client.AccessPolicy{},
			}
			if purge != "" {
				on, err := parseBool("--enable-purge-protection", purge)
				if err != nil {
					return err
				}
				if on {
					props.EnablePurgeProtection = &on
				}
			}
			if err := networkFlags(&pna, &defaultAction, &bypass); err != nil {
				return err
			}
			if pna != "" {
				props.PublicNetworkAccess = pna
			}
			if defaultAction != "" || bypass != "" {
				props.NetworkACLs = &client.NetworkACLs{DefaultAction: defaultAction, Bypass: bypass}
			}
			if !useRBAC && !noSelfPerms {
				me, err := s.callerClaims(ctx)
				if err != nil {
					return err
				}
				if me.ObjectID == "" {
					return errors.New("Cannot create vault.\nUnable to query active directory for information about the current user.\nYou may try the --no-self-perms flag to create a vault without permissions.")
				}
				props.AccessPolicies = []client.AccessPolicy{{TenantID: s.tenantID(), ObjectID: me.ObjectID,
					Permissions: client.Permissions{Keys: selfPerms, Secrets: selfPerms, Certificates: selfPerms, Storage: selfPerms}}}
			}
			v, err := s.arm.CreateVault(ctx, sub, group, name, client.Vault{Location: location, Tags: t, Properties: props})
			if err != nil {
				return err
			}
			return a.print(cmd, azVault(v))
		},
	}
	f := cmd.Flags()
	f.StringVarP(&name, "name", "n", "", "name of the key vault")
	f.StringVarP(&group, "resource-group", "g", "", "name of the resource group")
	f.StringVarP(&location, "location", "l", "", "location (default: the resource group's)")
	f.StringVar(&rbac, "enable-rbac-authorization", "true", "authorize data actions with Azure RBAC (true) or access policies (false)")
	f.IntVar(&retention, "retention-days", 90, "soft-delete retention in days, 7 to 90")
	f.StringVar(&purge, "enable-purge-protection", "", "true to enable purge protection (irreversible)")
	f.StringVar(&sku, "sku", "standard", "standard or premium")
	f.StringVar(&pna, "public-network-access", "", "Enabled or Disabled")
	f.StringVar(&defaultAction, "default-action", "", "network default action: Allow or Deny")
	f.StringVar(&bypass, "bypass", "", "network bypass: AzureServices or None")
	f.StringArrayVar(&tags, "tags", nil, "space-separated tags: key[=value]")
	f.BoolVar(&noSelfPerms, "no-self-perms", false, "do not give the signed-in principal an access policy")
	return cmd
}

func (a *azCLI) keyvaultShowCommand() *cobra.Command {
	var name, group string
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a key vault",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, _, v, err := a.namedVault(cmd, name, group)
			if err != nil {
				return err
			}
			return a.print(cmd, azVault(v))
		},
	}
	cmd.Flags().StringVarP(&name, "name", "n", "", "name of the key vault")
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "name of the resource group")
	return cmd
}

func (a *azCLI) keyvaultListCommand() *cobra.Command {
	var group string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List key vaults",
		Long: `List key vaults as az does: for the subscription through ARM's generic resource
list ({id, location, name, resourceGroup, tags, type}, no properties); with -g, the
group's vaults in full.`,
		Example: `  az keyvault list --query "[].name" -o tsv
  az keyvault list -g rg-data --query "[].{name:name, rbac:properties.enableRbacAuthorization}" -o table`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			if group != "" {
				vs, err := s.arm.Vaults(cmd.Context(), sub, group)
				if err != nil {
					return err
				}
				out := []vaultJSON{}
				for _, v := range vs {
					out = append(out, azVault(v))
				}
				return a.print(cmd, out)
			}
			rs, err := s.arm.VaultResources(cmd.Context(), sub)
			if err != nil {
				return err
			}
			out := []map[string]any{}
			for _, r := range rs {
				tags := r.Tags
				if tags == nil {
					tags = map[string]string{}
				}
				out = append(out, map[string]any{"id": r.ID, "location": r.Location, "name": r.Name,
					"resourceGroup": client.ResourceGroupOf(r.ID), "tags": tags, "type": r.Type})
			}
			return a.print(cmd, out)
		},
	}
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "name of the resource group")
	return cmd
}

// vault gets a vault by name, in group when it is given, else wherever it
// is in the subscription (az's -n without -g).
// namedVault is the start of every command that acts on a vault named by
// --name (and optionally --resource-group): session, subscription, vault.
func (a *azCLI) namedVault(cmd *cobra.Command, name, group string) (*session, string, client.Vault, error) {
	if name == "" {
		return nil, "", client.Vault{}, errors.New("the following arguments are required: --name/-n")
	}
	s, sub, err := a.sessionAndSubscription(cmd)
	if err != nil {
		return nil, "", client.Vault{}, err
	}
	v, err := s.vault(cmd.Context(), sub, group, name)
	return s, sub, v, err
}

func (s *session) vault(ctx context.Context, sub, group, name string) (client.Vault, error) {
	if group != "" {
		return s.arm.Vault(ctx, sub, group, name)
	}
	return s.arm.FindVault(ctx, sub, name)
}

// vaultSecrets opens the data-plane client of a vault named by --vault-name.
// Its URL is the vault's properties.vaultUri, read through ARM. A principal
// holding only a data role may not read the vault through ARM (az needs no
// ARM access: it derives https://{name}.vault.azure.net from the name), so
// on a 403 the vault is reached under that host name at the server's
// address, which serves every vault by its real host name.
func (a *azCLI) vaultSecrets(cmd *cobra.Command, s *session, vaultName string) (*client.Secrets, error) {
	if config.Env(envPlacedSubnet) != "" {
		// Placed in a subnet (run --subnet): the vault's real name resolves
		// to the listener the subnet reaches, as az derives it.
		return s.secretsByHostName(vaultName)
	}
	sub, err := s.subscriptionID(cmd.Context(), a.subscription)
	if err != nil {
		return nil, err
	}
	v, err := s.arm.FindVault(cmd.Context(), sub, vaultName)
	if client.StatusCode(err) == http.StatusForbidden {
		return s.secretsByHostName(vaultName)
	}
	if err != nil {
		return nil, err
	}
	if v.Properties.VaultURI == "" {
		return nil, fmt.Errorf("the vault %s has no vaultUri", vaultName)
	}
	return client.NewSecrets(v.Properties.VaultURI, s.cred, s.hc)
}

var vaultNameRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$`)

// secretsByHostName reaches https://{name}.vault.azure.net[:port], as az
// derives it from the name: the session's HTTP client sends that name to
// the server, which serves every vault by its real host name, or, placed in
// a subnet (run --subnet), resolves it as the placement does. TLS verifies
// the vault's host name either way.
func (s *session) secretsByHostName(name string) (*client.Secrets, error) {
	if !vaultNameRE.MatchString(name) {
		return nil, fmt.Errorf("argument --vault-name: '%s' is not a valid vault name", name)
	}
	u, err := url.Parse(s.prof.ServerURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("cannot reach vault %s: the server URL is unknown", name)
	}
	vaultURL := "https://" + strings.ToLower(name) + vaultSuffix
	if port := u.Port(); port != "" && port != "443" {
		vaultURL += ":" + port
	}
	return client.NewSecrets(vaultURL, s.cred, s.hc)
}

const vaultSuffix = ".vault.azure.net"

// envPlacedSubnet is set by run --subnet in the placed program's environment.
const envPlacedSubnet = "SCOPEVAULT_SUBNET"

// vaultFromID splits a secret or vault id "https://host/secrets/name[/version]".
func vaultFromID(id string) (base, name, version string, err error) {
	if !strings.HasPrefix(id, "https://") {
		return "", "", "", fmt.Errorf("argument --id: %q is not a Key Vault URL", id)
	}
	rest := strings.TrimPrefix(id, "https://")
	host, path, _ := strings.Cut(rest, "/")
	name, version = client.SecretIDParts(id)
	if host == "" || path != "" && name == "" {
		return "", "", "", fmt.Errorf("argument --id: %q is not a Key Vault secret id", id)
	}
	return "https://" + host, name, version, nil
}
