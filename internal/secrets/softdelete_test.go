package secrets_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/secrets"
)

func TestSoftDelete(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-softdelete")
	var versions []string
	for _, val := range []string{"a", "b", "c"} {
		versions = append(versions, e.MustSet(t, v, "gone", val).Version.Version)
	}
	e.MustSet(t, v, "kept", "k")
	deleted := e.MustDelete(t, v, "gone")
	if deleted.Deleted == nil || !deleted.Deleted.Equal(e.clock.Now()) {
		t.Fatalf("deleted date: got %v, want %v", deleted.Deleted, e.clock.Now())
	}

	t.Run("fail/get-after-delete", func(t *testing.T) {
		_, err := e.Get(ctx, v, "gone", "")
		wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
		_, err = e.Get(ctx, v, "gone", versions[0])
		wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
	})
	t.Run("fail/versions-after-delete", func(t *testing.T) {
		_, _, err := e.ListVersions(ctx, v, "gone", "", 25)
		wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
	})
	t.Run("fail/update-after-delete", func(t *testing.T) {
		_, _, err := e.Update(ctx, v, "gone", "", secrets.UpdateParams{ContentType: ptr("x")})
		wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
	})
	t.Run("fail/delete-twice", func(t *testing.T) {
		_, err := e.Delete(ctx, v, "gone")
		wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
	})
	t.Run("fail/backup-after-delete", func(t *testing.T) {
		_, err := e.Backup(ctx, v, "gone")
		wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
	})
	t.Run("fail/set-on-deleted-name", func(t *testing.T) {
		_, err := e.Set(ctx, v, "GONE", secrets.SetParams{Value: "new"})
		got := wantErr(t, err, scopevault.ECONFLICT, "ObjectIsDeletedButRecoverable")
		want := "Secret GONE is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged."
		if got.Message != want {
			t.Errorf("message:\n got %q\nwant %q", got.Message, want)
		}
	})
	t.Run("ok/list-excludes", func(t *testing.T) {
		page, err := e.ListSecrets(ctx, v, "", 25)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := names(page.Items), []string{"kept"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("ok/list-deleted-includes", func(t *testing.T) {
		page, err := e.ListDeleted(ctx, v, "", 25)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := names(page.Items), []string{"gone"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("ok/get-deleted", func(t *testing.T) {
		s, err := e.GetDeleted(ctx, v, "gone")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := s.Current().Version, versions[2]; got != want {
			t.Errorf("current: got %s, want %s", got, want)
		}
	})
	t.Run("fail/get-deleted-live", func(t *testing.T) {
		_, err := e.GetDeleted(ctx, v, "kept")
		got := wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
		if want := "Deleted Secret not found: kept"; got.Message != want {
			t.Errorf("message: got %q, want %q", got.Message, want)
		}
	})
	t.Run("fail/recover-live", func(t *testing.T) {
		_, err := e.Recover(ctx, v, "kept")
		wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
	})
	t.Run("fail/purge-live", func(t *testing.T) {
		err := e.Purge(ctx, v, "kept")
		wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
	})
	t.Run("ok/recover-restores-all-versions", func(t *testing.T) {
		s, err := e.Recover(ctx, v, "gone")
		if err != nil {
			t.Fatal(err)
		}
		if s.Deleted != nil || s.ScheduledPurgeDate != nil {
			t.Errorf("recovered secret still marked deleted: %v %v", s.Deleted, s.ScheduledPurgeDate)
		}
		for i, want := range []string{"a", "b", "c"} {
			sv, err := e.Get(ctx, v, "gone", versions[i])
			if err != nil {
				t.Fatalf("version %d: %v", i, err)
			}
			if got := sv.Value; got != want {
				t.Errorf("version %d: got %q, want %q", i, got, want)
			}
		}
		page, err := e.ListDeleted(ctx, v, "", 25)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 0 {
			t.Errorf("list deleted after recover: got %v, want none", names(page.Items))
		}
	})
	t.Run("ok/purge-frees-name", func(t *testing.T) {
		e.MustDelete(t, v, "gone")
		if err := e.Purge(ctx, v, "gone"); err != nil {
			t.Fatal(err)
		}
		_, err := e.GetDeleted(ctx, v, "gone")
		wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
		sv := e.MustSet(t, v, "gone", "fresh")
		if got, want := len(sv.Secret.Versions), 1; got != want {
			t.Fatalf("versions after purge and set: got %d, want %d (old versions leaked)", got, want)
		}
		_, err = e.Get(ctx, v, "gone", versions[0])
		wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
	})
}

func TestScheduledPurge(t *testing.T) {
	ctx := context.Background()
	for _, days := range []int{7, 90} {
		t.Run("ok/retention-"+strconv.Itoa(days), func(t *testing.T) {
			e := MustEngine(t)
			v := e.MustVault(t, "kv-retention", func(v *scopevault.Vault) { v.SoftDeleteRetentionDays = days })
			old := e.MustSet(t, v, "s", "old")
			e.clock.Advance(1500 * time.Millisecond) // engine times are whole seconds
			s := e.MustDelete(t, v, "s")

			deletedAt := e.clock.Now().Truncate(time.Second)
			if got, want := *s.Deleted, deletedAt; !got.Equal(want) {
				t.Errorf("deleted: got %v, want %v", got, want)
			}
			if got, want := *s.ScheduledPurgeDate, deletedAt.AddDate(0, 0, days); !got.Equal(want) {
				t.Errorf("scheduledPurgeDate: got %v, want %v", got, want)
			}

			// One second before the purge date the secret is still recoverable.
			e.clock.Set(s.ScheduledPurgeDate.Add(-time.Second))
			if _, err := e.GetDeleted(ctx, v, "s"); err != nil {
				t.Fatalf("get deleted just before purge date: %v", err)
			}
			_, err := e.Set(ctx, v, "s", secrets.SetParams{Value: "x"})
			wantErr(t, err, scopevault.ECONFLICT, "ObjectIsDeletedButRecoverable")

			// At the purge date it is gone.
			e.clock.Advance(time.Second)
			_, err = e.GetDeleted(ctx, v, "s")
			wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
			_, err = e.Recover(ctx, v, "s")
			wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
			page, err := e.ListDeleted(ctx, v, "", 25)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) != 0 {
				t.Errorf("list deleted after purge date: got %v", names(page.Items))
			}

			// The name is reusable and starts with a single fresh version.
			sv := e.MustSet(t, v, "s", "new")
			if got, want := len(sv.Secret.Versions), 1; got != want {
				t.Fatalf("versions: got %d, want %d", got, want)
			}
			_, err = e.Get(ctx, v, "s", old.Version.Version)
			wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
		})
	}
}

func TestPurgeProtection(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-protected", func(v *scopevault.Vault) { v.EnablePurgeProtection = true })
	e.MustSet(t, v, "s", "value")
	e.MustDelete(t, v, "s")

	err := e.Purge(ctx, v, "s")
	got := wantErr(t, err, scopevault.EFORBIDDEN, "")
	want := `Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed. Vault: kv-protected;location=eastus`
	if got.Message != want {
		t.Errorf("message:\n got %q\nwant %q", got.Message, want)
	}
	if _, err := e.GetDeleted(ctx, v, "s"); err != nil {
		t.Fatalf("purge refused but the secret changed: %v", err)
	}
	if _, err := e.Recover(ctx, v, "s"); err != nil {
		t.Fatalf("recover: %v", err)
	}
	sv, err := e.Get(ctx, v, "s", "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sv.Value, "value"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
