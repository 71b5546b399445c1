package identity_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
)

// MustToken issues a Key Vault token for a new service principal.
func MustToken(tb testing.TB, e *env) (string, *scopevault.Principal) {
	tb.Helper()
	ctx := context.Background()
	MustTenant(tb, e.svc)
	sp, _, err := e.svc.CreateServicePrincipal(ctx, tenantA, "app")
	if err != nil {
		tb.Fatal(err)
	}
	tok, _, err := e.svc.IssueToken(ctx, sp, identity.AudienceKeyVault)
	if err != nil {
		tb.Fatal(err)
	}
	return tok, sp
}

func TestIssueTokenClaims(t *testing.T) {
	e := MustEnv(t)
	tok, sp := MustToken(t, e)
	var m jwt.MapClaims
	parsed, _, err := jwt.NewParser().ParseUnverified(tok, &m)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := parsed.Header["kid"], e.svc.KeyID(); got != want {
		t.Errorf("kid = %v, want %v", got, want)
	}
	want := map[string]any{
		"aud": "https://vault.azure.net", "iss": "https://sts.windows.net/" + tenantA + "/", "tid": tenantA,
		"oid": sp.ObjectID, "sub": sp.ObjectID, "appid": sp.AppID, "azp": sp.AppID, "appidacr": "1",
		"idtyp": "app", "ver": "1.0", "iat": float64(t0.Unix()), "nbf": float64(t0.Unix()), "exp": float64(t0.Add(time.Hour).Unix()),
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("claim %s = %v, want %v", k, m[k], v)
		}
	}
	if uti, _ := m["uti"].(string); uti == "" {
		t.Error("uti is empty")
	}
}

func TestVerifyToken(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	tok, _ := MustToken(t, e)
	parts := strings.Split(tok, ".")
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	var claims jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(tok, &claims); err != nil {
		t.Fatal(err)
	}
	resign := func(method jwt.SigningMethod, key any, kid string) string {
		tk := jwt.NewWithClaims(method, claims)
		tk.Header["kid"] = kid
		s, err := tk.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	b64 := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name   string
		raw    string
		now    time.Time
		reason string
	}{
		{name: "ok", raw: tok},
		{name: "ok/within-skew-after-expiry", raw: tok, now: t0.Add(time.Hour + 4*time.Minute)},
		{name: "ok/within-skew-before-nbf", raw: tok, now: t0.Add(-4 * time.Minute)},
		{name: "fail/expired", raw: tok, now: t0.Add(time.Hour + 6*time.Minute), reason: identity.ReasonTokenExpired},
		{name: "fail/not-yet-valid", raw: tok, now: t0.Add(-6 * time.Minute), reason: identity.ReasonInvalidToken},
		{name: "fail/empty", raw: "", reason: identity.ReasonInvalidToken},
		{name: "fail/garbage", raw: "not.a.token", reason: identity.ReasonInvalidToken},
		{name: "fail/tampered-payload", raw: parts[0] + "." + b64([]byte(`{"aud":"x"}`)) + "." + parts[2], reason: identity.ReasonInvalidToken},
		{name: "fail/alg-none", raw: b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + ".", reason: identity.ReasonInvalidToken},
		{name: "fail/hs256-with-public-key-bytes", raw: resign(jwt.SigningMethodHS256, []byte(e.svc.JWKS()[0].N), e.svc.KeyID()), reason: identity.ReasonInvalidToken},
		{name: "fail/other-key-same-kid", raw: resign(jwt.SigningMethodRS256, other, e.svc.KeyID()), reason: identity.ReasonInvalidToken},
		{name: "fail/other-kid", raw: resign(jwt.SigningMethodRS256, other, "other"), reason: identity.ReasonInvalidToken},
		{name: "fail/too-long", raw: tok + strings.Repeat("A", 20000), reason: identity.ReasonInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0
			if !tt.now.IsZero() {
				now = tt.now
			}
			e.svc.Now = func() time.Time { return now }
			c, err := e.svc.VerifyToken(ctx, tt.raw)
			if tt.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.Caller().String() == "" || c.Caller().TenantID != tenantA {
					t.Errorf("caller = %+v", c.Caller())
				}
				return
			}
			wantReason(t, err, tt.reason)
			if got, want := scopevault.ErrorCodeOf(err), scopevault.EUNAUTHORIZED; got != want {
				t.Errorf("code = %q, want %q", got, want)
			}
			if tt.raw != "" && strings.Contains(scopevault.ErrorMessageOf(err), tt.raw) {
				t.Error("error message quotes the token")
			}
		})
	}
}

func FuzzVerifyToken(f *testing.F) {
	e := MustEnv(f)
	tok, _ := MustToken(f, e)
	f.Add(tok)
	f.Add("")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add(tok[:len(tok)-3])
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := e.svc.VerifyToken(context.Background(), raw)
		if err == nil && raw != tok {
			t.Fatalf("accepted a token we did not issue: %+v", c)
		}
		if err != nil && scopevault.ErrorCodeOf(err) != scopevault.EUNAUTHORIZED {
			t.Fatalf("code = %q, want unauthorized", scopevault.ErrorCodeOf(err))
		}
	})
}
