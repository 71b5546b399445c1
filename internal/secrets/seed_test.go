package secrets_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/scopevault/scopevault"
)

// TestSeed: seeded secrets read back as if Set had written them, and a
// second seed of the same names is refused whole.
func TestSeed(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-seed")
	name := func(i int) string { return "seed-" + strconv.Itoa(i) }
	if err := e.Seed(ctx, v, 1200, 500, name, func(i int) string { return "value-" + strconv.Itoa(i) }); err != nil {
		t.Fatal(err)
	}
	got, err := e.Get(ctx, v, "seed-777", "")
	if err != nil || got.Value != "value-777" || !got.Version.Enabled {
		t.Fatalf("seed-777: %+v, %v", got, err)
	}
	n, after := 0, ""
	for {
		page, err := e.ListSecrets(ctx, v, after, 25)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Items)
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if n != 1200 {
		t.Fatalf("listed %d seeded secrets, want 1200", n)
	}
	wantErr(t, e.Seed(ctx, v, 10, 10, name, func(int) string { return "x" }), scopevault.ECONFLICT, "")
}
