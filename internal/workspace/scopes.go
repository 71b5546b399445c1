package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"sync"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Limits of the Secrets API (Databricks' documented limits).
const (
	MaxScopes          = 1000       // secret scopes per workspace
	MaxSecretsPerScope = 1000       // secrets per Databricks-backed scope
	MaxSecretValue     = 128 * 1024 // bytes of one secret value
)

var (
	scopeNameRE = regexp.MustCompile(`^[A-Za-z0-9_\-.@]{1,128}$`)
	secretKeyRE = regexp.MustCompile(`^[A-Za-z0-9_\-.]{1,128}$`)
)

// Store keys of scopes, their ACLs and their secrets (service.go's layout).
// Secrets live apart from scopes, so loading the scope snapshot never reads
// a secret, and their metadata apart from their values, so listing a scope
// never opens a value.
func scopePrefix(ws int64) string             { return wsPrefix(ws) + "s/" }
func scopeKey(ws int64, scope string) string  { return scopePrefix(ws) + scopevault.ScopeKey(scope) }
func aclPrefix(ws int64, scope string) string { return scopeKey(ws, scope) + "/acl/" }
func aclKey(ws int64, scope, principal string) string {
	return aclPrefix(ws, scope) + strings.ToLower(principal)
}
func secretMetaPrefix(ws int64, scope string) string {
	return wsPrefix(ws) + "k/" + scopevault.ScopeKey(scope) + "/"
}
func secretValuePrefix(ws int64, scope string) string {
	return wsPrefix(ws) + "v/" + scopevault.ScopeKey(scope) + "/"
}

// NewScope is a create-scope request as the wire received it.
type NewScope struct {
	Name string
	// InitialManagePrincipal is "" (the creator gets MANAGE) or "users".
	InitialManagePrincipal string
	// Backend is scope_backend_type: "" or DATABRICKS, or AZURE_KEYVAULT.
	Backend  string
	KeyVault *scopevault.KeyVaultMetadata
}

// scopeEntry is one scope with its ACL entries (by lower-cased principal).
type scopeEntry struct {
	scope scopevault.SecretScope
	acls  map[string]scopevault.ScopeACL
}

// scopeSet is a read-only snapshot of one workspace's scopes and ACLs.
// Nothing in it may be modified.
type scopeSet struct {
	byKey   map[string]*scopeEntry
	ordered []*scopeEntry // by lower-cased name
}

func (set *scopeSet) lookup(name string) (*scopeEntry, error) {
	if e := set.byKey[scopevault.ScopeKey(name)]; e != nil {
		return e, nil
	}
	return nil, errScopeNotFound(name)
}

// scopeCache holds one snapshot per workspace, rebuilt when anything under
// ws/ changed (store.Cached on the "ws" segment): a read through a scope
// costs no store transaction for the scope and its ACLs, and a change is
// seen by the very next request.
type scopeCache struct {
	mu sync.Mutex
	m  map[int64]*store.Cached[*scopeSet]
}

func (c *scopeCache) entry(ws int64) *store.Cached[*scopeSet] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]*store.Cached[*scopeSet]{}
	}
	e := c.m[ws]
	if e == nil {
		e = &store.Cached[*scopeSet]{}
		c.m[ws] = e
	}
	return e
}

// scopeSnapshot returns the current snapshot of ws's scopes.
func (s *Service) scopeSnapshot(ctx context.Context, ws int64) (*scopeSet, error) {
	return s.scopes.entry(ws).Get(s.store, "ws", func() (*scopeSet, error) {
		set := &scopeSet{byKey: map[string]*scopeEntry{}}
		err := s.view(ctx, func(tx store.Tx) error {
			var err error
			set.ordered, err = loadScopes(ctx, tx, ws, "")
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, e := range set.ordered {
			set.byKey[scopevault.ScopeKey(e.scope.Name)] = e
		}
		return set, nil
	})
}

// loadScopes reads the scopes under ws whose key starts with name ("" for
// all) and their ACLs. Keys sort a scope right before its ACLs
// ("s/a" < "s/a/acl/..." < "s/a.b").
func loadScopes(ctx context.Context, tx store.Tx, ws int64, name string) ([]*scopeEntry, error) {
	prefix := scopePrefix(ws)
	kvs, err := tx.List(ctx, prefix+name, "", 0)
	if err != nil {
		return nil, err
	}
	var out []*scopeEntry
	byKey := map[string]*scopeEntry{}
	for _, kv := range kvs {
		key, principal, isACL := strings.Cut(strings.TrimPrefix(kv.Key, prefix), "/acl/")
		if isACL {
			var a scopevault.ScopeACL
			if err := json.Unmarshal(kv.Value, &a); err != nil {
				return nil, scopevault.Errorf(scopevault.EINTERNAL, "", "workspace: decode ACL %s: %v", kv.Key, err)
			}
			if e := byKey[key]; e != nil && principal != "" {
				e.acls[principal] = a
			}
			continue
		}
		e := &scopeEntry{acls: map[string]scopevault.ScopeACL{}}
		if err := json.Unmarshal(kv.Value, &e.scope); err != nil {
			return nil, scopevault.Errorf(scopevault.EINTERNAL, "", "workspace: decode scope %s: %v", kv.Key, err)
		}
		byKey[key] = e
		out = append(out, e)
	}
	return out, nil
}

// loadScope reads one scope and its ACLs inside a transaction (the writes
// decide on what the transaction sees, not on the snapshot).
func loadScope(ctx context.Context, tx store.Tx, ws int64, name string) (*scopeEntry, error) {
	var e scopeEntry
	switch err := getJSON(ctx, tx, scopeKey(ws, name), &e.scope); {
	case errors.Is(err, store.ErrNotFound):
		return nil, errScopeNotFound(name)
	case err != nil:
		return nil, err
	}
	kvs, err := tx.List(ctx, aclPrefix(ws, name), "", 0)
	if err != nil {
		return nil, err
	}
	e.acls = make(map[string]scopevault.ScopeACL, len(kvs))
	for _, kv := range kvs {
		var a scopevault.ScopeACL
		if err := json.Unmarshal(kv.Value, &a); err != nil {
			return nil, scopevault.Errorf(scopevault.EINTERNAL, "", "workspace: decode ACL %s: %v", kv.Key, err)
		}
		e.acls[strings.TrimPrefix(kv.Key, aclPrefix(ws, name))] = a
	}
	return &e, nil
}

// CreateScope creates a secret scope; any workspace user may. The creator
// gets MANAGE, unless InitialManagePrincipal is "users": then the users
// group gets MANAGE and the creator no entry of its own. A standard-tier
// workspace accepts only "users". An AZURE_KEYVAULT scope is checked
// against its vault first (keyvault.go).
func (s *Service) CreateScope(ctx context.Context, c *scopevault.WorkspaceCaller, ns NewScope) (scopevault.Decision, error) {
	d := scopevault.Decision{Model: "acl", Action: "CREATE", Resource: ns.Name, Allowed: true, Rule: "any workspace user may create a scope"}
	if c == nil || c.Workspace == nil || c.Principal == nil {
		return scopevault.Decision{}, scopevault.Errorf(scopevault.EINTERNAL, "", "workspace: no caller")
	}
	if err := checkScopeName(ns.Name); err != nil {
		return d, err
	}
	imp := ns.InitialManagePrincipal
	if !c.Workspace.Premium() && !strings.EqualFold(imp, scopevault.GroupUsers) {
		return d, scopevault.Errorf(scopevault.EINVALID, "BAD_REQUEST",
			`Premium Tier is disabled in this workspace. Secret scopes can only be created with initial_manage_principal "users".`)
	}
	if imp != "" && !strings.EqualFold(imp, scopevault.GroupUsers) {
		return d, errParam(`Invalid initial_manage_principal '%s': the only supported value is "users".`, clip(imp))
	}
	backend := scopevault.ScopeBackend(strings.ToUpper(ns.Backend))
	switch backend {
	case "":
		backend = scopevault.BackendDatabricks
	case scopevault.BackendDatabricks, scopevault.BackendAzureKeyVault:
	default:
		return d, errParam("Invalid scope_backend_type '%s': it must be DATABRICKS or AZURE_KEYVAULT.", clip(ns.Backend))
	}
	ws := c.Workspace.WorkspaceID
	set, err := s.scopeSnapshot(ctx, ws)
	if err != nil {
		return d, err
	}
	if _, err := set.lookup(ns.Name); err == nil {
		return d, errScopeExists(ns.Name)
	}
	sc := scopevault.SecretScope{Name: ns.Name, Backend: backend, CreatedBy: c.Principal.Name, Created: s.now()}
	if backend == scopevault.BackendAzureKeyVault {
		// Databricks acts on the vault for the creator (it may add an
		// access policy), so the vault is checked before the scope exists.
		if sc.KeyVault, err = s.prepareKeyVaultScope(ctx, c, ns.KeyVault); err != nil {
			return d, err
		}
	}
	acl := scopevault.ScopeACL{Principal: c.Principal.Name, Permission: scopevault.PermManage}
	if imp != "" {
		acl.Principal = scopevault.GroupUsers
	}
	err = s.update(ctx, func(tx store.Tx) error {
		if _, err := tx.Get(ctx, scopeKey(ws, ns.Name)); err == nil {
			return errScopeExists(ns.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		all, err := loadScopes(ctx, tx, ws, "")
		if err != nil {
			return err
		}
		if limit := orDefault(s.ScopeLimit, MaxScopes); len(all) >= limit {
			return scopevault.Errorf(scopevault.EINVALID, "RESOURCE_LIMIT_EXCEEDED",
				"This workspace already holds the maximum of %d secret scopes; delete one before creating another.", limit)
		}
		if err := putJSON(ctx, tx, scopeKey(ws, ns.Name), sc); err != nil {
			return err
		}
		return putJSON(ctx, tx, aclKey(ws, ns.Name, acl.Principal), acl)
	})
	return d, err
}

// ListScopes returns every scope of the workspace by name: scope names are
// readable by every user.
func (s *Service) ListScopes(ctx context.Context, c *scopevault.WorkspaceCaller) ([]scopevault.SecretScope, error) {
	if c == nil || c.Workspace == nil {
		return nil, scopevault.Errorf(scopevault.EINTERNAL, "", "workspace: no caller")
	}
	set, err := s.scopeSnapshot(ctx, c.Workspace.WorkspaceID)
	if err != nil {
		return nil, err
	}
	out := make([]scopevault.SecretScope, 0, len(set.ordered))
	for _, e := range set.ordered {
		sc := e.scope
		if sc.KeyVault != nil {
			kv := *sc.KeyVault
			sc.KeyVault = &kv
		}
		out = append(out, sc)
	}
	return out, nil
}

// DeleteScope deletes a scope with its secrets and ACLs; it needs MANAGE.
// A Key Vault-backed scope's vault and its secrets stay as they are.
func (s *Service) DeleteScope(ctx context.Context, c *scopevault.WorkspaceCaller, name string) (scopevault.Decision, error) {
	var d scopevault.Decision
	if c == nil || c.Workspace == nil {
		return d, scopevault.Errorf(scopevault.EINTERNAL, "", "workspace: no caller")
	}
	if err := checkScopeName(name); err != nil {
		return d, err
	}
	ws := c.Workspace.WorkspaceID
	err := s.update(ctx, func(tx store.Tx) error {
		e, err := loadScope(ctx, tx, ws, name)
		if err != nil {
			return err
		}
		if d, err = authorize(c, e, scopevault.PermManage); err != nil {
			return err
		}
		for _, prefix := range []string{aclPrefix(ws, name), secretMetaPrefix(ws, name), secretValuePrefix(ws, name)} {
			if err := deletePrefix(ctx, tx, prefix); err != nil {
				return err
			}
		}
		return tx.Delete(ctx, scopeKey(ws, name))
	})
	return d, err
}

func orDefault(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

func deletePrefix(ctx context.Context, tx store.Tx, prefix string) error {
	for {
		kvs, err := tx.List(ctx, prefix, "", 1000)
		if err != nil || len(kvs) == 0 {
			return err
		}
		for _, kv := range kvs {
			if err := tx.Delete(ctx, kv.Key); err != nil {
				return err
			}
		}
	}
}

func checkScopeName(name string) error {
	if name == "" {
		return errParam("Missing required field: scope")
	}
	if !scopeNameRE.MatchString(name) {
		return errParam("Invalid scope name '%s': it must be 1 to 128 characters long and contain only alphanumeric characters, dashes, underscores, periods and '@'.", clip(name))
	}
	return nil
}

func checkSecretKey(key string) error {
	if key == "" {
		return errParam("Missing required field: key")
	}
	if !secretKeyRE.MatchString(key) {
		return errParam("Invalid secret key '%s': it must be 1 to 128 characters long and contain only alphanumeric characters, dashes, underscores and periods.", clip(key))
	}
	return nil
}

func errParam(format string, args ...any) error {
	return scopevault.Errorf(scopevault.EINVALID, "INVALID_PARAMETER_VALUE", format, args...)
}

func errScopeNotFound(name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "RESOURCE_DOES_NOT_EXIST", "Scope %s does not exist!", clip(name))
}

func errScopeExists(name string) error {
	return scopevault.Errorf(scopevault.ECONFLICT, "RESOURCE_ALREADY_EXISTS", "Scope %s already exists!", clip(name))
}
