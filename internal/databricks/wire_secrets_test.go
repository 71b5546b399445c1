package databricks_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/audit"
	"github.com/scopevault/scopevault/internal/secrets"
)

const wireValue = "wire-secret-value-never-logged"

// raw sends body as the legacy CLI does: Content-Type text/json, on GETs too.
func (w *wire) raw(tb testing.TB, method, path, token, contentType, body string) response {
	tb.Helper()
	req, err := http.NewRequest(method, w.host+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := w.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// MustBody fails unless r has status and exactly body (trailing newline aside).
func MustBody(tb testing.TB, r response, status int, body string) {
	tb.Helper()
	got := string(r.body)
	if status < 400 {
		// Success bodies may end with the encoder's newline; error bodies are
		// byte-exact, as the legacy CLI prints them verbatim.
		got = strings.TrimSuffix(got, "\n")
	}
	if r.status != status || got != body {
		tb.Fatalf("got %d %s\nwant %d %s", r.status, got, status, body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Fatalf("Content-Type %q", ct)
	}
}

func TestSecretsAPIWire(t *testing.T) {
	w := MustWire(t)
	admin := w.srv.Boot.ClientID
	ms := strconv.FormatInt(w.clock.Now().UnixMilli(), 10)
	b64 := base64.StdEncoding.EncodeToString([]byte(wireValue))
	steps := []struct {
		name, method, path, contentType, body string
		status                                int
		want                                  string
	}{
		{"ok/create-scope", "POST", "/api/2.0/secrets/scopes/create", "application/json", `{"scope":"My-Scope","scope_backend_type":"DATABRICKS"}`, 200, `{}`},
		{"fail/create-scope-exists", "POST", "/api/2.0/secrets/scopes/create", "application/json", `{"scope":"my-scope"}`, 400, `{"error_code":"RESOURCE_ALREADY_EXISTS","message":"Scope my-scope already exists!"}`},
		{"ok/create-scope-unknown-fields-legacy", "POST", "/api/2.0/secrets/scopes/create", "text/json", `{"scope": "s2", "initial_manage_principal": "users", "tenant_id": "x", "future": {"a": 1}}`, 200, `{}`},
		{"ok/list-scopes", "GET", "/api/2.0/secrets/scopes/list", "text/json", ``, 200, `{"scopes":[{"name":"My-Scope","backend_type":"DATABRICKS"},{"name":"s2","backend_type":"DATABRICKS"}]}`},
		{"ok/list-empty-scope", "GET", "/api/2.0/secrets/list?scope=my-scope", "", ``, 200, `{}`},
		{"ok/put-string-legacy", "POST", "/api/2.0/secrets/put", "text/json", `{"scope": "my-scope", "key": "Db-Password", "string_value": "` + wireValue + `"}`, 200, `{}`},
		{"ok/put-bytes-no-content-type", "POST", "/api/2.0/secrets/put", "", `{"scope":"My-Scope","key":"bin","bytes_value":"AAH/"}`, 200, `{}`},
		{"ok/get", "GET", "/api/2.0/secrets/get?scope=MY-SCOPE&key=db-password", "", ``, 200, `{"key":"db-password","value":"` + b64 + `"}`},
		{"ok/get-bytes", "GET", "/api/2.0/secrets/get?scope=My-Scope&key=bin", "", ``, 200, `{"key":"bin","value":"AAH/"}`},
		{"ok/list-secrets", "GET", "/api/2.0/secrets/list?scope=My-Scope", "text/json", ``, 200, `{"secrets":[{"key":"bin","last_updated_timestamp":` + ms + `},{"key":"Db-Password","last_updated_timestamp":` + ms + `}]}`},
		{"fail/put-both-values", "POST", "/api/2.0/secrets/put", "application/json", `{"scope":"My-Scope","key":"k","string_value":"a","bytes_value":"YQ=="}`, 400, `{"error_code":"INVALID_PARAMETER_VALUE","message":"Exactly one of string_value and bytes_value must be specified, not both."}`},
		{"fail/put-no-value", "POST", "/api/2.0/secrets/put", "application/json", `{"scope":"My-Scope","key":"k"}`, 400, `{"error_code":"INVALID_PARAMETER_VALUE","message":"Exactly one of string_value and bytes_value must be specified."}`},
		{"fail/put-bad-base64", "POST", "/api/2.0/secrets/put", "application/json", `{"scope":"My-Scope","key":"k","bytes_value":"***"}`, 400, `{"error_code":"INVALID_PARAMETER_VALUE","message":"bytes_value must be base64-encoded."}`},
		{"fail/put-bad-key", "POST", "/api/2.0/secrets/put", "application/json", `{"scope":"My-Scope","key":"a b","string_value":"x"}`, 400, `{"error_code":"INVALID_PARAMETER_VALUE","message":"Invalid secret key 'a b': it must be 1 to 128 characters long and contain only alphanumeric characters, dashes, underscores and periods."}`},
		{"fail/malformed-json", "POST", "/api/2.0/secrets/put", "application/json", `{"scope":`, 400, `{"error_code":"MALFORMED_REQUEST","message":"Invalid JSON given in the body of the request - failed to parse given JSON"}`},
		{"fail/get-missing-secret", "GET", "/api/2.0/secrets/get?scope=My-Scope&key=nope", "", ``, 404, `{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Secret does not exist with scope: My-Scope and key: nope"}`},
		{"fail/get-missing-scope", "GET", "/api/2.0/secrets/get?scope=nope&key=k", "", ``, 404, `{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Scope nope does not exist!"}`},
		{"fail/get-no-scope", "GET", "/api/2.0/secrets/get", "", ``, 400, `{"error_code":"INVALID_PARAMETER_VALUE","message":"Missing required field: scope"}`},
		{"ok/list-acls", "GET", "/api/2.0/secrets/acls/list?scope=my-scope", "", ``, 200, `{"items":[{"principal":"` + admin + `","permission":"MANAGE"}]}`},
		{"ok/put-acl", "POST", "/api/2.0/secrets/acls/put", "application/json", `{"scope":"my-scope","principal":"users","permission":"READ"}`, 200, `{}`},
		{"ok/put-acl-upsert", "POST", "/api/2.0/secrets/acls/put", "text/json", `{"scope":"my-scope","principal":"users","permission":"WRITE"}`, 200, `{}`},
		{"ok/get-acl", "GET", "/api/2.0/secrets/acls/get?scope=my-scope&principal=users", "", ``, 200, `{"principal":"users","permission":"WRITE"}`},
		{"fail/put-acl-bad-permission", "POST", "/api/2.0/secrets/acls/put", "application/json", `{"scope":"my-scope","principal":"users","permission":"OWNER"}`, 400, `{"error_code":"INVALID_PARAMETER_VALUE","message":"Invalid permission 'OWNER': it must be READ, WRITE or MANAGE."}`},
		{"fail/put-acl-unknown-principal", "POST", "/api/2.0/secrets/acls/put", "application/json", `{"scope":"my-scope","principal":"ghost@example.com","permission":"READ"}`, 400, `{"error_code":"INVALID_PARAMETER_VALUE","message":"Principal ghost@example.com does not exist in this workspace: name a user by userName, a service principal by application id or a group by display name."}`},
		{"ok/delete-acl", "POST", "/api/2.0/secrets/acls/delete", "application/json", `{"scope":"my-scope","principal":"users"}`, 200, `{}`},
		{"fail/get-acl-missing", "GET", "/api/2.0/secrets/acls/get?scope=my-scope&principal=users", "", ``, 404, `{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"ACL for principal users does not exist on scope My-Scope!"}`},
		{"fail/delete-acl-missing", "POST", "/api/2.0/secrets/acls/delete", "application/json", `{"scope":"my-scope","principal":"users"}`, 404, `{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"ACL for principal users does not exist on scope My-Scope!"}`},
		{"ok/delete-secret", "POST", "/api/2.0/secrets/delete", "application/json", `{"scope":"my-scope","key":"BIN"}`, 200, `{}`},
		{"fail/delete-secret-missing", "POST", "/api/2.0/secrets/delete", "application/json", `{"scope":"my-scope","key":"bin"}`, 404, `{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Secret does not exist with scope: My-Scope and key: bin"}`},
		{"fail/akv-with-pat", "POST", "/api/2.0/secrets/scopes/create", "application/json", `{"scope":"kv","scope_backend_type":"AZURE_KEYVAULT","backend_azure_keyvault":{"resource_id":"/subscriptions/x/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv","dns_name":"https://kv.vault.azure.net/"}}`, 400, `{"error_code":"INVALID_PARAMETER_VALUE","message":"Scope with Azure KeyVault must have userAADToken defined!"}`},
		{"ok/delete-scope", "POST", "/api/2.0/secrets/scopes/delete", "text/json", `{"scope":"MY-SCOPE"}`, 200, `{}`},
		{"fail/delete-scope-missing", "POST", "/api/2.0/secrets/scopes/delete", "application/json", `{"scope":"my-scope"}`, 404, `{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Scope my-scope does not exist!"}`},
		{"fail/list-deleted-scope", "GET", "/api/2.0/secrets/list?scope=my-scope", "", ``, 404, `{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Scope my-scope does not exist!"}`},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			MustBody(t, w.raw(t, s.method, s.path, w.pat, s.contentType, s.body), s.status, s.want)
		})
	}

	if err := w.srv.Audit.Flush(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(w.dir, audit.FileName))
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	for _, want := range []string{`"action":"getSecret"`, `"action":"putAcl"`, `"decision":"allow"`, `"rule":"workspace admin"`, `"key":"db-password"`} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %s", want)
		}
	}
	if strings.Contains(log, wireValue) || strings.Contains(log, b64) {
		t.Fatal("the audit log holds a secret value")
	}
}

// A non-admin service principal added by SCIM is refused until an ACL
// grants it, with Databricks' PERMISSION_DENIED body.
func TestSecretsAPIWirePermissions(t *testing.T) {
	w := MustWire(t)
	dev := w.MustSP(t, "dev")
	MustStatus(t, w.api(t, http.MethodPost, scimBase+"ServicePrincipals", w.pat, map[string]any{"applicationId": dev.AppID}), http.StatusCreated)
	tok := w.token(t, dev)
	MustBody(t, w.raw(t, "POST", "/api/2.0/secrets/scopes/create", w.pat, "", `{"scope":"team"}`), 200, `{}`)
	MustBody(t, w.raw(t, "POST", "/api/2.0/secrets/put", w.pat, "", `{"scope":"team","key":"k","string_value":"`+wireValue+`"}`), 200, `{}`)

	MustBody(t, w.raw(t, "GET", "/api/2.0/secrets/get?scope=team&key=k", tok, "", ``), 403,
		`{"error_code":"PERMISSION_DENIED","message":"User `+dev.AppID+` does not have READ permission on scope team to perform this action."}`)
	MustBody(t, w.raw(t, "GET", "/api/2.0/secrets/acls/list?scope=team", tok, "", ``), 403,
		`{"error_code":"PERMISSION_DENIED","message":"User `+dev.AppID+` does not have MANAGE permission on scope team to perform this action."}`)
	MustBody(t, w.raw(t, "GET", "/api/2.0/secrets/scopes/list", tok, "", ``), 200, `{"scopes":[{"name":"team","backend_type":"DATABRICKS"}]}`)
	MustBody(t, w.raw(t, "POST", "/api/2.0/secrets/acls/put", w.pat, "", `{"scope":"team","principal":"`+dev.AppID+`","permission":"READ"}`), 200, `{}`)
	MustBody(t, w.raw(t, "GET", "/api/2.0/secrets/get?scope=team&key=k", tok, "", ``), 200,
		`{"key":"k","value":"`+base64.StdEncoding.EncodeToString([]byte(wireValue))+`"}`)
	MustBody(t, w.raw(t, "POST", "/api/2.0/secrets/put", tok, "", `{"scope":"team","key":"k","string_value":"x"}`), 403,
		`{"error_code":"PERMISSION_DENIED","message":"User `+dev.AppID+` does not have WRITE permission on scope team to perform this action."}`)
}

// A Key Vault-backed scope over the wire: created with an Entra token,
// read as AzureDatabricks, refused until Key Vault Secrets User is
// assigned, read-only.
func TestSecretsAPIWireKeyVault(t *testing.T) {
	w := MustWire(t)
	v := w.mustVault(t, "kv-wire")
	entra := w.MustEntraToken(t, w.srv.Boot.ClientID, w.srv.Boot.ClientSecret, databricksScope)
	create := `{"scope":"kv","scope_backend_type":"AZURE_KEYVAULT","backend_azure_keyvault":{"resource_id":"` + v.ResourceID() + `","dns_name":"https://kv-wire.vault.azure.net/"}}`
	MustBody(t, w.raw(t, "POST", "/api/2.0/secrets/scopes/create", entra, "application/json", create), 200, `{}`)
	MustBody(t, w.raw(t, "GET", "/api/2.0/secrets/scopes/list", w.pat, "", ``), 200,
		`{"scopes":[{"name":"kv","backend_type":"AZURE_KEYVAULT","keyvault_metadata":{"resource_id":"`+v.ResourceID()+`","dns_name":"https://kv-wire.vault.azure.net/"}}]}`)

	r := w.raw(t, "GET", "/api/2.0/secrets/get?scope=kv&key=db-password", w.pat, "", ``)
	MustErrorCode(t, r, http.StatusForbidden, "PERMISSION_DENIED")
	if msg := r.json(t)["message"].(string); !strings.HasPrefix(msg, "Invalid permissions on the specified KeyVault https://kv-wire.vault.azure.net/. Wrapped Message: Status code 403, ") ||
		!strings.Contains(msg, `"innererror":{"code":"ForbiddenByRbac"}`) {
		t.Fatalf("denial %s", msg)
	}
	w.mustGrantDatabricks(t, v)
	r = w.raw(t, "GET", "/api/2.0/secrets/get?scope=kv&key=db-password", w.pat, "", ``)
	MustBody(t, r, 200, `{"key":"db-password","value":"`+base64.StdEncoding.EncodeToString([]byte(wireValue))+`"}`)
	MustBody(t, w.raw(t, "POST", "/api/2.0/secrets/put", w.pat, "", `{"scope":"kv","key":"x","string_value":"y"}`), 400,
		`{"error_code":"BAD_REQUEST","message":"Scope kv is backed by Azure Key Vault and is read-only through Databricks: write or delete its secrets in the Key Vault."}`)
}

// TestSecretsAPIWireKeyVaultNetwork: the seed's Option B. With public
// access disabled the control plane reaches the vault only as a trusted
// service: bypass None breaks the scope read with Key Vault's
// ForbiddenByConnection wrapped in PERMISSION_DENIED, bypass AzureServices
// fixes it, and an IP rule for the user's own address does not help (the
// read comes from the control plane, not from the user).
func TestSecretsAPIWireKeyVaultNetwork(t *testing.T) {
	w := MustWire(t)
	ctx := context.Background()
	v := w.mustVault(t, "kv-net")
	w.mustGrantDatabricks(t, v)
	entra := w.MustEntraToken(t, w.srv.Boot.ClientID, w.srv.Boot.ClientSecret, databricksScope)
	create := `{"scope":"kv","scope_backend_type":"AZURE_KEYVAULT","backend_azure_keyvault":{"resource_id":"` + v.ResourceID() + `","dns_name":"https://kv-net.vault.azure.net/"}}`
	MustBody(t, w.raw(t, "POST", "/api/2.0/secrets/scopes/create", entra, "application/json", create), 200, `{}`)
	ok := `{"key":"db-password","value":"` + base64.StdEncoding.EncodeToString([]byte(wireValue)) + `"}`
	tests := []struct {
		name  string
		pna   string
		acls  *scopevault.NetworkACLs
		inner string // "" when the read succeeds
		first string
	}{
		{"ok/public", "Enabled", nil, "", ""},
		{"ok/disabled-bypass-azureservices", "Disabled", &scopevault.NetworkACLs{Bypass: "AzureServices", DefaultAction: "Deny"}, "", ""},
		{"disabled-bypass-none", "Disabled", &scopevault.NetworkACLs{Bypass: "None", DefaultAction: "Deny"}, "ForbiddenByConnection",
			"Connection is not an approved private link and caller was ignored because bypass is not set to 'AzureServices'"},
		{"firewall-bypass-none-user-ip-allowed", "Enabled", &scopevault.NetworkACLs{Bypass: "None", DefaultAction: "Deny", IPRules: []string{"127.0.0.0/16"}}, "ForbiddenByFirewall",
			"Client address is not authorized and caller was ignored because bypass is set to None"},
		{"ok/firewall-bypass-azureservices", "Enabled", &scopevault.NetworkACLs{Bypass: "AzureServices", DefaultAction: "Deny"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := w.srv.Engine.UpdateVault(ctx, v.Name, func(v *scopevault.Vault) error {
				v.PublicNetworkAccess, v.NetworkACLs = tt.pna, tt.acls
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			r := w.raw(t, "GET", "/api/2.0/secrets/get?scope=kv&key=db-password", w.pat, "", ``)
			if tt.inner == "" {
				MustBody(t, r, 200, ok)
				return
			}
			MustErrorCode(t, r, http.StatusForbidden, "PERMISSION_DENIED")
			msg := r.json(t)["message"].(string)
			if !strings.HasPrefix(msg, "Invalid permissions on the specified KeyVault https://kv-net.vault.azure.net/. Wrapped Message: Status code 403, ") ||
				!strings.Contains(msg, `"innererror":{"code":"`+tt.inner+`"}`) || !strings.Contains(msg, tt.first) || !strings.Contains(msg, "appid="+scopevault.AzureDatabricksAppID) {
				t.Fatalf("denial %s", msg)
			}
		})
	}
}

// mustVault creates an RBAC vault in the workspace's resource group holding
// db-password = wireValue.
func (w *wire) mustVault(t *testing.T, name string) *scopevault.Vault {
	t.Helper()
	ctx := context.Background()
	v, err := w.srv.Engine.CreateVault(ctx, scopevault.Vault{Name: name, SubscriptionID: w.ws.SubscriptionID, ResourceGroup: w.ws.ResourceGroup,
		Location: "eastus", TenantID: w.ws.TenantID, SKU: "standard", EnableRBACAuthorization: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Engine.Set(ctx, v, "db-password", secrets.SetParams{Value: wireValue}); err != nil {
		t.Fatal(err)
	}
	return v
}

// mustGrantDatabricks assigns AzureDatabricks Key Vault Secrets User on v,
// the how-to's step 5.
func (w *wire) mustGrantDatabricks(t *testing.T, v *scopevault.Vault) {
	t.Helper()
	ctx := context.Background()
	dbx, err := w.srv.Identity.PrincipalByAppID(ctx, w.ws.TenantID, scopevault.AzureDatabricksAppID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.srv.Authz.CreateAssignment(ctx, scopevault.RoleAssignment{Name: scopevault.NewGUID(), Scope: v.ResourceID(),
		RoleDefinitionID: "4633458b-17de-408a-b874-0445c86b69e6", PrincipalID: dbx.ObjectID, PrincipalType: scopevault.KindServicePrincipal}); err != nil {
		t.Fatal(err)
	}
}
