package cli

import (
	"errors"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// 'az network vnet' and 'az network vnet subnet'.

func (a *azCLI) vnetCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "vnet", Short: "Manage virtual networks"}
	cmd.AddCommand(a.vnetCreateCommand(),
		vnetKind.showCommand(a, azDoc{use: "show", short: "Show a virtual network and its subnets",
			example: `  az network vnet show -g rg-net -n vnet1 --query "subnets[].name" -o tsv`}),
		vnetKind.listCommand(a, azDoc{use: "list", short: "List the virtual networks of a resource group, or of the subscription",
			example: `  az network vnet list -g rg-net --query "[].name" -o tsv`}),
		a.vnetUpdateCommand(),
		vnetKind.deleteCommand(a, azDoc{use: "delete", short: "Delete a virtual network (refused while something uses its subnets)",
			example: `  az network vnet delete -g rg-net -n vnet1`}),
		a.subnetCommand())
	return cmd
}

// vnetKind is virtual networks: -g and -n.
var vnetKind = azResource[client.VirtualNetwork]{
	what: "virtual network", ids: []string{"Microsoft.Network", "virtualNetworks"},
	get: func(c azCall) (client.VirtualNetwork, error) {
		return c.s.arm.VirtualNetwork(c.ctx, c.sub, c.group, c.name)
	},
	list: func(c azCall) ([]client.VirtualNetwork, error) { return c.s.arm.VirtualNetworks(c.ctx, c.sub, c.group) },
	del:  func(c azCall) error { return c.s.arm.DeleteVirtualNetwork(c.ctx, c.sub, c.group, c.name) },
}

// subnetKind is a network's subnets: -g, --vnet-name and -n.
var subnetKind = azResource[client.Subnet]{
	what: "subnet", parent: azName{long: "vnet-name", usage: "name of the virtual network"},
	ids:  []string{"Microsoft.Network", "virtualNetworks", "subnets"},
	get:  func(c azCall) (client.Subnet, error) { return c.s.arm.Subnet(c.ctx, c.sub, c.group, c.parent, c.name) },
	list: func(c azCall) ([]client.Subnet, error) { return c.s.arm.Subnets(c.ctx, c.sub, c.group, c.parent) },
	del:  func(c azCall) error { return c.s.arm.DeleteSubnet(c.ctx, c.sub, c.group, c.parent, c.name) },
}

func (a *azCLI) vnetCreateCommand() *cobra.Command {
	var v resRef
	names := vnetKind.names(&v, true)
	var location, subnetName, nsg string
	var prefixes, subnetPrefixes, dnsServers, tags []string
	cmd := azDoc{use: "create", short: "Create a virtual network, optionally with one subnet",
		long: `Create (or replace) a virtual network. With --subnet-name it gets one subnet
(--subnet-prefixes, default 10.0.0.0/24). Prints {"newVNet": <the network>}, as az does.`,
		example: `  az network vnet create -g rg-net -n vnet1 --address-prefixes 10.0.0.0/16 --subnet-name app --subnet-prefixes 10.0.1.0/24`,
	}.command(func(cmd *cobra.Command) error {
		c, t, err := a.checkedTags(cmd, &v, names.check(), tags)
		if err != nil {
			return err
		}
		if location, err = c.s.groupLocation(c.ctx, c.sub, c.group, location); err != nil {
			return err
		}
		if len(prefixes) == 0 {
			prefixes = []string{"10.0.0.0/16"}
		}
		net := client.VirtualNetwork{Location: location, Tags: t, Properties: client.VirtualNetworkProperties{
			AddressSpace: &client.AddressSpace{AddressPrefixes: prefixes}}}
		if len(dnsServers) > 0 {
			net.Properties.DhcpOptions = &client.DhcpOptions{DNSServers: dnsServers}
		}
		if subnetName != "" {
			if len(subnetPrefixes) == 0 {
				subnetPrefixes = []string{"10.0.0.0/24"}
			}
			sn := client.Subnet{Name: subnetName}
			setSubnetPrefixes(&sn.Properties, subnetPrefixes)
			if nsg != "" {
				sn.Properties.NetworkSecurityGroup = &client.SubResource{ID: networkResourceID(c.sub, c.group, "networkSecurityGroups", nsg)}
			}
			net.Properties.Subnets = []client.Subnet{sn}
		}
		out, err := c.s.arm.CreateVirtualNetwork(c.ctx, c.sub, c.group, c.name, net)
		if err != nil {
			return err
		}
		return a.printResource(cmd, map[string]any{"newVNet": out})
	})
	names.flags(cmd)
	f := cmd.Flags()
	f.StringVarP(&location, "location", "l", "", "location (default: the resource group's)")
	f.StringArrayVar(&prefixes, "address-prefixes", nil, "space-separated IP address prefixes of the network (default 10.0.0.0/16)")
	f.StringVar(&subnetName, "subnet-name", "", "name of a new subnet to create within the network")
	f.StringArrayVar(&subnetPrefixes, "subnet-prefixes", nil, "space-separated prefixes of the new subnet (default 10.0.0.0/24)")
	f.StringArrayVar(&dnsServers, "dns-servers", nil, "space-separated DNS server addresses")
	f.StringVar(&nsg, "network-security-group", "", "name or id of a network security group for the new subnet")
	f.StringVar(&nsg, "nsg", "", "name or id of a network security group for the new subnet")
	tagsFlag(cmd, &tags)
	return a.withNargs(cmd, "address-prefixes", "subnet-prefixes", "dns-servers", "tags")
}

// setSubnetPrefixes puts one prefix in addressPrefix and several in
// addressPrefixes, as az does.
func setSubnetPrefixes(p *client.SubnetProperties, prefixes []string) {
	p.AddressPrefix, p.AddressPrefixes = "", nil
	if len(prefixes) == 1 {
		p.AddressPrefix = prefixes[0]
	} else {
		p.AddressPrefixes = prefixes
	}
}

func (a *azCLI) vnetUpdateCommand() *cobra.Command {
	var v resRef
	var prefixes, dnsServers []string
	names := vnetKind.names(&v, true)
	cmd := azDoc{use: "update", short: "Update a virtual network's address prefixes or DNS servers",
		long: `Update a virtual network: read it, change what the flags say, write it back
(its subnets included). --dns-servers "" goes back to Azure's DNS.`,
		example: `  az network vnet update -g rg-net -n vnet1 --address-prefixes 10.0.0.0/16 10.1.0.0/16`,
	}.command(func(cmd *cobra.Command) error {
		c, err := a.checked(cmd, &v, names.check())
		if err != nil {
			return err
		}
		net, err := vnetKind.get(c)
		if err != nil {
			return err
		}
		if cmd.Flags().Changed("address-prefixes") {
			net.Properties.AddressSpace = &client.AddressSpace{AddressPrefixes: nonEmpty(prefixes)}
		}
		if cmd.Flags().Changed("dns-servers") {
			net.Properties.DhcpOptions = &client.DhcpOptions{DNSServers: nonEmpty(dnsServers)}
		}
		return a.printFetched(cmd)(c.s.arm.CreateVirtualNetwork(c.ctx, c.sub, c.group, c.name, writable(net)))
	})
	names.flags(cmd)
	cmd.Flags().StringArrayVar(&prefixes, "address-prefixes", nil, "space-separated IP address prefixes of the network")
	cmd.Flags().StringArrayVar(&dnsServers, "dns-servers", nil, `space-separated DNS server addresses ("" for Azure's)`)
	return a.withNargs(cmd, "address-prefixes", "dns-servers")
}

// writable is a network read with GET as a PUT body: its subnets keep
// their names and writable properties.
func writable(n client.VirtualNetwork) client.VirtualNetwork {
	out := client.VirtualNetwork{Location: n.Location, Tags: n.Tags, Properties: client.VirtualNetworkProperties{
		AddressSpace: n.Properties.AddressSpace, DhcpOptions: n.Properties.DhcpOptions, EnableDdosProtection: n.Properties.EnableDdosProtection}}
	for _, sn := range n.Properties.Subnets {
		out.Properties.Subnets = append(out.Properties.Subnets, writableSubnet(sn))
	}
	return out
}

// writableSubnet drops a subnet's read-only properties.
func writableSubnet(sn client.Subnet) client.Subnet {
	p := sn.Properties
	p.PrivateEndpoints, p.IPConfigurations, p.ProvisioningState, p.Purpose = nil, nil, "", ""
	for i := range p.ServiceEndpoints {
		p.ServiceEndpoints[i].ProvisioningState = ""
	}
	for i := range p.Delegations {
		p.Delegations[i].ID, p.Delegations[i].Type, p.Delegations[i].Etag = "", "", ""
		p.Delegations[i].Properties.Actions, p.Delegations[i].Properties.ProvisioningState = nil, ""
	}
	return client.Subnet{Name: sn.Name, Properties: p}
}

// nonEmpty drops "" values (az's way of clearing a list).
func nonEmpty(vals []string) []string {
	out := []string{}
	for _, v := range vals {
		if v != "" && v != `""` && v != "''" {
			out = append(out, v)
		}
	}
	return out
}

// nonNil makes a nil list print as [] rather than nothing.
func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func (a *azCLI) subnetCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "subnet", Short: "Manage the subnets of a virtual network"}
	cmd.AddCommand(a.subnetEditCommand(true), a.subnetEditCommand(false),
		subnetKind.showCommand(a, azDoc{use: "show", short: "Show a subnet",
			example: `  az network vnet subnet show -g rg-net --vnet-name vnet1 -n app --query id -o tsv`}),
		subnetKind.listCommand(a, azDoc{use: "list", short: "List the subnets of a virtual network",
			example: `  az network vnet subnet list -g rg-net --vnet-name vnet1 --query "[].[name, addressPrefix]" -o tsv`}),
		subnetKind.deleteCommand(a, azDoc{use: "delete", short: "Delete a subnet (refused while a private endpoint or workspace uses it)",
			example: `  az network vnet subnet delete -g rg-net --vnet-name vnet1 -n app`}))
	return cmd
}

// subnetEdit are the properties create and update set.
type subnetEdit struct {
	prefixes, endpoints, delegations []string
	nsg, disablePE, pePolicies       string
	disablePLS, plsPolicies          string
}

func (e *subnetEdit) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&e.prefixes, "address-prefixes", nil, "space-separated address prefixes of the subnet (CIDR)")
	f.StringArrayVar(&e.endpoints, "service-endpoints", nil, `space-separated services to reach with the subnet's private address (Microsoft.KeyVault); "" removes them`)
	f.StringArrayVar(&e.delegations, "delegations", nil, `space-separated services to delegate the subnet to (Microsoft.Databricks/workspaces); "" removes them`)
	f.StringVar(&e.nsg, "network-security-group", "", `name or id of a network security group; "" removes it`)
	f.StringVar(&e.nsg, "nsg", "", `name or id of a network security group; "" removes it`)
	f.StringVar(&e.disablePE, "disable-private-endpoint-network-policies", "", "true: network policies do not apply to private endpoints in the subnet")
	f.StringVar(&e.pePolicies, "private-endpoint-network-policies", "", "Disabled, Enabled, NetworkSecurityGroupEnabled or RouteTableEnabled")
	f.StringVar(&e.disablePLS, "disable-private-link-service-network-policies", "", "true: network policies do not apply to private link services in the subnet")
	f.StringVar(&e.plsPolicies, "private-link-service-network-policies", "", "Disabled or Enabled")
}

var subnetNargs = []string{"address-prefixes", "service-endpoints", "delegations"}

// subnetBareBools are the subnet flags az takes bare or with a value.
var subnetBareBools = []string{"disable-private-endpoint-network-policies", "disable-private-link-service-network-policies"}

// apply sets what the flags given say on p.
func (e *subnetEdit) apply(cmd *cobra.Command, sub, group string, p *client.SubnetProperties) error {
	changed := cmd.Flags().Changed
	if changed("address-prefixes") {
		setSubnetPrefixes(p, nonEmpty(e.prefixes))
	}
	if changed("service-endpoints") {
		p.ServiceEndpoints = nil
		for _, s := range nonEmpty(e.endpoints) {
			p.ServiceEndpoints = append(p.ServiceEndpoints, client.ServiceEndpoint{Service: s})
		}
	}
	if changed("delegations") {
		p.Delegations = nil
		for i, d := range nonEmpty(e.delegations) {
			// az takes Microsoft.Databricks.workspaces for Microsoft.Databricks/workspaces.
			if parts := strings.Split(d, "."); !strings.Contains(d, "/") && len(parts) == 3 {
				d = parts[0] + "." + parts[1] + "/" + parts[2]
			}
			p.Delegations = append(p.Delegations, client.Delegation{Name: strconv.Itoa(i), Properties: client.DelegationProperties{ServiceName: d}})
		}
	}
	if changed("network-security-group") || changed("nsg") {
		p.NetworkSecurityGroup = nil
		if n := strings.Trim(e.nsg, `"'`); n != "" {
			p.NetworkSecurityGroup = &client.SubResource{ID: networkResourceID(sub, group, "networkSecurityGroups", n)}
		}
	}
	if err := setPolicy(&p.PrivateEndpointNetworkPolicies, "--disable-private-endpoint-network-policies", e.disablePE,
		"--private-endpoint-network-policies", e.pePolicies, "Disabled", "Enabled", "NetworkSecurityGroupEnabled", "RouteTableEnabled"); err != nil {
		return err
	}
	return setPolicy(&p.PrivateLinkServiceNetworkPolicies, "--disable-private-link-service-network-policies", e.disablePLS,
		"--private-link-service-network-policies", e.plsPolicies, "Disabled", "Enabled")
}

// setPolicy sets one of a subnet's network policies from its two flags,
// which exclude each other: --disable-X (true: Disabled, false: Enabled)
// or --X, one of the choices.
func setPolicy(dst *string, disableFlag, disable, flag, val string, choices ...string) error {
	if disable != "" && val != "" {
		return errUsage(disableFlag, flag)
	}
	if disable != "" {
		off, err := parseBool(disableFlag, disable)
		if err != nil {
			return err
		}
		*dst = map[bool]string{true: "Disabled", false: "Enabled"}[off]
	}
	if val != "" {
		v, err := oneOf(flag, val, choices...)
		if err != nil {
			return err
		}
		*dst = v
	}
	return nil
}

func errUsage(a, b string) error {
	return errors.New("usage error: " + a + " and " + b + " are mutually exclusive")
}

// subnetEditCommand is subnet create (a new subnet from the flags) or
// update (read it, change what the flags say, write it back).
func (a *azCLI) subnetEditCommand(create bool) *cobra.Command {
	var sn resRef
	var e subnetEdit
	names := subnetKind.names(&sn, true)
	d := azDoc{use: "update", short: "Update a subnet's prefixes, service endpoints, delegations or network policies",
		long: `Update a subnet: read it, change what the flags say, write it back. A list flag
replaces the list; "" empties it.`,
		example: `  az network vnet subnet update -g rg-net --vnet-name vnet1 -n app --service-endpoints Microsoft.KeyVault
  az network vnet subnet update -g rg-net --vnet-name vnet1 -n app --service-endpoints ""`}
	if create {
		d = azDoc{use: "create", short: "Create a subnet",
			long: `Create (or replace) a subnet of a virtual network. As in az 2.45, network policies
for private endpoints are disabled unless --private-endpoint-network-policies says otherwise.`,
			example: `  az network vnet subnet create -g rg-net --vnet-name vnet1 -n app --address-prefixes 10.0.1.0/24 --service-endpoints Microsoft.KeyVault
  az network vnet subnet create -g rg-net --vnet-name vnet1 -n host --address-prefixes 10.0.2.0/26 --delegations Microsoft.Databricks/workspaces
  az network vnet subnet create -g rg-net --vnet-name vnet1 -n pe --address-prefixes 10.0.3.0/27 --disable-private-endpoint-network-policies true`}
	}
	cmd := d.command(func(cmd *cobra.Command) error {
		check := names.check()
		if check == nil && create && len(nonEmpty(e.prefixes)) == 0 {
			check = azRequired("--address-prefixes", "")
		}
		c, err := a.checked(cmd, &sn, check)
		if err != nil {
			return err
		}
		w := client.Subnet{Name: c.name, Properties: client.SubnetProperties{PrivateEndpointNetworkPolicies: "Disabled", PrivateLinkServiceNetworkPolicies: "Enabled"}}
		if !create {
			cur, err := subnetKind.get(c)
			if err != nil {
				return err
			}
			w = writableSubnet(cur)
		}
		if err := e.apply(cmd, c.sub, c.group, &w.Properties); err != nil {
			return err
		}
		return a.printFetched(cmd)(c.s.arm.CreateSubnet(c.ctx, c.sub, c.group, c.parent, c.name, w))
	})
	names.flags(cmd)
	e.flags(cmd)
	return withBareBools(a.withNargs(cmd, subnetNargs...), subnetBareBools...)
}
