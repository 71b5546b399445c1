package workspace

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Limits of a workspace's identities.
const (
	MaxPrincipals   = 10000 // users, service principals and groups together
	MaxGroupMembers = 10000
	maxNameLen      = 256
)

func wsPrefix(ws int64) string { return "ws/" + strconv.FormatInt(ws, 10) + "/" }

func principalPrefix(ws int64) string         { return wsPrefix(ws) + "p/" }
func principalKey(ws int64, id string) string { return principalPrefix(ws) + id }

// nameKey is the case-insensitive identity of a principal among its kind.
func nameKey(kind scopevault.WorkspacePrincipalKind, name string) string {
	return strings.ToLower(string(kind)) + "/" + strings.ToLower(name)
}

func principalNameKey(ws int64, kind scopevault.WorkspacePrincipalKind, name string) string {
	return wsPrefix(ws) + "pn/" + nameKey(kind, name)
}

// newPrincipalID is a random 16-digit id, the shape SCIM ids take in Databricks.
func newPrincipalID() string {
	var b [8]byte
	rand.Read(b[:])
	n := binary.BigEndian.Uint64(b[:])%9_000_000_000_000_000 + 1_000_000_000_000_000
	return strconv.FormatUint(n, 10)
}

// ValidPrincipalID reports whether id has the shape of a principal id
// (digits only), so that a path segment never reaches a store key unchecked.
func ValidPrincipalID(id string) bool {
	if id == "" || len(id) > 20 {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func errPrincipalNotFound(kind scopevault.WorkspacePrincipalKind, id string) error {
	what := "User"
	switch kind {
	case scopevault.WorkspaceServicePrincipal:
		what = "Service Principal"
	case scopevault.WorkspaceGroup:
		what = "Group"
	}
	return scopevault.Errorf(scopevault.ENOTFOUND, "RESOURCE_DOES_NOT_EXIST", "%s with id %s not found.", what, clip(id))
}

func errNotAdmin() error {
	return scopevault.Errorf(scopevault.EFORBIDDEN, "PERMISSION_DENIED", "Only workspace admins can manage users, service principals and groups.")
}

// clip bounds a client-supplied string quoted back in a message.
func clip(s string) string {
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// checkName validates a userName or group display name.
func checkName(what, name string) error {
	if strings.TrimSpace(name) == "" {
		return scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "%s must be specified.", what)
	}
	if len(name) > maxNameLen || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "%s must be at most %d printable characters.", what, maxNameLen)
	}
	return nil
}

// requireAdmin refuses a caller who is not a workspace admin.
func requireAdmin(c *scopevault.WorkspaceCaller) error {
	if c == nil || !c.Admin {
		return errNotAdmin()
	}
	return nil
}

// ensureBuiltins creates the admins and users groups of ws if missing.
func (s *Service) ensureBuiltins(ctx context.Context, tx store.Tx, ws int64) error {
	for _, name := range []string{scopevault.GroupAdmins, scopevault.GroupUsers} {
		_, err := tx.Get(ctx, principalNameKey(ws, scopevault.WorkspaceGroup, name))
		if err == nil {
			continue
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		g := &scopevault.WorkspacePrincipal{Kind: scopevault.WorkspaceGroup, Name: name, DisplayName: name, Active: true}
		if err := s.insertPrincipal(ctx, tx, ws, g); err != nil {
			return err
		}
	}
	return nil
}

// insertPrincipal stores a new principal and its name index, giving it a
// fresh id. A taken name is RESOURCE_ALREADY_EXISTS.
func (s *Service) insertPrincipal(ctx context.Context, tx store.Tx, ws int64, p *scopevault.WorkspacePrincipal) error {
	nk := principalNameKey(ws, p.Kind, p.Name)
	if _, err := tx.Get(ctx, nk); err == nil {
		return errExists(p.Kind, p.Name)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	n, err := tx.List(ctx, principalPrefix(ws), "", MaxPrincipals+1)
	if err != nil {
		return err
	}
	if len(n) >= MaxPrincipals {
		return scopevault.Errorf(scopevault.EINVALID, "RESOURCE_LIMIT_EXCEEDED", "The workspace has reached its limit of %d users, service principals and groups.", MaxPrincipals)
	}
	for {
		p.ID = newPrincipalID()
		if _, err := tx.Get(ctx, principalKey(ws, p.ID)); errors.Is(err, store.ErrNotFound) {
			break
		} else if err != nil {
			return err
		}
	}
	if p.Created.IsZero() {
		p.Created = s.now()
	}
	if err := putJSON(ctx, tx, principalKey(ws, p.ID), p); err != nil {
		return err
	}
	return tx.Put(ctx, nk, []byte(p.ID))
}

func errExists(kind scopevault.WorkspacePrincipalKind, name string) error {
	switch kind {
	case scopevault.WorkspaceUser:
		return scopevault.Errorf(scopevault.ECONFLICT, "RESOURCE_ALREADY_EXISTS", "User with username %s already exists.", clip(name))
	case scopevault.WorkspaceServicePrincipal:
		return scopevault.Errorf(scopevault.ECONFLICT, "RESOURCE_ALREADY_EXISTS", "Service principal with application ID %s already exists.", clip(name))
	}
	return scopevault.Errorf(scopevault.ECONFLICT, "RESOURCE_ALREADY_EXISTS", "Group with name %s already exists.", clip(name))
}

func (s *Service) getPrincipal(ctx context.Context, tx store.Tx, ws int64, id string) (*scopevault.WorkspacePrincipal, error) {
	if !ValidPrincipalID(id) {
		return nil, store.ErrNotFound
	}
	var p scopevault.WorkspacePrincipal
	if err := getJSON(ctx, tx, principalKey(ws, id), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

func (s *Service) principalByName(ctx context.Context, tx store.Tx, ws int64, kind scopevault.WorkspacePrincipalKind, name string) (*scopevault.WorkspacePrincipal, error) {
	id, err := tx.Get(ctx, principalNameKey(ws, kind, name))
	if err != nil {
		return nil, err
	}
	return s.getPrincipal(ctx, tx, ws, string(id))
}

// addToGroup adds member to the group named name (no-op if already there).
func (s *Service) addToGroup(ctx context.Context, tx store.Tx, ws int64, group, member string) error {
	g, err := s.principalByName(ctx, tx, ws, scopevault.WorkspaceGroup, group)
	if err != nil {
		return err
	}
	if slices.Contains(g.Members, member) {
		return nil
	}
	g.Members = append(g.Members, member)
	return putJSON(ctx, tx, principalKey(ws, g.ID), g)
}

// NewPrincipal is what SCIM creates: a user (Name = userName), a service
// principal (Name = application id, generated when empty) or a group
// (Name = display name). Groups are the ids of groups to join; Members the
// ids of a new group's members.
type NewPrincipal struct {
	Kind        scopevault.WorkspacePrincipalKind
	Name        string
	DisplayName string
	Active      *bool
	Groups      []string
	Members     []string
}

// CreatePrincipal creates a user, service principal or group (admins only).
// A user is linked to the tenant's Entra user of the same UPN, a service
// principal to the Entra service principal of its application id, when
// one exists.
func (s *Service) CreatePrincipal(ctx context.Context, c *scopevault.WorkspaceCaller, np NewPrincipal) (*scopevault.WorkspacePrincipal, error) {
	if err := requireAdmin(c); err != nil {
		return nil, err
	}
	ws := c.Workspace
	p := &scopevault.WorkspacePrincipal{Kind: np.Kind, Name: strings.TrimSpace(np.Name), DisplayName: np.DisplayName, Active: true}
	if np.Active != nil {
		p.Active = *np.Active
	}
	switch np.Kind {
	case scopevault.WorkspaceUser:
		if err := checkName("userName", p.Name); err != nil {
			return nil, err
		}
		if s.Identity != nil {
			if e, err := s.Identity.PrincipalByUPN(ctx, ws.TenantID, p.Name); err == nil {
				p.EntraObjectID = e.ObjectID
				if p.DisplayName == "" {
					p.DisplayName = e.DisplayName
				}
			}
		}
	case scopevault.WorkspaceServicePrincipal:
		if p.Name == "" {
			p.Name = scopevault.NewGUID()
		}
		if !scopevault.ValidGUID(p.Name) {
			return nil, scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "applicationId %s is not a valid application id.", clip(p.Name))
		}
		p.Name = strings.ToLower(p.Name)
		if s.Identity != nil {
			if e, err := s.Identity.PrincipalByAppID(ctx, ws.TenantID, p.Name); err == nil {
				p.EntraObjectID = e.ObjectID
				if p.DisplayName == "" {
					p.DisplayName = e.DisplayName
				}
			}
		}
	case scopevault.WorkspaceGroup:
		p.Name = np.DisplayName
		if p.Name == "" {
			p.Name = np.Name
		}
		if err := checkName("displayName", p.Name); err != nil {
			return nil, err
		}
		p.DisplayName = p.Name
	default:
		return nil, scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "Unknown principal kind.")
	}
	if p.DisplayName != "" {
		if err := checkName("displayName", p.DisplayName); err != nil {
			return nil, err
		}
	}
	if len(np.Members) > MaxGroupMembers || len(np.Groups) > MaxGroupMembers {
		return nil, scopevault.Errorf(scopevault.EINVALID, "RESOURCE_LIMIT_EXCEEDED", "A group has at most %d members.", MaxGroupMembers)
	}
	err := s.update(ctx, func(tx store.Tx) error {
		if err := s.ensureBuiltins(ctx, tx, ws.WorkspaceID); err != nil {
			return err
		}
		if p.Kind == scopevault.WorkspaceGroup {
			members, err := s.checkMembers(ctx, tx, ws.WorkspaceID, np.Members)
			if err != nil {
				return err
			}
			p.Members = members
		}
		if err := s.insertPrincipal(ctx, tx, ws.WorkspaceID, p); err != nil {
			return err
		}
		for _, gid := range np.Groups {
			g, err := s.getPrincipal(ctx, tx, ws.WorkspaceID, gid)
			if errors.Is(err, store.ErrNotFound) || (err == nil && g.Kind != scopevault.WorkspaceGroup) {
				return errPrincipalNotFound(scopevault.WorkspaceGroup, gid)
			} else if err != nil {
				return err
			}
			if err := s.addToGroup(ctx, tx, ws.WorkspaceID, g.Name, p.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// checkMembers resolves member ids, each of which must name a principal;
// duplicates are dropped.
func (s *Service) checkMembers(ctx context.Context, tx store.Tx, ws int64, ids []string) ([]string, error) {
	var out []string
	for _, id := range ids {
		if slices.Contains(out, id) {
			continue
		}
		if _, err := s.getPrincipal(ctx, tx, ws, id); errors.Is(err, store.ErrNotFound) {
			return nil, scopevault.Errorf(scopevault.ENOTFOUND, "RESOURCE_DOES_NOT_EXIST", "Member with id %s not found.", clip(id))
		} else if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// DeletePrincipal deletes a user, service principal or group of kind
// (admins only). A user or service principal loses its tokens and group
// memberships; the built-in groups cannot be deleted.
func (s *Service) DeletePrincipal(ctx context.Context, c *scopevault.WorkspaceCaller, kind scopevault.WorkspacePrincipalKind, id string) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	ws := c.Workspace.WorkspaceID
	return s.update(ctx, func(tx store.Tx) error {
		p, err := s.getPrincipal(ctx, tx, ws, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && p.Kind != kind) {
			return errPrincipalNotFound(kind, id)
		} else if err != nil {
			return err
		}
		if p.Kind == scopevault.WorkspaceGroup && (p.Name == scopevault.GroupAdmins || p.Name == scopevault.GroupUsers) {
			return scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "The built-in group %s cannot be deleted.", p.Name)
		}
		// Remove it from every group holding it.
		kvs, err := tx.List(ctx, principalPrefix(ws), "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			var g scopevault.WorkspacePrincipal
			if err := getJSON(ctx, tx, kv.Key, &g); err != nil {
				return err
			}
			if g.Kind != scopevault.WorkspaceGroup || !slices.Contains(g.Members, id) {
				continue
			}
			g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return m == id })
			if err := putJSON(ctx, tx, kv.Key, &g); err != nil {
				return err
			}
		}
		if err := s.deleteTokensOf(ctx, tx, ws, id); err != nil {
			return err
		}
		if err := tx.Delete(ctx, principalNameKey(ws, p.Kind, p.Name)); err != nil {
			return err
		}
		return tx.Delete(ctx, principalKey(ws, id))
	})
}

// PrincipalUpdate is what SCIM PUT replaces on a user or service principal:
// its display name and whether it is active. Name, when given, must be the
// principal's own userName or application id: neither can change.
type PrincipalUpdate struct {
	Name        string
	DisplayName string
	Active      *bool
}

// UpdatePrincipal replaces a user's or service principal's display name and
// active flag (admins only). An inactive principal cannot authenticate.
func (s *Service) UpdatePrincipal(ctx context.Context, c *scopevault.WorkspaceCaller, kind scopevault.WorkspacePrincipalKind, id string, u PrincipalUpdate) (*scopevault.WorkspacePrincipal, error) {
	if err := requireAdmin(c); err != nil {
		return nil, err
	}
	if kind == scopevault.WorkspaceGroup {
		return nil, scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "Use PatchGroup to change a group.")
	}
	if u.DisplayName != "" {
		if err := checkName("displayName", u.DisplayName); err != nil {
			return nil, err
		}
	}
	ws := c.Workspace.WorkspaceID
	var out *scopevault.WorkspacePrincipal
	err := s.update(ctx, func(tx store.Tx) error {
		p, err := s.getPrincipal(ctx, tx, ws, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && p.Kind != kind) {
			return errPrincipalNotFound(kind, id)
		} else if err != nil {
			return err
		}
		if n := strings.TrimSpace(u.Name); n != "" && !strings.EqualFold(n, p.Name) {
			what := "userName"
			if kind == scopevault.WorkspaceServicePrincipal {
				what = "applicationId"
			}
			return scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", "%s cannot be changed.", what)
		}
		p.DisplayName = u.DisplayName
		if u.Active != nil {
			p.Active = *u.Active
		}
		out = p
		return putJSON(ctx, tx, principalKey(ws, id), p)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
