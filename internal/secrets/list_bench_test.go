package secrets_test

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkList25Of10000: one page of 25 from a vault of 10,000 secrets,
// the first page and one from the middle.
func BenchmarkList25Of10000(b *testing.B) {
	ctx := context.Background()
	e := MustEngine(b)
	v := e.MustVault(b, "kv-list")
	name := func(i int) string { return fmt.Sprintf("s-%05d", i) }
	if err := e.Seed(ctx, v, 10_000, 5_000, name, func(int) string { return "value" }); err != nil {
		b.Fatal(err)
	}
	for _, page := range []struct{ name, after string }{{"first", ""}, {"middle", name(5000)}} {
		b.Run(page.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := e.ListSecrets(ctx, v, page.after, 25)
				if err != nil || len(p.Items) != 25 {
					b.Fatalf("%d items, %v", len(p.Items), err)
				}
			}
		})
	}
}
