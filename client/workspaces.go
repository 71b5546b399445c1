package client

import (
	"context"
	"encoding/json"
)

// APIDatabricks is the Microsoft.Databricks api-version the client sends.
const APIDatabricks = "2024-05-01"

// Workspace is a Microsoft.Databricks/workspaces resource.
type Workspace struct {
	ID         string              `json:"id,omitempty"`
	Name       string              `json:"name,omitempty"`
	Type       string              `json:"type,omitempty"`
	Location   string              `json:"location"`
	Tags       map[string]string   `json:"tags,omitempty"`
	SKU        *WorkspaceSKU       `json:"sku,omitempty"`
	Properties WorkspaceProperties `json:"properties"`
}

// WorkspaceSKU is a workspace's tier: standard, premium or trial.
type WorkspaceSKU struct {
	Name string `json:"name"`
}

// WorkspaceProperties are a workspace's properties. WorkspaceID is the
// numeric id of adb-<id>.<n>.azuredatabricks.net; WorkspaceURL is the host
// (and port) that reaches the workspace API.
type WorkspaceProperties struct {
	ManagedResourceGroupID string                     `json:"managedResourceGroupId,omitempty"`
	Parameters             map[string]json.RawMessage `json:"parameters,omitempty"`
	ProvisioningState      string                     `json:"provisioningState,omitempty"`
	WorkspaceID            string                     `json:"workspaceId,omitempty"`
	WorkspaceURL           string                     `json:"workspaceUrl,omitempty"`
	ComputeMode            string                     `json:"computeMode,omitempty"`
	PublicNetworkAccess    string                     `json:"publicNetworkAccess,omitempty"`
	RequiredNsgRules       string                     `json:"requiredNsgRules,omitempty"`
	Authorizations         []WorkspaceAuthorization   `json:"authorizations,omitempty"`
	CreatedBy              *WorkspaceUser             `json:"createdBy,omitempty"`
	UpdatedBy              *WorkspaceUser             `json:"updatedBy,omitempty"`
	CreatedDateTime        string                     `json:"createdDateTime,omitempty"`
}

// Workspaces lists the workspaces of a subscription, or of one of its
// resource groups when group is not empty, following nextLink.
func (a *ARM) Workspaces(ctx context.Context, sub, group string) ([]Workspace, error) {
	path := "/subscriptions/" + esc(sub) + "/providers/Microsoft.Databricks/workspaces"
	if group != "" {
		path = groupPath(sub, group) + "/providers/Microsoft.Databricks/workspaces"
	}
	return listPages[Workspace](ctx, a, a.rest.base+path, apiVersion(APIDatabricks))
}
