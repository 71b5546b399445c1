package explain_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/explain"
)

func TestParseFrom(t *testing.T) {
	const subnet = "/subscriptions/s1/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/se"
	tests := []struct {
		name, in string
		want     explain.From
		fail     bool
	}{
		{"ok/empty", "", explain.From{Kind: explain.FromInternet}, false},
		{"ok/internet", "Internet", explain.From{Kind: explain.FromInternet}, false},
		{"ok/ipv4", "203.0.113.7", explain.From{Kind: explain.FromIP, IP: netip.MustParseAddr("203.0.113.7")}, false},
		{"ok/ipv4-mapped", "::ffff:203.0.113.7", explain.From{Kind: explain.FromIP, IP: netip.MustParseAddr("203.0.113.7")}, false},
		{"ok/vnet-subnet", "vnet1/se", explain.From{Kind: explain.FromSubnet, Subnet: "vnet1/se"}, false},
		{"ok/subnet-id", subnet, explain.From{Kind: explain.FromSubnet, Subnet: subnet}, false},
		{"ok/endpoint-name", "private-endpoint/pe1", explain.From{Kind: explain.FromPrivateEndpoint, Endpoint: "pe1"}, false},
		{"ok/endpoint-id", peID, explain.From{Kind: explain.FromPrivateEndpoint, Endpoint: peID}, false},
		{"fail/words", "my laptop", explain.From{}, true},
		{"fail/three-parts", "a/b/c", explain.From{}, true},
		{"fail/bad-subnet-id", "/subnets/x", explain.From{}, true},
		{"fail/endpoint-no-name", "private-endpoint/", explain.From{}, true},
		{"fail/endpoint-bad-id", "/subscriptions/s/providers/Microsoft.Network/privateEndpoints/pe", explain.From{}, true},
		{"fail/zone", "fe80::1%eth0", explain.From{}, true},
		{"fail/long", strings.Repeat("a", 2000), explain.From{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := explain.ParseFrom(tt.in)
			if tt.fail {
				if scopevault.ErrorCodeOf(err) != scopevault.EINVALID {
					t.Fatalf("ParseFrom(%q) = %+v, %v; want EINVALID", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseFrom(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

// FuzzParseFrom: any argument parses or is refused as invalid, never a
// panic; what parses prints back to something that parses the same, and
// locating it in a network never panics.
func FuzzParseFrom(f *testing.F) {
	for _, s := range []string{"", "internet", "10.0.0.1", "vnet1/se", "private-endpoint/pe1", peID, sub1 + "/subnets/se", "a/b/c", "::1", "x/"} {
		f.Add(s)
	}
	n := network("kv", scopevault.ConnectionApproved)
	f.Fuzz(func(t *testing.T, s string) {
		from, err := explain.ParseFrom(s)
		if err != nil {
			if scopevault.ErrorCodeOf(err) != scopevault.EINVALID {
				t.Fatalf("ParseFrom(%q): %v", s, err)
			}
			return
		}
		again, err := explain.ParseFrom(from.String())
		if err != nil || again != from {
			t.Fatalf("ParseFrom(%q) = %+v, but its String %q parses to %+v, %v", s, from, from.String(), again, err)
		}
		if _, err := explain.Locate(n, "kv", from); err != nil && scopevault.ErrorCodeOf(err) == scopevault.EINTERNAL {
			t.Fatalf("Locate(%+v): %v", from, err)
		}
	})
}

// TestLocate: how each source reaches a vault, by the network's DNS.
func TestLocate(t *testing.T) {
	tests := []struct {
		name, from, state string
		wantVia           string // "", "subnet" or "endpoint"
		wantRule          string
		fail              bool
	}{
		{"ok/internet", "internet", "Approved", "", "resolves publicly", false},
		{"ok/ip", "198.51.100.1", "Approved", "", "a client at 198.51.100.1", false},
		{"ok/subnet-approved-resolves-private", "vnet1/plain", "Approved", "endpoint", "A record kv -> 10.1.3.4, private endpoint pe1", false},
		{"ok/subnet-pending-resolves-public", "vnet1/plain", "Pending", "subnet", "no approved private endpoint connection", false},
		{"ok/subnet-service-endpoint", "vnet1/se", "", "subnet", "service endpoint, source address 10.1.1.4", false},
		{"ok/endpoint", "private-endpoint/pe1", "Pending", "endpoint", "private IP 10.1.3.4", false},
		{"fail/unknown-vnet", "vnet9/plain", "", "", "", true},
		{"fail/unknown-subnet", "vnet1/nope", "", "", "", true},
		{"fail/unknown-endpoint", "private-endpoint/pe9", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, err := explain.ParseFrom(tt.from)
			if err != nil {
				t.Fatal(err)
			}
			p, err := explain.Locate(network("kv", tt.state), "kv", from)
			if tt.fail {
				if scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
					t.Fatalf("Locate = %+v, %v; want ENOTFOUND", p, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			switch {
			case p.Via != nil && p.Via.PrivateEndpoint != "":
				got = "endpoint"
			case p.Via != nil:
				got = "subnet"
			}
			if got != tt.wantVia || !strings.Contains(p.Hop.Rule, tt.wantRule) {
				t.Fatalf("via %q (%+v), rule %q; want %q, %q", got, p.Via, p.Hop.Rule, tt.wantVia, tt.wantRule)
			}
		})
	}
	other := network("kv2", scopevault.ConnectionApproved)
	from, _ := explain.ParseFrom("private-endpoint/pe1")
	if _, err := explain.Locate(other, "kv", from); scopevault.ErrorReasonOf(err) != "EndpointForAnotherVault" {
		t.Fatalf("an endpoint of another vault: %v", err)
	}
}
