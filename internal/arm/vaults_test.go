package arm_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
)

func TestCreateVaultShape(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	r := e.Do(t, http.MethodPut, vaultPath("kv-Shape")+"?"+armAPI, tok, map[string]any{
		"location": "eastus",
		"tags":     map[string]string{"env": "dev"},
		"properties": map[string]any{
			"tenantId": tenant, "sku": map[string]any{"family": "A", "name": "Standard"},
			"enableRbacAuthorization": true, "softDeleteRetentionInDays": 7, "enablePurgeProtection": true,
			"networkAcls": map[string]any{"bypass": "azureservices", "defaultAction": "deny",
				"ipRules": []any{map[string]any{"value": "203.0.113.7"}},
				"virtualNetworkRules": []any{map[string]any{"id": "/subscriptions/" + sub + "/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/Host",
					"ignoreMissingVnetServiceEndpoint": true}}},
		},
	})
	MustStatus(t, r, http.StatusCreated)
	addr := e.mustEngineVault(t, "kv-shape").Address
	for k, want := range map[string]any{
		"id":                                   vaultPath("kv-Shape"),
		"name":                                 "kv-Shape",
		"type":                                 "Microsoft.KeyVault/vaults",
		"location":                             "eastus",
		"tags.env":                             "dev",
		"properties.tenantId":                  tenant,
		"properties.sku.family":                "A",
		"properties.sku.name":                  "standard",
		"properties.enableRbacAuthorization":   true,
		"properties.enableSoftDelete":          true,
		"properties.softDeleteRetentionInDays": float64(7),
		"properties.enablePurgeProtection":     true,
		"properties.vaultUri":                  "https://" + addr + ":8443/",
		"properties.provisioningState":         "Succeeded",
		"properties.publicNetworkAccess":       "Enabled",
		"properties.networkAcls.bypass":        "AzureServices",
		"properties.networkAcls.defaultAction": "Deny",
	} {
		if got := r.Get(k); got != want {
			t.Errorf("%s = %#v, want %#v", k, got, want)
		}
	}
	acl := r.Get("properties.networkAcls").(map[string]any)
	if got := acl["ipRules"].([]any)[0].(map[string]any)["value"]; got != "203.0.113.7/32" {
		t.Errorf("ip rule = %v, want 203.0.113.7/32", got)
	}
	if got := acl["virtualNetworkRules"].([]any)[0].(map[string]any)["id"]; got != "/subscriptions/"+sub+"/resourcegroups/net/providers/microsoft.network/virtualnetworks/vnet1/subnets/host" {
		t.Errorf("vnet rule = %v, want lower-cased id", got)
	}
	if got := r.Get("properties.accessPolicies"); got == nil {
		t.Error("accessPolicies missing; the service returns []")
	}
	if !slices.Contains(e.changed, "kv-Shape") {
		t.Errorf("OnVaultChanged saw %v", e.changed)
	}
}

func (e *env) mustEngineVault(tb testing.TB, name string) *scopevault.Vault {
	tb.Helper()
	v, err := e.eng.Vault(tb.Context(), name)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// enableRbacAuthorization defaults by api-version: false before 2026-02-01, true from it.
func TestCreateVaultRBACDefault(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	for _, tc := range []struct {
		name, vault, api string
		want             bool
	}{
		{"ok/2024-11-01", "kv-old", "2024-11-01", false},
		{"ok/2023-07-01", "kv-older", "2023-07-01", false},
		{"ok/2026-02-01", "kv-new", "2026-02-01", true},
		{"ok/2026-04-01-preview", "kv-newer", "2026-04-01-preview", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, http.MethodPut, vaultPath(tc.vault)+"?api-version="+tc.api, tok, vaultBody(nil))
			MustStatus(t, r, http.StatusCreated)
			if got := r.Get("properties.enableRbacAuthorization"); got != tc.want {
				t.Errorf("enableRbacAuthorization = %v, want %v", got, tc.want)
			}
			if got := r.Get("properties.enablePurgeProtection"); got != nil {
				t.Errorf("enablePurgeProtection = %v, want absent", got)
			}
			if got := r.Get("properties.softDeleteRetentionInDays"); got != float64(90) {
				t.Errorf("softDeleteRetentionInDays = %v, want 90", got)
			}
		})
	}
}

func TestCreateVaultErrors(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	other := subScope() + "/resourceGroups/rg-other"
	MustStatus(t, e.Do(t, http.MethodPut, other+"?"+rgAPI, tok, map[string]any{"location": "eastus"}), http.StatusCreated)
	e.MustVault(t, "kv-taken", true)
	for _, tc := range []struct {
		name   string
		path   string
		body   any
		status int
		code   string
	}{
		{"fail/bad-name", vaultPath("a--b"), vaultBody(nil), 400, "VaultNameNotValid"},
		{"fail/no-location", vaultPath("kv-x"), map[string]any{"properties": vaultBody(nil)["properties"]}, 400, "LocationRequired"},
		{"fail/no-properties", vaultPath("kv-x"), map[string]any{"location": "eastus"}, 400, "BadRequest"},
		{"fail/no-tenant", vaultPath("kv-x"), map[string]any{"location": "eastus", "properties": map[string]any{"sku": map[string]any{"name": "standard"}}}, 400, "BadRequest"},
		{"fail/no-sku", vaultPath("kv-x"), map[string]any{"location": "eastus", "properties": map[string]any{"tenantId": tenant}}, 400, "BadRequest"},
		{"fail/bad-sku", vaultPath("kv-x"), vaultBody(map[string]any{"sku": map[string]any{"name": "gold"}}), 400, "BadRequest"},
		{"fail/retention-low", vaultPath("kv-x"), vaultBody(map[string]any{"softDeleteRetentionInDays": 6}), 400, "BadRequest"},
		{"fail/retention-zero", vaultPath("kv-x"), vaultBody(map[string]any{"softDeleteRetentionInDays": 0}), 400, "BadRequest"},
		{"fail/soft-delete-off", vaultPath("kv-x"), vaultBody(map[string]any{"enableSoftDelete": false}), 400, "BadRequest"},
		{"fail/bad-ip-rule", vaultPath("kv-x"), vaultBody(map[string]any{"networkAcls": map[string]any{"ipRules": []any{map[string]any{"value": "::1"}}}}), 400, "BadRequest"},
		{"fail/bad-policy-permission", vaultPath("kv-x"), vaultBody(map[string]any{"accessPolicies": []any{map[string]any{"tenantId": tenant, "objectId": e.admin.ObjectID, "permissions": map[string]any{"secrets": []string{"steal"}}}}}), 400, "BadRequest"},
		{"fail/missing-group", subScope() + "/resourceGroups/absent/providers/Microsoft.KeyVault/vaults/kv-x", vaultBody(nil), 404, "ResourceGroupNotFound"},
		{"fail/name-in-other-group", other + "/providers/Microsoft.KeyVault/vaults/kv-taken", vaultBody(nil), 409, "VaultAlreadyExists"},
		{"fail/recover-nothing", vaultPath("kv-x"), vaultBody(map[string]any{"createMode": "recover"}), 404, "SoftDeletedVaultDoesNotExist"},
		{"fail/bad-create-mode", vaultPath("kv-x"), vaultBody(map[string]any{"createMode": "restore"}), 400, "BadRequest"},
		{"fail/policy-of-other-tenant", vaultPath("kv-x"), vaultBody(map[string]any{"accessPolicies": []any{map[string]any{"tenantId": otherTenant, "objectId": e.admin.ObjectID, "permissions": map[string]any{"secrets": []string{"get"}}}}}), 400, "BadRequest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, http.MethodPut, tc.path+"?"+armAPI, tok, tc.body)
			MustStatus(t, r, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q (%s)", got, tc.code, r.Raw)
			}
		})
	}
}

func TestUpdateVault(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	path := vaultPath("kv-upd") + "?" + armAPI
	MustStatus(t, e.Do(t, http.MethodPut, path, tok, vaultBody(map[string]any{"enablePurgeProtection": true, "softDeleteRetentionInDays": 30})), http.StatusCreated)
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"ok/tags-and-policies", map[string]any{"location": "eastus", "tags": map[string]string{"a": "b"}, "properties": map[string]any{
			"accessPolicies": []any{map[string]any{"tenantId": tenant, "objectId": e.admin.ObjectID, "permissions": map[string]any{"secrets": []string{"Get", "List"}}}},
		}}, 200, ""},
		{"ok/same-retention", vaultBody(map[string]any{"softDeleteRetentionInDays": 30}), 200, ""},
		{"fail/retention-change", vaultBody(map[string]any{"softDeleteRetentionInDays": 60}), 400, "BadRequest"},
		{"fail/purge-protection-off", vaultBody(map[string]any{"enablePurgeProtection": false}), 400, "BadRequest"},
		{"fail/location-change", map[string]any{"location": "westus", "properties": map[string]any{}}, 409, "InvalidResourceLocation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, http.MethodPut, path, tok, tc.body)
			MustStatus(t, r, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q (%s)", got, tc.code, r.Raw)
			}
		})
	}
	r := e.Do(t, http.MethodGet, path, tok, nil)
	MustStatus(t, r, http.StatusOK)
	pol := r.Get("properties.accessPolicies").([]any)[0].(map[string]any)
	if got := pol["permissions"].(map[string]any)["secrets"]; !slices.Equal(toStrings(got), []string{"get", "list"}) {
		t.Errorf("secret permissions = %v, want [get list]", got)
	}
	if got := r.Get("tags.a"); got != "b" {
		t.Errorf("tags.a = %v", got)
	}
	if got := r.Get("properties.enablePurgeProtection"); got != true {
		t.Errorf("enablePurgeProtection = %v", got)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// Switching the permission model needs unrestricted roleAssignments/write
// on top of vaults/write: Key Vault Contributor may create but not switch.
func TestSwitchPermissionModel(t *testing.T) {
	e := MustEnv(t)
	kvc := e.MustPrincipal(t, "kv-contributor")
	e.MustAssign(t, authz.RoleKeyVaultContributor, kvc.ObjectID, rgScope())
	tok := e.Token(t, kvc, "")
	path := vaultPath("kv-model") + "?" + armAPI
	MustStatus(t, e.Do(t, http.MethodPut, path, tok, vaultBody(map[string]any{"enableRbacAuthorization": false})), http.StatusCreated)
	MustStatus(t, e.Do(t, http.MethodPut, path, tok, vaultBody(map[string]any{"enableRbacAuthorization": false})), http.StatusOK)
	r := e.Do(t, http.MethodPut, path, tok, vaultBody(map[string]any{"enableRbacAuthorization": true}))
	MustStatus(t, r, http.StatusForbidden)
	if got := r.ErrorCode(); got != "AuthorizationFailed" {
		t.Errorf("code = %q", got)
	}
	r = e.Do(t, http.MethodPut, path, e.Token(t, e.admin, ""), vaultBody(map[string]any{"enableRbacAuthorization": true}))
	MustStatus(t, r, http.StatusOK)
	if got := r.Get("properties.enableRbacAuthorization"); got != true {
		t.Errorf("enableRbacAuthorization = %v", got)
	}
}

func TestGetAndListVaults(t *testing.T) {
	e := MustEnv(t)
	e.MustVault(t, "kv-a", true)
	e.MustVault(t, "kv-b", false)
	reader := e.MustPrincipal(t, "reader")
	e.MustAssign(t, authz.RoleReader, reader.ObjectID, vaultPath("kv-b"))
	admin, rd := e.Token(t, e.admin, ""), e.Token(t, reader, "")
	for _, tc := range []struct {
		name  string
		token string
		path  string
		want  []string
		code  int
	}{
		{"ok/admin-by-group", admin, rgPath() + "/providers/Microsoft.KeyVault/vaults", []string{"kv-a", "kv-b"}, 200},
		{"ok/admin-by-subscription", admin, subScope() + "/providers/Microsoft.KeyVault/vaults", []string{"kv-a", "kv-b"}, 200},
		{"ok/top", admin, subScope() + "/providers/Microsoft.KeyVault/vaults?$top=1", []string{"kv-a"}, 200},
		{"ok/reader-sees-its-vault", rd, subScope() + "/providers/Microsoft.KeyVault/vaults", []string{"kv-b"}, 200},
		{"fail/bad-top", admin, subScope() + "/providers/Microsoft.KeyVault/vaults?$top=x", nil, 400},
		{"fail/missing-group", admin, subScope() + "/resourceGroups/absent/providers/Microsoft.KeyVault/vaults", nil, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sep := "?"
			if strings.Contains(tc.path, "?") {
				sep = "&"
			}
			r := e.Do(t, http.MethodGet, tc.path+sep+armAPI, tc.token, nil)
			MustStatus(t, r, tc.code)
			if tc.code != 200 {
				return
			}
			var got []string
			for _, v := range r.Body["value"].([]any) {
				got = append(got, v.(map[string]any)["name"].(string))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("vaults = %v, want %v", got, tc.want)
			}
		})
	}
	MustStatus(t, e.Do(t, http.MethodGet, vaultPath("kv-b")+"?"+armAPI, rd, nil), http.StatusOK)
	MustStatus(t, e.Do(t, http.MethodGet, vaultPath("kv-a")+"?"+armAPI, rd, nil), http.StatusForbidden)
	r := e.Do(t, http.MethodGet, vaultPath("kv-none")+"?"+armAPI, admin, nil)
	MustStatus(t, r, http.StatusNotFound)
	if got := r.ErrorCode(); got != "ResourceNotFound" {
		t.Errorf("code = %q", got)
	}
	other := subScope() + "/resourceGroups/rg-other"
	MustStatus(t, e.Do(t, http.MethodPut, other+"?"+rgAPI, admin, map[string]any{"location": "eastus"}), http.StatusCreated)
	// A vault is found only under its own group.
	MustStatus(t, e.Do(t, http.MethodGet, other+"/providers/Microsoft.KeyVault/vaults/kv-a?"+armAPI, admin, nil), http.StatusNotFound)
}

// A virtualNetworkRule admits a subnet only once it has the Microsoft.KeyVault
// service endpoint, unless the rule says to ignore it (Azure's
// SubnetsHaveNoServiceEndpointsConfigured), on PUT and PATCH alike.
func TestVaultVNetRuleNeedsServiceEndpoint(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	group := "/subscriptions/" + sub + "/resourceGroups/net"
	MustStatus(t, e.Do(t, http.MethodPut, group+"?api-version=2022-09-01", tok, map[string]any{"location": "eastus"}), http.StatusCreated)
	subnet := group + "/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/app"
	putVNet := func(endpoints []any) {
		t.Helper()
		r := e.Do(t, http.MethodPut, group+"/providers/Microsoft.Network/virtualNetworks/vnet1?api-version=2024-05-01", tok, map[string]any{
			"location": "eastus", "properties": map[string]any{"addressSpace": map[string]any{"addressPrefixes": []string{"10.0.0.0/16"}},
				"subnets": []any{map[string]any{"name": "app", "properties": map[string]any{"addressPrefix": "10.0.1.0/24", "serviceEndpoints": endpoints}}}}})
		if r.Status != http.StatusOK && r.Status != http.StatusCreated {
			t.Fatalf("virtual network: %d %s", r.Status, r.Raw)
		}
	}
	vault := func(method string, ignore bool) resp {
		rule := map[string]any{"id": subnet}
		if ignore {
			rule["ignoreMissingVnetServiceEndpoint"] = true
		}
		props := map[string]any{"networkAcls": map[string]any{"defaultAction": "Deny", "virtualNetworkRules": []any{rule}}}
		body := map[string]any{"properties": props}
		if method == http.MethodPut {
			props["tenantId"], props["sku"] = tenant, map[string]any{"family": "A", "name": "standard"}
			body["location"] = "eastus"
		}
		return e.Do(t, method, vaultPath("kv-se")+"?"+armAPI, tok, body)
	}
	wantRefused := func(r resp) {
		t.Helper()
		MustStatus(t, r, http.StatusBadRequest)
		if r.ErrorCode() != "SubnetsHaveNoServiceEndpointsConfigured" || !strings.Contains(r.ErrorMessage(), "Add Microsoft.KeyVault to subnet's ServiceEndpoints") {
			t.Fatalf("got %s", r.Raw)
		}
	}
	wantRefused(vault(http.MethodPut, false)) // no such subnet
	putVNet(nil)
	wantRefused(vault(http.MethodPut, false)) // no service endpoint
	MustStatus(t, vault(http.MethodPut, true), http.StatusCreated)
	wantRefused(vault(http.MethodPatch, false))
	putVNet([]any{map[string]any{"service": "Microsoft.KeyVault"}})
	MustStatus(t, vault(http.MethodPatch, false), http.StatusOK)
}
