package rm

import (
	"context"
	"errors"
	"net/netip"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Private endpoints and the vaults' sides of their connections. The
// endpoint's record keeps, per connection, the name of the vault-side
// connection; the vault-side record (net/peconns/{vault}/{name}) holds the
// approval state, which is the truth the network gate reads. Deleting the
// vault side leaves the endpoint's connection Disconnected.

// firstEndpointAddr starts the loopback range private endpoints' listeners
// take their addresses from (127.3.0.0/16).
var firstEndpointAddr = netip.MustParseAddr("127.3.0.1")

// PrivateEndpointGroupID is the only sub-resource of a vault a private
// endpoint connects to.
const PrivateEndpointGroupID = vaultGroupID

// PutPrivateEndpoint creates or updates a private endpoint. A new endpoint
// gets a private IP from its subnet and a loopback address for its
// listener; each new connection gets its vault-side connection, Approved
// when it is automatic and autoApprove says the caller may approve it,
// else Pending. p.PrivateIP, when set, asks for that (static) address. An
// existing endpoint keeps its addresses, its zone groups and the state of
// the connections it keeps.
func (m *Manager) PutPrivateEndpoint(ctx context.Context, p scopevault.PrivateEndpoint, autoApprove func(conn scopevault.PrivateLinkConnection) bool) (*scopevault.PrivateEndpoint, bool, error) {
	if err := checkName("privateEndpoints", p.Name); err != nil {
		return nil, false, err
	}
	if strings.TrimSpace(p.Location) == "" {
		return nil, false, errInvalid("LocationRequired", "The location property is required for this definition.")
	}
	if _, err := m.Group(ctx, p.SubscriptionID, p.ResourceGroup); err != nil {
		return nil, false, err
	}
	if err := checkConnections(&p); err != nil {
		return nil, false, err
	}
	now := m.Now().UTC()
	key := resKey(pesPrefix, p.SubscriptionID, p.ResourceGroup, p.Name)
	created := false
	err := m.update(ctx, func(tx store.Tx) error {
		n, s, err := lookupSubnet(ctx, tx, p.SubnetID)
		if err != nil {
			return err
		}
		if !strings.EqualFold(n.SubscriptionID, p.SubscriptionID) {
			return errInvalid("InvalidResourceReference",
				"Private endpoint %s and its subnet %s must be in the same subscription.", p.ResourceID(), n.SubnetID(s.Name))
		}
		if normLoc(n.Location) != normLoc(p.Location) {
			return errInvalid("InvalidResourceLocation",
				"Private endpoint %s is in location '%s' but its subnet %s is in location '%s': they must be in the same location.", p.ResourceID(), p.Location, n.SubnetID(s.Name), n.Location)
		}
		if len(s.Delegations) > 0 {
			return errInvalid("PrivateEndpointCreationNotAllowedAsSubnetIsDelegated",
				"Private endpoint %s cannot be created as subnet %s is delegated.", p.ResourceID(), n.SubnetID(s.Name))
		}
		p.SubnetID = n.SubnetID(s.Name)
		var old scopevault.PrivateEndpoint
		switch err := getJSON(ctx, tx, key, &old); {
		case errors.Is(err, store.ErrNotFound):
			created = true
			p.Created = now
			p.DNSZoneGroups = nil
			if p.PrivateIP, err = allocPrivateIP(ctx, tx, n, s, key, p.PrivateIP); err != nil {
				return err
			}
			addr, err := allocEndpointAddr(ctx, tx)
			if err != nil {
				return err
			}
			p.Address = addr.String()
			if err := tx.Put(ctx, peAddrsPrefix+p.Address, []byte(key)); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if !strings.EqualFold(old.Location, p.Location) {
				return errLocationChange(p.Name, old.Location, p.Location, p.ResourceGroup)
			}
			if !strings.EqualFold(old.SubnetID, p.SubnetID) {
				return errInvalid("CannotChangeSubnetOfPrivateEndpoint",
					"The subnet of private endpoint %s cannot be changed from %s to %s; delete the endpoint and create it again.", old.ResourceID(), old.SubnetID, p.SubnetID)
			}
			if p.PrivateIP != "" && p.PrivateIP != old.PrivateIP {
				return errInvalid("PrivateEndpointStaticIpCannotBeChanged",
					"The private IP address %s of private endpoint %s cannot be changed to %s.", old.PrivateIP, old.ResourceID(), clipName(p.PrivateIP))
			}
			p.Name, p.ResourceGroup, p.Created = old.Name, old.ResourceGroup, old.Created
			p.PrivateIP, p.Address, p.DNSZoneGroups = old.PrivateIP, old.Address, old.DNSZoneGroups
			if p.CustomNICName == "" {
				p.CustomNICName = old.CustomNICName
			}
			// Connections kept by name and target keep their vault side;
			// the others' vault sides go.
			for _, oc := range old.Connections {
				if i := findConnection(p.Connections, oc); i >= 0 {
					p.Connections[i].VaultConnection = oc.VaultConnection
					continue
				}
				if oc.VaultConnection != "" {
					if err := tx.Delete(ctx, peConnKey(targetVault(oc.TargetID), oc.VaultConnection)); err != nil {
						return err
					}
				}
			}
		}
		for i := range p.Connections {
			c := &p.Connections[i]
			if c.VaultConnection != "" {
				continue
			}
			vc := scopevault.PrivateEndpointConnection{
				Name: p.Name + "." + scopevault.NewGUID(), Vault: targetVault(c.TargetID), PrivateEndpointID: p.ResourceID(),
				Status: scopevault.ConnectionPending, Description: c.RequestMessage, ActionsRequired: "None",
				ProvisioningState: "Succeeded", ETag: newETag(),
			}
			if vc.Description == "" {
				vc.Description = "Awaiting approval"
			}
			if !c.Manual && autoApprove != nil && autoApprove(*c) {
				vc.Status, vc.Description = scopevault.ConnectionApproved, "Auto-Approved"
			}
			if err := putJSON(ctx, tx, peConnKey(vc.Vault, vc.Name), vc); err != nil {
				return err
			}
			c.VaultConnection = vc.Name
		}
		p.Updated = now
		return putJSON(ctx, tx, key, p)
	})
	if err != nil {
		return nil, false, err
	}
	return &p, created, nil
}

func newETag() string { return `W/"` + scopevault.NewGUID() + `"` }

// findConnection is the index of the connection in cs with oc's name and
// target, or -1.
func findConnection(cs []scopevault.PrivateLinkConnection, oc scopevault.PrivateLinkConnection) int {
	for i, c := range cs {
		if strings.EqualFold(c.Name, oc.Name) && strings.EqualFold(c.TargetID, oc.TargetID) && c.Manual == oc.Manual {
			return i
		}
	}
	return -1
}

// targetVault is the lower-cased name of the vault a connection leads to.
func targetVault(targetID string) string {
	_, _, name, _ := parseResourceID(targetID, "Microsoft.KeyVault", "vaults")
	return strings.ToLower(name)
}

// checkConnections validates the endpoint's connections: at least one,
// each to a vault id with groupIds ["vault"], with distinct names.
func checkConnections(p *scopevault.PrivateEndpoint) error {
	if len(p.Connections) == 0 {
		return errInvalid("PrivateEndpointMustHaveOneConnection",
			"Private endpoint %s must have one privateLinkServiceConnection or manualPrivateLinkServiceConnection.", p.ResourceID())
	}
	if len(p.Connections) > 1 {
		return errInvalid("PrivateEndpointCanHaveOnlyOneConnection",
			"Private endpoint %s has %d connections; a private endpoint connects to one private link resource.", p.ResourceID(), len(p.Connections))
	}
	for i := range p.Connections {
		c := &p.Connections[i]
		if c.Name == "" {
			c.Name = p.Name
		}
		if err := checkName("privateLinkServiceConnections", c.Name); err != nil {
			return err
		}
		sub, _, vault, ok := parseResourceID(c.TargetID, "Microsoft.KeyVault", "vaults")
		if !ok || !scopevault.ValidGUID(sub) {
			return errInvalid("LinkedInvalidPropertyId",
				"Property id '%s' at path 'properties.privateLinkServiceConnections[%d].properties.privateLinkServiceId' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' and names a Microsoft.KeyVault/vaults resource.", clipName(c.TargetID), i)
		}
		if !scopevault.ValidVaultName(vault) {
			return errInvalid("LinkedInvalidPropertyId", "The vault name '%s' in privateLinkServiceId is invalid.", clipName(vault))
		}
		if len(c.GroupIDs) != 1 || !strings.EqualFold(c.GroupIDs[0], vaultGroupID) {
			return errInvalid("PrivateEndpointBadRequest",
				"Call to Microsoft.KeyVault/vaults failed. Error message: The group ids %q of connection %s are invalid: a Key Vault private endpoint has groupIds [\"vault\"].", c.GroupIDs, c.Name)
		}
		c.GroupIDs = []string{vaultGroupID}
	}
	return nil
}

// allocPrivateIP takes the lowest free address of the subnet, as Azure
// does: the network address, the next three and the broadcast address are
// reserved (10.0.1.0/24 gives 10.0.1.4 first). A requested (static)
// address must be a free, unreserved address of the subnet.
func allocPrivateIP(ctx context.Context, tx store.Tx, n *scopevault.VirtualNetwork, s *scopevault.Subnet, self, want string) (string, error) {
	prefix, err := netip.ParsePrefix(s.AddressPrefix)
	if err != nil {
		return "", err
	}
	subnetID := n.SubnetID(s.Name)
	eps, err := listJSON[scopevault.PrivateEndpoint](ctx, tx, pesPrefix)
	if err != nil {
		return "", err
	}
	taken := map[string]bool{}
	for _, p := range eps {
		if strings.EqualFold(p.SubnetID, subnetID) && resKey(pesPrefix, p.SubscriptionID, p.ResourceGroup, p.Name) != self {
			taken[p.PrivateIP] = true
		}
	}
	first := prefix.Addr()
	for range 4 {
		first = first.Next()
	}
	if want != "" {
		a, err := netip.ParseAddr(want)
		switch {
		case err != nil || !a.Is4():
			return "", errInvalid("PrivateIPAddressInvalid", "The private IP address '%s' is not a valid IPv4 address.", clipName(want))
		case !prefix.Contains(a) || a.Less(first) || !prefix.Contains(a.Next()):
			return "", errInvalid("PrivateIPAddressNotInSubnet",
				"The private IP address %s is not an available address of subnet %s (%s): the first four addresses and the last are reserved.", a, subnetID, s.AddressPrefix)
		case taken[a.String()]:
			return "", scopevault.Errorf(scopevault.ECONFLICT, "PrivateIPAddressInUse",
				"The private IP address %s of subnet %s is already in use.", a, subnetID)
		}
		return a.String(), nil
	}
	for a := first; prefix.Contains(a) && prefix.Contains(a.Next()); a = a.Next() {
		if !taken[a.String()] {
			return a.String(), nil
		}
	}
	return "", scopevault.Errorf(scopevault.ECONFLICT, "SubnetIsFull",
		"Subnet %s with address prefix %s does not have enough capacity for 1 IP addresses.", subnetID, s.AddressPrefix)
}

// allocEndpointAddr takes the lowest loopback address of 127.3.0.0/16 no
// endpoint's listener holds.
func allocEndpointAddr(ctx context.Context, tx store.Tx) (netip.Addr, error) {
	kvs, err := tx.List(ctx, peAddrsPrefix, "", 0)
	if err != nil {
		return netip.Addr{}, err
	}
	taken := make(map[string]bool, len(kvs))
	for _, kv := range kvs {
		taken[strings.TrimPrefix(kv.Key, peAddrsPrefix)] = true
	}
	for a := firstEndpointAddr; a.As4()[1] == 3; a = a.Next() {
		if b := a.As4(); b[3] == 0 || b[3] == 255 || taken[a.String()] {
			continue
		}
		return a, nil
	}
	return netip.Addr{}, scopevault.Errorf(scopevault.ECONFLICT, "", "no loopback address left for a new private endpoint")
}

// PrivateEndpoint returns one private endpoint.
func (m *Manager) PrivateEndpoint(ctx context.Context, sub, group, name string) (*scopevault.PrivateEndpoint, error) {
	var p scopevault.PrivateEndpoint
	err := m.view(ctx, func(tx store.Tx) error { return getJSON(ctx, tx, resKey(pesPrefix, sub, group, name), &p) })
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound(providerPEs, group, name)
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// PrivateEndpoints lists a resource group's private endpoints, or the
// subscription's when group is "".
func (m *Manager) PrivateEndpoints(ctx context.Context, sub, group string) ([]*scopevault.PrivateEndpoint, error) {
	var out []*scopevault.PrivateEndpoint
	err := m.view(ctx, func(tx store.Tx) error {
		var err error
		out, err = listJSON[scopevault.PrivateEndpoint](ctx, tx, listPrefix(pesPrefix, sub, group))
		return err
	})
	return out, err
}

// DeletePrivateEndpoint removes a private endpoint with its vault-side
// connections, its listener address and the A records its zone groups wrote.
func (m *Manager) DeletePrivateEndpoint(ctx context.Context, sub, group, name string) error {
	key := resKey(pesPrefix, sub, group, name)
	err := m.update(ctx, func(tx store.Tx) error {
		var p scopevault.PrivateEndpoint
		if err := getJSON(ctx, tx, key, &p); err != nil {
			return err
		}
		for _, c := range p.Connections {
			if c.VaultConnection != "" {
				if err := tx.Delete(ctx, peConnKey(targetVault(c.TargetID), c.VaultConnection)); err != nil {
					return err
				}
			}
		}
		for _, g := range p.DNSZoneGroups {
			if err := unwriteZoneGroup(ctx, tx, &p, &g); err != nil {
				return err
			}
		}
		if p.Address != "" {
			if err := tx.Delete(ctx, peAddrsPrefix+p.Address); err != nil {
				return err
			}
		}
		return tx.Delete(ctx, key)
	})
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound(providerPEs, group, name)
	}
	return err
}
