package arm

import (
	"net/http"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
)

func FuzzParseMemberRef(f *testing.F) {
	for _, s := range []string{
		"https://graph.microsoft.com/v1.0/directoryObjects/0a1b2c3d-0000-4000-8000-000000000001",
		"https://localhost:8443/v1.0/users/0A1B2C3D-0000-4000-8000-000000000001",
		"directoryObjects/x", "https://graph.microsoft.com/v1.0/me", "%zz", "", "://", "/groups//",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		id, err := parseMemberRef(ref)
		if err != nil {
			if scopevault.ErrorCodeOf(err) != scopevault.EINVALID {
				t.Fatalf("parseMemberRef(%q): %v is not a client error", ref, err)
			}
			return
		}
		if !scopevault.ValidGUID(id) || id != strings.ToLower(id) {
			t.Fatalf("parseMemberRef(%q) = %q, not a lower-case GUID", ref, id)
		}
	})
}

// Every Graph path either resolves to an operation in the table or is a
// client error; none panics.
func FuzzGraphRoute(f *testing.F) {
	for _, s := range []string{
		"users", "users/a@b.c", "groups/x/members/$ref", "groups/x/members/y/$ref", "applications(appId='x')/addPassword",
		"servicePrincipals(appId='x')", "scopevault/managedIdentities/x", "directoryObjects/x", "groups/x/members/y", "",
	} {
		f.Add(http.MethodGet, s)
		f.Add(http.MethodPost, s)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		rt, err := graphRoute(method, segments(path))
		if err != nil {
			if c := scopevault.ErrorCodeOf(err); c != scopevault.EINVALID && c != scopevault.ENOTFOUND {
				t.Fatalf("graphRoute(%s %q): %v", method, path, err)
			}
			return
		}
		if _, ok := operations[rt.op]; !ok {
			t.Fatalf("graphRoute(%s %q) = %q, not in the operation table", method, path, rt.op)
		}
	})
}
