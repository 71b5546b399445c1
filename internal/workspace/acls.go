package workspace

import (
	"context"
	"slices"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// authorize decides whether c holds need on the scope e. Workspace admins
// manage every scope without an ACL entry of their own. Anyone else gets
// the most powerful permission among their own entry and the entries of
// every group they belong to (the users group included). Deny by default.
// The decision names what decided: "workspace admin", "acl <principal>:<PERM>",
// or "no ACL grants <PERM>".
func authorize(c *scopevault.WorkspaceCaller, e *scopeEntry, need scopevault.ScopePermission) (scopevault.Decision, error) {
	d := scopevault.Decision{Model: "acl", Action: string(need), Resource: e.scope.Name}
	if c != nil && c.Admin {
		d.Allowed, d.Rule = true, "workspace admin"
		return d, nil
	}
	var best scopevault.ScopeACL
	consider := func(name string) {
		if a, ok := e.acls[strings.ToLower(name)]; ok && a.Permission.Level() > best.Permission.Level() {
			best = a
		}
	}
	user := ""
	if c != nil && c.Principal != nil {
		user = c.Principal.Name
		consider(user)
		for _, g := range c.Groups {
			consider(g)
		}
	}
	if need.Level() > 0 && best.Permission.Level() >= need.Level() {
		d.Allowed, d.Rule = true, "acl "+best.Principal+":"+string(best.Permission)
		return d, nil
	}
	d.Rule = "no ACL grants " + string(need)
	if best.Permission != "" {
		d.Rule += " (best: acl " + best.Principal + ":" + string(best.Permission) + ")"
	}
	return d, scopevault.Errorf(scopevault.EFORBIDDEN, "PERMISSION_DENIED",
		"User %s does not have %s permission on scope %s to perform this action.", user, need, e.scope.Name)
}

// requireACLs refuses the ACL API on a workspace without Premium features.
func requireACLs(c *scopevault.WorkspaceCaller) error {
	if err := checkCaller(c); err != nil {
		return err
	}
	if !c.Workspace.Premium() {
		return scopevault.Errorf(scopevault.EFORBIDDEN, "PERMISSION_DENIED", "ACL is not supported in your workspace.")
	}
	return nil
}

// parsePermission reads an ACL permission (READ, WRITE or MANAGE, any case).
func parsePermission(p string) (scopevault.ScopePermission, error) {
	perm := scopevault.ScopePermission(strings.ToUpper(p))
	if perm.Level() == 0 {
		if p == "" {
			return "", errParam("Missing required field: permission")
		}
		return "", errParam("Invalid permission '%s': it must be READ, WRITE or MANAGE.", clip(p))
	}
	return perm, nil
}

func checkPrincipalField(p string) error {
	if p == "" {
		return errParam("Missing required field: principal")
	}
	return nil
}

func errACLNotFound(scope, principal string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "RESOURCE_DOES_NOT_EXIST",
		"ACL for principal %s does not exist on scope %s!", clip(principal), clip(scope))
}

// PutACL gives principal (a user's userName, a service principal's
// application id or a group's name, which must exist in the workspace) the
// permission on a scope, replacing any permission it had: put is an upsert,
// never a conflict. It needs MANAGE.
func (s *Service) PutACL(ctx context.Context, c *scopevault.WorkspaceCaller, scope, principal, permission string) (scopevault.Decision, error) {
	var d scopevault.Decision
	if err := requireACLs(c); err != nil {
		return d, err
	}
	if err := checkScopeName(scope); err != nil {
		return d, err
	}
	if err := checkPrincipalField(principal); err != nil {
		return d, err
	}
	perm, err := parsePermission(permission)
	if err != nil {
		return d, err
	}
	dir, err := s.Directory(ctx, c.Workspace)
	if err != nil {
		return d, err
	}
	ws := c.Workspace.WorkspaceID
	p := dir.Lookup(principal)
	err = s.update(ctx, func(tx store.Tx) error {
		e, err := loadScope(ctx, tx, ws, scope)
		if err != nil {
			return err
		}
		if d, err = authorize(c, e, scopevault.PermManage); err != nil {
			return err
		}
		name := ""
		switch {
		case p != nil:
			name = p.Name
		case strings.EqualFold(principal, scopevault.GroupUsers):
			name = scopevault.GroupUsers // built in, whether or not the directory lists it yet
		default:
			return errParam("Principal %s does not exist in this workspace: name a user by userName, a service principal by application id or a group by display name.", clip(principal))
		}
		return putJSON(ctx, tx, aclKey(ws, scope, name), scopevault.ScopeACL{Principal: name, Permission: perm})
	})
	return d, err
}

// DeleteACL removes principal's entry from a scope; it needs MANAGE.
func (s *Service) DeleteACL(ctx context.Context, c *scopevault.WorkspaceCaller, scope, principal string) (scopevault.Decision, error) {
	var d scopevault.Decision
	if err := requireACLs(c); err != nil {
		return d, err
	}
	if err := checkScopeName(scope); err != nil {
		return d, err
	}
	if err := checkPrincipalField(principal); err != nil {
		return d, err
	}
	ws := c.Workspace.WorkspaceID
	err := s.update(ctx, func(tx store.Tx) error {
		e, err := loadScope(ctx, tx, ws, scope)
		if err != nil {
			return err
		}
		if d, err = authorize(c, e, scopevault.PermManage); err != nil {
			return err
		}
		if _, ok := e.acls[strings.ToLower(principal)]; !ok {
			return errACLNotFound(e.scope.Name, principal)
		}
		return tx.Delete(ctx, aclKey(ws, scope, principal))
	})
	return d, err
}

// GetACL returns principal's entry on a scope; it needs MANAGE.
func (s *Service) GetACL(ctx context.Context, c *scopevault.WorkspaceCaller, scope, principal string) (scopevault.ScopeACL, scopevault.Decision, error) {
	var d scopevault.Decision
	e, err := s.aclScope(ctx, c, scope)
	if err != nil {
		return scopevault.ScopeACL{}, d, err
	}
	if err := checkPrincipalField(principal); err != nil {
		return scopevault.ScopeACL{}, d, err
	}
	if d, err = authorize(c, e, scopevault.PermManage); err != nil {
		return scopevault.ScopeACL{}, d, err
	}
	a, ok := e.acls[strings.ToLower(principal)]
	if !ok {
		return scopevault.ScopeACL{}, d, errACLNotFound(e.scope.Name, principal)
	}
	return a, d, nil
}

// ListACLs returns a scope's entries by principal; it needs MANAGE.
// Workspace admins' implicit MANAGE is not an entry and is not listed.
func (s *Service) ListACLs(ctx context.Context, c *scopevault.WorkspaceCaller, scope string) ([]scopevault.ScopeACL, scopevault.Decision, error) {
	var d scopevault.Decision
	e, err := s.aclScope(ctx, c, scope)
	if err != nil {
		return nil, d, err
	}
	if d, err = authorize(c, e, scopevault.PermManage); err != nil {
		return nil, d, err
	}
	out := make([]scopevault.ScopeACL, 0, len(e.acls))
	for _, a := range e.acls {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b scopevault.ScopeACL) int {
		return strings.Compare(strings.ToLower(a.Principal), strings.ToLower(b.Principal))
	})
	return out, d, nil
}

// aclScope checks the tier and the name and returns the scope from the
// snapshot, for the ACL reads.
func (s *Service) aclScope(ctx context.Context, c *scopevault.WorkspaceCaller, scope string) (*scopeEntry, error) {
	if err := requireACLs(c); err != nil {
		return nil, err
	}
	if err := checkScopeName(scope); err != nil {
		return nil, err
	}
	set, err := s.scopeSnapshot(ctx, c.Workspace.WorkspaceID)
	if err != nil {
		return nil, err
	}
	return set.lookup(scope)
}
