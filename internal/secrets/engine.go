// Package secrets is the Key Vault engine: vaults and their secrets with
// versions, soft delete, recovery, purge protection, backup and restore. It
// enforces the service's rules and limits and returns *scopevault.Error; it
// knows nothing of HTTP (internal/keyvault renders the wire).
//
// Layout under the store (values sealed by the barrier):
//
//	arm/vaults/{vault}            scopevault.Vault
//	kv/{vault}/s/{name}           scopevault.Secret (metadata of all versions)
//	kv/{vault}/v/{name}/{version} the version's value
//
// {vault} and {name} are lower-cased: both are case-insensitive.
package secrets

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/store"
)

// Engine operates on vaults and secrets.
type Engine struct {
	store   store.Store
	barrier *barrier.Barrier
	// Now is the clock; tests replace it.
	Now func() time.Time

	vaults store.Cached[*vaultIndex]
	// cache keeps sealed secrets read by Get (cache.go).
	cache *store.ReadCache[secretEntry]
}

// New returns an engine over st, sealing values with b.
func New(st store.Store, b *barrier.Barrier) *Engine {
	return &Engine{store: st, barrier: b, Now: time.Now,
		cache: store.NewReadCache(st, DefaultCacheBytes, cacheEntryOf, entrySize)}
}

func (e *Engine) now() time.Time { return e.Now().UTC().Truncate(time.Second) }

// view and update run fn with a sealing transaction.
func (e *Engine) view(ctx context.Context, fn func(store.Tx) error) error {
	return e.store.View(ctx, func(tx store.Tx) error { return fn(e.barrier.Wrap(tx)) })
}

func (e *Engine) update(ctx context.Context, fn func(store.Tx) error) error {
	return e.store.Update(ctx, func(tx store.Tx) error { return fn(e.barrier.Wrap(tx)) })
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

func secretKey(vault, name string) string {
	return "kv/" + scopevault.VaultKey(vault) + "/s/" + scopevault.SecretKey(name)
}

func secretPrefix(vault string) string { return "kv/" + scopevault.VaultKey(vault) + "/s/" }

func valueKey(vault, name, version string) string {
	return "kv/" + scopevault.VaultKey(vault) + "/v/" + scopevault.SecretKey(name) + "/" + version
}

func valuePrefix(vault, name string) string {
	return "kv/" + scopevault.VaultKey(vault) + "/v/" + scopevault.SecretKey(name) + "/"
}

// newVersion returns a 32-hex-character version id, as Key Vault issues.
func newVersion() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("secrets: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// loadSecret reads a secret's record, treating one whose scheduled purge date
// has passed as gone (the service purges it automatically).
func (e *Engine) loadSecret(ctx context.Context, tx store.Tx, vault, name string) (*scopevault.Secret, error) {
	var s scopevault.Secret
	if err := getJSON(ctx, tx, secretKey(vault, name), &s); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	if e.expired(&s) {
		return nil, nil
	}
	return &s, nil
}

func (e *Engine) expired(s *scopevault.Secret) bool {
	return s.Deleted != nil && s.ScheduledPurgeDate != nil && !e.now().Before(*s.ScheduledPurgeDate)
}

// purgeSecret removes a secret record and all its values.
func purgeSecret(ctx context.Context, tx store.Tx, vault, name string) error {
	vals, err := tx.List(ctx, valuePrefix(vault, name), "", 0)
	if err != nil {
		return err
	}
	for _, kv := range vals {
		if err := tx.Delete(ctx, kv.Key); err != nil {
			return err
		}
	}
	return tx.Delete(ctx, secretKey(vault, name))
}

func notFound(name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "SecretNotFound",
		"A secret with (name/id) %s was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182", name)
}

func deletedNotFound(name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "SecretNotFound", "Deleted Secret not found: %s", name)
}

func isDeletedConflict(name string) error {
	return scopevault.Errorf(scopevault.ECONFLICT, "ObjectIsDeletedButRecoverable",
		"Secret %s is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.", name)
}

func badName(name string) error {
	return scopevault.Errorf(scopevault.EINVALID, "", "The request URI contains an invalid name: %s", name)
}

func checkName(name string) error {
	if !scopevault.ValidSecretName(name) {
		return badName(name)
	}
	return nil
}
