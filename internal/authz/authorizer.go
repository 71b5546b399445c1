package authz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/store"
)

// Storage layout; authz writes nothing outside the authz/ prefix.
const (
	assignmentsPrefix = "authz/assignments/" // + lower-case assignment GUID
	rolesPrefix       = "authz/roles/"       // + lower-case custom role GUID
)

// Authorizer stores role definitions and assignments and decides requests.
// It is safe for concurrent use; Now and PropagationDelay are set once,
// before first use.
type Authorizer struct {
	st store.Store
	b  *barrier.Barrier

	// Now is the clock: it stamps assignments and decides whether they have
	// propagated. Tests replace it; nothing here sleeps.
	Now func() time.Time
	// PropagationDelay is how long a new role assignment takes to affect
	// decisions, emulating Key Vault's RBAC cache (minutes in Azure). Zero
	// means immediately, the default so tests and scripts are deterministic.
	PropagationDelay time.Duration

	cache store.Cached[*rbacSnapshot]
}

// New returns an Authorizer over st. Every value goes through b, so role
// data is sealed like everything else; b must not be nil.
func New(st store.Store, b *barrier.Barrier) *Authorizer {
	return &Authorizer{st: st, b: b, Now: time.Now}
}

// view and update run fn in a transaction whose values pass through the barrier.
func (a *Authorizer) view(ctx context.Context, fn func(tx store.Tx) error) error {
	return a.st.View(ctx, func(tx store.Tx) error { return fn(a.b.Wrap(tx)) })
}

func (a *Authorizer) update(ctx context.Context, fn func(tx store.Tx) error) error {
	return a.st.Update(ctx, func(tx store.Tx) error { return fn(a.b.Wrap(tx)) })
}

func (a *Authorizer) now() time.Time { return a.Now().UTC() }

// getJSON decodes key into v; found is false for a missing key.
func getJSON(ctx context.Context, tx store.Tx, key string, v any) (found bool, err error) {
	raw, err := tx.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("authz: get %s: %w", key, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("authz: decode %s: %w", key, err)
	}
	return true, nil
}

func putJSON(ctx context.Context, tx store.Tx, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("authz: encode %s: %w", key, err)
	}
	if err := tx.Put(ctx, key, raw); err != nil {
		return fmt.Errorf("authz: put %s: %w", key, err)
	}
	return nil
}

// listJSON decodes every value under prefix, in key order.
func listJSON[T any](ctx context.Context, tx store.Tx, prefix string) ([]T, error) {
	kvs, err := tx.List(ctx, prefix, "", 0)
	if err != nil {
		return nil, fmt.Errorf("authz: list %s: %w", prefix, err)
	}
	out := make([]T, 0, len(kvs))
	for _, kv := range kvs {
		var v T
		if err := json.Unmarshal(kv.Value, &v); err != nil {
			return nil, fmt.Errorf("authz: decode %s: %w", kv.Key, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// lookupRole finds a built-in or custom role by GUID; found is false when neither exists.
func lookupRole(ctx context.Context, tx store.Tx, guid string) (r role, found bool, err error) {
	guid = RoleGUID(guid)
	if r, ok := builtinByID[guid]; ok {
		return r, true, nil
	}
	if !guidExactRE.MatchString(guid) {
		// Not a GUID, so not a key we could have written; also keeps "/" out of keys.
		return role{}, false, nil
	}
	var def scopevault.RoleDefinition
	found, err = getJSON(ctx, tx, rolesPrefix+guid, &def)
	return role{def: def}, found, err
}
