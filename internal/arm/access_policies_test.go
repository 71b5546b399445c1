package arm_test

import (
	"net/http"
	"reflect"
	"testing"
)

func apEntry(object string, secrets ...string) map[string]any {
	return map[string]any{"tenantId": tenant, "objectId": object, "permissions": map[string]any{"secrets": secrets}}
}

func policies(ps ...map[string]any) map[string]any {
	list := []any{}
	for _, p := range ps {
		list = append(list, p)
	}
	return map[string]any{"properties": map[string]any{"accessPolicies": list}}
}

// secretPermissions is objectId -> secret permissions of a vault response.
func secretPermissions(r resp) map[string][]string {
	out := map[string][]string{}
	for _, x := range r.Get("properties.accessPolicies").([]any) {
		p := x.(map[string]any)
		out[p["objectId"].(string)] = toStrings(p["permissions"].(map[string]any)["secrets"])
	}
	return out
}

// Each step runs against the state the previous one left.
func TestAccessPolicyOperations(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	e.MustPut(t, "kv-ap", map[string]any{"accessPolicies": []any{apEntry("oid-a", "get")}})
	base := vaultPath("kv-ap") + "/accessPolicies/"
	for _, tc := range []struct {
		name   string
		kind   string
		body   any
		status int
		code   string
		want   map[string][]string
	}{
		{"ok/add-merges-permissions", "add", policies(apEntry("OID-A", "List", "get")), 200, "", map[string][]string{"oid-a": {"get", "list"}}},
		{"ok/add-appends-entry", "add", policies(apEntry("oid-b", "get", "set")), 200, "", map[string][]string{"oid-a": {"get", "list"}, "oid-b": {"get", "set"}}},
		{"ok/remove-permissions", "remove", policies(apEntry("oid-b", "set")), 200, "", map[string][]string{"oid-a": {"get", "list"}, "oid-b": {"get"}}},
		{"ok/remove-drops-empty-entry", "remove", policies(apEntry("oid-a", "get", "list")), 200, "", map[string][]string{"oid-b": {"get"}}},
		{"ok/remove-unknown-is-noop", "remove", policies(apEntry("oid-z", "get")), 200, "", map[string][]string{"oid-b": {"get"}}},
		{"ok/replace", "Replace", policies(apEntry("oid-c", "all")), 200, "", map[string][]string{"oid-c": {"all"}}},
		{"ok/replace-with-none", "replace", policies(), 200, "", map[string][]string{}},
		{"fail/bad-kind", "merge", policies(), 400, "BadRequest", nil},
		{"fail/other-tenant", "add", policies(map[string]any{"tenantId": otherTenant, "objectId": "oid-x", "permissions": map[string]any{"secrets": []string{"get"}}}), 400, "BadRequest", nil},
		{"fail/bad-permission", "add", policies(apEntry("oid-x", "steal")), 400, "BadRequest", nil},
		{"fail/no-properties", "add", map[string]any{}, 400, "BadRequest", nil},
		{"fail/no-policies", "add", map[string]any{"properties": map[string]any{}}, 400, "BadRequest", nil},
		{"fail/duplicate-entries", "add", policies(apEntry("oid-x", "get"), apEntry("OID-X", "list")), 400, "BadRequest", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, http.MethodPut, base+tc.kind+"?"+armAPI, tok, tc.body)
			MustStatus(t, r, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q (%s)", got, tc.code, r.Raw)
			}
			if tc.want == nil {
				return
			}
			if got := r.Get("type"); got != "Microsoft.KeyVault/vaults/accessPolicies" {
				t.Errorf("type = %v", got)
			}
			if got := r.Get("properties.accessPolicies"); got == nil {
				t.Error("response has no properties.accessPolicies")
			}
			v := e.Do(t, http.MethodGet, vaultPath("kv-ap")+"?"+armAPI, tok, nil)
			if got := secretPermissions(v); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("policies = %v, want %v", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name, path, code string
		status           int
	}{
		{"fail/missing-vault", vaultPath("kv-none") + "/accessPolicies/add", "ResourceNotFound", 404},
		{"fail/vault-in-other-group", subScope() + "/resourceGroups/absent/providers/Microsoft.KeyVault/vaults/kv-ap/accessPolicies/add", "ResourceGroupNotFound", 404},
		{"fail/get-not-allowed", vaultPath("kv-ap") + "/accessPolicies/add", "MethodNotAllowed", 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := http.MethodPut
			if tc.status == 405 {
				method = http.MethodGet
			}
			r := e.Do(t, method, tc.path+"?"+armAPI, tok, policies(apEntry("oid-a", "get")))
			MustStatus(t, r, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q", got, tc.code)
			}
		})
	}
}
