// Package workspace is the Databricks workspace engine: workspace users,
// service principals and groups, personal access tokens, secret scopes on
// both backends, their secrets and ACLs. It enforces Databricks' rules and
// limits and returns *scopevault.Error; it knows nothing of HTTP
// (internal/databricks renders the wire).
//
// A Key Vault-backed scope reads its vault as the AzureDatabricks first-party
// service principal through the shared access pipeline (internal/access):
// the network gate and the vault's authorization decide, as for any caller.
//
// Layout under the store (values sealed by the barrier), {ws} the numeric
// workspace id, names lower-cased (all are case-insensitive):
//
//	ws/{ws}/p/{id}                 scopevault.WorkspacePrincipal
//	ws/{ws}/pn/{kind}/{name}       principal id by name (index)
//	ws/{ws}/t/{id}                 scopevault.PersonalAccessToken
//	ws/tokens/{sha256 hex}         "{ws}/{token id}" (PAT index by hash; authentication reads the cached Directory)
//	ws/{ws}/s/{scope}              scopevault.SecretScope
//	ws/{ws}/s/{scope}/acl/{name}   scopevault.ScopeACL
//	ws/{ws}/k/{scope}/{key}        scope secret's key and update time (listing never opens a value)
//	ws/{ws}/v/{scope}/{key}        scope secret's value (raw bytes)
package workspace

import (
	"context"
	"encoding/json"
	"time"

	"github.com/scopevault/scopevault/internal/access"
	"github.com/scopevault/scopevault/internal/audit"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/rm"
	"github.com/scopevault/scopevault/internal/secrets"
	"github.com/scopevault/scopevault/internal/store"
)

// Service is the workspace engine. Build it with New.
type Service struct {
	store   store.Store
	barrier *barrier.Barrier
	// Vaults is the Key Vault engine Key Vault-backed scopes read from.
	Vaults *secrets.Engine
	// Access is the shared access path Key Vault-backed reads pass.
	Access *access.Pipeline
	// Identity is the directory (Entra tokens, the AzureDatabricks principal).
	Identity *identity.Service
	// Authz decides management actions (is an Entra caller an owner of the
	// workspace; may a scope creator write a vault's access policies).
	Authz *authz.Authorizer
	// Audit takes the records of the control plane's own vault reads
	// (Key Vault-backed scopes); nil keeps none.
	Audit audit.Recorder
	// RM holds the workspaces' ARM records.
	RM *rm.Manager
	// Now is the clock; tests replace it.
	Now func() time.Time
	// TokenQuota is how many personal access tokens one principal may
	// hold; 0 means MaxTokensPerPrincipal.
	TokenQuota int
	// ScopeLimit and SecretLimit bound the scopes of a workspace and the
	// secrets of a scope; 0 means MaxScopes and MaxSecretsPerScope.
	ScopeLimit, SecretLimit int

	// dirs caches each workspace's identities and tokens (directory.go).
	dirs dirCache
	// scopes caches each workspace's scopes and ACLs (scopes.go).
	scopes scopeCache
	// dbx caches each tenant's AzureDatabricks principal (keyvault.go).
	dbx databricksCallers
}

// New returns a Service over st, sealing values with b.
func New(st store.Store, b *barrier.Barrier) *Service {
	return &Service{store: st, barrier: b, Now: time.Now}
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// view and update run fn with a sealing transaction.
func (s *Service) view(ctx context.Context, fn func(store.Tx) error) error {
	return s.store.View(ctx, func(tx store.Tx) error { return fn(s.barrier.Wrap(tx)) })
}

func (s *Service) update(ctx context.Context, fn func(store.Tx) error) error {
	return s.store.Update(ctx, func(tx store.Tx) error { return fn(s.barrier.Wrap(tx)) })
}

func getJSON(ctx context.Context, tx store.Tx, key string, v any) error {
	raw, err := tx.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func putJSON(ctx context.Context, tx store.Tx, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(ctx, key, raw)
}
