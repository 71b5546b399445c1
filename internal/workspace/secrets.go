package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// secretMeta is what a Databricks-backed scope keeps of a secret beside its
// value: the key as first written and the last update. It is kept apart
// from the value so that listing a scope never opens a value.
type secretMeta struct {
	Key     string    `json:"key"`
	Updated time.Time `json:"updated"`
}

func secretMetaKey(ws int64, scope, key string) string {
	return secretMetaPrefix(ws, scope) + scopevault.ScopeKey(key)
}

func secretValueKey(ws int64, scope, key string) string {
	return secretValuePrefix(ws, scope) + scopevault.ScopeKey(key)
}

func errSecretNotFound(scope, key string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "RESOURCE_DOES_NOT_EXIST",
		"Secret does not exist with scope: %s and key: %s", clip(scope), clip(key))
}

func errReadOnlyScope(scope string) error {
	return scopevault.Errorf(scopevault.EINVALID, "BAD_REQUEST",
		"Scope %s is backed by Azure Key Vault and is read-only through Databricks: write or delete its secrets in the Key Vault.", clip(scope))
}

// writeScope checks the names and WRITE on a scope inside a write
// transaction, and refuses a Key Vault-backed scope (read-only).
func writeScope(ctx context.Context, tx store.Tx, c *scopevault.WorkspaceCaller, scope string, d *scopevault.Decision) (*scopeEntry, error) {
	e, err := loadScope(ctx, tx, c.Workspace.WorkspaceID, scope)
	if err != nil {
		return nil, err
	}
	if *d, err = authorize(c, e, scopevault.PermWrite); err != nil {
		return nil, err
	}
	if e.scope.Backend == scopevault.BackendAzureKeyVault {
		return nil, errReadOnlyScope(e.scope.Name)
	}
	return e, nil
}

// PutSecret creates or replaces a secret of a Databricks-backed scope; it
// needs WRITE. value is the raw bytes (a string_value's UTF-8). The key
// keeps its first-written casing; the update time moves.
func (s *Service) PutSecret(ctx context.Context, c *scopevault.WorkspaceCaller, scope, key string, value []byte) (scopevault.Decision, error) {
	var d scopevault.Decision
	if err := checkCaller(c); err != nil {
		return d, err
	}
	if err := checkScopeName(scope); err != nil {
		return d, err
	}
	if err := checkSecretKey(key); err != nil {
		return d, err
	}
	if len(value) > MaxSecretValue {
		return d, errParam("The secret value is %d bytes; a secret value may be at most %d bytes (128 KB).", len(value), MaxSecretValue)
	}
	ws := c.Workspace.WorkspaceID
	err := s.update(ctx, func(tx store.Tx) error {
		e, err := writeScope(ctx, tx, c, scope, &d)
		if err != nil {
			return err
		}
		meta := secretMeta{Key: key, Updated: s.now()}
		var old secretMeta
		switch err := getJSON(ctx, tx, secretMetaKey(ws, scope, key), &old); {
		case err == nil:
			meta.Key = old.Key
		case errors.Is(err, store.ErrNotFound):
			limit := orDefault(s.SecretLimit, MaxSecretsPerScope)
			kvs, err := tx.List(ctx, secretMetaPrefix(ws, scope), "", limit)
			if err != nil {
				return err
			}
			if len(kvs) >= limit {
				return scopevault.Errorf(scopevault.EINVALID, "RESOURCE_LIMIT_EXCEEDED",
					"Scope %s already holds the maximum of %d secrets; delete one before adding another.", e.scope.Name, limit)
			}
		default:
			return err
		}
		if err := putJSON(ctx, tx, secretMetaKey(ws, scope, key), meta); err != nil {
			return err
		}
		return tx.Put(ctx, secretValueKey(ws, scope, key), value)
	})
	return d, err
}

// DeleteSecret deletes a secret of a Databricks-backed scope; it needs WRITE.
func (s *Service) DeleteSecret(ctx context.Context, c *scopevault.WorkspaceCaller, scope, key string) (scopevault.Decision, error) {
	var d scopevault.Decision
	if err := checkCaller(c); err != nil {
		return d, err
	}
	if err := checkScopeName(scope); err != nil {
		return d, err
	}
	if err := checkSecretKey(key); err != nil {
		return d, err
	}
	ws := c.Workspace.WorkspaceID
	err := s.update(ctx, func(tx store.Tx) error {
		e, err := writeScope(ctx, tx, c, scope, &d)
		if err != nil {
			return err
		}
		if _, err := tx.Get(ctx, secretMetaKey(ws, scope, key)); errors.Is(err, store.ErrNotFound) {
			return errSecretNotFound(e.scope.Name, key)
		} else if err != nil {
			return err
		}
		if err := tx.Delete(ctx, secretMetaKey(ws, scope, key)); err != nil {
			return err
		}
		return tx.Delete(ctx, secretValueKey(ws, scope, key))
	})
	return d, err
}

// readScope checks the name and READ on a scope from the snapshot, for the
// secret reads: no transaction when nothing changed.
func (s *Service) readScope(ctx context.Context, c *scopevault.WorkspaceCaller, scope string) (*scopeEntry, scopevault.Decision, error) {
	var d scopevault.Decision
	if err := checkCaller(c); err != nil {
		return nil, d, err
	}
	if err := checkScopeName(scope); err != nil {
		return nil, d, err
	}
	set, err := s.scopeSnapshot(ctx, c.Workspace.WorkspaceID)
	if err != nil {
		return nil, d, err
	}
	e, err := set.lookup(scope)
	if err != nil {
		return nil, d, err
	}
	d, err = authorize(c, e, scopevault.PermRead)
	return e, d, err
}

// ListSecrets lists a scope's secrets by key (never their values); it
// needs READ. A Key Vault-backed scope lists its vault's secrets.
func (s *Service) ListSecrets(ctx context.Context, c *scopevault.WorkspaceCaller, scope string) ([]SecretMetadata, scopevault.Decision, error) {
	e, d, err := s.readScope(ctx, c, scope)
	if err != nil {
		return nil, d, err
	}
	if e.scope.Backend == scopevault.BackendAzureKeyVault {
		sc := e.scope
		out, err := s.keyVaultList(ctx, &sc)
		return out, vaultDecision(d, err), err
	}
	var out []SecretMetadata
	err = s.view(ctx, func(tx store.Tx) error {
		kvs, err := tx.List(ctx, secretMetaPrefix(c.Workspace.WorkspaceID, scope), "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			var m secretMeta
			if err := json.Unmarshal(kv.Value, &m); err != nil {
				return scopevault.Errorf(scopevault.EINTERNAL, "", "workspace: decode secret metadata %s: %v", kv.Key, err)
			}
			out = append(out, SecretMetadata{Key: m.Key, Updated: m.Updated})
		}
		return nil
	})
	slices.SortFunc(out, func(a, b SecretMetadata) int {
		return strings.Compare(scopevault.ScopeKey(a.Key), scopevault.ScopeKey(b.Key))
	})
	return out, d, err
}

// GetSecret returns a secret's value; it needs READ. A Databricks-backed
// scope reads it in one view of the store; a Key Vault-backed scope reads
// its vault as AzureDatabricks (keyvault.go).
func (s *Service) GetSecret(ctx context.Context, c *scopevault.WorkspaceCaller, scope, key string) ([]byte, scopevault.Decision, error) {
	if err := checkScopeName(scope); err != nil {
		return nil, scopevault.Decision{}, err
	}
	if err := checkSecretKey(key); err != nil {
		return nil, scopevault.Decision{}, err
	}
	e, d, err := s.readScope(ctx, c, scope)
	if err != nil {
		return nil, d, err
	}
	if e.scope.Backend == scopevault.BackendAzureKeyVault {
		sc := e.scope
		v, err := s.keyVaultGet(ctx, &sc, key)
		return v, vaultDecision(d, err), err
	}
	var v []byte
	err = s.view(ctx, func(tx store.Tx) error {
		var err error
		v, err = tx.Get(ctx, secretValueKey(c.Workspace.WorkspaceID, scope, key))
		if errors.Is(err, store.ErrNotFound) {
			return errSecretNotFound(e.scope.Name, key)
		}
		return err
	})
	if err != nil {
		return nil, d, err
	}
	return v, d, nil
}

// vaultDecision turns the scope's allow into a deny when the vault refused
// AzureDatabricks, so the audit record says the vault decided.
func vaultDecision(d scopevault.Decision, err error) scopevault.Decision {
	if scopevault.ErrorCodeOf(err) == scopevault.EFORBIDDEN {
		d.Allowed = false
		d.Rule += "; the Key Vault refused AzureDatabricks"
	}
	return d
}

func checkCaller(c *scopevault.WorkspaceCaller) error {
	if c == nil || c.Workspace == nil || c.Principal == nil {
		return scopevault.Errorf(scopevault.EINTERNAL, "", "workspace: no caller")
	}
	return nil
}
