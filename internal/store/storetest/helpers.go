package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
)

// errAny in a table's wantErr means "some error, whichever".
var errAny = errors.New("storetest: any error")

// wrapped hides an error one level down, as a caller's fmt.Errorf("...: %w") would.
type wrapped struct{ err error }

func (w wrapped) Error() string { return "wrapped: " + w.err.Error() }
func (w wrapped) Unwrap() error { return w.err }

func canceledBefore(t *testing.T) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx, cancel
}

func cancelable(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}

func mustPut(tb testing.TB, st store.Store, key string, value []byte) {
	tb.Helper()
	if err := st.Update(tb.Context(), func(tx store.Tx) error {
		return tx.Put(tb.Context(), key, value)
	}); err != nil {
		tb.Fatalf("Put(%q): %v", key, err)
	}
}

func mustDelete(tb testing.TB, st store.Store, key string) {
	tb.Helper()
	if err := st.Update(tb.Context(), func(tx store.Tx) error {
		return tx.Delete(tb.Context(), key)
	}); err != nil {
		tb.Fatalf("Delete(%q): %v", key, err)
	}
}

// get reads key in its own View; the error is the caller's to judge.
func get(tb testing.TB, st store.Store, key string) ([]byte, error) {
	tb.Helper()
	var v []byte
	err := st.View(tb.Context(), func(tx store.Tx) error {
		var err error
		v, err = tx.Get(tb.Context(), key)
		return err
	})
	return v, err
}

func list(tb testing.TB, st store.Store, prefix, after string, limit int) ([]store.KV, error) {
	tb.Helper()
	var kvs []store.KV
	err := st.View(tb.Context(), func(tx store.Tx) error {
		var err error
		kvs, err = tx.List(tb.Context(), prefix, after, limit)
		return err
	})
	return kvs, err
}

// dump returns every entry under prefix, failing the test if it cannot.
func dump(tb testing.TB, st store.Store, prefix string) []store.KV {
	tb.Helper()
	kvs, err := list(tb, st, prefix, "", 0)
	if err != nil {
		tb.Fatalf("List(%q): %v", prefix, err)
	}
	return kvs
}

func keysOf(kvs []store.KV) []string {
	var keys []string
	for _, kv := range kvs {
		keys = append(keys, kv.Key)
	}
	return keys
}

// kvsEqual compares keys and value bytes; a nil and an empty value are equal.
func kvsEqual(a, b []store.KV) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || string(a[i].Value) != string(b[i].Value) {
			return false
		}
	}
	return true
}

// fmtKVs prints entries for a failure message, eliding long values.
func fmtKVs(kvs []store.KV) string {
	var b strings.Builder
	b.WriteString("[")
	for i, kv := range kvs {
		if i > 0 {
			b.WriteString(" ")
		}
		if len(kv.Value) > 32 {
			fmt.Fprintf(&b, "%q=<%d bytes>", kv.Key, len(kv.Value))
		} else {
			fmt.Fprintf(&b, "%q=%q", kv.Key, kv.Value)
		}
	}
	b.WriteString("]")
	return b.String()
}

// randomBytes returns n bytes that look random but are the same every run.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{'s', 't', 'o', 'r', 'e', 't', 'e', 's', 't'}).Read(b)
	return b
}
