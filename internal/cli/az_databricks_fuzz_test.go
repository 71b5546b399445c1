package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzWorkspaceCreateBody: whatever the flags, create either refuses them
// or builds a body with a known SKU, a managed resource group in the
// subscription (unless serverless) and parameters each {"value": ...}.
func FuzzWorkspaceCreateBody(f *testing.F) {
	f.Add("premium", "", "", "", "", "", "")
	f.Add("Standard", "adb-vnet", "host", "container", "true", "ws-managed", "")
	f.Add("trial", "/subscriptions/s/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/v", "h", "c", "no", "/subscriptions/s/resourceGroups/m", "Hybrid")
	f.Add("gold", "", "h", "", "maybe", "", "Serverless")
	const sub = "11111111-2222-3333-4444-555555555555"
	f.Fuzz(func(t *testing.T, sku, vnet, pub, priv, noPublicIP, managed, compute string) {
		c := workspaceCreate{workspaceArgs: workspaceArgs{group: "rg", name: "ws"}, location: "eastus", sku: sku,
			vnet: vnet, publicSubnet: pub, privateSubnet: priv, noPublicIP: noPublicIP, managedGroup: managed, computeM: compute}
		w, err := c.body(sub, nil)
		if err != nil {
			return
		}
		switch w.SKU.Name {
		case "standard", "premium", "trial":
		default:
			t.Fatalf("sku %q accepted as %q", sku, w.SKU.Name)
		}
		mrg := w.Properties.ManagedResourceGroupID
		if !strings.EqualFold(compute, "Serverless") && mrg == "" {
			t.Fatal("no managed resource group")
		}
		if managed == "" && mrg != "" && !strings.HasPrefix(mrg, "/subscriptions/"+sub+"/resourceGroups/databricks-rg-ws-") {
			t.Fatalf("default managed resource group %q", mrg)
		}
		for name, raw := range w.Properties.Parameters {
			var p map[string]json.RawMessage
			if json.Unmarshal(raw, &p) != nil || len(p) != 1 || p["value"] == nil {
				t.Fatalf("parameter %s = %s", name, raw)
			}
		}
		if (vnet == "") != (w.Properties.Parameters["customVirtualNetworkId"] == nil) {
			t.Fatalf("--vnet %q gave parameters %v", vnet, w.Properties.Parameters)
		}
	})
}
