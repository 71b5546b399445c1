package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// API versions of the network resources: Microsoft.Network (virtual
// networks, subnets, private endpoints and their DNS zone groups), its
// private DNS zones, and the vault's private endpoint connections.
const (
	APINetwork    = "2024-05-01"
	APIPrivateDNS = "2020-06-01"
	APIVaultPEC   = "2023-07-01"
)

// SubResource is a reference to another resource by id.
type SubResource struct {
	ID string `json:"id"`
}

// VirtualNetwork is a Microsoft.Network/virtualNetworks resource.
type VirtualNetwork struct {
	ID         string                   `json:"id,omitempty"`
	Name       string                   `json:"name,omitempty"`
	Type       string                   `json:"type,omitempty"`
	Location   string                   `json:"location,omitempty"`
	Etag       string                   `json:"etag,omitempty"`
	Tags       map[string]string        `json:"tags,omitempty"`
	Properties VirtualNetworkProperties `json:"properties"`
}

// VirtualNetworkProperties are a virtual network's properties. A PUT
// replaces the network whole: Subnets not sent are deleted, so a
// read-modify-write keeps the ones it read.
type VirtualNetworkProperties struct {
	AddressSpace         *AddressSpace `json:"addressSpace,omitempty"`
	DhcpOptions          *DhcpOptions  `json:"dhcpOptions,omitempty"`
	Subnets              []Subnet      `json:"subnets,omitempty"`
	EnableDdosProtection *bool         `json:"enableDdosProtection,omitempty"`
	ResourceGUID         string        `json:"resourceGuid,omitempty"`
	ProvisioningState    string        `json:"provisioningState,omitempty"`
}

// AddressSpace is a network's address prefixes (CIDRs).
type AddressSpace struct {
	AddressPrefixes []string `json:"addressPrefixes"`
}

// DhcpOptions carries a network's DNS servers (none: Azure's DNS).
type DhcpOptions struct {
	DNSServers []string `json:"dnsServers"`
}

// Subnet is a Microsoft.Network/virtualNetworks/subnets resource.
type Subnet struct {
	ID         string           `json:"id,omitempty"`
	Name       string           `json:"name,omitempty"`
	Type       string           `json:"type,omitempty"`
	Etag       string           `json:"etag,omitempty"`
	Properties SubnetProperties `json:"properties"`
}

// SubnetProperties are a subnet's properties. A PUT replaces the subnet
// whole: service endpoints and delegations not sent are removed.
type SubnetProperties struct {
	AddressPrefix        string            `json:"addressPrefix,omitempty"`
	AddressPrefixes      []string          `json:"addressPrefixes,omitempty"`
	NetworkSecurityGroup *SubResource      `json:"networkSecurityGroup,omitempty"`
	ServiceEndpoints     []ServiceEndpoint `json:"serviceEndpoints,omitempty"`
	Delegations          []Delegation      `json:"delegations,omitempty"`
	// PrivateEndpointNetworkPolicies: Disabled, Enabled, NetworkSecurityGroupEnabled or RouteTableEnabled.
	PrivateEndpointNetworkPolicies    string `json:"privateEndpointNetworkPolicies,omitempty"`
	PrivateLinkServiceNetworkPolicies string `json:"privateLinkServiceNetworkPolicies,omitempty"`
	// Read-only: the private endpoints and NIC ip configurations in the subnet.
	PrivateEndpoints  []SubResource `json:"privateEndpoints,omitempty"`
	IPConfigurations  []SubResource `json:"ipConfigurations,omitempty"`
	Purpose           string        `json:"purpose,omitempty"`
	ProvisioningState string        `json:"provisioningState,omitempty"`
}

// Prefixes returns the subnet's prefixes, whichever field holds them.
func (p SubnetProperties) Prefixes() []string {
	if p.AddressPrefix != "" {
		return []string{p.AddressPrefix}
	}
	return p.AddressPrefixes
}

// ServiceEndpoint carries a subnet's traffic to a service (Microsoft.KeyVault)
// with its private source address.
type ServiceEndpoint struct {
	Service           string   `json:"service"`
	Locations         []string `json:"locations,omitempty"`
	ProvisioningState string   `json:"provisioningState,omitempty"`
}

// Delegation hands a subnet to a service (Microsoft.Databricks/workspaces).
type Delegation struct {
	ID         string               `json:"id,omitempty"`
	Name       string               `json:"name"`
	Type       string               `json:"type,omitempty"`
	Etag       string               `json:"etag,omitempty"`
	Properties DelegationProperties `json:"properties"`
}

// DelegationProperties name the service; Actions are filled in by the platform.
type DelegationProperties struct {
	ServiceName       string   `json:"serviceName"`
	Actions           []string `json:"actions,omitempty"`
	ProvisioningState string   `json:"provisioningState,omitempty"`
}

// PrivateEndpoint is a Microsoft.Network/privateEndpoints resource.
type PrivateEndpoint struct {
	ID         string                    `json:"id,omitempty"`
	Name       string                    `json:"name,omitempty"`
	Type       string                    `json:"type,omitempty"`
	Location   string                    `json:"location,omitempty"`
	Etag       string                    `json:"etag,omitempty"`
	Tags       map[string]string         `json:"tags,omitempty"`
	Properties PrivateEndpointProperties `json:"properties"`
}

// PrivateEndpointProperties are a private endpoint's properties. A
// connection under PrivateLinkServiceConnections asks for automatic
// approval; one under ManualPrivateLinkServiceConnections waits for the
// vault's owner (Pending).
type PrivateEndpointProperties struct {
	Subnet                              *SubResource                   `json:"subnet,omitempty"`
	PrivateLinkServiceConnections       []PrivateLinkServiceConnection `json:"privateLinkServiceConnections,omitempty"`
	ManualPrivateLinkServiceConnections []PrivateLinkServiceConnection `json:"manualPrivateLinkServiceConnections,omitempty"`
	CustomNetworkInterfaceName          string                         `json:"customNetworkInterfaceName,omitempty"`
	// Read-only.
	NetworkInterfaces []SubResource                    `json:"networkInterfaces,omitempty"`
	CustomDNSConfigs  []CustomDNSConfig                `json:"customDnsConfigs,omitempty"`
	IPConfigurations  []PrivateEndpointIPConfiguration `json:"ipConfigurations,omitempty"`
	ProvisioningState string                           `json:"provisioningState,omitempty"`
}

// Connections returns the endpoint's connections, automatic ones first.
func (p PrivateEndpointProperties) Connections() []PrivateLinkServiceConnection {
	return append(append([]PrivateLinkServiceConnection{}, p.PrivateLinkServiceConnections...), p.ManualPrivateLinkServiceConnections...)
}

// PrivateIP is the endpoint's private address: its first ip configuration's,
// else its first custom DNS config's; "" when it has none.
func (p PrivateEndpointProperties) PrivateIP() string {
	for _, c := range p.IPConfigurations {
		if c.Properties.PrivateIPAddress != "" {
			return c.Properties.PrivateIPAddress
		}
	}
	for _, c := range p.CustomDNSConfigs {
		if len(c.IPAddresses) > 0 {
			return c.IPAddresses[0]
		}
	}
	return ""
}

// PrivateLinkServiceConnection is the endpoint's side of a connection to a vault.
type PrivateLinkServiceConnection struct {
	ID         string                                 `json:"id,omitempty"`
	Name       string                                 `json:"name"`
	Type       string                                 `json:"type,omitempty"`
	Etag       string                                 `json:"etag,omitempty"`
	Properties PrivateLinkServiceConnectionProperties `json:"properties"`
}

// PrivateLinkServiceConnectionProperties name the target (a vault's id)
// and its sub-resource ("vault").
type PrivateLinkServiceConnectionProperties struct {
	PrivateLinkServiceID              string           `json:"privateLinkServiceId"`
	GroupIDs                          []string         `json:"groupIds,omitempty"`
	RequestMessage                    string           `json:"requestMessage,omitempty"`
	PrivateLinkServiceConnectionState *ConnectionState `json:"privateLinkServiceConnectionState,omitempty"`
	ProvisioningState                 string           `json:"provisioningState,omitempty"`
}

// ConnectionState is a private link connection's approval state.
type ConnectionState struct {
	// Status is Pending, Approved, Rejected or Disconnected.
	Status          string `json:"status,omitempty"`
	Description     string `json:"description,omitempty"`
	ActionsRequired string `json:"actionsRequired,omitempty"`
}

// CustomDNSConfig is a name and the private addresses it should resolve to.
type CustomDNSConfig struct {
	FQDN        string   `json:"fqdn"`
	IPAddresses []string `json:"ipAddresses"`
}

// PrivateEndpointIPConfiguration is one private address of an endpoint.
type PrivateEndpointIPConfiguration struct {
	Name       string `json:"name,omitempty"`
	Properties struct {
		GroupID          string `json:"groupId,omitempty"`
		MemberName       string `json:"memberName,omitempty"`
		PrivateIPAddress string `json:"privateIPAddress,omitempty"`
	} `json:"properties"`
}

// PrivateDNSZoneGroup is a private endpoint's privateDnsZoneGroups/{name}:
// the zones the service fills with the endpoint's A records.
type PrivateDNSZoneGroup struct {
	ID         string                        `json:"id,omitempty"`
	Name       string                        `json:"name,omitempty"`
	Etag       string                        `json:"etag,omitempty"`
	Properties PrivateDNSZoneGroupProperties `json:"properties"`
}

// PrivateDNSZoneGroupProperties list the group's zones.
type PrivateDNSZoneGroupProperties struct {
	PrivateDNSZoneConfigs []PrivateDNSZoneConfig `json:"privateDnsZoneConfigs"`
	ProvisioningState     string                 `json:"provisioningState,omitempty"`
}

// PrivateDNSZoneConfig is one zone of a zone group; RecordSets is read-only.
type PrivateDNSZoneConfig struct {
	Name       string `json:"name"`
	Properties struct {
		PrivateDNSZoneID string            `json:"privateDnsZoneId"`
		RecordSets       []ZoneGroupRecord `json:"recordSets,omitempty"`
	} `json:"properties"`
}

// ZoneGroupRecord is a record set a zone group wrote.
type ZoneGroupRecord struct {
	RecordType        string   `json:"recordType,omitempty"`
	RecordSetName     string   `json:"recordSetName,omitempty"`
	FQDN              string   `json:"fqdn,omitempty"`
	ProvisioningState string   `json:"provisioningState,omitempty"`
	TTL               int      `json:"ttl,omitempty"`
	IPAddresses       []string `json:"ipAddresses,omitempty"`
}

// PrivateDNSZone is a Microsoft.Network/privateDnsZones resource.
type PrivateDNSZone struct {
	ID         string                   `json:"id,omitempty"`
	Name       string                   `json:"name,omitempty"`
	Type       string                   `json:"type,omitempty"`
	Location   string                   `json:"location,omitempty"`
	Etag       string                   `json:"etag,omitempty"`
	Tags       map[string]string        `json:"tags,omitempty"`
	Properties PrivateDNSZoneProperties `json:"properties"`
}

// PrivateDNSZoneProperties are read-only counts and limits.
type PrivateDNSZoneProperties struct {
	MaxNumberOfRecordSets                          int64  `json:"maxNumberOfRecordSets,omitempty"`
	NumberOfRecordSets                             int64  `json:"numberOfRecordSets,omitempty"`
	MaxNumberOfVirtualNetworkLinks                 int64  `json:"maxNumberOfVirtualNetworkLinks,omitempty"`
	NumberOfVirtualNetworkLinks                    int64  `json:"numberOfVirtualNetworkLinks,omitempty"`
	MaxNumberOfVirtualNetworkLinksWithRegistration int64  `json:"maxNumberOfVirtualNetworkLinksWithRegistration,omitempty"`
	NumberOfVirtualNetworkLinksWithRegistration    int64  `json:"numberOfVirtualNetworkLinksWithRegistration,omitempty"`
	InternalID                                     string `json:"internalId,omitempty"`
	ProvisioningState                              string `json:"provisioningState,omitempty"`
}

// VirtualNetworkLink is a privateDnsZones/{zone}/virtualNetworkLinks/{name}:
// the zone answers names asked from inside the linked network.
type VirtualNetworkLink struct {
	ID         string                       `json:"id,omitempty"`
	Name       string                       `json:"name,omitempty"`
	Type       string                       `json:"type,omitempty"`
	Location   string                       `json:"location,omitempty"`
	Etag       string                       `json:"etag,omitempty"`
	Tags       map[string]string            `json:"tags,omitempty"`
	Properties VirtualNetworkLinkProperties `json:"properties"`
}

// VirtualNetworkLinkProperties name the linked network.
type VirtualNetworkLinkProperties struct {
	VirtualNetwork          *SubResource `json:"virtualNetwork,omitempty"`
	RegistrationEnabled     bool         `json:"registrationEnabled"`
	VirtualNetworkLinkState string       `json:"virtualNetworkLinkState,omitempty"`
	ProvisioningState       string       `json:"provisioningState,omitempty"`
}

// RecordSet is a privateDnsZones/{zone}/A/{name} record set.
type RecordSet struct {
	ID         string              `json:"id,omitempty"`
	Name       string              `json:"name,omitempty"`
	Type       string              `json:"type,omitempty"`
	Etag       string              `json:"etag,omitempty"`
	Properties RecordSetProperties `json:"properties"`
}

// RecordSetProperties are an A record set's TTL and addresses.
type RecordSetProperties struct {
	Metadata         map[string]string `json:"metadata,omitempty"`
	TTL              int64             `json:"ttl,omitempty"`
	FQDN             string            `json:"fqdn,omitempty"`
	IsAutoRegistered bool              `json:"isAutoRegistered,omitempty"`
	ARecords         []ARecord         `json:"aRecords"`
}

// ARecord is one IPv4 address of an A record set.
type ARecord struct {
	IPv4Address string `json:"ipv4Address"`
}

// VaultPrivateEndpointConnection is a vault's privateEndpointConnections/{name}:
// the vault's side of a private endpoint's connection, whose state the
// network gate reads.
type VaultPrivateEndpointConnection struct {
	ID         string                                   `json:"id,omitempty"`
	Name       string                                   `json:"name,omitempty"`
	Type       string                                   `json:"type,omitempty"`
	Location   string                                   `json:"location,omitempty"`
	Etag       string                                   `json:"etag,omitempty"`
	Tags       map[string]string                        `json:"tags,omitempty"`
	Properties VaultPrivateEndpointConnectionProperties `json:"properties"`
}

// VaultPrivateEndpointConnectionProperties are the connection's endpoint and state.
type VaultPrivateEndpointConnectionProperties struct {
	PrivateEndpoint                   *SubResource     `json:"privateEndpoint,omitempty"`
	PrivateLinkServiceConnectionState *ConnectionState `json:"privateLinkServiceConnectionState,omitempty"`
	ProvisioningState                 string           `json:"provisioningState,omitempty"`
}

// Resource ids.

func networkPath(sub, group, typ, name string) string {
	return groupPath(sub, group) + "/providers/Microsoft.Network/" + typ + "/" + esc(name)
}

// VirtualNetworkID is a virtual network's ARM id.
func VirtualNetworkID(sub, group, name string) string {
	return "/subscriptions/" + sub + "/resourceGroups/" + group + "/providers/Microsoft.Network/virtualNetworks/" + name
}

// SubnetResourceID is a subnet's ARM id.
func SubnetResourceID(sub, group, vnet, name string) string {
	return VirtualNetworkID(sub, group, vnet) + "/subnets/" + name
}

// PrivateDNSZoneID is a private DNS zone's ARM id.
func PrivateDNSZoneID(sub, group, name string) string {
	return "/subscriptions/" + sub + "/resourceGroups/" + group + "/providers/Microsoft.Network/privateDnsZones/" + name
}

// ResourceID is a parsed ARM resource id:
// /subscriptions/{sub}/resourceGroups/{group}/providers/{namespace}/{type}/{name}[/{childType}/{childName}...].
type ResourceID struct {
	Subscription, ResourceGroup, Namespace, Type, Name string
	// Children are the child type/name pairs after the resource's name.
	Children [][2]string
}

// ParseResourceID parses an ARM resource id; ok is false when id is not one.
func ParseResourceID(id string) (r ResourceID, ok bool) {
	segs := strings.Split(strings.Trim(id, "/"), "/")
	if !strings.HasPrefix(id, "/") || len(segs) < 8 || len(segs)%2 != 0 ||
		!strings.EqualFold(segs[0], "subscriptions") || !strings.EqualFold(segs[2], "resourceGroups") || !strings.EqualFold(segs[4], "providers") {
		return ResourceID{}, false
	}
	for _, s := range segs {
		if s == "" {
			return ResourceID{}, false
		}
	}
	r = ResourceID{Subscription: segs[1], ResourceGroup: segs[3], Namespace: segs[5], Type: segs[6], Name: segs[7]}
	for i := 8; i+1 < len(segs); i += 2 {
		r.Children = append(r.Children, [2]string{segs[i], segs[i+1]})
	}
	return r, true
}

// Is reports whether the id names a resource of namespace/type with the
// given child types (compared case-insensitively).
func (r ResourceID) Is(namespace, typ string, children ...string) bool {
	if !strings.EqualFold(r.Namespace, namespace) || !strings.EqualFold(r.Type, typ) || len(r.Children) != len(children) {
		return false
	}
	for i, c := range children {
		if !strings.EqualFold(r.Children[i][0], c) {
			return false
		}
	}
	return true
}

// Typed ARM resources: every call below is one of these on a path and an
// api-version. A create waits for the service to finish (putResource), a
// delete for an accepted deletion to end (deleteResource).

// getResource GETs the resource at path.
func getResource[T any](ctx context.Context, a *ARM, path, api string) (T, error) {
	var out T
	_, err := a.rest.do(ctx, http.MethodGet, path, apiVersion(api), nil, &out)
	return out, err
}

// createResource PUTs in at path and returns the finished resource.
func createResource[T any](ctx context.Context, a *ARM, path, api string, in T) (T, error) {
	var out T
	err := a.putResource(ctx, path, api, in, &out)
	return out, err
}

// listResources lists the collection at path, following nextLink.
func listResources[T any](ctx context.Context, a *ARM, path, api string) ([]T, error) {
	return listPages[T](ctx, a, a.rest.base+path, apiVersion(api))
}

// Virtual networks and subnets.

func vnetPath(sub, group, name string) string {
	return networkPath(sub, group, "virtualNetworks", name)
}

// CreateVirtualNetwork creates or replaces a virtual network (its subnets
// included) and waits for the service to finish.
func (a *ARM) CreateVirtualNetwork(ctx context.Context, sub, group, name string, v VirtualNetwork) (VirtualNetwork, error) {
	return createResource(ctx, a, vnetPath(sub, group, name), APINetwork, v)
}

// VirtualNetwork gets a virtual network.
func (a *ARM) VirtualNetwork(ctx context.Context, sub, group, name string) (VirtualNetwork, error) {
	return getResource[VirtualNetwork](ctx, a, vnetPath(sub, group, name), APINetwork)
}

// VirtualNetworks lists the virtual networks of a resource group, or of the
// subscription when group is "".
func (a *ARM) VirtualNetworks(ctx context.Context, sub, group string) ([]VirtualNetwork, error) {
	return listResources[VirtualNetwork](ctx, a, providerList(sub, group, "Microsoft.Network/virtualNetworks"), APINetwork)
}

// DeleteVirtualNetwork deletes a virtual network and waits for the end.
func (a *ARM) DeleteVirtualNetwork(ctx context.Context, sub, group, name string) error {
	return a.deleteResource(ctx, vnetPath(sub, group, name), APINetwork)
}

func subnetPath(sub, group, vnet, name string) string {
	return vnetPath(sub, group, vnet) + "/subnets/" + esc(name)
}

// CreateSubnet creates or replaces one subnet of a virtual network.
func (a *ARM) CreateSubnet(ctx context.Context, sub, group, vnet, name string, s Subnet) (Subnet, error) {
	return createResource(ctx, a, subnetPath(sub, group, vnet, name), APINetwork, s)
}

// Subnet gets one subnet.
func (a *ARM) Subnet(ctx context.Context, sub, group, vnet, name string) (Subnet, error) {
	return getResource[Subnet](ctx, a, subnetPath(sub, group, vnet, name), APINetwork)
}

// Subnets lists a virtual network's subnets.
func (a *ARM) Subnets(ctx context.Context, sub, group, vnet string) ([]Subnet, error) {
	return listResources[Subnet](ctx, a, vnetPath(sub, group, vnet)+"/subnets", APINetwork)
}

// DeleteSubnet deletes one subnet and waits for the end.
func (a *ARM) DeleteSubnet(ctx context.Context, sub, group, vnet, name string) error {
	return a.deleteResource(ctx, subnetPath(sub, group, vnet, name), APINetwork)
}

// Private endpoints and their DNS zone groups.

func endpointPath(sub, group, name string) string {
	return networkPath(sub, group, "privateEndpoints", name)
}

// CreatePrivateEndpoint creates or replaces a private endpoint. Its private
// IP is allocated from the subnet, and its connection to the vault is
// approved at once or left Pending, as the service decides.
func (a *ARM) CreatePrivateEndpoint(ctx context.Context, sub, group, name string, p PrivateEndpoint) (PrivateEndpoint, error) {
	return createResource(ctx, a, endpointPath(sub, group, name), APINetwork, p)
}

// PrivateEndpoint gets a private endpoint.
func (a *ARM) PrivateEndpoint(ctx context.Context, sub, group, name string) (PrivateEndpoint, error) {
	return getResource[PrivateEndpoint](ctx, a, endpointPath(sub, group, name), APINetwork)
}

// PrivateEndpoints lists the private endpoints of a resource group, or of
// the subscription when group is "".
func (a *ARM) PrivateEndpoints(ctx context.Context, sub, group string) ([]PrivateEndpoint, error) {
	return listResources[PrivateEndpoint](ctx, a, providerList(sub, group, "Microsoft.Network/privateEndpoints"), APINetwork)
}

// DeletePrivateEndpoint deletes a private endpoint (its vault-side
// connection goes with it) and waits for the end.
func (a *ARM) DeletePrivateEndpoint(ctx context.Context, sub, group, name string) error {
	return a.deleteResource(ctx, endpointPath(sub, group, name), APINetwork)
}

func zoneGroupPath(sub, group, pe, name string) string {
	return endpointPath(sub, group, pe) + "/privateDnsZoneGroups/" + esc(name)
}

// CreatePrivateDNSZoneGroup creates or replaces a private endpoint's DNS
// zone group; the service writes the endpoint's A records into its zones.
func (a *ARM) CreatePrivateDNSZoneGroup(ctx context.Context, sub, group, pe, name string, g PrivateDNSZoneGroup) (PrivateDNSZoneGroup, error) {
	return createResource(ctx, a, zoneGroupPath(sub, group, pe, name), APINetwork, g)
}

// PrivateDNSZoneGroup gets a private endpoint's DNS zone group.
func (a *ARM) PrivateDNSZoneGroup(ctx context.Context, sub, group, pe, name string) (PrivateDNSZoneGroup, error) {
	return getResource[PrivateDNSZoneGroup](ctx, a, zoneGroupPath(sub, group, pe, name), APINetwork)
}

// PrivateDNSZoneGroups lists a private endpoint's DNS zone groups.
func (a *ARM) PrivateDNSZoneGroups(ctx context.Context, sub, group, pe string) ([]PrivateDNSZoneGroup, error) {
	return listResources[PrivateDNSZoneGroup](ctx, a, endpointPath(sub, group, pe)+"/privateDnsZoneGroups", APINetwork)
}

// DeletePrivateDNSZoneGroup deletes a zone group; the service removes the
// records it wrote.
func (a *ARM) DeletePrivateDNSZoneGroup(ctx context.Context, sub, group, pe, name string) error {
	return a.deleteResource(ctx, zoneGroupPath(sub, group, pe, name), APINetwork)
}

// Private DNS zones, links and A record sets.

func zonePath(sub, group, zone string) string {
	return networkPath(sub, group, "privateDnsZones", zone)
}

// CreatePrivateDNSZone creates or replaces a private DNS zone (location "global").
func (a *ARM) CreatePrivateDNSZone(ctx context.Context, sub, group, name string, z PrivateDNSZone) (PrivateDNSZone, error) {
	if z.Location == "" {
		z.Location = "global"
	}
	return createResource(ctx, a, zonePath(sub, group, name), APIPrivateDNS, z)
}

// PrivateDNSZone gets a private DNS zone.
func (a *ARM) PrivateDNSZone(ctx context.Context, sub, group, name string) (PrivateDNSZone, error) {
	return getResource[PrivateDNSZone](ctx, a, zonePath(sub, group, name), APIPrivateDNS)
}

// PrivateDNSZones lists the private DNS zones of a resource group, or of
// the subscription when group is "".
func (a *ARM) PrivateDNSZones(ctx context.Context, sub, group string) ([]PrivateDNSZone, error) {
	return listResources[PrivateDNSZone](ctx, a, providerList(sub, group, "Microsoft.Network/privateDnsZones"), APIPrivateDNS)
}

// DeletePrivateDNSZone deletes a private DNS zone and waits for the end.
func (a *ARM) DeletePrivateDNSZone(ctx context.Context, sub, group, name string) error {
	return a.deleteResource(ctx, zonePath(sub, group, name), APIPrivateDNS)
}

func linkPath(sub, group, zone, name string) string {
	return zonePath(sub, group, zone) + "/virtualNetworkLinks/" + esc(name)
}

// CreateVirtualNetworkLink creates or replaces a zone's link to a virtual network.
func (a *ARM) CreateVirtualNetworkLink(ctx context.Context, sub, group, zone, name string, l VirtualNetworkLink) (VirtualNetworkLink, error) {
	if l.Location == "" {
		l.Location = "global"
	}
	return createResource(ctx, a, linkPath(sub, group, zone, name), APIPrivateDNS, l)
}

// VirtualNetworkLink gets a zone's virtual network link.
func (a *ARM) VirtualNetworkLink(ctx context.Context, sub, group, zone, name string) (VirtualNetworkLink, error) {
	return getResource[VirtualNetworkLink](ctx, a, linkPath(sub, group, zone, name), APIPrivateDNS)
}

// VirtualNetworkLinks lists a zone's virtual network links.
func (a *ARM) VirtualNetworkLinks(ctx context.Context, sub, group, zone string) ([]VirtualNetworkLink, error) {
	return listResources[VirtualNetworkLink](ctx, a, zonePath(sub, group, zone)+"/virtualNetworkLinks", APIPrivateDNS)
}

// DeleteVirtualNetworkLink deletes a zone's virtual network link.
func (a *ARM) DeleteVirtualNetworkLink(ctx context.Context, sub, group, zone, name string) error {
	return a.deleteResource(ctx, linkPath(sub, group, zone, name), APIPrivateDNS)
}

func aRecordPath(sub, group, zone, name string) string {
	return zonePath(sub, group, zone) + "/A/" + esc(name)
}

// CreateARecordSet creates or replaces an A record set ("@" is the apex).
// Record sets are written at once, with no operation to follow: a plain PUT.
func (a *ARM) CreateARecordSet(ctx context.Context, sub, group, zone, name string, r RecordSet) (RecordSet, error) {
	var out RecordSet
	_, err := a.rest.do(ctx, http.MethodPut, aRecordPath(sub, group, zone, name), apiVersion(APIPrivateDNS), r, &out)
	return out, err
}

// ARecordSet gets an A record set.
func (a *ARM) ARecordSet(ctx context.Context, sub, group, zone, name string) (RecordSet, error) {
	return getResource[RecordSet](ctx, a, aRecordPath(sub, group, zone, name), APIPrivateDNS)
}

// ARecordSets lists a zone's A record sets.
func (a *ARM) ARecordSets(ctx context.Context, sub, group, zone string) ([]RecordSet, error) {
	return listResources[RecordSet](ctx, a, zonePath(sub, group, zone)+"/A", APIPrivateDNS)
}

// DeleteARecordSet deletes an A record set.
func (a *ARM) DeleteARecordSet(ctx context.Context, sub, group, zone, name string) error {
	return a.deleteResource(ctx, aRecordPath(sub, group, zone, name), APIPrivateDNS)
}

// A vault's private endpoint connections.

func vaultPECPath(sub, group, vault, name string) string {
	return vaultPath(sub, group, vault) + "/privateEndpointConnections/" + esc(name)
}

// VaultPrivateEndpointConnection gets one of a vault's private endpoint connections.
func (a *ARM) VaultPrivateEndpointConnection(ctx context.Context, sub, group, vault, name string) (VaultPrivateEndpointConnection, error) {
	return getResource[VaultPrivateEndpointConnection](ctx, a, vaultPECPath(sub, group, vault, name), APIVaultPEC)
}

// VaultPrivateEndpointConnections lists a vault's private endpoint connections.
func (a *ARM) VaultPrivateEndpointConnections(ctx context.Context, sub, group, vault string) ([]VaultPrivateEndpointConnection, error) {
	return listResources[VaultPrivateEndpointConnection](ctx, a, vaultPath(sub, group, vault)+"/privateEndpointConnections", APIVaultPEC)
}

// SetVaultPrivateEndpointConnectionState approves or rejects a connection
// (status Approved or Rejected) with an optional description: a PUT of the
// connection with its new state, as az and the portal do.
func (a *ARM) SetVaultPrivateEndpointConnectionState(ctx context.Context, sub, group, vault, name, status, description string) (VaultPrivateEndpointConnection, error) {
	cur, err := a.VaultPrivateEndpointConnection(ctx, sub, group, vault, name)
	if err != nil {
		return cur, err
	}
	st := ConnectionState{Status: status, Description: description, ActionsRequired: "None"}
	if cur.Properties.PrivateLinkServiceConnectionState != nil && cur.Properties.PrivateLinkServiceConnectionState.ActionsRequired != "" {
		st.ActionsRequired = cur.Properties.PrivateLinkServiceConnectionState.ActionsRequired
	}
	in := VaultPrivateEndpointConnection{Etag: cur.Etag, Properties: VaultPrivateEndpointConnectionProperties{
		PrivateEndpoint: cur.Properties.PrivateEndpoint, PrivateLinkServiceConnectionState: &st}}
	return createResource(ctx, a, vaultPECPath(sub, group, vault, name), APIVaultPEC, in)
}

// DeleteVaultPrivateEndpointConnection removes a connection from the vault;
// the endpoint stays, Disconnected.
func (a *ARM) DeleteVaultPrivateEndpointConnection(ctx context.Context, sub, group, vault, name string) error {
	return a.deleteResource(ctx, vaultPECPath(sub, group, vault, name), APIVaultPEC)
}

// providerList is the list path of a resource type in a group, or in the
// subscription when group is "".
func providerList(sub, group, typ string) string {
	if group == "" {
		return "/subscriptions/" + esc(sub) + "/providers/" + typ
	}
	return groupPath(sub, group) + "/providers/" + typ
}

// Long-running operations. Microsoft.Network answers a PUT with 201 (or
// 200) and the resource in provisioningState Updating, and an
// Azure-AsyncOperation to poll; a DELETE with 202 (or 200/204). The client
// follows either to the end, as the Azure SDKs' pollers do, and then reads
// the resource.

// lroBody is the part of any resource a poller reads.
type lroBody struct {
	Properties struct {
		ProvisioningState string `json:"provisioningState"`
	} `json:"properties"`
}

func terminal(state string) bool {
	switch strings.ToLower(state) {
	case "", "succeeded", "failed", "canceled":
		return true
	}
	return false
}

// putResource PUTs in at path and leaves the finished resource in out.
func (a *ARM) putResource(ctx context.Context, path, api string, in, out any) error {
	var raw json.RawMessage
	status, h, err := a.rest.send(ctx, http.MethodPut, a.rest.base+path, apiVersion(api), in, &raw)
	if err != nil {
		return err
	}
	var body lroBody
	_ = json.Unmarshal(raw, &body)
	if status != http.StatusAccepted && terminal(body.Properties.ProvisioningState) {
		if len(raw) == 0 {
			_, err := a.rest.do(ctx, http.MethodGet, path, apiVersion(api), nil, out)
			return err
		}
		return decodeBody(raw, out)
	}
	if h.Get("Azure-AsyncOperation") != "" || h.Get("Location") != "" {
		if err := a.waitOperation(ctx, h); err != nil {
			return err
		}
	}
	_, err = a.rest.do(ctx, http.MethodGet, path, apiVersion(api), nil, out)
	return err
}

func decodeBody(raw json.RawMessage, out any) error {
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("client: decode response: %w", err)
	}
	return nil
}

// deleteResource DELETEs path and waits for an accepted deletion to end.
func (a *ARM) deleteResource(ctx context.Context, path, api string) error {
	status, h, err := a.rest.send(ctx, http.MethodDelete, a.rest.base+path, apiVersion(api), nil, nil)
	if err != nil || status != http.StatusAccepted {
		return err
	}
	return a.waitOperation(ctx, h)
}

// waitOperation follows Azure-AsyncOperation ({"status": ...}) when the
// service sent one, else Location. The first poll is immediate.
func (a *ARM) waitOperation(ctx context.Context, h http.Header) error {
	op := h.Get("Azure-AsyncOperation")
	if op == "" {
		return a.pollLocation(ctx, h)
	}
	if _, err := url.Parse(op); err != nil {
		return fmt.Errorf("client: the service sent an Azure-AsyncOperation that is not a URL")
	}
	wait := time.Duration(0)
	for range maxPolls {
		if err := pause(ctx, wait); err != nil {
			return err
		}
		var st operationStatus
		_, h, err := a.rest.send(ctx, http.MethodGet, op, nil, nil, &st)
		if err != nil {
			return err
		}
		// Retry-After paces the polls; without it, a second.
		wait = retryAfter(h, time.Second)
		switch strings.ToLower(st.Status) {
		case "succeeded":
			return nil
		case "failed", "canceled":
			re := &ResponseError{StatusCode: http.StatusOK, Code: "OperationFailed", Message: "the operation ended " + st.Status}
			if st.Error != nil {
				re.Code, re.Message = st.Error.Code, st.Error.Message
			}
			return re
		}
	}
	return fmt.Errorf("client: the operation did not finish after %d polls", maxPolls)
}

// retryAfter is the pause a service asks for before the next poll
// (Retry-After, in seconds, at most 30 s), else def.
func retryAfter(h http.Header, def time.Duration) time.Duration {
	if n, err := strconv.Atoi(h.Get("Retry-After")); err == nil && n >= 0 {
		return min(time.Duration(n)*time.Second, 30*time.Second)
	}
	return def
}

// pause waits d (not at all when d is 0) or until ctx ends, as a poller
// does between polls.
func pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
