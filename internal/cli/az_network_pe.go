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
	cmd.AddCommand(a.privateEndpointCreateCommand(),
		endpointKind.showCommand(a, azDoc{use: "show", short: "Show a private endpoint: its private IP and connection state",
			example: `  az network private-endpoint show -g rg-net -n pe-kv \
    --query "{ip: customDnsConfigs[0].ipAddresses[0], state: privateLinkServiceConnections[0].privateLinkServiceConnectionState.status}"`}),
		endpointKind.listCommand(a, azDoc{use: "list", short: "List the private endpoints of a resource group, or of the subscription",
			example: `  az network private-endpoint list -g rg-net --query "[].name" -o tsv`}),
		endpointKind.deleteCommand(a, azDoc{use: "delete", short: "Delete a private endpoint (its connection leaves the vault)",
			example: `  az network private-endpoint delete -g rg-net -n pe-kv`}),
		a.dnsZoneGroupCommand())
	return cmd
}

// endpointKind is private endpoints: -n and -g (az asks for -n first).
var endpointKind = azResource[client.PrivateEndpoint]{
	what: "private endpoint", nameFirst: true, ids: []string{"Microsoft.Network", "privateEndpoints"},
	get: func(c azCall) (client.PrivateEndpoint, error) {
		return c.s.arm.PrivateEndpoint(c.ctx, c.sub, c.group, c.name)
	},
	list: func(c azCall) ([]client.PrivateEndpoint, error) {
		return c.s.arm.PrivateEndpoints(c.ctx, c.sub, c.group)
	},
	del: func(c azCall) error { return c.s.arm.DeletePrivateEndpoint(c.ctx, c.sub, c.group, c.name) },
}

// zoneGroupKind is a private endpoint's DNS zone groups: -g, --endpoint-name and -n.
var zoneGroupKind = azResource[client.PrivateDNSZoneGroup]{
	what: "zone group", parent: azName{long: "endpoint-name", usage: "name of the private endpoint"},
	get: func(c azCall) (client.PrivateDNSZoneGroup, error) {
		return c.s.arm.PrivateDNSZoneGroup(c.ctx, c.sub, c.group, c.parent, c.name)
	},
	list: func(c azCall) ([]client.PrivateDNSZoneGroup, error) {
		return c.s.arm.PrivateDNSZoneGroups(c.ctx, c.sub, c.group, c.parent)
	},
	del: func(c azCall) error {
		return c.s.arm.DeletePrivateDNSZoneGroup(c.ctx, c.sub, c.group, c.parent, c.name)
	},
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
	var p resRef
	names := endpointKind.names(&p, true)
	var vnet, subnet, target, conn, manual, message, location, nic string
	var groupIDs, tags []string
	cmd := azDoc{use: "create", short: "Create a private endpoint to a key vault",
		long: `Create a private endpoint: a private IP in the subnet that leads to the resource
(a vault, --group-id vault). Its connection is approved at once when you may approve
connections on the vault; with --manual-request (or without that right) it waits,
Pending, for 'az keyvault private-endpoint-connection approve'.`,
		example: `  az network private-endpoint create -g rg-net -n pe-kv --vnet-name vnet1 --subnet pe \
    --private-connection-resource-id "$KV_ID" --group-id vault --connection-name kv-conn
  az network private-endpoint create -g rg-net -n pe-kv2 --vnet-name vnet1 --subnet pe \
    --private-connection-resource-id "$KV_ID" --group-id vault --connection-name kv-conn --manual-request`,
	}.command(func(cmd *cobra.Command) error {
		check, isManual := names.check("--subnet", subnet, "--private-connection-resource-id", target, "--connection-name", conn), false
		if check == nil && manual != "" {
			isManual, check = parseBool("--manual-request", manual)
		}
		c, t, err := a.checkedTags(cmd, &p, check, tags)
		if err != nil {
			return err
		}
		subnetID, err := subnetRef(c.sub, c.group, subnet, vnet)
		if err != nil {
			return err
		}
		if location, err = c.s.groupLocation(c.ctx, c.sub, c.group, location); err != nil {
			return err
		}
		link := client.PrivateLinkServiceConnection{Name: conn, Properties: client.PrivateLinkServiceConnectionProperties{
			PrivateLinkServiceID: target, GroupIDs: nonEmpty(groupIDs), RequestMessage: message}}
		pe := client.PrivateEndpoint{Location: location, Tags: t, Properties: client.PrivateEndpointProperties{
			Subnet: &client.SubResource{ID: subnetID}, CustomNetworkInterfaceName: nic}}
		if isManual {
			pe.Properties.ManualPrivateLinkServiceConnections = []client.PrivateLinkServiceConnection{link}
		} else {
			pe.Properties.PrivateLinkServiceConnections = []client.PrivateLinkServiceConnection{link}
		}
		return a.printFetched(cmd)(c.s.arm.CreatePrivateEndpoint(c.ctx, c.sub, c.group, c.name, pe))
	})
	names.flags(cmd)
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

func (a *azCLI) dnsZoneGroupCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "dns-zone-group", Short: "Manage the private DNS zones a private endpoint fills"}
	cmd.AddCommand(a.dnsZoneGroupEditCommand(true), a.dnsZoneGroupEditCommand(false),
		zoneGroupKind.showCommand(a, azDoc{use: "show", short: "Show a zone group and the records it wrote",
			example: `  az network private-endpoint dns-zone-group show -g rg-net --endpoint-name pe-kv -n default`}),
		zoneGroupKind.listCommand(a, azDoc{use: "list", short: "List a private endpoint's zone groups",
			example: `  az network private-endpoint dns-zone-group list -g rg-net --endpoint-name pe-kv`}),
		zoneGroupKind.deleteCommand(a, azDoc{use: "delete", short: "Delete a zone group (its records leave the zones)",
			example: `  az network private-endpoint dns-zone-group delete -g rg-net --endpoint-name pe-kv -n default`}))
	return cmd
}

// dnsZoneGroupEditCommand is dns-zone-group create (a new group with one
// zone) or add (one more zone in an existing group).
func (a *azCLI) dnsZoneGroupEditCommand(create bool) *cobra.Command {
	var z resRef
	names := zoneGroupKind.names(&z, true)
	var zone, zoneName string
	use, short, example := "add", "Add a private DNS zone to a zone group",
		`  az network private-endpoint dns-zone-group add -g rg-net --endpoint-name pe-kv -n default --private-dns-zone other.zone --zone-name other`
	if create {
		use, short, example = "create", "Create a zone group: the endpoint's A records go into the zone",
			`  az network private-endpoint dns-zone-group create -g rg-net --endpoint-name pe-kv -n default \
    --private-dns-zone privatelink.vaultcore.azure.net --zone-name vault`
	}
	cmd := azDoc{use: use, short: short,
		long: short + `. The service writes an A record for each of the endpoint's
names (the vault's name -> its private IP) into the zone, and removes it when the
group or the endpoint goes.`,
		example: example,
	}.command(func(cmd *cobra.Command) error {
		c, err := a.checked(cmd, &z, names.check("--private-dns-zone", zone, "--zone-name", zoneName))
		if err != nil {
			return err
		}
		cfg := client.PrivateDNSZoneConfig{Name: zoneName}
		cfg.Properties.PrivateDNSZoneID = zone
		if !strings.HasPrefix(zone, "/") {
			cfg.Properties.PrivateDNSZoneID = client.PrivateDNSZoneID(c.sub, c.group, zone)
		}
		g := client.PrivateDNSZoneGroup{}
		if !create {
			cur, err := zoneGroupKind.get(c)
			if err != nil {
				return err
			}
			for _, kept := range cur.Properties.PrivateDNSZoneConfigs {
				if !strings.EqualFold(kept.Name, zoneName) {
					kept.Properties.RecordSets = nil
					g.Properties.PrivateDNSZoneConfigs = append(g.Properties.PrivateDNSZoneConfigs, kept)
				}
			}
		}
		g.Properties.PrivateDNSZoneConfigs = append(g.Properties.PrivateDNSZoneConfigs, cfg)
		return a.printFetched(cmd)(c.s.arm.CreatePrivateDNSZoneGroup(c.ctx, c.sub, c.group, c.parent, c.name, g))
	})
	names.flags(cmd)
	cmd.Flags().StringVar(&zone, "private-dns-zone", "", "name or id of the private DNS zone")
	cmd.Flags().StringVar(&zoneName, "zone-name", "", "name of the zone's entry in the group")
	return cmd
}
