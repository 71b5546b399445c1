package storetest

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
)

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
