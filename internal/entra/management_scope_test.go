package entra

import (
	"context"
	"net/url"
	"testing"

	"github.com/scopevault/scopevault/internal/identity"
)

// An ARM SDK configured with only the control plane's endpoint asks for
// "<endpoint>/.default"; the token is for the management audience.
func TestTokenManagementEndpointScope(t *testing.T) {
	f := MustFixture(t)
	f.svc.SetManagementURLs("https://localhost:8443", "https://127.0.0.1:8443/")
	for _, tt := range []struct {
		name  string
		scope string
		code  int // AADSTS code on failure
	}{
		{name: "ok/localhost", scope: "https://localhost:8443/.default"},
		{name: "ok/loopback", scope: "https://127.0.0.1:8443/.default"},
		{name: "ok/double-slash", scope: "https://localhost:8443//.default"},
		{name: "ok/host-case", scope: "https://LOCALHOST:8443/.default"},
		{name: "ok/with-oidc-scopes", scope: "https://localhost:8443/.default openid offline_access profile"},
		{name: "ok/management-still", scope: "https://management.azure.com/.default"},
		{name: "fail/other-port", scope: "https://localhost:9443/.default", code: 500011},
		{name: "fail/http", scope: "http://localhost:8443/.default", code: 500011},
		{name: "fail/path", scope: "https://localhost:8443/arm/.default", code: 500011},
		{name: "fail/other-host", scope: "https://example.com:8443/.default", code: 500011},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.postForm(t, "/"+tenantA+"/oauth2/v2.0/token", url.Values{
				"grant_type": {"client_credentials"}, "client_id": {f.sp.AppID}, "client_secret": {f.secret}, "scope": {tt.scope},
			})
			if tt.code != 0 {
				wantAADError(t, resp, body, 400, "invalid_resource", tt.code)
				return
			}
			if resp.StatusCode != 200 {
				t.Fatalf("got %d %v", resp.StatusCode, body)
			}
			c, err := f.svc.VerifyToken(context.Background(), body["access_token"].(string))
			if err != nil {
				t.Fatal(err)
			}
			if c.Audience != identity.AudienceARM {
				t.Errorf("aud = %q, want %q", c.Audience, identity.AudienceARM)
			}
		})
	}
}
