package databricks

import (
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
)

func TestParseSCIMFilter(t *testing.T) {
	alice := &scopevault.WorkspacePrincipal{ID: "1", Kind: scopevault.WorkspaceUser, Name: "alice@example.com", DisplayName: "Alice", Active: true}
	sp := &scopevault.WorkspacePrincipal{ID: "2", Kind: scopevault.WorkspaceServicePrincipal, Name: "0a1b2c3d-0000-0000-0000-000000000001", DisplayName: "deployer", Active: true}
	for _, tc := range []struct {
		name, filter string
		p            *scopevault.WorkspacePrincipal
		want         bool
	}{
		{"ok/username-eq", `userName eq "alice@example.com"`, alice, true},
		{"ok/username-eq-case", `USERNAME EQ "Alice@Example.COM"`, alice, true},
		{"ok/username-other", `userName eq "bob@example.com"`, alice, false},
		{"ok/displayname-co", `displayName co "lic"`, alice, true},
		{"ok/displayname-sw", `displayName sw "Al"`, alice, true},
		{"ok/appid", `applicationId eq "0a1b2c3d-0000-0000-0000-000000000001"`, sp, true},
		{"ok/appid-on-user", `applicationId eq "x"`, alice, false},
		{"ok/and", `displayName eq "Alice" and userName sw "alice"`, alice, true},
		{"ok/or", `displayName eq "nobody" or userName sw "alice"`, alice, true},
		{"ok/not-paren", `not (displayName eq "Alice")`, alice, false},
		{"ok/pr", `userName pr`, alice, true},
		{"ok/escaped-quote", `displayName eq "Al\"ice"`, alice, false},
		{"ok/active-bool", `active eq true`, alice, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseSCIMFilter(tc.filter)
			if err != nil {
				t.Fatalf("parse %q: %v", tc.filter, err)
			}
			if got := f.match(filterAttrs(tc.p)); got != tc.want {
				t.Fatalf("match %q = %v, want %v", tc.filter, got, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, filter string }{
		{"fail/no-op", `userName`},
		{"fail/bad-op", `userName is "x"`},
		{"fail/unquoted", `userName eq alice`},
		{"fail/unterminated", `userName eq "alice`},
		{"fail/paren", `(userName eq "a"`},
		{"fail/trailing", `userName eq "a" "b"`},
		{"fail/dangling-and", `userName eq "a" and`},
		{"fail/deep", repeat("not ", 40) + `userName pr`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseSCIMFilter(tc.filter)
			if scopevault.ErrorCodeOf(err) != scopevault.EINVALID {
				t.Fatalf("parse %q: err %v, want invalid", tc.filter, err)
			}
		})
	}
}

func repeat(s string, n int) string { return strings.Repeat(s, n) }

func FuzzParseSCIMFilter(f *testing.F) {
	for _, s := range []string{`userName eq "a@b.c"`, `displayName co "x" and not (active eq false)`, `applicationId eq "1" or id eq "2"`, `(`, `"`, `members[value eq "1"]`} {
		f.Add(s)
	}
	p := &scopevault.WorkspacePrincipal{ID: "1", Kind: scopevault.WorkspaceUser, Name: "a@b.c", Active: true}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := parseSCIMFilter(s)
		if err != nil {
			if scopevault.ErrorCodeOf(err) != scopevault.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if flt != nil {
			flt.match(filterAttrs(p))
		}
	})
}

func TestParseGroupPatch(t *testing.T) {
	for _, tc := range []struct {
		name, body      string
		add, remove     int
		replace, rename bool
	}{
		{"ok/add-members", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"1"},{"value":"2"}]}]}`, 2, 0, false, false},
		{"ok/remove-filter", `{"Operations":[{"op":"remove","path":"members[value eq \"7\"]"}]}`, 0, 1, false, false},
		{"ok/remove-list", `{"Operations":[{"op":"Remove","path":"members","value":[{"value":"7"}]}]}`, 0, 1, false, false},
		{"ok/replace", `{"Operations":[{"op":"replace","path":"members","value":[{"value":"7"}]}]}`, 0, 0, true, false},
		{"ok/no-path", `{"Operations":[{"op":"add","value":{"members":[{"value":"3"}],"displayName":"g2"}}]}`, 1, 0, false, true},
		{"ok/rename", `{"Operations":[{"op":"replace","path":"displayName","value":"g3"}]}`, 0, 0, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gp, err := parseGroupPatch([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if len(gp.Add) != tc.add || len(gp.Remove) != tc.remove || (gp.Replace != nil) != tc.replace || (gp.DisplayName != "") != tc.rename {
				t.Fatalf("patch = %+v", gp)
			}
		})
	}
	for _, tc := range []struct{ name, body string }{
		{"fail/empty", `{}`},
		{"fail/bad-json", `{"Operations":`},
		{"fail/bad-op", `{"Operations":[{"op":"move","path":"members"}]}`},
		{"fail/bad-path", `{"Operations":[{"op":"add","path":"owners","value":[]}]}`},
		{"fail/bad-members", `{"Operations":[{"op":"add","path":"members","value":"x"}]}`},
		{"fail/remove-no-path", `{"Operations":[{"op":"remove"}]}`},
		{"fail/filter-add", `{"Operations":[{"op":"add","path":"members[value eq \"1\"]"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseGroupPatch([]byte(tc.body))
			if scopevault.ErrorCodeOf(err) != scopevault.EINVALID {
				t.Fatalf("err %v, want invalid", err)
			}
		})
	}
}

func FuzzParseGroupPatch(f *testing.F) {
	f.Add([]byte(`{"Operations":[{"op":"add","path":"members","value":[{"value":"1"}]}]}`))
	f.Add([]byte(`{"Operations":[{"op":"remove","path":"members[value eq \"7\"]"}]}`))
	f.Add([]byte(`{"Operations":[{"op":"replace","value":{"displayName":"x"}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := parseGroupPatch(body); err != nil && scopevault.ErrorCodeOf(err) != scopevault.EINVALID {
			t.Fatalf("error %v is not EINVALID", err)
		}
	})
}

func FuzzParseLifetime(f *testing.F) {
	for _, s := range []string{``, `null`, `0`, `-1`, `3600`, `"3600"`, `1e3`, `99999999999999999999`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseLifetime([]byte(s))
		if err != nil {
			if scopevault.ErrorCodeOf(err) != scopevault.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if d < 0 {
			t.Fatalf("lifetime %v < 0", d)
		}
	})
}
