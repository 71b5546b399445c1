package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/server"
)

// TestRolePropagationDelay runs a server whose new role assignments take
// five minutes to take effect, on an injected clock: a client sees the
// 403s Azure gives right after `az role assignment create` until the delay
// has passed, and can test its retries without sleeping.
func TestRolePropagationDelay(t *testing.T) {
	const delay = 5 * time.Minute
	clk := newClock()
	srv := MustServerConfig(t, server.Config{Now: clk.Now, PropagationDelay: delay})
	c := MustClient(t, MustEnvFile(t, srv.DataDir()))
	admin := MustAdminCredential(t, srv)
	rc := MustRBACClients(t, srv, admin)
	sub := "/subscriptions/" + srv.Boot.SubscriptionID
	rg := sub + "/resourceGroups/" + srv.Boot.ResourceGroup
	vault := rg + "/providers/Microsoft.KeyVault/vaults/" + srv.Boot.Vault
	secretURL := vaultBase(t, srv) + "secrets/propagated?" + dataAPI

	// The bootstrap admin's own roles are in effect at once: it writes a
	// secret and grants roles before any time has passed.
	MustARM(t, c, http.MethodPut, secretURL, MustToken(t, admin, vaultScope), map[string]string{"value": "v"}, http.StatusOK)
	app := MustGraphSP(t, c, srv, MustToken(t, admin, graphScope), "slow-starter")
	dataRA := rc.MustAssign(t, vault, *rc.MustRole(t, sub, "Key Vault Secrets User").ID, app.ObjectID)
	rc.MustAssign(t, rg, *rc.MustRole(t, sub, "Reader").ID, app.ObjectID)
	kvTok, armTok := c.Token(t, app.AppID, app.Secret, vaultScope), c.Token(t, app.AppID, app.Secret, armScope)

	check := func(t *testing.T, wantData, wantARM int) {
		t.Helper()
		status, raw, err := c.Do(http.MethodGet, secretURL, kvTok, nil)
		if _, inner := errorCodes(raw); err != nil || status != wantData || status == http.StatusForbidden && inner != "ForbiddenByRbac" {
			t.Fatalf("data plane: %d, want %d: %v %s", status, wantData, err, raw)
		}
		status, raw, err = c.Do(http.MethodGet, srv.URL()+rg+"?"+rgAPI, armTok, nil)
		if code, _ := errorCodes(raw); err != nil || status != wantARM || status == http.StatusForbidden && code != "AuthorizationFailed" {
			t.Fatalf("management plane: %d, want %d: %v %s", status, wantARM, err, raw)
		}
	}
	t.Run("fail/forbidden-right-after-the-assignment", func(t *testing.T) { check(t, 403, 403) })
	t.Run("fail/forbidden-a-second-before-the-delay", func(t *testing.T) {
		clk.Advance(delay - time.Second)
		check(t, 403, 403)
	})
	t.Run("ok/allowed-once-the-delay-has-passed", func(t *testing.T) {
		clk.Advance(time.Second)
		check(t, 200, 200)
	})
	t.Run("fail/removal-takes-effect-at-once", func(t *testing.T) {
		if _, err := rc.assignments.DeleteByID(context.Background(), *dataRA.ID, nil); err != nil {
			t.Fatal(err)
		}
		check(t, 403, 200)
	})
}

// A negative delay is a configuration error, not "at once".
func TestRolePropagationDelayMustNotBeNegative(t *testing.T) {
	_, err := server.Start(context.Background(), server.Config{DataDir: t.TempDir(), PropagationDelay: -time.Second})
	if err == nil {
		t.Fatal("server started with a negative propagation delay")
	}
}
