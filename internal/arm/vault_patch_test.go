package arm_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"testing"
)

// PATCH changes only what the body names; networkAcls is replaced whole.
func TestPatchVault(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	path := vaultPath("kv-patch") + "?" + armAPI
	e.MustPut(t, "kv-patch", map[string]any{
		"softDeleteRetentionInDays": 30,
		"networkAcls": map[string]any{"defaultAction": "Deny", "bypass": "None",
			"ipRules": []any{map[string]any{"value": "203.0.113.7"}, map[string]any{"value": "198.51.100.0/24"}}},
	})
	e.changed = nil
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		want   map[string]any // dotted path -> value after the call
	}{
		{"ok/tags-only", map[string]any{"tags": map[string]string{"env": "dev"}}, 200, "", map[string]any{
			"tags.env": "dev", "properties.softDeleteRetentionInDays": float64(30), "properties.networkAcls.bypass": "None",
			"properties.enableRbacAuthorization": false, "properties.sku.name": "standard",
		}},
		{"ok/properties-keep-tags", map[string]any{"properties": map[string]any{"enabledForDeployment": true, "publicNetworkAccess": "disabled"}}, 200, "", map[string]any{
			"tags.env": "dev", "properties.enabledForDeployment": true, "properties.publicNetworkAccess": "Disabled",
		}},
		{"ok/network-acls-replaced-whole", map[string]any{"properties": map[string]any{"networkAcls": map[string]any{"defaultAction": "allow"}}}, 200, "", map[string]any{
			"properties.networkAcls.bypass": "AzureServices", "properties.networkAcls.defaultAction": "Allow",
		}},
		{"ok/same-retention", map[string]any{"properties": map[string]any{"softDeleteRetentionInDays": 30}}, 200, "", nil},
		{"ok/sku-premium", map[string]any{"properties": map[string]any{"sku": map[string]any{"family": "A", "name": "Premium"}}}, 200, "", map[string]any{"properties.sku.name": "premium"}},
		{"ok/purge-protection-on", map[string]any{"properties": map[string]any{"enablePurgeProtection": true}}, 200, "", map[string]any{"properties.enablePurgeProtection": true}},
		{"fail/purge-protection-off", map[string]any{"properties": map[string]any{"enablePurgeProtection": false}}, 400, "BadRequest", nil},
		{"fail/retention-change", map[string]any{"properties": map[string]any{"softDeleteRetentionInDays": 7}}, 400, "BadRequest", nil},
		{"fail/retention-out-of-range", map[string]any{"properties": map[string]any{"softDeleteRetentionInDays": 91}}, 400, "BadRequest", nil},
		{"fail/soft-delete-off", map[string]any{"properties": map[string]any{"enableSoftDelete": false}}, 400, "BadRequest", nil},
		{"fail/bad-public-network-access", map[string]any{"properties": map[string]any{"publicNetworkAccess": "sometimes"}}, 400, "BadRequest", nil},
		{"fail/private-ip-rule", map[string]any{"properties": map[string]any{"networkAcls": map[string]any{"ipRules": []any{map[string]any{"value": "10.1.2.3"}}}}}, 400, "BadRequest", nil},
		{"fail/policy-of-other-tenant", map[string]any{"properties": map[string]any{"accessPolicies": []any{map[string]any{"tenantId": otherTenant, "objectId": e.admin.ObjectID, "permissions": map[string]any{}}}}}, 400, "BadRequest", nil},
		{"fail/bad-create-mode", map[string]any{"properties": map[string]any{"createMode": "sideways"}}, 400, "BadRequest", nil},
		{"fail/not-json", "{", 400, "InvalidRequestContent", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, http.MethodPatch, path, tok, tc.body)
			MustStatus(t, r, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q (%s)", got, tc.code, r.Raw)
			}
			for k, want := range tc.want {
				if got := r.Get(k); !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", k, got, want)
				}
			}
		})
	}
	r := e.Do(t, http.MethodGet, path, tok, nil)
	if got := r.Get("properties.networkAcls.ipRules"); !reflect.DeepEqual(got, []any{}) {
		t.Errorf("ipRules after replacing the rule set = %#v, want []", got)
	}
	if got := r.Get("properties.enablePurgeProtection"); got != true {
		t.Errorf("enablePurgeProtection = %v", got)
	}
	if !slices.Contains(e.changed, "kv-patch") {
		t.Errorf("OnVaultChanged not called on PATCH: %v", e.changed)
	}
	other := subScope() + "/resourceGroups/rg-other"
	MustStatus(t, e.Do(t, http.MethodPut, other+"?"+rgAPI, tok, map[string]any{"location": "eastus"}), http.StatusCreated)
	r = e.Do(t, http.MethodPatch, other+"/providers/Microsoft.KeyVault/vaults/kv-patch?"+armAPI, tok, map[string]any{})
	MustStatus(t, r, http.StatusNotFound)
	if got := r.ErrorCode(); got != "ResourceNotFound" {
		t.Errorf("PATCH in another group: code = %q", got)
	}
}

func TestNetworkACLValidation(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	e.MustPut(t, "kv-net", nil)
	path := vaultPath("kv-net") + "?" + armAPI
	ips := func(vals ...string) map[string]any {
		var rules []any
		for _, v := range vals {
			rules = append(rules, map[string]any{"value": v})
		}
		return map[string]any{"ipRules": rules}
	}
	many := func(n int, f func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	publicIP := func(i int) string { return fmt.Sprintf("20.%d.%d.1", i/256, i%256) }
	subnet := func(i int) string {
		return fmt.Sprintf("/subscriptions/%s/resourceGroups/Net/providers/Microsoft.Network/virtualNetworks/VNet/subnets/S%d", sub, i)
	}
	vnets := func(ids ...string) map[string]any {
		var rules []any
		for _, id := range ids {
			rules = append(rules, map[string]any{"id": id, "ignoreMissingVnetServiceEndpoint": true})
		}
		return map[string]any{"virtualNetworkRules": rules}
	}
	for _, tc := range []struct {
		name string
		acls map[string]any
		want []string // ipRules, or the first vnet rule id
	}{
		{"ok/address-becomes-32", ips("203.0.113.7"), []string{"203.0.113.7/32"}},
		{"ok/explicit-32", ips("203.0.113.7/32"), []string{"203.0.113.7/32"}},
		{"ok/cidr-masked", ips("198.51.100.77/24"), []string{"198.51.100.0/24"}},
		{"ok/next-to-private", ips("11.0.0.0/8", "172.32.0.1", "192.169.0.0/16"), []string{"11.0.0.0/8", "172.32.0.1/32", "192.169.0.0/16"}},
		{"ok/1000-ip-rules", ips(many(1000, publicIP)...), many(1000, func(i int) string { return publicIP(i) + "/32" })},
		{"ok/vnet-id-lower-cased", vnets(subnet(1)), []string{"/subscriptions/" + sub + "/resourcegroups/net/providers/microsoft.network/virtualnetworks/vnet/subnets/s1"}},
		{"ok/200-vnet-rules", vnets(many(200, subnet)...), nil},
		{"fail/rfc1918-10", ips("10.0.0.1"), nil},
		{"fail/rfc1918-172", ips("172.20.1.1"), nil},
		{"fail/rfc1918-192", ips("192.168.1.0/24"), nil},
		{"fail/covers-private", ips("0.0.0.0/0"), nil},
		{"fail/loopback", ips("127.0.0.1"), nil},
		{"fail/ipv6", ips("2001:db8::1"), nil},
		{"fail/ipv6-cidr", ips("2001:db8::/32"), nil},
		{"fail/ipv4-mapped", ips("::ffff:20.1.1.1"), nil},
		{"fail/malformed", ips("20.1.1"), nil},
		{"fail/bad-prefix", ips("20.1.1.1/33"), nil},
		{"fail/empty", ips(""), nil},
		{"fail/1001-ip-rules", ips(many(1001, publicIP)...), nil},
		{"fail/201-vnet-rules", vnets(many(201, subnet)...), nil},
		{"fail/vnet-not-a-subnet", vnets("/subscriptions/" + sub + "/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet"), nil},
		{"fail/vnet-other-provider", vnets("/subscriptions/" + sub + "/resourceGroups/net/providers/Microsoft.Compute/virtualNetworks/v/subnets/s"), nil},
		{"fail/bypass", map[string]any{"bypass": "Everything"}, nil},
		{"fail/default-action", map[string]any{"defaultAction": "Maybe"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, http.MethodPatch, path, tok, map[string]any{"properties": map[string]any{"networkAcls": tc.acls}})
			if tc.name[:4] == "fail" {
				MustStatus(t, r, http.StatusBadRequest)
				if r.ErrorCode() != "BadRequest" {
					t.Errorf("code = %q", r.ErrorCode())
				}
				return
			}
			MustStatus(t, r, http.StatusOK)
			acl := r.Get("properties.networkAcls").(map[string]any)
			if acl["bypass"] != "AzureServices" || acl["defaultAction"] != "Allow" {
				t.Errorf("defaults: bypass %v defaultAction %v", acl["bypass"], acl["defaultAction"])
			}
			var got []string
			if _, ok := tc.acls["ipRules"]; ok {
				for _, x := range acl["ipRules"].([]any) {
					got = append(got, x.(map[string]any)["value"].(string))
				}
			} else if rules := acl["virtualNetworkRules"].([]any); len(rules) > 0 {
				first := rules[0].(map[string]any)
				got = []string{first["id"].(string)}
				if first["ignoreMissingVnetServiceEndpoint"] != true {
					t.Errorf("ignoreMissingVnetServiceEndpoint = %v", first["ignoreMissingVnetServiceEndpoint"])
				}
			}
			if tc.want != nil && !slices.Equal(got, tc.want) {
				if len(got) > 3 {
					t.Errorf("got %d rules, want %d", len(got), len(tc.want))
				} else {
					t.Errorf("rules = %v, want %v", got, tc.want)
				}
			}
		})
	}
}
