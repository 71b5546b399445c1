package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
)

// testGeneration: a committed write moves the generation of exactly the
// segments it touched; reads and failed updates move nothing. Caches rely on it.
func testGeneration(t *testing.T, st store.Store) {
	ctx := context.Background()
	a0, b0 := st.Generation("a"), st.Generation("b")
	mustUpdate(t, st, func(tx store.Tx) error { return tx.Put(ctx, "a/x", []byte("1")) })
	if got := st.Generation("a"); got <= a0 {
		t.Fatalf("Put under a/: generation %d, want > %d", got, a0)
	}
	if got := st.Generation("b"); got != b0 {
		t.Fatalf("Put under a/ moved b's generation: %d, want %d", got, b0)
	}
	a1 := st.Generation("a")
	_ = st.View(ctx, func(tx store.Tx) error { _, err := tx.Get(ctx, "a/x"); return err })
	_ = st.Update(ctx, func(tx store.Tx) error {
		if err := tx.Put(ctx, "a/y", []byte("2")); err != nil {
			return err
		}
		return errBoom
	})
	if got := st.Generation("a"); got != a1 {
		t.Fatalf("a View and a failed Update moved the generation: %d, want %d", got, a1)
	}
	mustUpdate(t, st, func(tx store.Tx) error { return tx.Delete(ctx, "a/x") })
	if got := st.Generation("a"); got <= a1 {
		t.Fatalf("Delete under a/: generation %d, want > %d", got, a1)
	}

	var c store.Cached[int]
	loads := 0
	load := func() (int, error) { loads++; return loads, nil }
	for range 3 {
		if v, _ := c.Get(st, "b", load); v != 1 {
			t.Fatalf("cached value %d, want 1 (loaded once)", v)
		}
	}
	mustUpdate(t, st, func(tx store.Tx) error { return tx.Put(ctx, "b/z", nil) })
	if v, _ := c.Get(st, "b", load); v != 2 {
		t.Fatalf("after a write under b/: cached value %d, want 2 (reloaded)", v)
	}
}

func mustUpdate(t *testing.T, st store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := st.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// testWatch: a watcher hears the keys of each committed write before the
// Update returns, and nothing of reads or failed updates. Read caches rely
// on it to drop what a write changed before the write is acknowledged.
func testWatch(t *testing.T, st store.Store) {
	ctx := context.Background()
	var heard [][]string
	st.Watch(func(keys []string) { heard = append(heard, append([]string(nil), keys...)) })
	mustUpdate(t, st, func(tx store.Tx) error {
		if err := tx.Put(ctx, "a/x", []byte("1")); err != nil {
			return err
		}
		return tx.Delete(ctx, "b/y")
	})
	if len(heard) != 1 || !slices.Contains(heard[0], "a/x") || !slices.Contains(heard[0], "b/y") {
		t.Fatalf("after a commit writing a/x and deleting b/y, the watcher heard %q", heard)
	}
	_ = st.View(ctx, func(tx store.Tx) error { _, err := tx.Get(ctx, "a/x"); return err })
	_ = st.Update(ctx, func(tx store.Tx) error {
		if err := tx.Put(ctx, "a/z", []byte("2")); err != nil {
			return err
		}
		return errBoom
	})
	mustUpdate(t, st, func(tx store.Tx) error { _, err := tx.Get(ctx, "a/x"); return err })
	if len(heard) != 1 {
		t.Fatalf("a View, a failed Update and a read-only Update were reported: %q", heard[1:])
	}
}
