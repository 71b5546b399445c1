package rm_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/scopevault/scopevault"
)

func param(v any) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"value": v})
	return b
}

func TestWorkspaceVNetInjection(t *testing.T) {
	ctx := context.Background()
	m := MustNetManager(t)
	n := MustVNet(t, m, vnet1())
	if _, _, err := m.PutPrivateEndpoint(ctx, pe("pe1", "pe", "kv1", false), yes); err != nil {
		t.Fatal(err)
	}
	ws := func(name, vnet, pub, priv string) scopevault.Workspace {
		w := scopevault.Workspace{Name: name, SubscriptionID: sub, ResourceGroup: "rg", Location: "westeurope", SKU: "premium",
			Parameters: map[string]json.RawMessage{}}
		for k, v := range map[string]string{"customVirtualNetworkId": vnet, "customPublicSubnetName": pub, "customPrivateSubnetName": priv} {
			if v != "-" {
				w.Parameters[k] = param(v)
			}
		}
		return w
	}
	id := n.ResourceID()
	for _, c := range []struct {
		name string
		w    scopevault.Workspace
		ok   bool
	}{
		{"fail/unknown-vnet", ws("ws1", netRG+"/providers/Microsoft.Network/virtualNetworks/nope", "host", "container"), false},
		{"fail/not-an-id", ws("ws1", "vnet1", "host", "container"), false},
		{"fail/other-subscription", ws("ws1", "/subscriptions/99999999-2222-3333-4444-555555555555/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet1", "host", "container"), false},
		{"fail/same-subnet", ws("ws1", id, "host", "HOST"), false},
		{"fail/missing-subnet", ws("ws1", id, "host", "nope"), false},
		{"fail/no-private-subnet", ws("ws1", id, "host", "-"), false},
		{"fail/not-delegated", ws("ws1", id, "host", "apps"), false},
		{"fail/subnets-without-vnet", ws("ws1", "-", "host", "container"), false},
		{"ok/injected", ws("ws1", id, "host", "container"), true},
		{"ok/update-itself", ws("WS1", id, "host", "container"), true},
		{"fail/subnets-taken", ws("ws2", id, "container", "host"), false},
		{"ok/no-injection", ws("ws3", "-", "-", "-"), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := m.CreateOrUpdateWorkspace(ctx, c.w)
			if (err == nil) != c.ok || (err != nil && scopevault.ErrorReasonOf(err) != "InvalidParameterValue") {
				t.Errorf("err = %v, want ok=%v", err, c.ok)
			}
		})
	}
	other := ws("ws1", id, "host", "container")
	other.Location = "eastus"
	if _, _, err := m.CreateOrUpdateWorkspace(ctx, other); scopevault.ErrorReasonOf(err) != "InvalidParameterValue" {
		t.Errorf("vnet in another location: %v", err)
	}
	// The workspace pins its subnets and their delegations; service
	// endpoints may still be added.
	if err := m.DeleteSubnet(ctx, sub, "net", "vnet1", "host"); scopevault.ErrorReasonOf(err) != "InUseSubnetCannotBeDeleted" {
		t.Errorf("delete injected subnet: %v", err)
	}
	host := *n.Subnet("host")
	host.Delegations = nil
	if _, _, err := m.PutSubnet(ctx, sub, "net", "vnet1", host); scopevault.ErrorReasonOf(err) != "InUseSubnetCannotBeUpdated" {
		t.Errorf("undelegate injected subnet: %v", err)
	}
	host = *n.Subnet("host")
	host.ServiceEndpoints = []scopevault.ServiceEndpoint{{Service: scopevault.ServiceEndpointKeyVault}}
	if _, _, err := m.PutSubnet(ctx, sub, "net", "vnet1", host); err != nil {
		t.Errorf("service endpoint on injected subnet: %v", err)
	}
	// Azure's sizes: a /16../24 network, /26 or larger subnets.
	small := scopevault.VirtualNetwork{Name: "small", SubscriptionID: sub, ResourceGroup: "net", Location: "westeurope", AddressPrefixes: []string{"10.9.0.0/25"},
		Subnets: []scopevault.Subnet{
			{Name: "h", AddressPrefix: "10.9.0.0/27", Delegations: []scopevault.Delegation{{Name: "d", ServiceName: scopevault.DelegationDatabricks}}},
			{Name: "c", AddressPrefix: "10.9.0.32/27", Delegations: []scopevault.Delegation{{Name: "d", ServiceName: scopevault.DelegationDatabricks}}},
		}}
	MustVNet(t, m, small)
	if _, _, err := m.CreateOrUpdateWorkspace(ctx, ws("ws-small", small.ResourceID(), "h", "c")); scopevault.ErrorReasonOf(err) != "InvalidParameterValue" {
		t.Errorf("a /25 network: %v", err)
	}
	small.AddressPrefixes = []string{"10.9.0.0/24"}
	MustVNet(t, m, small)
	if _, _, err := m.CreateOrUpdateWorkspace(ctx, ws("ws-small", small.ResourceID(), "h", "c")); scopevault.ErrorReasonOf(err) != "InvalidParameterValue" {
		t.Errorf("/27 subnets: %v", err)
	}
	if _, err := m.DeleteWorkspace(ctx, sub, "rg", "ws1"); err != nil {
		t.Fatal(err)
	}
	if err := m.DeleteSubnet(ctx, sub, "net", "vnet1", "host"); err != nil {
		t.Errorf("delete freed subnet: %v", err)
	}
}
