package authz_test

import (
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
)

func policy(oid string, secrets ...string) scopevault.AccessPolicy {
	return scopevault.AccessPolicy{TenantID: tenant, ObjectID: oid, Permissions: scopevault.Permissions{Secrets: secrets}}
}

func TestAccessPolicies(t *testing.T) {
	const app = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"
	compound := policy(alice, "get")
	compound.ApplicationID = app
	otherTenant := policy(alice, "all")
	otherTenant.TenantID = "00000000-0000-0000-0000-00000000ffff"
	keysOnly := scopevault.AccessPolicy{TenantID: tenant, ObjectID: alice, Permissions: scopevault.Permissions{Keys: []string{"all"}}}
	viaApp := user(alice)
	viaApp.AppID = app

	for _, tc := range []struct {
		name       string
		policies   []scopevault.AccessPolicy
		caller     *scopevault.Caller
		op         scopevault.Operation
		wantReason string // "" means allowed
		wantRule   string
	}{
		{"ok/all", []scopevault.AccessPolicy{policy(alice, "all")}, user(alice), scopevault.OpPurgeDeletedSecret, "", "access policy for object '" + alice + "' grants secrets 'purge'"},
		{"ok/all-upper-case", []scopevault.AccessPolicy{policy(alice, "All")}, user(alice), scopevault.OpRestoreSecret, "", ""},
		{"ok/get", []scopevault.AccessPolicy{policy(alice, "get", "list")}, user(alice), scopevault.OpGetSecret, "", ""},
		{"ok/list-covers-deleted-listing", []scopevault.AccessPolicy{policy(alice, "List")}, user(alice), scopevault.OpListDeletedSecrets, "", ""},
		{"ok/set-covers-update", []scopevault.AccessPolicy{policy(alice, "set")}, user(alice), scopevault.OpUpdateSecret, "", ""},
		{"ok/union-over-entries", []scopevault.AccessPolicy{policy(alice, "get"), policy(team, "delete")}, user(alice, team), scopevault.OpDeleteSecret, "", "access policy for object '" + team + "' grants secrets 'delete'"},
		{"ok/object-id-other-case", []scopevault.AccessPolicy{policy(strings.ToUpper(alice), "get")}, user(alice), scopevault.OpGetSecret, "", ""},
		{"ok/compound-with-app", []scopevault.AccessPolicy{compound}, viaApp, scopevault.OpGetSecret, "", "access policy for object '" + alice + "' with application '" + app + "' grants secrets 'get'"},
		{"fail/AccessDenied/no-entry", []scopevault.AccessPolicy{policy(bob, "all")}, user(alice), scopevault.OpGetSecret, "AccessDenied", "caller was not found on any access policy"},
		{"fail/AccessDenied/empty-list", nil, user(alice), scopevault.OpGetSecret, "AccessDenied", ""},
		{"fail/AccessDenied/other-tenant", []scopevault.AccessPolicy{otherTenant}, user(alice), scopevault.OpGetSecret, "AccessDenied", ""},
		{"fail/AccessDenied/compound-without-app", []scopevault.AccessPolicy{compound}, user(alice), scopevault.OpGetSecret, "AccessDenied", ""},
		{"fail/ForbiddenByPolicy/missing-verb", []scopevault.AccessPolicy{policy(alice, "get", "list")}, user(alice), scopevault.OpSetSecret, "ForbiddenByPolicy", "no access policy for the caller grants secrets 'set' permission"},
		{"fail/ForbiddenByPolicy/keys-all-is-not-secrets", []scopevault.AccessPolicy{keysOnly}, user(alice), scopevault.OpGetSecret, "ForbiddenByPolicy", ""},
		{"fail/ForbiddenByPolicy/compound-wrong-verb", []scopevault.AccessPolicy{compound}, viaApp, scopevault.OpListSecrets, "ForbiddenByPolicy", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := MustAuthorizer(t)
			v := apVault(tc.policies...)
			d := MustData(t, a, tc.caller, v, tc.op, "s")
			if got, want := d.Reason, tc.wantReason; got != want || d.Allowed != (want == "") {
				t.Fatalf("decision = %+v, want reason %q", d, want)
			}
			if d.Model != "accesspolicy" {
				t.Errorf("Model = %q", d.Model)
			}
			if tc.wantRule != "" && d.Rule != tc.wantRule {
				t.Errorf("Rule = %q, want %q", d.Rule, tc.wantRule)
			}
			if got, want := d.Action, scopevault.Operations[tc.op].Action; got != want {
				t.Errorf("Action = %q, want %q", got, want)
			}
		})
	}
}
