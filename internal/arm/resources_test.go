package arm

import (
	"strings"
	"testing"
)

func TestResourceTypeFilter(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		fail           bool
	}{
		{name: "ok/empty", in: "", want: ""},
		{name: "ok/vaults", in: "resourceType eq 'Microsoft.KeyVault/vaults'", want: "Microsoft.KeyVault/vaults"},
		{name: "ok/case", in: "  ResourceType EQ 'x/y' ", want: "x/y"},
		{name: "fail/other-field", in: "name eq 'kv'", fail: true},
		{name: "fail/unterminated", in: "resourceType eq 'x", fail: true},
		{name: "fail/empty-quote", in: "resourceType eq '", fail: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resourceTypeFilter(tc.in)
			if (err != nil) != tc.fail || got != tc.want {
				t.Fatalf("resourceTypeFilter(%q) = %q, %v", tc.in, got, err)
			}
		})
	}
}

func FuzzResourceTypeFilter(f *testing.F) {
	for _, s := range []string{"", "resourceType eq 'Microsoft.KeyVault/vaults'", "resourceType eq '", "'", "resourcetype eq ''"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := resourceTypeFilter(in)
		if err == nil && got != "" && !strings.Contains(in, got) {
			t.Fatalf("%q parsed to %q, which it does not contain", in, got)
		}
	})
}
