package rm

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Azure Databricks workspaces (Microsoft.Databricks/workspaces). The record
// is the ARM resource; what a workspace holds (principals, tokens, scopes)
// lives in internal/workspace under ws/{WorkspaceID}/.
//
//	arm/workspaces/{sub}/{group}/{name}   scopevault.Workspace (lower-cased path)
//	arm/wsaddrs/{address}                 the key of the workspace listening there
//
// Vault addresses are kept by internal/secrets under arm/vaultaddrs/; the two
// allocators skip each other's addresses, so one loopback address never
// serves both a vault and a workspace.

const (
	workspacesPrefix = "arm/workspaces/"
	wsAddrPrefix     = "arm/wsaddrs/"
	// vaultAddrPrefix is internal/secrets' address table, read here only to
	// avoid its addresses.
	vaultAddrPrefix = "arm/vaultaddrs/"
)

// firstWorkspaceAddr is where workspace API addresses start (vaults start at
// 127.1.0.1): each workspace gets its own loopback address, so its URL works
// with no DNS setup.
var firstWorkspaceAddr = netip.MustParseAddr("127.2.0.1")

// Workspace ids are 16 decimal digits, as Azure's are.
var (
	minWorkspaceID = big.NewInt(1_000_000_000_000_000)
	spanWorkspace  = big.NewInt(9_000_000_000_000_000)
)

func workspacesSubPrefix(sub string) string { return workspacesPrefix + strings.ToLower(sub) + "/" }

func workspaceKey(sub, group, name string) string {
	return workspacesSubPrefix(sub) + strings.ToLower(group) + "/" + scopevault.WorkspaceKey(name)
}

func errWorkspaceNotFound(group, name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound",
		"The Resource 'Microsoft.Databricks/workspaces/%s' under resource group '%s' was not found.", clipName(name), clipName(group))
}

func clipName(s string) string {
	if len(s) > 128 {
		return s[:128] + "..."
	}
	return s
}

// CreateOrUpdateWorkspace stores ws. A new workspace gets its id, address
// and creation time here; an existing one keeps them (and its name's
// casing, creator and creation time) and takes the other fields from ws.
// created reports which it was.
func (m *Manager) CreateOrUpdateWorkspace(ctx context.Context, ws scopevault.Workspace) (out *scopevault.Workspace, created bool, err error) {
	if !scopevault.ValidWorkspaceName(ws.Name) {
		return nil, false, scopevault.Errorf(scopevault.EINVALID, "InvalidWorkspaceName", "The workspace name '%s' is invalid.", clipName(ws.Name))
	}
	now := m.Now().UTC()
	key := workspaceKey(ws.SubscriptionID, ws.ResourceGroup, ws.Name)
	err = m.update(ctx, func(tx store.Tx) error {
		if err := checkInjection(ctx, tx, &ws, key); err != nil {
			return err
		}
		var old scopevault.Workspace
		err := getWorkspace(ctx, tx, key, &old)
		switch {
		case err == nil:
			ws.Name, ws.WorkspaceID, ws.Address = old.Name, old.WorkspaceID, old.Address
			ws.Created, ws.CreatedBy, ws.CreatedByApp = old.Created, old.CreatedBy, old.CreatedByApp
		case errors.Is(err, store.ErrNotFound):
			created = true
			if ws.WorkspaceID, err = newWorkspaceID(ctx, tx); err != nil {
				return err
			}
			addr, err := nextWorkspaceAddr(ctx, tx)
			if err != nil {
				return err
			}
			ws.Address = addr.String()
			if err := tx.Put(ctx, wsAddrPrefix+ws.Address, []byte(key)); err != nil {
				return err
			}
			ws.Created = now
		default:
			return err
		}
		ws.Updated = now
		b, err := json.Marshal(ws)
		if err != nil {
			return err
		}
		return tx.Put(ctx, key, b)
	})
	if err != nil {
		return nil, false, err
	}
	return &ws, created, nil
}

func getWorkspace(ctx context.Context, tx store.Tx, key string, ws *scopevault.Workspace) error {
	raw, err := tx.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, ws)
}

// newWorkspaceID draws a random 16-digit id no workspace has.
func newWorkspaceID(ctx context.Context, tx store.Tx) (int64, error) {
	all, err := listWorkspaces(ctx, tx, workspacesPrefix)
	if err != nil {
		return 0, err
	}
	used := make(map[int64]bool, len(all))
	for _, w := range all {
		used[w.WorkspaceID] = true
	}
	for range 100 {
		n, err := rand.Int(rand.Reader, spanWorkspace)
		if err != nil {
			return 0, err
		}
		id := n.Add(n, minWorkspaceID).Int64()
		if !used[id] {
			return id, nil
		}
	}
	return 0, errors.New("rm: no free workspace id")
}

// nextWorkspaceAddr returns the lowest loopback address from 127.2.0.1 that
// neither a workspace nor a vault holds.
func nextWorkspaceAddr(ctx context.Context, tx store.Tx) (netip.Addr, error) {
	taken := map[string]bool{}
	for _, prefix := range []string{wsAddrPrefix, vaultAddrPrefix} {
		kvs, err := tx.List(ctx, prefix, "", 0)
		if err != nil {
			return netip.Addr{}, err
		}
		for _, kv := range kvs {
			taken[strings.TrimPrefix(kv.Key, prefix)] = true
		}
	}
	for a := firstWorkspaceAddr; a.Is4() && a.As4()[0] == 127; a = a.Next() {
		b := a.As4()
		if b[3] == 0 || b[3] == 255 || taken[a.String()] {
			continue
		}
		return a, nil
	}
	return netip.Addr{}, scopevault.Errorf(scopevault.ECONFLICT, "", "no loopback address left for a new workspace")
}

// Workspace returns one workspace of a resource group.
func (m *Manager) Workspace(ctx context.Context, sub, group, name string) (*scopevault.Workspace, error) {
	var ws scopevault.Workspace
	err := m.view(ctx, func(tx store.Tx) error { return getWorkspace(ctx, tx, workspaceKey(sub, group, name), &ws) })
	if errors.Is(err, store.ErrNotFound) {
		return nil, errWorkspaceNotFound(group, name)
	}
	if err != nil {
		return nil, err
	}
	return &ws, nil
}

// workspaceIndex is every workspace by id and by address: the workspace API
// resolves its workspace on every request, so this is cached until something
// under arm/ changes.
type workspaceIndex struct {
	byID   map[int64]*scopevault.Workspace
	byAddr map[string]*scopevault.Workspace
}

func (m *Manager) workspaceIndex(ctx context.Context) (*workspaceIndex, error) {
	return m.workspaces.Get(m.store, "arm", func() (*workspaceIndex, error) {
		all, err := m.ListAllWorkspaces(ctx)
		if err != nil {
			return nil, err
		}
		idx := &workspaceIndex{byID: map[int64]*scopevault.Workspace{}, byAddr: map[string]*scopevault.Workspace{}}
		for _, w := range all {
			idx.byID[w.WorkspaceID] = w
			if w.Address != "" {
				idx.byAddr[w.Address] = w
			}
		}
		return idx, nil
	})
}

// WorkspaceByID returns the workspace with a numeric id. The result is a copy.
func (m *Manager) WorkspaceByID(ctx context.Context, id int64) (*scopevault.Workspace, error) {
	idx, err := m.workspaceIndex(ctx)
	if err != nil {
		return nil, err
	}
	w, ok := idx.byID[id]
	if !ok {
		return nil, scopevault.Errorf(scopevault.ENOTFOUND, "WorkspaceNotFound", "No workspace has the id %d.", id)
	}
	return copyWorkspace(w), nil
}

// WorkspaceByAddress returns the workspace listening on addr. The result is a copy.
func (m *Manager) WorkspaceByAddress(ctx context.Context, addr netip.Addr) (*scopevault.Workspace, error) {
	idx, err := m.workspaceIndex(ctx)
	if err != nil {
		return nil, err
	}
	w, ok := idx.byAddr[addr.Unmap().String()]
	if !ok {
		return nil, scopevault.Errorf(scopevault.ENOTFOUND, "WorkspaceNotFound", "No workspace is served at %s.", addr)
	}
	return copyWorkspace(w), nil
}

// copyWorkspace copies what a caller could mutate, so the cached index stays intact.
func copyWorkspace(w *scopevault.Workspace) *scopevault.Workspace {
	cp := *w
	if w.Tags != nil {
		cp.Tags = make(map[string]string, len(w.Tags))
		for k, v := range w.Tags {
			cp.Tags[k] = v
		}
	}
	if w.Parameters != nil {
		cp.Parameters = make(map[string]json.RawMessage, len(w.Parameters))
		for k, v := range w.Parameters {
			cp.Parameters[k] = append(json.RawMessage(nil), v...)
		}
	}
	return &cp
}

// ListWorkspaces returns a subscription's workspaces, or one group's when
// group is not "".
func (m *Manager) ListWorkspaces(ctx context.Context, sub, group string) ([]*scopevault.Workspace, error) {
	prefix := workspacesSubPrefix(sub)
	if group != "" {
		prefix += strings.ToLower(group) + "/"
	}
	var out []*scopevault.Workspace
	err := m.view(ctx, func(tx store.Tx) error {
		var err error
		out, err = listWorkspaces(ctx, tx, prefix)
		return err
	})
	return out, err
}

// ListAllWorkspaces returns every workspace of every subscription.
func (m *Manager) ListAllWorkspaces(ctx context.Context) ([]*scopevault.Workspace, error) {
	var out []*scopevault.Workspace
	err := m.view(ctx, func(tx store.Tx) error {
		var err error
		out, err = listWorkspaces(ctx, tx, workspacesPrefix)
		return err
	})
	return out, err
}

func listWorkspaces(ctx context.Context, tx store.Tx, prefix string) ([]*scopevault.Workspace, error) {
	kvs, err := tx.List(ctx, prefix, "", 0)
	if err != nil {
		return nil, err
	}
	out := make([]*scopevault.Workspace, 0, len(kvs))
	for _, kv := range kvs {
		var w scopevault.Workspace
		if err := json.Unmarshal(kv.Value, &w); err != nil {
			return nil, fmt.Errorf("rm: workspace %s: %w", kv.Key, err)
		}
		out = append(out, &w)
	}
	return out, nil
}

// DeleteWorkspace removes a workspace record and frees its address, and
// returns the record so the caller can drop what the workspace held.
func (m *Manager) DeleteWorkspace(ctx context.Context, sub, group, name string) (*scopevault.Workspace, error) {
	var ws scopevault.Workspace
	key := workspaceKey(sub, group, name)
	err := m.update(ctx, func(tx store.Tx) error {
		if err := getWorkspace(ctx, tx, key, &ws); err != nil {
			return err
		}
		if ws.Address != "" {
			if err := tx.Delete(ctx, wsAddrPrefix+ws.Address); err != nil {
				return err
			}
		}
		return tx.Delete(ctx, key)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, errWorkspaceNotFound(group, name)
	}
	if err != nil {
		return nil, err
	}
	return &ws, nil
}
