package rm

import (
	"context"
	"errors"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// A private endpoint's DNS zone groups: each writes an A record <vault> ->
// the endpoint's private IP into the zones it names, and takes it back.

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
