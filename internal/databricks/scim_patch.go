package databricks

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/httpx"
	"github.com/scopevault/scopevault/internal/workspace"
)

// patchRequest is a SCIM PatchOp.
type patchRequest struct {
	Schemas    []string `json:"schemas"`
	Operations []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	} `json:"Operations"`
}

// parseGroupPatch turns a PatchOp into member and name changes. It knows
// the forms clients send: add/remove/replace with path "members" and a
// list of {"value": id}; remove with path `members[value eq "id"]`;
// replace of "displayName"; and add/replace without a path whose value is
// {"members": [...], "displayName": ...}.
func parseGroupPatch(raw []byte) (workspace.GroupPatch, error) {
	var pr patchRequest
	var gp workspace.GroupPatch
	if err := decodeIdentityJSON(raw, &pr); err != nil {
		return gp, err
	}
	if len(pr.Operations) == 0 {
		return gp, errBadPatch("Operations must not be empty.")
	}
	for _, op := range pr.Operations {
		verb := strings.ToLower(op.Op)
		if verb != "add" && verb != "remove" && verb != "replace" {
			return gp, errBadPatch("unsupported op " + strconv.Quote(clipFilter(op.Op)) + ".")
		}
		path := strings.TrimSpace(op.Path)
		switch {
		case path == "":
			var v struct {
				DisplayName string      `json:"displayName"`
				Members     []scimValue `json:"members"`
			}
			if verb == "remove" || json.Unmarshal(op.Value, &v) != nil {
				return gp, errBadPatch("an operation without a path needs an object value.")
			}
			if v.DisplayName != "" {
				gp.DisplayName = v.DisplayName
			}
			if v.Members != nil {
				if err := applyMembers(&gp, verb, scimIDs(v.Members)); err != nil {
					return gp, err
				}
			}
		case strings.EqualFold(path, "members"):
			var vs []scimValue
			if len(op.Value) > 0 && json.Unmarshal(op.Value, &vs) != nil {
				return gp, errBadPatch("members must be a list of {\"value\": id}.")
			}
			if verb == "remove" && len(op.Value) == 0 {
				empty := []string{}
				gp.Replace = &empty
				gp.Add = nil
				continue
			}
			if err := applyMembers(&gp, verb, scimIDs(vs)); err != nil {
				return gp, err
			}
		case strings.EqualFold(path, "displayName"):
			var name string
			if verb == "remove" || json.Unmarshal(op.Value, &name) != nil {
				return gp, errBadPatch("displayName must be a string.")
			}
			gp.DisplayName = name
		case len(path) > len("members[") && strings.EqualFold(path[:len("members[")], "members["):
			f, err := parseSCIMFilter(strings.TrimSuffix(path[len("members["):], "]"))
			if err != nil || !strings.HasSuffix(path, "]") {
				return gp, errBadPatch("invalid path " + strconv.Quote(clipFilter(path)) + ".")
			}
			id, ok := memberFilterID(f)
			if !ok || verb != "remove" {
				return gp, errBadPatch("only remove with members[value eq \"id\"] is supported.")
			}
			gp.Remove = append(gp.Remove, id)
		default:
			return gp, errBadPatch("unsupported path " + strconv.Quote(clipFilter(path)) + ".")
		}
	}
	return gp, nil
}

func applyMembers(gp *workspace.GroupPatch, verb string, ids []string) error {
	switch verb {
	case "add":
		gp.Add = append(gp.Add, ids...)
	case "remove":
		gp.Remove = append(gp.Remove, ids...)
	case "replace":
		r := append([]string{}, ids...)
		gp.Replace, gp.Add = &r, nil
	}
	return nil
}

// memberFilterID reads `value eq "id"` from a members[...] path filter.
func memberFilterID(f scimFilter) (string, bool) {
	c, ok := f.(scimCmp)
	if !ok || c.attr != "value" || c.op != "eq" {
		return "", false
	}
	return c.value, true
}

func errBadPatch(why string) error {
	return scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "Invalid PATCH request: %s", why)
}

func (h *Handler) patchGroup(w http.ResponseWriter, req *request) error {
	if !req.caller.Admin {
		return errSCIMNotAdmin()
	}
	req.audit.Params = map[string]string{"id": clipParam(req.pathID)}
	raw, err := httpx.ReadBody(req.r, maxIdentityBody)
	if err != nil {
		return scopevault.Errorf(scopevault.EINVALID, "MALFORMED_REQUEST", "The request body could not be read.")
	}
	gp, err := parseGroupPatch(raw)
	if err != nil {
		return err
	}
	if !workspace.ValidPrincipalID(req.pathID) {
		return errSCIMNotFound(scopevault.WorkspaceGroup, req.pathID)
	}
	if _, err := h.cfg.Workspaces.PatchGroup(req.ctx(), req.caller, req.pathID, gp); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) updateUser(w http.ResponseWriter, req *request) error {
	return h.updatePrincipal(w, req, scopevault.WorkspaceUser)
}
func (h *Handler) updateSP(w http.ResponseWriter, req *request) error {
	return h.updatePrincipal(w, req, scopevault.WorkspaceServicePrincipal)
}

// updatePrincipal is SCIM PUT on a user or service principal: it replaces
// the display name and the active flag.
func (h *Handler) updatePrincipal(w http.ResponseWriter, req *request, kind scopevault.WorkspacePrincipalKind) error {
	if !req.caller.Admin {
		return errSCIMNotAdmin()
	}
	req.audit.Params = map[string]string{"id": clipParam(req.pathID)}
	var body scimRequest
	if err := readIdentityBody(req.r, &body); err != nil {
		return err
	}
	if !workspace.ValidPrincipalID(req.pathID) {
		return errSCIMNotFound(kind, req.pathID)
	}
	u := workspace.PrincipalUpdate{Name: body.UserName, DisplayName: body.DisplayName, Active: body.Active}
	if kind == scopevault.WorkspaceServicePrincipal {
		u.Name = body.ApplicationID
	}
	if _, err := h.cfg.Workspaces.UpdatePrincipal(req.ctx(), req.caller, kind, req.pathID, u); err != nil {
		return err
	}
	return h.writePrincipal(w, req, req.pathID)
}

// updateGroup is SCIM PUT on a group: it replaces the display name and the
// members. The JS SDK sends no body with PATCH, so PUT is how its clients
// change a group.
func (h *Handler) updateGroup(w http.ResponseWriter, req *request) error {
	if !req.caller.Admin {
		return errSCIMNotAdmin()
	}
	req.audit.Params = map[string]string{"id": clipParam(req.pathID)}
	var body scimRequest
	if err := readIdentityBody(req.r, &body); err != nil {
		return err
	}
	if !workspace.ValidPrincipalID(req.pathID) {
		return errSCIMNotFound(scopevault.WorkspaceGroup, req.pathID)
	}
	members := scimIDs(body.Members)
	if _, err := h.cfg.Workspaces.PatchGroup(req.ctx(), req.caller, req.pathID, workspace.GroupPatch{Replace: &members, DisplayName: body.DisplayName}); err != nil {
		return err
	}
	return h.writePrincipal(w, req, req.pathID)
}

// writePrincipal answers with the principal's current SCIM resource.
func (h *Handler) writePrincipal(w http.ResponseWriter, req *request, id string) error {
	d, err := h.cfg.Workspaces.Directory(req.ctx(), req.workspace)
	if err != nil {
		return err
	}
	p := d.Principal(id)
	if p == nil {
		return errSCIMNotFound(scopevault.WorkspaceUser, id)
	}
	httpx.WriteJSON(w, http.StatusOK, render(d, p, false))
	return nil
}
