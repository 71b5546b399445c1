package arm

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
)

// The wire shapes of Microsoft.Databricks/workspaces (reference §4.3; the
// same body from api-version 2018-04-01 to 2026-01-01) and the validation
// of a PUT body.

const (
	nsDatabricks      = "Microsoft.Databricks"
	typeWorkspaces    = "workspaces"
	workspaceType     = nsDatabricks + "/" + typeWorkspaces
	typeOpStatuses    = "operationStatuses"
	minDatabricksAPI  = "2018-04-01" // the first GA version
	databricksRPOwner = "9a74af6f-d153-4348-988a-e2672920bee9"
	// ownerRoleID is the built-in Owner role the Databricks resource
	// provider holds on the managed resource group (properties.authorizations).
	ownerRoleID = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
)

// workspaceParamTypes are the custom parameters and the type Azure reports
// for each ({"type": "Bool", "value": true}).
var workspaceParamTypes = map[string]string{
	"amlWorkspaceId":                  "String",
	"customPrivateSubnetName":         "String",
	"customPublicSubnetName":          "String",
	"customVirtualNetworkId":          "String",
	"enableNoPublicIp":                "Bool",
	"encryption":                      "Object",
	"loadBalancerBackendPoolName":     "String",
	"loadBalancerId":                  "String",
	"natGatewayName":                  "String",
	"prepareEncryption":               "Bool",
	"publicIpName":                    "String",
	"requireInfrastructureEncryption": "Bool",
	"resourceTags":                    "Object",
	"storageAccountName":              "String",
	"storageAccountSkuName":           "String",
	"vnetAddressPrefix":               "String",
}

// workspaceSKUs are the SKU names accepted; the stored and rendered form is lower case.
var workspaceSKUs = map[string]bool{"standard": true, "premium": true, "trial": true}

type workspaceSKUJSON struct {
	Name string `json:"name"`
	Tier string `json:"tier,omitempty"`
}

type workspaceIn struct {
	Location   *string           `json:"location"`
	Tags       map[string]string `json:"tags"`
	SKU        *workspaceSKUJSON `json:"sku"`
	Properties *workspacePropsIn `json:"properties"`
}

type workspacePropsIn struct {
	ManagedResourceGroupID *string                    `json:"managedResourceGroupId"`
	Parameters             map[string]json.RawMessage `json:"parameters"`
	ComputeMode            *string                    `json:"computeMode"`
	PublicNetworkAccess    *string                    `json:"publicNetworkAccess"`
	RequiredNsgRules       *string                    `json:"requiredNsgRules"`
}

type workspacePatchIn struct {
	Tags map[string]string `json:"tags"`
}

type workspaceUserJSON struct {
	Oid           string `json:"oid,omitempty"`
	Puid          string `json:"puid,omitempty"`
	ApplicationID string `json:"applicationId,omitempty"`
}

type authorizationJSON struct {
	PrincipalID      string `json:"principalId"`
	RoleDefinitionID string `json:"roleDefinitionId"`
}

type workspacePropsJSON struct {
	ManagedResourceGroupID     string                     `json:"managedResourceGroupId"`
	Parameters                 map[string]json.RawMessage `json:"parameters,omitempty"`
	ProvisioningState          string                     `json:"provisioningState"`
	Authorizations             []authorizationJSON        `json:"authorizations"`
	CreatedBy                  *workspaceUserJSON         `json:"createdBy,omitempty"`
	UpdatedBy                  *workspaceUserJSON         `json:"updatedBy,omitempty"`
	CreatedDateTime            string                     `json:"createdDateTime"`
	WorkspaceID                string                     `json:"workspaceId"`
	WorkspaceURL               string                     `json:"workspaceUrl"`
	ComputeMode                string                     `json:"computeMode,omitempty"`
	PublicNetworkAccess        string                     `json:"publicNetworkAccess"`
	RequiredNsgRules           string                     `json:"requiredNsgRules"`
	PrivateEndpointConnections []json.RawMessage          `json:"privateEndpointConnections"`
}

type workspaceJSON struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	Type       string             `json:"type"`
	Location   string             `json:"location"`
	Tags       map[string]string  `json:"tags"`
	SKU        workspaceSKUJSON   `json:"sku"`
	Properties workspacePropsJSON `json:"properties"`
}

// renderWorkspace is the resource body; state is its provisioningState.
func (h *Handler) renderWorkspace(ws *scopevault.Workspace, state string) workspaceJSON {
	tags := ws.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	out := workspaceJSON{
		ID: ws.ResourceID(), Name: ws.Name, Type: workspaceType, Location: ws.Location, Tags: tags,
		SKU: workspaceSKUJSON{Name: ws.SKU},
		Properties: workspacePropsJSON{
			ManagedResourceGroupID:     ws.ManagedResourceGroupID,
			Parameters:                 renderParameters(ws.Parameters),
			ProvisioningState:          state,
			Authorizations:             []authorizationJSON{{PrincipalID: databricksRPOwner, RoleDefinitionID: ownerRoleID}},
			CreatedDateTime:            ws.Created.UTC().Format(time.RFC3339Nano),
			WorkspaceID:                strconv.FormatInt(ws.WorkspaceID, 10),
			WorkspaceURL:               h.cfg.WorkspaceURL(ws),
			ComputeMode:                ws.ComputeMode,
			PublicNetworkAccess:        ws.PublicNetworkAccess,
			RequiredNsgRules:           ws.RequiredNsgRules,
			PrivateEndpointConnections: []json.RawMessage{},
		},
	}
	if ws.CreatedBy != "" {
		out.Properties.CreatedBy = &workspaceUserJSON{Oid: ws.CreatedBy, ApplicationID: ws.CreatedByApp}
	}
	if ws.UpdatedBy != "" {
		out.Properties.UpdatedBy = &workspaceUserJSON{Oid: ws.UpdatedBy, ApplicationID: ws.UpdatedByApp}
	}
	if out.Properties.PublicNetworkAccess == "" {
		out.Properties.PublicNetworkAccess = "Enabled"
	}
	if out.Properties.RequiredNsgRules == "" {
		out.Properties.RequiredNsgRules = "AllRules"
	}
	return out
}

// renderParameters adds to each stored {"value": v} the type Azure reports.
func renderParameters(ps map[string]json.RawMessage) map[string]json.RawMessage {
	if len(ps) == 0 {
		return nil
	}
	out := make(map[string]json.RawMessage, len(ps))
	for name, raw := range ps {
		var p struct {
			Value json.RawMessage `json:"value"`
		}
		if json.Unmarshal(raw, &p) != nil {
			continue
		}
		b, _ := json.Marshal(struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		}{workspaceParamTypes[name], p.Value})
		out[name] = b
	}
	return out
}

// workspaceSpec is a validated PUT body.
type workspaceSpec struct {
	Location, SKU, ManagedRG, ComputeMode, PublicNetworkAccess, RequiredNsgRules string
	Tags                                                                         map[string]string
	Parameters                                                                   map[string]json.RawMessage
}

func badWorkspace(code, format string, args ...any) error {
	return scopevault.Errorf(scopevault.EINVALID, code, format, args...)
}

// parseWorkspacePut checks a PUT body for a workspace in sub/group.
func parseWorkspacePut(in *workspaceIn, sub, group string) (*workspaceSpec, error) {
	if in.Location == nil || strings.TrimSpace(*in.Location) == "" {
		return nil, scopevault.Errorf(scopevault.EINVALID, "LocationRequired", "The location property is required for this definition.")
	}
	loc, err := normalizeLocation(*in.Location)
	if err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	spec := &workspaceSpec{Location: loc, Tags: in.Tags, SKU: "premium"}
	if in.SKU != nil {
		s := strings.ToLower(strings.TrimSpace(in.SKU.Name))
		if !workspaceSKUs[s] {
			return nil, badWorkspace("InvalidSku", "The sku '%s' is not valid. Valid sku names are 'standard', 'premium' and 'trial'.", clip(in.SKU.Name))
		}
		spec.SKU = s
	}
	p := in.Properties
	if p == nil {
		return nil, badWorkspace("InvalidRequestContent", "Required property 'properties' not found in JSON.")
	}
	if p.ComputeMode != nil {
		switch {
		case strings.EqualFold(*p.ComputeMode, "Hybrid"):
			spec.ComputeMode = "Hybrid"
		case strings.EqualFold(*p.ComputeMode, "Serverless"):
			spec.ComputeMode = "Serverless"
		default:
			return nil, badWorkspace("InvalidParameter", "The computeMode '%s' is not valid. Valid values are 'Hybrid' and 'Serverless'.", clip(*p.ComputeMode))
		}
	}
	switch {
	case p.ManagedResourceGroupID == nil || strings.TrimSpace(*p.ManagedResourceGroupID) == "":
		// Serverless workspaces have no managed resource group.
		if spec.ComputeMode != "Serverless" {
			return nil, badWorkspace("InvalidRequestContent", "Required property 'managedResourceGroupId' not found in JSON. Path 'properties'.")
		}
	default:
		if spec.ManagedRG, err = parseManagedRG(*p.ManagedResourceGroupID, sub, group); err != nil {
			return nil, err
		}
	}
	if spec.PublicNetworkAccess, err = oneOf("publicNetworkAccess", p.PublicNetworkAccess, "Enabled", "Disabled"); err != nil {
		return nil, err
	}
	if spec.RequiredNsgRules, err = oneOf("requiredNsgRules", p.RequiredNsgRules, "AllRules", "NoAzureDatabricksRules", "NoAzureServiceRules"); err != nil {
		return nil, err
	}
	if spec.Parameters, err = parseParameters(p.Parameters); err != nil {
		return nil, err
	}
	return spec, nil
}

// parseManagedRG checks a managed resource group id: a group of the
// workspace's subscription other than the workspace's own.
func parseManagedRG(id, sub, group string) (string, error) {
	segs := strings.Split(strings.Trim(id, "/"), "/")
	if len(segs) != 4 || !eq(segs[0], segSubscriptions) || !eq(segs[2], segResourceGroups) ||
		!groupNameOK(segs[3]) || !scopevault.ValidGUID(segs[1]) {
		return "", badWorkspace("InvalidManagedResourceGroupId",
			"The managed resource group id '%s' is invalid: it must be /subscriptions/{subscriptionId}/resourceGroups/{name}.", clip(id))
	}
	if !eq(segs[1], sub) {
		return "", badWorkspace("InvalidManagedResourceGroupId",
			"The managed resource group '%s' must be in the workspace's subscription '%s'.", clip(id), sub)
	}
	if eq(segs[3], group) {
		return "", badWorkspace("InvalidManagedResourceGroupId",
			"The managed resource group '%s' cannot be the workspace's own resource group '%s'. Please specify a new non-existent managed resource group.", clip(id), group)
	}
	return groupScope(segs[1], segs[3]), nil
}

func groupNameOK(name string) bool {
	if name == "" || len(name) > 90 || strings.HasSuffix(name, ".") {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.()", c)) {
			return false
		}
	}
	return true
}

// oneOf normalizes an optional enum property to its canonical casing.
func oneOf(prop string, v *string, allowed ...string) (string, error) {
	if v == nil {
		return "", nil
	}
	for _, a := range allowed {
		if strings.EqualFold(*v, a) {
			return a, nil
		}
	}
	return "", badWorkspace("InvalidParameter", "The value '%s' of '%s' is not valid. Valid values are '%s'.", clip(*v), prop, strings.Join(allowed, "', '"))
}

// parseParameters checks the custom parameters: known names, each
// {"value": v} (a read-only "type" may come back from a GET) with v of the
// parameter's type. They are kept as {"value": v}.
func parseParameters(in map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	if len(in) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(in))
	for n := range in {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make(map[string]json.RawMessage, len(in))
	for _, given := range names {
		name, typ := "", ""
		for k, t := range workspaceParamTypes {
			if strings.EqualFold(k, given) {
				name, typ = k, t
			}
		}
		if name == "" {
			return nil, badWorkspace("InvalidRequestContent",
				"The request content was invalid and could not be deserialized: could not find member '%s' on object of type 'WorkspaceCustomParameters'.", clip(given))
		}
		var p struct {
			Value json.RawMessage `json:"value"`
		}
		dec := json.NewDecoder(bytes.NewReader(in[given]))
		if err := dec.Decode(&p); err != nil || len(p.Value) == 0 || !valueIs(typ, p.Value) {
			return nil, badWorkspace("InvalidRequestContent",
				"The request content was invalid and could not be deserialized: the parameter '%s' must be {\"value\": <%s>}.", name, strings.ToLower(typ))
		}
		b, _ := json.Marshal(struct {
			Value json.RawMessage `json:"value"`
		}{p.Value})
		out[name] = b
	}
	return out, nil
}

func valueIs(typ string, v json.RawMessage) bool {
	var x any
	if json.Unmarshal(v, &x) != nil {
		return false
	}
	switch typ {
	case "Bool":
		_, ok := x.(bool)
		return ok
	case "String":
		_, ok := x.(string)
		return ok
	case "Object":
		_, ok := x.(map[string]any)
		return ok
	}
	return false
}
