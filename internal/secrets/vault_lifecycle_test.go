package secrets_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/secrets"
)

const day = 24 * time.Hour

func TestDeleteVaultKeepsEverything(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-life", func(v *scopevault.Vault) { v.SoftDeleteRetentionDays = 7 })
	e.MustSet(t, v, "s", "value")

	t.Run("fail/wrong-group", func(t *testing.T) {
		_, err := e.DeleteVault(ctx, sub, "other-rg", "kv-life")
		wantErr(t, err, scopevault.ENOTFOUND, "ResourceNotFound")
	})
	t.Run("fail/wrong-subscription", func(t *testing.T) {
		_, err := e.DeleteVault(ctx, otherSub, "rg", "kv-life")
		wantErr(t, err, scopevault.ENOTFOUND, "ResourceNotFound")
	})
	d, err := e.DeleteVault(ctx, sub, "RG", "KV-LIFE")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *d.Deleted, e.clock.Now(); !got.Equal(want) {
		t.Errorf("deleted = %v, want %v", got, want)
	}
	if got, want := *d.ScheduledPurge, e.clock.Now().Add(7*day); !got.Equal(want) {
		t.Errorf("scheduled purge = %v, want %v", got, want)
	}
	t.Run("fail/live-lookups", func(t *testing.T) {
		_, err := e.Vault(ctx, "kv-life")
		wantErr(t, err, scopevault.ENOTFOUND, "ResourceNotFound")
		_, err = e.VaultByAddress(ctx, netip.MustParseAddr(v.Address))
		wantErr(t, err, scopevault.ENOTFOUND, "VaultNotFound")
		_, err = e.DeleteVault(ctx, sub, "rg", "kv-life")
		wantErr(t, err, scopevault.ENOTFOUND, "ResourceNotFound")
	})
	t.Run("ok/deleted-lookups", func(t *testing.T) {
		got, err := e.DeletedVault(ctx, "Kv-Life")
		if err != nil || got.Name != "kv-life" || got.Address != v.Address {
			t.Fatalf("DeletedVault = %+v, %v", got, err)
		}
		all, err := e.ListDeletedVaults(ctx)
		if err != nil || len(all) != 1 {
			t.Fatalf("ListDeletedVaults = %d, %v", len(all), err)
		}
	})
	t.Run("fail/name-held", func(t *testing.T) {
		err := e.CheckName(ctx, "kv-life")
		wantErr(t, err, scopevault.ECONFLICT, secrets.ReasonVaultAlreadyExists)
	})
	t.Run("fail/recover-elsewhere", func(t *testing.T) {
		_, err := e.RecoverVault(ctx, sub, "westus", "rg", "kv-life")
		wantErr(t, err, scopevault.ENOTFOUND, secrets.ReasonSoftDeletedNotFound)
		_, err = e.RecoverVault(ctx, otherSub, "eastus", "rg", "kv-life")
		wantErr(t, err, scopevault.ENOTFOUND, secrets.ReasonSoftDeletedNotFound)
	})
	r, err := e.RecoverVault(ctx, sub, "EastUS", "rg2", "kv-life")
	if err != nil {
		t.Fatal(err)
	}
	if r.Deleted != nil || r.ScheduledPurge != nil || r.ResourceGroup != "rg2" || r.Address != v.Address || r.SoftDeleteRetentionDays != 7 {
		t.Errorf("recovered = %+v", r)
	}
	got, err := e.Get(ctx, r, "s", "")
	if err != nil || got.Value != "value" {
		t.Fatalf("secret after recover = %v, %v", got, err)
	}
	_, err = e.DeletedVault(ctx, "kv-life")
	wantErr(t, err, scopevault.ENOTFOUND, "ResourceNotFound")
}

func TestCreateVaultOverSoftDeleted(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	e.MustVault(t, "kv-held")
	if _, err := e.DeleteVault(ctx, sub, "rg", "kv-held"); err != nil {
		t.Fatal(err)
	}
	e.MustVault(t, "kv-live")
	for _, tc := range []struct {
		name, vault, sub, location string
		code                       scopevault.ErrorCode
		reason, message            string
	}{
		{"fail/same-subscription-and-location", "KV-HELD", sub, "eastus", scopevault.ECONFLICT, secrets.ReasonSoftDeletedConflict, "Exist soft deleted vault with the same name. "},
		{"fail/other-location", "kv-held", sub, "westus", scopevault.ECONFLICT, secrets.ReasonVaultAlreadyExists, ""},
		{"fail/other-subscription", "kv-held", otherSub, "eastus", scopevault.ECONFLICT, secrets.ReasonVaultAlreadyExists, ""},
		{"fail/live", "kv-live", sub, "eastus", scopevault.ECONFLICT, secrets.ReasonVaultAlreadyExists, ""},
		{"fail/name", "kv--x", sub, "eastus", scopevault.EINVALID, secrets.ReasonVaultNameNotValid, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.CreateVault(ctx, scopevault.Vault{Name: tc.vault, SubscriptionID: tc.sub, ResourceGroup: "rg", Location: tc.location, TenantID: tenant, SKU: "standard"})
			got := wantErr(t, err, tc.code, tc.reason)
			if tc.message != "" && got.Message != tc.message {
				t.Errorf("message = %q, want %q", got.Message, tc.message)
			}
		})
	}
}

func TestVaultPurge(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-purge")
	e.MustSet(t, v, "s", "old value")
	if _, err := e.DeleteVault(ctx, sub, "rg", "kv-purge"); err != nil {
		t.Fatal(err)
	}
	t.Run("fail/other-location", func(t *testing.T) {
		_, err := e.PurgeVault(ctx, sub, "westus", "kv-purge")
		wantErr(t, err, scopevault.ENOTFOUND, "ResourceNotFound")
	})
	t.Run("fail/live-vault", func(t *testing.T) {
		e.MustVault(t, "kv-alive")
		_, err := e.PurgeVault(ctx, sub, "eastus", "kv-alive")
		wantErr(t, err, scopevault.ENOTFOUND, "ResourceNotFound")
	})
	if _, err := e.PurgeVault(ctx, sub, "eastus", "kv-purge"); err != nil {
		t.Fatal(err)
	}
	if err := e.CheckName(ctx, "kv-purge"); err != nil {
		t.Fatalf("name after purge: %v", err)
	}
	// The name and the address are free again, and the new vault starts empty.
	n := e.MustVault(t, "kv-purge")
	if n.Address != v.Address {
		t.Errorf("address = %s, want the freed %s", n.Address, v.Address)
	}
	_, err := e.Get(ctx, n, "s", "")
	wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
}

func TestVaultPurgeProtection(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	e.MustVault(t, "kv-protected", func(v *scopevault.Vault) { v.EnablePurgeProtection, v.SoftDeleteRetentionDays = true, 7 })
	if _, err := e.DeleteVault(ctx, sub, "rg", "kv-protected"); err != nil {
		t.Fatal(err)
	}
	_, err := e.PurgeVault(ctx, sub, "eastus", "kv-protected")
	got := wantErr(t, err, scopevault.ECONFLICT, secrets.ReasonPurgeNotAllowed)
	if want := "Operation 'DeletedVaultPurge' is not allowed."; got.Message != want {
		t.Errorf("message = %q, want %q", got.Message, want)
	}
	// A day before the scheduled date it is still held; on the date the
	// service has purged it by itself.
	e.clock.Advance(6 * day)
	if _, err := e.DeletedVault(ctx, "kv-protected"); err != nil {
		t.Fatalf("before the purge date: %v", err)
	}
	e.clock.Advance(day)
	_, err = e.DeletedVault(ctx, "kv-protected")
	wantErr(t, err, scopevault.ENOTFOUND, "ResourceNotFound")
	if all, _ := e.ListDeletedVaults(ctx); len(all) != 0 {
		t.Errorf("deleted vaults after the purge date: %d", len(all))
	}
	if err := e.CheckName(ctx, "kv-protected"); err != nil {
		t.Errorf("name after the purge date: %v", err)
	}
	_, err = e.RecoverVault(ctx, sub, "eastus", "rg", "kv-protected")
	wantErr(t, err, scopevault.ENOTFOUND, secrets.ReasonSoftDeletedNotFound)
	e.MustVault(t, "kv-protected")
	all, err := e.ListVaults(ctx)
	if err != nil || len(all) != 1 {
		t.Errorf("vault records after reuse: %d, %v", len(all), err)
	}
}

func TestCheckName(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	e.MustVault(t, "kv-taken")
	for _, tc := range []struct {
		name, vault string
		code        scopevault.ErrorCode
		reason      string
	}{
		{"ok/free", "kv-free", "", ""},
		{"fail/taken", "KV-Taken", scopevault.ECONFLICT, secrets.ReasonVaultAlreadyExists},
		{"fail/short", "kv", scopevault.EINVALID, secrets.ReasonVaultNameNotValid},
		{"fail/digit-first", "1kv", scopevault.EINVALID, secrets.ReasonVaultNameNotValid},
		{"fail/double-hyphen", "kv--a", scopevault.EINVALID, secrets.ReasonVaultNameNotValid},
		{"fail/hyphen-last", "kva-", scopevault.EINVALID, secrets.ReasonVaultNameNotValid},
		{"fail/too-long", "a234567890123456789012345", scopevault.EINVALID, secrets.ReasonVaultNameNotValid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.CheckName(ctx, tc.vault)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, tc.code, tc.reason)
		})
	}
}
