package arm_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// No request, however malformed, is a 500: bad input is always the client's error.
func FuzzHandlerNever500(f *testing.F) {
	e := MustEnv(f)
	e.MustVault(f, "kv-fuzz", true)
	tok := e.Token(f, e.admin, "")
	graphTok := e.Token(f, e.admin, graphAudience)
	for _, s := range []struct{ method, path, body string }{
		{"PUT", vaultPath("kv-f1") + "?" + armAPI, `{"location":"eastus","properties":{"tenantId":"` + tenant + `","sku":{"name":"standard"}}}`},
		{"PUT", vaultPath("kv-fuzz") + "?" + armAPI, `{"location":"eastus","properties":{"networkAcls":{"ipRules":[{"value":"1.2.3.4/33"}]}}}`},
		{"PUT", rgScope() + "/providers/Microsoft.Authorization/roleAssignments/00000000-0000-4000-8000-000000000001?" + authAPI, `{"properties":{"roleDefinitionId":"x","principalId":"y"}}`},
		{"GET", subScope() + "/providers/Microsoft.Authorization/roleAssignments?" + authAPI + "&$filter=assignedTo('x')", ""},
		{"GET", "/providers/Microsoft.Authorization/roleDefinitions?" + authAPI + "&$filter=roleName%20eq%20'x'", ""},
		{"PUT", rgPath() + "?" + rgAPI, `{"location":"eastus","tags":{"a":"b"}}`},
		{"POST", "/v1.0/servicePrincipals", `{"displayName":"x"}`},
		{"GET", "/v1.0/servicePrincipals(appId='x')", ""},
		{"DELETE", subScope() + "/resourcegroups/x?" + rgAPI, ""},
		{"PATCH", vaultPath("kv-fuzz") + "?" + armAPI, `{"properties":{"networkAcls":{"virtualNetworkRules":[{"id":"/x"}]}}}`},
		{"PUT", vaultPath("kv-fuzz") + "/accessPolicies/add?" + armAPI, `{"properties":{"accessPolicies":[{"tenantId":"` + tenant + `","objectId":"o","permissions":{"secrets":["get"]}}]}}`},
		{"POST", subScope() + "/providers/Microsoft.KeyVault/checkNameAvailability?" + armAPI, `{"name":"kv-x","type":"Microsoft.KeyVault/vaults"}`},
		{"POST", subScope() + "/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/kv-fuzz/purge?" + armAPI, ""},
		{"GET", subScope() + "/providers/Microsoft.KeyVault/locations/eastus/operationResults/a3YtZnV6enww?" + armAPI, ""},
		{"DELETE", vaultPath("kv-fuzz") + "?" + armAPI, ""},
	} {
		f.Add(s.method, s.path, s.body)
	}
	h := e.srv.Config.Handler
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n#") {
			return
		}
		req, err := http.NewRequest(method, "https://localhost"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		if strings.HasPrefix(path, "/v1.0") {
			req.Header.Set("Authorization", "Bearer "+graphTok)
		} else {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
		}
	})
}
