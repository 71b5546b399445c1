// Package rm keeps the resource manager's own objects: subscriptions,
// resource groups, the records of user-assigned managed identities
// (whose principals live in internal/identity), Databricks workspaces
// (whose contents live in internal/workspace) and the simulated network's
// resources (network*.go: virtual networks, private endpoints and the
// vaults' sides of their connections, private DNS). Vaults live in
// internal/secrets, role assignments in internal/authz. It knows nothing of
// HTTP.
package rm

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/store"
)

// Manager stores subscriptions and resource groups.
type Manager struct {
	store   store.Store
	barrier *barrier.Barrier
	Now     func() time.Time

	workspaces store.Cached[*workspaceIndex]
	network    store.Cached[*scopevault.Network]
}

// New returns a Manager.
func New(st store.Store, b *barrier.Barrier) *Manager {
	return &Manager{store: st, barrier: b, Now: time.Now}
}

func subKey(id string) string { return "arm/subscriptions/" + strings.ToLower(id) }

func groupKey(sub, name string) string {
	return "arm/groups/" + strings.ToLower(sub) + "/" + strings.ToLower(name)
}

func (m *Manager) view(ctx context.Context, fn func(store.Tx) error) error {
	return m.store.View(ctx, func(tx store.Tx) error { return fn(m.barrier.Wrap(tx)) })
}

func (m *Manager) update(ctx context.Context, fn func(store.Tx) error) error {
	return m.store.Update(ctx, func(tx store.Tx) error { return fn(m.barrier.Wrap(tx)) })
}

// PutSubscription creates or replaces a subscription.
func (m *Manager) PutSubscription(ctx context.Context, s scopevault.Subscription) error {
	if s.Created.IsZero() {
		s.Created = m.Now().UTC()
	}
	if s.State == "" {
		s.State = "Enabled"
	}
	raw, _ := json.Marshal(s)
	return m.update(ctx, func(tx store.Tx) error { return tx.Put(ctx, subKey(s.ID), raw) })
}

// Subscription returns a subscription by id.
func (m *Manager) Subscription(ctx context.Context, id string) (*scopevault.Subscription, error) {
	var s scopevault.Subscription
	err := m.view(ctx, func(tx store.Tx) error {
		raw, err := tx.Get(ctx, subKey(id))
		if err != nil {
			return err
		}
		return json.Unmarshal(raw, &s)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, scopevault.Errorf(scopevault.ENOTFOUND, "SubscriptionNotFound", "The subscription '%s' could not be found.", id)
	}
	return &s, err
}

// ListSubscriptions returns every subscription.
func (m *Manager) ListSubscriptions(ctx context.Context) ([]*scopevault.Subscription, error) {
	var out []*scopevault.Subscription
	err := m.view(ctx, func(tx store.Tx) error {
		kvs, err := tx.List(ctx, "arm/subscriptions/", "", 0)
		for _, kv := range kvs {
			var s scopevault.Subscription
			if err := json.Unmarshal(kv.Value, &s); err != nil {
				return err
			}
			out = append(out, &s)
		}
		return err
	})
	return out, err
}

var groupNameRE = regexp.MustCompile(`^[-\w\._\(\)]{1,90}$`)

// PutGroup creates or updates a resource group; created reports which.
func (m *Manager) PutGroup(ctx context.Context, g scopevault.ResourceGroup) (*scopevault.ResourceGroup, bool, error) {
	if !groupNameRE.MatchString(g.Name) || strings.HasSuffix(g.Name, ".") {
		return nil, false, scopevault.Errorf(scopevault.EINVALID, "InvalidResourceGroup",
			"The provided resource group name '%s' has these invalid characters or is too long. The name can only be a letter, digit, '-', '.', '(', ')' or '_' and up to 90 characters, and cannot end with a period.", g.Name)
	}
	if g.Location == "" {
		return nil, false, scopevault.Errorf(scopevault.EINVALID, "LocationRequired", "The location property is required for this definition.")
	}
	if _, err := m.Subscription(ctx, g.SubscriptionID); err != nil {
		return nil, false, err
	}
	created := false
	err := m.update(ctx, func(tx store.Tx) error {
		raw, err := tx.Get(ctx, groupKey(g.SubscriptionID, g.Name))
		switch {
		case errors.Is(err, store.ErrNotFound):
			created = true
			g.Created = m.Now().UTC()
		case err != nil:
			return err
		default:
			var old scopevault.ResourceGroup
			if err := json.Unmarshal(raw, &old); err != nil {
				return err
			}
			if !strings.EqualFold(old.Location, g.Location) {
				return scopevault.Errorf(scopevault.ECONFLICT, "InvalidResourceGroupLocation",
					"Invalid resource group location '%s'. The Resource group already exists in location '%s'.", g.Location, old.Location)
			}
			g.Name, g.Created = old.Name, old.Created
		}
		b, _ := json.Marshal(g)
		return tx.Put(ctx, groupKey(g.SubscriptionID, g.Name), b)
	})
	if err != nil {
		return nil, false, err
	}
	return &g, created, nil
}

// Group returns a resource group.
func (m *Manager) Group(ctx context.Context, sub, name string) (*scopevault.ResourceGroup, error) {
	var g scopevault.ResourceGroup
	err := m.view(ctx, func(tx store.Tx) error {
		raw, err := tx.Get(ctx, groupKey(sub, name))
		if err != nil {
			return err
		}
		return json.Unmarshal(raw, &g)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, scopevault.Errorf(scopevault.ENOTFOUND, "ResourceGroupNotFound", "Resource group '%s' could not be found.", name)
	}
	return &g, err
}

// ListGroups returns a subscription's resource groups.
func (m *Manager) ListGroups(ctx context.Context, sub string) ([]*scopevault.ResourceGroup, error) {
	var out []*scopevault.ResourceGroup
	err := m.view(ctx, func(tx store.Tx) error {
		kvs, err := tx.List(ctx, "arm/groups/"+strings.ToLower(sub)+"/", "", 0)
		for _, kv := range kvs {
			var g scopevault.ResourceGroup
			if err := json.Unmarshal(kv.Value, &g); err != nil {
				return err
			}
			out = append(out, &g)
		}
		return err
	})
	return out, err
}

// DeleteGroup removes a resource group record (its resources are the caller's to remove first).
func (m *Manager) DeleteGroup(ctx context.Context, sub, name string) error {
	if _, err := m.Group(ctx, sub, name); err != nil {
		return err
	}
	return m.update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, groupKey(sub, name)) })
}
