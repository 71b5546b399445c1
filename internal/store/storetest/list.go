package storetest

import (
	"slices"
	"strconv"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
)

var listKeys = []string{"a", "a.", "a/", "a/1", "a/10", "a/2", "a/B", "a/a", "a/a/x", "a/é", "a0", "b/1"}

func testList(t *testing.T, st store.Store) {
	if !slices.IsSorted(listKeys) {
		t.Fatal("listKeys must be in byte order")
	}
	// Put in an order unrelated to the key order.
	for i := range listKeys {
		k := listKeys[(i*5)%len(listKeys)]
		mustPut(t, st, k, []byte("v:"+k))
	}

	tests := []struct {
		name          string
		prefix, after string
		limit         int
		want          []string
	}{
		{name: "ok/all", want: listKeys},
		{name: "ok/prefix", prefix: "a/", want: []string{"a/", "a/1", "a/10", "a/2", "a/B", "a/a", "a/a/x", "a/é"}},
		{name: "ok/prefix-is-a-key", prefix: "a/1", want: []string{"a/1", "a/10"}},
		{name: "ok/prefix-nested", prefix: "a/a", want: []string{"a/a", "a/a/x"}},
		{name: "ok/prefix-matches-nothing", prefix: "a/z", want: nil},
		{name: "ok/prefix-past-every-key", prefix: "c", want: nil},
		{name: "ok/after-a-key", prefix: "a/", after: "a/2", want: []string{"a/B", "a/a", "a/a/x", "a/é"}},
		{name: "ok/after-between-keys", prefix: "a/", after: "a/15", want: []string{"a/2", "a/B", "a/a", "a/a/x", "a/é"}},
		{name: "ok/after-before-prefix", prefix: "a/", after: "a", want: []string{"a/", "a/1", "a/10", "a/2", "a/B", "a/a", "a/a/x", "a/é"}},
		{name: "ok/after-last", prefix: "a/", after: "a/é", want: nil},
		{name: "ok/after-past-prefix", prefix: "a/", after: "a0", want: nil},
		{name: "ok/limit", prefix: "a/", limit: 3, want: []string{"a/", "a/1", "a/10"}},
		{name: "ok/limit-after", prefix: "a/", after: "a/10", limit: 2, want: []string{"a/2", "a/B"}},
		{name: "ok/limit-larger-than-result", prefix: "a/a", limit: 10, want: []string{"a/a", "a/a/x"}},
		{name: "ok/limit-one", limit: 1, want: []string{"a"}},
		{name: "ok/negative-limit-is-all", prefix: "b/", limit: -1, want: []string{"b/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kvs, err := list(t, st, tt.prefix, tt.after, tt.limit)
			if err != nil {
				t.Fatalf("List(%q, %q, %d): %v", tt.prefix, tt.after, tt.limit, err)
			}
			got := keysOf(kvs)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("List(%q, %q, %d) keys = %q, want %q", tt.prefix, tt.after, tt.limit, got, tt.want)
			}
			for _, kv := range kvs {
				if got, want := string(kv.Value), "v:"+kv.Key; got != want {
					t.Errorf("List value of %q = %q, want %q", kv.Key, got, want)
				}
			}
		})
	}
}

func testListPages(t *testing.T, st store.Store) {
	var want []string
	for i := range 25 {
		k := "page/" + strconv.Itoa(i)
		want = append(want, k)
		mustPut(t, st, k, []byte(k))
	}
	mustPut(t, st, "pagf", []byte("just past the prefix"))
	slices.Sort(want)

	for _, limit := range []int{1, 2, 7, 25, 26} {
		t.Run("ok/limit-"+strconv.Itoa(limit), func(t *testing.T) {
			var got []string
			after := ""
			for range 100 {
				kvs, err := list(t, st, "page/", after, limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(kvs) > limit {
					t.Fatalf("List returned %d entries, limit %d", len(kvs), limit)
				}
				if len(kvs) == 0 {
					break
				}
				got = append(got, keysOf(kvs)...)
				after = kvs[len(kvs)-1].Key
			}
			if !slices.Equal(got, want) {
				t.Errorf("pages of %d = %q, want %q", limit, got, want)
			}
		})
	}
}

func testListSeesOwnWrites(t *testing.T, st store.Store) {
	mustPut(t, st, "own/keep", []byte("before"))
	mustPut(t, st, "own/drop", []byte("before"))

	var got []store.KV
	err := st.Update(t.Context(), func(tx store.Tx) error {
		ctx := t.Context()
		if err := tx.Put(ctx, "own/keep", []byte("changed")); err != nil {
			return err
		}
		if err := tx.Delete(ctx, "own/drop"); err != nil {
			return err
		}
		if err := tx.Put(ctx, "own/new", []byte("added")); err != nil {
			return err
		}
		var err error
		got, err = tx.List(ctx, "own/", "", 0)
		return err
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	want := []store.KV{{Key: "own/keep", Value: []byte("changed")}, {Key: "own/new", Value: []byte("added")}}
	if !kvsEqual(got, want) {
		t.Errorf("List inside the Update = %s, want %s", fmtKVs(got), fmtKVs(want))
	}
}
