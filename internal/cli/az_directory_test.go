package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
)

// Groups: create one, add a user, grant the group a data role; the member
// reads through the group's assignment.
func TestAzGroupsGrantThroughMembership(t *testing.T) {
	e := MustAz(t)
	boot := e.srv.Boot
	const upn, password = "carol@contoso.example", "Carol-Pass-9"
	carol := strings.TrimSpace(e.MustRun(t, "ad", "user", "create", "--display-name", "Carol", "--user-principal-name", upn, "--password", password, "--query", "id", "-o", "tsv"))
	grp := e.MustJSON(t, "ad", "group", "create", "--display-name", "secret-readers", "--mail-nickname", "secret-readers", "--description", "reads secrets")
	groupID, _ := grp["id"].(string)
	if !guidRE.MatchString(groupID) || grp["displayName"] != "secret-readers" || grp["securityEnabled"] != true {
		t.Fatalf("ad group create = %v", grp)
	}
	// az's create is idempotent on display name and mail nickname.
	out, stderr, err := e.Run(t, "ad", "group", "create", "--display-name", "secret-readers", "--mail-nickname", "secret-readers", "--query", "id", "-o", "tsv")
	if err != nil || strings.TrimSpace(out) != groupID || !strings.Contains(stderr, "already exists, returning") {
		t.Fatalf("second create: %q %q %v", out, stderr, err)
	}
	if out := e.MustRun(t, "ad", "group", "member", "add", "--group", "secret-readers", "--member-id", carol); out != "" {
		t.Errorf("member add printed %q", out)
	}
	e.MustFail(t, "No group matches the name of 'nobody'", "ad", "group", "member", "add", "--group", "nobody", "--member-id", carol)
	e.MustFail(t, "Request_ResourceNotFound", "ad", "group", "member", "add", "--group", groupID, "--member-id", "00000000-0000-0000-0000-00000000dead")
	e.MustFail(t, "already exist", "ad", "group", "member", "add", "--group", groupID, "--member-id", carol)

	vaultID := strings.TrimSpace(e.MustRun(t, "keyvault", "show", "-n", boot.Vault, "--query", "id", "-o", "tsv"))
	ra := e.MustJSON(t, "role", "assignment", "create", "--assignee", groupID, "--role", "Key Vault Secrets User", "--scope", vaultID)
	if ra["principalType"] != "Group" || ra["principalId"] != groupID {
		t.Errorf("assignment to the group = %v", ra)
	}
	e.MustRun(t, "role", "assignment", "create", "--assignee-object-id", groupID, "--assignee-principal-type", "Group", "--role", "Reader", "-o", "none")
	e.MustRun(t, "keyvault", "secret", "set", "--vault-name", boot.Vault, "-n", "shared", "--value", "s-1", "-o", "none")

	e.MustRun(t, "login", "-u", upn, "-p", password, "-o", "none")
	if got := e.MustRun(t, "keyvault", "secret", "show", "--vault-name", boot.Vault, "-n", "shared", "--query", "value", "-o", "tsv"); got != "s-1\n" {
		t.Errorf("the group member reads %q", got)
	}
	e.MustFail(t, "Authorization_RequestDenied", "ad", "group", "create", "--display-name", "mine", "--mail-nickname", "mine", "--force")
	e.MustFail(t, "Authorization_RequestDenied", "ad", "user", "create", "--display-name", "Eve", "--user-principal-name", "eve@contoso.example", "--password", "x")
}

func TestAzRoleDefinitionList(t *testing.T) {
	e := MustAz(t)
	boot := e.srv.Boot
	roles := e.MustJSONList(t, "role", "definition", "list", "--name", "Key Vault Secrets User")
	if len(roles) != 1 || roles[0]["roleType"] != "BuiltInRole" || roles[0]["name"] != "4633458b-17de-408a-b874-0445c86b69e6" ||
		roles[0]["type"] != "Microsoft.Authorization/roleDefinitions" {
		t.Fatalf("--name = %v", roles)
	}
	for _, k := range []string{"assignableScopes", "createdBy", "createdOn", "description", "id", "permissions", "roleName", "updatedBy", "updatedOn"} {
		if _, ok := roles[0][k]; !ok {
			t.Errorf("role definition lacks %q", k)
		}
	}
	if got := e.MustRun(t, "role", "definition", "list", "--name", "4633458b-17de-408a-b874-0445c86b69e6", "--query", "[].roleName", "-o", "tsv"); got != "Key Vault Secrets User\n" {
		t.Errorf("--name GUID = %q", got)
	}
	data := strings.Split(strings.TrimSpace(e.MustRun(t, "role", "definition", "list", "--name", "Key Vault Secrets User", "--query", "[0].permissions[0].dataActions", "-o", "tsv")), "\n")
	if !slices.Contains(data, "Microsoft.KeyVault/vaults/secrets/getSecret/action") {
		t.Errorf("dataActions = %v", data)
	}
	all := e.MustJSONList(t, "role", "definition", "list")
	if len(all) < 10 {
		t.Errorf("role definition list has %d roles", len(all))
	}
	if got := e.MustRun(t, "role", "definition", "list", "--custom-role-only", "--query", "length(@)"); got != "0\n" {
		t.Errorf("custom roles before any = %q", got)
	}
	// Setup: a custom role, as `az role definition create` would make it.
	if _, _, err := e.srv.Authz.CreateOrUpdateRole(t.Context(), scopevault.RoleDefinition{
		ID: "11111111-2222-3333-4444-555555555555", RoleName: "Secret Lister", AssignableScopes: []string{"/subscriptions/" + boot.SubscriptionID},
		Permissions: []scopevault.Permission{{DataActions: []string{"Microsoft.KeyVault/vaults/secrets/readMetadata/action"}}},
	}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--custom-role-only"}, {"--custom-role-only", "true"}, {"--custom-role-only=yes"}} {
		got := e.MustRun(t, append([]string{"role", "definition", "list", "--query", "[].[roleName, roleType]", "-o", "tsv"}, args...)...)
		if got != "Secret Lister\tCustomRole\n" {
			t.Errorf("%v = %q", args, got)
		}
	}
	if got := e.MustRun(t, "role", "definition", "list", "--custom-role-only", "false", "--query", "length(@)"); got != strings.TrimSpace(e.MustRun(t, "role", "definition", "list", "--query", "length(@)"))+"\n" {
		t.Errorf("--custom-role-only false = %q", got)
	}
	e.MustFail(t, "invalid value: 'maybe'", "role", "definition", "list", "--custom-role-only=maybe")
	e.MustFail(t, "unrecognized arguments: extra", "role", "definition", "list", "extra")
}

func TestAzGroupDelete(t *testing.T) {
	e := MustAz(t)
	e.MustRun(t, "group", "create", "-n", "rg-tmp", "-l", "westus", "-o", "none")
	e.MustRun(t, "keyvault", "create", "-n", "kv-tmp", "-g", "rg-tmp", "-o", "none")
	e.MustFail(t, "Unable to prompt for confirmation as no tty available. Use --yes.", "group", "delete", "-n", "rg-tmp")
	// Answering no leaves the group.
	if _, _, err := e.RunIn(t, "n\n", "group", "delete", "-n", "rg-tmp"); err != nil {
		t.Fatal(err)
	}
	e.MustRun(t, "group", "show", "-n", "rg-tmp", "-o", "none")
	if _, stderr, err := e.RunIn(t, "y\n", "group", "delete", "-g", "rg-tmp"); err != nil || !strings.Contains(stderr, "Are you sure") {
		t.Fatalf("group delete: %v %q", err, stderr)
	}
	e.MustFail(t, "ResourceGroupNotFound", "group", "show", "-n", "rg-tmp")
	// Its vault was soft-deleted with it.
	if got := e.MustRun(t, "keyvault", "list-deleted", "--query", "[].name", "-o", "tsv"); got != "kv-tmp\n" {
		t.Errorf("list-deleted = %q", got)
	}
	e.MustRun(t, "group", "create", "-n", "rg-tmp2", "-l", "westus", "-o", "none")
	e.MustRun(t, "group", "delete", "-n", "rg-tmp2", "--yes", "--no-wait")
	e.MustFail(t, "ResourceGroupNotFound", "group", "delete", "-n", "rg-tmp2", "-y")
}

// role assignment list shows what az shows: assignments exactly at the
// scope, more with --include-inherited or --all, with role and principal names.
func TestAzRoleAssignmentList(t *testing.T) {
	e := MustAz(t)
	boot := e.srv.Boot
	sp := e.MustJSON(t, "ad", "sp", "create-for-rbac", "-n", "lister")
	appID := sp["appId"].(string)
	vaultID := strings.TrimSpace(e.MustRun(t, "keyvault", "show", "-n", boot.Vault, "--query", "id", "-o", "tsv"))
	a1 := strings.TrimSpace(e.MustRun(t, "role", "assignment", "create", "--assignee", appID, "--role", "Key Vault Secrets User", "--scope", vaultID, "--query", "id", "-o", "tsv"))
	a2 := strings.TrimSpace(e.MustRun(t, "role", "assignment", "create", "--assignee", appID, "--role", "Reader", "-g", boot.ResourceGroup, "--query", "id", "-o", "tsv"))

	rows := func(args ...string) []string {
		t.Helper()
		out := e.MustRun(t, append([]string{"role", "assignment", "list", "--query", "[].[principalName, roleDefinitionName]", "-o", "tsv"}, args...)...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		slices.Sort(lines)
		return lines
	}
	want := []string{appID + "\tKey Vault Secrets User", boot.ClientID + "\tKey Vault Administrator"}
	slices.Sort(want)
	if got := rows("--scope", vaultID); !slices.Equal(got, want) {
		t.Errorf("--scope vault = %q, want %q", got, want)
	}
	got := rows("--scope", vaultID, "--include-inherited")
	for _, want := range []string{appID + "\tKey Vault Secrets User", appID + "\tReader", boot.ClientID + "\tOwner", boot.ClientID + "\tKey Vault Administrator"} {
		if !slices.Contains(got, want) {
			t.Errorf("--include-inherited = %q, lacks %q", got, want)
		}
	}
	if got := rows(); !slices.Equal(got, []string{boot.ClientID + "\tOwner"}) {
		t.Errorf("at the subscription = %q", got)
	}
	if got := rows("--all", "--assignee", appID); !slices.Equal(got, []string{appID + "\tKey Vault Secrets User", appID + "\tReader"}) {
		t.Errorf("--all --assignee = %q", got)
	}
	if got := rows("--all", "--role", "Reader"); !slices.Equal(got, []string{appID + "\tReader"}) {
		t.Errorf("--all --role Reader = %q", got)
	}
	raw := e.MustJSONList(t, "role", "assignment", "list", "-g", boot.ResourceGroup, "--fill-principal-name", "false", "--fill-role-definition-name", "false")
	if len(raw) != 1 {
		t.Fatalf("-g = %v", raw)
	}
	if _, has := raw[0]["principalName"]; has {
		t.Errorf("--fill-principal-name false still names the principal: %v", raw[0])
	}
	if c, _ := raw[0]["createdOn"].(string); !strings.HasSuffix(c, "+00:00") {
		t.Errorf("createdOn = %q", c)
	}
	e.MustFail(t, "not required when --all", "role", "assignment", "list", "--all", "-g", boot.ResourceGroup)

	if out := e.MustRun(t, "role", "assignment", "delete", "--ids", a1, a2); out != "" {
		t.Errorf("delete printed %q", out)
	}
	if got := e.MustRun(t, "role", "assignment", "list", "--all", "--assignee", appID, "--query", "length(@)"); got != "0\n" {
		t.Errorf("after delete --ids a1 a2: %q", got)
	}
}
