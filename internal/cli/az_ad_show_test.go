package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
)

// The directory's read commands print Graph's objects; sp show takes an app
// id (the AzureDatabricks first-party app included) or an object id.
func TestAzDirectoryReads(t *testing.T) {
	e := MustAz(t)
	boot := e.srv.Boot
	dbx, err := e.srv.Identity.PrincipalByAppID(t.Context(), boot.TenantID, scopevault.AzureDatabricksAppID)
	if err != nil {
		t.Fatal(err)
	}

	if got := e.MustRun(t, "ad", "sp", "show", "--id", "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d", "--query", "id", "-o", "tsv"); got != dbx.ObjectID+"\n" {
		t.Errorf("sp show --id <AzureDatabricks app id> = %q, want %q", got, dbx.ObjectID)
	}
	sp := e.MustJSON(t, "ad", "sp", "show", "--id", boot.ObjectID)
	if sp["appId"] != boot.ClientID || sp["@odata.context"] == nil || sp["servicePrincipalType"] != "Application" {
		t.Errorf("sp show --id <object id> = %v", sp)
	}
	if got := e.MustRun(t, "ad", "sp", "show", "--id", boot.ClientID, "--query", "[displayName, appId]", "-o", "tsv"); !strings.HasSuffix(got, "\n"+boot.ClientID+"\n") {
		t.Errorf("sp show --id <app id> --query [..] -o tsv = %q", got)
	}
	e.MustFail(t, "Service principal 'nope' doesn't exist", "ad", "sp", "show", "--id", "nope")
	e.MustFail(t, "Request_ResourceNotFound", "ad", "sp", "show", "--id", "00000000-0000-0000-0000-00000000dead")
	e.MustFail(t, "the following arguments are required: --id", "ad", "sp", "show")

	e.MustRun(t, "ad", "sp", "create-for-rbac", "-n", "azure-pipeline", "-o", "none", "--only-show-errors")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"ok/display-name-prefix", []string{"--display-name", "azure"}, "AzureDatabricks\nazure-pipeline\n"},
		{"ok/display-name-exact", []string{"--display-name", "AzureDatabricks"}, "AzureDatabricks\n"},
		{"ok/spn", []string{"--spn", scopevault.AzureDatabricksAppID}, "AzureDatabricks\n"},
		{"ok/filter", []string{"--filter", "displayName eq 'azure-pipeline'"}, "azure-pipeline\n"},
		{"ok/filter-and-prefix", []string{"--filter", "displayName eq 'azure-pipeline'", "--display-name", "Azure"}, "azure-pipeline\n"},
		{"ok/no-match", []string{"--display-name", "zzz"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := e.MustRun(t, append([]string{"ad", "sp", "list", "--query", "sort_by(@, &displayName)[].displayName", "-o", "tsv"}, tc.args...)...)
			if got != tc.want {
				t.Errorf("sp list %v = %q, want %q", tc.args, got, tc.want)
			}
		})
	}
	e.MustFail(t, "Request_UnsupportedQuery", "ad", "sp", "list", "--filter", "startswith(displayName,'a')")

	const upn = "dana@contoso.example"
	dana := strings.TrimSpace(e.MustRun(t, "ad", "user", "create", "--display-name", "Dana", "--user-principal-name", upn, "--password", "Dana-Pass-1", "--query", "id", "-o", "tsv"))
	u := e.MustJSON(t, "ad", "user", "show", "--id", upn)
	if u["id"] != dana || u["userPrincipalName"] != upn || u["displayName"] != "Dana" {
		t.Errorf("user show --id UPN = %v", u)
	}
	if got := e.MustRun(t, "ad", "user", "show", "--id", dana, "--query", "userPrincipalName", "-o", "tsv"); got != upn+"\n" {
		t.Errorf("user show --id OBJECT_ID = %q", got)
	}
	e.MustFail(t, "Request_ResourceNotFound", "ad", "user", "show", "--id", "nobody@contoso.example")

	outer := strings.TrimSpace(e.MustRun(t, "ad", "group", "create", "--display-name", "data-team", "--mail-nickname", "data-team", "--query", "id", "-o", "tsv"))
	inner := strings.TrimSpace(e.MustRun(t, "ad", "group", "create", "--display-name", "data-readers", "--mail-nickname", "data-readers", "--query", "id", "-o", "tsv"))
	e.MustRun(t, "ad", "group", "member", "add", "--group", "data-team", "--member-id", inner)
	e.MustRun(t, "ad", "group", "member", "add", "--group", inner, "--member-id", dana)

	g := e.MustJSON(t, "ad", "group", "show", "--group", "data-readers")
	if g["id"] != inner || g["displayName"] != "data-readers" || g["securityEnabled"] != true {
		t.Errorf("group show --group NAME = %v", g)
	}
	if got := e.MustRun(t, "ad", "group", "show", "-g", outer, "--query", "displayName", "-o", "tsv"); got != "data-team\n" {
		t.Errorf("group show -g ID = %q", got)
	}
	e.MustFail(t, "No group matches the name of 'nobody'", "ad", "group", "show", "--group", "nobody")

	var members []map[string]any
	if err := json.Unmarshal([]byte(e.MustRun(t, "ad", "group", "member", "list", "--group", "data-team")), &members); err != nil {
		t.Fatal(err)
	}
	if len(members) != 1 || members[0]["id"] != inner || members[0]["@odata.type"] != "#microsoft.graph.group" {
		t.Errorf("member list = %v", members)
	}
	if got := e.MustRun(t, "ad", "group", "member", "list", "-g", inner, "--query", "[].[displayName, id]", "-o", "tsv"); got != "Dana\t"+dana+"\n" {
		t.Errorf("member list -o tsv = %q", got)
	}

	for _, tc := range []struct {
		name          string
		group, member string
		want          string
	}{
		{"ok/direct", "data-readers", dana, "{\n  \"value\": true\n}\n"},
		{"ok/nested", "data-team", dana, "{\n  \"value\": true\n}\n"},
		{"ok/group-in-group", outer, inner, "{\n  \"value\": true\n}\n"},
		{"ok/not-a-member", "data-readers", boot.ObjectID, "{\n  \"value\": false\n}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := e.MustRun(t, "ad", "group", "member", "check", "--group", tc.group, "--member-id", tc.member); got != tc.want {
				t.Errorf("member check = %q, want %q", got, tc.want)
			}
		})
	}
	if got := e.MustRun(t, "ad", "group", "member", "check", "-g", "data-team", "--member-id", dana, "--query", "value", "-o", "tsv"); got != "true\n" {
		t.Errorf("member check --query value -o tsv = %q", got)
	}
	e.MustFail(t, "Request_ResourceNotFound", "ad", "group", "member", "check", "-g", "data-team", "--member-id", "00000000-0000-0000-0000-00000000dead")
	e.MustFail(t, "the following arguments are required: --member-id", "ad", "group", "member", "check", "-g", "data-team")
}
