package workspace

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Directory is a read-only snapshot of one workspace's identities and
// personal access tokens. Authentication runs on every request, so the
// snapshot is cached per workspace and rebuilt only when something under
// ws/ changed (store.Cached on the "ws" segment); a revoked token or a
// removed member therefore stops working on the very next request. Nothing
// returned by a Directory may be modified.
type Directory struct {
	ws       int64
	byID     map[string]*scopevault.WorkspacePrincipal
	byName   map[string]*scopevault.WorkspacePrincipal  // nameKey
	parents  map[string][]string                        // member id -> ids of groups directly holding it
	groups   map[string][]string                        // principal id -> names of all its groups, users included
	tokens   map[string]*scopevault.PersonalAccessToken // by hash
	ordered  []*scopevault.WorkspacePrincipal           // by creation, then id
	adminsID string
	usersID  string
}

// dirCache holds one cached Directory per workspace.
type dirCache struct {
	mu sync.Mutex
	m  map[int64]*store.Cached[*Directory]
}

func (c *dirCache) entry(ws int64) *store.Cached[*Directory] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]*store.Cached[*Directory]{}
	}
	e := c.m[ws]
	if e == nil {
		e = &store.Cached[*Directory]{}
		c.m[ws] = e
	}
	return e
}

func (c *dirCache) drop(ws int64) {
	c.mu.Lock()
	delete(c.m, ws)
	c.mu.Unlock()
}

// Directory returns the current snapshot of ws's identities.
func (s *Service) Directory(ctx context.Context, ws *scopevault.Workspace) (*Directory, error) {
	if ws == nil {
		return nil, scopevault.Errorf(scopevault.EINTERNAL, "", "workspace: no workspace")
	}
	id := ws.WorkspaceID
	return s.dirs.entry(id).Get(s.store, "ws", func() (*Directory, error) { return s.loadDirectory(ctx, id) })
}

func (s *Service) loadDirectory(ctx context.Context, ws int64) (*Directory, error) {
	d := &Directory{
		ws:      ws,
		byID:    map[string]*scopevault.WorkspacePrincipal{},
		byName:  map[string]*scopevault.WorkspacePrincipal{},
		parents: map[string][]string{},
		groups:  map[string][]string{},
		tokens:  map[string]*scopevault.PersonalAccessToken{},
	}
	err := s.view(ctx, func(tx store.Tx) error {
		kvs, err := tx.List(ctx, principalPrefix(ws), "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			var p scopevault.WorkspacePrincipal
			if err := getJSON(ctx, tx, kv.Key, &p); err != nil {
				return err
			}
			d.byID[p.ID] = &p
			d.byName[nameKey(p.Kind, p.Name)] = &p
			d.ordered = append(d.ordered, &p)
		}
		kvs, err = tx.List(ctx, tokenPrefix(ws), "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			var t scopevault.PersonalAccessToken
			if err := getJSON(ctx, tx, kv.Key, &t); err != nil {
				return err
			}
			d.tokens[t.Hash] = &t
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(d.ordered, func(a, b *scopevault.WorkspacePrincipal) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if g := d.byName[nameKey(scopevault.WorkspaceGroup, scopevault.GroupAdmins)]; g != nil {
		d.adminsID = g.ID
	}
	if g := d.byName[nameKey(scopevault.WorkspaceGroup, scopevault.GroupUsers)]; g != nil {
		d.usersID = g.ID
	}
	for _, p := range d.ordered {
		if p.Kind != scopevault.WorkspaceGroup {
			continue
		}
		for _, m := range p.Members {
			d.parents[m] = append(d.parents[m], p.ID)
		}
	}
	for _, p := range d.ordered {
		d.groups[p.ID] = d.closure(p.ID)
	}
	return d, nil
}

// closure is the names of every group id belongs to, through nested
// groups, plus the implicit users group for users and service principals;
// sorted.
func (d *Directory) closure(id string) []string {
	seen := map[string]bool{}
	queue := []string{id}
	var names []string
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, g := range d.parents[cur] {
			if seen[g] || g == id {
				continue
			}
			seen[g] = true
			queue = append(queue, g)
			if gp := d.byID[g]; gp != nil {
				names = append(names, gp.Name)
			}
		}
	}
	if p := d.byID[id]; p != nil && p.Kind != scopevault.WorkspaceGroup && !slices.Contains(names, scopevault.GroupUsers) {
		names = append(names, scopevault.GroupUsers)
	}
	slices.Sort(names)
	return names
}

// Principal returns the principal with id, or nil.
func (d *Directory) Principal(id string) *scopevault.WorkspacePrincipal { return d.byID[id] }

// ByName returns the principal of kind named name (case-insensitive), or nil.
func (d *Directory) ByName(kind scopevault.WorkspacePrincipalKind, name string) *scopevault.WorkspacePrincipal {
	return d.byName[nameKey(kind, name)]
}

// Lookup resolves an ACL principal string: a group display name, a user's
// userName or a service principal's application id, in that order.
func (d *Directory) Lookup(name string) *scopevault.WorkspacePrincipal {
	for _, k := range []scopevault.WorkspacePrincipalKind{scopevault.WorkspaceGroup, scopevault.WorkspaceUser, scopevault.WorkspaceServicePrincipal} {
		if p := d.byName[nameKey(k, name)]; p != nil {
			return p
		}
	}
	return nil
}

// List returns the principals of kind in creation order.
func (d *Directory) List(kind scopevault.WorkspacePrincipalKind) []*scopevault.WorkspacePrincipal {
	var out []*scopevault.WorkspacePrincipal
	for _, p := range d.ordered {
		if p.Kind == kind {
			out = append(out, p)
		}
	}
	return out
}

// Groups returns the names of every group id belongs to (transitively, the
// implicit users group included), sorted.
func (d *Directory) Groups(id string) []string { return d.groups[id] }

// DirectGroups returns the groups directly holding id (users included for
// users and service principals), in creation order.
func (d *Directory) DirectGroups(id string) []*scopevault.WorkspacePrincipal {
	var out []*scopevault.WorkspacePrincipal
	p := d.byID[id]
	for _, g := range d.ordered {
		if g.Kind != scopevault.WorkspaceGroup {
			continue
		}
		if slices.Contains(g.Members, id) || (g.ID == d.usersID && p != nil && p.Kind != scopevault.WorkspaceGroup) {
			out = append(out, g)
		}
	}
	return out
}

// Members returns a group's direct members; the users group holds every
// user and service principal.
func (d *Directory) Members(g *scopevault.WorkspacePrincipal) []*scopevault.WorkspacePrincipal {
	var out []*scopevault.WorkspacePrincipal
	if g.ID == d.usersID {
		for _, p := range d.ordered {
			if p.Kind != scopevault.WorkspaceGroup {
				out = append(out, p)
			}
		}
		return out
	}
	for _, m := range g.Members {
		if p := d.byID[m]; p != nil {
			out = append(out, p)
		}
	}
	return out
}

// Admin reports whether id belongs to the admins group.
func (d *Directory) Admin(id string) bool {
	return slices.Contains(d.groups[id], scopevault.GroupAdmins)
}

// caller builds the workspace caller of principal p.
func (d *Directory) caller(ws *scopevault.Workspace, p *scopevault.WorkspacePrincipal) *scopevault.WorkspaceCaller {
	g := d.groups[p.ID]
	return &scopevault.WorkspaceCaller{Workspace: ws, Principal: p, Groups: g, Admin: slices.Contains(g, scopevault.GroupAdmins)}
}
