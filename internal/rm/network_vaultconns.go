package rm

import (
	"context"
	"errors"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// The vaults' sides of private endpoint connections: the approval state
// the vault owner sets and the network gate reads.

func errConnectionNotFound(vault, name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "PrivateEndpointConnectionNotFound",
		"Private endpoint connection '%s' of vault '%s' was not found.", clipName(name), clipName(vault))
}

// VaultConnections returns the vault's sides of the private endpoint
// connections made to it.
func (m *Manager) VaultConnections(ctx context.Context, vault string) ([]*scopevault.PrivateEndpointConnection, error) {
	var out []*scopevault.PrivateEndpointConnection
	err := m.view(ctx, func(tx store.Tx) error {
		var err error
		out, err = listJSON[scopevault.PrivateEndpointConnection](ctx, tx, peConnsPrefix+strings.ToLower(vault)+"/")
		return err
	})
	return out, err
}

// VaultConnection returns one of the vault's private endpoint connections.
func (m *Manager) VaultConnection(ctx context.Context, vault, name string) (*scopevault.PrivateEndpointConnection, error) {
	var c scopevault.PrivateEndpointConnection
	err := m.view(ctx, func(tx store.Tx) error { return getJSON(ctx, tx, peConnKey(vault, name), &c) })
	if errors.Is(err, store.ErrNotFound) {
		return nil, errConnectionNotFound(vault, name)
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// SetVaultConnectionState is the vault owner's answer to a connection:
// Approved, Rejected or Disconnected, with a description. A rejected or
// disconnected connection cannot be approved again: the endpoint has to be
// made anew, as in Azure.
func (m *Manager) SetVaultConnectionState(ctx context.Context, vault, name, status, description string) (*scopevault.PrivateEndpointConnection, error) {
	var canon string
	for _, s := range []string{scopevault.ConnectionApproved, scopevault.ConnectionRejected, scopevault.ConnectionDisconnected, scopevault.ConnectionPending} {
		if strings.EqualFold(s, status) {
			canon = s
		}
	}
	if canon == "" {
		return nil, errInvalid("InvalidPrivateLinkServiceConnectionState",
			"The status '%s' is not valid: use Approved, Rejected or Disconnected.", clipName(status))
	}
	var c scopevault.PrivateEndpointConnection
	err := m.update(ctx, func(tx store.Tx) error {
		if err := getJSON(ctx, tx, peConnKey(vault, name), &c); err != nil {
			return err
		}
		switch {
		case canon == c.Status:
		case canon == scopevault.ConnectionPending:
			return scopevault.Errorf(scopevault.ECONFLICT, "InvalidPrivateLinkServiceConnectionState",
				"The connection '%s' is %s; it cannot be set back to Pending.", c.Name, c.Status)
		case c.Status == scopevault.ConnectionRejected || c.Status == scopevault.ConnectionDisconnected:
			return scopevault.Errorf(scopevault.ECONFLICT, "InvalidPrivateLinkServiceConnectionState",
				"The connection '%s' is %s and cannot be %s; delete the private endpoint and create it again.", c.Name, c.Status, strings.ToLower(canon))
		}
		c.Status, c.Description, c.ETag = canon, description, newETag()
		c.ProvisioningState = "Succeeded"
		return putJSON(ctx, tx, peConnKey(vault, name), c)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, errConnectionNotFound(vault, name)
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// DeleteVaultConnection removes the vault's side of a connection; the
// endpoint's connection then shows Disconnected.
func (m *Manager) DeleteVaultConnection(ctx context.Context, vault, name string) error {
	err := m.update(ctx, func(tx store.Tx) error {
		if _, err := tx.Get(ctx, peConnKey(vault, name)); err != nil {
			return err
		}
		return tx.Delete(ctx, peConnKey(vault, name))
	})
	if errors.Is(err, store.ErrNotFound) {
		return errConnectionNotFound(vault, name)
	}
	return err
}

// DeleteVaultConnections removes every connection of a vault (it was purged).
func (m *Manager) DeleteVaultConnections(ctx context.Context, vault string) error {
	return m.update(ctx, func(tx store.Tx) error {
		kvs, err := tx.List(ctx, peConnsPrefix+strings.ToLower(vault)+"/", "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			if err := tx.Delete(ctx, kv.Key); err != nil {
				return err
			}
		}
		return nil
	})
}
