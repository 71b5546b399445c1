package rm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/rm"
)

const netRG = "/subscriptions/" + sub + "/resourceGroups/net"

// MustNetManager returns a resource manager with the subscription and the
// resource groups "net" and "rg" made.
func MustNetManager(tb testing.TB) *rm.Manager {
	tb.Helper()
	ctx := context.Background()
	m, _ := MustManagers(tb)
	if err := m.PutSubscription(ctx, scopevault.Subscription{ID: sub, TenantID: tenant}); err != nil {
		tb.Fatal(err)
	}
	for _, g := range []string{"net", "rg"} {
		if _, _, err := m.PutGroup(ctx, scopevault.ResourceGroup{Name: g, SubscriptionID: sub, Location: "westeurope"}); err != nil {
			tb.Fatal(err)
		}
	}
	return m
}

func vnet1() scopevault.VirtualNetwork {
	return scopevault.VirtualNetwork{
		Name: "vnet1", SubscriptionID: sub, ResourceGroup: "net", Location: "westeurope",
		AddressPrefixes: []string{"10.1.0.0/16"},
		Subnets: []scopevault.Subnet{
			{Name: "pe", AddressPrefix: "10.1.2.0/24"},
			{Name: "apps", AddressPrefix: "10.1.3.0/24", ServiceEndpoints: []scopevault.ServiceEndpoint{{Service: "microsoft.keyvault"}}},
			{Name: "host", AddressPrefix: "10.1.4.0/26", Delegations: []scopevault.Delegation{{Name: "dbx", ServiceName: scopevault.DelegationDatabricks}}},
			{Name: "container", AddressPrefix: "10.1.4.64/26", Delegations: []scopevault.Delegation{{Name: "dbx", ServiceName: scopevault.DelegationDatabricks}}},
		},
	}
}

func MustVNet(tb testing.TB, m *rm.Manager, n scopevault.VirtualNetwork) *scopevault.VirtualNetwork {
	tb.Helper()
	out, _, err := m.PutVirtualNetwork(context.Background(), n)
	if err != nil {
		tb.Fatalf("put vnet %s: %v", n.Name, err)
	}
	return out
}

func vaultID(name string) string {
	return "/subscriptions/" + sub + "/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/" + name
}

func pe(name, subnet, vault string, manual bool) scopevault.PrivateEndpoint {
	return scopevault.PrivateEndpoint{
		Name: name, SubscriptionID: sub, ResourceGroup: "net", Location: "westeurope",
		SubnetID:    netRG + "/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/" + subnet,
		Connections: []scopevault.PrivateLinkConnection{{Name: name + "-conn", TargetID: vaultID(vault), GroupIDs: []string{"vault"}, Manual: manual}},
	}
}

func yes(scopevault.PrivateLinkConnection) bool { return true }

func TestVirtualNetworkValidation(t *testing.T) {
	ctx := context.Background()
	m := MustNetManager(t)
	with := func(f func(n *scopevault.VirtualNetwork)) scopevault.VirtualNetwork { n := vnet1(); f(&n); return n }
	for _, c := range []struct {
		name string
		n    scopevault.VirtualNetwork
		want string // reason; "" for success
	}{
		{"ok/four-subnets", vnet1(), ""},
		{"fail/bad-name", with(func(n *scopevault.VirtualNetwork) { n.Name = "-x" }), "InvalidResourceName"},
		{"fail/no-location", with(func(n *scopevault.VirtualNetwork) { n.Location = "" }), "LocationRequired"},
		{"fail/no-group", with(func(n *scopevault.VirtualNetwork) { n.ResourceGroup = "nope" }), "ResourceGroupNotFound"},
		{"fail/no-space", with(func(n *scopevault.VirtualNetwork) { n.AddressPrefixes = nil }), "InvalidRequestFormat"},
		{"fail/bad-cidr", with(func(n *scopevault.VirtualNetwork) { n.AddressPrefixes = []string{"10.1.0.0/33"} }), "InvalidAddressPrefixFormat"},
		{"fail/ipv6", with(func(n *scopevault.VirtualNetwork) { n.AddressPrefixes = []string{"fd00::/48"} }), "InvalidAddressPrefixFormat"},
		{"fail/host-bits", with(func(n *scopevault.VirtualNetwork) { n.AddressPrefixes = []string{"10.1.0.1/16"} }), "InvalidCIDRNotation"},
		{"fail/spaces-overlap", with(func(n *scopevault.VirtualNetwork) { n.AddressPrefixes = []string{"10.1.0.0/16", "10.1.128.0/17"} }), "VnetAddressSpacesOverlap"},
		{"fail/subnet-outside", with(func(n *scopevault.VirtualNetwork) { n.Subnets[0].AddressPrefix = "10.2.0.0/24" }), "NetcfgSubnetRangeOutsideVnet"},
		{"fail/subnet-larger-than-space", with(func(n *scopevault.VirtualNetwork) { n.Subnets[0].AddressPrefix = "10.0.0.0/8" }), "NetcfgSubnetRangeOutsideVnet"},
		{"fail/subnets-overlap", with(func(n *scopevault.VirtualNetwork) { n.Subnets[1].AddressPrefix = "10.1.2.128/25" }), "NetcfgSubnetRangesOverlap"},
		{"fail/subnet-bad-cidr", with(func(n *scopevault.VirtualNetwork) { n.Subnets[0].AddressPrefix = "10.1.2.0" }), "InvalidAddressPrefixFormat"},
		{"fail/subnet-too-small", with(func(n *scopevault.VirtualNetwork) { n.Subnets[0].AddressPrefix = "10.1.2.0/30" }), "NetcfgInvalidSubnet"},
		{"fail/subnet-no-prefix", with(func(n *scopevault.VirtualNetwork) { n.Subnets[0].AddressPrefix = "" }), "NetcfgInvalidSubnet"},
		{"fail/duplicate-subnet", with(func(n *scopevault.VirtualNetwork) { n.Subnets[1].Name = "PE" }), "DuplicateResourceName"},
		{"fail/bad-service", with(func(n *scopevault.VirtualNetwork) { n.Subnets[1].ServiceEndpoints[0].Service = "KeyVault" }), "InvalidServiceNameOnServiceEndpoint"},
		{"fail/bad-delegation", with(func(n *scopevault.VirtualNetwork) { n.Subnets[2].Delegations[0].ServiceName = "databricks" }), "InvalidServiceNameOnDelegation"},
		{"fail/bad-policy", with(func(n *scopevault.VirtualNetwork) { n.Subnets[0].PrivateEndpointNetworkPolicies = "Sometimes" }), "InvalidRequestFormat"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.n.Name += ""
			_, _, err := m.PutVirtualNetwork(ctx, c.n)
			if got := scopevault.ErrorReasonOf(err); got != c.want || (c.want == "" && err != nil) {
				t.Errorf("reason = %q (%v), want %q", got, err, c.want)
			}
		})
	}
	got, err := m.VirtualNetwork(ctx, sub, "NET", "VNET1")
	if err != nil {
		t.Fatal(err)
	}
	apps := got.Subnet("apps")
	if apps.ServiceEndpoints[0].Service != "Microsoft.KeyVault" || apps.ServiceEndpoints[0].Locations[0] != "*" ||
		apps.PrivateEndpointNetworkPolicies != "Disabled" || apps.PrivateLinkServiceNetworkPolicies != "Enabled" {
		t.Errorf("defaults not filled: %+v", apps)
	}
}

func TestVirtualNetworkLifecycle(t *testing.T) {
	ctx := context.Background()
	m := MustNetManager(t)
	n, created, err := m.PutVirtualNetwork(ctx, vnet1())
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	// Update: casing and creation stay, a location change is refused.
	up := vnet1()
	up.Name, up.Tags = "VNET1", map[string]string{"env": "test"}
	if got, created, err := m.PutVirtualNetwork(ctx, up); err != nil || created || got.Name != "vnet1" || !got.Created.Equal(n.Created) {
		t.Fatalf("update: %+v %v %v", got, created, err)
	}
	up.Location = "eastus"
	if _, _, err := m.PutVirtualNetwork(ctx, up); scopevault.ErrorReasonOf(err) != "InvalidResourceLocation" {
		t.Errorf("location change: %v", err)
	}
	// Subnets one by one.
	s, created, err := m.PutSubnet(ctx, sub, "net", "vnet1", scopevault.Subnet{Name: "extra", AddressPrefix: "10.1.9.0/24"})
	if err != nil || !created || s.PrivateEndpointNetworkPolicies != "Disabled" {
		t.Fatalf("put subnet: %+v %v %v", s, created, err)
	}
	if _, _, err := m.PutSubnet(ctx, sub, "net", "vnet1", scopevault.Subnet{Name: "bad", AddressPrefix: "10.1.9.0/25"}); scopevault.ErrorReasonOf(err) != "NetcfgSubnetRangesOverlap" {
		t.Errorf("overlapping subnet: %v", err)
	}
	if _, _, err := m.PutSubnet(ctx, sub, "net", "nope", scopevault.Subnet{Name: "x", AddressPrefix: "10.1.9.0/25"}); scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		t.Errorf("subnet of a missing vnet: %v", err)
	}
	if got, err := m.Subnet(ctx, sub, "net", "vnet1", "EXTRA"); err != nil || got.AddressPrefix != "10.1.9.0/24" {
		t.Errorf("get subnet: %+v %v", got, err)
	}
	if err := m.DeleteSubnet(ctx, sub, "net", "vnet1", "extra"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Subnet(ctx, sub, "net", "vnet1", "extra"); scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		t.Errorf("deleted subnet: %v", err)
	}
	// An endpoint in "pe" pins the subnet and the network.
	if _, _, err := m.PutPrivateEndpoint(ctx, pe("pe1", "pe", "kv1", false), yes); err != nil {
		t.Fatal(err)
	}
	noPE := vnet1()
	noPE.Subnets = noPE.Subnets[1:]
	for name, err := range map[string]error{
		"delete-subnet":  m.DeleteSubnet(ctx, sub, "net", "vnet1", "pe"),
		"delete-vnet":    m.DeleteVirtualNetwork(ctx, sub, "net", "vnet1"),
		"put-without-it": func() error { _, _, err := m.PutVirtualNetwork(ctx, noPE); return err }(),
		"change-prefix": func() error {
			_, _, err := m.PutSubnet(ctx, sub, "net", "vnet1", scopevault.Subnet{Name: "pe", AddressPrefix: "10.1.2.0/25"})
			return err
		}(),
		"shrink-the-space": func() error {
			x := vnet1()
			x.AddressPrefixes = []string{"10.1.3.0/24"}
			_, _, err := m.PutVirtualNetwork(ctx, x)
			return err
		}(),
	} {
		if scopevault.ErrorCodeOf(err) == "" {
			t.Errorf("fail/%s while an endpoint uses the subnet: no error", name)
		}
	}
	if err := m.DeletePrivateEndpoint(ctx, sub, "net", "pe1"); err != nil {
		t.Fatal(err)
	}
	if l, err := m.VirtualNetworks(ctx, sub, ""); err != nil || len(l) != 1 {
		t.Errorf("list: %d %v", len(l), err)
	}
	if err := m.DeleteVirtualNetwork(ctx, sub, "net", "vnet1"); err != nil {
		t.Fatal(err)
	}
	if err := m.DeleteVirtualNetwork(ctx, sub, "net", "vnet1"); scopevault.ErrorReasonOf(err) != "ResourceNotFound" {
		t.Errorf("second delete: %v", err)
	}
}

func TestPrivateEndpoints(t *testing.T) {
	ctx := context.Background()
	m := MustNetManager(t)
	MustVNet(t, m, vnet1())
	auto, created, err := m.PutPrivateEndpoint(ctx, pe("pe-auto", "pe", "kv1", false), yes)
	if err != nil || !created {
		t.Fatal(created, err)
	}
	if auto.PrivateIP != "10.1.2.4" || auto.Address != "127.3.0.1" {
		t.Errorf("addresses: %s %s, want 10.1.2.4 127.3.0.1", auto.PrivateIP, auto.Address)
	}
	manual, _, err := m.PutPrivateEndpoint(ctx, pe("pe-manual", "pe", "kv1", true), yes)
	if err != nil {
		t.Fatal(err)
	}
	refused, _, err := m.PutPrivateEndpoint(ctx, pe("pe-noright", "pe", "KV2", false), func(scopevault.PrivateLinkConnection) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	if manual.PrivateIP != "10.1.2.5" || manual.Address != "127.3.0.2" || refused.PrivateIP != "10.1.2.6" {
		t.Errorf("second/third: %s %s %s", manual.PrivateIP, manual.Address, refused.PrivateIP)
	}
	n, err := m.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, want, desc string
		p                *scopevault.PrivateEndpoint
	}{
		{"ok/auto-approved", scopevault.ConnectionApproved, "Auto-Approved", auto},
		{"ok/manual-pending", scopevault.ConnectionPending, "Awaiting approval", manual},
		{"ok/no-approval-right-pending", scopevault.ConnectionPending, "Awaiting approval", refused},
	} {
		st := n.ConnectionState(c.p, c.p.Connections[0])
		if st.Status != c.want || st.Description != c.desc || n.Connection(c.p.Connections[0].VaultName(), c.p.ResourceID()) == nil {
			t.Errorf("%s: %+v", c.name, st)
		}
	}
	// A PUT again keeps the addresses and the states.
	again, created, err := m.PutPrivateEndpoint(ctx, pe("PE-MANUAL", "pe", "kv1", true), yes)
	if err != nil || created || again.PrivateIP != manual.PrivateIP || again.Address != manual.Address ||
		again.Connections[0].VaultConnection != manual.Connections[0].VaultConnection || again.Name != "pe-manual" {
		t.Fatalf("re-put: %+v %v %v", again, created, err)
	}
	// Approve, reject; a rejected connection is not approved again.
	conns, err := m.VaultConnections(ctx, "KV1")
	if err != nil || len(conns) != 2 {
		t.Fatalf("kv1 connections: %d %v", len(conns), err)
	}
	cn := manual.Connections[0].VaultConnection
	for _, c := range []struct {
		name, status, want string
	}{
		{"ok/approve", "approved", ""},
		{"ok/approve-again", "Approved", ""},
		{"fail/back-to-pending", "Pending", "InvalidPrivateLinkServiceConnectionState"},
		{"fail/unknown", "Maybe", "InvalidPrivateLinkServiceConnectionState"},
		{"ok/reject", "Rejected", ""},
		{"fail/approve-rejected", "Approved", "InvalidPrivateLinkServiceConnectionState"},
	} {
		got, err := m.SetVaultConnectionState(ctx, "kv1", cn, c.status, "by test")
		if r := scopevault.ErrorReasonOf(err); r != c.want || (c.want == "" && (err != nil || got.Description != "by test")) {
			t.Errorf("%s: %+v %v", c.name, got, err)
		}
	}
	if _, err := m.SetVaultConnectionState(ctx, "kv1", "nope", "Approved", ""); scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		t.Errorf("unknown connection: %v", err)
	}
	// Deleting the vault side leaves the endpoint Disconnected.
	if err := m.DeleteVaultConnection(ctx, "kv1", auto.Connections[0].VaultConnection); err != nil {
		t.Fatal(err)
	}
	n, _ = m.Network(ctx)
	if st := n.ConnectionState(auto, auto.Connections[0]); st.Status != scopevault.ConnectionDisconnected {
		t.Errorf("after the vault side went: %s", st.Status)
	}
	if err := m.DeleteVaultConnections(ctx, "kv2"); err != nil {
		t.Fatal(err)
	}
	if l, _ := m.VaultConnections(ctx, "kv2"); len(l) != 0 {
		t.Errorf("kv2 still has %d connections", len(l))
	}
	// Deleting an endpoint frees its addresses and its vault side.
	if err := m.DeletePrivateEndpoint(ctx, sub, "net", "pe-manual"); err != nil {
		t.Fatal(err)
	}
	if l, _ := m.VaultConnections(ctx, "kv1"); len(l) != 0 {
		t.Errorf("kv1 still has %d connections", len(l))
	}
	next, _, err := m.PutPrivateEndpoint(ctx, pe("pe-next", "pe", "kv1", false), yes)
	if err != nil || next.PrivateIP != "10.1.2.5" || next.Address != "127.3.0.2" {
		t.Errorf("freed addresses not reused: %+v %v", next, err)
	}
	if l, err := m.PrivateEndpoints(ctx, sub, "net"); err != nil || len(l) != 3 {
		t.Errorf("list: %d %v", len(l), err)
	}
}

func TestPrivateEndpointRefused(t *testing.T) {
	ctx := context.Background()
	m := MustNetManager(t)
	MustVNet(t, m, vnet1())
	small := scopevault.VirtualNetwork{Name: "small", SubscriptionID: sub, ResourceGroup: "net", Location: "westeurope",
		AddressPrefixes: []string{"10.9.0.0/29"}, Subnets: []scopevault.Subnet{{Name: "s", AddressPrefix: "10.9.0.0/29"}}}
	MustVNet(t, m, small)
	if _, _, err := m.PutPrivateEndpoint(ctx, scopevault.PrivateEndpoint{Name: "fill", SubscriptionID: sub, ResourceGroup: "net", Location: "westeurope",
		SubnetID: small.SubnetID("s"), Connections: pe("x", "pe", "kv1", false).Connections}, yes); err != nil {
		t.Fatal(err) // 10.9.0.4, 10.9.0.5 and 10.9.0.6 are free in a /29
	}
	// The same network in another subscription.
	const sub2 = "99999999-2222-3333-4444-555555555555"
	if err := m.PutSubscription(ctx, scopevault.Subscription{ID: sub2, TenantID: tenant}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.PutGroup(ctx, scopevault.ResourceGroup{Name: "net", SubscriptionID: sub2, Location: "westeurope"}); err != nil {
		t.Fatal(err)
	}
	other := vnet1()
	other.SubscriptionID = sub2
	MustVNet(t, m, other)
	with := func(f func(p *scopevault.PrivateEndpoint)) scopevault.PrivateEndpoint {
		p := pe("p", "pe", "kv1", false)
		f(&p)
		return p
	}
	for _, c := range []struct {
		name string
		p    scopevault.PrivateEndpoint
		want string
	}{
		{"fail/bad-name", with(func(p *scopevault.PrivateEndpoint) { p.Name = "a b" }), "InvalidResourceName"},
		{"fail/no-location", with(func(p *scopevault.PrivateEndpoint) { p.Location = "" }), "LocationRequired"},
		{"fail/unknown-subnet", with(func(p *scopevault.PrivateEndpoint) { p.SubnetID += "x" }), "InvalidResourceReference"},
		{"fail/unknown-vnet", with(func(p *scopevault.PrivateEndpoint) {
			p.SubnetID = netRG + "/providers/Microsoft.Network/virtualNetworks/nope/subnets/pe"
		}), "InvalidResourceReference"},
		{"fail/not-a-subnet-id", with(func(p *scopevault.PrivateEndpoint) { p.SubnetID = "pe" }), "InvalidResourceReference"},
		{"fail/other-subscription", with(func(p *scopevault.PrivateEndpoint) {
			p.SubnetID = other.SubnetID("pe")
		}), "InvalidResourceReference"},
		{"fail/other-location", with(func(p *scopevault.PrivateEndpoint) { p.Location = "eastus" }), "InvalidResourceLocation"},
		{"fail/delegated-subnet", with(func(p *scopevault.PrivateEndpoint) {
			p.SubnetID = netRG + "/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/host"
		}), "PrivateEndpointCreationNotAllowedAsSubnetIsDelegated"},
		{"fail/no-connection", with(func(p *scopevault.PrivateEndpoint) { p.Connections = nil }), "PrivateEndpointMustHaveOneConnection"},
		{"fail/two-connections", with(func(p *scopevault.PrivateEndpoint) { p.Connections = append(p.Connections, p.Connections[0]) }), "PrivateEndpointCanHaveOnlyOneConnection"},
		{"fail/not-a-vault", with(func(p *scopevault.PrivateEndpoint) {
			p.Connections[0].TargetID = netRG + "/providers/Microsoft.Storage/storageAccounts/sa"
		}), "LinkedInvalidPropertyId"},
		{"fail/bad-group-id", with(func(p *scopevault.PrivateEndpoint) { p.Connections[0].GroupIDs = []string{"blob"} }), "PrivateEndpointBadRequest"},
		{"fail/no-group-id", with(func(p *scopevault.PrivateEndpoint) { p.Connections[0].GroupIDs = nil }), "PrivateEndpointBadRequest"},
		{"ok/second-in-small-subnet", with(func(p *scopevault.PrivateEndpoint) {
			p.SubnetID = small.SubnetID("s")
		}), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := m.PutPrivateEndpoint(ctx, c.p, yes)
			if got := scopevault.ErrorReasonOf(err); got != c.want {
				t.Errorf("reason = %q (%v), want %q", got, err, c.want)
			}
		})
	}
	// The /29 has three usable addresses: two are taken now, one is left.
	for i, want := range []string{"", "SubnetIsFull"} {
		p := pe("more"+string(rune('a'+i)), "pe", "kv1", false)
		p.SubnetID = small.SubnetID("s")
		if _, _, err := m.PutPrivateEndpoint(ctx, p, yes); scopevault.ErrorReasonOf(err) != want {
			t.Errorf("endpoint %d in the /29: %v, want %q", i+3, err, want)
		}
	}
	// The subnet of an endpoint is not changed by a PUT.
	moved := pe("fill", "pe", "kv1", false)
	if _, _, err := m.PutPrivateEndpoint(ctx, moved, yes); scopevault.ErrorReasonOf(err) != "CannotChangeSubnetOfPrivateEndpoint" {
		t.Errorf("moved endpoint: %v", err)
	}
}

// The snapshot is rebuilt after a network write, and only then.
func TestNetworkSnapshotCached(t *testing.T) {
	ctx := context.Background()
	m := MustNetManager(t)
	a, _ := m.Network(ctx)
	b, _ := m.Network(ctx)
	if a != b {
		t.Error("two reads with no write between built two snapshots")
	}
	MustVNet(t, m, vnet1())
	c, _ := m.Network(ctx)
	if c == a || len(c.VirtualNetworks) != 1 {
		t.Errorf("snapshot after a write: %d networks", len(c.VirtualNetworks))
	}
}

// A static private IP (ipConfigurations) is taken as asked when it is a
// free, unreserved address of the subnet, and kept for good.
func TestPrivateEndpointStaticIP(t *testing.T) {
	ctx := context.Background()
	m := MustNetManager(t)
	MustVNet(t, m, vnet1())
	static := func(name, ip string) error {
		p := pe(name, "pe", "kv1", false)
		p.PrivateIP = ip
		_, _, err := m.PutPrivateEndpoint(ctx, p, yes)
		return err
	}
	for _, c := range []struct{ name, ip, want string }{
		{"ok/static", "10.1.2.10", ""},
		{"ok/same-again", "10.1.2.10", ""},
		{"fail/in-use", "10.1.2.10", "PrivateIPAddressInUse"},
		{"fail/reserved", "10.1.2.3", "PrivateIPAddressNotInSubnet"},
		{"fail/broadcast", "10.1.2.255", "PrivateIPAddressNotInSubnet"},
		{"fail/other-subnet", "10.1.3.10", "PrivateIPAddressNotInSubnet"},
		{"fail/not-an-ip", "10.1.2", "PrivateIPAddressInvalid"},
	} {
		name := "pe-" + c.name[strings.Index(c.name, "/")+1:]
		if c.name == "ok/same-again" {
			name = "pe-static" // the same endpoint again
		}
		if err := static(name, c.ip); scopevault.ErrorReasonOf(err) != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if err := static("pe-static", "10.1.2.11"); scopevault.ErrorReasonOf(err) != "PrivateEndpointStaticIpCannotBeChanged" {
		t.Errorf("changed static IP: %v", err)
	}
	// Dynamic allocation goes around it.
	p, _, err := m.PutPrivateEndpoint(ctx, pe("pe-dyn", "pe", "kv1", false), yes)
	if err != nil || p.PrivateIP != "10.1.2.4" {
		t.Errorf("dynamic: %+v %v", p, err)
	}
}
