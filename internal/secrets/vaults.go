package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

const (
	vaultPrefix = "arm/vaults/"
	addrPrefix  = "arm/vaultaddrs/"
)

// firstVaultAddr is where vault data-plane addresses start: each vault gets
// its own loopback address so an unmodified SDK reaches it with no DNS setup,
// and ids built from the request host name the vault.
var firstVaultAddr = netip.MustParseAddr("127.1.0.1")

func vaultKey(name string) string { return vaultPrefix + scopevault.VaultKey(name) }

// CreateVault stores a new vault, allocating its loopback address. Names are
// global and stay reserved while a vault is soft-deleted.
func (e *Engine) CreateVault(ctx context.Context, v scopevault.Vault) (*scopevault.Vault, error) {
	if !scopevault.ValidVaultName(v.Name) {
		return nil, scopevault.Errorf(scopevault.EINVALID, "VaultNameNotValid",
			"The vault name '%s' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens. Follow this link for more information: https://go.microsoft.com/fwlink/?linkid=2147742", v.Name)
	}
	if v.SoftDeleteRetentionDays == 0 {
		v.SoftDeleteRetentionDays = scopevault.DefaultRetentionDays
	}
	if v.SoftDeleteRetentionDays < scopevault.MinRetentionDays || v.SoftDeleteRetentionDays > scopevault.MaxRetentionDays {
		return nil, scopevault.Errorf(scopevault.EINVALID, "BadRequest",
			"The property \"softDeleteRetentionInDays\" has an invalid value. It must be between %d and %d.", scopevault.MinRetentionDays, scopevault.MaxRetentionDays)
	}
	now := e.now()
	v.Created, v.Updated = now, now
	err := e.update(ctx, func(tx store.Tx) error {
		if _, err := tx.Get(ctx, vaultKey(v.Name)); err == nil {
			return scopevault.Errorf(scopevault.ECONFLICT, "VaultAlreadyExists",
				"The vault name '%s' is already in use. Vault names are globally unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged after being placed in a recoverable state. If the vault is in a recoverable state then the vault will need to be purged before reusing the name. For more information about VaultAlreadyExists, soft delete and purging a vault follow this link https://go.microsoft.com/fwlink/?linkid=2147740.", v.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		addr, err := nextAddr(ctx, tx)
		if err != nil {
			return err
		}
		v.Address = addr.String()
		if err := tx.Put(ctx, addrPrefix+v.Address, []byte(scopevault.VaultKey(v.Name))); err != nil {
			return err
		}
		return putJSON(ctx, tx, vaultKey(v.Name), &v)
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// nextAddr returns the lowest free vault address.
func nextAddr(ctx context.Context, tx store.Tx) (netip.Addr, error) {
	used, err := tx.List(ctx, addrPrefix, "", 0)
	if err != nil {
		return netip.Addr{}, err
	}
	taken := make(map[string]bool, len(used))
	for _, kv := range used {
		taken[strings.TrimPrefix(kv.Key, addrPrefix)] = true
	}
	for a := firstVaultAddr; a.Is4() && a.As4()[0] == 127; a = a.Next() {
		b := a.As4()
		if b[3] == 0 || b[3] == 255 || taken[a.String()] {
			continue
		}
		return a, nil
	}
	return netip.Addr{}, scopevault.Errorf(scopevault.ECONFLICT, "", "no loopback address left for a new vault")
}

// vaultIndex is every vault by name and by address: the data plane resolves
// a vault on every request, so it is cached until something under arm/ changes.
type vaultIndex struct {
	byName map[string]*scopevault.Vault
	byAddr map[string]*scopevault.Vault
}

func (e *Engine) index(ctx context.Context) (*vaultIndex, error) {
	return e.vaults.Get(e.store, "arm", func() (*vaultIndex, error) {
		all, err := e.ListVaults(ctx)
		if err != nil {
			return nil, err
		}
		idx := &vaultIndex{byName: map[string]*scopevault.Vault{}, byAddr: map[string]*scopevault.Vault{}}
		for _, v := range all {
			idx.byName[scopevault.VaultKey(v.Name)] = v
			if v.Address != "" {
				idx.byAddr[v.Address] = v
			}
		}
		return idx, nil
	})
}

func vaultNotFound(name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound", "The Resource 'Microsoft.KeyVault/vaults/%s' was not found.", name)
}

// Vault returns a live (not soft-deleted) vault by name. The result is a copy.
func (e *Engine) Vault(ctx context.Context, name string) (*scopevault.Vault, error) {
	idx, err := e.index(ctx)
	if err != nil {
		return nil, err
	}
	v, ok := idx.byName[scopevault.VaultKey(name)]
	if !ok || v.Deleted != nil {
		return nil, vaultNotFound(name)
	}
	cp := *v
	return &cp, nil
}

// VaultByAddress returns the live vault listening on addr. The result is a copy.
func (e *Engine) VaultByAddress(ctx context.Context, addr netip.Addr) (*scopevault.Vault, error) {
	idx, err := e.index(ctx)
	if err != nil {
		return nil, err
	}
	v, ok := idx.byAddr[addr.Unmap().String()]
	if !ok || v.Deleted != nil {
		return nil, scopevault.Errorf(scopevault.ENOTFOUND, "VaultNotFound", "No vault is served at %s.", addr)
	}
	cp := *v
	return &cp, nil
}

// ListVaults returns every vault, soft-deleted ones included.
func (e *Engine) ListVaults(ctx context.Context) ([]*scopevault.Vault, error) {
	var out []*scopevault.Vault
	err := e.view(ctx, func(tx store.Tx) error {
		kvs, err := tx.List(ctx, vaultPrefix, "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			var v scopevault.Vault
			if err := json.Unmarshal(kv.Value, &v); err != nil {
				return fmt.Errorf("secrets: vault %s: %w", kv.Key, err)
			}
			out = append(out, &v)
		}
		return nil
	})
	return out, err
}

// UpdateVault applies fn to a live vault and stores the result.
func (e *Engine) UpdateVault(ctx context.Context, name string, fn func(*scopevault.Vault) error) (*scopevault.Vault, error) {
	var v scopevault.Vault
	err := e.update(ctx, func(tx store.Tx) error {
		if err := getJSON(ctx, tx, vaultKey(name), &v); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound", "The Resource 'Microsoft.KeyVault/vaults/%s' was not found.", name)
			}
			return err
		}
		if v.Deleted != nil {
			return scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound", "The Resource 'Microsoft.KeyVault/vaults/%s' was not found.", name)
		}
		if err := fn(&v); err != nil {
			return err
		}
		v.Updated = e.now()
		return putJSON(ctx, tx, vaultKey(name), &v)
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}
