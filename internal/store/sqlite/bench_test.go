package sqlite_test

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
)

// benchValue is about the size of a sealed secret with its metadata.
var benchValue = make([]byte, 512)

func BenchmarkGet(b *testing.B) {
	st := MustOpen(b, filepath.Join(b.TempDir(), "scopevault.db"))
	defer st.Close()
	ctx := b.Context()
	keys := make([]string, 1000)
	err := st.Update(ctx, func(tx store.Tx) error {
		for i := range keys {
			keys[i] = "kv/bench/secrets/" + strconv.Itoa(i)
			if err := tx.Put(ctx, keys[i], benchValue); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		err := st.View(ctx, func(tx store.Tx) error {
			_, err := tx.Get(ctx, keys[i%len(keys)])
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkPut measures one durable Update per Put: each pays an fsync.
func BenchmarkPut(b *testing.B) {
	st := MustOpen(b, filepath.Join(b.TempDir(), "scopevault.db"))
	defer st.Close()
	ctx := b.Context()
	i := 0
	for b.Loop() {
		err := st.Update(ctx, func(tx store.Tx) error {
			return tx.Put(ctx, "kv/bench/secrets/"+strconv.Itoa(i%1000), benchValue)
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}
