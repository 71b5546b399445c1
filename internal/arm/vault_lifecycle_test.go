package arm_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/secrets"
)

const otherSub = "66666666-7777-8888-9999-000000000000"

func deletedPath(location, name string) string {
	return subScope() + "/providers/Microsoft.KeyVault/locations/" + location + "/deletedVaults/" + name
}

// assignmentsAt counts the role assignments at scope or below it.
func (e *env) assignmentsAt(tb testing.TB, scope string) int {
	tb.Helper()
	ras, err := e.authz.ListAssignments(tb.Context(), authz.ListFilter{Scope: scope})
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, ra := range ras {
		if authz.IsAncestorOrSelf(scope, ra.Scope) {
			n++
		}
	}
	return n
}

// MustPut creates a vault through ARM.
func (e *env) MustPut(tb testing.TB, name string, extra map[string]any) resp {
	tb.Helper()
	r := e.Do(tb, http.MethodPut, vaultPath(name)+"?"+armAPI, e.Token(tb, e.admin, ""), vaultBody(extra))
	MustStatus(tb, r, http.StatusCreated)
	return r
}

// names lists the "name" of each item of a list response.
func names(r resp) []string {
	var out []string
	for _, v := range r.Body["value"].([]any) {
		out = append(out, v.(map[string]any)["name"].(string))
	}
	return out
}

func TestDeleteVault(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	e.MustPut(t, "kv-del", map[string]any{"softDeleteRetentionInDays": 7, "enablePurgeProtection": true})
	reader := e.MustPrincipal(t, "reader")
	e.MustAssign(t, authz.RoleReader, reader.ObjectID, vaultPath("kv-del"))
	deletedAt := e.clock.Now()

	MustStatus(t, e.Do(t, http.MethodDelete, vaultPath("KV-DEL")+"?"+armAPI, tok, nil), http.StatusOK)
	for _, tc := range []struct {
		name   string
		method string
		path   string
		status int
		code   string
	}{
		{"ok/delete-again-is-204", http.MethodDelete, vaultPath("kv-del"), 204, ""},
		{"ok/delete-unknown-is-204", http.MethodDelete, vaultPath("kv-never"), 204, ""},
		{"fail/delete-in-missing-group", http.MethodDelete, subScope() + "/resourceGroups/absent/providers/Microsoft.KeyVault/vaults/kv-del", 404, "ResourceGroupNotFound"},
		{"fail/get-deleted-vault", http.MethodGet, vaultPath("kv-del"), 404, "ResourceNotFound"},
		{"fail/patch-deleted-vault", http.MethodPatch, vaultPath("kv-del"), 404, "ResourceNotFound"},
		{"fail/deleted-in-other-location", http.MethodGet, deletedPath("westus", "kv-del"), 404, "ResourceNotFound"},
		{"fail/deleted-unknown", http.MethodGet, deletedPath("eastus", "kv-never"), 404, "ResourceNotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.method == http.MethodPatch {
				body = map[string]any{"tags": map[string]string{"a": "b"}}
			}
			r := e.Do(t, tc.method, tc.path+"?"+armAPI, tok, body)
			MustStatus(t, r, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q", got, tc.code)
			}
		})
	}
	if got := e.assignmentsAt(t, vaultPath("kv-del")); got != 0 {
		t.Errorf("%d role assignments left at the deleted vault", got)
	}

	r := e.Do(t, http.MethodGet, deletedPath("EastUS", "kv-del")+"?"+armAPI, tok, nil)
	MustStatus(t, r, http.StatusOK)
	for k, want := range map[string]any{
		"id":                                deletedPath("eastus", "kv-del"),
		"name":                              "kv-del",
		"type":                              "Microsoft.KeyVault/deletedVaults",
		"properties.vaultId":                vaultPath("kv-del"),
		"properties.location":               "eastus",
		"properties.deletionDate":           deletedAt.Format(time.RFC3339),
		"properties.scheduledPurgeDate":     deletedAt.Add(7 * 24 * time.Hour).Format(time.RFC3339),
		"properties.purgeProtectionEnabled": true,
	} {
		if got := r.Get(k); got != want {
			t.Errorf("%s = %#v, want %#v", k, got, want)
		}
	}
	for _, path := range []string{
		subScope() + "/providers/Microsoft.KeyVault/deletedVaults",
		subScope() + "/providers/Microsoft.KeyVault/locations/eastus/deletedVaults",
	} {
		r := e.Do(t, http.MethodGet, path+"?"+armAPI, tok, nil)
		MustStatus(t, r, http.StatusOK)
		if got := names(r); !slices.Equal(got, []string{"kv-del"}) {
			t.Errorf("%s = %v", path, got)
		}
	}
	r = e.Do(t, http.MethodGet, subScope()+"/providers/Microsoft.KeyVault/locations/westus/deletedVaults?"+armAPI, tok, nil)
	MustStatus(t, r, http.StatusOK)
	if got := names(r); len(got) != 0 {
		t.Errorf("westus deleted vaults = %v", got)
	}
	r = e.Do(t, http.MethodGet, subScope()+"/providers/Microsoft.KeyVault/vaults?"+armAPI, tok, nil)
	if got := names(r); len(got) != 0 {
		t.Errorf("live vaults after delete = %v", got)
	}
}

// Recover brings the vault back with its secrets; the role assignments the
// DELETE removed stay removed.
func TestRecoverVault(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	e.MustPut(t, "kv-rec", map[string]any{"softDeleteRetentionInDays": 30, "enableRbacAuthorization": true})
	v := e.mustEngineVault(t, "kv-rec")
	if _, err := e.eng.Set(t.Context(), v, "s", secrets.SetParams{Value: "kept"}); err != nil {
		t.Fatal(err)
	}
	reader := e.MustPrincipal(t, "reader")
	e.MustAssign(t, authz.RoleReader, reader.ObjectID, vaultPath("kv-rec"))
	MustStatus(t, e.Do(t, http.MethodDelete, vaultPath("kv-rec")+"?"+armAPI, tok, nil), http.StatusOK)
	e.changed = nil

	for _, tc := range []struct {
		name string
		body any
		code string
	}{
		{"fail/other-location", map[string]any{"location": "westus", "properties": vaultBody(map[string]any{"createMode": "recover"})["properties"]}, "SoftDeletedVaultDoesNotExist"},
		{"fail/no-location", map[string]any{"properties": vaultBody(map[string]any{"createMode": "recover"})["properties"]}, "LocationRequired"},
		{"fail/no-sku", map[string]any{"location": "eastus", "properties": map[string]any{"tenantId": tenant, "createMode": "recover"}}, "BadRequest"},
		{"fail/create-instead", vaultBody(nil), "ConflictError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, http.MethodPut, vaultPath("kv-rec")+"?"+armAPI, tok, tc.body)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q (%s)", got, tc.code, r.Raw)
			}
		})
	}

	r := e.Do(t, http.MethodPut, vaultPath("kv-rec")+"?"+armAPI, tok, vaultBody(map[string]any{"createMode": "Recover", "softDeleteRetentionInDays": 90}))
	MustStatus(t, r, http.StatusCreated)
	for k, want := range map[string]any{
		"properties.softDeleteRetentionInDays": float64(30),
		"properties.enableRbacAuthorization":   true,
		"properties.provisioningState":         "Succeeded",
	} {
		if got := r.Get(k); got != want {
			t.Errorf("%s = %#v, want %#v", k, got, want)
		}
	}
	if !slices.Contains(e.changed, "kv-rec") {
		t.Errorf("OnVaultChanged not called on recover: %v", e.changed)
	}
	got, err := e.eng.Get(t.Context(), e.mustEngineVault(t, "kv-rec"), "s", "")
	if err != nil || got.Value != "kept" {
		t.Fatalf("secret after recover = %v, %v", got, err)
	}
	if n := e.assignmentsAt(t, vaultPath("kv-rec")); n != 0 {
		t.Errorf("%d role assignments came back with the vault", n)
	}
	MustStatus(t, e.Do(t, http.MethodGet, vaultPath("kv-rec")+"?"+armAPI, e.Token(t, reader, ""), nil), http.StatusForbidden)
	MustStatus(t, e.Do(t, http.MethodGet, deletedPath("eastus", "kv-rec")+"?"+armAPI, tok, nil), http.StatusNotFound)
}

// A name held by a soft-deleted vault: ConflictError in its own subscription
// and location (recover or purge it), VaultAlreadyExists anywhere else.
func TestCreateOverSoftDeletedName(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	ctx := t.Context()
	if err := e.rm.PutSubscription(ctx, scopevault.Subscription{ID: otherSub, DisplayName: "other", TenantID: tenant}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.rm.PutGroup(ctx, scopevault.ResourceGroup{SubscriptionID: otherSub, Name: rg, Location: "eastus"}); err != nil {
		t.Fatal(err)
	}
	e.MustAssign(t, authz.RoleOwner, e.admin.ObjectID, "/subscriptions/"+otherSub)
	e.MustPut(t, "kv-held", nil)
	MustStatus(t, e.Do(t, http.MethodDelete, vaultPath("kv-held")+"?"+armAPI, tok, nil), http.StatusOK)
	other := subScope() + "/resourceGroups/rg-other"
	MustStatus(t, e.Do(t, http.MethodPut, other+"?"+rgAPI, tok, map[string]any{"location": "westus"}), http.StatusCreated)
	for _, tc := range []struct {
		name     string
		path     string
		location string
		code     string
		message  string
	}{
		{"fail/same-subscription-and-location", vaultPath("kv-held"), "eastus", "ConflictError", "Exist soft deleted vault with the same name. "},
		{"fail/other-group-same-location", other + "/providers/Microsoft.KeyVault/vaults/KV-HELD", "East US", "ConflictError", "Exist soft deleted vault with the same name. "},
		{"fail/other-location", vaultPath("kv-held"), "westus", "VaultAlreadyExists", ""},
		{"fail/other-subscription", "/subscriptions/" + otherSub + "/resourceGroups/" + rg + "/providers/Microsoft.KeyVault/vaults/kv-held", "eastus", "VaultAlreadyExists", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := vaultBody(nil)
			body["location"] = tc.location
			r := e.Do(t, http.MethodPut, tc.path+"?"+armAPI, tok, body)
			MustStatus(t, r, http.StatusConflict)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q", got, tc.code)
			}
			if tc.message != "" && r.ErrorMessage() != tc.message {
				t.Errorf("message = %q, want %q", r.ErrorMessage(), tc.message)
			}
			if tc.code == "VaultAlreadyExists" && !strings.HasPrefix(r.ErrorMessage(), "The vault name 'kv-held' is already in use.") {
				t.Errorf("message = %q", r.ErrorMessage())
			}
		})
	}
}

func TestPurgeDeletedVault(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	e.MustPut(t, "kv-gone", nil)
	e.MustPut(t, "kv-locked", map[string]any{"enablePurgeProtection": true, "softDeleteRetentionInDays": 7})
	v := e.mustEngineVault(t, "kv-gone")
	if _, err := e.eng.Set(t.Context(), v, "s", secrets.SetParams{Value: "old"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"kv-gone", "kv-locked"} {
		MustStatus(t, e.Do(t, http.MethodDelete, vaultPath(name)+"?"+armAPI, tok, nil), http.StatusOK)
	}

	r := e.Do(t, http.MethodPost, deletedPath("eastus", "kv-gone")+"/purge?"+armAPI, tok, nil)
	MustStatus(t, r, http.StatusAccepted)
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.Path, subScope()+"/providers/Microsoft.KeyVault/locations/eastus/operationResults/") || loc.Query().Get("api-version") == "" {
		t.Fatalf("Location = %q", r.Header.Get("Location"))
	}
	r = e.Do(t, http.MethodGet, loc.RequestURI(), tok, nil)
	MustStatus(t, r, http.StatusOK)

	for _, tc := range []struct {
		name   string
		method string
		path   string
		status int
		code   string
	}{
		{"fail/get-purged", http.MethodGet, deletedPath("eastus", "kv-gone"), 404, "ResourceNotFound"},
		{"fail/purge-again", http.MethodPost, deletedPath("eastus", "kv-gone") + "/purge", 404, "ResourceNotFound"},
		{"fail/purge-protected", http.MethodPost, deletedPath("eastus", "kv-locked") + "/purge", 405, "MethodNotAllowed"},
		{"fail/purge-other-location", http.MethodPost, deletedPath("westus", "kv-locked") + "/purge", 404, "ResourceNotFound"},
		{"fail/unknown-operation", http.MethodGet, subScope() + "/providers/Microsoft.KeyVault/locations/eastus/operationResults/not-an-op", 404, "OperationNotFound"},
		{"fail/get-on-purge", http.MethodGet, deletedPath("eastus", "kv-locked") + "/purge", 405, "MethodNotAllowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, tc.method, tc.path+"?"+armAPI, tok, nil)
			MustStatus(t, r, tc.status)
			if got := r.ErrorCode(); got != tc.code {
				t.Errorf("code = %q, want %q (%s)", got, tc.code, r.Raw)
			}
		})
	}
	if got, want := e.Do(t, http.MethodPost, deletedPath("eastus", "kv-locked")+"/purge?"+armAPI, tok, nil).ErrorMessage(), "Operation 'DeletedVaultPurge' is not allowed."; got != want {
		t.Errorf("purge-protected message = %q, want %q", got, want)
	}

	// The purged name is free; the new vault starts without the old secrets.
	e.MustPut(t, "kv-gone", nil)
	_, err = e.eng.Get(t.Context(), e.mustEngineVault(t, "kv-gone"), "s", "")
	if scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		t.Errorf("old secret in the new vault: %v", err)
	}

	// Past its scheduled purge date the protected vault is gone by itself.
	e.clock.Advance(7 * 24 * time.Hour)
	MustStatus(t, e.Do(t, http.MethodGet, deletedPath("eastus", "kv-locked")+"?"+armAPI, e.Token(t, e.admin, ""), nil), http.StatusNotFound)
	e.MustPut(t, "kv-locked", nil)
}

// Each operation checks its own action: Key Vault Contributor manages vaults
// but may not purge; Key Vault Purge Operator may purge and follow the purge.
func TestVaultLifecycleAuthorization(t *testing.T) {
	e := MustEnv(t)
	admin := e.Token(t, e.admin, "")
	kvc := e.MustPrincipal(t, "kv-contributor")
	e.MustAssign(t, authz.RoleKeyVaultContributor, kvc.ObjectID, subScope())
	purger := e.MustPrincipal(t, "purger")
	e.MustAssign(t, "a68e7c17-0ab2-4c09-9a58-125dae29748c", purger.ObjectID, subScope())
	reader := e.MustPrincipal(t, "reader")
	e.MustAssign(t, authz.RoleReader, reader.ObjectID, subScope())
	nobody := e.MustPrincipal(t, "nobody")
	for _, name := range []string{"kv-a", "kv-b"} {
		e.MustPut(t, name, nil)
		MustStatus(t, e.Do(t, http.MethodDelete, vaultPath(name)+"?"+armAPI, admin, nil), http.StatusOK)
	}
	e.MustPut(t, "kv-live", nil)
	check := map[string]any{"name": "kv-new", "type": "Microsoft.KeyVault/vaults"}
	policies := map[string]any{"properties": map[string]any{"accessPolicies": []any{}}}
	for _, tc := range []struct {
		name   string
		who    *scopevault.Principal
		method string
		path   string
		body   any
		status int
		action string
	}{
		{"ok/contributor-lists-deleted", kvc, http.MethodGet, subScope() + "/providers/Microsoft.KeyVault/deletedVaults", nil, 200, ""},
		{"ok/reader-gets-deleted", reader, http.MethodGet, deletedPath("eastus", "kv-a"), nil, 200, ""},
		{"ok/reader-checks-name", reader, http.MethodPost, subScope() + "/providers/Microsoft.KeyVault/checkNameAvailability", check, 200, ""},
		{"fail/reader-deletes", reader, http.MethodDelete, vaultPath("kv-live"), nil, 403, "Microsoft.KeyVault/vaults/delete"},
		{"fail/reader-patches", reader, http.MethodPatch, vaultPath("kv-live"), map[string]any{}, 403, "Microsoft.KeyVault/vaults/write"},
		{"fail/reader-edits-policies", reader, http.MethodPut, vaultPath("kv-live") + "/accessPolicies/add", policies, 403, "Microsoft.KeyVault/vaults/accessPolicies/write"},
		{"fail/reader-purges", reader, http.MethodPost, deletedPath("eastus", "kv-a") + "/purge", nil, 403, "Microsoft.KeyVault/locations/deletedVaults/purge/action"},
		{"fail/contributor-purges", kvc, http.MethodPost, deletedPath("eastus", "kv-a") + "/purge", nil, 403, "Microsoft.KeyVault/locations/deletedVaults/purge/action"},
		{"fail/nobody-lists-deleted", nobody, http.MethodGet, subScope() + "/providers/Microsoft.KeyVault/deletedVaults", nil, 403, "Microsoft.KeyVault/deletedVaults/read"},
		{"fail/nobody-checks-name", nobody, http.MethodPost, subScope() + "/providers/Microsoft.KeyVault/checkNameAvailability", check, 403, "Microsoft.KeyVault/checkNameAvailability/read"},
		{"fail/purger-gets-deleted", purger, http.MethodGet, deletedPath("eastus", "kv-b"), nil, 403, "Microsoft.KeyVault/locations/deletedVaults/read"},
		{"ok/contributor-edits-policies", kvc, http.MethodPut, vaultPath("kv-live") + "/accessPolicies/replace", policies, 200, ""},
		{"ok/contributor-deletes", kvc, http.MethodDelete, vaultPath("kv-live"), nil, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, tc.method, tc.path+"?"+armAPI, e.Token(t, tc.who, ""), tc.body)
			MustStatus(t, r, tc.status)
			if tc.action != "" && (r.ErrorCode() != "AuthorizationFailed" || !strings.Contains(r.ErrorMessage(), "'"+tc.action+"'")) {
				t.Errorf("error = %s, want AuthorizationFailed for %s", r.Raw, tc.action)
			}
		})
	}
	t.Run("ok/purger-purges-and-polls", func(t *testing.T) {
		tok := e.Token(t, purger, "")
		r := e.Do(t, http.MethodPost, deletedPath("eastus", "kv-b")+"/purge?"+armAPI, tok, nil)
		MustStatus(t, r, http.StatusAccepted)
		loc, err := url.Parse(r.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		MustStatus(t, e.Do(t, http.MethodGet, loc.RequestURI(), tok, nil), http.StatusOK)
		MustStatus(t, e.Do(t, http.MethodGet, loc.RequestURI(), e.Token(t, nobody, ""), nil), http.StatusForbidden)
	})
}

func TestCheckNameAvailability(t *testing.T) {
	e := MustEnv(t)
	tok := e.Token(t, e.admin, "")
	e.MustPut(t, "kv-taken", nil)
	e.MustPut(t, "kv-deleted", nil)
	MustStatus(t, e.Do(t, http.MethodDelete, vaultPath("kv-deleted")+"?"+armAPI, tok, nil), http.StatusOK)
	path := subScope() + "/providers/Microsoft.KeyVault/checkNameAvailability?" + armAPI
	for _, tc := range []struct {
		name      string
		body      any
		status    int
		available bool
		reason    string
	}{
		{"ok/available", map[string]any{"name": "kv-free", "type": "Microsoft.KeyVault/vaults"}, 200, true, ""},
		{"ok/type-omitted", map[string]any{"name": "kv-free"}, 200, true, ""},
		{"fail/taken", map[string]any{"name": "KV-TAKEN", "type": "Microsoft.KeyVault/vaults"}, 200, false, "AlreadyExists"},
		{"fail/soft-deleted", map[string]any{"name": "kv-deleted", "type": "Microsoft.KeyVault/vaults"}, 200, false, "AlreadyExists"},
		{"fail/invalid", map[string]any{"name": "1-bad--name", "type": "Microsoft.KeyVault/vaults"}, 200, false, "AccountNameInvalid"},
		{"fail/no-name", map[string]any{"type": "Microsoft.KeyVault/vaults"}, 400, false, ""},
		{"fail/wrong-type", map[string]any{"name": "kv-free", "type": "Microsoft.Storage/storageAccounts"}, 400, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, http.MethodPost, path, tok, tc.body)
			MustStatus(t, r, tc.status)
			if tc.status != 200 {
				if r.ErrorCode() != "BadRequest" {
					t.Errorf("code = %q", r.ErrorCode())
				}
				return
			}
			if got := r.Get("nameAvailable"); got != tc.available {
				t.Errorf("nameAvailable = %v, want %v", got, tc.available)
			}
			if got, _ := r.Get("reason").(string); got != tc.reason {
				t.Errorf("reason = %q, want %q", got, tc.reason)
			}
			if msg, _ := r.Get("message").(string); (msg != "") != !tc.available {
				t.Errorf("message = %q", msg)
			}
		})
	}
}
