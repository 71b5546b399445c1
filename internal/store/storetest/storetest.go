// Package storetest is the one conformance suite every store backend runs:
// a backend's own test calls Run (or RunWithReopen when its data outlives a
// Close) with a function that opens a new, empty store. A point of the
// store.Store contract that is not checked here is not a promise.
//
// It imports only internal/store and the standard library.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
)

// Run runs the suite against stores made by open. open returns a new, empty
// store for the test it is given; Run closes it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	RunWithReopen(t, open, nil)
}

// RunWithReopen is Run plus the checks that data outlives Close. reopen
// returns a store over the data of st, which Run has already closed; Run
// closes what reopen returns. A nil reopen skips those checks.
func RunWithReopen(t *testing.T, open func(t *testing.T) store.Store, reopen func(t *testing.T, st store.Store) store.Store) {
	newStore := func(t *testing.T) store.Store {
		t.Helper()
		st := open(t)
		t.Cleanup(func() {
			if err := st.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return st
	}
	t.Run("Get", func(t *testing.T) { testGet(t, newStore(t)) })
	t.Run("Put", func(t *testing.T) { testPut(t, newStore(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, newStore(t)) })
	t.Run("List", func(t *testing.T) { testList(t, newStore(t)) })
	t.Run("ListPages", func(t *testing.T) { testListPages(t, newStore(t)) })
	t.Run("ListSeesOwnWrites", func(t *testing.T) { testListSeesOwnWrites(t, newStore(t)) })
	t.Run("Update", func(t *testing.T) { testUpdate(t, newStore) })
	t.Run("View", func(t *testing.T) { testView(t, newStore) })
	t.Run("Panic", func(t *testing.T) { testPanic(t, newStore(t)) })
	t.Run("ConcurrentCounter", func(t *testing.T) { testConcurrentCounter(t, newStore(t)) })
	t.Run("ConsistentSnapshot", func(t *testing.T) { testConsistentSnapshot(t, newStore(t)) })
	t.Run("Reopen", func(t *testing.T) {
		if reopen == nil {
			t.Skip("the backend gave no reopen hook")
		}
		testReopen(t, open, reopen)
	})
}

var errBoom = errors.New("storetest: fn failed on purpose")

func testGet(t *testing.T, st store.Store) {
	mustPut(t, st, "get/present", []byte("v1"))
	mustPut(t, st, "get/overwritten", []byte("old"))
	mustPut(t, st, "get/overwritten", []byte("new"))
	mustPut(t, st, "get/deleted", []byte("gone soon"))
	mustDelete(t, st, "get/deleted")

	tests := []struct {
		name    string
		key     string
		want    []byte
		wantErr error
	}{
		{name: "ok", key: "get/present", want: []byte("v1")},
		{name: "ok/overwritten", key: "get/overwritten", want: []byte("new")},
		{name: "fail/missing", key: "get/never-written", wantErr: store.ErrNotFound},
		{name: "fail/deleted", key: "get/deleted", wantErr: store.ErrNotFound},
		{name: "fail/prefix-of-a-key", key: "get/pres", wantErr: store.ErrNotFound},
		{name: "fail/empty-key", key: "", wantErr: store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []byte
			err := st.View(t.Context(), func(tx store.Tx) error {
				var err error
				got, err = tx.Get(t.Context(), tt.key)
				return err
			})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Get(%q) error = %v, want errors.Is %v", tt.key, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get(%q): %v", tt.key, err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("Get(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func testPut(t *testing.T, st store.Store) {
	tests := []struct {
		name  string
		key   string
		value []byte
	}{
		{name: "ok", key: "put/plain", value: []byte("hello")},
		{name: "ok/empty-value", key: "put/empty", value: []byte{}},
		{name: "ok/nil-value", key: "put/nil", value: nil},
		{name: "ok/binary-value", key: "put/binary", value: []byte{0, 0xff, 0xc3, 0x28, '\n', 0}},
		{name: "ok/large-value", key: "put/large", value: randomBytes(1 << 20)},
		{name: "ok/non-ascii-key", key: "put/é/ü/日本", value: []byte("x")},
		{name: "ok/key-with-spaces-and-quotes", key: "put/a b'c\"d%_", value: []byte("y")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustPut(t, st, tt.key, tt.value)
			got, err := get(t, st, tt.key)
			if err != nil {
				t.Fatalf("Get(%q) after Put: %v", tt.key, err)
			}
			if got, want := len(got), len(tt.value); got != want {
				t.Fatalf("Get(%q) returned %d bytes, want %d", tt.key, got, want)
			}
			if !bytes.Equal(got, tt.value) {
				t.Errorf("Get(%q) returned different bytes than were put", tt.key)
			}
		})
	}

	t.Run("ok/caller-keeps-its-slices", func(t *testing.T) {
		buf := []byte("original")
		mustPut(t, st, "put/alias", buf)
		copy(buf, "XXXXXXXX")
		got, err := get(t, st, "put/alias")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(got), "original"; got != want {
			t.Fatalf("after changing the slice given to Put, Get = %q, want %q", got, want)
		}
		copy(got, "YYYYYYYY")
		again, err := get(t, st, "put/alias")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(again), "original"; got != want {
			t.Errorf("after changing a slice Get returned, Get = %q, want %q", got, want)
		}
	})
}

func testDelete(t *testing.T, st store.Store) {
	mustPut(t, st, "del/a", []byte("a"))
	mustPut(t, st, "del/ab", []byte("ab"))

	tests := []struct {
		name string
		key  string
	}{
		{name: "ok", key: "del/a"},
		{name: "ok/missing", key: "del/never-written"},
		{name: "ok/twice", key: "del/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustDelete(t, st, tt.key)
			if _, err := get(t, st, tt.key); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("Get(%q) after Delete: error = %v, want ErrNotFound", tt.key, err)
			}
		})
	}
	// Deleting "del/a" must not touch a key it is a prefix of.
	if got, err := get(t, st, "del/ab"); err != nil || string(got) != "ab" {
		t.Errorf("Get(del/ab) = %q, %v; want \"ab\", nil", got, err)
	}
}

// listKeys is the fixture for the List tests, in byte order. It has keys
// just outside "a/" on both sides ("a.", "a0"), upper case sorting before
// lower case, and a multi-byte UTF-8 key sorting after every ASCII one: a
// backend that compares with a locale collation instead of bytes fails here.
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

// testListPages walks a prefix page by page, the way callers paginate, and
// expects exactly what one unlimited List returns.
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

func testUpdate(t *testing.T, newStore func(*testing.T) store.Store) {
	// Each case starts from keep=v0, drop=v0; fn tries to change both and add
	// one key. ok cases keep all of it, fail cases none of it.
	tests := []struct {
		name    string
		ctx     func(t *testing.T) (context.Context, context.CancelFunc)
		fnErr   error
		wantErr error // checked with errors.Is when set
		commit  bool
	}{
		{name: "ok", commit: true},
		{name: "fail/fn-error", fnErr: errBoom, wantErr: errBoom},
		{name: "fail/fn-wrapped-error", fnErr: wrapped{errBoom}, wantErr: errBoom},
		{name: "fail/ctx-canceled-before", ctx: canceledBefore, wantErr: context.Canceled},
		{name: "fail/ctx-canceled-inside-fn", ctx: cancelable, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore(t)
			mustPut(t, st, "upd/keep", []byte("v0"))
			mustPut(t, st, "upd/drop", []byte("v0"))

			ctx, cancel := t.Context(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx(t)
			}
			err := st.Update(ctx, func(tx store.Tx) error {
				// Errors from these are ignored on purpose: with a canceled
				// ctx they may fail, and the point is what Update keeps.
				_ = tx.Put(ctx, "upd/keep", []byte("v1"))
				_ = tx.Delete(ctx, "upd/drop")
				_ = tx.Put(ctx, "upd/new", []byte("v1"))
				cancel()
				return tt.fnErr
			})
			switch {
			case tt.commit && err != nil:
				t.Fatalf("Update: %v", err)
			case !tt.commit && err == nil:
				t.Fatal("Update returned nil, want an error")
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("Update error = %v, want errors.Is %v", err, tt.wantErr)
			}

			got := dump(t, st, "upd/")
			want := []store.KV{{Key: "upd/drop", Value: []byte("v0")}, {Key: "upd/keep", Value: []byte("v0")}}
			if tt.commit {
				want = []store.KV{{Key: "upd/keep", Value: []byte("v1")}, {Key: "upd/new", Value: []byte("v1")}}
			}
			if !kvsEqual(got, want) {
				t.Errorf("after Update the store holds %s, want %s", fmtKVs(got), fmtKVs(want))
			}
		})
	}
}

func testView(t *testing.T, newStore func(*testing.T) store.Store) {
	get := func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Get(ctx, "view/k")
		return err
	}
	tests := []struct {
		name    string
		ctx     func(t *testing.T) (context.Context, context.CancelFunc)
		fn      func(ctx context.Context, tx store.Tx) error
		wantErr error // checked with errors.Is; errAny: any error
	}{
		{name: "ok", fn: get},
		{name: "fail/put", fn: func(ctx context.Context, tx store.Tx) error {
			return tx.Put(ctx, "view/k", []byte("written in a View"))
		}, wantErr: errAny},
		{name: "fail/put-new-key", fn: func(ctx context.Context, tx store.Tx) error {
			return tx.Put(ctx, "view/new", []byte("written in a View"))
		}, wantErr: errAny},
		{name: "fail/delete", fn: func(ctx context.Context, tx store.Tx) error {
			return tx.Delete(ctx, "view/k")
		}, wantErr: errAny},
		{name: "fail/fn-error", fn: func(ctx context.Context, tx store.Tx) error {
			return wrapped{errBoom}
		}, wantErr: errBoom},
		{name: "fail/ctx-canceled-before", ctx: canceledBefore, fn: get, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore(t)
			mustPut(t, st, "view/k", []byte("v0"))

			ctx := t.Context()
			if tt.ctx != nil {
				ctx, _ = tt.ctx(t)
			}
			err := st.View(ctx, func(tx store.Tx) error { return tt.fn(ctx, tx) })
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("View: %v", err)
			case tt.wantErr == errAny && err == nil:
				t.Fatal("View returned nil, want an error")
			case tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("View error = %v, want errors.Is %v", err, tt.wantErr)
			}

			// The store is unchanged, and usable even after a canceled View.
			got := dump(t, st, "view/")
			want := []store.KV{{Key: "view/k", Value: []byte("v0")}}
			if !kvsEqual(got, want) {
				t.Errorf("after View the store holds %s, want %s", fmtKVs(got), fmtKVs(want))
			}
		})
	}
}

// testPanic checks that a panic in fn rolls back and leaves the store usable.
// An HTTP server recovers handler panics, so a transaction a panic leaked
// (a connection left inside BEGIN, a write lock never released) would break
// every later request. Enough transactions follow to reach every pooled
// connection.
func testPanic(t *testing.T, st store.Store) {
	mustPut(t, st, "panic/k", []byte("v0"))

	tests := []struct {
		name string
		run  func(fn func(store.Tx) error) error
	}{
		{name: "ok/update", run: func(fn func(store.Tx) error) error { return st.Update(t.Context(), fn) }},
		{name: "ok/view", run: func(fn func(store.Tx) error) error { return st.View(t.Context(), fn) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recovered := func() (r any) {
				defer func() { r = recover() }()
				tt.run(func(tx store.Tx) error {
					_, _ = tx.Get(t.Context(), "panic/k") // start reading, so the transaction is real
					_ = tx.Put(t.Context(), "panic/k", []byte("written before the panic"))
					panic("storetest: panic in fn")
				})
				return nil
			}()
			if recovered == nil {
				t.Fatal("the panic in fn did not propagate")
			}
			for i := range 20 {
				mustPut(t, st, "panic/after", []byte(strconv.Itoa(i)))
				if got, err := get(t, st, "panic/k"); err != nil || string(got) != "v0" {
					t.Fatalf("Get(panic/k) after the panic = %q, %v; want \"v0\", nil", got, err)
				}
			}
		})
	}
}

// testConcurrentCounter runs many read-modify-write Updates at once; every
// one of them must land.
func testConcurrentCounter(t *testing.T, st store.Store) {
	const workers, each = 16, 10
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				err := st.Update(t.Context(), func(tx store.Tx) error {
					n := 0
					v, err := tx.Get(t.Context(), "counter")
					switch {
					case errors.Is(err, store.ErrNotFound):
					case err != nil:
						return err
					default:
						if n, err = strconv.Atoi(string(v)); err != nil {
							return err
						}
					}
					return tx.Put(t.Context(), "counter", []byte(strconv.Itoa(n+1)))
				})
				if err != nil {
					t.Errorf("Update: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	v, err := get(t, st, "counter")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(v), strconv.Itoa(workers*each); got != want {
		t.Errorf("counter = %s, want %s", got, want)
	}
}

// testConsistentSnapshot moves units between two keys while Views check the
// sum: a View that saw one key before a commit and the other after it would
// see units appear or vanish.
func testConsistentSnapshot(t *testing.T, st store.Store) {
	const total, moves = 100, 40
	mustPut(t, st, "bank/a", []byte(strconv.Itoa(total)))
	mustPut(t, st, "bank/b", []byte("0"))

	getInt := func(tx store.Tx, key string) (int, error) {
		v, err := tx.Get(t.Context(), key)
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(string(v))
	}
	done := make(chan struct{})
	var writers, readers sync.WaitGroup
	for range 2 {
		writers.Go(func() {
			for range moves {
				err := st.Update(t.Context(), func(tx store.Tx) error {
					a, err := getInt(tx, "bank/a")
					if err != nil {
						return err
					}
					if err := tx.Put(t.Context(), "bank/a", []byte(strconv.Itoa(a-1))); err != nil {
						return err
					}
					b, err := getInt(tx, "bank/b")
					if err != nil {
						return err
					}
					return tx.Put(t.Context(), "bank/b", []byte(strconv.Itoa(b+1)))
				})
				if err != nil {
					t.Errorf("Update: %v", err)
					return
				}
			}
		})
	}
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				err := st.View(t.Context(), func(tx store.Tx) error {
					a, err := getInt(tx, "bank/a")
					if err != nil {
						return err
					}
					kvs, err := tx.List(t.Context(), "bank/", "", 0)
					if err != nil {
						return err
					}
					b, err := getInt(tx, "bank/b")
					if err != nil {
						return err
					}
					if got, want := a+b, total; got != want {
						t.Errorf("View saw a=%d b=%d, sum %d, want %d", a, b, got, want)
					}
					if got, want := fmtKVs(kvs), fmtKVs([]store.KV{{Key: "bank/a", Value: []byte(strconv.Itoa(a))}, {Key: "bank/b", Value: []byte(strconv.Itoa(b))}}); got != want {
						t.Errorf("List in the same View = %s, want %s", got, want)
					}
					return nil
				})
				if err != nil {
					t.Errorf("View: %v", err)
					return
				}
			}
		})
	}
	writers.Wait()
	close(done)
	readers.Wait()

	got := dump(t, st, "bank/")
	want := []store.KV{{Key: "bank/a", Value: []byte(strconv.Itoa(total - 2*moves))}, {Key: "bank/b", Value: []byte(strconv.Itoa(2 * moves))}}
	if !kvsEqual(got, want) {
		t.Errorf("after the moves the store holds %s, want %s", fmtKVs(got), fmtKVs(want))
	}
}

func testReopen(t *testing.T, open func(t *testing.T) store.Store, reopen func(t *testing.T, st store.Store) store.Store) {
	large := randomBytes(1 << 20)
	st := open(t)
	mustPut(t, st, "re/plain", []byte("kept"))
	mustPut(t, st, "re/empty", nil)
	mustPut(t, st, "re/large", large)
	mustPut(t, st, "re/deleted", []byte("x"))
	mustDelete(t, st, "re/deleted")
	_ = st.Update(t.Context(), func(tx store.Tx) error {
		_ = tx.Put(t.Context(), "re/rolled-back", []byte("x"))
		return errBoom
	})
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	for i := range 2 { // twice: reopening must not change the data either
		st = reopen(t, st)
		got := dump(t, st, "re/")
		want := []store.KV{{Key: "re/empty", Value: []byte{}}, {Key: "re/large", Value: large}, {Key: "re/plain", Value: []byte("kept")}}
		if !kvsEqual(got, want) {
			t.Fatalf("reopen %d: the store holds %s, want %s", i+1, fmtKVs(got), fmtKVs(want))
		}
		mustPut(t, st, "re/plain", []byte("kept"))
		if err := st.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}
