package arm

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
)

// Microsoft.Network/virtualNetworks and their subnets (api-version
// 2024-05-01, the one armnetwork/v6 sends; the shape is the same for the
// versions az and @azure/arm-network send). Writes are synchronous: PUT
// answers 201 or 200 with provisioningState "Succeeded", which azcore's and
// core-lro's body pollers take as finished; DELETE answers 200, or 204 when
// there was nothing to delete.

type idJSON struct {
	ID string `json:"id"`
}

type addressSpaceJSON struct {
	AddressPrefixes []string `json:"addressPrefixes"`
}

type dhcpJSON struct {
	DNSServers []string `json:"dnsServers"`
}

type serviceEndpointJSON struct {
	Service           string   `json:"service"`
	Locations         []string `json:"locations,omitempty"`
	ProvisioningState string   `json:"provisioningState,omitempty"`
}

type delegationPropsJSON struct {
	ServiceName       string   `json:"serviceName"`
	Actions           []string `json:"actions,omitempty"`
	ProvisioningState string   `json:"provisioningState,omitempty"`
}

type delegationJSON struct {
	ID         string              `json:"id,omitempty"`
	Name       string              `json:"name"`
	Type       string              `json:"type,omitempty"`
	Etag       string              `json:"etag,omitempty"`
	Properties delegationPropsJSON `json:"properties"`
}

type subnetPropsJSON struct {
	ProvisioningState                 string                `json:"provisioningState"`
	AddressPrefix                     string                `json:"addressPrefix"`
	NetworkSecurityGroup              *idJSON               `json:"networkSecurityGroup,omitempty"`
	ServiceEndpoints                  []serviceEndpointJSON `json:"serviceEndpoints,omitempty"`
	Delegations                       []delegationJSON      `json:"delegations"`
	PrivateEndpoints                  []idJSON              `json:"privateEndpoints,omitempty"`
	PrivateEndpointNetworkPolicies    string                `json:"privateEndpointNetworkPolicies"`
	PrivateLinkServiceNetworkPolicies string                `json:"privateLinkServiceNetworkPolicies"`
}

type subnetJSON struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Etag       string          `json:"etag"`
	Properties subnetPropsJSON `json:"properties"`
}

type vnetPropsJSON struct {
	ProvisioningState      string           `json:"provisioningState"`
	ResourceGUID           string           `json:"resourceGuid"`
	AddressSpace           addressSpaceJSON `json:"addressSpace"`
	DhcpOptions            *dhcpJSON        `json:"dhcpOptions,omitempty"`
	Subnets                []subnetJSON     `json:"subnets"`
	VirtualNetworkPeerings []struct{}       `json:"virtualNetworkPeerings"`
	EnableDdosProtection   bool             `json:"enableDdosProtection"`
}

type vnetJSON struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags,omitempty"`
	Etag       string            `json:"etag"`
	Properties vnetPropsJSON     `json:"properties"`
}

// subnetPropsIn is what a client sends for a subnet (inline or alone).
type subnetPropsIn struct {
	AddressPrefix        string   `json:"addressPrefix"`
	AddressPrefixes      []string `json:"addressPrefixes"`
	NetworkSecurityGroup *idJSON  `json:"networkSecurityGroup"`
	ServiceEndpoints     []struct {
		Service   string   `json:"service"`
		Locations []string `json:"locations"`
	} `json:"serviceEndpoints"`
	Delegations []struct {
		Name       string `json:"name"`
		Properties *struct {
			ServiceName string `json:"serviceName"`
		} `json:"properties"`
	} `json:"delegations"`
	PrivateEndpointNetworkPolicies    string `json:"privateEndpointNetworkPolicies"`
	PrivateLinkServiceNetworkPolicies string `json:"privateLinkServiceNetworkPolicies"`
}

type subnetIn struct {
	Name       string         `json:"name"`
	Properties *subnetPropsIn `json:"properties"`
}

type vnetIn struct {
	Location   *string           `json:"location"`
	Tags       map[string]string `json:"tags"`
	Properties *struct {
		AddressSpace *addressSpaceJSON `json:"addressSpace"`
		DhcpOptions  *dhcpJSON         `json:"dhcpOptions"`
		Subnets      []subnetIn        `json:"subnets"`
	} `json:"properties"`
}

const (
	vnetType       = nsNetwork + "/" + typeVNets
	subnetType     = vnetType + "/" + typeSubnets
	delegationType = subnetType + "/delegations"
)

// delegationActions are the actions Azure fills in for a delegation.
var delegationActions = map[string][]string{
	strings.ToLower(scopevault.DelegationDatabricks): {
		"Microsoft.Network/virtualNetworks/subnets/join/action",
		"Microsoft.Network/virtualNetworks/subnets/prepareNetworkPolicies/action",
		"Microsoft.Network/virtualNetworks/subnets/unprepareNetworkPolicies/action",
	},
}

// stableGUID is a GUID-shaped digest of s: ids Azure generates once
// (resourceGuid, a NIC's suffix) are derived, so they never change.
func stableGUID(s string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(s)))
	h := hex.EncodeToString(sum[:16])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// etagOf is a weak etag that changes whenever the resource is written.
func etagOf(id string, updated time.Time) string {
	return `W/"` + stableGUID(id+"|"+updated.UTC().Format(time.RFC3339Nano)) + `"`
}

func badNetwork(reason, format string, args ...any) error {
	return scopevault.Errorf(scopevault.EINVALID, reason, format, args...)
}

// parseSubnet turns a client's subnet into the domain's.
func parseSubnet(name string, p *subnetPropsIn) (scopevault.Subnet, error) {
	s := scopevault.Subnet{Name: name}
	if p == nil {
		return s, badNetwork("InvalidRequestFormat", "Cannot parse the request: subnet '%s' has no properties.", clip(name))
	}
	s.AddressPrefix = p.AddressPrefix
	if s.AddressPrefix == "" && len(p.AddressPrefixes) > 0 {
		if len(p.AddressPrefixes) > 1 {
			return s, badNetwork("NetcfgInvalidSubnet", "Subnet '%s' is not valid: scopevault supports one address prefix per subnet.", clip(name))
		}
		s.AddressPrefix = p.AddressPrefixes[0]
	}
	if p.NetworkSecurityGroup != nil {
		s.NetworkSecurityGroupID = p.NetworkSecurityGroup.ID
	}
	for _, e := range p.ServiceEndpoints {
		s.ServiceEndpoints = append(s.ServiceEndpoints, scopevault.ServiceEndpoint{Service: e.Service, Locations: e.Locations})
	}
	for _, d := range p.Delegations {
		if d.Properties == nil || d.Properties.ServiceName == "" {
			return s, badNetwork("InvalidRequestFormat", "Cannot parse the request: delegation '%s' of subnet '%s' has no properties.serviceName.", clip(d.Name), clip(name))
		}
		s.Delegations = append(s.Delegations, scopevault.Delegation{Name: d.Name, ServiceName: d.Properties.ServiceName})
	}
	s.PrivateEndpointNetworkPolicies = p.PrivateEndpointNetworkPolicies
	s.PrivateLinkServiceNetworkPolicies = p.PrivateLinkServiceNetworkPolicies
	return s, nil
}

func renderSubnet(n *scopevault.VirtualNetwork, s *scopevault.Subnet, net *scopevault.Network) subnetJSON {
	id := n.SubnetID(s.Name)
	p := subnetPropsJSON{
		ProvisioningState: provisionedOK, AddressPrefix: s.AddressPrefix, Delegations: []delegationJSON{},
		PrivateEndpointNetworkPolicies: s.PrivateEndpointNetworkPolicies, PrivateLinkServiceNetworkPolicies: s.PrivateLinkServiceNetworkPolicies,
	}
	if s.NetworkSecurityGroupID != "" {
		p.NetworkSecurityGroup = &idJSON{ID: s.NetworkSecurityGroupID}
	}
	for _, e := range s.ServiceEndpoints {
		p.ServiceEndpoints = append(p.ServiceEndpoints, serviceEndpointJSON{Service: e.Service, Locations: e.Locations, ProvisioningState: provisionedOK})
	}
	for _, d := range s.Delegations {
		actions, ok := delegationActions[strings.ToLower(d.ServiceName)]
		if !ok {
			actions = []string{"Microsoft.Network/virtualNetworks/subnets/join/action"}
		}
		p.Delegations = append(p.Delegations, delegationJSON{
			ID: id + "/delegations/" + d.Name, Name: d.Name, Type: delegationType, Etag: etagOf(id, n.Updated),
			Properties: delegationPropsJSON{ServiceName: d.ServiceName, Actions: actions, ProvisioningState: provisionedOK},
		})
	}
	if net != nil {
		for _, pe := range net.Endpoints {
			if strings.EqualFold(pe.SubnetID, id) {
				p.PrivateEndpoints = append(p.PrivateEndpoints, idJSON{ID: pe.ResourceID()})
			}
		}
	}
	return subnetJSON{ID: id, Name: s.Name, Type: subnetType, Etag: etagOf(id, n.Updated), Properties: p}
}

func renderVNet(n *scopevault.VirtualNetwork, net *scopevault.Network) vnetJSON {
	p := vnetPropsJSON{
		ProvisioningState: provisionedOK, ResourceGUID: stableGUID(n.ResourceID() + "|" + n.Created.String()),
		AddressSpace: addressSpaceJSON{AddressPrefixes: n.AddressPrefixes}, Subnets: []subnetJSON{}, VirtualNetworkPeerings: []struct{}{},
	}
	if n.DNSServers != nil {
		p.DhcpOptions = &dhcpJSON{DNSServers: n.DNSServers}
	}
	for i := range n.Subnets {
		p.Subnets = append(p.Subnets, renderSubnet(n, &n.Subnets[i], net))
	}
	return vnetJSON{ID: n.ResourceID(), Name: n.Name, Type: vnetType, Location: n.Location, Tags: n.Tags, Etag: etagOf(n.ResourceID(), n.Updated), Properties: p}
}

// netGroup loads the route's resource group: a missing group is
// ResourceGroupNotFound before anything in it is looked at, as ARM answers.
func (h *Handler) netGroup(req *request) (*scopevault.ResourceGroup, error) {
	return h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group)
}

// created answers 201 for a new resource, 200 for an updated one.
func createdStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

func (h *Handler) putVNet(w http.ResponseWriter, req *request) error {
	var in vnetIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	loc, err := regional(in.Location, in.Tags)
	if err != nil {
		return err
	}
	g, err := h.netGroup(req)
	if err != nil {
		return err
	}
	n := scopevault.VirtualNetwork{Name: req.route.name, SubscriptionID: req.sub.ID, ResourceGroup: g.Name, Location: loc, Tags: in.Tags}
	if p := in.Properties; p != nil {
		if p.AddressSpace != nil {
			n.AddressPrefixes = p.AddressSpace.AddressPrefixes
		}
		if p.DhcpOptions != nil {
			n.DNSServers = p.DhcpOptions.DNSServers
		}
		for _, si := range p.Subnets {
			s, err := parseSubnet(si.Name, si.Properties)
			if err != nil {
				return err
			}
			n.Subnets = append(n.Subnets, s)
		}
	}
	out, created, err := h.cfg.RM.PutVirtualNetwork(req.ctx(), n)
	if err != nil {
		return err
	}
	return writeNet(h, w, req, createdStatus(created), func(net *scopevault.Network) vnetJSON { return renderVNet(out, net) })
}

func (h *Handler) getVNet(w http.ResponseWriter, req *request) error {
	if _, err := h.netGroup(req); err != nil {
		return err
	}
	n, err := h.cfg.RM.VirtualNetwork(req.ctx(), req.sub.ID, req.route.group, req.route.name)
	if err != nil {
		return err
	}
	return writeNet(h, w, req, http.StatusOK, func(net *scopevault.Network) vnetJSON { return renderVNet(n, net) })
}

// deleted answers a DELETE: 200 when it deleted, 204 when there was nothing.
func deleted(w http.ResponseWriter, err error) error {
	switch {
	case scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND:
		w.WriteHeader(http.StatusNoContent)
		return nil
	case err != nil:
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) deleteVNet(w http.ResponseWriter, req *request) error {
	return deleted(w, h.cfg.RM.DeleteVirtualNetwork(req.ctx(), req.sub.ID, req.route.group, req.route.name))
}

func (h *Handler) listVNets(w http.ResponseWriter, req *request) error {
	seen, err := listVisible(h, req, h.cfg.RM.VirtualNetworks, (*scopevault.VirtualNetwork).ResourceID)
	if err != nil {
		return err
	}
	return writeNetList(h, w, req, seen, renderVNet)
}
