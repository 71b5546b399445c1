package arm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/arm"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/rm"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/store/sqlite"
	"github.com/scopevault/scopevault/internal/testkit"
)

const (
	tenant      = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	otherTenant = "0f0f0f0f-86f1-41af-91ab-2d7cd011db47"
	sub         = "11111111-2222-3333-4444-555555555555"
	rg          = "rg-data"
	armAPI      = "api-version=2024-11-01"
	authAPI     = "api-version=2022-04-01"
	rgAPI       = "api-version=2022-09-01"
	armAudience = "https://management.core.windows.net/"
)

// clock is an injectable time source shared by every service of an env.
type clock = testkit.Clock

// env is the ARM handler over real identity, authz, rm and secrets on a
// SQLite file, served over TLS: one subscription with a resource group and
// an admin service principal that owns the subscription and may manage the
// directory.
type env struct {
	srv   *httptest.Server
	id    *identity.Service
	authz *authz.Authorizer
	rm    *rm.Manager
	eng   *secrets.Engine
	clock *clock
	admin *scopevault.Principal

	mu        sync.Mutex
	changed   []string // vault names OnVaultChanged saw
	changeErr error    // what OnVaultChanged returns
}

func MustEnv(tb testing.TB) *env {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "scopevault.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	b, err := barrier.Open(ctx, st, barrier.NewMasterKey())
	if err != nil {
		tb.Fatal(err)
	}
	e := &env{clock: testkit.NewClock(time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC))}
	if e.id, err = identity.New(ctx, st, b); err != nil {
		tb.Fatal(err)
	}
	e.id.Now = e.clock.Now
	e.authz = authz.New(st, b)
	e.authz.Now = e.clock.Now
	e.rm = rm.New(st, b)
	e.rm.Now = e.clock.Now
	e.eng = secrets.New(st, b)
	e.eng.Now = e.clock.Now
	for _, t := range []string{tenant, otherTenant} {
		if _, err := e.id.EnsureTenant(ctx, t, "t"); err != nil {
			tb.Fatal(err)
		}
	}
	if err := e.rm.PutSubscription(ctx, scopevault.Subscription{ID: sub, DisplayName: "dev", TenantID: tenant}); err != nil {
		tb.Fatal(err)
	}
	if _, _, err := e.rm.PutGroup(ctx, scopevault.ResourceGroup{SubscriptionID: sub, Name: rg, Location: "eastus"}); err != nil {
		tb.Fatal(err)
	}
	e.admin = e.MustPrincipal(tb, "admin")
	if err := e.id.SetDirectoryAdmin(ctx, tenant, e.admin.ObjectID, true); err != nil {
		tb.Fatal(err)
	}
	e.MustAssign(tb, authz.RoleOwner, e.admin.ObjectID, subScope())

	h := arm.New(arm.Config{
		RM: e.rm, Engine: e.eng, Authz: e.authz, Identity: e.id,
		OnVaultChanged: func(v *scopevault.Vault) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.changed = append(e.changed, v.Name)
			return e.changeErr
		},
		VaultURL:      func(v *scopevault.Vault) string { return "https://" + v.Address + ":8443/" },
		AuthorityHost: "https://localhost:8443/",
		Now:           e.clock.Now,
	})
	e.srv = httptest.NewTLSServer(h)
	tb.Cleanup(e.srv.Close)
	return e
}

// MustPrincipal creates a service principal holding no role.
func (e *env) MustPrincipal(tb testing.TB, name string) *scopevault.Principal {
	tb.Helper()
	p, _, err := e.id.CreateServicePrincipal(context.Background(), tenant, name)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func (e *env) MustAssign(tb testing.TB, role, principal, scope string) {
	tb.Helper()
	_, _, err := e.authz.CreateAssignment(context.Background(), scopevault.RoleAssignment{
		Name: newName(), Scope: scope, RoleDefinitionID: role, PrincipalID: principal, PrincipalType: scopevault.KindServicePrincipal,
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// MustVault creates a vault directly in the engine.
func (e *env) MustVault(tb testing.TB, name string, rbac bool) *scopevault.Vault {
	tb.Helper()
	v, err := e.eng.CreateVault(context.Background(), scopevault.Vault{
		Name: name, SubscriptionID: sub, ResourceGroup: rg, Location: "eastus", TenantID: tenant, SKU: "standard", EnableRBACAuthorization: rbac,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// Token issues a token for p; aud "" means ARM's.
func (e *env) Token(tb testing.TB, p *scopevault.Principal, aud string) string {
	tb.Helper()
	if aud == "" {
		aud = armAudience
	}
	tok, _, err := e.id.IssueToken(context.Background(), p, aud)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

type resp struct {
	Status int
	Header http.Header
	Raw    []byte
	Body   map[string]any
}

// ErrorCode is error.code of an error body, or "".
func (r resp) ErrorCode() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (r resp) ErrorMessage() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

// Get walks a dotted path through the body ("properties.sku.name").
func (r resp) Get(path string) any {
	var cur any = r.Body
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

// Do sends one request with token as bearer ("" for none); body may be nil,
// a string (sent verbatim) or a value to encode.
func (e *env) Do(tb testing.TB, method, path, token string, body any) resp {
	tb.Helper()
	auth := ""
	if token != "" {
		auth = "Bearer " + token
	}
	return e.DoAuth(tb, method, path, auth, body)
}

// DoAuth is Do with a verbatim Authorization header ("" for none).
func (e *env) DoAuth(tb testing.TB, method, path, auth string, body any) resp {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := resp{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			tb.Fatalf("%s %s: body is not JSON: %q", method, path, raw)
		}
	}
	return out
}

// MustStatus fails unless r has the wanted status.
func MustStatus(tb testing.TB, r resp, want int) {
	tb.Helper()
	if r.Status != want {
		tb.Fatalf("status = %d, want %d; body %s", r.Status, want, r.Raw)
	}
}

var nameSeq int

func newName() string {
	nameSeq++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", nameSeq)
}

func subScope() string { return "/subscriptions/" + sub }
func rgScope() string  { return subScope() + "/resourceGroups/" + rg }
func rgPath() string   { return rgScope() }
func vaultPath(name string) string {
	return rgScope() + "/providers/Microsoft.KeyVault/vaults/" + name
}

func vaultBody(extra map[string]any) map[string]any {
	props := map[string]any{"tenantId": tenant, "sku": map[string]any{"family": "A", "name": "standard"}}
	for k, v := range extra {
		props[k] = v
	}
	return map[string]any{"location": "eastus", "properties": props}
}

var errBoom = errors.New("listener failed: bind 127.1.0.9:8443: secret-internal-detail")
