package arm_test

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v6"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/privatedns/armprivatedns"
)

func TestPrivateDNSWithGoClients(t *testing.T) {
	e := MustEnv(t)
	c := e.MustNetClients(t, e.admin)
	ctx := context.Background()
	e.MustVault(t, "kv1", true)
	vnet := poll(c.vnets.BeginCreateOrUpdate(ctx, rg, "vnet1", vnetParams(subnet("pe", "10.1.2.0/24")), nil)).Must(t)
	poll(c.pes.BeginCreateOrUpdate(ctx, rg, "pe1", peParams("pe", "kv1", false), nil)).Must(t)

	const zoneName = "privatelink.vaultcore.azure.net"
	zone := poll(c.zones.BeginCreateOrUpdate(ctx, rg, zoneName, armprivatedns.PrivateZone{Location: ptr("global")}, nil)).Must(t)
	if deref(zone.Location) != "global" || deref(zone.Properties.ProvisioningState) != armprivatedns.ProvisioningStateSucceeded {
		t.Errorf("zone = %+v", zone)
	}
	// Conditional writes: If-None-Match: * creates only, If-Match the etag read.
	if _, err := c.zones.BeginCreateOrUpdate(ctx, rg, zoneName, armprivatedns.PrivateZone{Location: ptr("global")},
		&armprivatedns.PrivateZonesClientBeginCreateOrUpdateOptions{IfNoneMatch: ptr("*")}); errCode(err) != "PreconditionFailed" {
		t.Errorf("If-None-Match on an existing zone: %v", err)
	}
	if _, err := c.zones.BeginCreateOrUpdate(ctx, rg, zoneName, armprivatedns.PrivateZone{Location: ptr("global")},
		&armprivatedns.PrivateZonesClientBeginCreateOrUpdateOptions{IfMatch: ptr(`W/"stale"`)}); errCode(err) != "PreconditionFailed" {
		t.Errorf("If-Match with a stale etag: %v", err)
	}
	poll(c.zones.BeginCreateOrUpdate(ctx, rg, zoneName, armprivatedns.PrivateZone{Location: ptr("global")},
		&armprivatedns.PrivateZonesClientBeginCreateOrUpdateOptions{IfMatch: zone.Etag})).Must(t)
	if _, err := c.zones.BeginCreateOrUpdate(ctx, rg, "other.example", armprivatedns.PrivateZone{Location: ptr("eastus")}, nil); errCode(err) != "LocationNotAvailableForResourceType" {
		t.Errorf("zone outside global: %v", err)
	}
	link := poll(c.links.BeginCreateOrUpdate(ctx, rg, zoneName, "link1", armprivatedns.VirtualNetworkLink{
		Location:   ptr("global"),
		Properties: &armprivatedns.VirtualNetworkLinkProperties{VirtualNetwork: &armprivatedns.SubResource{ID: vnet.ID}, RegistrationEnabled: ptr(false)},
	}, nil)).Must(t)
	if deref(link.Properties.VirtualNetworkLinkState) != armprivatedns.VirtualNetworkLinkStateCompleted {
		t.Errorf("link = %+v", link.Properties)
	}
	group := poll(c.zoneGroups.BeginCreateOrUpdate(ctx, rg, "pe1", "default", armnetwork.PrivateDNSZoneGroup{
		Properties: &armnetwork.PrivateDNSZoneGroupPropertiesFormat{PrivateDNSZoneConfigs: []*armnetwork.PrivateDNSZoneConfig{{
			Name: ptr("privatelink-vaultcore-azure-net"), Properties: &armnetwork.PrivateDNSZonePropertiesFormat{PrivateDNSZoneID: zone.ID},
		}}},
	}, nil)).Must(t)
	rs := group.Properties.PrivateDNSZoneConfigs[0].Properties.RecordSets
	if len(rs) != 1 || deref(rs[0].RecordSetName) != "kv1" || deref(rs[0].IPAddresses[0]) != "10.1.2.4" {
		t.Errorf("zone group's record sets = %+v", rs)
	}
	rec, err := c.records.Get(ctx, rg, zoneName, armprivatedns.RecordTypeA, "kv1", nil)
	if err != nil || deref(rec.Properties.ARecords[0].IPv4Address) != "10.1.2.4" || deref(rec.Properties.Fqdn) != "kv1."+zoneName+"." {
		t.Fatalf("A record: %+v %v", rec, err)
	}
	// By hand, then listed with the SOA.
	if _, err := c.records.CreateOrUpdate(ctx, rg, zoneName, armprivatedns.RecordTypeA, "other", armprivatedns.RecordSet{
		Properties: &armprivatedns.RecordSetProperties{TTL: ptr[int64](300), ARecords: []*armprivatedns.ARecord{{IPv4Address: ptr("10.1.2.50")}}},
	}, nil); err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for pager := c.records.NewListPager(rg, zoneName, nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Value {
			types[deref(r.Type)]++
		}
	}
	if types["Microsoft.Network/privateDnsZones/A"] != 2 || types["Microsoft.Network/privateDnsZones/SOA"] != 1 {
		t.Errorf("record sets by type = %v", types)
	}
	if _, err := c.records.CreateOrUpdate(ctx, rg, zoneName, armprivatedns.RecordTypeCNAME, "x", armprivatedns.RecordSet{Properties: &armprivatedns.RecordSetProperties{}}, nil); errCode(err) != "UnsupportedRecordType" {
		t.Errorf("CNAME: %v", err)
	}
	// PATCH keeps what the body leaves out.
	if z := poll(c.zones.BeginUpdate(ctx, rg, zoneName, armprivatedns.PrivateZone{Tags: map[string]*string{"team": ptr("net")}}, nil)).Must(t); deref(z.Tags["team"]) != "net" || deref(z.Properties.NumberOfVirtualNetworkLinks) != 1 {
		t.Errorf("zone update: %+v", z)
	}
	if l := poll(c.links.BeginUpdate(ctx, rg, zoneName, "link1", armprivatedns.VirtualNetworkLink{Tags: map[string]*string{"a": ptr("b")}}, nil)).Must(t); deref(l.Properties.VirtualNetwork.ID) != deref(vnet.ID) || deref(l.Tags["a"]) != "b" {
		t.Errorf("link update: %+v", l)
	}
	if r, err := c.records.Update(ctx, rg, zoneName, armprivatedns.RecordTypeA, "other", armprivatedns.RecordSet{Properties: &armprivatedns.RecordSetProperties{TTL: ptr[int64](60)}}, nil); err != nil ||
		deref(r.Properties.TTL) != 60 || deref(r.Properties.ARecords[0].IPv4Address) != "10.1.2.50" {
		t.Errorf("record update: %+v %v", r, err)
	}
	// A zone with links is not deleted; the zone group's record goes with the group.
	if _, err := c.zones.BeginDelete(ctx, rg, zoneName, nil); errCode(err) != "CannotDeleteResource" {
		t.Errorf("zone with a link: %v", err)
	}
	poll(c.zoneGroups.BeginDelete(ctx, rg, "pe1", "default", nil)).Must(t)
	if _, err := c.records.Get(ctx, rg, zoneName, armprivatedns.RecordTypeA, "kv1", nil); errCode(err) != "ResourceNotFound" {
		t.Errorf("record after its zone group went: %v", err)
	}
	if _, err := c.records.Delete(ctx, rg, zoneName, armprivatedns.RecordTypeA, "other", nil); err != nil {
		t.Fatal(err)
	}
	poll(c.links.BeginDelete(ctx, rg, zoneName, "link1", nil)).Must(t)
	poll(c.zones.BeginDelete(ctx, rg, zoneName, nil)).Must(t)
	page, err := c.zones.NewListPager(nil).NextPage(ctx)
	if err != nil || len(page.Value) != 0 {
		t.Errorf("zones left: %d %v", len(page.Value), err)
	}
}
