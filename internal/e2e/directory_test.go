package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/server"
)

// MustGraph sends a Graph request as token and decodes the answer.
func MustGraph(tb testing.TB, c *client, srv *server.Server, method, path, token string, body any, want int) map[string]any {
	tb.Helper()
	status, raw, err := c.Do(method, srv.URL()+path, token, body)
	if err != nil || status != want {
		tb.Fatalf("%s %s: status %d, want %d: %v %s", method, path, status, want, err, raw)
	}
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return out
}

// secretClient is azsecrets on the default vault with cred.
func secretClient(tb testing.TB, srv *server.Server, cred azcore.TokenCredential) *azsecrets.Client {
	tb.Helper()
	c, err := azsecrets.NewClient(vaultBase(tb, srv), cred, &azsecrets.ClientOptions{ClientOptions: policy.ClientOptions{Transport: sdkHTTP(srv)}})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestDirectoryForTests builds a directory through the Graph-shaped routes
// and signs in as each kind of principal with the unmodified azidentity
// credentials: a user with its password (through a group's role), a
// service principal with a secret added by addPassword, and a managed
// identity through the App Service protocol.
func TestDirectoryForTests(t *testing.T) {
	ctx := context.Background()
	srv := MustServer(t)
	c := MustClient(t, MustEnvFile(t, srv.DataDir()))
	admin := MustAdminCredential(t, srv)
	graph := MustToken(t, admin, graphScope)
	rc := MustRBACClients(t, srv, admin)
	vault := "/subscriptions/" + srv.Boot.SubscriptionID + "/resourceGroups/" + srv.Boot.ResourceGroup + "/providers/Microsoft.KeyVault/vaults/" + srv.Boot.Vault
	secretsUser := *rc.MustRole(t, vault, "Key Vault Secrets User").ID
	if _, err := secretClient(t, srv, admin).SetSecret(ctx, "db-password", azsecrets.SetSecretParameters{Value: ptr("s3cret")}, nil); err != nil {
		t.Fatal(err)
	}
	canRead := func(t *testing.T, cred azcore.TokenCredential) {
		t.Helper()
		got, err := secretClient(t, srv, cred).GetSecret(ctx, "db-password", "", nil)
		if err != nil || *got.Value != "s3cret" {
			t.Fatalf("GetSecret: %v", err)
		}
	}

	t.Run("ok/user-in-a-group-signs-in-with-its-password", func(t *testing.T) {
		user := MustGraph(t, c, srv, http.MethodPost, "/v1.0/users", graph, map[string]any{
			"accountEnabled": true, "displayName": "Dana", "mailNickname": "dana", "userPrincipalName": "dana@scopevault.example",
			"passwordProfile": map[string]any{"password": "Correct-Horse-9", "forceChangePasswordNextSignIn": false},
		}, http.StatusCreated)
		group := MustGraph(t, c, srv, http.MethodPost, "/v1.0/groups", graph, map[string]any{
			"displayName": "secret-readers", "mailEnabled": false, "mailNickname": "secret-readers", "securityEnabled": true,
		}, http.StatusCreated)
		gid := group["id"].(string)
		MustGraph(t, c, srv, http.MethodPost, "/v1.0/groups/"+gid+"/members/$ref", graph,
			map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + user["id"].(string)}, http.StatusNoContent)
		ra, err := rc.assignments.Create(ctx, vault, scopevault.NewGUID(), rcParams(secretsUser, gid, "Group"), nil)
		if err != nil || *ra.Properties.PrincipalType != "Group" {
			t.Fatalf("assign to group: %v", err)
		}
		members := MustGraph(t, c, srv, http.MethodGet, "/v1.0/groups/"+gid+"/members", graph, nil, http.StatusOK)
		if v := members["value"].([]any); len(v) != 1 || v[0].(map[string]any)["@odata.type"] != "#microsoft.graph.user" {
			t.Fatalf("members = %v", members)
		}
		cred, err := azidentity.NewUsernamePasswordCredential(srv.Boot.TenantID, identity.PublicClientAppID, "dana@scopevault.example", "Correct-Horse-9",
			&azidentity.UsernamePasswordCredentialOptions{ClientOptions: azOptions(srv), DisableInstanceDiscovery: true})
		if err != nil {
			t.Fatal(err)
		}
		canRead(t, cred)
	})

	t.Run("ok/service-principal-with-an-added-secret", func(t *testing.T) {
		app := MustGraphSP(t, c, srv, graph, "ci-deployer")
		added := MustGraph(t, c, srv, http.MethodPost, "/v1.0/applications/"+app.AppID+"/addPassword", graph,
			map[string]any{"passwordCredential": map[string]any{"displayName": "rotated"}}, http.StatusOK)
		rc.MustAssign(t, vault, secretsUser, app.ObjectID)
		canRead(t, MustSecretCredential(t, srv, app.AppID, added["secretText"].(string)))
	})

	t.Run("ok/managed-identity-through-the-app-service-protocol", func(t *testing.T) {
		mi := MustGraph(t, c, srv, http.MethodPost, "/v1.0/scopevault/managedIdentities", graph, map[string]any{"displayName": "worker"}, http.StatusCreated)
		rc.MustAssign(t, vault, secretsUser, mi["principalId"].(string))
		t.Setenv("IDENTITY_ENDPOINT", mi["identityEndpoint"].(string))
		t.Setenv("IDENTITY_HEADER", mi["identityHeader"].(string))
		cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{
			ClientOptions: azOptions(srv), ID: azidentity.ClientID(mi["clientId"].(string)),
		})
		if err != nil {
			t.Fatal(err)
		}
		canRead(t, cred)
	})

	t.Run("ok/user-assigned-identity-made-through-arm", func(t *testing.T) {
		id := "/subscriptions/" + srv.Boot.SubscriptionID + "/resourceGroups/" + srv.Boot.ResourceGroup +
			"/providers/Microsoft.ManagedIdentity/userAssignedIdentities/batch-job"
		req, err := http.NewRequest(http.MethodPut, srv.URL()+id+"?api-version=2023-01-31", strings.NewReader(`{"location":"eastus"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+MustToken(t, admin, armScope))
		req.Header.Set("Content-Type", "application/json")
		res, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var created struct {
			Properties struct{ PrincipalID, ClientID string }
		}
		if err := json.NewDecoder(res.Body).Decode(&created); err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("PUT identity: %d %v", res.StatusCode, err)
		}
		rc.MustAssign(t, vault, secretsUser, created.Properties.PrincipalID)
		t.Setenv("IDENTITY_ENDPOINT", res.Header.Get("x-scopevault-identity-endpoint"))
		t.Setenv("IDENTITY_HEADER", res.Header.Get("x-scopevault-identity-header"))
		cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{
			ClientOptions: azOptions(srv), ID: azidentity.ResourceID(id),
		})
		if err != nil {
			t.Fatal(err)
		}
		canRead(t, cred)
	})
}
