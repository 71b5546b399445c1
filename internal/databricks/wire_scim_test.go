package databricks_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/scopevault/scopevault"
)

const scimBase = "/api/2.0/preview/scim/v2/"

// listIDs returns the ids of a SCIM ListResponse's Resources.
func listIDs(tb testing.TB, r response) []string {
	tb.Helper()
	MustStatus(tb, r, http.StatusOK)
	m := r.json(tb)
	if s, _ := m["schemas"].([]any); len(s) != 1 || s[0] != "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
		tb.Fatalf("list schemas: %s", r.body)
	}
	var ids []string
	res, _ := m["Resources"].([]any)
	for _, x := range res {
		ids = append(ids, x.(map[string]any)["id"].(string))
	}
	if int(m["totalResults"].(float64)) < len(ids) {
		tb.Fatalf("totalResults < items: %s", r.body)
	}
	return ids
}

func TestSCIM(t *testing.T) {
	w := MustWire(t)
	deployer := w.MustSP(t, "deployer")

	// The admin adds the directory SP, a user and a group holding both.
	r := w.api(t, http.MethodPost, scimBase+"ServicePrincipals", w.pat, map[string]any{
		"schemas":       []string{"urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"},
		"applicationId": deployer.AppID, "displayName": "deployer",
	})
	MustStatus(t, r, http.StatusCreated)
	spRes := r.json(t)
	spID := spRes["id"].(string)
	if spRes["applicationId"] != deployer.AppID || spRes["externalId"] != deployer.ObjectID {
		t.Fatalf("created sp %s", r.body)
	}
	r = w.api(t, http.MethodPost, scimBase+"Users", w.pat, map[string]any{"userName": "alice@example.com", "displayName": "Alice"})
	MustStatus(t, r, http.StatusCreated)
	userID := r.json(t)["id"].(string)
	r = w.api(t, http.MethodPost, scimBase+"Groups", w.pat, map[string]any{
		"displayName": "data-eng", "members": []map[string]string{{"value": spID}, {"value": userID}},
	})
	MustStatus(t, r, http.StatusCreated)
	groupID := r.json(t)["id"].(string)

	t.Run("ok/get", func(t *testing.T) {
		r := w.api(t, http.MethodGet, scimBase+"ServicePrincipals/"+spID, w.pat, nil)
		MustStatus(t, r, http.StatusOK)
		if got := groupNames(r.json(t)); !slices.Equal(got, []string{"data-eng", "users"}) {
			t.Fatalf("sp groups %v", got)
		}
		r = w.api(t, http.MethodGet, scimBase+"Groups/"+groupID, w.pat, nil)
		MustStatus(t, r, http.StatusOK)
		if ms, _ := r.json(t)["members"].([]any); len(ms) != 2 {
			t.Fatalf("group %s", r.body)
		}
	})
	for _, tc := range []struct {
		name, path, filter string
		want               []string
	}{
		{"ok/users-by-username", "Users", `userName eq "ALICE@example.com"`, []string{userID}},
		{"ok/users-none", "Users", `userName eq "bob@example.com"`, nil},
		{"ok/sps-by-appid", "ServicePrincipals", `applicationId eq "` + deployer.AppID + `"`, []string{spID}},
		{"ok/groups-by-name", "Groups", `displayName eq "data-eng"`, []string{groupID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := listIDs(t, w.api(t, http.MethodGet, scimBase+tc.path+"?filter="+url.QueryEscape(tc.filter), w.pat, nil))
			if !slices.Equal(got, tc.want) {
				t.Fatalf("ids %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("ok/groups-list-has-builtins", func(t *testing.T) {
		r := w.api(t, http.MethodGet, scimBase+"Groups", w.pat, nil)
		for _, name := range []string{`"admins"`, `"users"`, `"data-eng"`} {
			if !strings.Contains(string(r.body), name) {
				t.Fatalf("groups list lacks %s: %s", name, r.body)
			}
		}
	})
	t.Run("fail/bad-filter", func(t *testing.T) {
		MustErrorCode(t, w.api(t, http.MethodGet, scimBase+"Users?filter="+url.QueryEscape(`userName eq`), w.pat, nil), http.StatusBadRequest, "INVALID_PARAMETER_VALUE")
	})
	t.Run("fail/duplicate", func(t *testing.T) {
		MustErrorCode(t, w.api(t, http.MethodPost, scimBase+"Users", w.pat, map[string]any{"userName": "Alice@Example.com"}), http.StatusBadRequest, "RESOURCE_ALREADY_EXISTS")
	})
	t.Run("fail/get-missing", func(t *testing.T) {
		MustErrorCode(t, w.api(t, http.MethodGet, scimBase+"Users/"+spID, w.pat, nil), http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST")
	})

	// The deployer, a non-admin, signs in with Entra ID.
	entra := w.token(t, deployer)
	t.Run("ok/non-admin-me", func(t *testing.T) {
		r := w.api(t, http.MethodGet, mePath, entra, nil)
		MustStatus(t, r, http.StatusOK)
		if m := r.json(t); m["userName"] != deployer.AppID || slices.Contains(groupNames(m), "admins") {
			t.Fatalf("me %s", r.body)
		}
	})
	for _, tc := range []struct {
		name, method, path string
		body               any
	}{
		{"fail/non-admin-create-user", http.MethodPost, scimBase + "Users", map[string]any{"userName": "eve@example.com"}},
		{"fail/non-admin-create-group", http.MethodPost, scimBase + "Groups", map[string]any{"displayName": "mine"}},
		{"fail/non-admin-delete-user", http.MethodDelete, scimBase + "Users/" + userID, nil},
		{"fail/non-admin-patch-admins", http.MethodPatch, scimBase + "Groups/" + groupID, map[string]any{
			"Operations": []map[string]any{{"op": "add", "path": "members", "value": []map[string]string{{"value": spID}}}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			MustErrorCode(t, w.api(t, tc.method, tc.path, entra, tc.body), http.StatusForbidden, "PERMISSION_DENIED")
		})
	}
	t.Run("ok/non-admin-mints-pat", func(t *testing.T) {
		r := w.api(t, http.MethodPost, "/api/2.0/token/create", entra, map[string]any{"comment": "deployer"})
		MustStatus(t, r, http.StatusOK)
		pat := r.json(t)["token_value"].(string)
		MustStatus(t, w.api(t, http.MethodGet, mePath, pat, nil), http.StatusOK)
	})

	t.Run("ok/patch-remove-member", func(t *testing.T) {
		r := w.api(t, http.MethodPatch, scimBase+"Groups/"+groupID, w.pat, map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []map[string]any{{"op": "remove", "path": `members[value eq "` + userID + `"]`}},
		})
		MustStatus(t, r, http.StatusNoContent)
		r = w.api(t, http.MethodGet, scimBase+"Users/"+userID, w.pat, nil)
		if got := groupNames(r.json(t)); !slices.Equal(got, []string{"users"}) {
			t.Fatalf("user groups %v", got)
		}
	})
	t.Run("ok/patch-add-to-admins", func(t *testing.T) {
		admins := listIDs(t, w.api(t, http.MethodGet, scimBase+"Groups?filter="+url.QueryEscape(`displayName eq "admins"`), w.pat, nil))
		r := w.api(t, http.MethodPatch, scimBase+"Groups/"+admins[0], w.pat, map[string]any{
			"Operations": []map[string]any{{"op": "add", "path": "members", "value": []map[string]string{{"value": groupID}}}},
		})
		MustStatus(t, r, http.StatusNoContent)
		// The deployer is an admin through data-eng now.
		r = w.api(t, http.MethodGet, mePath, entra, nil)
		MustStatus(t, r, http.StatusOK)
		MustStatus(t, w.api(t, http.MethodPost, scimBase+"Users", entra, map[string]any{"userName": "carol@example.com"}), http.StatusCreated)
	})
	t.Run("ok/delete", func(t *testing.T) {
		MustStatus(t, w.api(t, http.MethodDelete, scimBase+"Users/"+userID, w.pat, nil), http.StatusNoContent)
		MustErrorCode(t, w.api(t, http.MethodGet, scimBase+"Users/"+userID, w.pat, nil), http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST")
		MustErrorCode(t, w.api(t, http.MethodDelete, scimBase+"Users/"+userID, w.pat, nil), http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST")
	})
	t.Run("ok/delete-sp-revokes-its-tokens", func(t *testing.T) {
		r := w.api(t, http.MethodPost, "/api/2.0/token/create", entra, nil)
		pat := r.json(t)["token_value"].(string)
		MustStatus(t, w.api(t, http.MethodDelete, scimBase+"ServicePrincipals/"+spID, w.pat, nil), http.StatusNoContent)
		MustErrorCode(t, w.api(t, http.MethodGet, mePath, pat, nil), http.StatusForbidden, float64(403))
		// Its Entra token no longer maps to a member.
		MustErrorCode(t, w.api(t, http.MethodGet, mePath, entra, nil), http.StatusForbidden, "PERMISSION_DENIED")
	})
	t.Run("fail/delete-builtin", func(t *testing.T) {
		users := listIDs(t, w.api(t, http.MethodGet, scimBase+"Groups?filter="+url.QueryEscape(`displayName eq "users"`), w.pat, nil))
		MustErrorCode(t, w.api(t, http.MethodDelete, scimBase+"Groups/"+users[0], w.pat, nil), http.StatusBadRequest, "INVALID_PARAMETER_VALUE")
	})
	_ = scopevault.GroupAdmins
}

func TestSCIMPut(t *testing.T) {
	w := MustWire(t)
	r := w.api(t, http.MethodPost, scimBase+"Users", w.pat, map[string]any{"userName": "dana@example.com"})
	MustStatus(t, r, http.StatusCreated)
	userID := r.json(t)["id"].(string)
	r = w.api(t, http.MethodPost, scimBase+"Groups", w.pat, map[string]any{"displayName": "readers"})
	MustStatus(t, r, http.StatusCreated)
	groupID := r.json(t)["id"].(string)

	t.Run("ok/group-members-and-name", func(t *testing.T) {
		r := w.api(t, http.MethodPut, scimBase+"Groups/"+groupID, w.pat, map[string]any{
			"displayName": "readers-2", "members": []map[string]string{{"value": userID}},
		})
		MustStatus(t, r, http.StatusOK)
		m := r.json(t)
		if ms, _ := m["members"].([]any); m["displayName"] != "readers-2" || len(ms) != 1 {
			t.Fatalf("group %s", r.body)
		}
	})
	t.Run("ok/user-display-name", func(t *testing.T) {
		r := w.api(t, http.MethodPut, scimBase+"Users/"+userID, w.pat, map[string]any{"userName": "dana@example.com", "displayName": "Dana"})
		MustStatus(t, r, http.StatusOK)
		if m := r.json(t); m["displayName"] != "Dana" || m["active"] != true {
			t.Fatalf("user %s", r.body)
		}
	})
	t.Run("fail/user-rename", func(t *testing.T) {
		MustErrorCode(t, w.api(t, http.MethodPut, scimBase+"Users/"+userID, w.pat, map[string]any{"userName": "other@example.com"}), http.StatusBadRequest, "INVALID_PARAMETER_VALUE")
	})
	t.Run("ok/deactivated-sp-cannot-authenticate", func(t *testing.T) {
		dir := w.MustSP(t, "to-deactivate")
		r := w.api(t, http.MethodPost, scimBase+"ServicePrincipals", w.pat, map[string]any{"applicationId": dir.AppID})
		MustStatus(t, r, http.StatusCreated)
		id := r.json(t)["id"].(string)
		entra := w.token(t, dir)
		r = w.api(t, http.MethodPost, "/api/2.0/token/create", entra, nil)
		MustStatus(t, r, http.StatusOK)
		pat := r.json(t)["token_value"].(string)
		MustStatus(t, w.api(t, http.MethodPut, scimBase+"ServicePrincipals/"+id, w.pat, map[string]any{"active": false}), http.StatusOK)
		MustErrorCode(t, w.api(t, http.MethodGet, mePath, pat, nil), http.StatusForbidden, float64(403))
		MustErrorCode(t, w.api(t, http.MethodGet, mePath, entra, nil), http.StatusForbidden, "PERMISSION_DENIED")
		MustStatus(t, w.api(t, http.MethodPut, scimBase+"ServicePrincipals/"+id, w.pat, map[string]any{"active": true}), http.StatusOK)
		MustStatus(t, w.api(t, http.MethodGet, mePath, pat, nil), http.StatusOK)
	})
	t.Run("fail/non-admin", func(t *testing.T) {
		dir := w.MustSP(t, "plain")
		MustStatus(t, w.api(t, http.MethodPost, scimBase+"ServicePrincipals", w.pat, map[string]any{"applicationId": dir.AppID}), http.StatusCreated)
		MustErrorCode(t, w.api(t, http.MethodPut, scimBase+"Groups/"+groupID, w.token(t, dir), map[string]any{"displayName": "x"}), http.StatusForbidden, "PERMISSION_DENIED")
	})
}
