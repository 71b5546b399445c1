package arm_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/arm"
	"github.com/scopevault/scopevault/internal/authz"
)

const dbxAPI = "api-version=2026-01-01"

func workspacePath(name string) string {
	return rgScope() + "/providers/Microsoft.Databricks/workspaces/" + name
}

func workspaceBody(name string, extra map[string]any) map[string]any {
	props := map[string]any{"managedResourceGroupId": subScope() + "/resourceGroups/databricks-rg-" + name}
	body := map[string]any{"location": "eastus", "sku": map[string]any{"name": "premium"}, "properties": props}
	for k, v := range extra {
		if strings.HasPrefix(k, "properties.") {
			props[strings.TrimPrefix(k, "properties.")] = v
			continue
		}
		body[k] = v
	}
	return body
}

// workspaceHooks records what the ARM handler told the server.
type workspaceHooks struct {
	mu      sync.Mutex
	changed []string
	deleted []*scopevault.Workspace
}

// MustWorkspaceEnv is MustEnv with the workspace callbacks the server sets.
func MustWorkspaceEnv(tb testing.TB) (*env, *workspaceHooks) {
	tb.Helper()
	e := MustEnv(tb)
	hooks := &workspaceHooks{}
	h := arm.New(arm.Config{
		RM: e.rm, Engine: e.eng, Authz: e.authz, Identity: e.id,
		AuthorityHost: "https://localhost:8443/",
		Now:           e.clock.Now,
		WorkspaceURL:  func(ws *scopevault.Workspace) string { return ws.Address + ":8443" },
		OnWorkspaceChanged: func(ws *scopevault.Workspace) error {
			hooks.mu.Lock()
			defer hooks.mu.Unlock()
			hooks.changed = append(hooks.changed, ws.Name)
			return nil
		},
		OnWorkspaceDeleted: func(ws *scopevault.Workspace) error {
			hooks.mu.Lock()
			defer hooks.mu.Unlock()
			hooks.deleted = append(hooks.deleted, ws)
			return nil
		},
	})
	e.srv.Close()
	e.srv = httptest.NewTLSServer(h)
	tb.Cleanup(e.srv.Close)
	return e, hooks
}

// pollPath turns an Azure-AsyncOperation URL into a path for Do.
func pollPath(tb testing.TB, raw string) string {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		tb.Fatalf("Azure-AsyncOperation %q", raw)
	}
	return u.RequestURI()
}

func TestWorkspaceLifecycle(t *testing.T) {
	e, hooks := MustWorkspaceEnv(t)
	tok := e.Token(t, e.admin, "")
	path := workspacePath("ws1") + "?" + dbxAPI
	vnet := e.MustInjectionVNet(t, "v")
	r := e.Do(t, http.MethodPut, path, tok, workspaceBody("ws1", map[string]any{
		"tags": map[string]string{"env": "dev"},
		"properties.parameters": map[string]any{
			"enableNoPublicIp":        map[string]any{"value": true},
			"customVirtualNetworkId":  map[string]any{"value": vnet},
			"customPublicSubnetName":  map[string]any{"value": "host"},
			"customPrivateSubnetName": map[string]any{"value": "container"},
		},
		"properties.computeMode": "hybrid",
	}))
	MustStatus(t, r, http.StatusCreated)
	if got := r.Get("properties.provisioningState"); got != "Accepted" {
		t.Errorf("provisioningState on create = %v", got)
	}
	op := e.Do(t, http.MethodGet, pollPath(t, r.Header.Get("Azure-AsyncOperation")), tok, nil)
	MustStatus(t, op, http.StatusOK)
	if op.Get("status") != "Succeeded" {
		t.Errorf("operation = %s", op.Raw)
	}
	r = e.Do(t, http.MethodGet, path, tok, nil)
	MustStatus(t, r, http.StatusOK)
	wsID, _ := r.Get("properties.workspaceId").(string)
	for k, want := range map[string]any{
		"id": workspacePath("ws1"), "name": "ws1", "type": "Microsoft.Databricks/workspaces", "location": "eastus",
		"sku.name": "premium", "tags.env": "dev", "properties.provisioningState": "Succeeded",
		"properties.managedResourceGroupId":                 subScope() + "/resourceGroups/databricks-rg-ws1",
		"properties.parameters.enableNoPublicIp.type":       "Bool",
		"properties.parameters.enableNoPublicIp.value":      true,
		"properties.parameters.customVirtualNetworkId.type": "String",
		"properties.computeMode":                            "Hybrid",
		"properties.publicNetworkAccess":                    "Enabled",
		"properties.requiredNsgRules":                       "AllRules",
		"properties.workspaceUrl":                           "127.2.0.1:8443",
		"properties.createdBy.oid":                          e.admin.ObjectID,
	} {
		if got := r.Get(k); got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	if len(wsID) != 16 {
		t.Errorf("workspaceId = %q", wsID)
	}
	for _, list := range []string{
		rgScope() + "/providers/Microsoft.Databricks/workspaces?" + dbxAPI,
		subScope() + "/providers/Microsoft.Databricks/workspaces?" + dbxAPI,
	} {
		r := e.Do(t, http.MethodGet, list, tok, nil)
		MustStatus(t, r, http.StatusOK)
		if v, _ := r.Body["value"].([]any); len(v) != 1 {
			t.Errorf("list %s = %s", list, r.Raw)
		}
	}
	r = e.Do(t, http.MethodPatch, path, tok, map[string]any{"tags": map[string]string{"env": "prod"}})
	MustStatus(t, r, http.StatusOK)
	if r.Get("tags.env") != "prod" || r.Get("properties.workspaceId") != wsID || r.Get("properties.provisioningState") != "Succeeded" {
		t.Errorf("patch = %s", r.Raw)
	}
	// A re-PUT is an update: 200, same id.
	r = e.Do(t, http.MethodPut, path, tok, workspaceBody("ws1", map[string]any{"sku": map[string]any{"name": "Standard"}}))
	MustStatus(t, r, http.StatusOK)
	if r.Get("sku.name") != "standard" || r.Get("properties.workspaceId") != wsID {
		t.Errorf("update = %s", r.Raw)
	}

	r = e.Do(t, http.MethodDelete, path, tok, nil)
	MustStatus(t, r, http.StatusAccepted)
	op = e.Do(t, http.MethodGet, pollPath(t, r.Header.Get("Azure-AsyncOperation")), tok, nil)
	if op.Status != http.StatusOK || op.Get("status") != "Succeeded" {
		t.Errorf("delete operation = %d %s", op.Status, op.Raw)
	}
	if r := e.Do(t, http.MethodGet, path, tok, nil); r.Status != http.StatusNotFound || r.ErrorCode() != "ResourceNotFound" {
		t.Errorf("get after delete = %d %s", r.Status, r.Raw)
	}
	MustStatus(t, e.Do(t, http.MethodDelete, path, tok, nil), http.StatusNoContent)
	hooks.mu.Lock()
	defer hooks.mu.Unlock()
	if len(hooks.changed) != 3 || len(hooks.deleted) != 1 || hooks.deleted[0].Name != "ws1" {
		t.Errorf("hooks: changed %v, deleted %d", hooks.changed, len(hooks.deleted))
	}
}

func TestWorkspaceErrors(t *testing.T) {
	e, _ := MustWorkspaceEnv(t)
	tok := e.Token(t, e.admin, "")
	outsider := e.Token(t, e.MustPrincipal(t, "outsider"), "")
	reader := e.MustPrincipal(t, "reader")
	e.MustAssign(t, authz.RoleReader, reader.ObjectID, rgScope())
	readerTok := e.Token(t, reader, "")
	MustStatus(t, e.Do(t, http.MethodPut, workspacePath("taken")+"?"+dbxAPI, tok, workspaceBody("taken", nil)), http.StatusCreated)

	for _, c := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		code                      string
	}{
		{"fail/bad-sku", "PUT", workspacePath("ws-new") + "?" + dbxAPI, tok, workspaceBody("ws-new", map[string]any{"sku": map[string]any{"name": "gold"}}), 400, "InvalidSku"},
		{"fail/no-managed-group", "PUT", workspacePath("ws-new") + "?" + dbxAPI, tok, map[string]any{"location": "eastus", "properties": map[string]any{}}, 400, "InvalidRequestContent"},
		{"fail/no-properties", "PUT", workspacePath("ws-new") + "?" + dbxAPI, tok, map[string]any{"location": "eastus"}, 400, "InvalidRequestContent"},
		{"fail/managed-group-is-own", "PUT", workspacePath("ws-new") + "?" + dbxAPI, tok, workspaceBody("ws-new", map[string]any{"properties.managedResourceGroupId": rgScope()}), 400, "InvalidManagedResourceGroupId"},
		{"fail/managed-group-other-sub", "PUT", workspacePath("ws-new") + "?" + dbxAPI, tok, workspaceBody("ws-new", map[string]any{"properties.managedResourceGroupId": "/subscriptions/" + tenant + "/resourceGroups/m"}), 400, "InvalidManagedResourceGroupId"},
		{"fail/managed-group-malformed", "PUT", workspacePath("ws-new") + "?" + dbxAPI, tok, workspaceBody("ws-new", map[string]any{"properties.managedResourceGroupId": "databricks-rg"}), 400, "InvalidManagedResourceGroupId"},
		{"fail/managed-group-changed", "PUT", workspacePath("taken") + "?" + dbxAPI, tok, workspaceBody("other", nil), 400, "ApplianceManagedResourceGroupMismatch"},
		{"fail/location-changed", "PUT", workspacePath("taken") + "?" + dbxAPI, tok, workspaceBody("taken", map[string]any{"location": "westeurope"}), 409, "InvalidResourceLocation"},
		{"fail/no-location", "PUT", workspacePath("ws-new") + "?" + dbxAPI, tok, workspaceBody("ws-new", map[string]any{"location": ""}), 400, "LocationRequired"},
		{"fail/bad-name", "PUT", workspacePath("-bad") + "?" + dbxAPI, tok, workspaceBody("x", nil), 400, "InvalidResourceName"},
		{"fail/unknown-parameter", "PUT", workspacePath("ws-new") + "?" + dbxAPI, tok, workspaceBody("ws-new", map[string]any{"properties.parameters": map[string]any{"nope": map[string]any{"value": 1}}}), 400, "InvalidRequestContent"},
		{"fail/parameter-type", "PUT", workspacePath("ws-new") + "?" + dbxAPI, tok, workspaceBody("ws-new", map[string]any{"properties.parameters": map[string]any{"enableNoPublicIp": map[string]any{"value": "yes"}}}), 400, "InvalidRequestContent"},
		{"fail/compute-mode", "PUT", workspacePath("ws-new") + "?" + dbxAPI, tok, workspaceBody("ws-new", map[string]any{"properties.computeMode": "Turbo"}), 400, "InvalidParameter"},
		{"fail/not-json", "PUT", workspacePath("ws-new") + "?" + dbxAPI, tok, "{", 400, "InvalidRequestContent"},
		{"fail/old-api-version", "PUT", workspacePath("ws-new") + "?api-version=2017-01-01", tok, workspaceBody("ws-new", nil), 400, "NoRegisteredProviderFound"},
		{"fail/no-group", "PUT", subScope() + "/resourceGroups/nope/providers/Microsoft.Databricks/workspaces/ws-new?" + dbxAPI, tok, workspaceBody("ws-new", nil), 404, "ResourceGroupNotFound"},
		{"fail/get-missing", "GET", workspacePath("nope") + "?" + dbxAPI, tok, nil, 404, "ResourceNotFound"},
		{"fail/outsider-put", "PUT", workspacePath("ws-new") + "?" + dbxAPI, outsider, workspaceBody("ws-new", nil), 403, "AuthorizationFailed"},
		{"fail/reader-put", "PUT", workspacePath("ws-new") + "?" + dbxAPI, readerTok, workspaceBody("ws-new", nil), 403, "AuthorizationFailed"},
		{"fail/reader-delete", "DELETE", workspacePath("taken") + "?" + dbxAPI, readerTok, nil, 403, "AuthorizationFailed"},
		{"fail/outsider-list", "GET", subScope() + "/providers/Microsoft.Databricks/workspaces?" + dbxAPI, outsider, nil, 403, "AuthorizationFailed"},
		{"fail/operation-unknown", "GET", subScope() + "/providers/Microsoft.Databricks/locations/eastus/operationStatuses/bm9wZQ?" + dbxAPI, tok, nil, 404, "OperationNotFound"},
		{"fail/method", "POST", workspacePath("taken") + "?" + dbxAPI, tok, nil, 405, "MethodNotAllowed"},
		{"ok/reader-get", "GET", workspacePath("taken") + "?" + dbxAPI, readerTok, nil, 200, ""},
		{"ok/old-api-version", "GET", workspacePath("taken") + "?api-version=2018-04-01", tok, nil, 200, ""},
		{"ok/serverless-without-managed-group", "PUT", workspacePath("sls") + "?" + dbxAPI, tok, map[string]any{"location": "eastus", "properties": map[string]any{"computeMode": "Serverless"}}, 201, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.Do(t, c.method, c.path, c.token, c.body)
			if r.Status != c.status || r.ErrorCode() != c.code {
				t.Fatalf("= %d %s, want %d %s", r.Status, r.Raw, c.status, c.code)
			}
		})
	}
}

// Deleting a resource group deletes what it holds through one registry:
// workspaces (and their data), vaults (soft-deleted), user-assigned
// identities (whose principals can get no token any more) and the role
// assignments at and under it.
func TestGroupDeleteRemovesEverything(t *testing.T) {
	ctx := context.Background()
	e, hooks := MustWorkspaceEnv(t)
	tok := e.Token(t, e.admin, "")
	MustStatus(t, e.Do(t, http.MethodPut, workspacePath("ws1")+"?"+dbxAPI, tok, workspaceBody("ws1", nil)), http.StatusCreated)
	v := e.MustVault(t, "grouped-vault", true)
	r := e.Do(t, http.MethodPut, identityPath("app-identity")+"?"+miAPI, tok, map[string]any{"location": "eastus"})
	MustStatus(t, r, http.StatusCreated)
	header := r.Header.Get("x-scopevault-identity-header")
	principalID, _ := r.Get("properties.principalId").(string)
	clientID, _ := r.Get("properties.clientId").(string)
	if _, err := e.id.ManagedIdentityToken(ctx, header, "https://vault.azure.net", clientID, principalID); err != nil {
		t.Fatalf("identity before the group delete: %v", err)
	}
	e.MustAssign(t, authz.RoleReader, principalID, v.ResourceID())

	MustStatus(t, e.Do(t, http.MethodDelete, rgPath()+"?"+rgAPI, tok, nil), http.StatusOK)

	if _, err := e.id.ManagedIdentityToken(ctx, header, "https://vault.azure.net", clientID, principalID); err == nil {
		t.Error("ok/identity-token: a deleted group's identity still gets tokens")
	}
	if _, err := e.id.GetPrincipal(ctx, tenant, principalID); scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		t.Errorf("identity principal after group delete: %v", err)
	}
	if l, _ := e.rm.ListIdentities(ctx, sub, rg); len(l) != 0 {
		t.Errorf("identity records left: %d", len(l))
	}
	if l, _ := e.rm.ListWorkspaces(ctx, sub, rg); len(l) != 0 {
		t.Errorf("workspaces left: %d", len(l))
	}
	if _, err := e.rm.Group(ctx, sub, "databricks-rg-ws1"); scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		t.Errorf("managed resource group after the group delete: %v", err)
	}
	hooks.mu.Lock()
	if len(hooks.deleted) != 1 || hooks.deleted[0].Name != "ws1" {
		t.Errorf("workspace data not dropped: %v", hooks.deleted)
	}
	hooks.mu.Unlock()
	if dv, err := e.eng.DeletedVault(ctx, v.Name); err != nil || dv.Deleted == nil {
		t.Errorf("vault not soft-deleted: %v", err)
	}
	if ras, _ := e.authz.ListAssignments(ctx, authz.ListFilter{Scope: v.ResourceID()}); len(ras) != 0 {
		for _, ra := range ras {
			if strings.HasPrefix(strings.ToLower(ra.Scope), strings.ToLower(rgScope())) {
				t.Errorf("assignment left at %s", ra.Scope)
			}
		}
	}
}

// A workspace's managed resource group comes and goes with it, and no one
// else may change or delete it.
func TestWorkspaceManagedGroup(t *testing.T) {
	e, _ := MustWorkspaceEnv(t)
	tok := e.Token(t, e.admin, "")
	managed := subScope() + "/resourceGroups/databricks-rg-ws-m"
	MustStatus(t, e.Do(t, http.MethodPut, workspacePath("ws-m")+"?"+dbxAPI, tok, workspaceBody("ws-m", nil)), http.StatusCreated)
	r := e.Do(t, http.MethodGet, managed+"?"+rgAPI, tok, nil)
	MustStatus(t, r, http.StatusOK)
	if r.Get("managedBy") != workspacePath("ws-m") || r.Get("location") != "eastus" {
		t.Errorf("managed group = %s", r.Raw)
	}
	// A re-PUT of the workspace keeps it.
	MustStatus(t, e.Do(t, http.MethodPut, workspacePath("ws-m")+"?"+dbxAPI, tok, workspaceBody("ws-m", nil)), http.StatusOK)
	MustStatus(t, e.Do(t, http.MethodPut, subScope()+"/resourceGroups/existing?"+rgAPI, tok, map[string]any{"location": "eastus"}), http.StatusCreated)

	for _, c := range []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"fail/delete-managed-group", "DELETE", managed + "?" + rgAPI, nil, 403, "DenyAssignmentAuthorizationFailed"},
		{"fail/put-managed-group", "PUT", managed + "?" + rgAPI, map[string]any{"location": "eastus"}, 403, "DenyAssignmentAuthorizationFailed"},
		{"fail/vault-in-managed-group", "PUT", managed + "/providers/Microsoft.KeyVault/vaults/kv-in-managed?" + armAPI, vaultBody(nil), 403, "DenyAssignmentAuthorizationFailed"},
		{"fail/identity-in-managed-group", "PUT", managed + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi-in-managed?" + miAPI, map[string]any{"location": "eastus"}, 403, "DenyAssignmentAuthorizationFailed"},
		{"ok/read-managed-group", "GET", managed + "/providers/Microsoft.KeyVault/vaults?" + armAPI, nil, 200, ""},
		{"fail/managed-group-taken", "PUT", workspacePath("ws-m2") + "?" + dbxAPI, workspaceBody("ws-m", nil), 409, "ManagedResourceGroupExists"},
		{"fail/managed-group-exists", "PUT", workspacePath("ws-m3") + "?" + dbxAPI,
			workspaceBody("ws-m3", map[string]any{"properties.managedResourceGroupId": subScope() + "/resourceGroups/existing"}), 409, "ManagedResourceGroupExists"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.Do(t, c.method, c.path, tok, c.body)
			if r.Status != c.status || r.ErrorCode() != c.code {
				t.Fatalf("= %d %s, want %d %s", r.Status, r.Raw, c.status, c.code)
			}
		})
	}
	MustStatus(t, e.Do(t, http.MethodDelete, workspacePath("ws-m")+"?"+dbxAPI, tok, nil), http.StatusAccepted)
	if r := e.Do(t, http.MethodGet, managed+"?"+rgAPI, tok, nil); r.Status != http.StatusNotFound {
		t.Errorf("managed group after the workspace delete: %d %s", r.Status, r.Raw)
	}
	// The name is free again.
	MustStatus(t, e.Do(t, http.MethodPut, workspacePath("ws-m2")+"?"+dbxAPI, tok, workspaceBody("ws-m", nil)), http.StatusCreated)
}
