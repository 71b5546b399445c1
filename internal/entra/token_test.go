package entra

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
)

func TestTokenV2(t *testing.T) {
	f := MustFixture(t)
	const vault = "https://vault.azure.net/.default openid offline_access profile"
	cc := func(kv ...string) url.Values {
		v := url.Values{"grant_type": {"client_credentials"}, "client_id": {f.sp.AppID}, "client_secret": {f.secret}, "scope": {vault}}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return v
	}
	pw := url.Values{"grant_type": {"password"}, "client_id": {identity.PublicClientAppID}, "username": {"alice@contoso.example"}, "password": {f.password}, "scope": {vault}}
	tests := []struct {
		name   string
		tenant string
		form   url.Values
		status int
		kind   string // OAuth error on failure
		code   int
		oid    string
	}{
		{name: "ok", form: cc(), status: 200, oid: f.sp.ObjectID},
		{name: "ok/cae-claims-ignored", form: cc("claims", `{"access_token":{"xms_cc":{"values":["CP1"]}}}`), status: 200, oid: f.sp.ObjectID},
		{name: "ok/databricks", form: cc("scope", scopevault.AzureDatabricksAppID+"/.default"), status: 200, oid: f.sp.ObjectID},
		{name: "ok/password", form: pw, status: 200, oid: f.user.ObjectID},
		{name: "fail/unknown-tenant", tenant: unknownTenant, form: cc(), status: 400, kind: "invalid_request", code: 90002},
		{name: "fail/unknown-client", form: cc("client_id", "00000000-0000-0000-0000-000000000001"), status: 400, kind: "unauthorized_client", code: 700016},
		{name: "fail/bad-secret", form: cc("client_secret", "abc8Q~not-the-secret"), status: 401, kind: "invalid_client", code: 7000215},
		{name: "fail/missing-secret", form: cc("client_secret", ""), status: 401, kind: "invalid_client", code: 7000218},
		{name: "fail/bad-scope", form: cc("scope", "https://vault.azure.net"), status: 400, kind: "invalid_scope", code: 70011},
		{name: "fail/missing-scope", form: cc("scope", ""), status: 400, kind: "invalid_request", code: 900144},
		{name: "fail/unknown-resource", form: cc("scope", "https://storage.azure.com/.default"), status: 400, kind: "invalid_resource", code: 500011},
		{name: "fail/bad-password", form: url.Values{"grant_type": {"password"}, "client_id": {identity.PublicClientAppID}, "username": {"alice@contoso.example"}, "password": {"nope"}, "scope": {vault}}, status: 400, kind: "invalid_grant", code: 50126},
		{name: "fail/missing-grant-type", form: cc("grant_type", ""), status: 400, kind: "invalid_request", code: 900144},
		{name: "fail/unsupported-grant", form: cc("grant_type", "authorization_code"), status: 400, kind: "unsupported_grant_type", code: 70003},
		{name: "fail/missing-client-id", form: cc("client_id", ""), status: 400, kind: "invalid_request", code: 900144},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenant := tenantA
			if tt.tenant != "" {
				tenant = tt.tenant
			}
			resp, body := f.postForm(t, "/"+tenant+"/oauth2/v2.0/token", tt.form)
			if got := resp.Header.Get("Cache-Control"); !strings.Contains(got, "no-store") {
				t.Errorf("Cache-Control = %q", got)
			}
			if tt.kind != "" {
				wantAADError(t, resp, body, tt.status, tt.kind, tt.code)
				if desc, _ := body["error_description"].(string); strings.Contains(desc, f.secret) || strings.Contains(desc, f.password) {
					t.Error("error quotes a secret")
				}
				return
			}
			if resp.StatusCode != 200 || body["token_type"] != "Bearer" || body["expires_in"] != float64(3599) || body["ext_expires_in"] != float64(3599) {
				t.Fatalf("got %d %v", resp.StatusCode, body)
			}
			c, err := f.svc.VerifyToken(context.Background(), body["access_token"].(string))
			if err != nil {
				t.Fatal(err)
			}
			if c.ObjectID != tt.oid {
				t.Errorf("oid = %s, want %s", c.ObjectID, tt.oid)
			}
		})
	}
}

func TestTokenV2Malformed(t *testing.T) {
	f := MustFixture(t)
	tests := []struct {
		name, contentType, body, basic string
		status                         int
		kind                           string
		code                           int
	}{
		{name: "ok/basic-auth", contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials&scope=https%3A%2F%2Fvault.azure.net%2F.default",
			basic: url.QueryEscape(f.sp.AppID) + ":" + url.QueryEscape(f.secret), status: 200},
		{name: "fail/json-body", contentType: "application/json", body: `{"grant_type":"client_credentials"}`, status: 400, kind: "invalid_request", code: 900144},
		{name: "fail/no-content-type", body: "grant_type=client_credentials", status: 400, kind: "invalid_request", code: 900144},
		{name: "fail/bad-escape", contentType: "application/x-www-form-urlencoded", body: "grant_type=%zz", status: 400, kind: "invalid_request", code: 900144},
		{name: "fail/too-large", contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials&x=" + strings.Repeat("a", maxFormBytes), status: 400, kind: "invalid_request", code: 900144},
		{name: "fail/basic-auth-bad-secret", contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials&scope=https%3A%2F%2Fvault.azure.net%2F.default",
			basic: f.sp.AppID + ":wrong", status: 401, kind: "invalid_client", code: 7000215},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/"+tenantA+"/oauth2/v2.0/token", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if u, p, ok := strings.Cut(tt.basic, ":"); ok {
				req.SetBasicAuth(u, p)
			}
			resp, body := f.do(t, req)
			if tt.kind != "" {
				wantAADError(t, resp, body, tt.status, tt.kind, tt.code)
				return
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, body %v", resp.StatusCode, body)
			}
		})
	}
}

func TestTokenV1(t *testing.T) {
	f := MustFixture(t)
	form := func(resource string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {f.sp.AppID}, "client_secret": {f.secret}, "resource": {resource}}
	}
	t.Run("ok", func(t *testing.T) {
		resp, body := f.postForm(t, "/"+tenantA+"/oauth2/token", form("https://management.azure.com/"))
		if resp.StatusCode != 200 {
			t.Fatalf("status = %d, body %v", resp.StatusCode, body)
		}
		want := map[string]any{
			"token_type": "Bearer", "expires_in": "3599", "ext_expires_in": "3599", "resource": "https://management.azure.com/",
			"expires_on": "1772370000", "not_before": "1772366400",
		}
		for k, v := range want {
			if body[k] != v {
				t.Errorf("%s = %v, want %v", k, body[k], v)
			}
		}
		c, err := f.svc.VerifyToken(context.Background(), body["access_token"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.Audience, identity.AudienceARM; got != want {
			t.Errorf("aud = %q, want %q", got, want)
		}
	})
	t.Run("fail/missing-resource", func(t *testing.T) {
		resp, body := f.postForm(t, "/"+tenantA+"/oauth2/token", form(""))
		wantAADError(t, resp, body, 400, "invalid_request", 900144)
	})
	t.Run("fail/unknown-resource", func(t *testing.T) {
		resp, body := f.postForm(t, "/"+tenantA+"/oauth2/token", form("https://storage.azure.com/"))
		wantAADError(t, resp, body, 400, "invalid_resource", 500011)
	})
}

func TestMSIToken(t *testing.T) {
	f := MustFixture(t)
	vault := url.QueryEscape("https://vault.azure.net")
	tests := []struct {
		name, query, header string
		status              int
	}{
		{name: "ok", query: "api-version=2019-08-01&resource=" + vault, header: f.header, status: 200},
		{name: "ok/client-id", query: "api-version=2019-08-01&resource=" + vault + "&client_id=" + f.mi.AppID, header: f.header, status: 200},
		{name: "ok/mi-res-id", query: "api-version=2019-08-01&resource=" + vault + "&mi_res_id=/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi1", header: f.header, status: 200},
		{name: "fail/missing-header", query: "api-version=2019-08-01&resource=" + vault, status: 400},
		{name: "fail/unknown-header", query: "api-version=2019-08-01&resource=" + vault, header: "not-a-header", status: 401},
		{name: "fail/api-version", query: "api-version=2017-09-01&resource=" + vault, header: f.header, status: 400},
		{name: "fail/missing-resource", query: "api-version=2019-08-01", header: f.header, status: 400},
		{name: "fail/unknown-resource", query: "api-version=2019-08-01&resource=https://example.com", header: f.header, status: 400},
		{name: "fail/other-client-id", query: "api-version=2019-08-01&resource=" + vault + "&client_id=" + f.sp.AppID, header: f.header, status: 400},
		{name: "fail/other-mi-res-id", query: "api-version=2019-08-01&resource=" + vault + "&mi_res_id=/x/userAssignedIdentities/other", header: f.header, status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, f.srv.URL+"/msi/token?"+tt.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.header != "" {
				req.Header.Set("X-IDENTITY-HEADER", tt.header)
			}
			resp, body := f.do(t, req)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d (body %v)", resp.StatusCode, tt.status, body)
			}
			if tt.status != 200 {
				if body["statusCode"] != float64(tt.status) || body["message"] == "" {
					t.Errorf("error body = %v", body)
				}
				return
			}
			if body["token_type"] != "Bearer" || body["resource"] != "https://vault.azure.net" || body["client_id"] != f.mi.AppID || body["expires_on"] != "1772370000" {
				t.Errorf("body = %v", body)
			}
			if _, err := f.svc.VerifyToken(context.Background(), body["access_token"].(string)); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestUserRealm(t *testing.T) {
	f := MustFixture(t)
	resp, body := f.get(t, "/common/UserRealm/alice@contoso.example?api-version=1.0")
	if resp.StatusCode != 200 || body["account_type"] != "Managed" || body["domain_name"] != "contoso.example" {
		t.Errorf("got %d %v", resp.StatusCode, body)
	}
}

// TestNoTokenInLog checks that a full exchange logs neither secret nor token.
func TestNoTokenInLog(t *testing.T) {
	var buf strings.Builder
	f := MustFixture(t)
	f.srv.Config.Handler = NewHandler(f.svc, newTextLogger(&buf))
	resp, body := f.postForm(t, "/"+tenantA+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {f.sp.AppID}, "client_secret": {f.secret}, "scope": {"https://vault.azure.net/.default"}})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	f.postForm(t, "/"+tenantA+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {f.sp.AppID}, "client_secret": {f.secret + "x"}, "scope": {"https://vault.azure.net/.default"}})
	log := buf.String()
	if log == "" {
		t.Fatal("nothing logged")
	}
	for _, s := range []string{f.secret, body["access_token"].(string)} {
		if strings.Contains(log, s) {
			t.Errorf("log contains a secret or token")
		}
	}
}
