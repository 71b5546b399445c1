package arm_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// No workspace request, however malformed, is a 500, and no answer quotes
// the caller's token.
func FuzzWorkspaceHandlerNever500(f *testing.F) {
	e, _ := MustWorkspaceEnv(f)
	tok := e.Token(f, e.admin, "")
	ws := workspacePath("ws-fuzz") + "?" + dbxAPI
	for _, s := range []struct{ method, path, body string }{
		{"PUT", ws, `{"location":"eastus","sku":{"name":"premium"},"properties":{"managedResourceGroupId":"/subscriptions/` + sub + `/resourceGroups/m"}}`},
		{"PUT", ws, `{"location":"eastus","properties":{"managedResourceGroupId":"/subscriptions/` + sub + `/resourceGroups/m","parameters":{"encryption":{"value":{"keySource":"Default"}}}}}`},
		{"PUT", ws, `{"location":"eastus","properties":{"computeMode":"Serverless","parameters":{"enableNoPublicIp":{"type":"Bool","value":false}}}}`},
		{"PATCH", ws, `{"tags":{"a":"b"}}`},
		{"GET", ws, ""},
		{"DELETE", ws, ""},
		{"GET", rgScope() + "/providers/Microsoft.Databricks/workspaces?" + dbxAPI, ""},
		{"GET", subScope() + "/providers/Microsoft.Databricks/workspaces?api-version=2018-04-01", ""},
		{"GET", subScope() + "/providers/Microsoft.Databricks/locations/eastus/operationStatuses/cHV0fDExMTExMTExLTIyMjItMzMzMy00NDQ0LTU1NTU1NTU1NTU1NXxyZ3x3c3wx?" + dbxAPI, ""},
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
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 || strings.Contains(rec.Body.String(), tok) {
			t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
		}
	})
}
