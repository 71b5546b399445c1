package cli

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// 'az network private-endpoint' and its 'dns-zone-group'.

func (a *azCLI) privateEndpointCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "private-endpoint", Short: "Manage private endpoints"}
	cmd.AddCommand(a.privateEndpointCreateCommand(), a.privateEndpointShowCommand(), a.privateEndpointListCommand(),
		a.privateEndpointDeleteCommand(), a.dnsZoneGroupCommand())
	return cmd
}

// peArgs are -g and -n of a private endpoint.
type peArgs struct{ group, name string }

func (p *peArgs) flags(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&p.group, "resource-group", "g", "", "name of the resource group")
	cmd.Flags().StringVarP(&p.name, "name", "n", "", "name of the private endpoint")
}

func (p *peArgs) check() error {
	return azRequired("--name/-n", p.name, "--resource-group/-g", p.group)
}

// subnetRef is az's subnet argument: a subnet id, or a name with --vnet-name
// (in the command's resource group).
func subnetRef(sub, group, subnet, vnet string) (string, error) {
	switch {
	case strings.HasPrefix(subnet, "/") && vnet == "":
		if r, ok := client.ParseResourceID(subnet); !ok || !r.Is("Microsoft.Network", "virtualNetworks", "subnets") {
			return "", errors.New("incorrect usage: ( --subnet ID | --subnet NAME --vnet-name NAME)")
		}
		return subnet, nil
	case subnet != "" && !strings.HasPrefix(subnet, "/") && vnet != "":
		return client.SubnetResourceID(sub, group, vnet, subnet), nil
	}
	return "", errors.New("incorrect usage: ( --subnet ID | --subnet NAME --vnet-name NAME)")
}

func (a *azCLI) privateEndpointCreateCommand() *cobra.Command {
	var p peArgs
	var vnet, subnet, target, conn, manual, message, location, nic string
	var groupIDs, tags []string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a private endpoint to a key vault",
		Long: `Create a private endpoint: a private IP in the subnet that leads to the resource
(a vault, --group-id vault). Its connection is approved at once when you may approve
connections on the vault; with --manual-request (or without that right) it waits,
Pending, for 'az keyvault private-endpoint-connection approve'.`,
		Example: `  az network private-endpoint create -g rg-net -n pe-kv --vnet-name vnet1 --subnet pe \
    --private-connection-resource-id "$KV_ID" --group-id vault --connection-name kv-conn
  az network private-endpoint create -g rg-net -n pe-kv2 --vnet-name vnet1 --subnet pe \
    --private-connection-resource-id "$KV_ID" --group-id vault --connection-name kv-conn --manual-request`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := azRequired("--name/-n", p.name, "--resource-group/-g", p.group, "--subnet", subnet,
				"--private-connection-resource-id", target, "--connection-name", conn); err != nil {
				return err
			}
			isManual := false
			if manual != "" {
				var err error
				if isManual, err = parseBool("--manual-request", manual); err != nil {
					return err
				}
			}
			t, err := parseTags(tags, nil)
			if err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			subnetID, err := subnetRef(sub, p.group, subnet, vnet)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if location, err = s.groupLocation(ctx, sub, p.group, location); err != nil {
				return err
			}
			c := client.PrivateLinkServiceConnection{Name: conn, Properties: client.PrivateLinkServiceConnectionProperties{
				PrivateLinkServiceID: target, GroupIDs: nonEmpty(groupIDs), RequestMessage: message}}
			pe := client.PrivateEndpoint{Location: location, Tags: t, Properties: client.PrivateEndpointProperties{
				Subnet: &client.SubResource{ID: subnetID}, CustomNetworkInterfaceName: nic}}
			if isManual {
				pe.Properties.ManualPrivateLinkServiceConnections = []client.PrivateLinkServiceConnection{c}
			} else {
				pe.Properties.PrivateLinkServiceConnections = []client.PrivateLinkServiceConnection{c}
			}
			out, err := s.arm.CreatePrivateEndpoint(ctx, sub, p.group, p.name, pe)
			if err != nil {
				return err
			}
			return a.printResource(cmd, out)
		},
	}
	p.flags(cmd)
	f := cmd.Flags()
	f.StringVar(&vnet, "vnet-name", "", "virtual network of a --subnet given by name")
	f.StringVar(&subnet, "subnet", "", "subnet id, or a subnet name with --vnet-name")
	f.StringVar(&target, "private-connection-resource-id", "", "id of the resource to connect to (a vault's id)")
	f.StringArrayVar(&groupIDs, "group-id", nil, "sub-resource to connect to: vault")
	f.StringArrayVar(&groupIDs, "group-ids", nil, "deprecated spelling of --group-id")
	f.StringVar(&conn, "connection-name", "", "name of the private link service connection")
	f.StringVar(&manual, "manual-request", "", "true: the connection waits for the resource owner's approval")
	f.StringVar(&message, "request-message", "", "message for the resource owner with a manual request")
	f.StringVarP(&location, "location", "l", "", "location (default: the resource group's)")
	f.StringVar(&nic, "nic-name", "", "name of the endpoint's network interface")
	tagsFlag(cmd, &tags)
	return withBareBools(a.withNargs(cmd, "group-id", "group-ids", "tags"), "manual-request")
}

func (a *azCLI) privateEndpointShowCommand() *cobra.Command {
	var p peArgs
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a private endpoint: its private IP and connection state",
		Example: `  az network private-endpoint show -g rg-net -n pe-kv \
    --query "{ip: customDnsConfigs[0].ipAddresses[0], state: privateLinkServiceConnections[0].privateLinkServiceConnectionState.status}"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := p.check(); err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			out, err := s.arm.PrivateEndpoint(cmd.Context(), sub, p.group, p.name)
			if err != nil {
				return err
			}
			return a.printResource(cmd, out)
		},
	}
	p.flags(cmd)
	return a.withIDs(cmd, "Microsoft.Network", "privateEndpoints", nil, p.fromID)
}

// fromID sets -g and -n from an endpoint's id (--ids).
func (p *peArgs) fromID(r client.ResourceID) { p.group, p.name = r.ResourceGroup, r.Name }

func (a *azCLI) privateEndpointListCommand() *cobra.Command {
	var group string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the private endpoints of a resource group, or of the subscription",
		Example: `  az network private-endpoint list -g rg-net --query "[].name" -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			out, err := s.arm.PrivateEndpoints(cmd.Context(), sub, group)
			if err != nil {
				return err
			}
			return a.printResource(cmd, nonNil(out))
		},
	}
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "name of the resource group")
	return cmd
}

func (a *azCLI) privateEndpointDeleteCommand() *cobra.Command {
	var p peArgs
	cmd := &cobra.Command{
		Use:     "delete",
		Short:   "Delete a private endpoint (its connection leaves the vault)",
		Example: `  az network private-endpoint delete -g rg-net -n pe-kv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := p.check(); err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			return s.arm.DeletePrivateEndpoint(cmd.Context(), sub, p.group, p.name)
		},
	}
	p.flags(cmd)
	return a.withIDs(cmd, "Microsoft.Network", "privateEndpoints", nil, p.fromID)
}

func (a *azCLI) dnsZoneGroupCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "dns-zone-group", Short: "Manage the private DNS zones a private endpoint fills"}
	cmd.AddCommand(a.dnsZoneGroupEditCommand(true), a.dnsZoneGroupEditCommand(false), a.dnsZoneGroupShowCommand(),
		a.dnsZoneGroupListCommand(), a.dnsZoneGroupDeleteCommand())
	return cmd
}

// zoneGroupArgs are -g, --endpoint-name and -n of a zone group.
type zoneGroupArgs struct{ group, endpoint, name string }

func (z *zoneGroupArgs) flags(cmd *cobra.Command, withName bool) {
	cmd.Flags().StringVarP(&z.group, "resource-group", "g", "", "name of the resource group")
	cmd.Flags().StringVar(&z.endpoint, "endpoint-name", "", "name of the private endpoint")
	if withName {
		cmd.Flags().StringVarP(&z.name, "name", "n", "", "name of the zone group")
	}
}

func (z *zoneGroupArgs) check(withName bool) error {
	if !withName {
		return azRequired("--resource-group/-g", z.group, "--endpoint-name", z.endpoint)
	}
	return azRequired("--resource-group/-g", z.group, "--endpoint-name", z.endpoint, "--name/-n", z.name)
}

// dnsZoneGroupEditCommand is dns-zone-group create (a new group with one
// zone) or add (one more zone in an existing group).
func (a *azCLI) dnsZoneGroupEditCommand(create bool) *cobra.Command {
	var z zoneGroupArgs
	var zone, zoneName string
	use, short, example := "add", "Add a private DNS zone to a zone group",
		`  az network private-endpoint dns-zone-group add -g rg-net --endpoint-name pe-kv -n default --private-dns-zone other.zone --zone-name other`
	if create {
		use, short, example = "create", "Create a zone group: the endpoint's A records go into the zone",
			`  az network private-endpoint dns-zone-group create -g rg-net --endpoint-name pe-kv -n default \
    --private-dns-zone privatelink.vaultcore.azure.net --zone-name vault`
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long: short + `. The service writes an A record for each of the endpoint's
names (the vault's name -> its private IP) into the zone, and removes it when the
group or the endpoint goes.`,
		Example: example,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := azRequired("--resource-group/-g", z.group, "--endpoint-name", z.endpoint, "--name/-n", z.name,
				"--private-dns-zone", zone, "--zone-name", zoneName); err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			cfg := client.PrivateDNSZoneConfig{Name: zoneName}
			cfg.Properties.PrivateDNSZoneID = zone
			if !strings.HasPrefix(zone, "/") {
				cfg.Properties.PrivateDNSZoneID = client.PrivateDNSZoneID(sub, z.group, zone)
			}
			g := client.PrivateDNSZoneGroup{}
			if !create {
				cur, err := s.arm.PrivateDNSZoneGroup(ctx, sub, z.group, z.endpoint, z.name)
				if err != nil {
					return err
				}
				for _, c := range cur.Properties.PrivateDNSZoneConfigs {
					if !strings.EqualFold(c.Name, zoneName) {
						c.Properties.RecordSets = nil
						g.Properties.PrivateDNSZoneConfigs = append(g.Properties.PrivateDNSZoneConfigs, c)
					}
				}
			}
			g.Properties.PrivateDNSZoneConfigs = append(g.Properties.PrivateDNSZoneConfigs, cfg)
			out, err := s.arm.CreatePrivateDNSZoneGroup(ctx, sub, z.group, z.endpoint, z.name, g)
			if err != nil {
				return err
			}
			return a.printResource(cmd, out)
		},
	}
	z.flags(cmd, true)
	cmd.Flags().StringVar(&zone, "private-dns-zone", "", "name or id of the private DNS zone")
	cmd.Flags().StringVar(&zoneName, "zone-name", "", "name of the zone's entry in the group")
	return cmd
}

func (a *azCLI) dnsZoneGroupShowCommand() *cobra.Command {
	var z zoneGroupArgs
	cmd := &cobra.Command{
		Use:     "show",
		Short:   "Show a zone group and the records it wrote",
		Example: `  az network private-endpoint dns-zone-group show -g rg-net --endpoint-name pe-kv -n default`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := z.check(true); err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			out, err := s.arm.PrivateDNSZoneGroup(cmd.Context(), sub, z.group, z.endpoint, z.name)
			if err != nil {
				return err
			}
			return a.printResource(cmd, out)
		},
	}
	z.flags(cmd, true)
	return cmd
}

func (a *azCLI) dnsZoneGroupListCommand() *cobra.Command {
	var z zoneGroupArgs
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List a private endpoint's zone groups",
		Example: `  az network private-endpoint dns-zone-group list -g rg-net --endpoint-name pe-kv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := z.check(false); err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			out, err := s.arm.PrivateDNSZoneGroups(cmd.Context(), sub, z.group, z.endpoint)
			if err != nil {
				return err
			}
			return a.printResource(cmd, nonNil(out))
		},
	}
	z.flags(cmd, false)
	return cmd
}

func (a *azCLI) dnsZoneGroupDeleteCommand() *cobra.Command {
	var z zoneGroupArgs
	cmd := &cobra.Command{
		Use:     "delete",
		Short:   "Delete a zone group (its records leave the zones)",
		Example: `  az network private-endpoint dns-zone-group delete -g rg-net --endpoint-name pe-kv -n default`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := z.check(true); err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			return s.arm.DeletePrivateDNSZoneGroup(cmd.Context(), sub, z.group, z.endpoint, z.name)
		},
	}
	z.flags(cmd, true)
	return cmd
}
