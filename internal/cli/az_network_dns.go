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
	vnet.AddCommand(a.dnsLinkCreateCommand(), a.dnsLinkShowCommand(), a.dnsLinkListCommand(), a.dnsLinkDeleteCommand())
	link.AddCommand(vnet)
	rs := &cobra.Command{Use: "record-set", Short: "Manage the record sets of private DNS zones"}
	aRec := &cobra.Command{Use: "a", Short: "Manage A record sets"}
	aRec.AddCommand(a.aRecordCreateCommand(), a.aRecordAddCommand(), a.aRecordRemoveCommand(), a.aRecordShowCommand(),
		a.aRecordListCommand(), a.aRecordDeleteCommand())
	rs.AddCommand(aRec)
	cmd.AddCommand(a.dnsZoneCommand(), link, rs)
	return cmd
}

func (a *azCLI) dnsZoneCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "zone", Short: "Manage private DNS zones"}
	cmd.AddCommand(a.dnsZoneCreateCommand(), a.dnsZoneShowCommand(), a.dnsZoneListCommand(), a.dnsZoneDeleteCommand())
	return cmd
}

// alreadyExists is az's answer to a create of a name that is taken: its
// creates send If-None-Match: * and the service answers 412.
func alreadyExists(kind, name string) error {
	return fmt.Errorf("(PreconditionFailed) The %s %s exists already.", kind, name)
}

func (a *azCLI) dnsZoneCreateCommand() *cobra.Command {
	var group, name string
	var tags []string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a private DNS zone (location global)",
		Long: `Create a private DNS zone. A vault's private endpoints are resolved through the
zone named exactly privatelink.vaultcore.azure.net, linked to the virtual network
the name is asked from. Refused when the zone exists, as az does.`,
		Example: `  az network private-dns zone create -g rg-net -n privatelink.vaultcore.azure.net`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := azRequired("--resource-group/-g", group, "--name/-n", name); err != nil {
				return err
			}
			t, err := parseTags(tags, nil)
			if err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if _, err := s.arm.PrivateDNSZone(ctx, sub, group, name); err == nil {
				return alreadyExists("Zone", name)
			} else if !client.IsNotFound(err) {
				return err
			}
			out, err := s.arm.CreatePrivateDNSZone(ctx, sub, group, name, client.PrivateDNSZone{Location: "global", Tags: t})
			if err != nil {
				return err
			}
			return a.printResource(cmd, out)
		},
	}
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "name of the resource group")
	cmd.Flags().StringVarP(&name, "name", "n", "", "name of the zone")
	tagsFlag(cmd, &tags)
	return a.withNargs(cmd, "tags")
}

func (a *azCLI) dnsZoneShowCommand() *cobra.Command {
	var group, name string
	cmd := &cobra.Command{
		Use:     "show",
		Short:   "Show a private DNS zone",
		Example: `  az network private-dns zone show -g rg-net -n privatelink.vaultcore.azure.net --query id -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := azRequired("--resource-group/-g", group, "--name/-n", name); err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			out, err := s.arm.PrivateDNSZone(cmd.Context(), sub, group, name)
			if err != nil {
				return err
			}
			return a.printResource(cmd, out)
		},
	}
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "name of the resource group")
	cmd.Flags().StringVarP(&name, "name", "n", "", "name of the zone")
	return a.withIDs(cmd, "Microsoft.Network", "privateDnsZones", nil, func(r client.ResourceID) { group, name = r.ResourceGroup, r.Name })
}

func (a *azCLI) dnsZoneListCommand() *cobra.Command {
	var group string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the private DNS zones of a resource group, or of the subscription",
		Example: `  az network private-dns zone list -g rg-net --query "[].name" -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			out, err := s.arm.PrivateDNSZones(cmd.Context(), sub, group)
			if err != nil {
				return err
			}
			return a.printResource(cmd, nonNil(out))
		},
	}
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "name of the resource group")
	return cmd
}

func (a *azCLI) dnsZoneDeleteCommand() *cobra.Command {
	var group, name string
	var yes bool
	cmd := &cobra.Command{
		Use:     "delete",
		Short:   "Delete a private DNS zone (asks for confirmation unless --yes)",
		Example: `  az network private-dns zone delete -g rg-net -n privatelink.vaultcore.azure.net --yes`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := azRequired("--resource-group/-g", group, "--name/-n", name); err != nil {
				return err
			}
			if ok, err := confirmDelete(cmd, yes); err != nil || !ok {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			return s.arm.DeletePrivateDNSZone(cmd.Context(), sub, group, name)
		},
	}
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "name of the resource group")
	cmd.Flags().StringVarP(&name, "name", "n", "", "name of the zone")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not prompt for confirmation")
	return a.withIDs(cmd, "Microsoft.Network", "privateDnsZones", nil, func(r client.ResourceID) { group, name = r.ResourceGroup, r.Name })
}

// zoneChildArgs are -g, -z/--zone-name and (optionally) -n of a zone's link or record set.
type zoneChildArgs struct{ group, zone, name string }

func (z *zoneChildArgs) flags(cmd *cobra.Command, nameFlag string) {
	cmd.Flags().StringVarP(&z.group, "resource-group", "g", "", "name of the resource group")
	cmd.Flags().StringVarP(&z.zone, "zone-name", "z", "", "name of the private DNS zone")
	if nameFlag != "" {
		cmd.Flags().StringVarP(&z.name, nameFlag, "n", "", "name of the "+map[string]string{"name": "link or record set", "record-set-name": "record set"}[nameFlag])
	}
}

func (z *zoneChildArgs) check(nameFlag string) error {
	if nameFlag == "" {
		return azRequired("--resource-group/-g", z.group, "--zone-name/-z", z.zone)
	}
	return azRequired("--resource-group/-g", z.group, "--zone-name/-z", z.zone, "--"+nameFlag+"/-n", z.name)
}

func (a *azCLI) dnsLinkCreateCommand() *cobra.Command {
	var z zoneChildArgs
	var vnet, registration string
	var tags []string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Link a private DNS zone to a virtual network",
		Long: `Link a private DNS zone to a virtual network: names asked from inside the network
(a program run with 'scopevault run --subnet VNET/SUBNET') are answered from the zone.
-v takes the network's name (in -g) or id; -e (--registration-enabled) is required.`,
		Example: `  az network private-dns link vnet create -g rg-net -z privatelink.vaultcore.azure.net -n link-vnet1 -v vnet1 -e false`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := azRequired("--resource-group/-g", z.group, "--zone-name/-z", z.zone, "--name/-n", z.name,
				"--virtual-network/-v", vnet, "--registration-enabled/-e", registration); err != nil {
				return err
			}
			reg, err := parseBool("--registration-enabled", registration)
			if err != nil {
				return err
			}
			t, err := parseTags(tags, nil)
			if err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if _, err := s.arm.VirtualNetworkLink(ctx, sub, z.group, z.zone, z.name); err == nil {
				return alreadyExists("Virtual Network Link", z.name)
			} else if !client.IsNotFound(err) {
				return err
			}
			l := client.VirtualNetworkLink{Location: "global", Tags: t, Properties: client.VirtualNetworkLinkProperties{
				VirtualNetwork: &client.SubResource{ID: networkResourceID(sub, z.group, "virtualNetworks", vnet)}, RegistrationEnabled: reg}}
			out, err := s.arm.CreateVirtualNetworkLink(ctx, sub, z.group, z.zone, z.name, l)
			if err != nil {
				return err
			}
			return a.printResource(cmd, out)
		},
	}
	z.flags(cmd, "name")
	cmd.Flags().StringVarP(&vnet, "virtual-network", "v", "", "name or id of the virtual network")
	cmd.Flags().StringVarP(&registration, "registration-enabled", "e", "", "true: the network's VMs register their names in the zone")
	tagsFlag(cmd, &tags)
	return a.withNargs(cmd, "tags")
}

func (a *azCLI) dnsLinkShowCommand() *cobra.Command {
	var z zoneChildArgs
	cmd := &cobra.Command{
		Use:     "show",
		Short:   "Show a zone's virtual network link",
		Example: `  az network private-dns link vnet show -g rg-net -z privatelink.vaultcore.azure.net -n link-vnet1`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := z.check("name"); err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			out, err := s.arm.VirtualNetworkLink(cmd.Context(), sub, z.group, z.zone, z.name)
			if err != nil {
				return err
			}
			return a.printResource(cmd, out)
		},
	}
	z.flags(cmd, "name")
	return cmd
}

func (a *azCLI) dnsLinkListCommand() *cobra.Command {
	var z zoneChildArgs
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List a zone's virtual network links",
		Example: `  az network private-dns link vnet list -g rg-net -z privatelink.vaultcore.azure.net --query "[].virtualNetwork.id" -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := z.check(""); err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			out, err := s.arm.VirtualNetworkLinks(cmd.Context(), sub, z.group, z.zone)
			if err != nil {
				return err
			}
			return a.printResource(cmd, nonNil(out))
		},
	}
	z.flags(cmd, "")
	return cmd
}

func (a *azCLI) dnsLinkDeleteCommand() *cobra.Command {
	var z zoneChildArgs
	var yes bool
	cmd := &cobra.Command{
		Use:     "delete",
		Short:   "Delete a zone's virtual network link (asks for confirmation unless --yes)",
		Example: `  az network private-dns link vnet delete -g rg-net -z privatelink.vaultcore.azure.net -n link-vnet1 --yes`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := z.check("name"); err != nil {
				return err
			}
			if ok, err := confirmDelete(cmd, yes); err != nil || !ok {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			return s.arm.DeleteVirtualNetworkLink(cmd.Context(), sub, z.group, z.zone, z.name)
		},
	}
	z.flags(cmd, "name")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not prompt for confirmation")
	return cmd
}

// defaultTTL is az's TTL of a record set it creates.
const defaultTTL = 3600

func (a *azCLI) aRecordCreateCommand() *cobra.Command {
	var z zoneChildArgs
	var ttl int
	var metadata []string
	cmd := &cobra.Command{
		Use:     "create",
		Short:   "Create an empty A record set",
		Example: `  az network private-dns record-set a create -g rg-net -z privatelink.vaultcore.azure.net -n kv-data --ttl 10`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := z.check("name"); err != nil {
				return err
			}
			md, err := parseTags(metadata, nil)
			if err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if _, err := s.arm.ARecordSet(ctx, sub, z.group, z.zone, z.name); err == nil {
				return alreadyExists("Record set", z.name)
			} else if !client.IsNotFound(err) {
				return err
			}
			out, err := s.arm.CreateARecordSet(ctx, sub, z.group, z.zone, z.name, client.RecordSet{Properties: client.RecordSetProperties{
				TTL: int64(ttl), Metadata: md, ARecords: []client.ARecord{}}})
			if err != nil {
				return err
			}
			return a.printResource(cmd, out)
		},
	}
	z.flags(cmd, "name")
	cmd.Flags().IntVar(&ttl, "ttl", defaultTTL, "time to live, in seconds")
	cmd.Flags().StringArrayVar(&metadata, "metadata", nil, "space-separated metadata: key[=value]")
	return a.withNargs(cmd, "metadata")
}

// aRecordEditCommand is add-record (add=true) or remove-record: read the
// set (add creates it), change its addresses, write it back.
func (a *azCLI) aRecordEditCommand(add bool) *cobra.Command {
	var z zoneChildArgs
	var ip string
	var keepEmpty bool
	use, short, example := "remove-record", "Remove an address from an A record set (the set goes with its last address unless --keep-empty-record-set)",
		`  az network private-dns record-set a remove-record -g rg-net -z privatelink.vaultcore.azure.net -n kv-data -a 10.0.3.4`
	if add {
		use, short, example = "add-record", "Add an address to an A record set, creating the set if needed",
			`  az network private-dns record-set a add-record -g rg-net -z privatelink.vaultcore.azure.net -n kv-data -a 10.0.3.4`
	}
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := azRequired("--resource-group/-g", z.group, "--zone-name/-z", z.zone, "--record-set-name/-n", z.name, "--ipv4-address/-a", ip); err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			rs, err := s.arm.ARecordSet(ctx, sub, z.group, z.zone, z.name)
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
					return fmt.Errorf("The record %s does not exist in record set %s.", ip, z.name)
				}
				recs = slices.DeleteFunc(recs, has)
				if len(recs) == 0 && !keepEmpty {
					return s.arm.DeleteARecordSet(ctx, sub, z.group, z.zone, z.name)
				}
			}
			in := client.RecordSet{Properties: client.RecordSetProperties{TTL: rs.Properties.TTL, Metadata: rs.Properties.Metadata, ARecords: nonNil(recs)}}
			out, err := s.arm.CreateARecordSet(ctx, sub, z.group, z.zone, z.name, in)
			if err != nil {
				return err
			}
			return a.printResource(cmd, out)
		},
	}
	z.flags(cmd, "record-set-name")
	cmd.Flags().StringVarP(&ip, "ipv4-address", "a", "", "IPv4 address")
	if !add {
		cmd.Flags().BoolVar(&keepEmpty, "keep-empty-record-set", false, "keep the set when its last address goes")
	}
	return cmd
}

func (a *azCLI) aRecordAddCommand() *cobra.Command    { return a.aRecordEditCommand(true) }
func (a *azCLI) aRecordRemoveCommand() *cobra.Command { return a.aRecordEditCommand(false) }

func (a *azCLI) aRecordShowCommand() *cobra.Command {
	var z zoneChildArgs
	cmd := &cobra.Command{
		Use:     "show",
		Short:   "Show an A record set",
		Example: `  az network private-dns record-set a show -g rg-net -z privatelink.vaultcore.azure.net -n kv-data --query "aRecords[].ipv4Address" -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := z.check("name"); err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			out, err := s.arm.ARecordSet(cmd.Context(), sub, z.group, z.zone, z.name)
			if err != nil {
				return err
			}
			return a.printResource(cmd, out)
		},
	}
	z.flags(cmd, "name")
	return cmd
}

func (a *azCLI) aRecordListCommand() *cobra.Command {
	var z zoneChildArgs
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List a zone's A record sets",
		Example: `  az network private-dns record-set a list -g rg-net -z privatelink.vaultcore.azure.net --query "[].[name, aRecords[0].ipv4Address]" -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := z.check(""); err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			out, err := s.arm.ARecordSets(cmd.Context(), sub, z.group, z.zone)
			if err != nil {
				return err
			}
			return a.printResource(cmd, nonNil(out))
		},
	}
	z.flags(cmd, "")
	return cmd
}

func (a *azCLI) aRecordDeleteCommand() *cobra.Command {
	var z zoneChildArgs
	var yes bool
	cmd := &cobra.Command{
		Use:     "delete",
		Short:   "Delete an A record set (asks for confirmation unless --yes)",
		Example: `  az network private-dns record-set a delete -g rg-net -z privatelink.vaultcore.azure.net -n kv-data --yes`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := z.check("name"); err != nil {
				return err
			}
			if ok, err := confirmDelete(cmd, yes); err != nil || !ok {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			return s.arm.DeleteARecordSet(cmd.Context(), sub, z.group, z.zone, z.name)
		},
	}
	z.flags(cmd, "name")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not prompt for confirmation")
	return cmd
}
