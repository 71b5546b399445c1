package cli

import (
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// 'az network private-dns': zones, virtual network links and A record sets.

func (a *azCLI) privateDNSCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "private-dns", Short: "Manage private DNS zones, their virtual network links and records"}
	link := &cobra.Command{Use: "link", Short: "Manage the virtual network links of private DNS zones"}
	vnet := &cobra.Command{Use: "vnet", Short: "Link a private DNS zone to virtual networks"}
	vnet.AddCommand(a.dnsLinkCreateCommand(),
		dnsLinkKind.showCommand(a, azDoc{use: "show", short: "Show a zone's virtual network link",
			example: `  az network private-dns link vnet show -g rg-net -z privatelink.vaultcore.azure.net -n link-vnet1`}),
		dnsLinkKind.listCommand(a, azDoc{use: "list", short: "List a zone's virtual network links",
			example: `  az network private-dns link vnet list -g rg-net -z privatelink.vaultcore.azure.net --query "[].virtualNetwork.id" -o tsv`}),
		dnsLinkKind.deleteCommand(a, azDoc{use: "delete", short: "Delete a zone's virtual network link (asks for confirmation unless --yes)",
			example: `  az network private-dns link vnet delete -g rg-net -z privatelink.vaultcore.azure.net -n link-vnet1 --yes`}))
	link.AddCommand(vnet)
	rs := &cobra.Command{Use: "record-set", Short: "Manage the record sets of private DNS zones"}
	aRec := &cobra.Command{Use: "a", Short: "Manage A record sets"}
	aRec.AddCommand(a.aRecordCreateCommand(), a.aRecordEditCommand(true), a.aRecordEditCommand(false),
		aRecordKind.showCommand(a, azDoc{use: "show", short: "Show an A record set",
			example: `  az network private-dns record-set a show -g rg-net -z privatelink.vaultcore.azure.net -n kv-data --query "aRecords[].ipv4Address" -o tsv`}),
		aRecordKind.listCommand(a, azDoc{use: "list", short: "List a zone's A record sets",
			example: `  az network private-dns record-set a list -g rg-net -z privatelink.vaultcore.azure.net --query "[].[name, aRecords[0].ipv4Address]" -o tsv`}),
		aRecordKind.deleteCommand(a, azDoc{use: "delete", short: "Delete an A record set (asks for confirmation unless --yes)",
			example: `  az network private-dns record-set a delete -g rg-net -z privatelink.vaultcore.azure.net -n kv-data --yes`}))
	rs.AddCommand(aRec)
	cmd.AddCommand(a.dnsZoneCommand(), link, rs)
	return cmd
}

func (a *azCLI) dnsZoneCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "zone", Short: "Manage private DNS zones"}
	cmd.AddCommand(a.dnsZoneCreateCommand(),
		dnsZoneKind.showCommand(a, azDoc{use: "show", short: "Show a private DNS zone",
			example: `  az network private-dns zone show -g rg-net -n privatelink.vaultcore.azure.net --query id -o tsv`}),
		dnsZoneKind.listCommand(a, azDoc{use: "list", short: "List the private DNS zones of a resource group, or of the subscription",
			example: `  az network private-dns zone list -g rg-net --query "[].name" -o tsv`}),
		dnsZoneKind.deleteCommand(a, azDoc{use: "delete", short: "Delete a private DNS zone (asks for confirmation unless --yes)",
			example: `  az network private-dns zone delete -g rg-net -n privatelink.vaultcore.azure.net --yes`}))
	return cmd
}

// The private DNS kinds' deletes ask az's question unless --yes.

// dnsZoneKind is private DNS zones: -g and -n.
var dnsZoneKind = azResource[client.PrivateDNSZone]{
	what: "zone", ids: []string{"Microsoft.Network", "privateDnsZones"}, confirm: true,
	get: func(c azCall) (client.PrivateDNSZone, error) {
		return c.s.arm.PrivateDNSZone(c.ctx, c.sub, c.group, c.name)
	},
	list: func(c azCall) ([]client.PrivateDNSZone, error) { return c.s.arm.PrivateDNSZones(c.ctx, c.sub, c.group) },
	del:  func(c azCall) error { return c.s.arm.DeletePrivateDNSZone(c.ctx, c.sub, c.group, c.name) },
}

// zoneFlag names the zone of a link or record set.
var zoneFlag = azName{long: "zone-name", short: "z", usage: "name of the private DNS zone"}

// dnsLinkKind is a zone's virtual network links: -g, -z and -n.
var dnsLinkKind = azResource[client.VirtualNetworkLink]{
	what: "link or record set", parent: zoneFlag, confirm: true,
	get: func(c azCall) (client.VirtualNetworkLink, error) {
		return c.s.arm.VirtualNetworkLink(c.ctx, c.sub, c.group, c.parent, c.name)
	},
	list: func(c azCall) ([]client.VirtualNetworkLink, error) {
		return c.s.arm.VirtualNetworkLinks(c.ctx, c.sub, c.group, c.parent)
	},
	del: func(c azCall) error { return c.s.arm.DeleteVirtualNetworkLink(c.ctx, c.sub, c.group, c.parent, c.name) },
}

// aRecordKind is a zone's A record sets: -g, -z and -n.
var aRecordKind = azResource[client.RecordSet]{
	what: "link or record set", parent: zoneFlag, confirm: true,
	get: func(c azCall) (client.RecordSet, error) {
		return c.s.arm.ARecordSet(c.ctx, c.sub, c.group, c.parent, c.name)
	},
	list: func(c azCall) ([]client.RecordSet, error) {
		return c.s.arm.ARecordSets(c.ctx, c.sub, c.group, c.parent)
	},
	del: func(c azCall) error { return c.s.arm.DeleteARecordSet(c.ctx, c.sub, c.group, c.parent, c.name) },
}

// alreadyExists is az's answer to a create of a name that is taken: its
// creates send If-None-Match: * and the service answers 412.
func alreadyExists(kind, name string) error {
	return fmt.Errorf("(PreconditionFailed) The %s %s exists already.", kind, name)
}

func (a *azCLI) dnsZoneCreateCommand() *cobra.Command {
	var r resRef
	var tags []string
	names := dnsZoneKind.names(&r, true)
	cmd := azDoc{use: "create", short: "Create a private DNS zone (location global)",
		long: `Create a private DNS zone. A vault's private endpoints are resolved through the
zone named exactly privatelink.vaultcore.azure.net, linked to the virtual network
the name is asked from. Refused when the zone exists, as az does.`,
		example: `  az network private-dns zone create -g rg-net -n privatelink.vaultcore.azure.net`,
	}.command(func(cmd *cobra.Command) error {
		c, t, err := a.checkedTags(cmd, &r, names.check(), tags)
		if err != nil {
			return err
		}
		if err := notTaken("Zone", c.name)(dnsZoneKind.get(c)); err != nil {
			return err
		}
		return a.printFetched(cmd)(c.s.arm.CreatePrivateDNSZone(c.ctx, c.sub, c.group, c.name, client.PrivateDNSZone{Location: "global", Tags: t}))
	})
	names.flags(cmd)
	tagsFlag(cmd, &tags)
	return a.withNargs(cmd, "tags")
}

func (a *azCLI) dnsLinkCreateCommand() *cobra.Command {
	var z resRef
	var vnet, registration string
	var tags []string
	names := dnsLinkKind.names(&z, true)
	cmd := azDoc{use: "create", short: "Link a private DNS zone to a virtual network",
		long: `Link a private DNS zone to a virtual network: names asked from inside the network
(a program run with 'scopevault run --subnet VNET/SUBNET') are answered from the zone.
-v takes the network's name (in -g) or id; -e (--registration-enabled) is required.`,
		example: `  az network private-dns link vnet create -g rg-net -z privatelink.vaultcore.azure.net -n link-vnet1 -v vnet1 -e false`,
	}.command(func(cmd *cobra.Command) error {
		check, reg := names.check("--virtual-network/-v", vnet, "--registration-enabled/-e", registration), false
		if check == nil {
			reg, check = parseBool("--registration-enabled", registration)
		}
		c, t, err := a.checkedTags(cmd, &z, check, tags)
		if err != nil {
			return err
		}
		if err := notTaken("Virtual Network Link", c.name)(dnsLinkKind.get(c)); err != nil {
			return err
		}
		l := client.VirtualNetworkLink{Location: "global", Tags: t, Properties: client.VirtualNetworkLinkProperties{
			VirtualNetwork: &client.SubResource{ID: networkResourceID(c.sub, c.group, "virtualNetworks", vnet)}, RegistrationEnabled: reg}}
		return a.printFetched(cmd)(c.s.arm.CreateVirtualNetworkLink(c.ctx, c.sub, c.group, c.parent, c.name, l))
	})
	names.flags(cmd)
	cmd.Flags().StringVarP(&vnet, "virtual-network", "v", "", "name or id of the virtual network")
	cmd.Flags().StringVarP(&registration, "registration-enabled", "e", "", "true: the network's VMs register their names in the zone")
	tagsFlag(cmd, &tags)
	return a.withNargs(cmd, "tags")
}

// defaultTTL is az's TTL of a record set it creates.
const defaultTTL = 3600

func (a *azCLI) aRecordCreateCommand() *cobra.Command {
	var z resRef
	var ttl int
	var metadata []string
	names := aRecordKind.names(&z, true)
	cmd := azDoc{use: "create", short: "Create an empty A record set",
		example: `  az network private-dns record-set a create -g rg-net -z privatelink.vaultcore.azure.net -n kv-data --ttl 10`,
	}.command(func(cmd *cobra.Command) error {
		c, md, err := a.checkedTags(cmd, &z, names.check(), metadata)
		if err != nil {
			return err
		}
		if err := notTaken("Record set", c.name)(aRecordKind.get(c)); err != nil {
			return err
		}
		return a.printFetched(cmd)(c.s.arm.CreateARecordSet(c.ctx, c.sub, c.group, c.parent, c.name, client.RecordSet{Properties: client.RecordSetProperties{
			TTL: int64(ttl), Metadata: md, ARecords: []client.ARecord{}}}))
	})
	names.flags(cmd)
	cmd.Flags().IntVar(&ttl, "ttl", defaultTTL, "time to live, in seconds")
	cmd.Flags().StringArrayVar(&metadata, "metadata", nil, "space-separated metadata: key[=value]")
	return a.withNargs(cmd, "metadata")
}

// aRecordEditCommand is add-record (add=true) or remove-record: read the
// set (add creates it), change its addresses, write it back.
func (a *azCLI) aRecordEditCommand(add bool) *cobra.Command {
	var z resRef
	var ip string
	var keepEmpty bool
	// The set is named by --record-set-name/-n here.
	names := aRecordKind.names(&z, true)
	names[len(names)-1] = azName{long: "record-set-name", short: "n", usage: "name of the record set", val: &z.name}
	use, short, example := "remove-record", "Remove an address from an A record set (the set goes with its last address unless --keep-empty-record-set)",
		`  az network private-dns record-set a remove-record -g rg-net -z privatelink.vaultcore.azure.net -n kv-data -a 10.0.3.4`
	if add {
		use, short, example = "add-record", "Add an address to an A record set, creating the set if needed",
			`  az network private-dns record-set a add-record -g rg-net -z privatelink.vaultcore.azure.net -n kv-data -a 10.0.3.4`
	}
	cmd := azDoc{use: use, short: short, example: example}.command(func(cmd *cobra.Command) error {
		c, err := a.checked(cmd, &z, names.check("--ipv4-address/-a", ip))
		if err != nil {
			return err
		}
		rs, err := aRecordKind.get(c)
		switch {
		case err == nil:
		case add && client.IsNotFound(err):
			rs = client.RecordSet{Properties: client.RecordSetProperties{TTL: defaultTTL}}
		default:
			return err
		}
		recs := rs.Properties.ARecords
		has := func(r client.ARecord) bool { return r.IPv4Address == ip }
		if add {
			if !slices.ContainsFunc(recs, has) {
				recs = append(recs, client.ARecord{IPv4Address: ip})
			}
		} else {
			if !slices.ContainsFunc(recs, has) {
				return fmt.Errorf("The record %s does not exist in record set %s.", ip, c.name)
			}
			recs = slices.DeleteFunc(recs, has)
			if len(recs) == 0 && !keepEmpty {
				return aRecordKind.del(c)
			}
		}
		in := client.RecordSet{Properties: client.RecordSetProperties{TTL: rs.Properties.TTL, Metadata: rs.Properties.Metadata, ARecords: nonNil(recs)}}
		return a.printFetched(cmd)(c.s.arm.CreateARecordSet(c.ctx, c.sub, c.group, c.parent, c.name, in))
	})
	names.flags(cmd)
	cmd.Flags().StringVarP(&ip, "ipv4-address", "a", "", "IPv4 address")
	if !add {
		cmd.Flags().BoolVar(&keepEmpty, "keep-empty-record-set", false, "keep the set when its last address goes")
	}
	return cmd
}
