package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// DefaultCacheBytes bounds the read cache of sealed secrets.
const DefaultCacheBytes = 32 << 20

// secretEntry is what the read cache keeps of one secret, exactly as
// stored: the sealed record and the sealed values of the versions read so
// far. Nothing in it is readable without the barrier; every hit opens it
// again, so the cache never holds a secret value in clear.
type secretEntry struct {
	rec    []byte            // the sealed record; nil: no such secret
	values map[string][]byte // version (as stored) -> sealed value
}

func entrySize(e secretEntry) int {
	n := 64 + len(e.rec)
	for k, v := range e.values {
		n += 48 + len(k) + len(v)
	}
	return n
}

// cacheEntryOf maps a written key to the secret it changes:
// kv/{vault}/s/{name} and kv/{vault}/v/{name}/{version} both change the
// entry {vault}/{name}. Any other key under kv/ drops the whole cache.
func cacheEntryOf(key string) (string, bool, bool) {
	rest, ok := strings.CutPrefix(key, "kv/")
	if !ok {
		return "", false, false
	}
	vault, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return "", false, true
	}
	switch {
	case strings.HasPrefix(rest, "s/"):
		return vault + "/" + rest[2:], true, false
	case strings.HasPrefix(rest, "v/"):
		name, _, ok := strings.Cut(rest[2:], "/")
		if !ok {
			return "", false, true
		}
		return vault + "/" + name, true, false
	}
	return "", false, true
}

func entryKey(vault, name string) string {
	return scopevault.VaultKey(vault) + "/" + scopevault.SecretKey(name)
}

// getCached is Get through the read cache: a hit opens the cached record
// and value; a miss reads both in one read transaction and fills the cache
// with what it read, so an entry is always one snapshot of the store.
func (e *Engine) getCached(ctx context.Context, v *scopevault.Vault, name, version string) (*scopevault.SecretValue, error) {
	ek := entryKey(v.Name, name)
	if ent, ok := e.cache.Get(ek); ok {
		if out, done, err := e.fromEntry(v, name, version, ent); done {
			return out, err
		}
	}
	t := e.cache.Ticket(ek)
	var ent secretEntry
	var verKey string
	err := e.store.View(ctx, func(tx store.Tx) error {
		raw, err := tx.Get(ctx, secretKey(v.Name, name))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		ent.rec = raw
		s, err := e.openSecret(v.Name, name, raw)
		if err != nil {
			return err
		}
		ver := pickVersion(s, version)
		if ver == nil {
			return nil
		}
		val, err := tx.Get(ctx, valueKey(v.Name, name, ver.Version))
		if err != nil {
			return fmt.Errorf("secrets: value of %s/%s: %w", name, ver.Version, err)
		}
		verKey = ver.Version
		ent.values = map[string][]byte{verKey: val}
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.cache.Fill(t, func(old secretEntry, ok bool) secretEntry {
		if ok && verKey != "" && string(old.rec) == string(ent.rec) {
			merged := secretEntry{rec: old.rec, values: maps.Clone(old.values)}
			merged.values[verKey] = ent.values[verKey]
			return merged
		}
		return ent
	})
	out, done, err := e.fromEntry(v, name, version, ent)
	if !done && err == nil {
		// The record names a version whose value the same snapshot lacked.
		err = fmt.Errorf("secrets: value of %s/%s: %w", name, version, store.ErrNotFound)
	}
	return out, err
}

// fromEntry answers Get from an entry. done is false when the entry lacks
// the value of the version asked for.
func (e *Engine) fromEntry(v *scopevault.Vault, name, version string, ent secretEntry) (*scopevault.SecretValue, bool, error) {
	id := name
	if version != "" {
		id = name + "/" + version
	}
	if ent.rec == nil {
		return nil, true, notFound(id)
	}
	s, err := e.openSecret(v.Name, name, ent.rec)
	if err != nil {
		return nil, true, err
	}
	if e.expired(s) || s.Deleted != nil {
		return nil, true, notFound(id)
	}
	ver := pickVersion(s, version)
	if ver == nil {
		return nil, true, notFound(id)
	}
	if !ver.Enabled {
		return nil, true, scopevault.Errorf(scopevault.EFORBIDDEN, "SecretDisabled", "Operation get is not allowed on a disabled secret.")
	}
	sealed, ok := ent.values[ver.Version]
	if !ok {
		return nil, false, nil
	}
	vk := valueKey(v.Name, name, ver.Version)
	plain, err := e.barrier.Open(vk, sealed)
	if err != nil {
		return nil, true, err
	}
	return &scopevault.SecretValue{Secret: s, Version: ver, Value: string(plain)}, true, nil
}

// openSecret opens and decodes a sealed record.
func (e *Engine) openSecret(vault, name string, sealed []byte) (*scopevault.Secret, error) {
	plain, err := e.barrier.Open(secretKey(vault, name), sealed)
	if err != nil {
		return nil, err
	}
	var s scopevault.Secret
	if err := json.Unmarshal(plain, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// pickVersion is the version asked for ("" = current) of a live secret, or nil.
func pickVersion(s *scopevault.Secret, version string) *scopevault.SecretVersion {
	if s.Deleted != nil {
		return nil
	}
	if version == "" {
		return s.Current()
	}
	return s.Version(version)
}
