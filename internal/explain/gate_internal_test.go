package explain

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
)

// TestGateChange: a denied gate hop says what would let the read through,
// and doing just that lets it through; an allowed hop says what would stop
// it, and doing that stops it.
func TestGateChange(t *testing.T) {
	const (
		vnetID = "/subscriptions/s1/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet1"
		peID   = "/subscriptions/s1/resourceGroups/net/providers/Microsoft.Network/privateEndpoints/pe1"
	)
	se := strings.ToLower(vnetID + "/subnets/se")
	plain := strings.ToLower(vnetID + "/subnets/plain")
	net := func(state string) *scopevault.Network {
		n := &scopevault.Network{VirtualNetworks: []*scopevault.VirtualNetwork{{Name: "vnet1", SubscriptionID: "s1", ResourceGroup: "net",
			Subnets: []scopevault.Subnet{
				{Name: "se", AddressPrefix: "10.1.1.0/24", ServiceEndpoints: []scopevault.ServiceEndpoint{{Service: "Microsoft.KeyVault"}}},
				{Name: "plain", AddressPrefix: "10.1.2.0/24"},
			}}}}
		if state != "" {
			n.Connections = []*scopevault.PrivateEndpointConnection{{Name: "pe1.c", Vault: "kv", PrivateEndpointID: peID, Status: state}}
		}
		return n
	}
	user := &scopevault.Caller{AppID: "11111111-1111-1111-1111-111111111111", ObjectID: "o"}
	dbx := &scopevault.Caller{AppID: scopevault.AzureDatabricksAppID, ObjectID: "d"}
	client := netip.MustParseAddr("203.0.113.7")
	deny := func(bypass string) *scopevault.NetworkACLs {
		return &scopevault.NetworkACLs{DefaultAction: "Deny", Bypass: bypass}
	}
	tests := []struct {
		name   string
		pna    string
		acls   *scopevault.NetworkACLs
		state  string
		via    *scopevault.Placement
		caller *scopevault.Caller
		want   string // a phrase of the change
		apply  func(v *scopevault.Vault, n *scopevault.Network, via **scopevault.Placement)
	}{
		{"fail/pending-endpoint", "Disabled", nil, "Pending", &scopevault.Placement{Vault: "kv", PrivateEndpoint: peID}, user, "approve private endpoint connection pe1.c",
			func(v *scopevault.Vault, n *scopevault.Network, _ **scopevault.Placement) {
				n.Connections[0].Status = "Approved"
			}},
		{"fail/trusted-bypass-none", "Disabled", deny("None"), "", nil, dbx, "set networkAcls.bypass to AzureServices",
			func(v *scopevault.Vault, _ *scopevault.Network, _ **scopevault.Placement) {
				v.NetworkACLs.Bypass = "AzureServices"
			}},
		{"fail/trusted-firewall-bypass-none", "Enabled", deny("None"), "", nil, dbx, "set networkAcls.bypass to AzureServices",
			func(v *scopevault.Vault, _ *scopevault.Network, _ **scopevault.Placement) {
				v.NetworkACLs.Bypass = "AzureServices"
			}},
		{"fail/public-access-disabled", "Disabled", nil, "", nil, user, "--public-network-access Enabled",
			func(v *scopevault.Vault, _ *scopevault.Network, _ **scopevault.Placement) {
				v.PublicNetworkAccess = "Enabled"
			}},
		{"fail/service-endpoint-subnet-not-in-rules", "Enabled", deny("AzureServices"), "", &scopevault.Placement{Vault: "kv", Subnet: se, PrivateIP: netip.MustParseAddr("10.1.1.4")}, user,
			"add subnet " + se + " to virtualNetworkRules",
			func(v *scopevault.Vault, _ *scopevault.Network, _ **scopevault.Placement) {
				v.NetworkACLs.VirtualNetworkRules = append(v.NetworkACLs.VirtualNetworkRules, scopevault.VNetRule{ID: se})
			}},
		{"fail/subnet-without-service-endpoint", "Enabled", deny("AzureServices"), "", &scopevault.Placement{Vault: "kv", Subnet: plain, PrivateIP: netip.MustParseAddr("10.1.2.4")}, user,
			"add the Microsoft.KeyVault service endpoint to subnet plain",
			func(v *scopevault.Vault, n *scopevault.Network, _ **scopevault.Placement) {
				n.VirtualNetworks[0].Subnets[1].ServiceEndpoints = []scopevault.ServiceEndpoint{{Service: "Microsoft.KeyVault"}}
				v.NetworkACLs.VirtualNetworkRules = append(v.NetworkACLs.VirtualNetworkRules, scopevault.VNetRule{ID: plain})
			}},
		{"fail/ip", "Enabled", deny("None"), "", nil, user, "--ip-address 203.0.113.7/32",
			func(v *scopevault.Vault, _ *scopevault.Network, _ **scopevault.Placement) {
				v.NetworkACLs.IPRules = append(v.NetworkACLs.IPRules, "203.0.113.7/32")
			}},
		{"ok/approved-endpoint", "Disabled", nil, "Approved", &scopevault.Placement{Vault: "kv", PrivateEndpoint: peID}, user, "reject or delete private endpoint connection pe1.c",
			func(v *scopevault.Vault, n *scopevault.Network, _ **scopevault.Placement) {
				n.Connections[0].Status = "Rejected"
			}},
		{"ok/trusted-bypass", "Disabled", deny("AzureServices"), "", nil, dbx, "set networkAcls.bypass to None",
			func(v *scopevault.Vault, _ *scopevault.Network, _ **scopevault.Placement) {
				v.NetworkACLs.Bypass = "None"
			}},
		{"ok/open", "Enabled", nil, "", nil, user, "--default-action Deny",
			func(v *scopevault.Vault, _ *scopevault.Network, _ **scopevault.Placement) { v.NetworkACLs = deny("") }},
		{"ok/vnet-rule", "Enabled", &scopevault.NetworkACLs{DefaultAction: "Deny", VirtualNetworkRules: []scopevault.VNetRule{{ID: se}}}, "",
			&scopevault.Placement{Vault: "kv", Subnet: se, PrivateIP: netip.MustParseAddr("10.1.1.4")}, user, "remove subnet " + se + " from virtualNetworkRules",
			func(v *scopevault.Vault, _ *scopevault.Network, _ **scopevault.Placement) {
				v.NetworkACLs.VirtualNetworkRules = nil
			}},
		{"ok/ip-rule", "Enabled", &scopevault.NetworkACLs{DefaultAction: "Deny", IPRules: []string{"203.0.113.0/24"}}, "", nil, user, "remove the ipRule admitting 203.0.113.7",
			func(v *scopevault.Vault, _ *scopevault.Network, _ **scopevault.Placement) {
				v.NetworkACLs.IPRules = nil
			}},
	}
	e := &Explainer{Trusted: func(app string) bool { return app == scopevault.AzureDatabricksAppID }}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &scopevault.Vault{Name: "kv", Location: "eastus", PublicNetworkAccess: tt.pna, NetworkACLs: tt.acls}
			n := net(tt.state)
			h, _, _ := e.gateHop(n, v, client, tt.via, tt.caller)
			wasAllowed := h.Outcome == Allowed
			if wasAllowed != strings.HasPrefix(tt.name, "ok/") || !strings.Contains(h.Change, tt.want) {
				t.Fatalf("%s: %s; change %q, want %q", h.Outcome, h.Rule, h.Change, tt.want)
			}
			via := tt.via
			tt.apply(v, n, &via)
			after, _, _ := e.gateHop(n, v, client, via, tt.caller)
			if (after.Outcome == Allowed) == wasAllowed {
				t.Fatalf("doing %q left the gate %s: %s", h.Change, after.Outcome, after.Rule)
			}
		})
	}
}
