package secrets_test

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/secrets"
)

// The read cache's promises: whatever a write changed is seen by the next
// Get once the write returned; nothing else tells a cached read from a
// store read.
func TestGetCacheTakesEffectNextRequest(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// act changes the secret "s" (value "v1", already read once, so
		// cached); then Get(s, version) must give want or the error.
		act        func(t *testing.T, e *testEngine, v *scopevault.Vault, first *scopevault.SecretValue) (version string)
		want       string
		wantCode   scopevault.ErrorCode
		wantReason string
	}{
		{name: "ok/unchanged", act: func(*testing.T, *testEngine, *scopevault.Vault, *scopevault.SecretValue) string { return "" }, want: "v1"},
		{name: "ok/new-version", act: func(t *testing.T, e *testEngine, v *scopevault.Vault, _ *scopevault.SecretValue) string {
			e.MustSet(t, v, "s", "v2")
			return ""
		}, want: "v2"},
		{name: "ok/old-version-by-id", act: func(t *testing.T, e *testEngine, v *scopevault.Vault, first *scopevault.SecretValue) string {
			e.MustSet(t, v, "s", "v2")
			return first.Version.Version
		}, want: "v1"},
		{name: "ok/recovered", act: func(t *testing.T, e *testEngine, v *scopevault.Vault, _ *scopevault.SecretValue) string {
			e.MustDelete(t, v, "s")
			if _, err := e.Get(ctx, v, "s", ""); err == nil {
				t.Fatal("deleted secret read")
			}
			if _, err := e.Recover(ctx, v, "s"); err != nil {
				t.Fatal(err)
			}
			return ""
		}, want: "v1"},
		{name: "ok/name-case-insensitive", act: func(t *testing.T, e *testEngine, v *scopevault.Vault, _ *scopevault.SecretValue) string {
			e.MustSet(t, v, "S", "v2")
			return ""
		}, want: "v2"},
		{name: "deleted", act: func(t *testing.T, e *testEngine, v *scopevault.Vault, _ *scopevault.SecretValue) string {
			e.MustDelete(t, v, "s")
			return ""
		}, wantCode: scopevault.ENOTFOUND, wantReason: "SecretNotFound"},
		{name: "purged", act: func(t *testing.T, e *testEngine, v *scopevault.Vault, _ *scopevault.SecretValue) string {
			e.MustDelete(t, v, "s")
			if err := e.Purge(ctx, v, "s"); err != nil {
				t.Fatal(err)
			}
			return ""
		}, wantCode: scopevault.ENOTFOUND, wantReason: "SecretNotFound"},
		{name: "purged/old-version-by-id", act: func(t *testing.T, e *testEngine, v *scopevault.Vault, first *scopevault.SecretValue) string {
			e.MustDelete(t, v, "s")
			if err := e.Purge(ctx, v, "s"); err != nil {
				t.Fatal(err)
			}
			return first.Version.Version
		}, wantCode: scopevault.ENOTFOUND, wantReason: "SecretNotFound"},
		{name: "disabled", act: func(t *testing.T, e *testEngine, v *scopevault.Vault, _ *scopevault.SecretValue) string {
			if _, _, err := e.Update(ctx, v, "s", "", secrets.UpdateParams{Attributes: scopevault.SecretAttributes{Enabled: ptr(false)}}); err != nil {
				t.Fatal(err)
			}
			return ""
		}, wantCode: scopevault.EFORBIDDEN, wantReason: "SecretDisabled"},
		{name: "vault-purged-and-recreated", act: func(t *testing.T, e *testEngine, v *scopevault.Vault, _ *scopevault.SecretValue) string {
			if _, err := e.DeleteVault(ctx, v.SubscriptionID, v.ResourceGroup, v.Name); err != nil {
				t.Fatal(err)
			}
			if _, err := e.PurgeVault(ctx, v.SubscriptionID, v.Location, v.Name); err != nil {
				t.Fatal(err)
			}
			*v = *e.MustVault(t, v.Name)
			return ""
		}, wantCode: scopevault.ENOTFOUND, wantReason: "SecretNotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := MustEngine(t)
			v := e.MustVault(t, "kv-cache")
			e.MustSet(t, v, "s", "v1")
			first, err := e.Get(ctx, v, "s", "")
			if err != nil || first.Value != "v1" {
				t.Fatalf("first get: %v", err)
			}
			version := tt.act(t, e, v, first)
			got, err := e.Get(ctx, v, "s", version)
			if tt.wantCode != "" {
				wantErr(t, err, tt.wantCode, tt.wantReason)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Value != tt.want {
				t.Fatalf("get after the change: %q, want %q", got.Value, tt.want)
			}
		})
	}
}

// TestGetCacheUnderConcurrentWrites: while readers keep filling the cache,
// every Set is read back by the Get that follows it.
func TestGetCacheUnderConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-race")
	e.MustSet(t, v, "s", "0")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := e.Get(ctx, v, "s", ""); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := 1; i <= 100; i++ {
		want := strconv.Itoa(i)
		e.MustSet(t, v, "s", want)
		got, err := e.Get(ctx, v, "s", "")
		if err != nil {
			t.Fatal(err)
		}
		if got.Value != want {
			t.Fatalf("after Set(%s) returned, Get read %q", want, got.Value)
		}
	}
	close(stop)
	wg.Wait()
}
