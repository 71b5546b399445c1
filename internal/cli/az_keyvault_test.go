package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// MustJSONList runs a command and decodes its JSON list output.
func (e *azEnv) MustJSONList(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	out := e.MustRun(t, args...)
	var v []map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("az %s printed no JSON list: %v\n%s", strings.Join(args, " "), err, out)
	}
	return v
}

// The vault shape az prints: every property present, unset ones null.
func TestAzVaultShape(t *testing.T) {
	e := MustAz(t)
	kv := e.MustJSON(t, "keyvault", "show", "-n", e.srv.Boot.Vault)
	props, _ := kv["properties"].(map[string]any)
	for _, k := range []string{"accessPolicies", "createMode", "enablePurgeProtection", "enableRbacAuthorization", "enableSoftDelete",
		"enabledForDeployment", "enabledForDiskEncryption", "enabledForTemplateDeployment", "hsmPoolResourceId", "networkAcls",
		"privateEndpointConnections", "provisioningState", "publicNetworkAccess", "sku", "softDeleteRetentionInDays", "tenantId", "vaultUri"} {
		if _, ok := props[k]; !ok {
			t.Errorf("properties.%s is missing", k)
		}
	}
	for _, k := range []string{"id", "location", "name", "resourceGroup", "systemData", "tags", "type"} {
		if _, ok := kv[k]; !ok {
			t.Errorf("%s is missing", k)
		}
	}
	if props["createMode"] != nil || props["enablePurgeProtection"] != nil {
		t.Errorf("unset properties are not null: createMode=%v enablePurgeProtection=%v", props["createMode"], props["enablePurgeProtection"])
	}
	if at, _ := get(kv, "systemData.createdAt").(string); !strings.HasSuffix(at, "+00:00") {
		t.Errorf("systemData.createdAt = %q, want az's isoformat", at)
	}

	// list: the generic resource list without -g, whole vaults with it.
	list := e.MustJSONList(t, "keyvault", "list")
	if len(list) != 1 || len(list[0]) != 6 || list[0]["name"] != e.srv.Boot.Vault || list[0]["resourceGroup"] != e.srv.Boot.ResourceGroup ||
		list[0]["type"] != "Microsoft.KeyVault/vaults" || list[0]["id"] != kv["id"] {
		t.Errorf("keyvault list = %v", list)
	}
	inGroup := e.MustJSONList(t, "keyvault", "list", "-g", e.srv.Boot.ResourceGroup)
	if len(inGroup) != 1 || get(inGroup[0], "properties.vaultUri") != get(kv, "properties.vaultUri") {
		t.Errorf("keyvault list -g = %v", inGroup)
	}
}

func TestAzKeyvaultUpdate(t *testing.T) {
	e := MustAz(t)
	g := e.srv.Boot.ResourceGroup
	e.MustRun(t, "keyvault", "create", "-n", "kv-upd", "-g", g, "--retention-days", "7", "--tags", "env=dev")
	kv := e.MustJSON(t, "keyvault", "update", "-n", "kv-upd", "--enable-purge-protection", "true",
		"--public-network-access", "Disabled", "--default-action", "Deny", "--bypass", "None")
	for k, want := range map[string]any{
		"properties.enablePurgeProtection": true, "properties.publicNetworkAccess": "Disabled",
		"properties.networkAcls.defaultAction": "Deny", "properties.networkAcls.bypass": "None",
		"properties.softDeleteRetentionInDays": float64(7), "tags.env": "dev",
	} {
		if got := get(kv, k); got != want {
			t.Errorf("update: %s = %v, want %v", k, got, want)
		}
	}
	// What update wrote is what a later read sees.
	if got := e.MustRun(t, "keyvault", "show", "-n", "kv-upd", "--query", "[properties.publicNetworkAccess, properties.networkAcls.defaultAction]", "-o", "tsv"); got != "Disabled\nDeny\n" {
		t.Errorf("show after update = %q", got)
	}
	e.MustFail(t, "softDeleteRetentionInDays", "keyvault", "update", "-n", "kv-upd", "--retention-days", "30")
	e.MustFail(t, "enablePurgeProtection", "keyvault", "update", "-n", "kv-upd", "--enable-purge-protection", "false")
	e.MustFail(t, "invalid value: 'sometimes'", "keyvault", "update", "-n", "kv-upd", "--enabled-for-deployment", "sometimes")
	e.MustFail(t, "ResourceNotFound", "keyvault", "update", "-n", "kv-none", "--bypass", "None")
}

func TestAzKeyvaultAccessPolicies(t *testing.T) {
	e := MustAz(t)
	boot := e.srv.Boot
	e.MustRun(t, "keyvault", "create", "-n", "kv-pol", "-g", boot.ResourceGroup, "--enable-rbac-authorization", "false", "--no-self-perms")
	// Nobody holds a policy: the creator can't write.
	e.MustFail(t, "AccessDenied", "keyvault", "secret", "set", "--vault-name", "kv-pol", "-n", "s", "--value", "v")

	kv := e.MustJSON(t, "keyvault", "set-policy", "-n", "kv-pol", "--spn", boot.ClientID,
		"--secret-permissions", "get", "list", "set", "--key-permissions", "get")
	pols, _ := get(kv, "properties.accessPolicies").([]any)
	if len(pols) != 1 || get(pols[0], "objectId") != boot.ObjectID || get(pols[0], "applicationId") != nil {
		t.Fatalf("set-policy policies = %v", pols)
	}
	if got := get(pols[0], "permissions.secrets"); !slices.Equal(toStrings(got), []string{"get", "list", "set"}) {
		t.Errorf("secrets = %v", got)
	}
	e.MustRun(t, "keyvault", "secret", "set", "--vault-name", "kv-pol", "-n", "s", "--value", "v")

	// A second set-policy replaces the types it names and keeps the others.
	e.MustRun(t, "keyvault", "set-policy", "-n", "kv-pol", "-g", boot.ResourceGroup, "--object-id", boot.ObjectID, "--secret-permissions", "get")
	got := e.MustRun(t, "keyvault", "show", "-n", "kv-pol", "--query", "properties.accessPolicies[0].[join(',', permissions.secrets), join(',', permissions.keys)]", "-o", "tsv")
	if got != "get\nget\n" {
		t.Errorf("after the second set-policy = %q", got)
	}
	e.MustFail(t, "AccessDenied", "keyvault", "secret", "set", "--vault-name", "kv-pol", "-n", "s", "--value", "v2")

	e.MustFail(t, "invalid choice: 'fly'", "keyvault", "set-policy", "-n", "kv-pol", "--object-id", boot.ObjectID, "--secret-permissions", "get", "fly")
	e.MustFail(t, "usage error: [--key-permissions", "keyvault", "set-policy", "-n", "kv-pol", "--object-id", boot.ObjectID)
	e.MustFail(t, "usage error: --object-id", "keyvault", "set-policy", "-n", "kv-pol", "--secret-permissions", "get")
	e.MustFail(t, "Unable to get object id", "keyvault", "set-policy", "-n", "kv-pol", "--upn", "nobody@contoso.example", "--secret-permissions", "get")
	e.MustFail(t, "Cannot set policies to a vault with '--enable-rbac-authorization'", "keyvault", "set-policy", "-n", boot.Vault, "--object-id", boot.ObjectID, "--secret-permissions", "get")

	kv = e.MustJSON(t, "keyvault", "delete-policy", "-n", "kv-pol", "--object-id", boot.ObjectID)
	if pols, _ := get(kv, "properties.accessPolicies").([]any); len(pols) != 0 {
		t.Errorf("after delete-policy: %v", pols)
	}
	e.MustFail(t, "No matching policies found", "keyvault", "delete-policy", "-n", "kv-pol", "--object-id", boot.ObjectID)
	e.MustFail(t, "AccessDenied", "keyvault", "secret", "show", "--vault-name", "kv-pol", "-n", "s")
}

func toStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestAzKeyvaultNetworkRules(t *testing.T) {
	e := MustAz(t)
	boot := e.srv.Boot
	if got := e.MustRun(t, "keyvault", "network-rule", "list", "-n", boot.Vault); got != "" {
		t.Errorf("a vault without rules lists %q", got)
	}
	subnet := "/subscriptions/" + boot.SubscriptionID + "/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/app"
	kv := e.MustJSON(t, "keyvault", "network-rule", "add", "-n", boot.Vault, "--ip-address", "203.0.113.7", "198.51.100.0/24")
	if got := get(kv, "properties.networkAcls.defaultAction"); got != "Allow" {
		t.Errorf("a new rule set's defaultAction = %v, want az's Allow", got)
	}
	// A subnet is admitted only once it has the Microsoft.KeyVault service
	// endpoint, as Azure answers SubnetsHaveNoServiceEndpointsConfigured.
	e.MustRun(t, "group", "create", "-n", "net", "-l", "eastus", "-o", "none")
	e.MustRun(t, "network", "vnet", "create", "-g", "net", "-n", "vnet1", "--address-prefixes", "10.0.0.0/16",
		"--subnet-name", "app", "--subnet-prefixes", "10.0.1.0/24", "-o", "none")
	if _, stderr, err := e.Run(t, "keyvault", "network-rule", "add", "-n", boot.Vault, "--subnet", subnet); err == nil ||
		!strings.Contains(err.Error()+stderr, "SubnetsHaveNoServiceEndpointsConfigured") {
		t.Errorf("a subnet without the service endpoint was admitted: %v %s", err, stderr)
	}
	e.MustRun(t, "network", "vnet", "subnet", "update", "-g", "net", "--vnet-name", "vnet1", "-n", "app",
		"--service-endpoints", "Microsoft.KeyVault", "-o", "none")
	e.MustRun(t, "keyvault", "network-rule", "add", "-n", boot.Vault, "--subnet", subnet)
	// Adding an address again (in the service's /32 form) changes nothing.
	e.MustRun(t, "keyvault", "network-rule", "add", "-n", boot.Vault, "--ip-address", "203.0.113.7/32")
	ips := strings.Fields(e.MustRun(t, "keyvault", "network-rule", "list", "-n", boot.Vault, "--query", "ipRules[].value", "-o", "tsv"))
	if !slices.Equal(ips, []string{"203.0.113.7/32", "198.51.100.0/24"}) {
		t.Errorf("ipRules = %v", ips)
	}
	rules := e.MustJSON(t, "keyvault", "network-rule", "list", "-n", boot.Vault)
	vnets, _ := rules["virtualNetworkRules"].([]any)
	if len(vnets) != 1 || !strings.EqualFold(get(vnets[0], "id").(string), subnet) {
		t.Errorf("virtualNetworkRules = %v", vnets)
	}
	e.MustRun(t, "keyvault", "network-rule", "remove", "-n", boot.Vault, "--ip-address", "203.0.113.7", "--subnet", subnet)
	if got := e.MustRun(t, "keyvault", "network-rule", "list", "-n", boot.Vault, "--query", "[ipRules[].value, length(virtualNetworkRules)]", "-o", "tsv"); got != "198.51.100.0/24\n0\n" {
		t.Errorf("after remove = %q", got)
	}
	e.MustFail(t, "usage error: [--subnet", "keyvault", "network-rule", "add", "-n", boot.Vault)
	e.MustFail(t, "--vnet-name", "keyvault", "network-rule", "add", "-n", boot.Vault, "--subnet", "app")
	e.MustFail(t, "BadRequest", "keyvault", "network-rule", "add", "-n", boot.Vault, "--ip-address", "not-an-ip")
}

func TestAzKeyvaultSoftDelete(t *testing.T) {
	e := MustAz(t)
	g := e.srv.Boot.ResourceGroup
	e.MustRun(t, "keyvault", "create", "-n", "kv-gone", "-g", g, "--retention-days", "7", "--tags", "team=data")
	_, stderr, err := e.Run(t, "keyvault", "delete", "-n", "kv-gone")
	if err != nil || !strings.Contains(stderr, "will not be able to reuse this key vault name") {
		t.Fatalf("delete: %v, stderr %q", err, stderr)
	}
	e.MustFail(t, "ResourceNotFound", "keyvault", "show", "-n", "kv-gone")

	deleted := e.MustJSONList(t, "keyvault", "list-deleted")
	if len(deleted) != 1 || deleted[0]["name"] != "kv-gone" || deleted[0]["type"] != "Microsoft.KeyVault/deletedVaults" ||
		get(deleted[0], "properties.location") != e.srv.Boot.Location || get(deleted[0], "properties.tags.team") != "data" ||
		!strings.HasSuffix(get(deleted[0], "properties.vaultId").(string), "/resourceGroups/"+g+"/providers/Microsoft.KeyVault/vaults/kv-gone") {
		t.Fatalf("list-deleted = %v", deleted)
	}
	if d, _ := get(deleted[0], "properties.scheduledPurgeDate").(string); !strings.HasSuffix(d, "+00:00") {
		t.Errorf("scheduledPurgeDate = %q", d)
	}
	// The name stays taken while the vault is soft-deleted.
	e.MustFail(t, "(ConflictError) Exist soft deleted vault with the same name.", "keyvault", "create", "-n", "kv-gone", "-g", g)

	kv := e.MustJSON(t, "keyvault", "recover", "-n", "kv-gone")
	if kv["name"] != "kv-gone" || kv["resourceGroup"] != g || get(kv, "tags.team") != "data" || get(kv, "properties.softDeleteRetentionInDays") != float64(7) {
		t.Fatalf("recover = %v", kv)
	}
	if got := e.MustRun(t, "keyvault", "list-deleted", "--query", "length(@)"); got != "0\n" {
		t.Errorf("list-deleted after recover = %q", got)
	}

	e.MustRun(t, "keyvault", "delete", "-n", "kv-gone", "-g", g, "--only-show-errors")
	e.MustRun(t, "keyvault", "purge", "-n", "kv-gone", "-l", e.srv.Boot.Location)
	if got := e.MustRun(t, "keyvault", "list-deleted", "--query", "length(@)"); got != "0\n" {
		t.Errorf("list-deleted after purge = %q", got)
	}
	e.MustFail(t, "ResourceNotFound", "keyvault", "recover", "-n", "kv-gone")
	e.MustFail(t, "ResourceNotFound", "keyvault", "purge", "-n", "kv-gone")
	// The name is free again.
	e.MustRun(t, "keyvault", "create", "-n", "kv-gone", "-g", g)

	// Purge protection holds a deleted vault until its retention ends.
	e.MustRun(t, "keyvault", "create", "-n", "kv-kept", "-g", g, "--enable-purge-protection", "true", "--retention-days", "7")
	e.MustRun(t, "keyvault", "delete", "-n", "kv-kept")
	e.MustFail(t, "(MethodNotAllowed) Operation 'DeletedVaultPurge' is not allowed.", "keyvault", "purge", "-n", "kv-kept")
	if got := e.MustRun(t, "keyvault", "list-deleted", "--query", "[].properties.purgeProtectionEnabled", "-o", "tsv"); got != "true\n" {
		t.Errorf("purgeProtectionEnabled = %q", got)
	}
	e.MustFail(t, "invalid choice: 'keys'", "keyvault", "list-deleted", "--resource-type", "keys")
}
