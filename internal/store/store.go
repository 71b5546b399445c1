// Package store is the storage contract: ordered keys holding opaque bytes,
// read and written in transactions. Backends (sqlite, later postgres) never
// interpret values; sensitive values reach them only as barrier ciphertext.
//
// It must not import any wire package or the barrier. storetest holds the one
// conformance suite every backend runs.
//
// Key layout (each owner writes only under its prefix):
//
//	core/...                      barrier keyring, CA, token signing key (internal/barrier, internal/tlsx, internal/identity)
//	dir/...                       tenants, principals, app and MSI indexes (internal/identity)
//	arm/...                       subscriptions, resource groups, vaults (internal/arm, internal/secrets)
//	authz/...                     role definitions and assignments (internal/authz)
//	net/...                       virtual networks, private endpoints and their connections, private DNS (internal/rm)
//	kv/{vault}/...                secrets metadata and values (internal/secrets)
package store

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
)

// ErrNotFound is returned by Get for a missing key.
var ErrNotFound = errors.New("store: key not found")

// KV is one key with its value.
type KV struct {
	Key   string
	Value []byte
}

// Store is a transactional ordered key-value store.
//
// What every backend must keep true (storetest checks each point):
//   - fn's error is returned by View/Update so that errors.Is still finds it;
//   - if fn panics, the transaction is rolled back, the panic propagates and
//     the store stays usable;
//   - values are copied in and out: Put does not keep the caller's slice, and
//     a slice from Get or List belongs to the caller.
type Store interface {
	// View runs fn in a read-only transaction: Put and Delete fail, and fn
	// sees one consistent snapshot, never a write committed while it runs.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction. When Update returns nil the
	// writes are durable: they survive a crash or kill -9 of the process.
	// When fn returns an error, or ctx ends before the commit, nothing fn
	// wrote is kept and Update returns an error.
	Update(ctx context.Context, fn func(Tx) error) error
	Close() error
	// Generation counts committed Updates that wrote under a top-level key
	// segment ("dir", "arm", "authz", "kv", "core": the part before the first
	// '/'). Caches of data read from the store compare it to know they are
	// stale. A backend shared by several processes must also count the other
	// processes' commits.
	Generation(segment string) uint64
	// Watch registers fn to be told, after every committed Update that wrote
	// anything and before that Update returns, the keys it wrote (Put or
	// Delete). Read caches use it to drop what a write changed before the
	// write is acknowledged. fn runs on the committing goroutine and must be
	// quick; it must not call the store. A backend shared by several
	// processes must also report the other processes' commits.
	Watch(fn func(keys []string))
}

// Tx is a transaction. It must not be used after its View/Update returns.
type Tx interface {
	// Get returns the value of key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Put creates or replaces key.
	Put(ctx context.Context, key string, value []byte) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns keys starting with prefix and greater than after (after=""
	// means from the start), in byte order, at most limit entries (limit<=0: all).
	List(ctx context.Context, prefix, after string, limit int) ([]KV, error)
}

// Segment is the top-level segment of key: the part before the first '/'.
func Segment(key string) string {
	if i := strings.IndexByte(key, '/'); i >= 0 {
		return key[:i]
	}
	return key
}

// Cached holds a value derived from one segment of the store and rebuilds it
// when that segment's generation has moved. The zero value is ready to use.
// A hit takes no lock (it is on every request's path): the value and its
// generation are swapped in together.
type Cached[T any] struct {
	p atomic.Pointer[cachedValue[T]]
}

type cachedValue[T any] struct {
	gen uint64
	val T
}

// Get returns the cached value, calling load when the segment changed since
// it was built. The generation is read before load runs, so a write that
// lands during load makes the next Get rebuild.
func (c *Cached[T]) Get(st Store, segment string, load func() (T, error)) (T, error) {
	gen := st.Generation(segment)
	if cv := c.p.Load(); cv != nil && cv.gen == gen {
		return cv.val, nil
	}
	v, err := load()
	if err != nil {
		var zero T
		return zero, err
	}
	next := &cachedValue[T]{gen: gen, val: v}
	for {
		old := c.p.Load()
		if old != nil && old.gen > gen {
			break // a newer value is already there
		}
		if c.p.CompareAndSwap(old, next) {
			break
		}
	}
	return v, nil
}
