package e2e

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/server"
	"github.com/scopevault/scopevault/internal/testkit"
)

// Scopes and api-versions the RBAC tests speak.
const (
	armScope   = "https://management.core.windows.net//.default"
	vaultScope = "https://vault.azure.net/.default"
	graphScope = "https://graph.microsoft.com/.default"
	kvAPI      = "api-version=2024-11-01"
	authAPI    = "api-version=2022-04-01"
	rgAPI      = "api-version=2022-09-01"
	dataAPI    = "api-version=7.4"
	location   = "eastus"
)

// MustServerConfig is MustServer with the clock and propagation delay of cfg.
func MustServerConfig(tb testing.TB, cfg server.Config) *server.Server {
	tb.Helper()
	cfg.DataDir = tb.TempDir()
	srv, err := server.Start(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("start server: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			tb.Errorf("shutdown: %v", err)
		}
	})
	return srv
}

// clock is a settable time source for server.Config.Now. It starts at the
// wall clock because MSAL checks token expiry against the wall clock.
type clock = testkit.Clock

func newClock() *clock { return testkit.WallClock() }

// sdkHTTP is an HTTP client trusting the server's CA, as SSL_CERT_FILE would.
func sdkHTTP(srv *server.Server) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CA.Pool()}, MaxIdleConnsPerHost: 64}}
}

// azOptions points azidentity at scopevault's identity service.
func azOptions(srv *server.Server) azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL() + "/"},
		Transport: sdkHTTP(srv),
		Retry:     policy.RetryOptions{MaxRetries: -1},
	}
}

// armOptions points an unmodified ARM client at scopevault's management plane.
func armOptions(srv *server.Server) *arm.ClientOptions {
	return &arm.ClientOptions{
		ClientOptions: policy.ClientOptions{
			Cloud: cloud.Configuration{
				ActiveDirectoryAuthorityHost: srv.URL() + "/",
				Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
					cloud.ResourceManager: {Endpoint: srv.URL(), Audience: "https://management.core.windows.net/"},
				},
			},
			Transport: sdkHTTP(srv),
			Retry:     policy.RetryOptions{MaxRetries: -1},
		},
		DisableRPRegistration: true,
	}
}

func MustSecretCredential(tb testing.TB, srv *server.Server, clientID, secret string) *azidentity.ClientSecretCredential {
	tb.Helper()
	cred, err := azidentity.NewClientSecretCredential(srv.Boot.TenantID, clientID, secret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: azOptions(srv), DisableInstanceDiscovery: true})
	if err != nil {
		tb.Fatal(err)
	}
	return cred
}

func MustAdminCredential(tb testing.TB, srv *server.Server) *azidentity.ClientSecretCredential {
	return MustSecretCredential(tb, srv, srv.Boot.ClientID, srv.Boot.ClientSecret)
}

// MustToken gets a token from cred for scope.
func MustToken(tb testing.TB, cred azcore.TokenCredential, scope string) string {
	tb.Helper()
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		tb.Fatal(err)
	}
	return tok.Token
}

// rbacClients are the unmodified armauthorization clients, as the admin.
type rbacClients struct {
	assignments *armauthorization.RoleAssignmentsClient
	definitions *armauthorization.RoleDefinitionsClient
}

func MustRBACClients(tb testing.TB, srv *server.Server, cred azcore.TokenCredential) rbacClients {
	tb.Helper()
	ra, err := armauthorization.NewRoleAssignmentsClient(srv.Boot.SubscriptionID, cred, armOptions(srv))
	if err != nil {
		tb.Fatal(err)
	}
	rd, err := armauthorization.NewRoleDefinitionsClient(cred, armOptions(srv))
	if err != nil {
		tb.Fatal(err)
	}
	return rbacClients{assignments: ra, definitions: rd}
}

// MustRole reads a role definition by name with $filter=roleName eq '...'.
func (c rbacClients) MustRole(tb testing.TB, scope, name string) *armauthorization.RoleDefinition {
	tb.Helper()
	filter := "roleName eq '" + name + "'"
	pager := c.definitions.NewListPager(scope, &armauthorization.RoleDefinitionsClientListOptions{Filter: &filter})
	var found []*armauthorization.RoleDefinition
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		found = append(found, page.Value...)
	}
	if len(found) != 1 {
		tb.Fatalf("roleName eq '%s' found %d roles", name, len(found))
	}
	return found[0]
}

// MustAssign assigns role (a role definition id) to a service principal at scope.
func (c rbacClients) MustAssign(tb testing.TB, scope, roleID, principalID string) *armauthorization.RoleAssignment {
	tb.Helper()
	res, err := c.assignments.Create(context.Background(), scope, scopevault.NewGUID(),
		rcParams(roleID, principalID, armauthorization.PrincipalTypeServicePrincipal), nil)
	if err != nil {
		tb.Fatalf("assign %s to %s at %s: %v", roleID, principalID, scope, err)
	}
	return &res.RoleAssignment
}

func ptr[T any](v T) *T { return &v }

// rcParams is a role assignment body for principalType typ.
func rcParams(roleID, principalID string, typ armauthorization.PrincipalType) armauthorization.RoleAssignmentCreateParameters {
	return armauthorization.RoleAssignmentCreateParameters{Properties: &armauthorization.RoleAssignmentProperties{
		RoleDefinitionID: &roleID, PrincipalID: &principalID, PrincipalType: &typ,
	}}
}

// respCode is the status and error code of an SDK error.
func respCode(err error) (int, string) {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return 0, ""
	}
	return re.StatusCode, re.ErrorCode
}

// sp is a service principal made through Graph, with its one secret.
type sp struct {
	AppID, ObjectID, Secret string
}

// MustGraphSP registers an application and service principal through
// POST /v1.0/servicePrincipals.
func MustGraphSP(tb testing.TB, c *client, srv *server.Server, graphToken, name string) sp {
	tb.Helper()
	status, body, err := c.Do(http.MethodPost, srv.URL()+"/v1.0/servicePrincipals", graphToken, map[string]string{"displayName": name})
	if err != nil || status != http.StatusCreated {
		tb.Fatalf("create service principal: %d %v %s", status, err, body)
	}
	var out struct {
		ID                  string `json:"id"`
		AppID               string `json:"appId"`
		PasswordCredentials []struct {
			SecretText string `json:"secretText"`
		} `json:"passwordCredentials"`
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out.PasswordCredentials) != 1 {
		tb.Fatalf("create service principal: %v %s", err, body)
	}
	return sp{AppID: out.AppID, ObjectID: out.ID, Secret: out.PasswordCredentials[0].SecretText}
}

// MustARM sends an ARM request and fails unless the status is want.
func MustARM(tb testing.TB, c *client, method, u, token string, body any, want int) map[string]any {
	tb.Helper()
	status, raw, err := c.Do(method, u, token, body)
	if err != nil || status != want {
		tb.Fatalf("%s %s: status %d, want %d: %v %s", method, u, status, want, err, raw)
	}
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return out
}

// errorCodes returns error.code and error.innererror.code of an error body.
func errorCodes(raw []byte) (code, inner string) {
	var e struct {
		Error struct {
			Code       string `json:"code"`
			InnerError struct {
				Code string `json:"code"`
			} `json:"innererror"`
		} `json:"error"`
	}
	_ = json.Unmarshal(raw, &e)
	return e.Error.Code, e.Error.InnerError.Code
}

func vaultBody(tenantID string, rbac bool, policies []any) map[string]any {
	props := map[string]any{"tenantId": tenantID, "sku": map[string]any{"family": "A", "name": "standard"}, "enableRbacAuthorization": rbac}
	if policies != nil {
		props["accessPolicies"] = policies
	}
	return map[string]any{"location": location, "properties": props}
}

func secretPolicy(tenantID, objectID string, perms ...string) map[string]any {
	return map[string]any{"tenantId": tenantID, "objectId": objectID, "permissions": map[string]any{"secrets": perms}}
}
