package rm_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
)

// FuzzVirtualNetwork: any address space and subnets either fail with a
// client error, or are stored with every subnet canonical, inside the
// space and overlapping no other.
func FuzzVirtualNetwork(f *testing.F) {
	m := MustNetManager(f)
	for _, s := range [][3]string{
		{"10.1.0.0/16", "10.1.2.0/24", "10.1.3.0/24"},
		{"10.1.0.0/16", "10.1.2.0/24", "10.1.2.128/25"},
		{"10.1.0.1/16", "10.1.2.0/24", ""},
		{"10.1.0.0/16,10.2.0.0/16", "10.2.0.0/29", "10.1.0.0/29"},
		{"fd00::/8", "fd00::/64", ""},
		{"10.0.0.0/8", "10.0.0.0/30", "x"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, space, a, b string) {
		n := scopevault.VirtualNetwork{Name: "fuzz", SubscriptionID: sub, ResourceGroup: "net", Location: "westeurope",
			AddressPrefixes: strings.Split(space, ",")}
		for i, p := range []string{a, b} {
			if p != "" {
				n.Subnets = append(n.Subnets, scopevault.Subnet{Name: "s" + string(rune('0'+i)), AddressPrefix: p})
			}
		}
		out, _, err := m.PutVirtualNetwork(context.Background(), n)
		if err != nil {
			if c := scopevault.ErrorCodeOf(err); c != scopevault.EINVALID && c != scopevault.ECONFLICT {
				t.Fatalf("%q %q %q: %v", space, a, b, err)
			}
			return
		}
		var spaces []netip.Prefix
		for _, s := range out.AddressPrefixes {
			spaces = append(spaces, netip.MustParsePrefix(s))
		}
		var seen []netip.Prefix
		for _, s := range out.Subnets {
			p := netip.MustParsePrefix(s.AddressPrefix)
			if p.Masked() != p || p.Bits() > 29 {
				t.Fatalf("subnet %s stored", p)
			}
			inside := false
			for _, q := range spaces {
				inside = inside || (q.Bits() <= p.Bits() && q.Contains(p.Addr()))
			}
			for _, q := range seen {
				if q.Overlaps(p) {
					t.Fatalf("subnets %s and %s overlap", q, p)
				}
			}
			if !inside {
				t.Fatalf("subnet %s outside %v", p, spaces)
			}
			seen = append(seen, p)
		}
	})
}
