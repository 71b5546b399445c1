package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// entryOfTest: keys "e/{name}" belong to entry {name}; "x/..." drops all.
func entryOfTest(key string) (string, bool, bool) {
	if name, ok := strings.CutPrefix(key, "e/"); ok {
		return name, true, false
	}
	return "", false, strings.HasPrefix(key, "x/")
}

func keep(v string) func(string, bool) string { return func(string, bool) string { return v } }

func TestReadCache(t *testing.T) {
	ctx := context.Background()
	put := func(st store.Store, key string) {
		t.Helper()
		if err := st.Update(ctx, func(tx store.Tx) error { return tx.Put(ctx, key, []byte("v")) }); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		// run fills "a" (possibly racing a write) and returns whether the
		// entry is expected to be cached afterwards.
		run func(st store.Store, c *store.ReadCache[string]) bool
	}{
		{"ok/fill", func(st store.Store, c *store.ReadCache[string]) bool {
			c.Fill(c.Ticket("a"), keep("1"))
			return true
		}},
		{"ok/write-drops-entry", func(st store.Store, c *store.ReadCache[string]) bool {
			c.Fill(c.Ticket("a"), keep("1"))
			put(st, "e/a")
			return false
		}},
		{"ok/write-during-fill-refuses-it", func(st store.Store, c *store.ReadCache[string]) bool {
			tk := c.Ticket("a")
			put(st, "e/a") // lands between the filler's read and its fill
			c.Fill(tk, keep("stale"))
			return false
		}},
		{"ok/other-entry-keeps", func(st store.Store, c *store.ReadCache[string]) bool {
			c.Fill(c.Ticket("a"), keep("1"))
			put(st, "e/b")
			put(st, "other/a")
			return true
		}},
		{"ok/unplaceable-key-drops-all", func(st store.Store, c *store.ReadCache[string]) bool {
			c.Fill(c.Ticket("a"), keep("1"))
			put(st, "x/anything")
			return false
		}},
		{"ok/too-large-not-kept", func(st store.Store, c *store.ReadCache[string]) bool {
			c.Fill(c.Ticket("a"), keep(strings.Repeat("x", 1000)))
			return false
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			c := store.NewReadCache(st, 1024, entryOfTest, func(v string) int { return len(v) })
			want := tt.run(st, c)
			if _, got := c.Get("a"); got != want {
				t.Fatalf("entry a cached: %v, want %v", got, want)
			}
		})
	}
}

func TestReadCacheBound(t *testing.T) {
	st := openStore(t)
	c := store.NewReadCache(st, 1000, entryOfTest, func(v string) int { return len(v) })
	for i := range 100 {
		c.Fill(c.Ticket(strings.Repeat("k", i+1)), keep(strings.Repeat("v", 50)))
	}
	total := 0
	c.Each(func(k, v string) { total += len(k) + len(v) })
	if total > 1000 {
		t.Fatalf("cache holds %d bytes, bound 1000", total)
	}
	if c.Len() == 0 {
		t.Fatal("cache holds nothing after fills")
	}
}
