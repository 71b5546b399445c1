package entra

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

const (
	tenantA       = "11111111-2222-3333-4444-555555555555"
	unknownTenant = "99999999-2222-3333-4444-555555555555"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture is a tenant with one of each principal kind behind a TLS server.
type fixture struct {
	svc      *identity.Service
	srv      *httptest.Server
	sp       *scopevault.Principal
	secret   string
	user     *scopevault.Principal
	password string
	mi       *scopevault.Principal
	header   string
}

// MustService opens identity over a real SQLite file and barrier, clock at t0.
func MustService(tb testing.TB) *identity.Service {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "sv.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	b, err := barrier.Open(ctx, st, barrier.NewMasterKey())
	if err != nil {
		tb.Fatal(err)
	}
	svc, err := identity.New(ctx, st, b)
	if err != nil {
		tb.Fatal(err)
	}
	svc.Now = func() time.Time { return t0 }
	return svc
}

func MustFixture(tb testing.TB) *fixture {
	tb.Helper()
	ctx := context.Background()
	f := &fixture{svc: MustService(tb), password: "correct horse battery"}
	var err error
	if _, err = f.svc.EnsureTenant(ctx, tenantA, "Contoso"); err != nil {
		tb.Fatal(err)
	}
	if f.sp, f.secret, err = f.svc.CreateServicePrincipal(ctx, tenantA, "app1"); err != nil {
		tb.Fatal(err)
	}
	if f.user, err = f.svc.CreateUser(ctx, tenantA, "alice@contoso.example", "Alice", f.password); err != nil {
		tb.Fatal(err)
	}
	if f.mi, f.header, err = f.svc.CreateManagedIdentity(ctx, tenantA, "mi1"); err != nil {
		tb.Fatal(err)
	}
	f.srv = httptest.NewTLSServer(NewHandler(f.svc, nil))
	tb.Cleanup(f.srv.Close)
	return f
}

// do sends a request and decodes the JSON answer.
func (f *fixture) do(tb testing.TB, req *http.Request) (*http.Response, map[string]any) {
	tb.Helper()
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		tb.Fatalf("%s %s: %d, body not JSON: %q", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	return resp, body
}

func (f *fixture) get(tb testing.TB, path string) (*http.Response, map[string]any) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return f.do(tb, req)
}

func (f *fixture) postForm(tb testing.TB, path string, form url.Values) (*http.Response, map[string]any) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.do(tb, req)
}

func TestOpenIDConfiguration(t *testing.T) {
	f := MustFixture(t)
	host := strings.TrimPrefix(f.srv.URL, "https://")
	base := f.srv.URL + "/" + tenantA
	tests := []struct {
		name, path string
		want       map[string]string
	}{
		{"ok/v2", "/" + tenantA + "/v2.0/.well-known/openid-configuration", map[string]string{
			"issuer": base + "/v2.0", "token_endpoint": base + "/oauth2/v2.0/token",
			"authorization_endpoint": base + "/oauth2/v2.0/authorize", "jwks_uri": base + "/discovery/v2.0/keys",
		}},
		{"ok/v2-upper-case-tenant", "/" + strings.ToUpper(tenantA) + "/v2.0/.well-known/openid-configuration", map[string]string{
			"issuer": base + "/v2.0",
		}},
		{"ok/v1", "/" + tenantA + "/.well-known/openid-configuration", map[string]string{
			"issuer": "https://sts.windows.net/" + tenantA + "/", "token_endpoint": base + "/oauth2/token", "jwks_uri": base + "/discovery/keys",
		}},
		{"ok/instance-discovery", "/common/discovery/instance?api-version=1.1&authorization_endpoint=" + url.QueryEscape(base+"/oauth2/v2.0/authorize"), map[string]string{
			"tenant_discovery_endpoint": base + "/v2.0/.well-known/openid-configuration", "api-version": "1.1",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.get(t, tt.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, body %v", resp.StatusCode, body)
			}
			for k, want := range tt.want {
				if got := body[k]; got != want {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
		})
	}
	_, body := f.get(t, tests[3].path)
	if got := body["metadata"].([]any)[0].(map[string]any)["preferred_network"]; got != host {
		t.Errorf("preferred_network = %v, want %v", got, host)
	}

	for _, path := range []string{
		"/" + unknownTenant + "/v2.0/.well-known/openid-configuration",
		"/" + unknownTenant + "/.well-known/openid-configuration",
		"/contoso.example/discovery/v2.0/keys",
	} {
		t.Run("fail/unknown-tenant"+path, func(t *testing.T) {
			resp, body := f.get(t, path)
			wantAADError(t, resp, body, http.StatusBadRequest, "invalid_request", 90002)
		})
	}
	t.Run("fail/instance-discovery-without-endpoint", func(t *testing.T) {
		resp, body := f.get(t, "/common/discovery/instance?api-version=1.1")
		wantAADError(t, resp, body, http.StatusBadRequest, "invalid_instance", 50049)
	})
}

// TestJWKS checks that the published key verifies an issued token.
func TestJWKS(t *testing.T) {
	f := MustFixture(t)
	tok, _, err := f.svc.IssueToken(context.Background(), f.sp, identity.AudienceKeyVault)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/discovery/v2.0/keys", "/discovery/keys"} {
		t.Run("ok"+path, func(t *testing.T) {
			resp, body := f.get(t, "/"+tenantA+path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d", resp.StatusCode)
			}
			k := body["keys"].([]any)[0].(map[string]any)
			if k["kty"] != "RSA" || k["use"] != "sig" || k["kid"] != f.svc.KeyID() || k["x5t"] != f.svc.KeyID() {
				t.Errorf("key = %v", k)
			}
			n, _ := base64.RawURLEncoding.DecodeString(k["n"].(string))
			e, _ := base64.RawURLEncoding.DecodeString(k["e"].(string))
			pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
			_, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return pub, nil },
				jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(func() time.Time { return t0 }))
			if err != nil {
				t.Errorf("token does not verify with the published key: %v", err)
			}
		})
	}
}

// wantAADError checks Entra's error shape.
func wantAADError(tb testing.TB, resp *http.Response, body map[string]any, status int, kind string, code int) {
	tb.Helper()
	if resp.StatusCode != status || body["error"] != kind {
		tb.Fatalf("got %d %v, want %d %s (body %v)", resp.StatusCode, body["error"], status, kind, body)
	}
	codes, _ := body["error_codes"].([]any)
	if len(codes) != 1 || codes[0] != float64(code) {
		tb.Errorf("error_codes = %v, want [%d]", body["error_codes"], code)
	}
	desc, _ := body["error_description"].(string)
	prefix := "AADSTS" + strconv.Itoa(code) + ": "
	if !strings.HasPrefix(desc, prefix) || !strings.Contains(desc, "\r\nTrace ID: ") ||
		!strings.Contains(desc, "\r\nCorrelation ID: ") || !strings.Contains(desc, "\r\nTimestamp: 2026-03-01 12:00:00Z") {
		tb.Errorf("error_description = %q", desc)
	}
	for _, k := range []string{"timestamp", "trace_id", "correlation_id"} {
		if s, _ := body[k].(string); s == "" {
			tb.Errorf("%s is empty", k)
		}
	}
	if got, want := body["error_uri"], "https://"+resp.Request.URL.Host+"/error?code="+strconv.Itoa(code); got != want {
		tb.Errorf("error_uri = %v, want %v", got, want)
	}
}

func newTextLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
