package rm

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// UserAssignedIdentity is the ARM resource
// Microsoft.ManagedIdentity/userAssignedIdentities. The identity itself (the
// principal that signs in and holds roles) lives in the directory; this
// record places it in a resource group and names it there.
type UserAssignedIdentity struct {
	SubscriptionID string            `json:"subscriptionId"`
	ResourceGroup  string            `json:"resourceGroup"`
	Name           string            `json:"name"`
	Location       string            `json:"location"`
	Tags           map[string]string `json:"tags,omitempty"`
	TenantID       string            `json:"tenantId"`
	PrincipalID    string            `json:"principalId"`
	ClientID       string            `json:"clientId"`
	Created        time.Time         `json:"created"`
}

// ID is the identity's ARM resource id.
func (u *UserAssignedIdentity) ID() string {
	return "/subscriptions/" + u.SubscriptionID + "/resourceGroups/" + u.ResourceGroup +
		"/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + u.Name
}

func identitiesPrefix(sub string) string { return "arm/identities/" + strings.ToLower(sub) + "/" }

func identityKey(sub, group, name string) string {
	return identitiesPrefix(sub) + strings.ToLower(group) + "/" + strings.ToLower(name)
}

func errIdentityNotFound(group, name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound",
		"The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/%s' under resource group '%s' was not found.", name, group)
}

// CreateIdentity records a new identity; an existing one of that name in the
// group is a conflict, so two racing creates cannot both win.
func (m *Manager) CreateIdentity(ctx context.Context, u UserAssignedIdentity) (*UserAssignedIdentity, error) {
	u.Created = m.Now().UTC()
	err := m.update(ctx, func(tx store.Tx) error {
		key := identityKey(u.SubscriptionID, u.ResourceGroup, u.Name)
		if _, err := tx.Get(ctx, key); err == nil {
			return scopevault.Errorf(scopevault.ECONFLICT, "Conflict", "The user-assigned identity '%s' already exists.", u.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		b, _ := json.Marshal(u)
		return tx.Put(ctx, key, b)
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// UpdateIdentityTags replaces the tags of an existing identity.
func (m *Manager) UpdateIdentityTags(ctx context.Context, sub, group, name string, tags map[string]string) (*UserAssignedIdentity, error) {
	var u UserAssignedIdentity
	err := m.update(ctx, func(tx store.Tx) error {
		if err := getIdentity(ctx, tx, sub, group, name, &u); err != nil {
			return err
		}
		u.Tags = tags
		b, _ := json.Marshal(u)
		return tx.Put(ctx, identityKey(sub, group, name), b)
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func getIdentity(ctx context.Context, tx store.Tx, sub, group, name string, u *UserAssignedIdentity) error {
	raw, err := tx.Get(ctx, identityKey(sub, group, name))
	if errors.Is(err, store.ErrNotFound) {
		return errIdentityNotFound(group, name)
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, u)
}

// Identity returns one identity.
func (m *Manager) Identity(ctx context.Context, sub, group, name string) (*UserAssignedIdentity, error) {
	var u UserAssignedIdentity
	err := m.view(ctx, func(tx store.Tx) error { return getIdentity(ctx, tx, sub, group, name, &u) })
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// ListIdentities returns a subscription's identities, or one group's when
// group is not "".
func (m *Manager) ListIdentities(ctx context.Context, sub, group string) ([]*UserAssignedIdentity, error) {
	prefix := identitiesPrefix(sub)
	if group != "" {
		prefix += strings.ToLower(group) + "/"
	}
	var out []*UserAssignedIdentity
	err := m.view(ctx, func(tx store.Tx) error {
		kvs, err := tx.List(ctx, prefix, "", 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			var u UserAssignedIdentity
			if err := json.Unmarshal(kv.Value, &u); err != nil {
				return err
			}
			out = append(out, &u)
		}
		return nil
	})
	return out, err
}

// DeleteIdentity removes the record and returns it; the caller removes the
// directory principal behind it.
func (m *Manager) DeleteIdentity(ctx context.Context, sub, group, name string) (*UserAssignedIdentity, error) {
	var u UserAssignedIdentity
	err := m.update(ctx, func(tx store.Tx) error {
		if err := getIdentity(ctx, tx, sub, group, name, &u); err != nil {
			return err
		}
		return tx.Delete(ctx, identityKey(sub, group, name))
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}
