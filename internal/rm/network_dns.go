package rm

import (
	"context"
	"errors"
	"net/netip"
	"regexp"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Private DNS zones (location "global") with their virtual network links and
// A record sets, stored inline in the zone's record, and private endpoints'
// DNS zone groups, which write an A record <vault> -> the endpoint's private
// IP into each zone they name and take it away again when they go.

var (
	zoneNameRE  = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	recordRE    = regexp.MustCompile(`^(@|\*|[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$`)
	maxZoneName = 253
)

// PutPrivateDNSZone creates or updates a zone's own properties (tags); its
// links and record sets are kept.
func (m *Manager) PutPrivateDNSZone(ctx context.Context, z scopevault.PrivateDNSZone) (*scopevault.PrivateDNSZone, bool, error) {
	z.Name = strings.TrimSuffix(z.Name, ".")
	if len(z.Name) > maxZoneName || !zoneNameRE.MatchString(z.Name) {
		return nil, false, errInvalid("InvalidResourceName",
			"The zone name '%s' is invalid: a private DNS zone name has at least two labels of letters, digits and hyphens.", clipName(z.Name))
	}
	if _, err := m.Group(ctx, z.SubscriptionID, z.ResourceGroup); err != nil {
		return nil, false, err
	}
	now := m.Now().UTC()
	key := resKey(zonesPrefix, z.SubscriptionID, z.ResourceGroup, z.Name)
	created := false
	err := m.update(ctx, func(tx store.Tx) error {
		var old scopevault.PrivateDNSZone
		switch err := getJSON(ctx, tx, key, &old); {
		case errors.Is(err, store.ErrNotFound):
			created = true
			z.Created, z.Links, z.A = now, nil, nil
		case err != nil:
			return err
		default:
			z.Name, z.ResourceGroup, z.Created, z.Links, z.A = old.Name, old.ResourceGroup, old.Created, old.Links, old.A
		}
		z.Updated = now
		return putJSON(ctx, tx, key, z)
	})
	if err != nil {
		return nil, false, err
	}
	return &z, created, nil
}

// PrivateDNSZone returns one zone with its links and record sets.
func (m *Manager) PrivateDNSZone(ctx context.Context, sub, group, name string) (*scopevault.PrivateDNSZone, error) {
	var z scopevault.PrivateDNSZone
	err := m.view(ctx, func(tx store.Tx) error { return getZone(ctx, tx, sub, group, name, &z) })
	if err != nil {
		return nil, err
	}
	return &z, nil
}

func getZone(ctx context.Context, tx store.Tx, sub, group, name string, z *scopevault.PrivateDNSZone) error {
	err := getJSON(ctx, tx, resKey(zonesPrefix, sub, group, strings.TrimSuffix(name, ".")), z)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound(providerZones, group, name)
	}
	return err
}

// PrivateDNSZones lists a resource group's zones, or the subscription's when group is "".
func (m *Manager) PrivateDNSZones(ctx context.Context, sub, group string) ([]*scopevault.PrivateDNSZone, error) {
	var out []*scopevault.PrivateDNSZone
	err := m.view(ctx, func(tx store.Tx) error {
		var err error
		out, err = listJSON[scopevault.PrivateDNSZone](ctx, tx, listPrefix(zonesPrefix, sub, group))
		return err
	})
	return out, err
}

// DeletePrivateDNSZone removes a zone; refused while it has virtual network
// links, as Azure does.
func (m *Manager) DeletePrivateDNSZone(ctx context.Context, sub, group, name string) error {
	return m.update(ctx, func(tx store.Tx) error {
		var z scopevault.PrivateDNSZone
		if err := getZone(ctx, tx, sub, group, name, &z); err != nil {
			return err
		}
		if len(z.Links) > 0 {
			return scopevault.Errorf(scopevault.ECONFLICT, "CannotDeleteResource",
				"Cannot delete the private DNS zone '%s' while it has virtual network links (%s). Delete the links first.", z.Name, z.Links[0].Name)
		}
		return tx.Delete(ctx, resKey(zonesPrefix, sub, group, z.Name))
	})
}

// updateZone runs fn on a zone and stores it.
func (m *Manager) updateZone(ctx context.Context, sub, group, zone string, fn func(tx store.Tx, z *scopevault.PrivateDNSZone) error) error {
	return m.update(ctx, func(tx store.Tx) error {
		var z scopevault.PrivateDNSZone
		if err := getZone(ctx, tx, sub, group, zone, &z); err != nil {
			return err
		}
		if err := fn(tx, &z); err != nil {
			return err
		}
		z.Updated = m.Now().UTC()
		return putJSON(ctx, tx, resKey(zonesPrefix, sub, group, z.Name), z)
	})
}

func errChildNotFound(kind, zone, name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound",
		"The Resource 'Microsoft.Network/privateDnsZones/%s/%s/%s' was not found.", clipName(zone), kind, clipName(name))
}

// PutVNetLink creates or updates a zone's link to a virtual network.
func (m *Manager) PutVNetLink(ctx context.Context, sub, group, zone string, l scopevault.VNetLink) (*scopevault.VNetLink, bool, error) {
	if err := checkName("virtualNetworkLinks", l.Name); err != nil {
		return nil, false, err
	}
	created := false
	err := m.updateZone(ctx, sub, group, zone, func(tx store.Tx, z *scopevault.PrivateDNSZone) error {
		vsub, vgroup, vname, ok := parseResourceID(l.VirtualNetworkID, "Microsoft.Network", "virtualNetworks")
		if !ok {
			return errInvalid("InvalidVirtualNetworkId", "The virtual network id '%s' is not a valid virtual network resource id.", clipName(l.VirtualNetworkID))
		}
		var n scopevault.VirtualNetwork
		if err := getJSON(ctx, tx, resKey(vnetsPrefix, vsub, vgroup, vname), &n); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return errInvalid("InvalidVirtualNetworkId", "The virtual network '%s' of link '%s' was not found.", clipName(l.VirtualNetworkID), l.Name)
			}
			return err
		}
		l.VirtualNetworkID = n.ResourceID()
		i := -1
		for j, x := range z.Links {
			switch {
			case strings.EqualFold(x.Name, l.Name):
				i = j
			case strings.EqualFold(x.VirtualNetworkID, l.VirtualNetworkID):
				return scopevault.Errorf(scopevault.ECONFLICT, "Conflict",
					"A virtual network cannot be linked to the same private DNS zone more than once: '%s' already links '%s' to zone '%s'.", x.Name, n.Name, z.Name)
			}
		}
		if i < 0 {
			created = true
			z.Links = append(z.Links, l)
			return nil
		}
		if !strings.EqualFold(z.Links[i].VirtualNetworkID, l.VirtualNetworkID) {
			return errInvalid("BadRequest", "The virtual network of link '%s' cannot be changed; delete the link and create it again.", z.Links[i].Name)
		}
		l.Name = z.Links[i].Name
		z.Links[i] = l
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return &l, created, nil
}

// VNetLink returns one link of a zone.
func (m *Manager) VNetLink(ctx context.Context, sub, group, zone, name string) (*scopevault.VNetLink, error) {
	z, err := m.PrivateDNSZone(ctx, sub, group, zone)
	if err != nil {
		return nil, err
	}
	for _, l := range z.Links {
		if strings.EqualFold(l.Name, name) {
			return &l, nil
		}
	}
	return nil, errChildNotFound("virtualNetworkLinks", zone, name)
}

// VNetLinks returns a zone's links.
func (m *Manager) VNetLinks(ctx context.Context, sub, group, zone string) ([]scopevault.VNetLink, error) {
	z, err := m.PrivateDNSZone(ctx, sub, group, zone)
	if err != nil {
		return nil, err
	}
	return z.Links, nil
}

// DeleteVNetLink removes one link of a zone.
func (m *Manager) DeleteVNetLink(ctx context.Context, sub, group, zone, name string) error {
	return m.updateZone(ctx, sub, group, zone, func(_ store.Tx, z *scopevault.PrivateDNSZone) error {
		for i, l := range z.Links {
			if strings.EqualFold(l.Name, name) {
				z.Links = append(z.Links[:i], z.Links[i+1:]...)
				return nil
			}
		}
		return errChildNotFound("virtualNetworkLinks", zone, name)
	})
}

// checkRecord validates an A record set and canonicalizes its addresses.
func checkRecord(r *scopevault.ARecordSet) error {
	if len(r.Name) > 253 || !recordRE.MatchString(r.Name) {
		return errInvalid("InvalidRecordSetName", "The record set name '%s' is invalid.", clipName(r.Name))
	}
	if r.TTL < 0 || r.TTL > 2147483647 {
		return errInvalid("InvalidTTL", "The TTL %d of record set '%s' is not between 0 and 2147483647.", r.TTL, r.Name)
	}
	for i, s := range r.IPv4 {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return errInvalid("InvalidIPv4Address", "The value '%s' of record set '%s' is not a valid IPv4 address.", clipName(s), r.Name)
		}
		r.IPv4[i] = a.String()
	}
	return nil
}

// PutARecordSet creates or replaces one A record set of a zone.
func (m *Manager) PutARecordSet(ctx context.Context, sub, group, zone string, r scopevault.ARecordSet) (*scopevault.ARecordSet, bool, error) {
	if err := checkRecord(&r); err != nil {
		return nil, false, err
	}
	created := false
	err := m.updateZone(ctx, sub, group, zone, func(_ store.Tx, z *scopevault.PrivateDNSZone) error {
		for i, x := range z.A {
			if strings.EqualFold(x.Name, r.Name) {
				r.Name = x.Name
				z.A[i] = r
				return nil
			}
		}
		created = true
		z.A = append(z.A, r)
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return &r, created, nil
}

// ARecordSet returns one A record set of a zone.
func (m *Manager) ARecordSet(ctx context.Context, sub, group, zone, name string) (*scopevault.ARecordSet, error) {
	z, err := m.PrivateDNSZone(ctx, sub, group, zone)
	if err != nil {
		return nil, err
	}
	for _, r := range z.A {
		if strings.EqualFold(r.Name, name) {
			return &r, nil
		}
	}
	return nil, errChildNotFound("A", zone, name)
}

// ARecordSets returns a zone's A record sets.
func (m *Manager) ARecordSets(ctx context.Context, sub, group, zone string) ([]scopevault.ARecordSet, error) {
	z, err := m.PrivateDNSZone(ctx, sub, group, zone)
	if err != nil {
		return nil, err
	}
	return z.A, nil
}

// DeleteARecordSet removes one A record set of a zone.
func (m *Manager) DeleteARecordSet(ctx context.Context, sub, group, zone, name string) error {
	return m.updateZone(ctx, sub, group, zone, func(_ store.Tx, z *scopevault.PrivateDNSZone) error {
		for i, r := range z.A {
			if strings.EqualFold(r.Name, name) {
				z.A = append(z.A[:i], z.A[i+1:]...)
				return nil
			}
		}
		return errChildNotFound("A", zone, name)
	})
}
