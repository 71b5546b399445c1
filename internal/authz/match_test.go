package authz_test

import (
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/authz"
)

func TestMatchAction(t *testing.T) {
	const get = "Microsoft.KeyVault/vaults/secrets/getSecret/action"
	for _, tc := range []struct {
		pattern, action string
		want            bool
	}{
		{"*", get, true},
		{"*", "", true},
		{get, get, true},
		{strings.ToLower(get), get, true},
		{"Microsoft.KeyVault/vaults/*", get, true},
		{"Microsoft.KeyVault/vaults/secrets/*", get, true},
		{"Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/read", true},
		{"Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/a/b/read", true},
		{"*/read", "Microsoft.KeyVault/vaults/read", true},
		{"Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/write", true},
		{"Microsoft.KeyVault/vaults/*/read", get, false},
		{"Microsoft.KeyVault/vaults/certificates/*", get, false},
		{"Microsoft.KeyVault/vaults/secrets/getSecret", get, false},
		{get, get + "/x", false},
		{"*/read", "Microsoft.KeyVault/vaults/readMetadata", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXcYYb", false},
	} {
		if got := authz.MatchAction(tc.pattern, tc.action); got != tc.want {
			t.Errorf("MatchAction(%q, %q) = %v, want %v", tc.pattern, tc.action, got, tc.want)
		}
	}
}

func TestIsAncestorOrSelf(t *testing.T) {
	const v = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
	for _, tc := range []struct {
		ancestor, scope string
		want            bool
	}{
		{"/", v, true},
		{"/subscriptions/S1", v, true},
		{"/subscriptions/s1/", v, true},
		{strings.ToUpper(v), v + "/secrets/x", true},
		{v, v, true},
		{v + "/", v, true},
		{"/subscriptions/s", v, false},
		{v + "/secrets/x", v, false},
		{v, v + "x", false},
		{"", v, false},
		{"subscriptions/s1", "subscriptions/s1", false},
		{"/", "", false},
	} {
		if got := authz.IsAncestorOrSelf(tc.ancestor, tc.scope); got != tc.want {
			t.Errorf("IsAncestorOrSelf(%q, %q) = %v, want %v", tc.ancestor, tc.scope, got, tc.want)
		}
	}
}

func FuzzMatchAction(f *testing.F) {
	for _, s := range [][2]string{
		{"*", "Microsoft.KeyVault/vaults/secrets/getSecret/action"},
		{"Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/read"},
		{"a*b*c*", "abcabc"},
		{"K", "\u212a"}, // Kelvin sign folds to k
		{"\xff", "\xfe"},
		{"***", ""},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, action string) {
		got := authz.MatchAction(pattern, action) // must not panic
		if !authz.MatchAction("*", action) {
			t.Errorf("MatchAction(\"*\", %q) = false", action)
		}
		if !authz.MatchAction(pattern, pattern) {
			t.Errorf("MatchAction(%q, itself) = false", pattern)
		}
		if !strings.Contains(pattern, "*") {
			if want := strings.EqualFold(pattern, action); got != want {
				t.Errorf("MatchAction(%q, %q) = %v, want EqualFold %v", pattern, action, got, want)
			}
		}
		// Appending a star never narrows a pattern.
		if got && !authz.MatchAction(pattern+"*", action) {
			t.Errorf("MatchAction(%q*, %q) = false though %q matched", pattern, action, pattern)
		}
	})
}

func FuzzIsAncestorOrSelf(f *testing.F) {
	for _, s := range [][2]string{
		{"/", "/subscriptions/s"},
		{"/subscriptions/S", "/subscriptions/s/resourceGroups/rg"},
		{"/subscriptions/s", "/subscriptions/s0"},
		{"//", "/"},
		{"", ""},
		{"/\u212a", "/k/x"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, ancestor, scope string) {
		got := authz.IsAncestorOrSelf(ancestor, scope) // must not panic
		valid := strings.HasPrefix(scope, "/")
		if got && (!valid || !strings.HasPrefix(ancestor, "/")) {
			t.Errorf("IsAncestorOrSelf(%q, %q) = true for a non-scope", ancestor, scope)
		}
		if valid {
			if !authz.IsAncestorOrSelf(scope, scope) {
				t.Errorf("IsAncestorOrSelf(%q, itself) = false", scope)
			}
			if !authz.IsAncestorOrSelf("/", scope) {
				t.Errorf("root does not contain %q", scope)
			}
			if !authz.IsAncestorOrSelf(scope, scope+"/child") {
				t.Errorf("%q does not contain its child", scope)
			}
			if trimmed := strings.TrimRight(scope, "/"); trimmed != "" && authz.IsAncestorOrSelf(trimmed+"x", trimmed) {
				t.Errorf("%qx contains %q", trimmed, trimmed)
			}
			if trimmed := strings.TrimRight(scope, "/"); trimmed != "" && authz.IsAncestorOrSelf(trimmed, trimmed+"x") {
				t.Errorf("%q contains %qx (not on a segment boundary)", trimmed, trimmed)
			}
		}
		// Containment is transitive through a child.
		if got && !authz.IsAncestorOrSelf(ancestor, scope+"/child") {
			t.Errorf("%q contains %q but not %q/child", ancestor, scope, scope)
		}
	})
}
