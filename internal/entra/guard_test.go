package entra

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/testkit"
)

// MustGuardFixture is the fixture with a settable clock and the given limits.
func MustGuardFixture(tb testing.TB, l identity.Limits) (*fixture, *testkit.Clock) {
	tb.Helper()
	f := MustFixture(tb)
	clock := testkit.NewClock(t0)
	f.svc.Now = clock.Now
	f.svc.SetLimits(l)
	return f, clock
}

// TestClientThrottled: after the threshold of wrong client secrets, the app's
// token requests answer 429 with Retry-After in Entra's error shape, even
// with the right secret, until Retry-After has passed; another app is not
// affected.
func TestClientThrottled(t *testing.T) {
	f, clock := MustGuardFixture(t, identity.Limits{LockoutThreshold: 3, LockoutDuration: time.Minute})
	other, otherSecret, err := f.svc.CreateServicePrincipal(context.Background(), tenantA, "app2")
	if err != nil {
		t.Fatal(err)
	}
	cc := func(appID, secret string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {appID}, "client_secret": {secret}, "scope": {"https://vault.azure.net/.default"}}
	}
	v2 := "/" + tenantA + "/oauth2/v2.0/token"
	for range 3 {
		resp, body := f.postForm(t, v2, cc(f.sp.AppID, "abc8Q~not-the-secret"))
		wantAADError(t, resp, body, http.StatusUnauthorized, "invalid_client", 7000215)
	}
	tests := []struct {
		name string
		path string
		form url.Values
	}{
		{"fail/right-secret", v2, cc(f.sp.AppID, f.secret)},
		{"fail/wrong-secret", v2, cc(f.sp.AppID, "abc8Q~not-the-secret")},
		{"fail/v1", "/" + tenantA + "/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {f.sp.AppID}, "client_secret": {f.secret}, "resource": {"https://vault.azure.net"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.postForm(t, tt.path, tt.form)
			wantAADError(t, resp, body, http.StatusTooManyRequests, "temporarily_unavailable", 50196)
			if got, want := resp.Header.Get("Retry-After"), "60"; got != want {
				t.Errorf("Retry-After = %q, want %q", got, want)
			}
			if desc, _ := body["error_description"].(string); strings.Contains(desc, f.secret) || !strings.Contains(desc, f.sp.AppID) {
				t.Errorf("error_description = %q: want the app id and never the secret", desc)
			}
		})
	}
	t.Run("ok/other-app", func(t *testing.T) {
		if resp, body := f.postForm(t, v2, cc(other.AppID, otherSecret)); resp.StatusCode != http.StatusOK {
			t.Fatalf("app2 while app1 is throttled: %d %v", resp.StatusCode, body)
		}
	})
	clock.Advance(59 * time.Second)
	resp, _ := f.postForm(t, v2, cc(f.sp.AppID, f.secret))
	if got, want := resp.Header.Get("Retry-After"), "1"; resp.StatusCode != http.StatusTooManyRequests || got != want {
		t.Errorf("a second before the end: %d Retry-After %q, want 429 %q", resp.StatusCode, got, want)
	}
	clock.Advance(time.Second)
	if resp, body := f.postForm(t, v2, cc(f.sp.AppID, f.secret)); resp.StatusCode != http.StatusOK {
		t.Fatalf("after Retry-After: %d %v", resp.StatusCode, body)
	}
}

// TestSmartLockout: after the threshold of wrong passwords the user is
// locked (AADSTS50053, even with the right password) until the lockout
// ends; another user signs in meanwhile.
func TestSmartLockout(t *testing.T) {
	f, clock := MustGuardFixture(t, identity.Limits{LockoutThreshold: 3, LockoutDuration: time.Minute})
	if _, err := f.svc.CreateUser(context.Background(), tenantA, "bob@contoso.example", "Bob", "bob's password"); err != nil {
		t.Fatal(err)
	}
	pw := func(user, password string) url.Values {
		return url.Values{"grant_type": {"password"}, "client_id": {identity.PublicClientAppID}, "username": {user}, "password": {password}, "scope": {"https://vault.azure.net/.default"}}
	}
	v2 := "/" + tenantA + "/oauth2/v2.0/token"
	for range 3 {
		resp, body := f.postForm(t, v2, pw("alice@contoso.example", "nope"))
		wantAADError(t, resp, body, http.StatusBadRequest, "invalid_grant", 50126)
	}
	resp, body := f.postForm(t, v2, pw("alice@contoso.example", f.password))
	wantAADError(t, resp, body, http.StatusBadRequest, "invalid_grant", 50053)
	if got := resp.Header.Get("Retry-After"); got != "" {
		t.Errorf("Retry-After on a lockout = %q, want none (Entra sends none)", got)
	}
	if resp, body := f.postForm(t, v2, pw("bob@contoso.example", "bob's password")); resp.StatusCode != http.StatusOK {
		t.Fatalf("bob while alice is locked: %d %v", resp.StatusCode, body)
	}
	clock.Advance(time.Minute)
	if resp, body := f.postForm(t, v2, pw("alice@contoso.example", f.password)); resp.StatusCode != http.StatusOK {
		t.Fatalf("after the lockout: %d %v", resp.StatusCode, body)
	}
}
