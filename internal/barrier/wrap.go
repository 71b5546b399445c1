package barrier

import (
	"context"
	"fmt"
	"strings"

	"github.com/scopevault/scopevault/internal/store"
)

// Wrap returns a Tx that seals values on Put and opens them on Get and List.
// Keys stay in clear: they hold names and ids, never secret material. The
// keyring is out of its reach: Get, Put and Delete of it fail with
// ErrReserved, and List leaves it out.
func (b *Barrier) Wrap(tx store.Tx) store.Tx { return &sealedTx{b: b, tx: tx} }

// reserved reports whether key belongs to the barrier itself.
func reserved(key string) bool { return strings.HasPrefix(key, KeyringPath) }

type sealedTx struct {
	b  *Barrier
	tx store.Tx
}

func (s *sealedTx) Get(ctx context.Context, key string) ([]byte, error) {
	if reserved(key) {
		return nil, ErrReserved
	}
	raw, err := s.tx.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	return s.b.Open(key, raw)
}

func (s *sealedTx) Put(ctx context.Context, key string, value []byte) error {
	if reserved(key) {
		return ErrReserved
	}
	return s.tx.Put(ctx, key, s.b.Seal(key, value))
}

// Delete refuses the keyring: deleting it would make every value unreadable.
func (s *sealedTx) Delete(ctx context.Context, key string) error {
	if reserved(key) {
		return ErrReserved
	}
	return s.tx.Delete(ctx, key)
}

func (s *sealedTx) List(ctx context.Context, prefix, after string, limit int) ([]store.KV, error) {
	var out []store.KV
	for {
		want := limit
		if limit > 0 {
			want = limit - len(out)
		}
		kvs, err := s.tx.List(ctx, prefix, after, want)
		if err != nil {
			return nil, err
		}
		for _, kv := range kvs {
			after = kv.Key
			if reserved(kv.Key) {
				continue
			}
			plain, err := s.b.Open(kv.Key, kv.Value)
			if err != nil {
				return nil, fmt.Errorf("barrier: %q: %w", kv.Key, err)
			}
			out = append(out, store.KV{Key: kv.Key, Value: plain})
		}
		// A skipped reserved key leaves a full page short by one: fetch the
		// entry it displaced, or a caller paging by limit stops early.
		if limit <= 0 || len(kvs) < want || len(out) >= limit {
			return out, nil
		}
	}
}
