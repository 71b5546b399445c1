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

// ZoneGroupID is the ARM id of one of the endpoint's DNS zone groups.
func ZoneGroupID(p *scopevault.PrivateEndpoint, name string) string {
	return p.ResourceID() + "/privateDnsZoneGroups/" + name
}

// PutDNSZoneGroup creates or replaces a zone group of a private endpoint:
// each zone it names gets an A record <vault> -> the endpoint's private IP
// (owned by the group); the records of the group's previous zones go.
func (m *Manager) PutDNSZoneGroup(ctx context.Context, sub, group, pe string, g scopevault.DNSZoneGroup) (*scopevault.DNSZoneGroup, error) {
	if err := checkName("privateDnsZoneGroups", g.Name); err != nil {
		return nil, err
	}
	if len(g.Configs) == 0 || len(g.Configs) > 5 {
		return nil, errInvalid("InvalidPrivateDnsZoneGroup", "A private DNS zone group has between 1 and 5 privateDnsZoneConfigs; '%s' has %d.", g.Name, len(g.Configs))
	}
	key := resKey(pesPrefix, sub, group, pe)
	err := m.update(ctx, func(tx store.Tx) error {
		var p scopevault.PrivateEndpoint
		if err := getJSON(ctx, tx, key, &p); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return errNotFound(providerPEs, group, pe)
			}
			return err
		}
		for i := range g.Configs {
			c := &g.Configs[i]
			zsub, zgroup, zname, ok := parseResourceID(c.ZoneID, "Microsoft.Network", "privateDnsZones")
			if !ok {
				return errInvalid("InvalidPrivateDnsZoneIds", "The private DNS zone id '%s' is not a valid private DNS zone resource id.", clipName(c.ZoneID))
			}
			var z scopevault.PrivateDNSZone
			if err := getZone(ctx, tx, zsub, zgroup, zname, &z); err != nil {
				if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
					return errInvalid("InvalidPrivateDnsZoneIds", "The private DNS zone '%s' of zone group '%s' was not found.", clipName(c.ZoneID), g.Name)
				}
				return err
			}
			c.ZoneID = z.ResourceID()
			if c.Name == "" {
				c.Name = strings.ReplaceAll(z.Name, ".", "-")
			}
			for j := range i {
				if strings.EqualFold(g.Configs[j].ZoneID, c.ZoneID) {
					return errInvalid("DuplicatePrivateDnsZoneIds", "The zone group '%s' names the zone %s twice.", g.Name, c.ZoneID)
				}
			}
		}
		i := -1
		for j := range p.DNSZoneGroups {
			if strings.EqualFold(p.DNSZoneGroups[j].Name, g.Name) {
				i = j
			}
		}
		if i >= 0 {
			g.Name = p.DNSZoneGroups[i].Name
			if err := unwriteZoneGroup(ctx, tx, &p, &p.DNSZoneGroups[i]); err != nil {
				return err
			}
			p.DNSZoneGroups[i] = g
		} else {
			if len(p.DNSZoneGroups) > 0 {
				return errInvalid("OnlyOnePrivateDnsZoneGroupAllowed",
					"Private endpoint %s already has the DNS zone group '%s'; an endpoint has one zone group.", p.ResourceID(), p.DNSZoneGroups[0].Name)
			}
			p.DNSZoneGroups = append(p.DNSZoneGroups, g)
		}
		if err := writeZoneGroup(ctx, tx, &p, &g); err != nil {
			return err
		}
		p.Updated = m.Now().UTC()
		return putJSON(ctx, tx, key, p)
	})
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// zoneGroupRecords runs fn on each zone the group names and the record
// name the endpoint's vault has there, and stores the zone.
func zoneGroupRecords(ctx context.Context, tx store.Tx, p *scopevault.PrivateEndpoint, g *scopevault.DNSZoneGroup, fn func(z *scopevault.PrivateDNSZone, record string)) error {
	var vaults []string
	for _, c := range p.Connections {
		if v := c.VaultName(); v != "" {
			vaults = append(vaults, strings.ToLower(v))
		}
	}
	for _, c := range g.Configs {
		zsub, zgroup, zname, ok := parseResourceID(c.ZoneID, "Microsoft.Network", "privateDnsZones")
		if !ok {
			continue
		}
		var z scopevault.PrivateDNSZone
		err := getZone(ctx, tx, zsub, zgroup, zname, &z)
		if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
			continue // the zone went first; nothing to take back
		}
		if err != nil {
			return err
		}
		for _, v := range vaults {
			fn(&z, v)
		}
		if err := putJSON(ctx, tx, resKey(zonesPrefix, zsub, zgroup, z.Name), z); err != nil {
			return err
		}
	}
	return nil
}

// writeZoneGroup adds the endpoint's IP to the record of its vault in each
// of the group's zones, creating the record (owned by the group) if needed.
func writeZoneGroup(ctx context.Context, tx store.Tx, p *scopevault.PrivateEndpoint, g *scopevault.DNSZoneGroup) error {
	owner := ZoneGroupID(p, g.Name)
	return zoneGroupRecords(ctx, tx, p, g, func(z *scopevault.PrivateDNSZone, record string) {
		for i := range z.A {
			r := &z.A[i]
			if strings.EqualFold(r.Name, record) {
				for _, ip := range r.IPv4 {
					if ip == p.PrivateIP {
						return
					}
				}
				r.IPv4 = append(r.IPv4, p.PrivateIP)
				return
			}
		}
		z.A = append(z.A, scopevault.ARecordSet{Name: record, TTL: defaultARecTTL, IPv4: []string{p.PrivateIP}, Owner: owner})
	})
}

// unwriteZoneGroup takes the endpoint's IP out of its vault's record in
// each of the group's zones; a record left empty goes.
func unwriteZoneGroup(ctx context.Context, tx store.Tx, p *scopevault.PrivateEndpoint, g *scopevault.DNSZoneGroup) error {
	return zoneGroupRecords(ctx, tx, p, g, func(z *scopevault.PrivateDNSZone, record string) {
		kept := z.A[:0]
		for _, r := range z.A {
			if strings.EqualFold(r.Name, record) {
				ips := r.IPv4[:0]
				for _, ip := range r.IPv4 {
					if ip != p.PrivateIP {
						ips = append(ips, ip)
					}
				}
				r.IPv4 = ips
				if len(r.IPv4) == 0 {
					continue
				}
			}
			kept = append(kept, r)
		}
		z.A = kept
	})
}

// DNSZoneGroup returns one zone group of a private endpoint.
func (m *Manager) DNSZoneGroup(ctx context.Context, sub, group, pe, name string) (*scopevault.DNSZoneGroup, error) {
	p, err := m.PrivateEndpoint(ctx, sub, group, pe)
	if err != nil {
		return nil, err
	}
	for _, g := range p.DNSZoneGroups {
		if strings.EqualFold(g.Name, name) {
			return &g, nil
		}
	}
	return nil, scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound",
		"The Resource 'Microsoft.Network/privateEndpoints/%s/privateDnsZoneGroups/%s' under resource group '%s' was not found.", clipName(pe), clipName(name), clipName(group))
}

// DNSZoneGroups returns a private endpoint's zone groups.
func (m *Manager) DNSZoneGroups(ctx context.Context, sub, group, pe string) ([]scopevault.DNSZoneGroup, error) {
	p, err := m.PrivateEndpoint(ctx, sub, group, pe)
	if err != nil {
		return nil, err
	}
	return p.DNSZoneGroups, nil
}

// DeleteDNSZoneGroup removes a zone group and the records it wrote.
func (m *Manager) DeleteDNSZoneGroup(ctx context.Context, sub, group, pe, name string) error {
	key := resKey(pesPrefix, sub, group, pe)
	return m.update(ctx, func(tx store.Tx) error {
		var p scopevault.PrivateEndpoint
		if err := getJSON(ctx, tx, key, &p); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return errNotFound(providerPEs, group, pe)
			}
			return err
		}
		for i := range p.DNSZoneGroups {
			if strings.EqualFold(p.DNSZoneGroups[i].Name, name) {
				if err := unwriteZoneGroup(ctx, tx, &p, &p.DNSZoneGroups[i]); err != nil {
					return err
				}
				p.DNSZoneGroups = append(p.DNSZoneGroups[:i], p.DNSZoneGroups[i+1:]...)
				p.Updated = m.Now().UTC()
				return putJSON(ctx, tx, key, p)
			}
		}
		return scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound",
			"The Resource 'Microsoft.Network/privateEndpoints/%s/privateDnsZoneGroups/%s' under resource group '%s' was not found.", clipName(pe), clipName(name), clipName(group))
	})
}
