package identity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
)

const unknownTenant = "99999999-2222-3333-4444-555555555555"

func TestClientCredentials(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	MustTenant(t, e.svc)
	sp, secret, err := e.svc.CreateServicePrincipal(ctx, tenantA, "app1")
	if err != nil {
		t.Fatal(err)
	}
	old, _, err := e.svc.AddClientSecret(ctx, tenantA, sp.ObjectID, "short", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := e.svc.AddClientSecret(ctx, tenantA, sp.ObjectID, "second", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	mi, _, err := e.svc.CreateManagedIdentity(ctx, tenantA, "mi1")
	if err != nil {
		t.Fatal(err)
	}
	const vault = "https://vault.azure.net/.default openid offline_access profile"

	tests := []struct {
		name                          string
		tenant, client, secret, scope string
		now                           time.Time
		reason                        string
		aud                           string
	}{
		{name: "ok", tenant: tenantA, client: sp.AppID, secret: secret, scope: vault, aud: identity.AudienceKeyVault},
		{name: "ok/second-secret", tenant: tenantA, client: sp.AppID, secret: second, scope: "https://management.core.windows.net//.default", aud: identity.AudienceARM},
		{name: "ok/upper-case-ids", tenant: "11111111-2222-3333-4444-555555555555", client: strings.ToUpper(sp.AppID), secret: secret, scope: scopevault.AzureDatabricksAppID + "/.default", aud: scopevault.AzureDatabricksAppID},
		{name: "ok/short-lived-secret", tenant: tenantA, client: sp.AppID, secret: old, scope: vault, aud: identity.AudienceKeyVault},
		{name: "fail/unknown-tenant", tenant: unknownTenant, client: sp.AppID, secret: secret, scope: vault, reason: identity.ReasonTenantNotFound},
		{name: "fail/tenant-not-guid", tenant: "contoso.onmicrosoft.com", client: sp.AppID, secret: secret, scope: vault, reason: identity.ReasonTenantNotFound},
		{name: "fail/unknown-client", tenant: tenantA, client: "00000000-0000-0000-0000-000000000001", secret: secret, scope: vault, reason: identity.ReasonAppNotFound},
		{name: "fail/missing-client", tenant: tenantA, secret: secret, scope: vault, reason: identity.ReasonMissingParameter},
		{name: "fail/bad-secret", tenant: tenantA, client: sp.AppID, secret: secret + "x", scope: vault, reason: identity.ReasonInvalidSecret},
		{name: "fail/missing-secret", tenant: tenantA, client: sp.AppID, scope: vault, reason: identity.ReasonMissingSecret},
		{name: "fail/expired-secret", tenant: tenantA, client: sp.AppID, secret: old, scope: vault, now: t0.Add(time.Hour), reason: identity.ReasonSecretExpired},
		{name: "fail/first-party-has-no-secret", tenant: tenantA, client: scopevault.AzureDatabricksAppID, secret: secret, scope: vault, reason: identity.ReasonInvalidSecret},
		{name: "fail/managed-identity-has-no-secret", tenant: tenantA, client: mi.AppID, secret: secret, scope: vault, reason: identity.ReasonInvalidSecret},
		{name: "fail/scope-without-default", tenant: tenantA, client: sp.AppID, secret: secret, scope: "https://vault.azure.net", reason: identity.ReasonInvalidScope},
		{name: "fail/two-scopes", tenant: tenantA, client: sp.AppID, secret: secret, scope: vault + " https://graph.microsoft.com/.default", reason: identity.ReasonInvalidScope},
		{name: "fail/empty-scope", tenant: tenantA, client: sp.AppID, secret: secret, scope: "openid profile", reason: identity.ReasonInvalidScope},
		{name: "fail/unknown-resource", tenant: tenantA, client: sp.AppID, secret: secret, scope: "https://storage.azure.com/.default", reason: identity.ReasonResourceNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0
			if !tt.now.IsZero() {
				now = tt.now
			}
			e.svc.Now = func() time.Time { return now }
			defer func() { e.svc.Now = func() time.Time { return t0 } }()
			tok, err := e.svc.ClientCredentials(ctx, tt.tenant, tt.client, tt.secret, tt.scope)
			if tt.reason != "" {
				wantReason(t, err, tt.reason)
				if msg := scopevault.ErrorMessageOf(err); tt.secret != "" && strings.Contains(msg, tt.secret) {
					t.Errorf("error message quotes the secret: %q", msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := e.svc.VerifyToken(ctx, tok.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			if c.Audience != tt.aud || c.ObjectID != sp.ObjectID || c.AppID != sp.AppID || c.TenantID != tenantA || c.Kind != scopevault.KindServicePrincipal {
				t.Errorf("claims = %+v", c)
			}
			if got, want := tok.Expires, t0.Add(time.Hour); !got.Equal(want) {
				t.Errorf("expires = %v, want %v", got, want)
			}
		})
	}
}

func TestPassword(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	MustTenant(t, e.svc)
	u, err := e.svc.CreateUser(ctx, tenantA, "bob@contoso.example", "Bob", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	sp, _, err := e.svc.CreateServicePrincipal(ctx, tenantA, "public app")
	if err != nil {
		t.Fatal(err)
	}
	const vault = "https://vault.azure.net/.default"
	tests := []struct {
		name                            string
		tenant, client, user, pw, scope string
		reason                          string
		app                             string
	}{
		{name: "ok", tenant: tenantA, client: identity.PublicClientAppID, user: "bob@contoso.example", pw: "correct horse", scope: vault, app: identity.PublicClientAppID},
		{name: "ok/registered-app", tenant: tenantA, client: sp.AppID, user: "BOB@contoso.example", pw: "correct horse", scope: vault + " openid", app: sp.AppID},
		{name: "fail/unknown-tenant", tenant: unknownTenant, client: identity.PublicClientAppID, user: "bob@contoso.example", pw: "correct horse", scope: vault, reason: identity.ReasonTenantNotFound},
		{name: "fail/unknown-client", tenant: tenantA, client: "00000000-0000-0000-0000-000000000001", user: "bob@contoso.example", pw: "correct horse", scope: vault, reason: identity.ReasonAppNotFound},
		{name: "fail/bad-password", tenant: tenantA, client: identity.PublicClientAppID, user: "bob@contoso.example", pw: "wrong", scope: vault, reason: identity.ReasonInvalidPassword},
		{name: "fail/unknown-user", tenant: tenantA, client: identity.PublicClientAppID, user: "eve@contoso.example", pw: "correct horse", scope: vault, reason: identity.ReasonInvalidPassword},
		{name: "fail/bad-scope", tenant: tenantA, client: identity.PublicClientAppID, user: "bob@contoso.example", pw: "correct horse", scope: "https://vault.azure.net/user_impersonation", reason: identity.ReasonInvalidScope},
		{name: "fail/unknown-resource", tenant: tenantA, client: identity.PublicClientAppID, user: "bob@contoso.example", pw: "correct horse", scope: "api://nope/.default", reason: identity.ReasonResourceNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := e.svc.Password(ctx, tt.tenant, tt.client, tt.user, tt.pw, tt.scope)
			if tt.reason != "" {
				wantReason(t, err, tt.reason)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := e.svc.VerifyToken(ctx, tok.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			if c.Kind != scopevault.KindUser || c.ObjectID != u.ObjectID || c.AppID != tt.app || c.UPN != "bob@contoso.example" {
				t.Errorf("claims = %+v", c)
			}
		})
	}
}

func TestManagedIdentityToken(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	MustTenant(t, e.svc)
	mi, header, err := e.svc.CreateManagedIdentity(ctx, tenantA, "mi1")
	if err != nil {
		t.Fatal(err)
	}
	_, otherHeader, err := e.svc.CreateManagedIdentity(ctx, tenantA, "mi2")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                       string
		header, resource, cid, oid string
		reason                     string
	}{
		{name: "ok", header: header, resource: "https://vault.azure.net"},
		{name: "ok/client-id", header: header, resource: "https://vault.azure.net/", cid: mi.AppID},
		{name: "ok/object-id", header: header, resource: "https://1.2.3:8443", oid: strings.ToUpper(mi.ObjectID)},
		{name: "fail/missing-header", resource: "https://vault.azure.net", reason: identity.ReasonMSIMissingHeader},
		{name: "fail/unknown-header", header: header + "x", resource: "https://vault.azure.net", reason: identity.ReasonMSIUnknownHeader},
		{name: "fail/other-identity", header: otherHeader, resource: "https://vault.azure.net", cid: mi.AppID, reason: identity.ReasonMSIIdentityDiffer},
		{name: "fail/missing-resource", header: header, reason: identity.ReasonMissingParameter},
		{name: "fail/unknown-resource", header: header, resource: "https://example.com", reason: identity.ReasonResourceNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := e.svc.ManagedIdentityToken(ctx, tt.header, tt.resource, tt.cid, tt.oid)
			if tt.reason != "" {
				wantReason(t, err, tt.reason)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := e.svc.VerifyToken(ctx, tok.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			if c.Kind != scopevault.KindManagedIdentity || c.ObjectID != mi.ObjectID || c.AppID != mi.AppID || c.Audience != identity.AudienceKeyVault {
				t.Errorf("claims = %+v", c)
			}
			if got, want := tok.ClientID, mi.AppID; got != want {
				t.Errorf("client id = %q, want %q", got, want)
			}
		})
	}
}
