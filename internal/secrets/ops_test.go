package secrets_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/secrets"
)

func TestVersionsAndLatest(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-versions")

	var versions []string
	for _, val := range []string{"one", "two", "three"} {
		sv := e.MustSet(t, v, "db-password", val)
		if !scopevault.ValidVersion(sv.Version.Version) || sv.Version.Version != sv.Secret.Current().Version {
			t.Fatalf("set %s: version %q is not a 32-hex current version", val, sv.Version.Version)
		}
		versions = append(versions, sv.Version.Version)
		e.clock.Advance(time.Second)
	}

	t.Run("ok/latest", func(t *testing.T) {
		sv, err := e.Get(ctx, v, "db-password", "")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := sv.Value, "three"; got != want {
			t.Errorf("value: got %q, want %q", got, want)
		}
		if got, want := sv.Version.Version, versions[2]; got != want {
			t.Errorf("version: got %q, want %q", got, want)
		}
		if got, want := sv.Version.Previous, versions[1]; got != want {
			t.Errorf("previous version: got %q, want %q", got, want)
		}
	})
	t.Run("ok/each-version", func(t *testing.T) {
		for i, want := range []string{"one", "two", "three"} {
			sv, err := e.Get(ctx, v, "db-password", versions[i])
			if err != nil {
				t.Fatal(err)
			}
			if got := sv.Value; got != want {
				t.Errorf("version %d: got %q, want %q", i, got, want)
			}
		}
	})
	t.Run("ok/version-upper-case", func(t *testing.T) {
		sv, err := e.Get(ctx, v, "db-password", strings.ToUpper(versions[0]))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := sv.Value, "one"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("ok/versions-distinct-and-ordered", func(t *testing.T) {
		_, page, err := e.ListVersions(ctx, v, "db-password", "", 25)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(page.Items), 3; got != want {
			t.Fatalf("versions: got %d, want %d", got, want)
		}
		for i, ver := range page.Items {
			if got, want := ver.Version, versions[i]; got != want {
				t.Errorf("version %d: got %s, want %s", i, got, want)
			}
		}
	})
	t.Run("fail/unknown-version", func(t *testing.T) {
		_, err := e.Get(ctx, v, "db-password", "00000000000000000000000000000000")
		got := wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
		want := "A secret with (name/id) db-password/00000000000000000000000000000000 was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182"
		if got.Message != want {
			t.Errorf("message:\n got %q\nwant %q", got.Message, want)
		}
	})
	t.Run("fail/unknown-name", func(t *testing.T) {
		_, err := e.Get(ctx, v, "nope", "")
		wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
	})
	t.Run("fail/other-vault", func(t *testing.T) {
		other := e.MustVault(t, "kv-other")
		_, err := e.Get(ctx, other, "db-password", "")
		wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
	})
}

func TestCaseInsensitiveNames(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-case")
	first := e.MustSet(t, v, "Foo", "v1")

	sv, err := e.Get(ctx, v, "foo", "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sv.Value, "v1"; got != want {
		t.Errorf("value: got %q, want %q", got, want)
	}
	if got, want := sv.Secret.Name, "Foo"; got != want {
		t.Errorf("stored name: got %q, want %q (id echoes the stored case)", got, want)
	}

	// Setting through another case adds a version to the same secret.
	second := e.MustSet(t, v, "FOO", "v2")
	if got, want := second.Secret.Name, "Foo"; got != want {
		t.Errorf("name after set FOO: got %q, want %q", got, want)
	}
	if got, want := len(second.Secret.Versions), 2; got != want {
		t.Fatalf("versions: got %d, want %d", got, want)
	}
	if got, want := second.Version.Previous, first.Version.Version; got != want {
		t.Errorf("previous: got %q, want %q", got, want)
	}
	page, err := e.ListSecrets(ctx, v, "", 25)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(page.Items), []string{"Foo"}; !slices.Equal(got, want) {
		t.Errorf("list: got %v, want %v", got, want)
	}

	// Delete, get-deleted and recover all accept any case.
	if _, err := e.Delete(ctx, v, "fOO"); err != nil {
		t.Fatal(err)
	}
	d, err := e.GetDeleted(ctx, v, "FOO")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Name, "Foo"; got != want {
		t.Errorf("deleted name: got %q, want %q", got, want)
	}
	if _, err := e.Recover(ctx, v, "foo"); err != nil {
		t.Fatal(err)
	}
}

func TestDisabledVersion(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-disabled")
	old := e.MustSet(t, v, "s", "old")
	cur, err := e.Set(ctx, v, "s", secrets.SetParams{Value: "new", Attributes: scopevault.SecretAttributes{Enabled: ptr(false)}})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, version string
		wantValue     string
		wantReason    string
	}{
		{name: "fail/latest-disabled", version: "", wantReason: "SecretDisabled"},
		{name: "fail/version-disabled", version: cur.Version.Version, wantReason: "SecretDisabled"},
		{name: "ok/older-version-enabled", version: old.Version.Version, wantValue: "old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sv, err := e.Get(ctx, v, "s", tt.version)
			if tt.wantReason != "" {
				got := wantErr(t, err, scopevault.EFORBIDDEN, tt.wantReason)
				if want := "Operation get is not allowed on a disabled secret."; got.Message != want {
					t.Errorf("message: got %q, want %q", got.Message, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := sv.Value; got != tt.wantValue {
				t.Errorf("got %q, want %q", got, tt.wantValue)
			}
		})
	}

	t.Run("ok/listed-while-disabled", func(t *testing.T) {
		page, err := e.ListSecrets(ctx, v, "", 25)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 || page.Items[0].Current().Enabled {
			t.Fatalf("list: got %+v, want one disabled secret", page.Items)
		}
	})
	t.Run("ok/re-enable", func(t *testing.T) {
		if _, _, err := e.Update(ctx, v, "s", "", secrets.UpdateParams{Attributes: scopevault.SecretAttributes{Enabled: ptr(true)}}); err != nil {
			t.Fatal(err)
		}
		sv, err := e.Get(ctx, v, "s", "")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := sv.Value, "new"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func TestUpdate(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-update")
	first := e.MustSet(t, v, "s", "v1")
	e.MustSet(t, v, "s", "v2")
	e.clock.Advance(time.Minute)

	s, ver, err := e.Update(ctx, v, "s", first.Version.Version, secrets.UpdateParams{
		ContentType: ptr("text/plain"), Tags: map[string]string{"env": "prod"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ver.Version, first.Version.Version; got != want {
		t.Errorf("updated version: got %s, want %s", got, want)
	}
	if got, want := ver.Updated, e.clock.Now(); !got.Equal(want) {
		t.Errorf("updated: got %v, want %v", got, want)
	}
	if got := s.Current().ContentType; got != "" {
		t.Errorf("current version content type changed to %q; only the addressed version may change", got)
	}
	sv, err := e.Get(ctx, v, "s", first.Version.Version)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sv.Value, "v1"; got != want {
		t.Errorf("update changed the value: got %q, want %q", got, want)
	}
	if got, want := sv.Version.Tags["env"], "prod"; got != want {
		t.Errorf("tag: got %q, want %q", got, want)
	}

	t.Run("ok/empty-tags-replace", func(t *testing.T) {
		_, ver, err := e.Update(ctx, v, "s", first.Version.Version, secrets.UpdateParams{Tags: map[string]string{}})
		if err != nil {
			t.Fatal(err)
		}
		if len(ver.Tags) != 0 {
			t.Errorf("tags: got %v, want none", ver.Tags)
		}
	})
	t.Run("fail/missing", func(t *testing.T) {
		_, _, err := e.Update(ctx, v, "missing", "", secrets.UpdateParams{})
		wantErr(t, err, scopevault.ENOTFOUND, "SecretNotFound")
	})
}
