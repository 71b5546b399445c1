package secrets_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/secrets"
)

func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	e := MustEngine(b)
	v := e.MustVault(b, "kv-bench")
	for i := range 100 {
		e.MustSet(b, v, fmt.Sprintf("s-%03d", i), strings.Repeat("v", 1024))
	}
	i := 0
	for b.Loop() {
		if _, err := e.Get(ctx, v, fmt.Sprintf("s-%03d", i%100), ""); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkSet(b *testing.B) {
	ctx := context.Background()
	e := MustEngine(b)
	v := e.MustVault(b, "kv-bench")
	p := secrets.SetParams{Value: strings.Repeat("v", 1024), Tags: map[string]string{"env": "bench"}}
	i := 0
	for b.Loop() {
		// A bounded set of names: versions accumulate as they do in real use.
		if _, err := e.Set(ctx, v, fmt.Sprintf("s-%03d", i%100), p); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
