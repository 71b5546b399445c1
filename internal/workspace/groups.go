package workspace

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// GroupPatch changes a group's members: Replace (when non-nil) sets them,
// then Add and Remove apply.
type GroupPatch struct {
	Add, Remove []string
	Replace     *[]string
	DisplayName string
}

// PatchGroup changes a group's members or name (admins only). Members of the
// built-in users group are implicit: every user and service principal.
func (s *Service) PatchGroup(ctx context.Context, c *scopevault.WorkspaceCaller, id string, patch GroupPatch) (*scopevault.WorkspacePrincipal, error) {
	if err := requireAdmin(c); err != nil {
		return nil, err
	}
	ws := c.Workspace.WorkspaceID
	var out *scopevault.WorkspacePrincipal
	err := s.update(ctx, func(tx store.Tx) error {
		g, err := s.getPrincipal(ctx, tx, ws, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && g.Kind != scopevault.WorkspaceGroup) {
			return errPrincipalNotFound(scopevault.WorkspaceGroup, id)
		} else if err != nil {
			return err
		}
		builtin := g.Name == scopevault.GroupAdmins || g.Name == scopevault.GroupUsers
		if patch.DisplayName != "" && patch.DisplayName != g.Name {
			if builtin {
				return scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "The built-in group %s cannot be renamed.", g.Name)
			}
			if err := checkName("displayName", patch.DisplayName); err != nil {
				return err
			}
			nk := principalNameKey(ws, g.Kind, patch.DisplayName)
			if !strings.EqualFold(patch.DisplayName, g.Name) {
				if _, err := tx.Get(ctx, nk); err == nil {
					return errExists(g.Kind, patch.DisplayName)
				}
			}
			if err := tx.Delete(ctx, principalNameKey(ws, g.Kind, g.Name)); err != nil {
				return err
			}
			if err := tx.Put(ctx, nk, []byte(g.ID)); err != nil {
				return err
			}
			g.Name, g.DisplayName = patch.DisplayName, patch.DisplayName
		}
		if g.Name == scopevault.GroupUsers {
			// Membership of users is implicit; explicit changes are accepted and ignored.
			out = g
			return putJSON(ctx, tx, principalKey(ws, g.ID), g)
		}
		if patch.Replace != nil {
			m, err := s.checkMembers(ctx, tx, ws, *patch.Replace)
			if err != nil {
				return err
			}
			g.Members = m
		}
		add, err := s.checkMembers(ctx, tx, ws, patch.Add)
		if err != nil {
			return err
		}
		for _, m := range add {
			if m == g.ID {
				return scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "A group cannot be a member of itself.")
			}
			if !slices.Contains(g.Members, m) {
				g.Members = append(g.Members, m)
			}
		}
		g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return slices.Contains(patch.Remove, m) })
		if len(g.Members) > MaxGroupMembers {
			return scopevault.Errorf(scopevault.EINVALID, "RESOURCE_LIMIT_EXCEEDED", "A group has at most %d members.", MaxGroupMembers)
		}
		if g.Name == scopevault.GroupAdmins && len(g.Members) == 0 {
			return scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "The admins group must keep at least one member.")
		}
		out = g
		return putJSON(ctx, tx, principalKey(ws, g.ID), g)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EnsureBuiltins creates the workspace's admins and users groups if they
// do not exist yet (SCIM reads call it so that the groups always show).
func (s *Service) EnsureBuiltins(ctx context.Context, ws *scopevault.Workspace) error {
	d, err := s.Directory(ctx, ws)
	if err != nil {
		return err
	}
	if d.adminsID != "" && d.usersID != "" {
		return nil
	}
	return s.update(ctx, func(tx store.Tx) error { return s.ensureBuiltins(ctx, tx, ws.WorkspaceID) })
}
