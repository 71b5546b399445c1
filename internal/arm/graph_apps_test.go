package arm_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/identity"
)

// TestGraphCreateForRBAC drives the requests az 2.45's `az ad sp
// create-for-rbac -n NAME` makes, in its order and with its bodies
// (role/custom.py: create_application, _application_add_password,
// _create_service_principal), and checks the secret it gets signs in.
func TestGraphCreateForRBAC(t *testing.T) {
	e := MustEnv(t)
	admin := e.Token(t, e.admin, graphAudience)
	const name = "ci-deployer"
	q := func(f string) string { return "?$filter=" + url.QueryEscape(f) }

	// create_application: list by startswith(displayName,...), none yet.
	r := e.Do(t, "GET", "/v1.0/applications"+q("startswith(displayName,'"+name+"')"), admin, nil)
	MustStatus(t, r, 200)
	if v, _ := r.Get("value").([]any); len(v) != 0 || !strings.HasSuffix(r.Body["@odata.context"].(string), "$metadata#applications") {
		t.Fatalf("list before create = %s", r.Raw)
	}
	// POST /applications with az's body.
	r = e.Do(t, "POST", "/v1.0/applications", admin, map[string]any{"displayName": name})
	MustStatus(t, r, http.StatusCreated)
	appObj, _ := r.Get("id").(string)
	appID, _ := r.Get("appId").(string)
	if creds, _ := r.Get("passwordCredentials").([]any); appObj == "" || appID == "" || creds == nil || len(creds) != 0 {
		t.Fatalf("created application = %s", r.Raw)
	}
	// _application_add_password(graph_client, app, start, end, 'rbac').
	r = e.Do(t, "POST", "/v1.0/applications/"+appObj+"/addPassword", admin, map[string]any{"passwordCredential": map[string]any{
		"displayName": "rbac", "startDateTime": "2026-04-01T12:00:00Z", "endDateTime": "2027-04-01T12:00:00Z",
	}})
	MustStatus(t, r, 200)
	secret, _ := r.Get("secretText").(string)
	if secret == "" {
		t.Fatalf("addPassword = %s", r.Raw)
	}
	// _create_service_principal(cli_ctx, app_id, resolve_app=False).
	r = e.Do(t, "POST", "/v1.0/servicePrincipals", admin, map[string]any{"appId": appID})
	MustStatus(t, r, http.StatusCreated)
	spObj, _ := r.Get("id").(string)
	if spObj == "" || r.Get("appId") != appID {
		t.Fatalf("service principal = %s", r.Raw)
	}
	// The secret signs in as the app.
	if _, err := e.id.ClientCredentials(context.Background(), tenant, appID, secret, "https://management.azure.com/.default"); err != nil {
		t.Fatalf("the addPassword secret does not sign in: %v", err)
	}
	// The app's secret is never shown again.
	r = e.Do(t, "GET", "/v1.0/applications/"+appObj, admin, nil)
	MustStatus(t, r, 200)
	if strings.Contains(string(r.Raw), secret) || r.Get("passwordCredentials.0") != nil && len(r.Get("passwordCredentials").([]any)) != 1 {
		t.Fatalf("GET application = %s", r.Raw)
	}

	// A second run with the same name: az finds the app, patches it with
	// its own name, reads it, removes each password and adds one.
	r = e.Do(t, "GET", "/v1.0/applications"+q("startswith(displayName,'"+name+"')"), admin, nil)
	if v, _ := r.Get("value").([]any); len(v) != 1 {
		t.Fatalf("list after create = %s", r.Raw)
	}
	MustStatus(t, e.Do(t, "PATCH", "/v1.0/applications/"+appObj, admin, map[string]any{"displayName": name}), http.StatusNoContent)
	r = e.Do(t, "GET", "/v1.0/applications/"+appObj, admin, nil)
	creds, _ := r.Get("passwordCredentials").([]any)
	if len(creds) != 1 {
		t.Fatalf("credentials = %s", r.Raw)
	}
	keyID := creds[0].(map[string]any)["keyId"].(string)
	MustStatus(t, e.Do(t, "POST", "/v1.0/applications/"+appObj+"/removePassword", admin, map[string]any{"keyId": keyID}), http.StatusNoContent)
	if _, err := e.id.ClientCredentials(context.Background(), tenant, appID, secret, "https://management.azure.com/.default"); err == nil {
		t.Fatal("a removed secret still signs in")
	}
	// existing_sps: servicePrincipals?$filter=displayName eq 'NAME'.
	r = e.Do(t, "GET", "/v1.0/servicePrincipals"+q("displayName eq '"+name+"'"), admin, nil)
	if v, _ := r.Get("value").([]any); len(v) != 1 || v[0].(map[string]any)["id"] != spObj {
		t.Fatalf("sp by displayName = %s", r.Raw)
	}
}

// TestGraphAzLookups: the filters and reads az sends to find objects, and
// Graph's answers to what scopevault does not serve.
func TestGraphAzLookups(t *testing.T) {
	e := MustEnv(t)
	sp := e.MustPrincipal(t, "lookup-app")
	spTok := e.Token(t, sp, graphAudience)
	q := func(set, f string) string { return "/v1.0/" + set + "?$filter=" + url.QueryEscape(f) }
	count := func(t *testing.T, path, tok string, want int) {
		t.Helper()
		r := e.Do(t, "GET", path, tok, nil)
		MustStatus(t, r, 200)
		if v, _ := r.Get("value").([]any); len(v) != want {
			t.Fatalf("%s: %d results, want %d: %s", path, len(v), want, r.Raw)
		}
	}
	for _, tc := range []struct {
		name, path string
		want       int
	}{
		// az keyvault create, az ad sp show --id: _resolve_service_principal.
		{"sp/spn-any", q("servicePrincipals", "servicePrincipalNames/any(c:c eq '"+sp.AppID+"')"), 1},
		{"sp/spn-any-upper", q("servicePrincipals", "servicePrincipalNames/any(c:c eq '"+strings.ToUpper(sp.AppID)+"')"), 1},
		{"sp/spn-any-none", q("servicePrincipals", "servicePrincipalNames/any(c:c eq 'https://nothing')"), 0},
		{"sp/appId", q("servicePrincipals", "appId eq '"+sp.AppID+"'"), 1},
		{"sp/displayName", q("servicePrincipals", "displayName eq 'lookup-app'"), 1},
		// az ad app show/list: _resolve_application, list_applications.
		{"app/appId", q("applications", "appId eq '"+sp.AppID+"'"), 1},
		{"app/displayName", q("applications", "displayName eq 'lookup-app'"), 1},
		{"app/startswith", q("applications", "startswith(displayName,'lookup')"), 1},
		{"app/startswith-and-appId", q("applications", "startswith(displayName,'LOOKUP') and appId eq '"+sp.AppID+"'"), 1},
		{"app/identifierUris", q("applications", "identifierUris/any(s:s eq 'api://x')"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) { count(t, tc.path, spTok, tc.want) })
	}

	e.runGraph(t, []graphCase{
		{name: "ok/sp-by-object-id", method: "GET", path: "/v1.0/servicePrincipals/" + sp.ObjectID, token: spTok, status: 200},
		{name: "ok/app-by-object-id", method: "GET", path: "/v1.0/applications/" + sp.ObjectID, token: spTok, status: 200},
		{name: "ok/app-by-app-id", method: "GET", path: "/v1.0/applications/" + sp.AppID, token: spTok, status: 200},
		{name: "ok/app-by-key", method: "GET", path: "/v1.0/applications(appId='" + sp.AppID + "')", token: spTok, status: 200},
		{name: "me/service-principal", method: "GET", path: "/v1.0/me", token: spTok, status: 400, code: "BadRequest"},
		{name: "app/missing", method: "GET", path: "/v1.0/applications/00000000-0000-4000-8000-00000000dead", status: 404, code: "Request_ResourceNotFound"},
		{name: "filter/unknown-property", method: "GET", path: q("applications", "owner eq 'x'"), status: 400, code: "Request_UnsupportedQuery"},
		{name: "filter/any-without-eq", method: "GET", path: q("servicePrincipals", "servicePrincipalNames/any(c:c ne 'x')"), status: 400, code: "Request_UnsupportedQuery"},
		{name: "filter/any-other-var", method: "GET", path: q("servicePrincipals", "servicePrincipalNames/any(c:d eq 'x')"), status: 400, code: "Request_UnsupportedQuery"},
		{name: "filter/startswith-unclosed", method: "GET", path: q("applications", "startswith(displayName,'x'"), status: 400, code: "Request_UnsupportedQuery"},
		{name: "filter/startswith-on-sp", method: "GET", path: q("servicePrincipals", "startswith(displayName,'x')"), status: 400, code: "Request_UnsupportedQuery"},
		{name: "filter/spn-any-on-apps", method: "GET", path: q("applications", "servicePrincipalNames/any(c:c eq 'x')"), status: 400, code: "Request_UnsupportedQuery"},
		{name: "create/no-name", method: "POST", path: "/v1.0/applications", body: map[string]any{}, status: 400, code: "Request_BadRequest"},
		{name: "create/appId", method: "POST", path: "/v1.0/applications", body: map[string]any{"displayName": "x", "appId": sp.AppID}, status: 400, code: "Request_BadRequest"},
		{name: "create/certificate", method: "POST", path: "/v1.0/applications", body: map[string]any{"displayName": "x", "keyCredentials": []any{map[string]any{"type": "AsymmetricX509Cert"}}}, status: 400, code: "Request_BadRequest"},
		{name: "create/not-admin", method: "POST", path: "/v1.0/applications", token: spTok, body: map[string]any{"displayName": "x"}, status: 403, code: "Authorization_RequestDenied"},
		{name: "patch/rename", method: "PATCH", path: "/v1.0/applications/" + sp.ObjectID, body: map[string]any{"displayName": "other"}, status: 400, code: "Request_BadRequest"},
		{name: "sp-create/unknown-app", method: "POST", path: "/v1.0/servicePrincipals", body: map[string]any{"appId": "00000000-0000-4000-8000-00000000beef"}, status: 400, code: "Request_BadRequest"},
		{name: "sp-create/existing-app", method: "POST", path: "/v1.0/servicePrincipals", body: map[string]any{"appId": sp.AppID}, status: 201},
		{name: "me/no-token", method: "GET", path: "/v1.0/me", token: "x", status: 401, code: "InvalidAuthenticationToken"},
	})
}

// TestGraphMeUser: a user's token reads itself at /me, which is how az
// keyvault create finds the object id for its access policy.
func TestGraphMeUser(t *testing.T) {
	e := MustEnv(t)
	admin := e.Token(t, e.admin, graphAudience)
	r := e.Do(t, "POST", "/v1.0/users", admin, userBody("erin@contoso.example", "pw-Erin-1", nil))
	MustStatus(t, r, http.StatusCreated)
	id := r.Get("id")
	tok, err := e.id.Password(context.Background(), tenant, identity.PublicClientAppID, "erin@contoso.example", "pw-Erin-1", "https://graph.microsoft.com/.default")
	if err != nil {
		t.Fatal(err)
	}
	r = e.Do(t, "GET", "/v1.0/me", tok.AccessToken, nil)
	MustStatus(t, r, 200)
	if r.Get("id") != id || r.Get("userPrincipalName") != "erin@contoso.example" || !strings.HasSuffix(r.Body["@odata.context"].(string), "$metadata#users/$entity") {
		t.Fatalf("/me = %s", r.Raw)
	}
	if r := e.Do(t, "GET", "/v1.0/me/x", tok.AccessToken, nil); r.Status != 400 {
		t.Fatalf("/me/x = %d %s", r.Status, r.Raw)
	}
}

// TestGraphGetByIDs: POST /v1.0/directoryObjects/getByIds as az's
// _get_object_stubs sends it (role assignment --assignee OBJECT_ID, role
// assignment list's principal names).
func TestGraphGetByIDs(t *testing.T) {
	e := MustEnv(t)
	sp := e.MustPrincipal(t, "stub-app")
	spTok := e.Token(t, sp, graphAudience)
	azTypes := []string{"user", "group", "servicePrincipal", "directoryObjectPartnerReference"}
	r := e.Do(t, "POST", "/v1.0/directoryObjects/getByIds", spTok, map[string]any{
		"ids": []string{strings.ToUpper(sp.ObjectID), e.admin.ObjectID, "00000000-0000-4000-8000-00000000dead", "not-a-guid", sp.ObjectID}, "types": azTypes,
	})
	MustStatus(t, r, 200)
	v, _ := r.Get("value").([]any)
	if len(v) != 2 || v[0].(map[string]any)["@odata.type"] != "#microsoft.graph.servicePrincipal" || v[0].(map[string]any)["id"] != sp.ObjectID {
		t.Fatalf("getByIds = %s", r.Raw)
	}
	r = e.Do(t, "POST", "/v1.0/directoryObjects/getByIds", spTok, map[string]any{"ids": []string{sp.ObjectID}, "types": []string{"user"}})
	if v, _ := r.Get("value").([]any); r.Status != 200 || len(v) != 0 {
		t.Fatalf("getByIds of users only = %s", r.Raw)
	}
	e.runGraph(t, []graphCase{
		{name: "no-ids", method: "POST", path: "/v1.0/directoryObjects/getByIds", body: map[string]any{"ids": []string{}}, status: 400, code: "Request_BadRequest"},
		{name: "bad-type", method: "POST", path: "/v1.0/directoryObjects/getByIds", body: map[string]any{"ids": []string{sp.ObjectID}, "types": []string{"toaster"}}, status: 400, code: "Request_BadRequest"},
	})
}
