package netgate_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/netgate"
)

var trusted = func(appID string) bool { return appID == scopevault.AzureDatabricksAppID }

// TestDecideEveryCombination runs the gate over every combination of public
// network access, default action, bypass, IP rules, virtual network rules,
// private endpoint state and caller kind, against the reference's order
// (shared/reference/azure-arm-network-rbac.md §3.1), written out as it is
// there.
func TestDecideEveryCombination(t *testing.T) {
	const subnet = "/subscriptions/s/resourcegroups/rg/providers/microsoft.network/virtualnetworks/vnet/subnets/a"
	client := netip.MustParseAddr("127.0.0.9")
	users := map[string]*scopevault.Caller{
		"user":    {ObjectID: "u", AppID: "11111111-1111-1111-1111-111111111111"},
		"trusted": {ObjectID: "d", AppID: scopevault.AzureDatabricksAppID},
	}
	n := 0
	for _, pna := range []string{"Enabled", "Disabled", ""} {
		for _, action := range []string{"", "Allow", "Deny"} {
			for _, bypass := range []string{"AzureServices", "None", ""} {
				for _, ipRule := range []string{"", "127.0.0.0/24", "10.0.0.1/32", "127.0.0.9"} {
					for _, vnetRule := range []bool{false, true} {
						for _, pe := range []string{"", "Approved", "Pending", "Rejected", "Disconnected"} {
							for _, fromSubnet := range []bool{false, true} {
								for kind, caller := range users {
									v := &scopevault.Vault{Name: "kv", Location: "eastus", PublicNetworkAccess: pna}
									if action != "" || bypass != "" || ipRule != "" || vnetRule {
										v.NetworkACLs = &scopevault.NetworkACLs{DefaultAction: action, Bypass: bypass}
										if ipRule != "" {
											v.NetworkACLs.IPRules = []string{ipRule}
										}
										if vnetRule {
											v.NetworkACLs.VirtualNetworkRules = []scopevault.VNetRule{{ID: subnet}}
										}
									}
									o := netgate.Origin{Client: client}
									if pe != "" {
										o.Endpoint = &netgate.Endpoint{ID: "pe1", State: pe}
									}
									if fromSubnet {
										o.Subnet = subnet
									}
									want := reference(pna, action, bypass, ipRule, vnetRule, pe, fromSubnet, kind == "trusted")
									d := netgate.Decide(v, o, caller, trusted)
									got := "allow"
									if !d.Allowed {
										got = d.Reason
									}
									if got != want || d.Model != netgate.Model || d.Rule == "" {
										t.Fatalf("pna=%q action=%q bypass=%q ip=%q vnet=%v pe=%q subnet=%v %s: got %s (%s), want %s",
											pna, action, bypass, ipRule, vnetRule, pe, fromSubnet, kind, got, d.Rule, want)
									}
									n++
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d combinations", n)
}

// reference is §3.1 of the reference, step by step.
func reference(pna, action, bypass, ipRule string, vnetRule bool, pe string, fromSubnet, isTrusted bool) string {
	if pe == "Approved" {
		return "allow" // 2. approved private endpoint
	}
	if bypass == "" {
		bypass = "AzureServices" // Key Vault's default
	}
	trustedBypass := isTrusted && bypass == "AzureServices"
	if pna == "Disabled" { // 4.
		if trustedBypass {
			return "allow"
		}
		return "ForbiddenByConnection"
	}
	// 4'. Enabled (or unset)
	if action != "Deny" {
		return "allow"
	}
	if trustedBypass {
		return "allow"
	}
	if ipRule != "" && !fromSubnet && ipRule != "10.0.0.1/32" {
		return "allow" // 127.0.0.9 is inside 127.0.0.0/24 and is 127.0.0.9
	}
	if vnetRule && fromSubnet {
		return "allow"
	}
	return "ForbiddenByFirewall"
}

// TestDenialMessages: each network denial reads as Key Vault's for its
// bypass setting (reference §3.4).
func TestDenialMessages(t *testing.T) {
	caller := &scopevault.Caller{ObjectID: "o", AppID: "a", Issuer: "https://sts.windows.net/t/"}
	tests := []struct {
		name, pna, action, bypass, want string
	}{
		{"firewall/bypass-azureservices", "Enabled", "Deny", "AzureServices", "Client address is not authorized and caller is not a trusted service.\r\nClient address: 127.0.0.9\r\n"},
		{"firewall/bypass-none", "Enabled", "Deny", "None", "Client address is not authorized and caller was ignored because bypass is set to None\r\nClient address: 127.0.0.9\r\n"},
		{"connection/bypass-azureservices", "Disabled", "", "AzureServices", "Public network access is disabled and request is not from a trusted service nor via an approved private link.\r\nCaller: "},
		{"connection/bypass-none", "Disabled", "", "None", "Connection is not an approved private link and caller was ignored because bypass is not set to 'AzureServices' and PublicNetworkAccess is set to 'Disabled'.\r\nCaller: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &scopevault.Vault{Name: "kv", Location: "eastus", PublicNetworkAccess: tt.pna,
				NetworkACLs: &scopevault.NetworkACLs{DefaultAction: tt.action, Bypass: tt.bypass}}
			d := netgate.Decide(v, netgate.Origin{Client: netip.MustParseAddr("127.0.0.9")}, caller, trusted)
			err := scopevault.VaultDenial(d, caller, v, scopevault.OpGetSecret, netip.MustParseAddr("127.0.0.9"))
			if err.Code != scopevault.EFORBIDDEN || err.Reason != d.Reason || !strings.HasPrefix(err.Message, tt.want) ||
				!strings.HasSuffix(err.Message, "Vault: kv;location=eastus") {
				t.Fatalf("denial %s/%s: %q", err.Code, err.Reason, err.Message)
			}
		})
	}
}

// FuzzDecide: any rules and addresses give a decision, never a panic, and
// an approved private endpoint always passes.
func FuzzDecide(f *testing.F) {
	f.Add("Disabled", "Deny", "None", "127.0.0.0/8", "127.0.0.1", "Approved")
	f.Add("Enabled", "Deny", "AzureServices", "bad/99", "::ffff:127.0.0.1", "")
	f.Fuzz(func(t *testing.T, pna, action, bypass, rule, addr, pe string) {
		v := &scopevault.Vault{Name: "kv", PublicNetworkAccess: pna, NetworkACLs: &scopevault.NetworkACLs{DefaultAction: action, Bypass: bypass, IPRules: []string{rule}}}
		o := netgate.Origin{}
		o.Client, _ = netip.ParseAddr(addr)
		if pe != "" {
			o.Endpoint = &netgate.Endpoint{ID: "pe", State: pe}
		}
		d := netgate.Decide(v, o, &scopevault.Caller{}, trusted)
		if strings.EqualFold(pe, "Approved") && !d.Allowed {
			t.Fatalf("approved endpoint denied: %s", d.Rule)
		}
		if !d.Allowed && d.Reason != netgate.ReasonForbiddenByConnection && d.Reason != netgate.ReasonForbiddenByFirewall {
			t.Fatal(fmt.Sprintf("unknown reason %q", d.Reason))
		}
	})
}

// BenchmarkDecide: the gate's cost on a GET with rules set: a Deny
// firewall with ten IP rules, the client matching the last.
func BenchmarkDecide(b *testing.B) {
	rules := make([]string, 10)
	for i := range rules {
		rules[i] = fmt.Sprintf("203.0.%d.0/24", i)
	}
	rules[9] = "127.0.0.0/8"
	v := &scopevault.Vault{Name: "kv", PublicNetworkAccess: "Enabled", NetworkACLs: &scopevault.NetworkACLs{DefaultAction: "Deny", Bypass: "AzureServices", IPRules: rules}}
	o := netgate.Origin{Client: netip.MustParseAddr("127.0.0.1")}
	c := &scopevault.Caller{AppID: "11111111-1111-1111-1111-111111111111"}
	b.ReportAllocs()
	for b.Loop() {
		if d := netgate.Decide(v, o, c, trusted); !d.Allowed {
			b.Fatal(d.Rule)
		}
	}
}
