package keyvault_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
)

// scopeRecorder is a credential that hands out a fixed Key Vault token and
// records the scopes the SDK asked for (they come from the 401 challenge).
type scopeRecorder struct {
	token  string
	mu     sync.Mutex
	scopes []string
}

func (c *scopeRecorder) GetToken(_ context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.scopes = append(c.scopes, opts.Scopes...)
	return azcore.AccessToken{Token: c.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// The unmodified Go SDK, with challenge-resource verification on, against
// vault URLs that name the port explicitly — ":443" included, which the SDK
// keeps in the Host it compares with the challenge resource.
func TestGoSDKChallengeVerification(t *testing.T) {
	w := MustWire(t)
	tests := []struct {
		name      string
		vaultURL  string
		wantScope string
	}{
		{name: "ok/no-setup-address", vaultURL: w.base + "/", wantScope: "https://1.0.1:" + w.port() + "/.default"},
		{name: "ok/no-setup-address-explicit-443", vaultURL: "https://127.1.0.1:443/", wantScope: "https://1.0.1:443/.default"},
		{name: "ok/real-host-form", vaultURL: w.hostBase(w.vault) + "/", wantScope: "https://vault.azure.net:" + w.port() + "/.default"},
		{name: "ok/real-host-form-explicit-443", vaultURL: "https://" + w.vault.Name + ".vault.azure.net:443/", wantScope: "https://vault.azure.net:443/.default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred := &scopeRecorder{token: w.admin}
			client, err := azsecrets.NewClient(tt.vaultURL, cred, &azsecrets.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: w.client}})
			if err != nil {
				t.Fatal(err)
			}
			value := "sdk-value"
			if _, err := client.SetSecret(t.Context(), "sdk", azsecrets.SetSecretParameters{Value: &value}, nil); err != nil {
				t.Fatalf("SetSecret: %v", err)
			}
			got, err := client.GetSecret(t.Context(), "sdk", "", nil)
			if err != nil {
				t.Fatalf("GetSecret: %v", err)
			}
			if got.Value == nil || *got.Value != value {
				t.Errorf("value: got %v, want %q", got.Value, value)
			}
			if len(cred.scopes) == 0 || !slices.Equal(slices.Compact(cred.scopes), []string{tt.wantScope}) {
				t.Errorf("scopes: got %v, want %s", cred.scopes, tt.wantScope)
			}
		})
	}
}
