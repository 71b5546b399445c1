package databricks_test

import (
	"context"
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
	"github.com/scopevault/scopevault/internal/store/sqlite"
	"github.com/scopevault/scopevault/internal/workspace"
)

// FuzzIdentityRequests sends arbitrary tokens, SCIM and tokens requests as
// the workspace admin: whatever arrives, the answer is a Databricks error or
// a success, never a 500, and never quotes the token.
func FuzzIdentityRequests(f *testing.F) {
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
	svc.Identity, svc.Authz = id, az
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
	h := databricks.New(databricks.Config{
		Workspaces: svc,
		Resolve: func(context.Context, string, netip.Addr) (*scopevault.Workspace, error) {
			cp := *ws
			return &cp, nil
		},
	})

	for _, seed := range []struct{ method, path, body string }{
		{"POST", "/api/2.0/token/create", `{"lifetime_seconds":60,"comment":"x"}`},
		{"POST", "/api/2.0/token/delete", `{"token_id":"abc"}`},
		{"GET", "/api/2.0/token/list", ``},
		{"GET", "/api/2.0/preview/scim/v2/Users?filter=userName%20eq%20%22a%22&startIndex=2&count=1", ``},
		{"POST", "/api/2.0/preview/scim/v2/Users", `{"userName":"a@b.c","groups":[{"value":"1"}]}`},
		{"POST", "/api/2.0/preview/scim/v2/ServicePrincipals", `{"applicationId":"` + scopevault.NewGUID() + `"}`},
		{"POST", "/api/2.0/preview/scim/v2/Groups", `{"displayName":"g","members":[{"value":"9"}]}`},
		{"PATCH", "/api/2.0/preview/scim/v2/Groups/1", `{"Operations":[{"op":"add","path":"members","value":[{"value":"2"}]}]}`},
		{"DELETE", "/api/2.0/preview/scim/v2/Users/123", ``},
		{"GET", "/api/2.0/preview/scim/v2/Me", ``},
	} {
		f.Add(seed.method, seed.path, seed.body)
	}
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n#") {
			return
		}
		// The identity routes only: the secrets routes have their own.
		if !strings.HasPrefix(path, "/api/2.0/token") && !strings.HasPrefix(path, "/api/2.0/preview/scim/") &&
			!strings.HasPrefix(path, "/.well-known/") && !strings.HasPrefix(path, "/telemetry-ext") {
			return
		}
		switch method {
		case "GET", "POST", "PATCH", "DELETE", "PUT":
		default:
			return
		}
		req, err := http.NewRequest(method, "https://127.2.0.1"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+pat)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: status %d %s", method, path, body, rec.Code, rec.Body)
		}
		if strings.Contains(rec.Body.String(), pat) {
			t.Fatal("a response quotes the token")
		}
	})
}
