package arm_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scopevault/scopevault/internal/arm"
)

// TestMetadataEndpoints: the two shapes az and the SDKs read, without a
// token, under Azure's name and under scopevault's own address.
func TestMetadataEndpoints(t *testing.T) {
	srv := httptest.NewTLSServer(arm.MetadataHandler("https://localhost:8443/"))
	t.Cleanup(srv.Close)
	get := func(t *testing.T, method, host, query string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+"/metadata/endpoints"+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		if host != "" {
			req.Host = host
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return res.StatusCode, raw
	}
	type legacy struct {
		GalleryEndpoint, GraphEndpoint string
		Authentication                 struct {
			LoginEndpoint string
			Audiences     []string
		}
	}
	type cloud struct {
		Name, ResourceManager, MicrosoftGraphResourceID, GraphAudience string
		Authentication                                                 struct {
			LoginEndpoint string
			Audiences     []string
		}
		Suffixes map[string]string
	}
	for _, tc := range []struct {
		name, host, login, arm, graph, cloudName string
	}{
		{"azure-names", "management.azure.com", "https://login.microsoftonline.com", "https://management.azure.com/", "https://graph.microsoft.com/", "AzureCloud"},
		{"azure-names-443", "management.azure.com:443", "https://login.microsoftonline.com", "https://management.azure.com/", "https://graph.microsoft.com/", "AzureCloud"},
		{"local", "localhost:8443", "https://localhost:8443/", "https://localhost:8443/", "https://localhost:8443/", "scopevault"},
		{"local-443", "localhost:443", "https://localhost:8443/", "https://localhost/", "https://localhost/", "scopevault"},
		{"bad-host", "a/b", "https://localhost:8443/", "https://localhost:8443/", "https://localhost:8443/", "scopevault"},
	} {
		t.Run(tc.name+"/2015-01-01", func(t *testing.T) {
			// az cloud register --endpoint-resource-manager: cloud/custom.py.
			status, raw := get(t, "GET", tc.host, "?api-version=2015-01-01")
			var l legacy
			if status != 200 || json.Unmarshal(raw, &l) != nil {
				t.Fatalf("%d %s", status, raw)
			}
			if l.Authentication.LoginEndpoint != tc.login || len(l.Authentication.Audiences) == 0 ||
				l.Authentication.Audiences[0] != "https://management.core.windows.net/" || l.GraphEndpoint == "" || l.GalleryEndpoint == "" {
				t.Fatalf("legacy metadata = %s", raw)
			}
		})
		t.Run(tc.name+"/2022-09-01", func(t *testing.T) {
			status, raw := get(t, "GET", tc.host, "?api-version=2022-09-01")
			var cs []cloud
			if status != 200 || json.Unmarshal(raw, &cs) != nil || len(cs) != 1 {
				t.Fatalf("%d %s", status, raw)
			}
			c := cs[0]
			if c.Name != tc.cloudName || c.ResourceManager != tc.arm || c.MicrosoftGraphResourceID != tc.graph ||
				c.Authentication.LoginEndpoint != tc.login || c.Suffixes["keyVaultDns"] != "vault.azure.net" || c.GraphAudience == "" {
				t.Fatalf("metadata = %s", raw)
			}
		})
	}
	for _, tc := range []struct {
		name, method, query string
		status              int
		code                string
	}{
		{"no-api-version", "GET", "", 400, "MissingApiVersionParameter"},
		{"post", "POST", "?api-version=2022-09-01", 405, "MethodNotAllowed"},
		{"version-1.0-legacy", "GET", "?api-version=1.0", 200, ""},
		{"version-2019-05-01-list", "GET", "?api-version=2019-05-01", 200, ""},
	} {
		t.Run("wire/"+tc.name, func(t *testing.T) {
			status, raw := get(t, tc.method, "", tc.query)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, raw)
			}
			var body map[string]any
			_ = json.Unmarshal(raw, &body)
			e, _ := body["error"].(map[string]any)
			if code, _ := e["code"].(string); code != tc.code {
				t.Fatalf("code %q, want %q: %s", code, tc.code, raw)
			}
		})
	}
}
