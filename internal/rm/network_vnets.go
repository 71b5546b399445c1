package rm

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Virtual networks and their subnets. A subnet is stored inside its
// network's record, so a subnet write and the network's validation (address
// space, overlaps) are one transaction.

// PutVirtualNetwork creates or replaces a virtual network with its subnets,
// as ARM's PUT does: subnets missing from n.Subnets are removed, which is
// refused while something uses them. created reports whether it is new.
func (m *Manager) PutVirtualNetwork(ctx context.Context, n scopevault.VirtualNetwork) (*scopevault.VirtualNetwork, bool, error) {
	if err := checkName("virtualNetworks", n.Name); err != nil {
		return nil, false, err
	}
	if strings.TrimSpace(n.Location) == "" {
		return nil, false, errInvalid("LocationRequired", "The location property is required for this definition.")
	}
	if _, err := m.Group(ctx, n.SubscriptionID, n.ResourceGroup); err != nil {
		return nil, false, err
	}
	now := m.Now().UTC()
	key := resKey(vnetsPrefix, n.SubscriptionID, n.ResourceGroup, n.Name)
	created := false
	err := m.update(ctx, func(tx store.Tx) error {
		var old scopevault.VirtualNetwork
		switch err := getJSON(ctx, tx, key, &old); {
		case errors.Is(err, store.ErrNotFound):
			created = true
			n.Created = now
		case err != nil:
			return err
		default:
			if !strings.EqualFold(old.Location, n.Location) {
				return errLocationChange(n.Name, old.Location, n.Location, n.ResourceGroup)
			}
			n.Name, n.ResourceGroup, n.Created = old.Name, old.ResourceGroup, old.Created
			if err := m.checkSubnetChanges(ctx, tx, &old, &n); err != nil {
				return err
			}
		}
		if err := normalizeVNet(&n); err != nil {
			return err
		}
		n.Updated = now
		return putJSON(ctx, tx, key, n)
	})
	if err != nil {
		return nil, false, err
	}
	return &n, created, nil
}

func errLocationChange(name, old, new, group string) error {
	return errInvalid("InvalidResourceLocation",
		"The resource '%s' already exists in location '%s' in resource group '%s'. A resource with the same name cannot be created in location '%s'. Please select a new resource name.",
		clipName(name), old, clipName(group), new)
}

// checkSubnetChanges refuses to remove, or to change the prefix of, a
// subnet something uses.
func (m *Manager) checkSubnetChanges(ctx context.Context, tx store.Tx, old, n *scopevault.VirtualNetwork) error {
	for _, s := range old.Subnets {
		ns := n.Subnet(s.Name)
		if ns != nil && samePrefix(ns.AddressPrefix, s.AddressPrefix) && sameDelegations(ns, &s) {
			ns.Name = s.Name
			continue
		}
		user, err := subnetUser(ctx, tx, old.SubnetID(s.Name), "")
		if err != nil {
			return err
		}
		if user == "" {
			if ns != nil {
				ns.Name = s.Name
			}
			continue
		}
		if ns == nil {
			return errSubnetInUse(s.Name, user)
		}
		return scopevault.Errorf(scopevault.ECONFLICT, "InUseSubnetCannotBeUpdated",
			"Subnet %s is in use by %s and its address prefix and delegations cannot be updated.", s.Name, user)
	}
	return nil
}

// samePrefix compares two prefixes as written or in canonical form.
func samePrefix(a, b string) bool {
	if a == b {
		return true
	}
	p, err1 := netip.ParsePrefix(strings.TrimSpace(a))
	q, err2 := netip.ParsePrefix(strings.TrimSpace(b))
	return err1 == nil && err2 == nil && p == q
}

// sameDelegations reports whether two subnets are delegated to the same services.
func sameDelegations(a, b *scopevault.Subnet) bool {
	if len(a.Delegations) != len(b.Delegations) {
		return false
	}
	for _, d := range b.Delegations {
		if !a.DelegatedTo(d.ServiceName) {
			return false
		}
	}
	return true
}

func errSubnetInUse(name, user string) error {
	return scopevault.Errorf(scopevault.ECONFLICT, "InUseSubnetCannotBeDeleted",
		"Subnet %s is in use by %s and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.", name, user)
}

// subnetUser returns the id of a private endpoint or workspace placed in the
// subnet ("" when none), ignoring the resource whose key is self.
func subnetUser(ctx context.Context, tx store.Tx, subnetID, self string) (string, error) {
	kvs, err := tx.List(ctx, pesPrefix, "", 0)
	if err != nil {
		return "", err
	}
	for _, kv := range kvs {
		var p scopevault.PrivateEndpoint
		if err := json.Unmarshal(kv.Value, &p); err != nil {
			return "", err
		}
		if kv.Key != self && strings.EqualFold(p.SubnetID, subnetID) {
			return p.ResourceID(), nil
		}
	}
	vnetID, name, _ := scopevault.ParseSubnetID(subnetID)
	kvs, err = tx.List(ctx, workspacesPrefix, "", 0)
	if err != nil {
		return "", err
	}
	for _, kv := range kvs {
		var w scopevault.Workspace
		if err := json.Unmarshal(kv.Value, &w); err != nil {
			return "", err
		}
		if kv.Key == self {
			continue
		}
		inj, ok := injection(&w)
		if ok && strings.EqualFold(inj.vnet, vnetID) && (strings.EqualFold(inj.public, name) || strings.EqualFold(inj.private, name)) {
			return w.ResourceID(), nil
		}
	}
	return "", nil
}

// normalizeVNet validates the address space and the subnets and fills in
// the defaults Azure reports.
func normalizeVNet(n *scopevault.VirtualNetwork) error {
	id := n.ResourceID()
	if len(n.AddressPrefixes) == 0 {
		return errInvalid("InvalidRequestFormat", "Cannot parse the request: the virtual network %s has no address space (properties.addressSpace.addressPrefixes).", clipName(n.Name))
	}
	space := make([]netip.Prefix, 0, len(n.AddressPrefixes))
	for i, s := range n.AddressPrefixes {
		p, err := parsePrefix(s, id)
		if err != nil {
			return err
		}
		for _, q := range space {
			if q.Overlaps(p) {
				return errInvalid("VnetAddressSpacesOverlap",
					"Cannot create or update virtual network %s since address spaces within the virtual network overlap: %s and %s.", n.Name, q, p)
			}
		}
		space = append(space, p)
		n.AddressPrefixes[i] = p.String()
	}
	for _, d := range n.DNSServers {
		if _, err := netip.ParseAddr(d); err != nil {
			return errInvalid("InvalidRequestFormat", "The DNS server %s of virtual network %s is not a valid IP address.", clipName(d), n.Name)
		}
	}
	prefixes := make([]netip.Prefix, len(n.Subnets))
	for i := range n.Subnets {
		s := &n.Subnets[i]
		for j := range i {
			if strings.EqualFold(n.Subnets[j].Name, s.Name) {
				return errInvalid("DuplicateResourceName",
					"Resource %s has two child resources with the same name (%s).", id, s.Name)
			}
		}
		p, err := normalizeSubnet(n, s, space)
		if err != nil {
			return err
		}
		for j := range i {
			if prefixes[j].Overlaps(p) {
				return errInvalid("NetcfgSubnetRangesOverlap",
					"Subnet '%s' is not valid because its IP address range overlaps with that of an existing subnet '%s' in virtual network '%s'.", s.Name, n.Subnets[j].Name, n.Name)
			}
		}
		prefixes[i] = p
	}
	return nil
}

func normalizeSubnet(n *scopevault.VirtualNetwork, s *scopevault.Subnet, space []netip.Prefix) (netip.Prefix, error) {
	if err := checkName("subnets", s.Name); err != nil {
		return netip.Prefix{}, err
	}
	id := n.SubnetID(s.Name)
	if strings.TrimSpace(s.AddressPrefix) == "" {
		return netip.Prefix{}, errInvalid("NetcfgInvalidSubnet", "Subnet '%s' is not valid in virtual network '%s': it has no address prefix.", s.Name, n.Name)
	}
	p, err := parsePrefix(s.AddressPrefix, id)
	if err != nil {
		return p, err
	}
	s.AddressPrefix = p.String()
	if p.Bits() > 29 {
		return p, errInvalid("NetcfgInvalidSubnet",
			"Subnet '%s' is not valid in virtual network '%s': its prefix %s is smaller than /29, the smallest subnet Azure allows.", s.Name, n.Name, p)
	}
	inside := false
	for _, q := range space {
		if q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
			inside = true
		}
	}
	if !inside {
		return p, errInvalid("NetcfgSubnetRangeOutsideVnet",
			"Subnet '%s' is not valid because its IP address range is outside the IP address range of virtual network '%s'.", s.Name, n.Name)
	}
	for i := range s.ServiceEndpoints {
		e := &s.ServiceEndpoints[i]
		if !strings.HasPrefix(strings.ToLower(e.Service), "microsoft.") || strings.Contains(e.Service, "/") {
			return p, errInvalid("InvalidServiceNameOnServiceEndpoint",
				"Subnet %s has an invalid service name %s on its service endpoint.", id, clipName(e.Service))
		}
		if strings.EqualFold(e.Service, scopevault.ServiceEndpointKeyVault) {
			e.Service = scopevault.ServiceEndpointKeyVault
		}
		if len(e.Locations) == 0 {
			e.Locations = []string{"*"}
		}
		for j := range i {
			if strings.EqualFold(s.ServiceEndpoints[j].Service, e.Service) {
				return p, errInvalid("DuplicateServiceEndpointsOnSubnet", "Subnet %s has the service endpoint %s twice.", id, e.Service)
			}
		}
	}
	for i := range s.Delegations {
		d := &s.Delegations[i]
		if strings.Count(d.ServiceName, "/") != 1 || !strings.Contains(d.ServiceName, ".") {
			return p, errInvalid("InvalidServiceNameOnDelegation",
				"Subnet %s has an invalid delegation: service name '%s' is not of the form Provider.Namespace/resourceType.", id, clipName(d.ServiceName))
		}
		if strings.EqualFold(d.ServiceName, scopevault.DelegationDatabricks) {
			d.ServiceName = scopevault.DelegationDatabricks
		}
		if d.Name == "" {
			d.Name = strings.ReplaceAll(d.ServiceName, "/", ".")
		}
	}
	if len(s.Delegations) > 1 {
		return p, errInvalid("SubnetCanHaveOnlyOneDelegation", "Subnet %s can only be delegated to one service.", id)
	}
	if s.PrivateEndpointNetworkPolicies, err = oneOfFold("privateEndpointNetworkPolicies", s.PrivateEndpointNetworkPolicies, "Disabled",
		"Disabled", "Enabled", "NetworkSecurityGroupEnabled", "RouteTableEnabled"); err != nil {
		return p, err
	}
	if s.PrivateLinkServiceNetworkPolicies, err = oneOfFold("privateLinkServiceNetworkPolicies", s.PrivateLinkServiceNetworkPolicies, "Enabled",
		"Disabled", "Enabled"); err != nil {
		return p, err
	}
	return p, nil
}

// oneOfFold returns the allowed value v names (def when v is ""), in its
// canonical casing.
func oneOfFold(field, v, def string, allowed ...string) (string, error) {
	if v == "" {
		return def, nil
	}
	for _, a := range allowed {
		if strings.EqualFold(a, v) {
			return a, nil
		}
	}
	return "", errInvalid("InvalidRequestFormat", "Cannot parse the request: %s has the value '%s'; allowed values are %s.",
		field, clipName(v), strings.Join(allowed, ", "))
}

// VirtualNetwork returns one virtual network.
func (m *Manager) VirtualNetwork(ctx context.Context, sub, group, name string) (*scopevault.VirtualNetwork, error) {
	var n scopevault.VirtualNetwork
	err := m.view(ctx, func(tx store.Tx) error { return getJSON(ctx, tx, resKey(vnetsPrefix, sub, group, name), &n) })
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound(providerVNets, group, name)
	}
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// VirtualNetworks lists a resource group's virtual networks, or the whole
// subscription's when group is "".
func (m *Manager) VirtualNetworks(ctx context.Context, sub, group string) ([]*scopevault.VirtualNetwork, error) {
	var out []*scopevault.VirtualNetwork
	err := m.view(ctx, func(tx store.Tx) error {
		var err error
		out, err = listJSON[scopevault.VirtualNetwork](ctx, tx, listPrefix(vnetsPrefix, sub, group))
		return err
	})
	return out, err
}

// DeleteVirtualNetwork removes a virtual network; refused while a private
// endpoint or a workspace uses one of its subnets.
func (m *Manager) DeleteVirtualNetwork(ctx context.Context, sub, group, name string) error {
	key := resKey(vnetsPrefix, sub, group, name)
	err := m.update(ctx, func(tx store.Tx) error {
		var n scopevault.VirtualNetwork
		if err := getJSON(ctx, tx, key, &n); err != nil {
			return err
		}
		for _, s := range n.Subnets {
			user, err := subnetUser(ctx, tx, n.SubnetID(s.Name), "")
			if err != nil {
				return err
			}
			if user != "" {
				return errSubnetInUse(s.Name, user)
			}
		}
		return tx.Delete(ctx, key)
	})
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound(providerVNets, group, name)
	}
	return err
}

// lookupSubnet finds a subnet by its ARM id inside tx.
func lookupSubnet(ctx context.Context, tx store.Tx, subnetID string) (*scopevault.VirtualNetwork, *scopevault.Subnet, error) {
	vnetID, name, ok := scopevault.ParseSubnetID(subnetID)
	if !ok {
		return nil, nil, errInvalid("InvalidResourceReference", "The subnet id '%s' is not a valid subnet resource id.", clipName(subnetID))
	}
	sub, group, vnet, ok := parseResourceID(vnetID, "Microsoft.Network", "virtualNetworks")
	if !ok {
		return nil, nil, errInvalid("InvalidResourceReference", "The subnet id '%s' is not a valid subnet resource id.", clipName(subnetID))
	}
	var n scopevault.VirtualNetwork
	if err := getJSON(ctx, tx, resKey(vnetsPrefix, sub, group, vnet), &n); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, errInvalid("InvalidResourceReference", "Resource %s referenced by the request was not found.", clipName(subnetID))
		}
		return nil, nil, err
	}
	s := n.Subnet(name)
	if s == nil {
		return nil, nil, errInvalid("InvalidResourceReference", "Resource %s referenced by the request was not found.", clipName(subnetID))
	}
	return &n, s, nil
}

// parseResourceID splits /subscriptions/{s}/resourceGroups/{g}/providers/{ns}/{typ}/{name}.
func parseResourceID(id, ns, typ string) (sub, group, name string, ok bool) {
	segs := strings.Split(strings.Trim(id, "/"), "/")
	if len(segs) != 8 || !strings.EqualFold(segs[0], "subscriptions") || !strings.EqualFold(segs[2], "resourceGroups") ||
		!strings.EqualFold(segs[4], "providers") || !strings.EqualFold(segs[5], ns) || !strings.EqualFold(segs[6], typ) ||
		segs[1] == "" || segs[3] == "" || segs[7] == "" || !strings.HasPrefix(id, "/") {
		return "", "", "", false
	}
	return segs[1], segs[3], segs[7], true
}
