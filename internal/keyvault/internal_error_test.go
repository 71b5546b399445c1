package keyvault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/access"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

const (
	testTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	// leak is in every internal error below; it must never reach a client.
	leak = "LEAK-detail-of-an-internal-failure"
)

// stubVerifier accepts any token as a Key Vault token of testTenant.
type stubVerifier struct{}

func (stubVerifier) VerifyToken(ctx context.Context, token string) (*identity.Claims, error) {
	iss := "https://sts.windows.net/" + testTenant + "/"
	return &identity.Claims{Audience: "https://vault.azure.net", Issuer: iss, TenantID: testTenant,
		ObjectID: "00000000-0000-0000-0000-000000000001", AppID: "a"}, nil
}

func (stubVerifier) GroupsOf(context.Context, string, string) ([]string, error) { return nil, nil }

// authorizerFunc adapts a function to Authorizer.
type authorizerFunc func() (scopevault.Decision, error)

func (f authorizerFunc) AuthorizeData(context.Context, *scopevault.Caller, *scopevault.Vault, scopevault.Operation, string) (scopevault.Decision, error) {
	return f()
}

// MustHandler returns a Handler over a real engine holding vault "kv-unit",
// whose store is returned so a test can break it.
func MustHandler(tb testing.TB, authz access.Authorizer, logs *bytes.Buffer) (*Handler, *sqlite.Store) {
	tb.Helper()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "scopevault.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	b, err := barrier.Open(context.Background(), st, barrier.NewMasterKey())
	if err != nil {
		tb.Fatal(err)
	}
	e := secrets.New(st, b)
	if _, err := e.CreateVault(context.Background(), scopevault.Vault{Name: "kv-unit", SubscriptionID: "s", ResourceGroup: "rg",
		Location: "eastus", TenantID: testTenant, EnableRBACAuthorization: true}); err != nil {
		tb.Fatal(err)
	}
	h := New(Config{Engine: e, Access: &access.Pipeline{Verifier: stubVerifier{}, Authorizer: authz}, AuthorityHost: "https://localhost:8443/",
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	return h, st
}

// A 500 names the request id and nothing else: the error text goes to the log only.
func TestInternalErrorNeverLeaks(t *testing.T) {
	allow := authorizerFunc(func() (scopevault.Decision, error) { return scopevault.Decision{Allowed: true}, nil })
	tests := []struct {
		name  string
		authz access.Authorizer
		// breakStore closes the store before the request.
		breakStore bool
	}{
		{name: "fail/authorizer-error", authz: authorizerFunc(func() (scopevault.Decision, error) {
			return scopevault.Decision{}, errors.New(leak)
		})},
		{name: "fail/internal-domain-error", authz: authorizerFunc(func() (scopevault.Decision, error) {
			return scopevault.Decision{}, scopevault.Errorf(scopevault.EINTERNAL, "", "%s", leak)
		})},
		{name: "fail/store-closed", authz: allow, breakStore: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h, st := MustHandler(t, tt.authz, &logs)
			if tt.breakStore {
				st.Close()
			}
			r := httptest.NewRequest(http.MethodGet, "https://kv-unit.vault.azure.net/secrets/s?api-version=7.6", nil)
			const token = "token-never-logged-or-echoed"
			r.Header.Set("Authorization", "Bearer "+token)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)

			if got, want := w.Code, http.StatusInternalServerError; got != want {
				t.Fatalf("status: got %d, want %d (%s)", got, want, w.Body)
			}
			var body errorJSON
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", w.Body, err)
			}
			reqID := w.Header().Get("x-ms-request-id")
			if reqID == "" {
				t.Fatal("no x-ms-request-id")
			}
			if got, want := body.Error, (errorBody{Code: "InternalServerError", Message: "An internal error occurred. Request id: " + reqID}); got.Code != want.Code || got.Message != want.Message || got.InnerError != nil {
				t.Errorf("body: got %+v, want %+v", got, want)
			}
			if strings.Contains(logs.String(), token) || strings.Contains(w.Body.String(), token) {
				t.Errorf("the bearer token reached the log or the response")
			}
			for _, s := range []string{leak, "sql", "closed"} {
				if strings.Contains(strings.ToLower(w.Body.String()), strings.ToLower(s)) {
					t.Errorf("response body leaks %q: %s", s, w.Body)
				}
			}
			if !strings.Contains(logs.String(), reqID) {
				t.Errorf("the log does not name request %s:\n%s", reqID, logs.String())
			}
		})
	}
}
