package storetest

import (
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
)

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
