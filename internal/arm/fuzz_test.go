package arm

import (
	"net/http"
	"strings"
	"testing"
)

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"atScope()", "principalId eq 'abc'", "atScope() and principalId eq 'a''b'",
		"assignedTo('x')", "roleName eq 'Key Vault Secrets User'", "", "and", "x eq", "f('", "a eq 'b' and",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms, err := parseFilter(s)
		if err != nil {
			return
		}
		if len(terms) == 0 {
			t.Fatalf("parseFilter(%q) accepted no terms", s)
		}
		for _, term := range terms {
			if term.Name == "" || term.Name != strings.ToLower(term.Name) {
				t.Fatalf("parseFilter(%q) term name %q", s, term.Name)
			}
			if !term.Call && !term.HasV {
				t.Fatalf("parseFilter(%q): comparison without a value", s)
			}
		}
	})
}

func TestParseFilter(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []filterTerm
	}{
		{"ok/at-scope", "atScope()", []filterTerm{{Name: "atscope", Call: true}}},
		{"ok/eq", "principalId eq 'a b'", []filterTerm{{Name: "principalid", Value: "a b", HasV: true}}},
		{"ok/escaped-quote", "roleName eq 'O''Brien'", []filterTerm{{Name: "rolename", Value: "O'Brien", HasV: true}}},
		{"ok/and", "atScope() AND assignedTo('x')", []filterTerm{{Name: "atscope", Call: true}, {Name: "assignedto", Call: true, Value: "x", HasV: true}}},
		{"fail/unterminated", "principalId eq 'x", nil},
		{"fail/trailing-and", "atScope() and", nil},
		{"fail/or", "atScope() or atScope()", nil},
		{"fail/no-value", "principalId eq", nil},
		{"fail/empty", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseFilter(tc.in)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("parseFilter(%q) = %v, want error", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("term %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func FuzzParseRoute(f *testing.F) {
	for _, s := range []string{
		"/subscriptions", "/subscriptions/s/resourcegroups/rg", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v",
		"/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/n", "/providers/Microsoft.Authorization/roleDefinitions",
		"/v1.0/servicePrincipals(appId='x')", "/v1.0/users/a@b", "//", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization",
		"/subscriptions/s/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/v/purge", "/subscriptions/s/providers/Microsoft.KeyVault/checkNameAvailability",
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v/accessPolicies/add",
	} {
		f.Add(http.MethodGet, s)
		f.Add(http.MethodPut, s)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		rt, err := parseRoute(method, path)
		if err != nil {
			return
		}
		spec, ok := operations[rt.op]
		if !ok || spec.run == nil || spec.Action == "" {
			t.Fatalf("parseRoute(%q, %q) = op %q without a spec", method, path, rt.op)
		}
		if dialectOf(path) == dialectARM && !strings.HasPrefix(rt.scope, "/") {
			t.Fatalf("parseRoute(%q, %q): scope %q is not absolute", method, path, rt.scope)
		}
		if spec.Gate == gateScope && rt.scope == "" {
			t.Fatalf("parseRoute(%q, %q): scope-gated op %q has no scope", method, path, rt.op)
		}
	})
}
