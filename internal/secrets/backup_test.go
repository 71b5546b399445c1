package secrets_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/secrets"
)

const plaintext = "correct-horse-battery-staple-7f3a9c" // distinctive: easy to find in bytes

func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-backup")
	values := []string{plaintext + "-1", plaintext + "-2", plaintext + "-3"}
	var versions []string
	for i, val := range values {
		sv, err := e.Set(ctx, v, "Db-Password", secrets.SetParams{
			Value: val, ContentType: ptr("text/plain"), Tags: map[string]string{"n": val[len(val)-1:]},
			Attributes: scopevault.SecretAttributes{Enabled: ptr(i != 1)},
		})
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, sv.Version.Version)
		e.clock.Advance(time.Minute)
	}
	blob := e.MustBackup(t, v, "db-password")
	e.MustDelete(t, v, "db-password")
	if err := e.Purge(ctx, v, "db-password"); err != nil {
		t.Fatal(err)
	}

	s, err := e.Restore(ctx, v, blob)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Name, "Db-Password"; got != want {
		t.Errorf("name: got %q, want %q", got, want)
	}
	if got, want := len(s.Versions), 3; got != want {
		t.Fatalf("versions: got %d, want %d", got, want)
	}
	for i, ver := range s.Versions {
		if got, want := ver.Version, versions[i]; got != want {
			t.Errorf("version %d: got %s, want %s", i, got, want)
		}
		if got, want := ver.Enabled, i != 1; got != want {
			t.Errorf("version %d enabled: got %v, want %v", i, got, want)
		}
		if got, want := ver.ContentType, "text/plain"; got != want {
			t.Errorf("version %d content type: got %q, want %q", i, got, want)
		}
		if i == 1 {
			continue // disabled: no value to read
		}
		sv, err := e.Get(ctx, v, "db-password", ver.Version)
		if err != nil {
			t.Fatalf("get version %d: %v", i, err)
		}
		if got, want := sv.Value, values[i]; got != want {
			t.Errorf("version %d value: got %q, want %q", i, got, want)
		}
	}
	sv, err := e.Get(ctx, v, "db-password", "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sv.Value, values[2]; got != want {
		t.Errorf("latest after restore: got %q, want %q", got, want)
	}

	t.Run("ok/same-subscription-other-vault", func(t *testing.T) {
		other := e.MustVault(t, "kv-backup-2")
		s, err := e.Restore(ctx, other, blob)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := s.Vault, "kv-backup-2"; got != want {
			t.Errorf("vault: got %q, want %q", got, want)
		}
		sv, err := e.Get(ctx, other, "db-password", versions[0])
		if err != nil {
			t.Fatal(err)
		}
		if got, want := sv.Value, values[0]; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func TestRestoreFailures(t *testing.T) {
	ctx := context.Background()
	e := MustEngine(t)
	v := e.MustVault(t, "kv-restore")
	e.MustSet(t, v, "s", plaintext)
	blob := e.MustBackup(t, v, "s")

	t.Run("fail/existing-name", func(t *testing.T) {
		_, err := e.Restore(ctx, v, blob)
		wantErr(t, err, scopevault.ECONFLICT, "SecretAlreadyExists")
	})
	t.Run("fail/soft-deleted-name", func(t *testing.T) {
		e := MustEngine(t)
		v := e.MustVault(t, "kv-restore")
		e.MustSet(t, v, "s", "v")
		blob := e.MustBackup(t, v, "s")
		e.MustDelete(t, v, "s")
		_, err := e.Restore(ctx, v, blob)
		wantErr(t, err, scopevault.ECONFLICT, "ObjectIsDeletedButRecoverable")
	})

	other := e.MustVault(t, "kv-other-sub", func(v *scopevault.Vault) { v.SubscriptionID = otherSub })
	foreign := MustEngine(t)
	foreignVault := foreign.MustVault(t, "kv-restore-2")

	tests := []struct {
		name  string
		vault *scopevault.Vault
		eng   *testEngine
		blob  []byte
	}{
		{name: "fail/other-subscription", vault: other, eng: e, blob: blob},
		{name: "fail/other-installation", vault: foreignVault, eng: foreign, blob: blob},
		{name: "fail/empty", vault: other, eng: e, blob: nil},
		{name: "fail/magic-only", vault: other, eng: e, blob: []byte("SVBK1")},
		{name: "fail/truncated", vault: other, eng: e, blob: blob[:len(blob)-1]},
		{name: "fail/garbage", vault: other, eng: e, blob: bytes.Repeat([]byte{0x42}, len(blob))},
	}
	// Flipping any single byte (magic, nonce, ciphertext or tag) must be detected.
	for _, i := range []int{0, 4, 5, 16, len(blob) / 2, len(blob) - 1} {
		tampered := bytes.Clone(blob)
		tampered[i] ^= 0x01
		tests = append(tests, struct {
			name  string
			vault *scopevault.Vault
			eng   *testEngine
			blob  []byte
		}{name: "fail/flipped-byte-" + strconv.Itoa(i), vault: v, eng: e, blob: tampered})
	}
	// The flipped-byte cases target v, where "s" exists: delete and purge it so
	// that only the tampering can make them fail.
	e.MustDelete(t, v, "s")
	if err := e.Purge(ctx, v, "s"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.eng.Restore(ctx, tt.vault, tt.blob)
			got := wantErr(t, err, scopevault.EINVALID, "")
			if want := "Backup blob could not be restored: it is malformed, was modified, or was created in another subscription."; got.Message != want {
				t.Errorf("message: got %q, want %q", got.Message, want)
			}
		})
	}
	t.Run("ok/untampered-after-failures", func(t *testing.T) {
		if _, err := e.Restore(ctx, v, blob); err != nil {
			t.Fatal(err)
		}
	})
}

func TestBackupHidesPlaintext(t *testing.T) {
	e := MustEngine(t)
	v := e.MustVault(t, "kv-opaque")
	e.MustSet(t, v, "s", plaintext)
	blob := e.MustBackup(t, v, "s")
	if bytes.Contains(blob, []byte(plaintext)) {
		t.Fatal("backup blob contains the plaintext value")
	}
	if bytes.Contains(blob, []byte("correct-horse")) {
		t.Fatal("backup blob contains part of the plaintext value")
	}
	// Two backups of the same secret differ (fresh nonce), so a blob reveals
	// nothing about whether the value changed.
	if again := e.MustBackup(t, v, "s"); bytes.Equal(blob, again) {
		t.Error("two backups are byte-identical")
	}
}

// The value never reaches the database file in clear: the barrier seals it.
func TestValueSealedAtRest(t *testing.T) {
	e := MustEngine(t)
	v := e.MustVault(t, "kv-at-rest")
	e.MustSet(t, v, "s", plaintext)
	e.MustBackup(t, v, "s")
	files, err := filepath.Glob(filepath.Join(e.dir, "scopevault.db*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no database files (%v)", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(plaintext)) {
			t.Errorf("%s holds the plaintext value", filepath.Base(f))
		}
	}
}
