package arm

import (
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
)

// FuzzParseGraphFilter: every $filter either parses into terms that say
// what they are or is a client error; ARM's parser never returns Graph's
// forms; nothing panics.
func FuzzParseGraphFilter(f *testing.F) {
	for _, s := range []string{
		"servicePrincipalNames/any(c:c eq 'a')", "identifierUris/any(s:s eq 'api://x')",
		"startswith(displayName,'azure-cli-')", "startswith(displayName, 'x') and appId eq 'y'",
		"displayName eq 'O''Brien'", "x/any(c:d eq 'a')", "x/any(c:c ne 'a')", "startswith(displayName,'x'",
		"a/any(", "a/", "startswith(,'x')", "atScope()", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms, err := parseGraphFilter(s)
		if err != nil {
			if scopevault.ErrorCodeOf(err) != scopevault.EINVALID {
				t.Fatalf("parseGraphFilter(%q): %v is not a client error", s, err)
			}
		}
		for _, term := range terms {
			if term.Name == "" || term.Name != strings.ToLower(term.Name) || term.Any && (term.Call || !term.HasV) || term.Prop != "" && !term.Call {
				t.Fatalf("parseGraphFilter(%q): malformed term %+v", s, term)
			}
		}
		armTerms, armErr := parseFilter(s)
		for _, term := range armTerms {
			if term.Any || term.Prop != "" {
				t.Fatalf("parseFilter(%q) let a Graph form through: %+v", s, term)
			}
		}
		if armErr == nil && err != nil {
			t.Fatalf("parseFilter(%q) accepts what parseGraphFilter refuses", s)
		}
	})
}

func TestParseGraphFilterForms(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []filterTerm
	}{
		{"servicePrincipalNames/any(c:c eq 'a b')", []filterTerm{{Name: "serviceprincipalnames", Any: true, Value: "a b", HasV: true}}},
		{"startswith(displayName,'azure-cli-')", []filterTerm{{Name: "startswith", Call: true, Prop: "displayname", Value: "azure-cli-", HasV: true}}},
		{"startswith(displayName, 'x') and appId eq 'y'", []filterTerm{
			{Name: "startswith", Call: true, Prop: "displayname", Value: "x", HasV: true}, {Name: "appid", Value: "y", HasV: true}}},
	} {
		got, err := parseGraphFilter(tc.in)
		if err != nil || len(got) != len(tc.want) {
			t.Fatalf("parseGraphFilter(%q) = %+v, %v", tc.in, got, err)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Fatalf("parseGraphFilter(%q)[%d] = %+v, want %+v", tc.in, i, got[i], tc.want[i])
			}
		}
		if _, err := parseFilter(tc.in); err == nil {
			t.Fatalf("ARM's parseFilter(%q) accepts a Graph form", tc.in)
		}
	}
}
