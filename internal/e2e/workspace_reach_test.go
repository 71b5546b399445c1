package e2e

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/scopevault/scopevault"
)

// A workspace created through ARM is reachable at https://<workspaceUrl>
// at once, with nothing but the env file's CA: the subscription's owner
// signs in with an Entra token for AzureDatabricks. Deleting it through
// ARM takes it away.
func TestWorkspaceCreatedThroughARMIsReachable(t *testing.T) {
	srv := MustServer(t)
	env := MustEnvFile(t, srv.DataDir())
	c := MustClient(t, env)
	armTok := c.Token(t, env["AZURE_CLIENT_ID"], env["AZURE_CLIENT_SECRET"], env["SCOPEVAULT_ARM_ENDPOINT"]+"/.default")
	dbxTok := c.Token(t, env["AZURE_CLIENT_ID"], env["AZURE_CLIENT_SECRET"], scopevault.AzureDatabricksAppID+"/.default")
	wsURL := env["SCOPEVAULT_ARM_ENDPOINT"] + "/subscriptions/" + env["AZURE_SUBSCRIPTION_ID"] + "/resourceGroups/" + srv.Boot.ResourceGroup +
		"/providers/Microsoft.Databricks/workspaces/ws-reach?api-version=2026-01-01"

	status, raw, err := c.Do(http.MethodPut, wsURL, armTok, map[string]any{
		"location": "eastus", "sku": map[string]string{"name": "premium"},
		"properties": map[string]any{"managedResourceGroupId": "/subscriptions/" + env["AZURE_SUBSCRIPTION_ID"] + "/resourceGroups/databricks-rg-ws-reach"},
	})
	if err != nil || status != http.StatusCreated {
		t.Fatalf("PUT workspace: %d %s %v", status, raw, err)
	}
	var ws struct {
		Properties struct {
			WorkspaceURL string `json:"workspaceUrl"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &ws); err != nil || ws.Properties.WorkspaceURL == "" {
		t.Fatalf("workspace body %s: %v", raw, err)
	}
	me := "https://" + ws.Properties.WorkspaceURL + "/api/2.0/preview/scim/v2/Me"
	status, raw, err = c.Do(http.MethodGet, me, dbxTok, nil)
	if err != nil || status != http.StatusOK {
		t.Fatalf("GET %s: %d %s %v", me, status, raw, err)
	}

	status, raw, err = c.Do(http.MethodDelete, wsURL, armTok, nil)
	if err != nil || status != http.StatusAccepted {
		t.Fatalf("DELETE workspace: %d %s %v", status, raw, err)
	}
	if status, raw, err = c.Do(http.MethodGet, me, dbxTok, nil); err != nil || status == http.StatusOK {
		t.Fatalf("GET %s after delete: %d %s %v", me, status, raw, err)
	}
}
