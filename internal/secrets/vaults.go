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
// global and stay reserved while a vault is soft-deleted: creating one held
// by a soft-deleted vault of the same subscription and location is a
// ConflictError (recover or purge it), any other holder VaultAlreadyExists.
func (e *Engine) CreateVault(ctx context.Context, v scopevault.Vault) (*scopevault.Vault, error) {
	if !scopevault.ValidVaultName(v.Name) {
		return nil, errVaultNameNotValid(v.Name)
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
	v.Deleted, v.ScheduledPurge = nil, nil
	err := e.update(ctx, func(tx store.Tx) error {
		// Vaults past their purge date go first, so their names and
		// addresses are free again.
		if err := e.purgeExpired(ctx, tx); err != nil {
			return err
		}
		held, err := e.loadVault(ctx, tx, v.Name)
		if err != nil {
			return err
		}
		if held != nil {
			return nameTaken(held, v.SubscriptionID, v.Location, v.Name)
		}
		// A data-plane write that raced a purge may have left keys under
		// the name: a new vault starts empty.
		if err := purgeVault(ctx, tx, v.Name, ""); err != nil {
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

// wsAddrPrefix is internal/rm's table of workspace addresses: a vault never
// takes one.
const wsAddrPrefix = "arm/wsaddrs/"

// nextAddr returns the lowest address neither a vault nor a workspace holds.
func nextAddr(ctx context.Context, tx store.Tx) (netip.Addr, error) {
	taken := map[string]bool{}
	for _, prefix := range []string{addrPrefix, wsAddrPrefix} {
		used, err := tx.List(ctx, prefix, "", 0)
		if err != nil {
			return netip.Addr{}, err
		}
		for _, kv := range used {
			taken[strings.TrimPrefix(kv.Key, prefix)] = true
		}
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
	byAddr map[netip.Addr]*scopevault.Vault
}

func (e *Engine) index(ctx context.Context) (*vaultIndex, error) {
	return e.vaults.Get(e.store, "arm", func() (*vaultIndex, error) {
		all, err := e.ListVaults(ctx)
		if err != nil {
			return nil, err
		}
		idx := &vaultIndex{byName: map[string]*scopevault.Vault{}, byAddr: map[netip.Addr]*scopevault.Vault{}}
		for _, v := range all {
			idx.byName[scopevault.VaultKey(v.Name)] = v
			if a, err := netip.ParseAddr(v.Address); err == nil {
				idx.byAddr[a.Unmap()] = v
			}
		}
		return idx, nil
	})
}

func vaultNotFound(name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound", "The Resource 'Microsoft.KeyVault/vaults/%s' was not found.", clip(name))
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
	v, ok := idx.byAddr[addr.Unmap()]
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
		var err error
		out, err = listVaults(ctx, tx)
		return err
	})
	return out, err
}

func listVaults(ctx context.Context, tx store.Tx) ([]*scopevault.Vault, error) {
	kvs, err := tx.List(ctx, vaultPrefix, "", 0)
	if err != nil {
		return nil, err
	}
	out := make([]*scopevault.Vault, 0, len(kvs))
	for _, kv := range kvs {
		var v scopevault.Vault
		if err := json.Unmarshal(kv.Value, &v); err != nil {
			return nil, fmt.Errorf("secrets: vault %s: %w", kv.Key, err)
		}
		out = append(out, &v)
	}
	return out, nil
}

// UpdateVault applies fn to a live vault and stores the result.
func (e *Engine) UpdateVault(ctx context.Context, name string, fn func(*scopevault.Vault) error) (*scopevault.Vault, error) {
	var v scopevault.Vault
	err := e.update(ctx, func(tx store.Tx) error {
		if err := getJSON(ctx, tx, vaultKey(name), &v); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return vaultNotFound(name)
			}
			return err
		}
		if v.Deleted != nil {
			return vaultNotFound(name)
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
