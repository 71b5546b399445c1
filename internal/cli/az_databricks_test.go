package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	idsvc "github.com/scopevault/scopevault/internal/identity"
)

// The workspace commands as typed, with the az databricks extension's syntax.
func TestAzDatabricksWorkspace(t *testing.T) {
	e := MustAz(t)
	sub := e.srv.Boot.SubscriptionID
	e.MustRun(t, "group", "create", "-n", "rg-dbx", "-l", "eastus")

	ws := e.MustJSON(t, "databricks", "workspace", "create", "-g", "rg-dbx", "-n", "ws-cli", "-l", "eastus", "--sku", "premium",
		"--managed-resource-group", "ws-cli-managed", "--tags", "env=dev", "team=data")
	for k, want := range map[string]any{
		"name": "ws-cli", "resourceGroup": "rg-dbx", "location": "eastus", "sku.name": "premium", "tags.team": "data",
		"provisioningState": "Succeeded", "type": "Microsoft.Databricks/workspaces",
		"managedResourceGroupId": "/subscriptions/" + sub + "/resourceGroups/ws-cli-managed",
	} {
		if got := get(ws, k); got != want {
			t.Errorf("create: %s = %v, want %v", k, got, want)
		}
	}
	if id, _ := get(ws, "workspaceId").(string); !regexp.MustCompile(`^\d{16}$`).MatchString(id) {
		t.Errorf("workspaceId = %v", get(ws, "workspaceId"))
	}
	host := strings.TrimSpace(e.MustRun(t, "databricks", "workspace", "show", "-g", "rg-dbx", "-n", "ws-cli", "--query", "workspaceUrl", "-o", "tsv"))
	if !regexp.MustCompile(`^127\.2\.\d+\.\d+:\d+$`).MatchString(host) {
		t.Errorf("show --query workspaceUrl -o tsv = %q", host)
	}

	// VNet injection needs the network and its two delegated subnets first.
	e.MustRun(t, "network", "vnet", "create", "-g", "rg-dbx", "-n", "adb-vnet", "-l", "eastus", "--address-prefixes", "10.139.0.0/16")
	for i, s := range []string{"host", "container"} {
		e.MustRun(t, "network", "vnet", "subnet", "create", "-g", "rg-dbx", "--vnet-name", "adb-vnet", "-n", s,
			"--address-prefixes", fmt.Sprintf("10.139.%d.0/18", i*64), "--delegations", "Microsoft.Databricks/workspaces")
	}
	vnet := e.MustJSON(t, "databricks", "workspace", "create", "-g", "rg-dbx", "-n", "ws-vnet", "-l", "eastus", "--sku", "standard",
		"--vnet", "adb-vnet", "--public-subnet", "host", "--private-subnet", "container", "--enable-no-public-ip")
	for k, want := range map[string]any{
		"parameters.customVirtualNetworkId.value":  "/subscriptions/" + sub + "/resourceGroups/rg-dbx/providers/Microsoft.Network/virtualNetworks/adb-vnet",
		"parameters.customPublicSubnetName.value":  "host",
		"parameters.customPrivateSubnetName.value": "container",
		"parameters.enableNoPublicIp.value":        true,
		"parameters.enableNoPublicIp.type":         "Bool",
	} {
		if got := get(vnet, k); got != want {
			t.Errorf("create --vnet: %s = %v, want %v", k, got, want)
		}
	}
	if mrg, _ := get(vnet, "managedResourceGroupId").(string); !strings.HasPrefix(mrg, "/subscriptions/"+sub+"/resourceGroups/databricks-rg-ws-vnet-") {
		t.Errorf("default managed resource group = %q", mrg)
	}
	if out := e.MustRun(t, "databricks", "workspace", "create", "-g", "rg-dbx", "-n", "ws-nowait", "-l", "eastus", "--sku", "trial", "--no-wait"); out != "" {
		t.Errorf("--no-wait printed %q", out)
	}

	if got := e.MustRun(t, "databricks", "workspace", "list", "-g", "rg-dbx", "--query", "sort([].name)", "-o", "tsv"); got != "ws-cli\nws-nowait\nws-vnet\n" {
		t.Errorf("list -g = %q", got)
	}
	var all []map[string]any
	if err := json.Unmarshal([]byte(e.MustRun(t, "databricks", "workspace", "list")), &all); err != nil || len(all) < 3 {
		t.Errorf("list = %d, %v", len(all), err)
	}

	upd := e.MustJSON(t, "databricks", "workspace", "update", "-g", "rg-dbx", "-n", "ws-cli", "--tags", "env=prod")
	if get(upd, "tags.env") != "prod" || get(upd, "tags.team") != nil {
		t.Errorf("update --tags = %v", upd["tags"])
	}
	upd = e.MustJSON(t, "databricks", "workspace", "update", "-g", "rg-dbx", "-n", "ws-cli", "--sku", "standard")
	if get(upd, "sku.name") != "standard" || get(upd, "workspaceId") != get(ws, "workspaceId") || get(upd, "tags.env") != "prod" {
		t.Errorf("update --sku = %v", upd)
	}

	e.MustFail(t, "Unable to prompt", "databricks", "workspace", "delete", "-g", "rg-dbx", "-n", "ws-cli")
	e.MustRun(t, "databricks", "workspace", "delete", "-g", "rg-dbx", "-n", "ws-cli", "--yes")
	e.MustFail(t, "ResourceNotFound", "databricks", "workspace", "show", "-g", "rg-dbx", "-n", "ws-cli")
	e.MustRun(t, "databricks", "workspace", "delete", "-g", "rg-dbx", "-n", "ws-nowait", "-y", "--no-wait")

	for _, c := range []struct {
		name, want string
		args       []string
	}{
		{"fail/no-sku", "--sku", []string{"databricks", "workspace", "create", "-g", "rg-dbx", "-n", "ws-x", "-l", "eastus"}},
		{"fail/bad-sku", "invalid choice", []string{"databricks", "workspace", "create", "-g", "rg-dbx", "-n", "ws-x", "-l", "eastus", "--sku", "gold"}},
		{"fail/subnet-without-vnet", "require --vnet", []string{"databricks", "workspace", "create", "-g", "rg-dbx", "-n", "ws-x", "-l", "eastus", "--sku", "premium", "--public-subnet", "h"}},
		{"fail/managed-group-is-own", "InvalidManagedResourceGroupId", []string{"databricks", "workspace", "create", "-g", "rg-dbx", "-n", "ws-x", "-l", "eastus", "--sku", "premium", "--managed-resource-group", "rg-dbx"}},
		{"fail/no-group", "ResourceGroupNotFound", []string{"databricks", "workspace", "create", "-g", "nope", "-n", "ws-x", "-l", "eastus", "--sku", "premium"}},
		{"fail/show-no-name", "--name", []string{"databricks", "workspace", "show", "-g", "rg-dbx"}},
		{"fail/update-nothing", "--tags or --sku", []string{"databricks", "workspace", "update", "-g", "rg-dbx", "-n", "ws-vnet"}},
	} {
		t.Run(c.name, func(t *testing.T) { e.MustFail(t, c.want, c.args...) })
	}
}

// get-access-token prints az's shape; --query accessToken -o tsv prints the
// token alone; the AzureDatabricks resource and an explicit scope work.
func TestAzAccountGetAccessToken(t *testing.T) {
	e := MustAz(t)
	boot := e.srv.Boot
	tok := e.MustJSON(t, "account", "get-access-token")
	for _, k := range []string{"accessToken", "expiresOn", "expires_on", "subscription", "tenant", "tokenType"} {
		if tok[k] == nil {
			t.Errorf("get-access-token has no %s: %v", k, tok)
		}
	}
	if tok["tenant"] != boot.TenantID || tok["subscription"] != boot.SubscriptionID || tok["tokenType"] != "Bearer" {
		t.Errorf("get-access-token = %v", tok)
	}
	for _, c := range []struct {
		name string
		args []string
		aud  string
	}{
		{"ok/default-arm", nil, idsvc.AudienceARM},
		{"ok/resource-arm", []string{"--resource", "https://management.core.windows.net/"}, idsvc.AudienceARM},
		{"ok/resource-databricks", []string{"--resource", scopevault.AzureDatabricksAppID}, idsvc.AudienceDatabricks},
		{"ok/scope-vault", []string{"--scope", "https://vault.azure.net/.default"}, idsvc.AudienceKeyVault},
		{"ok/tenant", []string{"--resource", scopevault.AzureDatabricksAppID, "--tenant", boot.TenantID}, idsvc.AudienceDatabricks},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"account", "get-access-token"}, c.args...)
			out := e.MustRun(t, append(args, "--query", "accessToken", "-o", "tsv")...)
			raw := strings.TrimSuffix(out, "\n")
			if strings.ContainsAny(raw, " \t\n\"{") || raw == "" {
				t.Fatalf("--query accessToken -o tsv printed %q", out)
			}
			cl, err := e.srv.Identity.VerifyToken(context.Background(), raw)
			if err != nil || cl.Audience != c.aud {
				t.Fatalf("token: %v, audience %q, want %q", err, cl.Audience, c.aud)
			}
		})
	}
	for _, c := range []struct {
		name, want string
		args       []string
	}{
		{"fail/unknown-resource", "500011", []string{"--resource", "https://storage.azure.com/"}},
		{"fail/resource-and-scope", "mutually exclusive", []string{"--resource", "x", "--scope", "y/.default"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.MustFail(t, c.want, append([]string{"account", "get-access-token"}, c.args...)...)
		})
	}
}

// The AzureDatabricks first-party principal is in the directory: az ad sp
// show finds it and a role can be assigned to it on a vault.
func TestAzAzureDatabricksPrincipal(t *testing.T) {
	e := MustAz(t)
	sp := e.MustJSON(t, "ad", "sp", "show", "--id", scopevault.AzureDatabricksAppID)
	if sp["appId"] != scopevault.AzureDatabricksAppID || sp["displayName"] != "AzureDatabricks" {
		t.Fatalf("ad sp show = %v", sp)
	}
	e.MustRun(t, "group", "create", "-n", "rg-kv", "-l", "eastus")
	vaultID := strings.TrimSpace(e.MustRun(t, "keyvault", "create", "-n", "kv-dbx-sp", "-g", "rg-kv", "--query", "id", "-o", "tsv"))
	ra := e.MustJSON(t, "role", "assignment", "create", "--assignee", scopevault.AzureDatabricksAppID, "--role", "Key Vault Secrets User", "--scope", vaultID)
	if ra["principalId"] != sp["id"] || ra["scope"] != vaultID || ra["principalType"] != "ServicePrincipal" {
		t.Fatalf("role assignment create = %v", ra)
	}
}
