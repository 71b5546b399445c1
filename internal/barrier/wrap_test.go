package barrier_test

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/store"
)

func TestWrapStoresNoPlaintext(t *testing.T) {
	st := MustStore(t)
	b := MustBarrier(t, st, barrier.NewMasterKey())
	keys := []string{"kv/v/secrets/a", "kv/v/secrets/b", "dir/principals/x"}
	for _, k := range keys {
		mustPutSealed(t, b, st, k, []byte(distinctive+" at "+k))
	}

	for _, kv := range mustRawList(t, st) {
		if bytes.Contains(kv.Value, []byte(distinctive)) {
			t.Errorf("raw value at %s contains the plaintext", kv.Key)
		}
	}
	for _, k := range keys {
		got, err := getSealed(t, b, st, k)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(got), distinctive+" at "+k; got != want {
			t.Errorf("Get(%s) = %q, want %q", k, got, want)
		}
	}
}

func TestWrapMovedValue(t *testing.T) {
	st := MustStore(t)
	b := MustBarrier(t, st, barrier.NewMasterKey())
	mustPutSealed(t, b, st, "kv/a/secrets/s", []byte(distinctive))
	mustRawPut(t, st, "kv/b/secrets/s", mustRawGet(t, st, "kv/a/secrets/s"))

	if _, err := getSealed(t, b, st, "kv/b/secrets/s"); !errors.Is(err, barrier.ErrOpen) {
		t.Errorf("Get of a moved value: error = %v, want ErrOpen", err)
	}
	var listErr error
	_ = st.View(t.Context(), func(tx store.Tx) error {
		_, listErr = b.Wrap(tx).List(t.Context(), "kv/b/", "", 0)
		return nil
	})
	if !errors.Is(listErr, barrier.ErrOpen) {
		t.Errorf("List over a moved value: error = %v, want ErrOpen", listErr)
	}
}

func TestWrapReservesKeyring(t *testing.T) {
	st := MustStore(t)
	master := barrier.NewMasterKey()
	b := MustBarrier(t, st, master)
	keyring := mustRawGet(t, st, barrier.KeyringPath)

	tests := []struct {
		name string
		op   func(tx store.Tx) error
	}{
		{name: "fail/get", op: func(tx store.Tx) error { _, err := tx.Get(t.Context(), barrier.KeyringPath); return err }},
		{name: "fail/put", op: func(tx store.Tx) error { return tx.Put(t.Context(), barrier.KeyringPath, []byte("{}")) }},
		{name: "fail/delete", op: func(tx store.Tx) error { return tx.Delete(t.Context(), barrier.KeyringPath) }},
		{name: "fail/put-under-keyring-prefix", op: func(tx store.Tx) error { return tx.Put(t.Context(), barrier.KeyringPath+".bak", []byte("x")) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := st.Update(t.Context(), func(tx store.Tx) error { return tt.op(b.Wrap(tx)) })
			if !errors.Is(err, barrier.ErrReserved) {
				t.Fatalf("error = %v, want ErrReserved", err)
			}
			if got, want := mustRawGet(t, st, barrier.KeyringPath), keyring; !bytes.Equal(got, want) {
				t.Fatal("the stored keyring changed")
			}
			MustBarrier(t, st, master)
		})
	}
}

func TestWrapListSkipsKeyring(t *testing.T) {
	st := MustStore(t)
	b := MustBarrier(t, st, barrier.NewMasterKey())
	want := []string{"core/a", "core/b", "core/kz", "core/z"} // core/keyring sorts between core/b and core/kz
	for _, k := range want {
		mustPutSealed(t, b, st, k, []byte(k))
	}

	for _, limit := range []int{0, 1, 2, 3, 4, 5} {
		t.Run("ok/limit-"+strconv.Itoa(limit), func(t *testing.T) {
			var got []string
			after := ""
			for range 10 {
				var kvs []store.KV
				err := st.View(t.Context(), func(tx store.Tx) error {
					var err error
					kvs, err = b.Wrap(tx).List(t.Context(), "core/", after, limit)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				for _, kv := range kvs {
					if got, want := string(kv.Value), kv.Key; got != want {
						t.Errorf("value of %s = %q, want %q", kv.Key, got, want)
					}
					got = append(got, kv.Key)
				}
				// Page the way callers do: a short page is the last one.
				if limit <= 0 || len(kvs) < limit {
					break
				}
				after = kvs[len(kvs)-1].Key
			}
			if !slices.Equal(got, want) {
				t.Errorf("pages of %d = %q, want %q", limit, got, want)
			}
		})
	}
}
