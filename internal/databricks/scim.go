package databricks

import (
	"net/http"
	"strconv"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/httpx"
	"github.com/scopevault/scopevault/internal/workspace"
)

// SCIM schema URNs.
const (
	schemaUser     = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaSP       = "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"
	schemaGroup    = "urn:ietf:params:scim:schemas:core:2.0:Group"
	schemaList     = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	maxSCIMResults = 10000
)

// scimValue is SCIM's multi-valued attribute entry ({"display","value",...}).
type scimValue struct {
	Display string `json:"display,omitempty"`
	Value   string `json:"value"`
	Primary bool   `json:"primary,omitempty"`
	Type    string `json:"type,omitempty"`
	Ref     string `json:"$ref,omitempty"`
}

// scimResource is a user, service principal or group as SCIM shows it.
type scimResource struct {
	ID            string      `json:"id"`
	UserName      string      `json:"userName,omitempty"`
	ApplicationID string      `json:"applicationId,omitempty"`
	DisplayName   string      `json:"displayName,omitempty"`
	Active        *bool       `json:"active,omitempty"`
	ExternalID    string      `json:"externalId,omitempty"`
	Emails        []scimValue `json:"emails,omitempty"`
	Groups        []scimValue `json:"groups,omitempty"`
	Members       []scimValue `json:"members,omitempty"`
	Entitlements  []scimValue `json:"entitlements,omitempty"`
	Schemas       []string    `json:"schemas"`
}

// scimRequest is the body of a SCIM create: what the SDKs send for a user,
// a service principal or a group.
type scimRequest struct {
	UserName      string      `json:"userName"`
	ApplicationID string      `json:"applicationId"`
	DisplayName   string      `json:"displayName"`
	Active        *bool       `json:"active"`
	Groups        []scimValue `json:"groups"`
	Members       []scimValue `json:"members"`
}

func scimIDs(vs []scimValue) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.Value)
	}
	return out
}

func refPath(kind scopevault.WorkspacePrincipalKind) string {
	switch kind {
	case scopevault.WorkspaceUser:
		return "Users/"
	case scopevault.WorkspaceServicePrincipal:
		return "ServicePrincipals/"
	}
	return "Groups/"
}

// render shows p as SCIM does. A service principal seen through /Me or
// Users keeps its application id as userName, as Databricks shows it.
func render(d *workspace.Directory, p *scopevault.WorkspacePrincipal, asUser bool) scimResource {
	r := scimResource{ID: p.ID, DisplayName: p.DisplayName, ExternalID: p.EntraObjectID}
	active := p.Active
	switch p.Kind {
	case scopevault.WorkspaceUser:
		r.UserName = p.Name
		r.Schemas = []string{schemaUser}
		r.Emails = []scimValue{{Value: p.Name, Primary: true, Type: "work"}}
		r.Active = &active
	case scopevault.WorkspaceServicePrincipal:
		r.ApplicationID = p.Name
		r.Schemas = []string{schemaSP}
		if asUser {
			r.UserName = p.Name
			r.Schemas = []string{schemaUser}
		}
		r.Active = &active
	case scopevault.WorkspaceGroup:
		r.Schemas = []string{schemaGroup}
		for _, m := range d.Members(p) {
			r.Members = append(r.Members, scimValue{Display: displayOf(m), Value: m.ID, Ref: refPath(m.Kind) + m.ID})
		}
	}
	if r.DisplayName == "" {
		r.DisplayName = p.Name
	}
	for _, g := range d.DirectGroups(p.ID) {
		r.Groups = append(r.Groups, scimValue{Display: g.Name, Value: g.ID, Type: "direct", Ref: "Groups/" + g.ID})
	}
	if p.Kind != scopevault.WorkspaceGroup {
		r.Entitlements = []scimValue{{Value: "workspace-access"}, {Value: "databricks-sql-access"}}
		if d.Admin(p.ID) {
			r.Entitlements = append(r.Entitlements, scimValue{Value: "allow-cluster-create"}, scimValue{Value: "allow-instance-pool-create"})
		}
	}
	return r
}

func displayOf(p *scopevault.WorkspacePrincipal) string {
	if p.DisplayName != "" {
		return p.DisplayName
	}
	return p.Name
}

// me is GET /api/2.0/preview/scim/v2/Me: the caller as a SCIM user.
func (h *Handler) me(w http.ResponseWriter, req *request) error {
	d, err := h.cfg.Workspaces.Directory(req.ctx(), req.workspace)
	if err != nil {
		return err
	}
	p := d.Principal(req.caller.Principal.ID)
	if p == nil {
		p = req.caller.Principal
	}
	httpx.WriteJSON(w, http.StatusOK, render(d, p, true))
	return nil
}

func (h *Handler) listUsers(w http.ResponseWriter, req *request) error {
	return h.listPrincipals(w, req, scopevault.WorkspaceUser)
}
func (h *Handler) listSPs(w http.ResponseWriter, req *request) error {
	return h.listPrincipals(w, req, scopevault.WorkspaceServicePrincipal)
}
func (h *Handler) listGroups(w http.ResponseWriter, req *request) error {
	return h.listPrincipals(w, req, scopevault.WorkspaceGroup)
}

// listPrincipals answers a SCIM list: filter, then page by startIndex
// (1-based) and count.
func (h *Handler) listPrincipals(w http.ResponseWriter, req *request, kind scopevault.WorkspacePrincipalKind) error {
	q := req.r.URL.Query()
	f, err := parseSCIMFilter(q.Get("filter"))
	if err != nil {
		return err
	}
	start, err := scimInt(q.Get("startIndex"), 1, "startIndex")
	if err != nil {
		return err
	}
	count, err := scimInt(q.Get("count"), maxSCIMResults, "count")
	if err != nil {
		return err
	}
	if start < 1 {
		start = 1
	}
	count = min(count, maxSCIMResults)
	if kind == scopevault.WorkspaceGroup {
		if err := h.cfg.Workspaces.EnsureBuiltins(req.ctx(), req.workspace); err != nil {
			return err
		}
	}
	d, err := h.cfg.Workspaces.Directory(req.ctx(), req.workspace)
	if err != nil {
		return err
	}
	var matched []*scopevault.WorkspacePrincipal
	for _, p := range d.List(kind) {
		if f == nil || f.match(filterAttrs(p)) {
			matched = append(matched, p)
		}
	}
	out := struct {
		TotalResults int            `json:"totalResults"`
		StartIndex   int            `json:"startIndex"`
		ItemsPerPage int            `json:"itemsPerPage"`
		Schemas      []string       `json:"schemas"`
		Resources    []scimResource `json:"Resources,omitempty"`
	}{TotalResults: len(matched), StartIndex: start, Schemas: []string{schemaList}}
	if start-1 < len(matched) {
		page := matched[start-1:]
		if len(page) > count {
			page = page[:count]
		}
		for _, p := range page {
			out.Resources = append(out.Resources, render(d, p, false))
		}
	}
	out.ItemsPerPage = len(out.Resources)
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func scimInt(s string, def int, name string) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "%s must be a non-negative integer.", name)
	}
	return n, nil
}

// filterAttrs exposes a principal's attributes to a filter.
func filterAttrs(p *scopevault.WorkspacePrincipal) func(string) (string, bool) {
	return func(name string) (string, bool) {
		switch name {
		case "id":
			return p.ID, true
		case "displayname":
			return displayOf(p), true
		case "externalid":
			return p.EntraObjectID, p.EntraObjectID != ""
		case "active":
			return strconv.FormatBool(p.Active), p.Kind != scopevault.WorkspaceGroup
		case "username", "emails", "emails.value":
			return p.Name, p.Kind == scopevault.WorkspaceUser
		case "applicationid":
			return p.Name, p.Kind == scopevault.WorkspaceServicePrincipal
		}
		return "", false
	}
}

func (h *Handler) createUser(w http.ResponseWriter, req *request) error {
	return h.createPrincipal(w, req, scopevault.WorkspaceUser)
}
func (h *Handler) createSP(w http.ResponseWriter, req *request) error {
	return h.createPrincipal(w, req, scopevault.WorkspaceServicePrincipal)
}
func (h *Handler) createGroup(w http.ResponseWriter, req *request) error {
	return h.createPrincipal(w, req, scopevault.WorkspaceGroup)
}

func (h *Handler) createPrincipal(w http.ResponseWriter, req *request, kind scopevault.WorkspacePrincipalKind) error {
	if !req.caller.Admin {
		return errSCIMNotAdmin()
	}
	var body scimRequest
	if err := readIdentityBody(req.r, &body); err != nil {
		return err
	}
	np := workspace.NewPrincipal{Kind: kind, DisplayName: body.DisplayName, Active: body.Active, Groups: scimIDs(body.Groups)}
	switch kind {
	case scopevault.WorkspaceUser:
		np.Name = body.UserName
	case scopevault.WorkspaceServicePrincipal:
		np.Name = body.ApplicationID
	case scopevault.WorkspaceGroup:
		np.Members = scimIDs(body.Members)
	}
	p, err := h.cfg.Workspaces.CreatePrincipal(req.ctx(), req.caller, np)
	if err != nil {
		return err
	}
	req.audit.Params = map[string]string{"id": p.ID, "name": clipParam(p.Name)}
	d, err := h.cfg.Workspaces.Directory(req.ctx(), req.workspace)
	if err != nil {
		return err
	}
	if cur := d.Principal(p.ID); cur != nil {
		p = cur
	}
	httpx.WriteJSON(w, http.StatusCreated, render(d, p, false))
	return nil
}

func errSCIMNotAdmin() error {
	return scopevault.Errorf(scopevault.EFORBIDDEN, "PERMISSION_DENIED", "Only workspace admins can manage users, service principals and groups.")
}

func (h *Handler) getUser(w http.ResponseWriter, req *request) error {
	return h.getPrincipal(w, req, scopevault.WorkspaceUser)
}
func (h *Handler) getSP(w http.ResponseWriter, req *request) error {
	return h.getPrincipal(w, req, scopevault.WorkspaceServicePrincipal)
}
func (h *Handler) getGroup(w http.ResponseWriter, req *request) error {
	return h.getPrincipal(w, req, scopevault.WorkspaceGroup)
}

func (h *Handler) getPrincipal(w http.ResponseWriter, req *request, kind scopevault.WorkspacePrincipalKind) error {
	d, err := h.cfg.Workspaces.Directory(req.ctx(), req.workspace)
	if err != nil {
		return err
	}
	p := d.Principal(req.pathID)
	if p == nil || p.Kind != kind {
		return errSCIMNotFound(kind, req.pathID)
	}
	httpx.WriteJSON(w, http.StatusOK, render(d, p, false))
	return nil
}

func errSCIMNotFound(kind scopevault.WorkspacePrincipalKind, id string) error {
	what := "User"
	switch kind {
	case scopevault.WorkspaceServicePrincipal:
		what = "Service Principal"
	case scopevault.WorkspaceGroup:
		what = "Group"
	}
	if len(id) > 64 {
		id = id[:64]
	}
	return scopevault.Errorf(scopevault.ENOTFOUND, "RESOURCE_DOES_NOT_EXIST", "%s with id %s not found.", what, id)
}

func (h *Handler) deleteUser(w http.ResponseWriter, req *request) error {
	return h.deletePrincipal(w, req, scopevault.WorkspaceUser)
}
func (h *Handler) deleteSP(w http.ResponseWriter, req *request) error {
	return h.deletePrincipal(w, req, scopevault.WorkspaceServicePrincipal)
}
func (h *Handler) deleteGroup(w http.ResponseWriter, req *request) error {
	return h.deletePrincipal(w, req, scopevault.WorkspaceGroup)
}

func (h *Handler) deletePrincipal(w http.ResponseWriter, req *request, kind scopevault.WorkspacePrincipalKind) error {
	if !req.caller.Admin {
		return errSCIMNotAdmin()
	}
	req.audit.Params = map[string]string{"id": clipParam(req.pathID)}
	if !workspace.ValidPrincipalID(req.pathID) {
		return errSCIMNotFound(kind, req.pathID)
	}
	if err := h.cfg.Workspaces.DeletePrincipal(req.ctx(), req.caller, kind, req.pathID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
