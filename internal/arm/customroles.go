package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// Custom role definitions: PUT and DELETE
// /{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}
// (api-version 2022-04-01). As in Azure, writing a custom role needs
// roleDefinitions/write (delete: /delete) at every one of its assignable
// scopes, old and new, not only at the URL's scope; a custom role cannot be
// assignable at the root "/"; role names are unique in the directory.

type roleDefIn struct {
	Properties *struct {
		RoleName         *string          `json:"roleName"`
		Description      *string          `json:"description"`
		Type             *string          `json:"type"`
		AssignableScopes []string         `json:"assignableScopes"`
		Permissions      []permissionJSON `json:"permissions"`
	} `json:"properties"`
}

func errRoleDefinition(format string, args ...any) error {
	return scopevault.Errorf(scopevault.EINVALID, "InvalidRoleDefinition", format, args...)
}

// putRole creates or updates a custom role. ARM answers 201 to both, and
// that is the only status armauthorization accepts.
func (h *Handler) putRole(w http.ResponseWriter, req *request) error {
	var in roleDefIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	p := in.Properties
	switch {
	case p == nil:
		return errRoleDefinition("The parameter 'properties' is required.")
	case p.RoleName == nil || strings.TrimSpace(*p.RoleName) == "":
		return errRoleDefinition("The parameter 'properties.roleName' is required.")
	case p.Type != nil && *p.Type != "" && !strings.EqualFold(*p.Type, "CustomRole"):
		return errRoleDefinition("The role type '%s' is not valid: only custom roles can be written.", clip(*p.Type))
	case len(p.AssignableScopes) == 0:
		return errRoleDefinition("The role definition must have at least one assignable scope.")
	}
	def := scopevault.RoleDefinition{ID: req.route.name, RoleName: strings.TrimSpace(*p.RoleName), AssignableScopes: []string{}}
	if p.Description != nil {
		def.Description = *p.Description
	}
	for _, s := range p.AssignableScopes {
		s, err := h.assignableScope(req, s)
		if err != nil {
			return err
		}
		def.AssignableScopes = append(def.AssignableScopes, s)
	}
	for _, x := range p.Permissions {
		perm := scopevault.Permission{Actions: x.Actions, NotActions: x.NotActions, DataActions: x.DataActions, NotDataActions: x.NotDataActions}
		for _, list := range [][]string{perm.Actions, perm.NotActions, perm.DataActions, perm.NotDataActions} {
			for _, a := range list {
				if strings.TrimSpace(a) == "" || strings.ContainsAny(a, " \t\r\n") || len(a) > 512 {
					return scopevault.Errorf(scopevault.EINVALID, "InvalidActionOrNotAction",
						"'%s' is not a valid action: actions are provider operation names such as 'Microsoft.KeyVault/vaults/read'.", clip(a))
				}
			}
		}
		def.Permissions = append(def.Permissions, perm)
	}
	old, err := h.cfg.Authz.GetRole(req.ctx(), req.route.name)
	if err != nil && scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		return err
	}
	scopes := def.AssignableScopes
	if err == nil && !old.BuiltIn {
		scopes = append(append([]string{}, scopes...), old.AssignableScopes...)
	}
	for _, s := range scopes {
		if err := h.authorize(req, s); err != nil {
			return err
		}
	}
	def, _, err = h.cfg.Authz.CreateOrUpdateRole(req.ctx(), def)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, renderRole(def, req.route.scope))
	return nil
}

// assignableScope checks one assignable scope of a custom role: a
// subscription of the caller's tenant or something below it, never "/".
func (h *Handler) assignableScope(req *request, s string) (string, error) {
	segs := segments(s)
	if !strings.HasPrefix(s, "/") || len(segs) < 2 || !eq(segs[0], segSubscriptions) {
		return "", scopevault.Errorf(scopevault.EINVALID, "InvalidAssignableScope",
			"The assignable scope '%s' is not valid: a custom role is assignable at subscriptions, resource groups or resources, not at the root.", clip(s))
	}
	sub, err := h.cfg.RM.Subscription(req.ctx(), segs[1])
	if err == nil && !strings.EqualFold(sub.TenantID, req.caller.TenantID) {
		err = scopevault.Errorf(scopevault.ENOTFOUND, "SubscriptionNotFound", "The subscription '%s' could not be found.", clip(segs[1]))
	}
	if err != nil {
		return "", err
	}
	return "/" + strings.Join(segs, "/"), nil
}

// deleteRole answers 200 with the deleted role, or 204 when there was none.
// A role still assigned somewhere is refused (409 RoleDefinitionHasAssignments).
func (h *Handler) deleteRole(w http.ResponseWriter, req *request) error {
	def, err := h.cfg.Authz.GetRole(req.ctx(), req.route.name)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err != nil {
		return err
	}
	if !def.BuiltIn {
		for _, s := range def.AssignableScopes {
			if err := h.authorize(req, s); err != nil {
				return err
			}
		}
	}
	def, err = h.cfg.Authz.DeleteRole(req.ctx(), req.route.name)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderRole(def, req.route.scope))
	return nil
}
