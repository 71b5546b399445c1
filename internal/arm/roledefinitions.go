package arm

import (
	"net/http"
	"slices"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
)

// Wire shapes of Microsoft.Authorization/roleDefinitions (api-version 2022-04-01).

type permissionJSON struct {
	Actions        []string `json:"actions"`
	NotActions     []string `json:"notActions"`
	DataActions    []string `json:"dataActions"`
	NotDataActions []string `json:"notDataActions"`
}

type roleDefPropsJSON struct {
	RoleName         string           `json:"roleName"`
	Type             string           `json:"type"`
	Description      string           `json:"description"`
	AssignableScopes []string         `json:"assignableScopes"`
	Permissions      []permissionJSON `json:"permissions"`
}

type roleDefJSON struct {
	ID         string           `json:"id"`
	Name       string           `json:"name"`
	Type       string           `json:"type"`
	Properties roleDefPropsJSON `json:"properties"`
}

// renderRole renders a role as read at scope; its id hangs off that scope.
func renderRole(def scopevault.RoleDefinition, scope string) roleDefJSON {
	kind := "CustomRole"
	if def.BuiltIn {
		kind = "BuiltInRole"
	}
	p := roleDefPropsJSON{RoleName: def.RoleName, Type: kind, Description: def.Description,
		AssignableScopes: orEmpty(def.AssignableScopes), Permissions: []permissionJSON{}}
	for _, x := range def.Permissions {
		p.Permissions = append(p.Permissions, permissionJSON{
			Actions: orEmpty(x.Actions), NotActions: orEmpty(x.NotActions),
			DataActions: orEmpty(x.DataActions), NotDataActions: orEmpty(x.NotDataActions),
		})
	}
	prefix := strings.TrimRight(scope, "/")
	return roleDefJSON{ID: prefix + roleDefinitionID(def.ID), Name: def.ID, Type: "Microsoft.Authorization/roleDefinitions", Properties: p}
}

func (h *Handler) getRole(w http.ResponseWriter, req *request) error {
	def, err := h.cfg.Authz.GetRole(req.ctx(), req.route.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderRole(def, req.route.scope))
	return nil
}

// listRoles lists the roles assignable at the scope; $filter may name a
// role (roleName eq '...') or a kind (type eq 'BuiltInRole'|'CustomRole').
func (h *Handler) listRoles(w http.ResponseWriter, req *request) error {
	name, kind := "", ""
	if s := req.r.URL.Query().Get("$filter"); s != "" {
		terms, err := parseFilter(s)
		if err != nil {
			return err
		}
		for _, t := range terms {
			switch {
			case t.Name == "rolename" && !t.Call:
				name = t.Value
			case t.Name == "type" && !t.Call:
				kind = t.Value
			default:
				return errFilter(s)
			}
		}
	}
	defs, err := h.cfg.Authz.ListRoles(req.ctx(), name)
	if err != nil {
		return err
	}
	out := listJSON[roleDefJSON]{Value: []roleDefJSON{}}
	for _, def := range defs {
		r := renderRole(def, req.route.scope)
		if kind != "" && !strings.EqualFold(kind, r.Properties.Type) {
			continue
		}
		if req.route.scope != "/" && !slices.ContainsFunc(def.AssignableScopes, func(s string) bool { return authz.IsAncestorOrSelf(s, req.route.scope) }) {
			continue
		}
		out.Value = append(out.Value, r)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
