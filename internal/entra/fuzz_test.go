package entra

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
)

func FuzzParseTokenForm(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=a&client_secret=b&scope=x%2F.default", "")
	f.Add("application/x-www-form-urlencoded; charset=utf-8", "grant_type=password&username=u&password=p", "Basic YTpi")
	f.Add("application/x-www-form-urlencoded", "grant_type=%zz", "Basic %%%")
	f.Add("multipart/form-data; boundary=x", "--x--", "")
	f.Add("", "", "Bearer x")
	f.Fuzz(func(t *testing.T, contentType, body, authz string) {
		r := httptest.NewRequest(http.MethodPost, "/t/oauth2/v2.0/token", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		r.Header.Set("Authorization", authz)
		tr, err := parseTokenForm(r)
		if err != nil {
			if scopevault.ErrorCodeOf(err) != scopevault.EINVALID {
				t.Fatalf("error code = %q, want invalid", scopevault.ErrorCodeOf(err))
			}
			return
		}
		if tr.GrantType == "" {
			t.Fatal("parsed a request without grant_type")
		}
	})
}

// FuzzTokenEndpoint sends arbitrary requests through the whole handler: no
// input may produce a 5xx or a body that is not Entra's error shape.
func FuzzTokenEndpoint(f *testing.F) {
	fx := MustFixture(f)
	h := NewHandler(fx.svc, nil)
	f.Add(tenantA, "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id="+fx.sp.AppID+"&client_secret=x&scope=https%3A%2F%2Fvault.azure.net%2F.default", false)
	f.Add(tenantA, "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id="+fx.sp.AppID+"&resource=2ff814a6-3304-4ab8-85cb-cd0e6f879c1d", true)
	f.Add("common", "application/x-www-form-urlencoded", "grant_type=device_code", false)
	f.Add(tenantA, "text/plain", "\x00", true)
	f.Fuzz(func(t *testing.T, tenant, contentType, body string, v1 bool) {
		path := "/" + tenant + "/oauth2/v2.0/token"
		if v1 {
			path = "/" + tenant + "/oauth2/token"
		}
		if strings.Contains(tenant, "/") || tenant == "" || tenant == "." || tenant == ".." {
			return // not one path segment; the mux, not this handler, answers
		}
		r := httptest.NewRequest(http.MethodPost, "https://login.test/", strings.NewReader(body))
		r.URL.Path = path // set directly: any byte may arrive escaped in a real URL
		r.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("status %d for bad input: %s", w.Code, w.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("status %d, body not JSON: %q", w.Code, w.Body)
		}
		if w.Code != 200 && out["error"] == nil {
			t.Fatalf("status %d without an error field: %v", w.Code, out)
		}
	})
}
