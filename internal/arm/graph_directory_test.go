package arm_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
)

// graphCase is one Graph request and what must come back.
type graphCase struct {
	name   string
	method string
	path   string
	token  string // "" = the admin's Graph token
	body   any
	status int
	code   string // error.code, "" for success
}

func (e *env) runGraph(t *testing.T, cases []graphCase) {
	t.Helper()
	admin := e.Token(t, e.admin, graphAudience)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := tc.token
			if tok == "" {
				tok = admin
			}
			r := e.Do(t, tc.method, tc.path, tok, tc.body)
			MustStatus(t, r, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q (%s)", got, tc.code, r.Raw)
			}
			if tc.code != "" && r.Get("error.innerError.request-id") != r.Header.Get("request-id") {
				t.Errorf("innerError does not carry the request id: %s", r.Raw)
			}
		})
	}
}

func userBody(upn, password string, extra map[string]any) map[string]any {
	b := map[string]any{
		"accountEnabled": true, "displayName": strings.Split(upn, "@")[0], "mailNickname": strings.Split(upn, "@")[0],
		"userPrincipalName": upn, "passwordProfile": map[string]any{"password": password, "forceChangePasswordNextSignIn": false},
	}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func TestGraphUsers(t *testing.T) {
	e := MustEnv(t)
	plain := e.Token(t, e.MustPrincipal(t, "plain"), graphAudience)
	r := e.Do(t, http.MethodPost, "/v1.0/users", e.Token(t, e.admin, graphAudience), userBody("dana@contoso.example", "pw-Dana-1", nil))
	MustStatus(t, r, http.StatusCreated)
	id, _ := r.Get("id").(string)
	if !scopevault.ValidGUID(id) || r.Get("userPrincipalName") != "dana@contoso.example" || r.Header.Get("Location") == "" {
		t.Fatalf("created user = %s", r.Raw)
	}
	if strings.Contains(string(r.Raw), "pw-Dana-1") {
		t.Fatal("the response echoes the password")
	}
	// The user signs in with the password grant.
	tok, err := e.id.Password(context.Background(), tenant, identity.PublicClientAppID, "DANA@contoso.example", "pw-Dana-1", "https://vault.azure.net/.default")
	if err != nil || tok.Principal.ObjectID != id {
		t.Fatalf("password grant: %v", err)
	}

	filter := func(f string) string { return "/v1.0/users?$filter=" + url.QueryEscape(f) }
	e.runGraph(t, []graphCase{
		{name: "ok/get-by-id", method: "GET", path: "/v1.0/users/" + id, token: plain, status: 200},
		{name: "ok/get-by-upn", method: "GET", path: "/v1.0/users/dana@contoso.example", token: plain, status: 200},
		{name: "ok/list", method: "GET", path: "/v1.0/users", token: plain, status: 200},
		{name: "ok/list-filter-upn", method: "GET", path: filter("userPrincipalName eq 'Dana@contoso.example'"), status: 200},
		{name: "fail/Request_UnsupportedQuery/startswith", method: "GET", path: filter("startswith(displayName,'d')"), status: 400, code: "Request_UnsupportedQuery"},
		{name: "fail/Authorization_RequestDenied/not-directory-admin", method: "POST", path: "/v1.0/users", token: plain,
			body: userBody("eve@contoso.example", "pw-Eve-1", nil), status: 403, code: "Authorization_RequestDenied"},
		{name: "fail/Request_BadRequest/duplicate-upn", method: "POST", path: "/v1.0/users",
			body: userBody("DANA@contoso.example", "pw-Dana-2", nil), status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_BadRequest/no-password", method: "POST", path: "/v1.0/users",
			body: userBody("frank@contoso.example", "", nil), status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_BadRequest/no-upn", method: "POST", path: "/v1.0/users",
			body: userBody("", "pw-1", nil), status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_BadRequest/bad-upn", method: "POST", path: "/v1.0/users",
			body: userBody("no-at-sign", "pw-1", nil), status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_BadRequest/disabled-account", method: "POST", path: "/v1.0/users",
			body: userBody("gina@contoso.example", "pw-1", map[string]any{"accountEnabled": false}), status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_BadRequest/force-change-password", method: "POST", path: "/v1.0/users",
			body:   userBody("hal@contoso.example", "pw-1", map[string]any{"passwordProfile": map[string]any{"password": "pw-1", "forceChangePasswordNextSignIn": true}}),
			status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_BadRequest/not-json", method: "POST", path: "/v1.0/users", body: "{", status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_BadRequest/bad-mail-nickname", method: "POST", path: "/v1.0/users",
			body: userBody("ian@contoso.example", "pw-1", map[string]any{"mailNickname": "ian smith"}), status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_ResourceNotFound/unknown-upn", method: "GET", path: "/v1.0/users/nobody@contoso.example", status: 404, code: "Request_ResourceNotFound"},
		{name: "fail/Request_ResourceNotFound/service-principal-is-not-a-user", method: "GET", path: "/v1.0/users/" + e.admin.ObjectID, status: 404, code: "Request_ResourceNotFound"},
		{name: "fail/MethodNotAllowed/delete", method: "DELETE", path: "/v1.0/users/" + id, status: 405, code: "MethodNotAllowed"},
	})

	r = e.Do(t, http.MethodGet, filter("userPrincipalName eq 'dana@CONTOSO.example'"), plain, nil)
	if got := len(r.Body["value"].([]any)); got != 1 {
		t.Fatalf("filtered list has %d users: %s", got, r.Raw)
	}
}

func TestGraphGroups(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	admin := e.Token(t, e.admin, graphAudience)
	plain := e.MustPrincipal(t, "plain")
	r := e.Do(t, http.MethodPost, "/v1.0/groups", admin, map[string]any{"displayName": "kv-readers", "mailEnabled": false, "mailNickname": "kvr", "securityEnabled": true})
	MustStatus(t, r, http.StatusCreated)
	gid, _ := r.Get("id").(string)
	if r.Get("mailNickname") != "kvr" || r.Get("securityEnabled") != true || r.Get("mailEnabled") != false {
		t.Fatalf("created group = %s", r.Raw)
	}
	r = e.Do(t, http.MethodPost, "/v1.0/groups", admin, map[string]any{"displayName": "outer", "securityEnabled": true})
	MustStatus(t, r, http.StatusCreated)
	outer, _ := r.Get("id").(string)

	ref := func(id string) map[string]any {
		return map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + id}
	}
	members := "/v1.0/groups/" + gid + "/members"
	e.runGraph(t, []graphCase{
		{name: "ok/add-member", method: "POST", path: members + "/$ref", body: ref(plain.ObjectID), status: 204},
		{name: "ok/add-group-to-group", method: "POST", path: "/v1.0/groups/" + outer + "/members/$ref",
			body: map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/groups/" + gid}, status: 204},
		{name: "fail/Request_BadRequest/already-a-member", method: "POST", path: members + "/$ref", body: ref(plain.ObjectID), status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_ResourceNotFound/unknown-member", method: "POST", path: members + "/$ref",
			body: ref("12345678-1234-4234-8234-123456789012"), status: 404, code: "Request_ResourceNotFound"},
		{name: "fail/Request_BadRequest/bad-reference", method: "POST", path: members + "/$ref",
			body: map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/me"}, status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_BadRequest/no-reference", method: "POST", path: members + "/$ref", body: map[string]any{}, status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_ResourceNotFound/not-a-group", method: "POST", path: "/v1.0/groups/" + plain.ObjectID + "/members/$ref",
			body: ref(e.admin.ObjectID), status: 404, code: "Request_ResourceNotFound"},
		{name: "fail/Authorization_RequestDenied/not-directory-admin", method: "POST", path: members + "/$ref",
			token: e.Token(t, plain, graphAudience), body: ref(e.admin.ObjectID), status: 403, code: "Authorization_RequestDenied"},
		{name: "fail/Request_BadRequest/mail-enabled", method: "POST", path: "/v1.0/groups",
			body: map[string]any{"displayName": "m365", "mailEnabled": true, "securityEnabled": false, "groupTypes": []string{"Unified"}}, status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_BadRequest/no-display-name", method: "POST", path: "/v1.0/groups", body: map[string]any{"securityEnabled": true}, status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_BadRequest/bad-mail-nickname", method: "POST", path: "/v1.0/groups", body: map[string]any{"displayName": "x", "mailNickname": "a@b"}, status: 400, code: "Request_BadRequest"},
		{name: "ok/get", method: "GET", path: "/v1.0/groups/" + gid, token: e.Token(t, plain, graphAudience), status: 200},
		{name: "ok/list-filter", method: "GET", path: "/v1.0/groups?$filter=" + url.QueryEscape("displayName eq 'kv-readers'"), status: 200},
		{name: "fail/BadRequest/unknown-navigation", method: "GET", path: "/v1.0/groups/" + gid + "/owners", status: 400, code: "BadRequest"},
	})

	// Membership is transitive for authorization.
	groups, err := e.id.GroupsOf(ctx, tenant, plain.ObjectID)
	if err != nil || !slices.Contains(groups, gid) || !slices.Contains(groups, outer) {
		t.Fatalf("GroupsOf = %v, %v; want %s and %s", groups, err, gid, outer)
	}
	r = e.Do(t, http.MethodGet, members, admin, nil)
	MustStatus(t, r, http.StatusOK)
	got := r.Body["value"].([]any)
	if len(got) != 1 || got[0].(map[string]any)["@odata.type"] != "#microsoft.graph.servicePrincipal" || got[0].(map[string]any)["id"] != plain.ObjectID {
		t.Fatalf("members = %s", r.Raw)
	}
	r = e.Do(t, http.MethodGet, "/v1.0/groups?$filter="+url.QueryEscape("displayName eq 'kv-readers'"), admin, nil)
	if len(r.Body["value"].([]any)) != 1 {
		t.Fatalf("filtered groups = %s", r.Raw)
	}

	e.runGraph(t, []graphCase{
		{name: "ok/remove-member", method: "DELETE", path: members + "/" + plain.ObjectID + "/$ref", status: 204},
		{name: "fail/Request_ResourceNotFound/remove-again", method: "DELETE", path: members + "/" + plain.ObjectID + "/$ref", status: 404, code: "Request_ResourceNotFound"},
	})
	if groups, _ := e.id.GroupsOf(ctx, tenant, plain.ObjectID); len(groups) != 0 {
		t.Fatalf("after removal GroupsOf = %v", groups)
	}
}

func TestGraphPasswords(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	admin := e.Token(t, e.admin, graphAudience)
	app, first, err := e.id.CreateServicePrincipal(ctx, tenant, "ci")
	if err != nil {
		t.Fatal(err)
	}
	user, err := e.id.CreateUser(ctx, tenant, "ivy@contoso.example", "Ivy", "pw-Ivy-1")
	if err != nil {
		t.Fatal(err)
	}
	dbx, err := e.id.PrincipalByAppID(ctx, tenant, scopevault.AzureDatabricksAppID)
	if err != nil {
		t.Fatal(err)
	}
	works := func(secret string) bool {
		_, err := e.id.ClientCredentials(ctx, tenant, app.AppID, secret, "https://vault.azure.net/.default")
		return err == nil
	}

	var keyID string
	for _, tc := range []struct {
		name string
		path string
		body any
	}{
		{"ok/applications-by-app-id", "/v1.0/applications/" + app.AppID + "/addPassword", map[string]any{"passwordCredential": map[string]any{"displayName": "deploy"}}},
		{"ok/applications-alternate-key", "/v1.0/applications(appId='" + app.AppID + "')/addPassword", nil},
		{"ok/service-principal-by-object-id", "/v1.0/servicePrincipals/" + app.ObjectID + "/addPassword",
			map[string]any{"passwordCredential": map[string]any{"endDateTime": "2027-01-01T00:00:00Z"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, http.MethodPost, tc.path, admin, tc.body)
			MustStatus(t, r, http.StatusOK)
			secret, _ := r.Get("secretText").(string)
			keyID, _ = r.Get("keyId").(string)
			if secret == "" || !works(secret) || r.Get("hint") != secret[:3] {
				t.Fatalf("addPassword = %s", r.Raw)
			}
		})
	}
	if !works(first) {
		t.Fatal("adding a secret revoked the first one")
	}
	// Reads never show a secret again.
	r := e.Do(t, http.MethodGet, "/v1.0/servicePrincipals/"+app.ObjectID, admin, nil)
	if strings.Contains(string(r.Raw), "secretText\":\"") || len(r.Get("passwordCredentials").([]any)) != 4 {
		t.Fatalf("servicePrincipal = %s", r.Raw)
	}

	e.runGraph(t, []graphCase{
		{name: "ok/remove-password", method: "POST", path: "/v1.0/applications/" + app.AppID + "/removePassword", body: map[string]any{"keyId": keyID}, status: 204},
		{name: "fail/Request_BadRequest/remove-unknown-key", method: "POST", path: "/v1.0/applications/" + app.AppID + "/removePassword", body: map[string]any{"keyId": keyID}, status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_BadRequest/remove-without-key", method: "POST", path: "/v1.0/applications/" + app.AppID + "/removePassword", body: map[string]any{}, status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_BadRequest/bad-end-date", method: "POST", path: "/v1.0/applications/" + app.AppID + "/addPassword",
			body: map[string]any{"passwordCredential": map[string]any{"endDateTime": "tomorrow"}}, status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_BadRequest/end-date-in-the-past", method: "POST", path: "/v1.0/applications/" + app.AppID + "/addPassword",
			body: map[string]any{"passwordCredential": map[string]any{"endDateTime": "2001-01-01T00:00:00Z"}}, status: 400, code: "Request_BadRequest"},
		{name: "fail/Request_ResourceNotFound/user", method: "POST", path: "/v1.0/applications/" + user.ObjectID + "/addPassword", status: 404, code: "Request_ResourceNotFound"},
		{name: "fail/Request_ResourceNotFound/unknown", method: "POST", path: "/v1.0/applications/12345678-1234-4234-8234-123456789012/addPassword", status: 404, code: "Request_ResourceNotFound"},
		{name: "fail/Authorization_RequestDenied/first-party-app", method: "POST", path: "/v1.0/servicePrincipals/" + dbx.ObjectID + "/addPassword", status: 403, code: "Authorization_RequestDenied"},
		{name: "fail/Authorization_RequestDenied/not-directory-admin", method: "POST", path: "/v1.0/applications/" + app.AppID + "/addPassword",
			token: e.Token(t, app, graphAudience), status: 403, code: "Authorization_RequestDenied"},
	})
	if !works(first) {
		t.Fatal("removing one secret revoked another")
	}
}

func TestGraphManagedIdentities(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	admin := e.Token(t, e.admin, graphAudience)
	r := e.Do(t, http.MethodPost, "/v1.0/scopevault/managedIdentities", admin, map[string]any{"displayName": "app-mi"})
	MustStatus(t, r, http.StatusCreated)
	header, _ := r.Get("identityHeader").(string)
	principalID, _ := r.Get("principalId").(string)
	clientID, _ := r.Get("clientId").(string)
	if header == "" || r.Get("id") != principalID || r.Get("identityEndpoint") != "https://localhost:8443/msi/token" || r.Get("tenantId") != tenant {
		t.Fatalf("created = %s", r.Raw)
	}
	tok, err := e.id.ManagedIdentityToken(ctx, header, "https://vault.azure.net", clientID, "")
	if err != nil || tok.Principal.ObjectID != principalID {
		t.Fatalf("identity header does not authenticate: %v", err)
	}
	for _, path := range []string{
		"/v1.0/scopevault/managedIdentities",
		"/v1.0/scopevault/managedIdentities?$filter=" + url.QueryEscape("displayName eq 'app-mi'"),
		"/v1.0/scopevault/managedIdentities/" + principalID,
	} {
		r := e.Do(t, http.MethodGet, path, admin, nil)
		MustStatus(t, r, http.StatusOK)
		if strings.Contains(string(r.Raw), header) || !strings.Contains(string(r.Raw), clientID) {
			t.Fatalf("GET %s = %s", path, r.Raw)
		}
	}
	// It is a service principal of type ManagedIdentity, as Graph lists it.
	r = e.Do(t, http.MethodGet, "/v1.0/servicePrincipals/"+principalID, admin, nil)
	if r.Get("servicePrincipalType") != "ManagedIdentity" {
		t.Fatalf("servicePrincipal = %s", r.Raw)
	}
	e.runGraph(t, []graphCase{
		{name: "fail/Request_BadRequest/no-display-name", method: "POST", path: "/v1.0/scopevault/managedIdentities", body: map[string]any{}, status: 400, code: "Request_BadRequest"},
		{name: "fail/Authorization_RequestDenied/not-directory-admin", method: "POST", path: "/v1.0/scopevault/managedIdentities",
			token: e.Token(t, e.MustPrincipal(t, "plain"), graphAudience), body: map[string]any{"displayName": "x"}, status: 403, code: "Authorization_RequestDenied"},
		{name: "fail/Request_ResourceNotFound/a-service-principal", method: "GET", path: "/v1.0/scopevault/managedIdentities/" + e.admin.ObjectID, status: 404, code: "Request_ResourceNotFound"},
		{name: "fail/Request_ResourceNotFound/addPassword-on-a-managed-identity", method: "POST", path: "/v1.0/servicePrincipals/" + principalID + "/addPassword", status: 404, code: "Request_ResourceNotFound"},
	})
}
