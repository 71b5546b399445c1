package secrets

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// The vault lifecycle: soft delete, recovery, purge and name checks.
//
// A soft-deleted vault keeps its record (Deleted set), its address and its
// secrets: the name and address stay reserved and recovery gives everything
// back. Purge removes all three. A vault whose scheduled purge date has
// passed counts as purged, as the service purges it by itself: reads skip it
// and the next vault creation removes it for good.

// Vault error reasons, which are the ARM error codes.
const (
	ReasonVaultNameNotValid   = "VaultNameNotValid"
	ReasonVaultAlreadyExists  = "VaultAlreadyExists"
	ReasonSoftDeletedConflict = "ConflictError"
	ReasonSoftDeletedNotFound = "SoftDeletedVaultDoesNotExist"
	ReasonPurgeNotAllowed     = "MethodNotAllowed"
)

func errVaultNameNotValid(name string) error {
	return scopevault.Errorf(scopevault.EINVALID, ReasonVaultNameNotValid,
		"The vault name '%s' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens. Follow this link for more information: https://go.microsoft.com/fwlink/?linkid=2147742", clip(name))
}

func errVaultAlreadyExists(name string) error {
	return scopevault.Errorf(scopevault.ECONFLICT, ReasonVaultAlreadyExists,
		"The vault name '%s' is already in use. Vault names are globally unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged after being placed in a recoverable state. If the vault is in a recoverable state then the vault will need to be purged before reusing the name. For more information about VaultAlreadyExists, soft delete and purging a vault follow this link https://go.microsoft.com/fwlink/?linkid=2147740.", clip(name))
}

// errSoftDeletedConflict is the service's text verbatim, trailing space included.
func errSoftDeletedConflict() error {
	return scopevault.Errorf(scopevault.ECONFLICT, ReasonSoftDeletedConflict, "Exist soft deleted vault with the same name. ")
}

func errDeletedVaultNotFound(name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound",
		"The Resource 'Microsoft.KeyVault/deletedVaults/%s' was not found.", clip(name))
}

// clip bounds a caller-supplied string quoted in a message.
func clip(s string) string {
	const max = 200
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// purgeDue reports whether a soft-deleted vault's scheduled purge date has passed.
func (e *Engine) purgeDue(v *scopevault.Vault) bool {
	return v.Deleted != nil && v.ScheduledPurge != nil && !e.now().Before(*v.ScheduledPurge)
}

// loadVault reads a vault record in tx, nil when there is none or its
// scheduled purge date has passed.
func (e *Engine) loadVault(ctx context.Context, tx store.Tx, name string) (*scopevault.Vault, error) {
	var v scopevault.Vault
	if err := getJSON(ctx, tx, vaultKey(name), &v); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	if e.purgeDue(&v) {
		return nil, nil
	}
	return &v, nil
}

// purgeVault removes a vault's record, its address and every key under
// kv/{vault}/. It also serves as a sweep before a name is (re)used, so it
// is not an error that some of these are already gone.
func purgeVault(ctx context.Context, tx store.Tx, name, addr string) error {
	data, err := tx.List(ctx, "kv/"+scopevault.VaultKey(name)+"/", "", 0)
	if err != nil {
		return err
	}
	for _, kv := range data {
		if err := tx.Delete(ctx, kv.Key); err != nil {
			return err
		}
	}
	if addr != "" {
		if err := tx.Delete(ctx, addrPrefix+addr); err != nil {
			return err
		}
	}
	return tx.Delete(ctx, vaultKey(name))
}

// purgeExpired removes every soft-deleted vault whose scheduled purge date
// has passed, freeing its name and address.
func (e *Engine) purgeExpired(ctx context.Context, tx store.Tx) error {
	all, err := listVaults(ctx, tx)
	if err != nil {
		return err
	}
	for _, v := range all {
		if e.purgeDue(v) {
			if err := purgeVault(ctx, tx, v.Name, v.Address); err != nil {
				return err
			}
		}
	}
	return nil
}

// nameTaken is the error for creating name while held is its record:
// ConflictError when held is soft-deleted in the same subscription and
// location (the caller can recover or purge it), else VaultAlreadyExists.
func nameTaken(held *scopevault.Vault, sub, location, name string) error {
	if held.Deleted != nil && strings.EqualFold(held.SubscriptionID, sub) && strings.EqualFold(held.Location, location) {
		return errSoftDeletedConflict()
	}
	return errVaultAlreadyExists(name)
}

// CheckName reports whether a new vault could be named name: nil when it
// can, VaultNameNotValid for a malformed name, VaultAlreadyExists while a
// live or soft-deleted vault holds it.
func (e *Engine) CheckName(ctx context.Context, name string) error {
	if !scopevault.ValidVaultName(name) {
		return errVaultNameNotValid(name)
	}
	return e.view(ctx, func(tx store.Tx) error {
		v, err := e.loadVault(ctx, tx, name)
		if err != nil {
			return err
		}
		if v != nil {
			return errVaultAlreadyExists(name)
		}
		return nil
	})
}

// DeleteVault soft-deletes the live vault name of subscription sub and
// resource group group. Its secrets, address and name are kept until it is
// recovered or purged; the scheduled purge date is the deletion time plus
// the retention fixed when the vault was created.
func (e *Engine) DeleteVault(ctx context.Context, sub, group, name string) (*scopevault.Vault, error) {
	var out *scopevault.Vault
	err := e.update(ctx, func(tx store.Tx) error {
		v, err := e.loadVault(ctx, tx, name)
		if err != nil {
			return err
		}
		if v == nil || v.Deleted != nil || !strings.EqualFold(v.SubscriptionID, sub) || !strings.EqualFold(v.ResourceGroup, group) {
			return vaultNotFound(name)
		}
		now := e.now()
		purge := now.Add(time.Duration(v.RetentionDays()) * 24 * time.Hour)
		v.Deleted, v.ScheduledPurge, v.Updated = &now, &purge, now
		out = v
		return putJSON(ctx, tx, vaultKey(name), v)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeletedVault returns the soft-deleted vault name.
func (e *Engine) DeletedVault(ctx context.Context, name string) (*scopevault.Vault, error) {
	var out *scopevault.Vault
	err := e.view(ctx, func(tx store.Tx) error {
		v, err := e.loadVault(ctx, tx, name)
		if err != nil {
			return err
		}
		if v == nil || v.Deleted == nil {
			return errDeletedVaultNotFound(name)
		}
		out = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListDeletedVaults returns every soft-deleted vault not yet due for purge.
func (e *Engine) ListDeletedVaults(ctx context.Context) ([]*scopevault.Vault, error) {
	all, err := e.ListVaults(ctx)
	if err != nil {
		return nil, err
	}
	var out []*scopevault.Vault
	for _, v := range all {
		if v.Deleted != nil && !e.purgeDue(v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// RecoverVault brings the soft-deleted vault name of subscription sub back,
// with its secrets, address and properties, into resource group group. It
// must be recovered in the location it was deleted from.
func (e *Engine) RecoverVault(ctx context.Context, sub, location, group, name string) (*scopevault.Vault, error) {
	var out *scopevault.Vault
	err := e.update(ctx, func(tx store.Tx) error {
		v, err := e.loadVault(ctx, tx, name)
		if err != nil {
			return err
		}
		if v == nil || v.Deleted == nil || !strings.EqualFold(v.SubscriptionID, sub) || !strings.EqualFold(v.Location, location) {
			return scopevault.Errorf(scopevault.ENOTFOUND, ReasonSoftDeletedNotFound,
				"A soft-deleted vault named '%s' does not exist in this subscription and location, so it cannot be recovered.", clip(name))
		}
		v.Deleted, v.ScheduledPurge = nil, nil
		v.ResourceGroup, v.Updated = group, e.now()
		out = v
		return putJSON(ctx, tx, vaultKey(name), v)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PurgeVault permanently removes the soft-deleted vault name of subscription
// sub in location: its record, address and secrets. It is refused while the
// vault has purge protection and its retention has not run out.
func (e *Engine) PurgeVault(ctx context.Context, sub, location, name string) (*scopevault.Vault, error) {
	var out *scopevault.Vault
	err := e.update(ctx, func(tx store.Tx) error {
		v, err := e.loadVault(ctx, tx, name)
		if err != nil {
			return err
		}
		if v == nil || v.Deleted == nil || !strings.EqualFold(v.SubscriptionID, sub) || !strings.EqualFold(v.Location, location) {
			return errDeletedVaultNotFound(name)
		}
		if v.EnablePurgeProtection {
			return scopevault.Errorf(scopevault.ECONFLICT, ReasonPurgeNotAllowed, "Operation 'DeletedVaultPurge' is not allowed.")
		}
		out = v
		return purgeVault(ctx, tx, v.Name, v.Address)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
