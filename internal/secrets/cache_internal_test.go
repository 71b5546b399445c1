package secrets

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

// TestCacheHoldsSealedOnly: the read cache keeps records and values as the
// store holds them, sealed; no secret value is in memory in clear.
func TestCacheHoldsSealedOnly(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := barrier.Open(ctx, st, barrier.NewMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	e := New(st, b)
	v, err := e.CreateVault(ctx, scopevault.Vault{Name: "kv-sealed", SubscriptionID: scopevault.NewGUID(), ResourceGroup: "rg",
		Location: "eastus", TenantID: scopevault.NewGUID(), SKU: "standard", EnableRBACAuthorization: true})
	if err != nil {
		t.Fatal(err)
	}
	const value = "cache-plaintext-canary-7f3a"
	if _, err := e.Set(ctx, v, "s", SetParams{Value: value, Tags: map[string]string{"tag": "tag-canary-91b2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Get(ctx, v, "s", ""); err != nil {
		t.Fatal(err)
	}
	if e.cache.Len() != 1 {
		t.Fatalf("cache entries after a get: %d, want 1", e.cache.Len())
	}
	e.cache.Each(func(_ string, ent secretEntry) {
		all := [][]byte{ent.rec}
		for _, v := range ent.values {
			all = append(all, v)
		}
		for _, raw := range all {
			if bytes.Contains(raw, []byte(value)) || bytes.Contains(raw, []byte("tag-canary-91b2")) {
				t.Fatal("the read cache holds a value or a record in clear")
			}
		}
	})
}
