package arm_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// No network request, however malformed, is a 500 or a panic, and every
// failure is ARM's {"error":{"code","message"}}.
func FuzzNetworkNever500(f *testing.F) {
	e := MustEnv(f)
	e.MustVault(f, "kv-fuzz", true)
	tok := e.Token(f, e.admin, "")
	vnet := rgScope() + "/providers/Microsoft.Network/virtualNetworks/vnet1"
	pe := rgScope() + "/providers/Microsoft.Network/privateEndpoints/pe1"
	zone := rgScope() + "/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net"
	const api = "?api-version=2024-05-01"
	for _, s := range []struct{ method, path, body string }{
		{"PUT", vnet + api, `{"location":"eastus","properties":{"addressSpace":{"addressPrefixes":["10.1.0.0/16"]},"subnets":[{"name":"pe","properties":{"addressPrefix":"10.1.2.0/24"}}]}}`},
		{"PUT", vnet + api, `{"location":"eastus","properties":{"addressSpace":{"addressPrefixes":["10.1.0.0/16","10.1.0.0/8"]}}}`},
		{"PUT", vnet + "/subnets/apps" + api, `{"properties":{"addressPrefixes":["10.1.3.0/24"],"serviceEndpoints":[{"service":"Microsoft.KeyVault"}],"delegations":[{"name":"d","properties":{"serviceName":"Microsoft.Databricks/workspaces"}}]}}`},
		{"PUT", vnet + "/subnets/x" + api, `{"properties":{"delegations":[{"name":"d"}]}}`},
		{"PUT", pe + api, `{"location":"eastus","properties":{"subnet":{"id":"` + vnet + `/subnets/pe"},"privateLinkServiceConnections":[{"name":"c","properties":{"privateLinkServiceId":"` + vaultPath("kv-fuzz") + `","groupIds":["vault"]}}]}}`},
		{"PUT", pe + api, `{"location":"eastus","properties":{"subnet":{"id":"/subnets/"},"manualPrivateLinkServiceConnections":[{"properties":{}}]}}`},
		{"PUT", pe + "/privateDnsZoneGroups/default" + api, `{"properties":{"privateDnsZoneConfigs":[{"name":"z","properties":{"privateDnsZoneId":"` + zone + `"}}]}}`},
		{"PUT", zone + api, `{"location":"global"}`},
		{"PUT", zone + "/virtualNetworkLinks/l" + api, `{"location":"global","properties":{"virtualNetwork":{"id":"` + vnet + `"}}}`},
		{"PUT", zone + "/A/kv-fuzz" + api, `{"properties":{"ttl":10,"aRecords":[{"ipv4Address":"10.1.2.4"}]}}`},
		{"GET", zone + "/ALL" + api, ""},
		{"PUT", vaultPath("kv-fuzz") + "/privateEndpointConnections/pe1.x" + api, `{"properties":{"privateLinkServiceConnectionState":{"status":"Approved"}}}`},
		{"DELETE", vnet + "/subnets/pe" + api, ""},
		{"GET", subScope() + "/providers/Microsoft.Network/privateEndpoints" + api, ""},
	} {
		f.Add(s.method, s.path, s.body)
	}
	h := e.srv.Config.Handler
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n#") {
			return
		}
		req, err := http.NewRequest(method, "https://localhost"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && method != http.MethodHead {
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%s %s: error body %q is not ARM's", method, path, rec.Body)
			}
		}
	})
}
