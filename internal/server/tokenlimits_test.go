package server

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/testkit"
)

// TestTokenLimits: Config.TokenLimits reaches the token endpoint of a real
// server (what `up --lockout-threshold/--lockout-duration` set), and its
// zero value is Entra's defaults.
func TestTokenLimits(t *testing.T) {
	clock := testkit.WallClock()
	s, err := Start(context.Background(), Config{DataDir: t.TempDir(), Port: 0, Now: clock.Now,
		TokenLimits: identity.Limits{LockoutThreshold: 2, LockoutDuration: 30 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA.Pool()}}}
	other, otherSecret, err := s.Identity.CreateServicePrincipal(context.Background(), s.Boot.TenantID, "other")
	if err != nil {
		t.Fatal(err)
	}
	token := func(clientID, secret string) *http.Response {
		t.Helper()
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "scope": {"https://vault.azure.net/.default"}}
		resp, err := hc.Post(s.URL()+"/"+s.Boot.TenantID+"/oauth2/v2.0/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for range 2 {
		if got := token(s.Boot.ClientID, "abc8Q~wrong").StatusCode; got != http.StatusUnauthorized {
			t.Fatalf("wrong secret: %d, want 401", got)
		}
	}
	resp := token(s.Boot.ClientID, s.Boot.ClientSecret)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "30" {
		t.Fatalf("right secret while throttled: %d Retry-After %q, want 429 \"30\"", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if got := token(other.AppID, otherSecret).StatusCode; got != http.StatusOK {
		t.Fatalf("another application while the admin is throttled: %d", got)
	}
	clock.Advance(30 * time.Second)
	if got := token(s.Boot.ClientID, s.Boot.ClientSecret).StatusCode; got != http.StatusOK {
		t.Fatalf("after Retry-After: %d", got)
	}

	d := MustStart(t, t.TempDir())
	if got, want := d.Identity.Limits().LockoutThreshold, identity.DefaultLockoutThreshold; got != want {
		t.Errorf("default lockout threshold = %d, want %d", got, want)
	}
	if got, want := d.Identity.Limits().LockoutDuration, identity.DefaultLockoutDuration; got != want {
		t.Errorf("default lockout duration = %s, want %s", got, want)
	}
}
