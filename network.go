package scopevault

import (
	"net/netip"
	"strings"
	"time"
)

// The simulated network. Azure's virtual networks, subnets, private
// endpoints and private DNS are modelled as resources (stored by
// internal/rm), and placed on the loopback range: a private endpoint's
// private IP is stood for by a loopback listener of its own, and a program
// placed in a subnet (scopevault run --subnet) reaches each vault's public
// endpoint through a loopback listener that stands for "from this subnet".
// Where a request came from is thus the listener it arrived on, a fact of
// the connection (Origin), never a header.

// VirtualNetwork is a Microsoft.Network/virtualNetworks resource.
type VirtualNetwork struct {
	Name           string            `json:"name"`
	SubscriptionID string            `json:"subscriptionId"`
	ResourceGroup  string            `json:"resourceGroup"`
	Location       string            `json:"location"`
	Tags           map[string]string `json:"tags,omitempty"`
	// AddressPrefixes is the address space (IPv4 CIDRs).
	AddressPrefixes []string  `json:"addressPrefixes"`
	DNSServers      []string  `json:"dnsServers,omitempty"`
	Subnets         []Subnet  `json:"subnets,omitempty"`
	Created         time.Time `json:"created"`
	Updated         time.Time `json:"updated"`
}

// ResourceID is the network's ARM id.
func (n *VirtualNetwork) ResourceID() string {
	return "/subscriptions/" + n.SubscriptionID + "/resourceGroups/" + n.ResourceGroup +
		"/providers/Microsoft.Network/virtualNetworks/" + n.Name
}

// SubnetID is the ARM id of one of the network's subnets.
func (n *VirtualNetwork) SubnetID(name string) string { return n.ResourceID() + "/subnets/" + name }

// Subnet returns the named subnet (names compare case-insensitively), or nil.
func (n *VirtualNetwork) Subnet(name string) *Subnet {
	for i := range n.Subnets {
		if strings.EqualFold(n.Subnets[i].Name, name) {
			return &n.Subnets[i]
		}
	}
	return nil
}

// Subnet is one subnet of a virtual network.
type Subnet struct {
	Name          string `json:"name"`
	AddressPrefix string `json:"addressPrefix"`
	// NetworkSecurityGroupID is the associated NSG's id, "" for none.
	NetworkSecurityGroupID string            `json:"networkSecurityGroupId,omitempty"`
	ServiceEndpoints       []ServiceEndpoint `json:"serviceEndpoints,omitempty"`
	Delegations            []Delegation      `json:"delegations,omitempty"`
	// PrivateEndpointNetworkPolicies: Disabled | Enabled | NetworkSecurityGroupEnabled | RouteTableEnabled.
	PrivateEndpointNetworkPolicies    string `json:"privateEndpointNetworkPolicies,omitempty"`
	PrivateLinkServiceNetworkPolicies string `json:"privateLinkServiceNetworkPolicies,omitempty"`
}

// ServiceEndpointKeyVault is the service endpoint that carries a subnet's
// traffic to Key Vault with its private source address.
const ServiceEndpointKeyVault = "Microsoft.KeyVault"

// DelegationDatabricks is the delegation VNet injection needs on both of a
// workspace's subnets.
const DelegationDatabricks = "Microsoft.Databricks/workspaces"

// HasServiceEndpoint reports whether the subnet has the service endpoint
// (compared case-insensitively).
func (s *Subnet) HasServiceEndpoint(service string) bool {
	for _, e := range s.ServiceEndpoints {
		if strings.EqualFold(e.Service, service) {
			return true
		}
	}
	return false
}

// DelegatedTo reports whether the subnet is delegated to service.
func (s *Subnet) DelegatedTo(service string) bool {
	for _, d := range s.Delegations {
		if strings.EqualFold(d.ServiceName, service) {
			return true
		}
	}
	return false
}

// ServiceEndpoint is one service endpoint of a subnet.
type ServiceEndpoint struct {
	Service   string   `json:"service"`
	Locations []string `json:"locations,omitempty"`
}

// Delegation hands a subnet to a service.
type Delegation struct {
	Name        string `json:"name"`
	ServiceName string `json:"serviceName"`
}

// Private endpoint connection states (privateLinkServiceConnectionState.status).
const (
	ConnectionPending      = "Pending"
	ConnectionApproved     = "Approved"
	ConnectionRejected     = "Rejected"
	ConnectionDisconnected = "Disconnected"
)

// PrivateEndpoint is a Microsoft.Network/privateEndpoints resource: a
// private IP in a subnet that leads to one vault.
type PrivateEndpoint struct {
	Name           string            `json:"name"`
	SubscriptionID string            `json:"subscriptionId"`
	ResourceGroup  string            `json:"resourceGroup"`
	Location       string            `json:"location"`
	Tags           map[string]string `json:"tags,omitempty"`
	// SubnetID is the id of the subnet the endpoint's address is taken from.
	SubnetID string `json:"subnetId"`
	// Connections are the endpoint's connections (one, to a vault, in practice).
	Connections []PrivateLinkConnection `json:"connections"`
	// PrivateIP is the address allocated from the subnet's prefix.
	PrivateIP string `json:"privateIp"`
	// Address is the loopback address whose listener stands for PrivateIP.
	Address       string         `json:"address"`
	CustomNICName string         `json:"customNetworkInterfaceName,omitempty"`
	DNSZoneGroups []DNSZoneGroup `json:"dnsZoneGroups,omitempty"`
	Created       time.Time      `json:"created"`
	Updated       time.Time      `json:"updated"`
}

// ResourceID is the endpoint's ARM id.
func (p *PrivateEndpoint) ResourceID() string {
	return "/subscriptions/" + p.SubscriptionID + "/resourceGroups/" + p.ResourceGroup +
		"/providers/Microsoft.Network/privateEndpoints/" + p.Name
}

// PrivateLinkConnection is the endpoint's side of a connection to a vault.
type PrivateLinkConnection struct {
	Name string `json:"name"`
	// TargetID is the vault's ARM id (privateLinkServiceId).
	TargetID       string   `json:"privateLinkServiceId"`
	GroupIDs       []string `json:"groupIds"`
	RequestMessage string   `json:"requestMessage,omitempty"`
	// Manual is true for manualPrivateLinkServiceConnections (approval awaited).
	Manual bool `json:"manual,omitempty"`
	// VaultConnection is the name of the vault-side connection
	// (Vault.PrivateEndpointConnections), whose state is the truth.
	VaultConnection string `json:"vaultConnection,omitempty"`
}

// DNSZoneGroup links a private endpoint to private DNS zones it fills.
type DNSZoneGroup struct {
	Name    string          `json:"name"`
	Configs []DNSZoneConfig `json:"configs"`
}

// DNSZoneConfig is one zone of a zone group.
type DNSZoneConfig struct {
	Name   string `json:"name"`
	ZoneID string `json:"privateDnsZoneId"`
}

// PrivateEndpointConnection is the vault's side of a private endpoint's
// connection (properties.privateEndpointConnections of the vault): the
// approval state the network gate reads.
type PrivateEndpointConnection struct {
	Name string `json:"name"`
	// Vault is the name of the vault it belongs to.
	Vault string `json:"vault"`
	// PrivateEndpointID is the endpoint's ARM id.
	PrivateEndpointID string `json:"privateEndpointId"`
	Status            string `json:"status"` // Pending | Approved | Rejected | Disconnected
	Description       string `json:"description,omitempty"`
	ActionsRequired   string `json:"actionsRequired,omitempty"`
	// ProvisioningState: Succeeded | Updating | Deleting | Failed.
	ProvisioningState string `json:"provisioningState,omitempty"`
	ETag              string `json:"etag,omitempty"`
}

// PrivateDNSZone is a Microsoft.Network/privateDnsZones resource with its
// virtual network links and A record sets.
type PrivateDNSZone struct {
	Name           string            `json:"name"` // e.g. privatelink.vaultcore.azure.net
	SubscriptionID string            `json:"subscriptionId"`
	ResourceGroup  string            `json:"resourceGroup"`
	Tags           map[string]string `json:"tags,omitempty"`
	Links          []VNetLink        `json:"links,omitempty"`
	A              []ARecordSet      `json:"a,omitempty"`
	Created        time.Time         `json:"created"`
	Updated        time.Time         `json:"updated"`
}

// VaultPrivateLinkZone is the private DNS zone a vault's private endpoint
// is resolved through.
const VaultPrivateLinkZone = "privatelink.vaultcore.azure.net"

// ResourceID is the zone's ARM id.
func (z *PrivateDNSZone) ResourceID() string {
	return "/subscriptions/" + z.SubscriptionID + "/resourceGroups/" + z.ResourceGroup +
		"/providers/Microsoft.Network/privateDnsZones/" + z.Name
}

// VNetLink links a private DNS zone to a virtual network: names in the zone
// resolve from inside that network.
type VNetLink struct {
	Name                string            `json:"name"`
	VirtualNetworkID    string            `json:"virtualNetworkId"`
	RegistrationEnabled bool              `json:"registrationEnabled,omitempty"`
	Tags                map[string]string `json:"tags,omitempty"`
}

// ARecordSet is one A record set of a zone.
type ARecordSet struct {
	Name string   `json:"name"` // relative name, e.g. the vault's name
	TTL  int64    `json:"ttl"`
	IPv4 []string `json:"ipv4Addresses"`
	// Owner is the id of the private endpoint zone group that wrote it, ""
	// for a record set made by hand.
	Owner string `json:"owner,omitempty"`
}

// Placement is what a loopback listener stands for in the simulated
// network: a vault reached over a private endpoint, or a vault's public
// endpoint reached from inside a subnet.
type Placement struct {
	// Vault is the name of the vault the listener serves.
	Vault string `json:"vault"`
	// Subnet is the lower-cased id of the subnet the listener stands for
	// ("" for a private endpoint's listener).
	Subnet string `json:"subnet,omitempty"`
	// PrivateEndpoint is the private endpoint's ARM id ("" for a subnet's view).
	PrivateEndpoint string `json:"privateEndpoint,omitempty"`
	// PrivateIP is the private address the listener stands for: the
	// endpoint's, or for a subnet's view the subnet's first host address,
	// the source address Key Vault sees through a service endpoint.
	PrivateIP netip.Addr `json:"privateIp"`
}

// ParseSubnetID splits a subnet's ARM id into the network's id and the
// subnet's name; ok is false for anything else.
func ParseSubnetID(id string) (vnetID, subnet string, ok bool) {
	vnetID, subnet, ok = strings.Cut(id, "/subnets/")
	if !ok || subnet == "" || strings.Contains(subnet, "/") ||
		!strings.Contains(strings.ToLower(vnetID), "/providers/microsoft.network/virtualnetworks/") {
		return "", "", false
	}
	return vnetID, subnet, true
}

// Network is one consistent view of every network resource: what the
// network gate, the placement of programs, explain and the diagram read.
type Network struct {
	VirtualNetworks []*VirtualNetwork  `json:"virtualNetworks"`
	Endpoints       []*PrivateEndpoint `json:"privateEndpoints"`
	// Connections are the vaults' sides of the endpoints' connections.
	Connections []*PrivateEndpointConnection `json:"connections"`
	Zones       []*PrivateDNSZone            `json:"privateDnsZones"`
}

// Subnet returns the subnet with the given ARM id (compared
// case-insensitively) and its network; nils when there is none.
func (n *Network) Subnet(id string) (*VirtualNetwork, *Subnet) {
	vnetID, name, ok := ParseSubnetID(id)
	if !ok {
		return nil, nil
	}
	for _, v := range n.VirtualNetworks {
		if strings.EqualFold(v.ResourceID(), vnetID) {
			if s := v.Subnet(name); s != nil {
				return v, s
			}
			return nil, nil
		}
	}
	return nil, nil
}

// VirtualNetwork returns the network with the given ARM id, or nil.
func (n *Network) VirtualNetwork(id string) *VirtualNetwork {
	for _, v := range n.VirtualNetworks {
		if strings.EqualFold(v.ResourceID(), id) {
			return v
		}
	}
	return nil
}

// Endpoint returns the private endpoint with the given ARM id, or nil.
func (n *Network) Endpoint(id string) *PrivateEndpoint {
	for _, p := range n.Endpoints {
		if strings.EqualFold(p.ResourceID(), id) {
			return p
		}
	}
	return nil
}

// Connection returns the vault's side of the private endpoint's
// connection, or nil when the endpoint has none to that vault.
func (n *Network) Connection(vault, endpointID string) *PrivateEndpointConnection {
	for _, c := range n.Connections {
		if strings.EqualFold(c.Vault, vault) && strings.EqualFold(c.PrivateEndpointID, endpointID) {
			return c
		}
	}
	return nil
}

// VaultConnections are the vault's sides of every endpoint's connection to it.
func (n *Network) VaultConnections(vault string) []*PrivateEndpointConnection {
	var out []*PrivateEndpointConnection
	for _, c := range n.Connections {
		if strings.EqualFold(c.Vault, vault) {
			out = append(out, c)
		}
	}
	return out
}

// Resolution is how a vault's name resolves from inside a virtual network.
type Resolution struct {
	// Zone and Record name the private DNS zone and A record set that
	// answered; both "" when the name resolved publicly.
	Zone, Record string
	// IP is the private address the record gave ("" when public).
	IP string
	// Endpoint is the private endpoint holding IP (nil when public, or when
	// the record points at no endpoint of this vault).
	Endpoint *PrivateEndpoint
}

// ResolveVault resolves <vault>.vault.azure.net from inside the virtual
// network vnetID ("" for the internet) as Azure DNS does: through a
// privatelink.vaultcore.azure.net zone linked to that network and its A
// record for the vault, else publicly. The CNAME to the privatelink name
// exists only while the vault has an approved connection (§3.5).
func (n *Network) ResolveVault(vnetID, vault string) Resolution {
	if vnetID == "" {
		return Resolution{}
	}
	approved := false
	for _, c := range n.VaultConnections(vault) {
		if c.Status == ConnectionApproved {
			approved = true
		}
	}
	if !approved {
		return Resolution{}
	}
	for _, z := range n.Zones {
		if !strings.EqualFold(z.Name, VaultPrivateLinkZone) || !z.LinkedTo(vnetID) {
			continue
		}
		for _, r := range z.A {
			if !strings.EqualFold(r.Name, vault) || len(r.IPv4) == 0 {
				continue
			}
			res := Resolution{Zone: z.ResourceID(), Record: r.Name, IP: r.IPv4[0]}
			for _, p := range n.Endpoints {
				if p.PrivateIP == res.IP && p.TargetsVault(vault) {
					res.Endpoint = p
					break
				}
			}
			return res
		}
	}
	return Resolution{}
}

// LinkedTo reports whether the zone has a virtual network link to vnetID.
func (z *PrivateDNSZone) LinkedTo(vnetID string) bool {
	for _, l := range z.Links {
		if strings.EqualFold(l.VirtualNetworkID, vnetID) {
			return true
		}
	}
	return false
}

// TargetsVault reports whether one of the endpoint's connections leads to
// the named vault (its privateLinkServiceId ends in /vaults/<name>).
func (p *PrivateEndpoint) TargetsVault(vault string) bool {
	for _, c := range p.Connections {
		if i := strings.LastIndex(strings.ToLower(c.TargetID), "/providers/microsoft.keyvault/vaults/"); i >= 0 &&
			strings.EqualFold(c.TargetID[i+len("/providers/microsoft.keyvault/vaults/"):], vault) {
			return true
		}
	}
	return false
}

// VaultName is the name of the vault the connection leads to (the last
// segment of a .../providers/Microsoft.KeyVault/vaults/<name> id), "" for
// any other target.
func (c PrivateLinkConnection) VaultName() string {
	const seg = "/providers/microsoft.keyvault/vaults/"
	i := strings.LastIndex(strings.ToLower(c.TargetID), seg)
	if i < 0 || strings.Contains(c.TargetID[i+len(seg):], "/") {
		return ""
	}
	return c.TargetID[i+len(seg):]
}

// ConnectionState is the state the endpoint's connection c shows: its vault
// side's, or Disconnected once the vault's owner removed the vault side
// (the endpoint "becomes informative and should be deleted").
func (n *Network) ConnectionState(p *PrivateEndpoint, c PrivateLinkConnection) PrivateEndpointConnection {
	vault := c.VaultName()
	for _, vc := range n.Connections {
		if c.VaultConnection != "" && strings.EqualFold(vc.Vault, vault) && strings.EqualFold(vc.Name, c.VaultConnection) {
			return *vc
		}
	}
	return PrivateEndpointConnection{
		Name: c.VaultConnection, Vault: strings.ToLower(vault), PrivateEndpointID: p.ResourceID(), Status: ConnectionDisconnected,
		Description: "The private endpoint connection was removed by the owner of the vault.", ActionsRequired: "None", ProvisioningState: "Succeeded",
	}
}
