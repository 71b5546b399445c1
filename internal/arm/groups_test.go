package arm_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/authz"
)

func TestResourceGroupLifecycle(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	path := subScope() + "/resourcegroups/rg-new?" + rgAPI

	r := e.Do(t, http.MethodPut, path, tok, map[string]any{"location": "West Europe", "tags": map[string]string{"env": "dev"}})
	MustStatus(t, r, http.StatusCreated)
	for k, want := range map[string]any{
		"id":                           subScope() + "/resourceGroups/rg-new",
		"name":                         "rg-new",
		"type":                         "Microsoft.Resources/resourceGroups",
		"location":                     "westeurope",
		"tags.env":                     "dev",
		"properties.provisioningState": "Succeeded",
	} {
		if got := r.Get(k); got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	MustStatus(t, e.Do(t, http.MethodPut, path, tok, map[string]any{"location": "westeurope"}), http.StatusOK)
	MustStatus(t, e.Do(t, http.MethodGet, path, tok, nil), http.StatusOK)
	MustStatus(t, e.Do(t, http.MethodHead, path, tok, nil), http.StatusNoContent)

	list := e.Do(t, http.MethodGet, subScope()+"/resourcegroups?"+rgAPI, tok, nil)
	MustStatus(t, list, http.StatusOK)
	if got := len(list.Body["value"].([]any)); got != 2 {
		t.Errorf("list has %d groups, want 2", got)
	}

	MustStatus(t, e.Do(t, http.MethodDelete, path, tok, nil), http.StatusOK)
	MustStatus(t, e.Do(t, http.MethodHead, path, tok, nil), http.StatusNotFound)
	r = e.Do(t, http.MethodGet, path, tok, nil)
	MustStatus(t, r, http.StatusNotFound)
	if got, want := r.ErrorCode(), "ResourceGroupNotFound"; got != want {
		t.Errorf("code = %q, want %q", got, want)
	}
}

func TestResourceGroupErrors(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	for _, tc := range []struct {
		name   string
		group  string
		body   any
		status int
		code   string
	}{
		{"fail/no-location", "rg-x", map[string]any{}, 400, "LocationRequired"},
		{"fail/bad-location", "rg-x", map[string]any{"location": "east/us"}, 400, "LocationNotAvailableForResourceType"},
		{"fail/bad-name", "rg-x.", map[string]any{"location": "eastus"}, 400, "InvalidResourceGroup"},
		{"fail/moved-location", rg, map[string]any{"location": "westus"}, 409, "InvalidResourceGroupLocation"},
		{"fail/not-json", "rg-x", "{", 400, "InvalidRequestContent"},
		{"fail/wrong-type", "rg-x", `{"location": 5}`, 400, "InvalidRequestContent"},
		{"fail/empty-body", "rg-x", "", 400, "InvalidRequestContent"},
		{"fail/bad-tag", "rg-x", map[string]any{"location": "eastus", "tags": map[string]string{"a/b": "x"}}, 400, "InvalidTagNameCharacters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, http.MethodPut, subScope()+"/resourceGroups/"+tc.group+"?"+rgAPI, tok, tc.body)
			MustStatus(t, r, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q (%s)", got, tc.code, r.Raw)
			}
		})
	}
}

func TestResourceGroupAuthorization(t *testing.T) {
	e := MustEnv(t)
	reader := e.MustPrincipal(t, "reader")
	e.MustAssign(t, authz.RoleReader, reader.ObjectID, rgScope())
	nobody := e.MustPrincipal(t, "nobody")
	for _, tc := range []struct {
		name   string
		who    string
		method string
		path   string
		body   any
		want   int
	}{
		{"ok/reader-get", "reader", http.MethodGet, rgPath(), nil, 200},
		{"ok/reader-list-sees-own-group", "reader", http.MethodGet, subScope() + "/resourcegroups", nil, 200},
		{"fail/reader-put", "reader", http.MethodPut, rgPath(), map[string]any{"location": "eastus"}, 403},
		{"fail/reader-delete", "reader", http.MethodDelete, rgPath(), nil, 403},
		{"fail/nobody-get", "nobody", http.MethodGet, rgPath(), nil, 403},
		{"fail/nobody-list", "nobody", http.MethodGet, subScope() + "/resourcegroups", nil, 403},
		{"fail/nobody-get-missing-group", "nobody", http.MethodGet, subScope() + "/resourceGroups/absent", nil, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := reader
			if tc.who == "nobody" {
				p = nobody
			}
			r := e.Do(t, tc.method, tc.path+"?"+rgAPI, e.Token(t, p, ""), tc.body)
			MustStatus(t, r, tc.want)
			if tc.want != http.StatusForbidden {
				return
			}
			if got := r.ErrorCode(); got != "AuthorizationFailed" {
				t.Errorf("code = %q", got)
			}
			wantMsg := "The client '" + p.ObjectID + "' with object id '" + p.ObjectID + "' does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourceGroups/"
			if !strings.HasPrefix(r.ErrorMessage(), wantMsg) || !strings.HasSuffix(r.ErrorMessage(), "or the scope is invalid. If access was recently granted, please refresh your credentials.") {
				t.Errorf("message = %q", r.ErrorMessage())
			}
		})
	}
}

// Deleting a group soft-deletes its vaults, which stay recoverable, and
// takes the role assignments inside it along.
func TestDeleteGroupSoftDeletesVaults(t *testing.T) {
	e := MustEnv(t)
	e.MustVault(t, "kv-inside", true)
	reader := e.MustPrincipal(t, "reader")
	e.MustAssign(t, authz.RoleReader, reader.ObjectID, vaultPath("kv-inside"))
	tok := e.Token(t, e.admin, "")
	MustStatus(t, e.Do(t, http.MethodDelete, rgPath()+"?"+rgAPI, tok, nil), http.StatusOK)
	MustStatus(t, e.Do(t, http.MethodHead, rgPath()+"?"+rgAPI, tok, nil), http.StatusNotFound)
	MustStatus(t, e.Do(t, http.MethodGet, deletedPath("eastus", "kv-inside")+"?"+armAPI, tok, nil), http.StatusOK)
	if got := e.assignmentsAt(t, vaultPath("kv-inside")); got != 0 {
		t.Errorf("%d role assignments left at the vault", got)
	}
	MustStatus(t, e.Do(t, http.MethodPut, rgPath()+"?"+rgAPI, tok, map[string]any{"location": "eastus"}), http.StatusCreated)
	MustStatus(t, e.Do(t, http.MethodPut, vaultPath("kv-inside")+"?"+armAPI, tok, vaultBody(map[string]any{"createMode": "recover"})), http.StatusCreated)
}

func TestSubscriptions(t *testing.T) {
	e := MustEnv(t)
	reader := e.MustPrincipal(t, "reader")
	e.MustAssign(t, authz.RoleReader, reader.ObjectID, rgScope())
	nobody := e.MustPrincipal(t, "nobody")

	r := e.Do(t, http.MethodGet, "/subscriptions?api-version=2022-12-01", e.Token(t, reader, ""), nil)
	MustStatus(t, r, http.StatusOK)
	subs := r.Body["value"].([]any)
	if len(subs) != 1 || subs[0].(map[string]any)["subscriptionId"] != sub || subs[0].(map[string]any)["tenantId"] != tenant {
		t.Errorf("reader sees %v", subs)
	}
	r = e.Do(t, http.MethodGet, "/subscriptions?api-version=2022-12-01", e.Token(t, nobody, ""), nil)
	MustStatus(t, r, http.StatusOK)
	if got := len(r.Body["value"].([]any)); got != 0 {
		t.Errorf("nobody sees %d subscriptions", got)
	}
	r = e.Do(t, http.MethodGet, subScope()+"?api-version=2022-12-01", e.Token(t, reader, ""), nil)
	MustStatus(t, r, http.StatusOK)
	if got := r.Get("displayName"); got != "dev" {
		t.Errorf("displayName = %v", got)
	}
	MustStatus(t, e.Do(t, http.MethodGet, subScope()+"?api-version=2022-12-01", e.Token(t, nobody, ""), nil), http.StatusForbidden)
}
