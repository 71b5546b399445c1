package arm

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
)

// Microsoft.Databricks/workspaces (reference §4.3):
//
//	PUT|GET|PATCH|DELETE /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Databricks/workspaces/{name}
//	GET /subscriptions/{sub}[/resourceGroups/{rg}]/providers/Microsoft.Databricks/workspaces
//	GET /subscriptions/{sub}/providers/Microsoft.Databricks/locations/{loc}/operationStatuses/{id}
//
// Create and delete are long-running as in Azure: PUT answers 201 (200 for
// an update) with provisioningState "Accepted", DELETE 202, both with an
// Azure-AsyncOperation header naming an operation status. azcore's and
// core-lro's pollers follow it to "Succeeded", then (for a PUT) GET the
// resource, which reports "Succeeded". The work itself is done before the
// first answer, so the status needs no stored state: its id names the
// operation, and it has always succeeded. PATCH (tags) answers 200 with the
// finished resource, which both pollers take as done.

const (
	stateAccepted  = "Accepted"
	stateSucceeded = "Succeeded"
)

func workspaceScope(sub, group, name string) string {
	return groupScope(sub, group) + "/" + segProviders + "/" + nsDatabricks + "/" + typeWorkspaces + "/" + name
}

// databricksSubRoute handles /subscriptions/{sub}/providers/Microsoft.Databricks/{rest}.
func databricksSubRoute(method, sub string, rest []string) (route, error) {
	rt := route{sub: sub, scope: subScope(sub)}
	switch {
	case len(rest) == 1 && eq(rest[0], typeWorkspaces):
		return methods(method, rt, map[string]op{http.MethodGet: opListWorkspacesBySub})
	case len(rest) == 4 && eq(rest[0], typeLocations) && eq(rest[2], typeOpStatuses):
		rt.location, rt.kind = rest[1], rest[3]
		return methods(method, rt, map[string]op{http.MethodGet: opGetWorkspaceOperation})
	}
	return route{}, errResourceType(rest, nsDatabricks)
}

// databricksGroupRoute handles .../resourceGroups/{rg}/providers/Microsoft.Databricks/{rest}.
func databricksGroupRoute(method string, rt route, rest []string) (route, error) {
	switch {
	case len(rest) == 1 && eq(rest[0], typeWorkspaces):
		return methods(method, rt, map[string]op{http.MethodGet: opListWorkspacesByGroup})
	case len(rest) == 2 && eq(rest[0], typeWorkspaces):
		rt.name, rt.scope = rest[1], workspaceScope(rt.sub, rt.group, rest[1])
		return methods(method, rt, map[string]op{
			http.MethodPut: opPutWorkspace, http.MethodGet: opGetWorkspace, http.MethodPatch: opPatchWorkspace, http.MethodDelete: opDeleteWorkspace,
		})
	}
	return route{}, errResourceType(rest, nsDatabricks)
}

// checkDatabricksVersion refuses api-versions older than the provider's
// first; every later date is served with the same body.
func checkDatabricksVersion(v string) error {
	if v < minDatabricksAPI {
		return scopevault.Errorf(scopevault.EINVALID, "NoRegisteredProviderFound",
			"No registered resource provider found for API version '%s' and type 'workspaces'. The supported api-versions are '%s' and later, such as '2024-05-01' and '2026-01-01'.",
			clip(v), minDatabricksAPI)
	}
	return nil
}

func errWorkspaceName(name string) error {
	return scopevault.Errorf(scopevault.EINVALID, "InvalidResourceName",
		"Resource name '%s' is invalid: a workspace name is 3 to 64 letters, digits, '-' or '_', starting and ending with a letter or digit.", clip(name))
}

// putWorkspace creates (201) or updates (200) a workspace.
func (h *Handler) putWorkspace(w http.ResponseWriter, req *request) error {
	if err := checkDatabricksVersion(req.apiVersion); err != nil {
		return err
	}
	if !scopevault.ValidWorkspaceName(req.route.name) {
		return errWorkspaceName(req.route.name)
	}
	var in workspaceIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	spec, err := parseWorkspacePut(&in, req.sub.ID, req.route.group)
	if err != nil {
		return err
	}
	g, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return err
	}
	old, err := h.cfg.RM.Workspace(req.ctx(), req.sub.ID, g.Name, req.route.name)
	switch {
	case err == nil && old.Location != spec.Location:
		return scopevault.Errorf(scopevault.ECONFLICT, "InvalidResourceLocation",
			"The resource '%s' already exists in location '%s' in resource group '%s'. A resource with the same name cannot be created in location '%s'. Please select a new resource name.",
			old.Name, old.Location, g.Name, spec.Location)
	case err == nil && !strings.EqualFold(old.ManagedResourceGroupID, spec.ManagedRG):
		return scopevault.Errorf(scopevault.EINVALID, "ApplianceManagedResourceGroupMismatch",
			"The given managed resource group '%s' did not match that in the existing appliance definition '%s'.", spec.ManagedRG, old.ManagedResourceGroupID)
	case err != nil && scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND:
		return err
	case err != nil:
		if err := h.checkManagedGroupFree(req, spec.ManagedRG, workspaceScope(req.sub.ID, g.Name, req.route.name)); err != nil {
			return err
		}
	}
	ws, created, err := h.cfg.RM.CreateOrUpdateWorkspace(req.ctx(), scopevault.Workspace{
		Name: req.route.name, SubscriptionID: req.sub.ID, ResourceGroup: g.Name, Location: spec.Location,
		TenantID: req.sub.TenantID, Tags: spec.Tags, SKU: spec.SKU, ManagedResourceGroupID: spec.ManagedRG,
		ComputeMode: spec.ComputeMode, PublicNetworkAccess: spec.PublicNetworkAccess, RequiredNsgRules: spec.RequiredNsgRules,
		Parameters: spec.Parameters,
		CreatedBy:  req.caller.ObjectID, CreatedByApp: req.caller.AppID, UpdatedBy: req.caller.ObjectID, UpdatedByApp: req.caller.AppID,
	})
	if err != nil {
		return err
	}
	if created {
		if err := h.createManagedGroup(req, ws); err != nil {
			return err
		}
	}
	if err := h.cfg.OnWorkspaceChanged(ws); err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	w.Header().Set("Azure-AsyncOperation", h.workspaceOpURL(req, ws, "put"))
	writeJSON(w, status, h.renderWorkspace(ws, stateAccepted))
	return nil
}

// workspace loads the route's workspace, answering ResourceGroupNotFound
// first as ARM does.
func (h *Handler) workspace(req *request) (*scopevault.Workspace, error) {
	if err := checkDatabricksVersion(req.apiVersion); err != nil {
		return nil, err
	}
	g, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return nil, err
	}
	return h.cfg.RM.Workspace(req.ctx(), req.sub.ID, g.Name, req.route.name)
}

func (h *Handler) getWorkspace(w http.ResponseWriter, req *request) error {
	ws, err := h.workspace(req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.renderWorkspace(ws, stateSucceeded))
	return nil
}

// patchWorkspace is WorkspaceUpdate: the tags, replaced as a whole.
func (h *Handler) patchWorkspace(w http.ResponseWriter, req *request) error {
	var in workspacePatchIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	if err := validateTags(in.Tags); err != nil {
		return err
	}
	ws, err := h.workspace(req)
	if err != nil {
		return err
	}
	if in.Tags != nil {
		ws.Tags = in.Tags
	}
	ws.UpdatedBy, ws.UpdatedByApp = req.caller.ObjectID, req.caller.AppID
	ws, _, err = h.cfg.RM.CreateOrUpdateWorkspace(req.ctx(), *ws)
	if err != nil {
		return err
	}
	if err := h.cfg.OnWorkspaceChanged(ws); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.renderWorkspace(ws, stateSucceeded))
	return nil
}

// deleteWorkspace answers 202 (poll the operation) when it deleted, 204
// when there was nothing to delete.
func (h *Handler) deleteWorkspace(w http.ResponseWriter, req *request) error {
	if err := checkDatabricksVersion(req.apiVersion); err != nil {
		return err
	}
	ws, err := h.cfg.RM.Workspace(req.ctx(), req.sub.ID, req.route.group, req.route.name)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err != nil {
		return err
	}
	if err := h.removeWorkspace(req.ctx(), ws); err != nil {
		return err
	}
	w.Header().Set("Azure-AsyncOperation", h.workspaceOpURL(req, ws, "delete"))
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// removeWorkspace is the one way a workspace goes, alone or with its
// resource group: what it holds first (so a retry after a failure finishes
// the job), then the grants at its scope, then the record.
func (h *Handler) removeWorkspace(ctx context.Context, ws *scopevault.Workspace) error {
	if err := h.cfg.OnWorkspaceDeleted(ws); err != nil {
		return err
	}
	if _, err := h.cfg.Authz.DeleteAssignmentsUnder(ctx, ws.ResourceID()); err != nil {
		return err
	}
	if err := h.deleteManagedGroup(ctx, ws); err != nil {
		return err
	}
	_, err := h.cfg.RM.DeleteWorkspace(ctx, ws.SubscriptionID, ws.ResourceGroup, ws.Name)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return nil
	}
	return err
}

// A workspace's managed resource group is created with it, managed by it
// (managedBy, and no one else may change or delete it: groups.go) and
// deleted with it, as Azure Databricks does.

// splitGroupID returns the subscription and name of a
// /subscriptions/{sub}/resourceGroups/{name} id (as parseManagedRG made it).
func splitGroupID(id string) (sub, name string) {
	segs := strings.Split(strings.Trim(id, "/"), "/")
	if len(segs) != 4 {
		return "", ""
	}
	return segs[1], segs[3]
}

// checkManagedGroupFree refuses a new workspace whose managed resource
// group exists, unless the group is already that workspace's.
func (h *Handler) checkManagedGroupFree(req *request, managedRG, wsID string) error {
	sub, name := splitGroupID(managedRG)
	if name == "" {
		return nil
	}
	g, err := h.cfg.RM.Group(req.ctx(), sub, name)
	switch {
	case scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND:
		return nil
	case err != nil:
		return err
	case strings.EqualFold(g.ManagedBy, wsID):
		return nil
	}
	return scopevault.Errorf(scopevault.ECONFLICT, "ManagedResourceGroupExists",
		"The managed resource group '%s' already exists. Please specify a new non-existent managed resource group.", g.ID())
}

func (h *Handler) createManagedGroup(req *request, ws *scopevault.Workspace) error {
	sub, name := splitGroupID(ws.ManagedResourceGroupID)
	if name == "" {
		return nil
	}
	_, _, err := h.cfg.RM.PutGroup(req.ctx(), scopevault.ResourceGroup{SubscriptionID: sub, Name: name, Location: ws.Location, ManagedBy: ws.ResourceID()})
	return err
}

// deleteManagedGroup deletes the workspace's managed resource group with
// what it holds, if the workspace manages it.
func (h *Handler) deleteManagedGroup(ctx context.Context, ws *scopevault.Workspace) error {
	sub, name := splitGroupID(ws.ManagedResourceGroupID)
	if name == "" {
		return nil
	}
	g, err := h.cfg.RM.Group(ctx, sub, name)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND || err == nil && !strings.EqualFold(g.ManagedBy, ws.ResourceID()) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := h.deleteGroupContents(ctx, g); err != nil {
		return err
	}
	err = h.cfg.RM.DeleteGroup(ctx, g.SubscriptionID, g.Name)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return nil
	}
	return err
}

// listWorkspaces serves the subscription and resource-group lists.
func (h *Handler) listWorkspaces(w http.ResponseWriter, req *request) error {
	if err := checkDatabricksVersion(req.apiVersion); err != nil {
		return err
	}
	all, err := h.cfg.RM.ListWorkspaces(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return err
	}
	seen, err := visible(h, req, req.route.scope, all, func(ws *scopevault.Workspace) string { return ws.ResourceID() })
	if err != nil {
		return err
	}
	if req.route.group != "" {
		if _, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group); err != nil {
			return err
		}
	}
	out := listJSON[workspaceJSON]{Value: []workspaceJSON{}}
	for _, ws := range seen {
		out.Value = append(out.Value, h.renderWorkspace(ws, stateSucceeded))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// A workspace operation id names what was done, to which workspace, and
// when: "{verb}|{sub}|{group}|{name}|{unix}", base64url.
func workspaceOpID(verb string, ws *scopevault.Workspace, at time.Time) string {
	return base64.RawURLEncoding.EncodeToString([]byte(verb + "|" + strings.ToLower(ws.SubscriptionID) + "|" +
		strings.ToLower(ws.ResourceGroup) + "|" + scopevault.WorkspaceKey(ws.Name) + "|" + strconv.FormatInt(at.Unix(), 10)))
}

type workspaceOp struct {
	verb, sub, group, name string
	at                     time.Time
}

func parseWorkspaceOpID(id string) (workspaceOp, bool) {
	if len(id) > 512 {
		return workspaceOp{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return workspaceOp{}, false
	}
	f := strings.Split(string(raw), "|")
	if len(f) != 5 || (f[0] != "put" && f[0] != "delete") || !scopevault.ValidGUID(f[1]) || !groupNameOK(f[2]) || !scopevault.ValidWorkspaceName(f[3]) {
		return workspaceOp{}, false
	}
	unix, err := strconv.ParseInt(f[4], 10, 64)
	if err != nil || unix < 0 {
		return workspaceOp{}, false
	}
	return workspaceOp{verb: f[0], sub: f[1], group: f[2], name: f[3], at: time.Unix(unix, 0).UTC()}, true
}

func (h *Handler) workspaceOpURL(req *request, ws *scopevault.Workspace, verb string) string {
	return baseURL(req.r) + subScope(req.sub.ID) + "/" + segProviders + "/" + nsDatabricks + "/" + typeLocations + "/" +
		ws.Location + "/" + typeOpStatuses + "/" + workspaceOpID(verb, ws, h.cfg.Now()) + "?api-version=" + req.apiVersion
}

type operationStatusJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	StartTime string `json:"startTime"`
	EndTime   string `json:"endTime"`
}

// getWorkspaceOperation is the status of a create, update or delete: it
// finished before the operation was first answered.
func (h *Handler) getWorkspaceOperation(w http.ResponseWriter, req *request) error {
	o, ok := parseWorkspaceOpID(req.route.kind)
	if !ok || !strings.EqualFold(o.sub, req.sub.ID) {
		return scopevault.Errorf(scopevault.ENOTFOUND, "OperationNotFound", "The operation '%s' was not found.", clip(req.route.kind))
	}
	at := o.at.Format(time.RFC3339)
	writeJSON(w, http.StatusOK, operationStatusJSON{
		ID:   subScope(req.sub.ID) + "/" + segProviders + "/" + nsDatabricks + "/" + typeLocations + "/" + req.location() + "/" + typeOpStatuses + "/" + req.route.kind,
		Name: req.route.kind, Status: stateSucceeded, StartTime: at, EndTime: at,
	})
	return nil
}
