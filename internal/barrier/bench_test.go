package barrier_test

import (
	"strconv"
	"testing"

	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/store"
)

var benchSizes = []int{64, 1 << 10, 25 << 10}

// BenchmarkSeal and BenchmarkOpen: AES-256-GCM with the path as associated
// data, for a small, a 1 KB and a maximal (25 KB) secret.
func BenchmarkSeal(b *testing.B) {
	bar := MustBarrier(b, MustStore(b), barrier.NewMasterKey())
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			plain := make([]byte, n)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				bar.Seal("kv/bench/v/secret/0123456789abcdef", plain)
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	bar := MustBarrier(b, MustStore(b), barrier.NewMasterKey())
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			sealed := bar.Seal("kv/bench/v/secret/0123456789abcdef", make([]byte, n))
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bar.Open("kv/bench/v/secret/0123456789abcdef", sealed); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWrappedGet: one sealed read through a real SQLite store.
func BenchmarkWrappedGet(b *testing.B) {
	st := MustStore(b)
	bar := MustBarrier(b, st, barrier.NewMasterKey())
	ctx := b.Context()
	mustPutSealed(b, bar, st, "kv/bench/v/s/1", make([]byte, 1<<10))
	b.ReportAllocs()
	for b.Loop() {
		err := st.View(ctx, func(tx store.Tx) error {
			_, err := bar.Wrap(tx).Get(ctx, "kv/bench/v/s/1")
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
