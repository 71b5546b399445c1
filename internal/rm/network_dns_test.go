package rm_test

import (
	"context"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/rm"
)

func TestPrivateDNS(t *testing.T) {
	ctx := context.Background()
	m := MustNetManager(t)
	n := MustVNet(t, m, vnet1())
	zone, created, err := m.PutPrivateDNSZone(ctx, scopevault.PrivateDNSZone{Name: scopevault.VaultPrivateLinkZone, SubscriptionID: sub, ResourceGroup: "net"})
	if err != nil || !created {
		t.Fatal(created, err)
	}
	for _, c := range []struct{ name, zone, want string }{
		{"fail/one-label", "localhost", "InvalidResourceName"},
		{"fail/bad-char", "a_b.example", "InvalidResourceName"},
		{"ok/trailing-dot", "example.internal.", ""},
	} {
		_, _, err := m.PutPrivateDNSZone(ctx, scopevault.PrivateDNSZone{Name: c.zone, SubscriptionID: sub, ResourceGroup: "net"})
		if got := scopevault.ErrorReasonOf(err); got != c.want {
			t.Errorf("%s: %q (%v)", c.name, got, err)
		}
	}
	link := scopevault.VNetLink{Name: "link1", VirtualNetworkID: n.ResourceID()}
	if _, created, err := m.PutVNetLink(ctx, sub, "net", zone.Name, link); err != nil || !created {
		t.Fatal(created, err)
	}
	for _, c := range []struct {
		name string
		l    scopevault.VNetLink
		want string
	}{
		{"ok/update", scopevault.VNetLink{Name: "LINK1", VirtualNetworkID: n.ResourceID(), RegistrationEnabled: false}, ""},
		{"fail/second-link-same-vnet", scopevault.VNetLink{Name: "link2", VirtualNetworkID: n.ResourceID()}, "Conflict"},
		{"fail/unknown-vnet", scopevault.VNetLink{Name: "link3", VirtualNetworkID: netRG + "/providers/Microsoft.Network/virtualNetworks/nope"}, "InvalidVirtualNetworkId"},
		{"fail/not-an-id", scopevault.VNetLink{Name: "link3", VirtualNetworkID: "vnet1"}, "InvalidVirtualNetworkId"},
	} {
		_, _, err := m.PutVNetLink(ctx, sub, "net", zone.Name, c.l)
		if got := scopevault.ErrorReasonOf(err); got != c.want {
			t.Errorf("%s: %q (%v)", c.name, got, err)
		}
	}
	// A zone group writes kv1 -> the endpoint's IP; the vault now resolves
	// privately from vnet1, and publicly from elsewhere.
	p, _, err := m.PutPrivateEndpoint(ctx, pe("pe1", "pe", "KV1", false), yes)
	if err != nil {
		t.Fatal(err)
	}
	g := scopevault.DNSZoneGroup{Name: "default", Configs: []scopevault.DNSZoneConfig{{ZoneID: zone.ResourceID()}}}
	got, err := m.PutDNSZoneGroup(ctx, sub, "net", "pe1", g)
	if err != nil || got.Configs[0].Name != "privatelink-vaultcore-azure-net" {
		t.Fatalf("zone group: %+v %v", got, err)
	}
	rec, err := m.ARecordSet(ctx, sub, "net", zone.Name, "kv1")
	if err != nil || rec.IPv4[0] != p.PrivateIP || rec.TTL != 10 || rec.Owner != rm.ZoneGroupID(p, "default") {
		t.Fatalf("record: %+v %v", rec, err)
	}
	net, _ := m.Network(ctx)
	if r := net.ResolveVault(n.ResourceID(), "kv1"); r.IP != p.PrivateIP || r.Endpoint == nil || r.Endpoint.Name != "pe1" {
		t.Errorf("resolve from vnet1: %+v", r)
	}
	if r := net.ResolveVault("", "kv1"); r.IP != "" {
		t.Errorf("resolve from the internet: %+v", r)
	}
	for _, c := range []struct {
		name string
		g    scopevault.DNSZoneGroup
		want string
	}{
		{"fail/no-config", scopevault.DNSZoneGroup{Name: "default"}, "InvalidPrivateDnsZoneGroup"},
		{"fail/unknown-zone", scopevault.DNSZoneGroup{Name: "default", Configs: []scopevault.DNSZoneConfig{{ZoneID: netRG + "/providers/Microsoft.Network/privateDnsZones/nope.example"}}}, "InvalidPrivateDnsZoneIds"},
		{"fail/second-group", scopevault.DNSZoneGroup{Name: "other", Configs: g.Configs}, "OnlyOnePrivateDnsZoneGroupAllowed"},
	} {
		_, err := m.PutDNSZoneGroup(ctx, sub, "net", "pe1", c.g)
		if r := scopevault.ErrorReasonOf(err); r != c.want {
			t.Errorf("%s: %q (%v)", c.name, r, err)
		}
	}
	// Hand-made records.
	for _, c := range []struct {
		name string
		r    scopevault.ARecordSet
		want string
	}{
		{"ok/manual", scopevault.ARecordSet{Name: "kv9", TTL: 3600, IPv4: []string{"10.1.2.200"}}, ""},
		{"fail/bad-ip", scopevault.ARecordSet{Name: "kv9", IPv4: []string{"10.1.2"}}, "InvalidIPv4Address"},
		{"fail/bad-name", scopevault.ARecordSet{Name: "a b", IPv4: []string{"10.1.2.1"}}, "InvalidRecordSetName"},
	} {
		_, _, err := m.PutARecordSet(ctx, sub, "net", zone.Name, c.r)
		if r := scopevault.ErrorReasonOf(err); r != c.want {
			t.Errorf("%s: %q (%v)", c.name, r, err)
		}
	}
	if l, _ := m.ARecordSets(ctx, sub, "net", zone.Name); len(l) != 2 {
		t.Errorf("records: %+v", l)
	}
	// A zone with links is not deleted.
	if err := m.DeletePrivateDNSZone(ctx, sub, "net", zone.Name); scopevault.ErrorReasonOf(err) != "CannotDeleteResource" {
		t.Errorf("zone with links: %v", err)
	}
	// Deleting the zone group takes its record away; the hand-made one stays.
	if err := m.DeleteDNSZoneGroup(ctx, sub, "net", "pe1", "DEFAULT"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.ARecordSet(ctx, sub, "net", zone.Name, "kv1"); scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		t.Errorf("record after zone group delete: %v", err)
	}
	if _, err := m.PutDNSZoneGroup(ctx, sub, "net", "pe1", g); err != nil {
		t.Fatal(err)
	}
	if err := m.DeletePrivateEndpoint(ctx, sub, "net", "pe1"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.ARecordSet(ctx, sub, "net", zone.Name, "kv1"); scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		t.Errorf("record after endpoint delete: %v", err)
	}
	if err := m.DeleteARecordSet(ctx, sub, "net", zone.Name, "kv9"); err != nil {
		t.Fatal(err)
	}
	if err := m.DeleteVNetLink(ctx, sub, "net", zone.Name, "link1"); err != nil {
		t.Fatal(err)
	}
	if err := m.DeletePrivateDNSZone(ctx, sub, "net", zone.Name); err != nil {
		t.Fatal(err)
	}
	if l, err := m.PrivateDNSZones(ctx, sub, ""); err != nil || len(l) != 1 {
		t.Errorf("zones left: %d %v", len(l), err)
	}
}
