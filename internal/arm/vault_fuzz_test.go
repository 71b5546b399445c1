package arm

import (
	"net/netip"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
)

// An accepted IP rule is a masked public IPv4 prefix, and accepting it again
// gives it back unchanged (what GET returns can be PUT again).
func FuzzParseIPRule(f *testing.F) {
	for _, s := range []string{
		"203.0.113.7", "203.0.113.7/32", "198.51.100.77/24", "10.0.0.1", "172.16.0.0/12", "192.168.1.1",
		"127.0.0.1", "0.0.0.0/0", "::1", "::ffff:1.2.3.4", "1.2.3", "1.2.3.4/33", "", " 1.2.3.4", "01.2.3.4",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseIPRule(s)
		if err != nil {
			if scopevault.ErrorCodeOf(err) != scopevault.EINVALID {
				t.Fatalf("parseIPRule(%q): %v is not EINVALID", s, err)
			}
			return
		}
		p, perr := netip.ParsePrefix(got)
		if perr != nil || !p.Addr().Is4() || p != p.Masked() {
			t.Fatalf("parseIPRule(%q) = %q, not a masked IPv4 prefix", s, got)
		}
		for _, np := range nonPublic {
			if p.Overlaps(np) {
				t.Fatalf("parseIPRule(%q) = %q overlaps %s", s, got, np)
			}
		}
		if again, err := parseIPRule(got); err != nil || again != got {
			t.Fatalf("parseIPRule(%q) = %q, %v; want it unchanged", got, again, err)
		}
	})
}

// A purge operation id names a valid vault and round-trips; anything else is refused.
func FuzzPurgeOpID(f *testing.F) {
	for _, s := range []string{"a3YtZ29uZXwxNzc1MDQ0ODAw", "", "not-an-op", "fA", "a3YtLS18MQ"} {
		f.Add(s, "kv-gone", int64(1775044800))
	}
	f.Fuzz(func(t *testing.T, id, name string, deleted int64) {
		if n, _, ok := parsePurgeOpID(id); ok && !scopevault.ValidVaultName(n) {
			t.Fatalf("parsePurgeOpID(%q) accepted name %q", id, n)
		}
		if !scopevault.ValidVaultName(name) {
			return
		}
		at := time.Unix(deleted, 0)
		v := &scopevault.Vault{Name: name, Deleted: &at}
		n, d, ok := parsePurgeOpID(purgeOpID(v))
		if !ok || n != scopevault.VaultKey(name) || d != deleted {
			t.Fatalf("round trip of %q/%d = %q/%d/%v", name, deleted, n, d, ok)
		}
	})
}

func TestParseSubnetID(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"ok/lower-cased", "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/V/subnets/Sn", "/subscriptions/s/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v/subnets/sn"},
		{"fail/trailing-slash", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/sn/", ""},
		{"fail/vnet-only", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v", ""},
		{"fail/empty-segment", "/subscriptions/s/resourceGroups//providers/Microsoft.Network/virtualNetworks/v/subnets/sn", ""},
		{"fail/relative", "subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/sn", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSubnetID(tc.in)
			if got != tc.want || (err == nil) != (tc.want != "") {
				t.Errorf("parseSubnetID(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}
