package arm

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/authz"
)

// Wire shapes of Microsoft.Authorization/roleAssignments (api-version 2022-04-01).

type assignmentPropsJSON struct {
	RoleDefinitionID                   string  `json:"roleDefinitionId"`
	PrincipalID                        string  `json:"principalId"`
	PrincipalType                      string  `json:"principalType"`
	Scope                              string  `json:"scope"`
	Description                        *string `json:"description"`
	Condition                          *string `json:"condition"`
	ConditionVersion                   *string `json:"conditionVersion"`
	CreatedOn                          string  `json:"createdOn"`
	UpdatedOn                          string  `json:"updatedOn"`
	CreatedBy                          *string `json:"createdBy"`
	UpdatedBy                          *string `json:"updatedBy"`
	DelegatedManagedIdentityResourceID *string `json:"delegatedManagedIdentityResourceId"`
}

type assignmentJSON struct {
	ID         string              `json:"id"`
	Type       string              `json:"type"`
	Name       string              `json:"name"`
	Properties assignmentPropsJSON `json:"properties"`
}

type assignmentIn struct {
	Properties *struct {
		RoleDefinitionID *string `json:"roleDefinitionId"`
		PrincipalID      *string `json:"principalId"`
		PrincipalType    *string `json:"principalType"`
		Description      *string `json:"description"`
		Condition        *string `json:"condition"`
		ConditionVersion *string `json:"conditionVersion"`
	} `json:"properties"`
}

// roleDefinitionID is the tenant-level form ARM normalizes responses to.
func roleDefinitionID(guid string) string {
	return "/" + segProviders + "/" + nsAuthorization + "/" + typeRoleDefs + "/" + guid
}

// armPrincipalType is how ARM names a principal kind: managed identities are service principals.
func armPrincipalType(k scopevault.PrincipalKind) string {
	if k == scopevault.KindManagedIdentity {
		return string(scopevault.KindServicePrincipal)
	}
	return string(k)
}

func renderAssignment(ra scopevault.RoleAssignment) assignmentJSON {
	created := ra.Created.UTC().Format(time.RFC3339Nano)
	p := assignmentPropsJSON{
		RoleDefinitionID: roleDefinitionID(authz.RoleGUID(ra.RoleDefinitionID)),
		PrincipalID:      ra.PrincipalID, PrincipalType: armPrincipalType(ra.PrincipalType), Scope: ra.Scope,
		CreatedOn: created, UpdatedOn: created,
	}
	if ra.Description != "" {
		d := ra.Description
		p.Description = &d
	}
	if ra.CreatedBy != "" {
		by := ra.CreatedBy
		p.CreatedBy, p.UpdatedBy = &by, &by
	}
	return assignmentJSON{ID: authz.AssignmentID(ra), Type: "Microsoft.Authorization/roleAssignments", Name: ra.Name, Properties: p}
}

func sameScope(a, b string) bool {
	trim := func(s string) string {
		if s == "/" {
			return s
		}
		return strings.TrimRight(s, "/")
	}
	return strings.EqualFold(trim(a), trim(b))
}

// putAssignment creates (201) or idempotently re-puts (200) an assignment.
func (h *Handler) putAssignment(w http.ResponseWriter, req *request) error {
	var in assignmentIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	p := in.Properties
	if p == nil || p.RoleDefinitionID == nil || strings.TrimSpace(*p.RoleDefinitionID) == "" {
		return scopevault.Errorf(scopevault.EINVALID, "InvalidRoleDefinitionId", "The parameter 'properties.roleDefinitionId' is required.")
	}
	if p.PrincipalID == nil || strings.TrimSpace(*p.PrincipalID) == "" {
		return scopevault.Errorf(scopevault.EINVALID, "InvalidPrincipalId", "The parameter 'properties.principalId' is required.")
	}
	if err := h.authorizeAssignment(req, req.route.scope, *p.RoleDefinitionID); err != nil {
		return err
	}
	if p.Condition != nil && *p.Condition != "" {
		// Ignoring a condition would grant more than asked for.
		return scopevault.Errorf(scopevault.EINVALID, "InvalidCondition", "Role assignment conditions are not supported by scopevault.")
	}
	if err := h.scopeExists(req, req.route.scope); err != nil {
		return err
	}
	kind, err := h.principalKind(req, *p.PrincipalID, p.PrincipalType)
	if err != nil {
		return err
	}
	ra := scopevault.RoleAssignment{
		Name: req.route.name, Scope: req.route.scope, RoleDefinitionID: *p.RoleDefinitionID,
		PrincipalID: strings.ToLower(strings.TrimSpace(*p.PrincipalID)), PrincipalType: kind, CreatedBy: req.caller.ObjectID,
	}
	if p.Description != nil {
		ra.Description = *p.Description
	}
	ra, created, err := h.cfg.Authz.CreateAssignment(req.ctx(), ra)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, renderAssignment(ra))
	return nil
}

// authorizeAssignment checks a role-assignment write or delete with the role
// in question, so conditional grants limit which roles may be assigned.
func (h *Handler) authorizeAssignment(req *request, scope, roleID string) error {
	d, err := h.cfg.Authz.AuthorizeRoleAssignment(req.ctx(), req.caller, req.spec.Action, scope, roleID)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return denied(req.caller, req.spec.Action, scope)
	}
	return nil
}

var principalTypes = map[string]scopevault.PrincipalKind{
	"user": scopevault.KindUser, "group": scopevault.KindGroup, "serviceprincipal": scopevault.KindServicePrincipal,
}

// principalKind looks the principal up in the caller's directory and checks
// a stated principalType against it, as ARM does.
func (h *Handler) principalKind(req *request, principalID string, stated *string) (scopevault.PrincipalKind, error) {
	pr, err := h.cfg.Identity.GetPrincipal(req.ctx(), req.caller.TenantID, strings.TrimSpace(principalID))
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return "", scopevault.Errorf(scopevault.EINVALID, "PrincipalNotFound",
			"Principal %s does not exist in the directory %s. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype",
			clip(principalID), req.caller.TenantID)
	}
	if err != nil {
		return "", err
	}
	if stated != nil && *stated != "" {
		if _, ok := principalTypes[strings.ToLower(*stated)]; !ok {
			return "", scopevault.Errorf(scopevault.EINVALID, "InvalidPrincipalType",
				"The principal type '%s' is not valid. Valid types are 'User', 'Group' and 'ServicePrincipal'.", clip(*stated))
		}
		if !strings.EqualFold(*stated, armPrincipalType(pr.Kind)) {
			return "", scopevault.Errorf(scopevault.EINVALID, "UnmatchedPrincipalType",
				"The PrincipalId '%s' has type '%s' , which is different from specified PrincipalType '%s'.", pr.ObjectID, armPrincipalType(pr.Kind), clip(*stated))
		}
	}
	return pr.Kind, nil
}

// scopeExists checks that what a scope names exists: its subscription
// (checked by the pipeline), resource group and vault. A secret, key or
// certificate below a vault need not exist yet.
func (h *Handler) scopeExists(req *request, scope string) error {
	segs := segments(scope)
	if len(segs) <= 2 {
		return nil
	}
	notFound := scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound", "The resource at scope '%s' was not found.", clip(scope))
	if !eq(segs[2], segResourceGroups) || len(segs) < 4 {
		return notFound
	}
	g, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, segs[3])
	if err != nil || len(segs) == 4 {
		return err
	}
	if len(segs) < 8 || !eq(segs[4], segProviders) || !eq(segs[5], nsKeyVault) || !eq(segs[6], typeVaults) {
		return notFound
	}
	v, err := h.cfg.Engine.Vault(req.ctx(), segs[7])
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND ||
		err == nil && (!strings.EqualFold(v.SubscriptionID, g.SubscriptionID) || !strings.EqualFold(v.ResourceGroup, g.Name)) {
		return errVaultNotFound(segs[7], g.Name)
	}
	if err != nil {
		return err
	}
	switch {
	case len(segs) == 8:
		return nil
	case len(segs) == 10 && slices.ContainsFunc([]string{"secrets", "keys", "certificates"}, func(t string) bool { return eq(segs[8], t) }):
		return nil
	}
	return notFound
}

func (h *Handler) getAssignment(w http.ResponseWriter, req *request) error {
	ra, err := h.cfg.Authz.GetAssignment(req.ctx(), req.route.name)
	if err != nil {
		return err
	}
	if !sameScope(ra.Scope, req.route.scope) {
		return errAssignmentNotFound(req.route.name)
	}
	writeJSON(w, http.StatusOK, renderAssignment(ra))
	return nil
}

func errAssignmentNotFound(name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "RoleAssignmentNotFound", "The role assignment '%s' is not found.", clip(name))
}

// deleteAssignment answers 200 with the deleted assignment, or 204 when
// there was none (after the same authorization, so the status reveals
// nothing to a caller who may not delete there).
func (h *Handler) deleteAssignment(w http.ResponseWriter, req *request) error {
	ra, err := h.cfg.Authz.GetAssignment(req.ctx(), req.route.name)
	found := err == nil && sameScope(ra.Scope, req.route.scope)
	if err != nil && scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		return err
	}
	role := ""
	if found {
		role = ra.RoleDefinitionID
	}
	if err := h.authorizeAssignment(req, req.route.scope, role); err != nil {
		return err
	}
	if !found {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	ra, err = h.cfg.Authz.DeleteAssignment(req.ctx(), ra.Name)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderAssignment(ra))
	return nil
}

// listAssignments supports $filter=atScope(), principalId eq '{id}' and
// assignedTo('{id}') (the principal or any group it belongs to), joined by "and".
func (h *Handler) listAssignments(w http.ResponseWriter, req *request) error {
	f := authz.ListFilter{Scope: req.route.scope}
	var assignedTo []string
	if s := req.r.URL.Query().Get("$filter"); s != "" {
		terms, err := parseFilter(s)
		if err != nil {
			return err
		}
		for _, t := range terms {
			switch {
			case t.Name == "atscope" && t.Call && !t.HasV:
				f.AtScope = true
			case t.Name == "principalid" && !t.Call:
				f.PrincipalID = t.Value
			case t.Name == "assignedto" && t.Call && t.HasV:
				groups, err := h.cfg.Identity.GroupsOf(req.ctx(), req.caller.TenantID, t.Value)
				if err != nil {
					return err
				}
				assignedTo = append(groups, t.Value)
			default:
				return errFilter(s)
			}
		}
	}
	ras, err := h.cfg.Authz.ListAssignments(req.ctx(), f)
	if err != nil {
		return err
	}
	out := listJSON[assignmentJSON]{Value: []assignmentJSON{}}
	for _, ra := range ras {
		if assignedTo != nil && !slices.ContainsFunc(assignedTo, func(id string) bool { return strings.EqualFold(id, ra.PrincipalID) }) {
			continue
		}
		out.Value = append(out.Value, renderAssignment(ra))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
