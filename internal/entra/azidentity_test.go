package entra

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
)

// These tests drive the server with the real azidentity credentials. MSAL
// checks token expiry against the wall clock, so the server's clock is
// pinned to the current time instead of t0.

func sdkFixture(t *testing.T) (*fixture, azcore.ClientOptions) {
	f := MustFixture(t)
	now := time.Now().UTC().Truncate(time.Second)
	f.svc.Now = func() time.Time { return now }
	return f, azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: f.srv.URL + "/"},
		Transport: f.srv.Client(),
		Retry:     policy.RetryOptions{MaxRetries: -1},
	}
}

// verifyFor checks an SDK-obtained token against VerifyToken.
func verifyFor(t *testing.T, f *fixture, tok azcore.AccessToken, oid string, kind scopevault.PrincipalKind) {
	t.Helper()
	c, err := f.svc.VerifyToken(context.Background(), tok.Token)
	if err != nil {
		t.Fatal(err)
	}
	if c.Audience != identity.AudienceKeyVault || c.ObjectID != oid || c.TenantID != tenantA || c.Kind != kind {
		t.Errorf("claims = %+v", c)
	}
	if d := tok.ExpiresOn.Sub(c.Expires); d < -2*time.Second || d > 2*time.Second {
		t.Errorf("SDK expiry %v, token exp %v", tok.ExpiresOn, c.Expires)
	}
}

func TestAzidentityClientSecret(t *testing.T) {
	f, opts := sdkFixture(t)
	cred, err := azidentity.NewClientSecretCredential(tenantA, f.sp.AppID, f.secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: opts, DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://vault.azure.net/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	verifyFor(t, f, tok, f.sp.ObjectID, scopevault.KindServicePrincipal)

	t.Run("fail/bad-secret", func(t *testing.T) {
		cred, err := azidentity.NewClientSecretCredential(tenantA, f.sp.AppID, "abc8Q~wrong", &azidentity.ClientSecretCredentialOptions{
			ClientOptions: opts, DisableInstanceDiscovery: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://vault.azure.net/.default"}})
		var afe *azidentity.AuthenticationFailedError
		if !errors.As(err, &afe) || afe.RawResponse == nil || afe.RawResponse.StatusCode != 401 {
			t.Fatalf("err = %v, want AuthenticationFailedError with 401", err)
		}
	})
}

func TestAzidentityManagedIdentity(t *testing.T) {
	f, opts := sdkFixture(t)
	t.Setenv("IDENTITY_ENDPOINT", f.srv.URL+"/msi/token")
	t.Setenv("IDENTITY_HEADER", f.header)
	for _, tt := range []struct {
		name string
		id   azidentity.ManagedIDKind
	}{
		{"ok/system-assigned-style", nil},
		{"ok/client-id", azidentity.ClientID(f.mi.AppID)},
		{"ok/object-id", azidentity.ObjectID(f.mi.ObjectID)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts, ID: tt.id})
			if err != nil {
				t.Fatal(err)
			}
			// MSAL caches managed identity tokens process-wide; claims make it
			// skip that cache, so every run reaches this run's server.
			tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{
				Scopes: []string{"https://vault.azure.net/.default"},
				Claims: `{"access_token":{"xms_cc":{"values":["CP1"]}}}`,
			})
			if err != nil {
				t.Fatal(err)
			}
			verifyFor(t, f, tok, f.mi.ObjectID, scopevault.KindManagedIdentity)
		})
	}
}

func TestAzidentityUsernamePassword(t *testing.T) {
	f, opts := sdkFixture(t)
	//lint:ignore SA1019 deprecated upstream, still shipped in v1.15 and used by old tooling.
	cred, err := azidentity.NewUsernamePasswordCredential(tenantA, identity.PublicClientAppID, "alice@contoso.example", f.password,
		&azidentity.UsernamePasswordCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://vault.azure.net/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	verifyFor(t, f, tok, f.user.ObjectID, scopevault.KindUser)
}
