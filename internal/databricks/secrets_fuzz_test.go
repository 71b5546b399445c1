package databricks_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/access"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/databricks"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/store/sqlite"
	"github.com/scopevault/scopevault/internal/workspace"
)

const fuzzValue = "fuzz-value-must-not-echo"

// FuzzSecretsRequests sends arbitrary Secrets API requests (any body, any
// query, any Content-Type) as the workspace admin: the answer is a success
// or a Databricks error with a code and a message, never a 500, and an
// error never quotes the stored value.
func FuzzSecretsRequests(f *testing.F) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(f.TempDir(), "scopevault.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	b, err := barrier.Open(ctx, st, barrier.NewMasterKey())
	if err != nil {
		f.Fatal(err)
	}
	id, err := identity.New(ctx, st, b)
	if err != nil {
		f.Fatal(err)
	}
	tid := scopevault.NewGUID()
	if _, err := id.EnsureTenant(ctx, tid, "fuzz"); err != nil {
		f.Fatal(err)
	}
	az := authz.New(st, b)
	svc := workspace.New(st, b)
	svc.Identity, svc.Authz, svc.Vaults = id, az, secrets.New(st, b)
	svc.Access = &access.Pipeline{Verifier: id, Authorizer: az}
	ws := &scopevault.Workspace{Name: "fuzz", SubscriptionID: scopevault.NewGUID(), ResourceGroup: "rg", TenantID: tid, SKU: "premium", WorkspaceID: 42}
	admin, _, err := id.CreateServicePrincipal(ctx, tid, "admin")
	if err != nil {
		f.Fatal(err)
	}
	pat, err := svc.BootstrapAdmin(ctx, ws, admin)
	if err != nil {
		f.Fatal(err)
	}
	c, err := svc.Authenticate(ctx, ws, pat)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := svc.CreateScope(ctx, c, workspace.NewScope{Name: "s1"}); err != nil {
		f.Fatal(err)
	}
	if _, err := svc.PutSecret(ctx, c, "s1", "k1", []byte(fuzzValue)); err != nil {
		f.Fatal(err)
	}
	h := databricks.New(databricks.Config{
		Workspaces: svc,
		Resolve: func(context.Context, string, netip.Addr) (*scopevault.Workspace, error) {
			cp := *ws
			return &cp, nil
		},
	})

	for _, seed := range []struct{ method, path, contentType, body string }{
		{"POST", "/api/2.0/secrets/scopes/create", "application/json", `{"scope":"s2","initial_manage_principal":"users"}`},
		{"POST", "/api/2.0/secrets/scopes/create", "text/json", `{"scope":"kv","scope_backend_type":"AZURE_KEYVAULT","backend_azure_keyvault":{"resource_id":"/subscriptions/a/resourceGroups/b/providers/Microsoft.KeyVault/vaults/c","dns_name":"https://c.vault.azure.net/"}}`},
		{"POST", "/api/2.0/secrets/scopes/delete", "", `{"scope":"s2"}`},
		{"GET", "/api/2.0/secrets/scopes/list", "text/json", ``},
		{"POST", "/api/2.0/secrets/put", "application/json", `{"scope":"s1","key":"k2","bytes_value":"AAE="}`},
		{"POST", "/api/2.0/secrets/put", "application/json", `{"scope":"s1","key":"k2","string_value":"x","bytes_value":"eA=="}`},
		{"POST", "/api/2.0/secrets/delete", "application/json", `{"scope":"s1","key":"k2"}`},
		{"GET", "/api/2.0/secrets/list?scope=s1", "", ``},
		{"GET", "/api/2.0/secrets/get?scope=s1&key=k1", "", ``},
		{"POST", "/api/2.0/secrets/acls/put", "application/json", `{"scope":"s1","principal":"users","permission":"READ"}`},
		{"POST", "/api/2.0/secrets/acls/delete", "application/json", `{"scope":"s1","principal":"users"}`},
		{"GET", "/api/2.0/secrets/acls/get?scope=s1&principal=users", "", ``},
		{"GET", "/api/2.0/secrets/acls/list?scope=s1", "", ``},
		{"POST", "/api/2.0/secrets/put", "application/json", `{"scope":["s1"],"key":7}`},
	} {
		f.Add(seed.method, seed.path, seed.contentType, seed.body)
	}
	f.Fuzz(func(t *testing.T, method, path, contentType, body string) {
		if !strings.HasPrefix(path, "/api/2.0/secrets/") || strings.ContainsAny(path, " \r\n#") {
			return
		}
		if method != "GET" && method != "POST" {
			return
		}
		req, err := http.NewRequest(method, "https://127.2.0.1"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+pat)
		if contentType != "" && !strings.ContainsAny(contentType, "\r\n") {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: status %d %s", method, path, body, rec.Code, rec.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: body is not a JSON object: %q", method, path, rec.Body)
		}
		if rec.Code >= 400 {
			if out["error_code"] == nil || out["message"] == nil || out["message"] == "" {
				t.Fatalf("error without code or message: %s", rec.Body)
			}
			if strings.Contains(rec.Body.String(), fuzzValue) {
				t.Fatal("an error quotes a secret value")
			}
		}
	})
}
