package secrets

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

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
		var all [][]byte
		for _, v := range ent.versions {
			all = append(all, v.sealed)
		}
		if len(all) == 0 {
			t.Fatal("no bundle cached")
		}
		for _, raw := range all {
			if bytes.Contains(raw, []byte(value)) || bytes.Contains(raw, []byte("tag-canary-91b2")) {
				t.Fatal("the read cache holds a value or a record in clear")
			}
		}
	})
}

func TestBundleRoundTrip(t *testing.T) {
	at := func(sec int64) *time.Time { t := time.Unix(sec, 0).UTC(); return &t }
	tests := []struct {
		name  string
		ver   scopevault.SecretVersion
		value string
	}{
		{"ok/minimal", scopevault.SecretVersion{Version: "abc", Created: *at(1), Updated: *at(2)}, ""},
		{"ok/everything", scopevault.SecretVersion{Version: "0123456789abcdef0123456789abcdef", Enabled: true,
			NotBefore: at(-5), Expires: at(1 << 40), Created: *at(1_700_000_000), Updated: *at(1_800_000_000),
			ContentType: "text/plain; charset=utf-8", Tags: map[string]string{"a": "1", "é": ""}, Previous: "prev"},
			strings.Repeat("v\x00é", 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, ver, value, err := decodeBundle(encodeBundle("Name-1", &tt.ver, []byte(tt.value)))
			if err != nil {
				t.Fatal(err)
			}
			if name != "Name-1" || value != tt.value || !reflect.DeepEqual(*ver, tt.ver) {
				t.Fatalf("round trip: %q %+v, want %+v", name, *ver, tt.ver)
			}
		})
	}
}

// FuzzDecodeBundle: any bytes decode to a bundle or an error, never a panic
// or a huge allocation.
func FuzzDecodeBundle(f *testing.F) {
	now := time.Unix(1_700_000_000, 0).UTC()
	f.Add(encodeBundle("n", &scopevault.SecretVersion{Version: "v", Enabled: true, Created: now, Updated: now,
		Tags: map[string]string{"k": "v"}, NotBefore: &now}, []byte("value")))
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, ver, _, err := decodeBundle(b)
		if err == nil && ver == nil {
			t.Fatal("no error and no version")
		}
	})
}
