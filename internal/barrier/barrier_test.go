package barrier_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/store"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

const distinctive = "plaintext-canary-7f3e9b21-correct-horse-battery-staple"

func TestSealOpen(t *testing.T) {
	b := MustBarrier(t, MustStore(t), barrier.NewMasterKey())
	other := MustBarrier(t, MustStore(t), barrier.NewMasterKey())
	large := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)

	tests := []struct {
		name       string
		sealer     *barrier.Barrier
		sealPath   string
		plain      []byte
		openPath   string
		tamper     func(sealed []byte) []byte
		wantOpened bool
	}{
		{name: "ok", sealPath: "kv/v/secrets/db", plain: []byte(distinctive), openPath: "kv/v/secrets/db", wantOpened: true},
		{name: "ok/empty-plaintext", sealPath: "kv/v/secrets/empty", plain: []byte{}, openPath: "kv/v/secrets/empty", wantOpened: true},
		{name: "ok/empty-path", sealPath: "", plain: []byte("x"), openPath: "", wantOpened: true},
		{name: "ok/large", sealPath: "kv/v/secrets/big", plain: large, openPath: "kv/v/secrets/big", wantOpened: true},
		{name: "fail/other-path", sealPath: "kv/a/secrets/db", plain: []byte(distinctive), openPath: "kv/b/secrets/db"},
		{name: "fail/path-extended", sealPath: "kv/a", plain: []byte("x"), openPath: "kv/ab"},
		{name: "fail/path-truncated", sealPath: "kv/ab", plain: []byte("x"), openPath: "kv/a"},
		{name: "fail/path-empty", sealPath: "kv/a", plain: []byte("x"), openPath: ""},
		{name: "fail/other-barrier", sealer: other, sealPath: "kv/a", plain: []byte("x"), openPath: "kv/a"},
		{name: "fail/keyring-term", sealPath: "kv/a", plain: []byte("x"), openPath: "kv/a", tamper: func(s []byte) []byte {
			binary.BigEndian.PutUint32(s, 0) // the master key's term is never a data term
			return s
		}},
		{name: "fail/unknown-term", sealPath: "kv/a", plain: []byte("x"), openPath: "kv/a", tamper: func(s []byte) []byte {
			binary.BigEndian.PutUint32(s, 99)
			return s
		}},
		{name: "fail/unknown-version", sealPath: "kv/a", plain: []byte("x"), openPath: "kv/a", tamper: func(s []byte) []byte {
			s[4] = 2
			return s
		}},
		{name: "fail/tag-truncated", sealPath: "kv/a", plain: []byte("x"), openPath: "kv/a", tamper: func(s []byte) []byte { return s[:len(s)-1] }},
		{name: "fail/header-and-nonce-only", sealPath: "kv/a", plain: []byte("x"), openPath: "kv/a", tamper: func(s []byte) []byte { return s[:17] }},
		{name: "fail/header-only", sealPath: "kv/a", plain: []byte("x"), openPath: "kv/a", tamper: func(s []byte) []byte { return s[:5] }},
		{name: "fail/empty", sealPath: "kv/a", plain: []byte("x"), openPath: "kv/a", tamper: func(s []byte) []byte { return nil }},
		{name: "fail/appended-byte", sealPath: "kv/a", plain: []byte("x"), openPath: "kv/a", tamper: func(s []byte) []byte { return append(s, 0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealer := b
			if tt.sealer != nil {
				sealer = tt.sealer
			}
			sealed := sealer.Seal(tt.sealPath, tt.plain)
			if got, want := binary.BigEndian.Uint32(sealed), sealer.ActiveTerm(); got != want {
				t.Fatalf("sealed value's term = %d, want the active term %d", got, want)
			}
			// (A short plaintext can turn up in random bytes by chance.)
			if len(tt.plain) >= 16 && bytes.Contains(sealed, tt.plain) {
				t.Fatal("the sealed value contains the plaintext")
			}
			if tt.tamper != nil {
				sealed = tt.tamper(sealed)
			}
			got, err := b.Open(tt.openPath, sealed)
			if !tt.wantOpened {
				if !errors.Is(err, barrier.ErrOpen) {
					t.Fatalf("Open error = %v, want ErrOpen", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tt.plain) {
				t.Errorf("Open returned %d bytes different from the %d sealed", len(got), len(tt.plain))
			}
		})
	}
}

func TestSealNonceIsFresh(t *testing.T) {
	b := MustBarrier(t, MustStore(t), barrier.NewMasterKey())
	a1, a2 := b.Seal("kv/a", []byte(distinctive)), b.Seal("kv/a", []byte(distinctive))
	if bytes.Equal(a1[5:17], a2[5:17]) {
		t.Error("two seals used the same nonce")
	}
}

func TestOpenFailsOnAnyBitFlip(t *testing.T) {
	b := MustBarrier(t, MustStore(t), barrier.NewMasterKey())
	sealed := b.Seal("kv/v/secrets/db", []byte(distinctive))
	for i := range len(sealed) * 8 {
		flipped := slices.Clone(sealed)
		flipped[i/8] ^= 1 << (i % 8)
		if _, err := b.Open("kv/v/secrets/db", flipped); !errors.Is(err, barrier.ErrOpen) {
			t.Errorf("bit %d (byte %d) flipped: Open error = %v, want ErrOpen", i, i/8, err)
		}
	}
}

func TestOpenBarrier(t *testing.T) {
	master := barrier.NewMasterKey()
	tests := []struct {
		name    string
		setup   func(t *testing.T, st store.Store) // before Open with master
		key     []byte
		wantErr error // errors.Is; errAny: any error
	}{
		{name: "ok/new-store", key: master},
		{name: "ok/existing-keyring", setup: func(t *testing.T, st store.Store) { MustBarrier(t, st, master) }, key: master},
		{name: "fail/wrong-master-key", setup: func(t *testing.T, st store.Store) { MustBarrier(t, st, master) }, key: barrier.NewMasterKey(), wantErr: barrier.ErrOpen},
		{name: "fail/master-key-too-short", key: master[:16], wantErr: errAny},
		{name: "fail/master-key-empty", key: nil, wantErr: errAny},
		{name: "fail/data-but-no-keyring", setup: func(t *testing.T, st store.Store) { mustRawPut(t, st, "kv/v/secrets/a", []byte("x")) }, key: master, wantErr: barrier.ErrNoKeyring},
		{name: "fail/keyring-deleted", setup: func(t *testing.T, st store.Store) {
			b := MustBarrier(t, st, master)
			mustPutSealed(t, b, st, "kv/v/secrets/a", []byte(distinctive))
			if err := st.Update(t.Context(), func(tx store.Tx) error { return tx.Delete(t.Context(), barrier.KeyringPath) }); err != nil {
				t.Fatal(err)
			}
		}, key: master, wantErr: barrier.ErrNoKeyring},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := MustStore(t)
			if tt.setup != nil {
				tt.setup(t, st)
			}
			b, err := barrier.Open(t.Context(), st, tt.key)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Open: %v", err)
			case tt.wantErr == errAny && err == nil:
				t.Fatal("Open succeeded, want an error")
			case tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("Open error = %v, want errors.Is %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got, want := b.ActiveTerm(), uint32(1); got != want {
				t.Errorf("ActiveTerm = %d, want %d", got, want)
			}
		})
	}
}

var errAny = errors.New("any error")

func MustStore(tb testing.TB) store.Store {
	tb.Helper()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "scopevault.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func MustBarrier(tb testing.TB, st store.Store, master []byte) *barrier.Barrier {
	tb.Helper()
	b, err := barrier.Open(tb.Context(), st, master)
	if err != nil {
		tb.Fatalf("barrier.Open: %v", err)
	}
	return b
}

func mustPutSealed(tb testing.TB, b *barrier.Barrier, st store.Store, key string, plain []byte) {
	tb.Helper()
	if err := st.Update(tb.Context(), func(tx store.Tx) error { return b.Wrap(tx).Put(tb.Context(), key, plain) }); err != nil {
		tb.Fatalf("Put(%s): %v", key, err)
	}
}

func getSealed(tb testing.TB, b *barrier.Barrier, st store.Store, key string) ([]byte, error) {
	tb.Helper()
	var v []byte
	err := st.View(tb.Context(), func(tx store.Tx) error {
		var err error
		v, err = b.Wrap(tx).Get(tb.Context(), key)
		return err
	})
	return v, err
}

func mustRawPut(tb testing.TB, st store.Store, key string, value []byte) {
	tb.Helper()
	if err := st.Update(tb.Context(), func(tx store.Tx) error { return tx.Put(tb.Context(), key, value) }); err != nil {
		tb.Fatalf("raw Put(%s): %v", key, err)
	}
}

func mustRawGet(tb testing.TB, st store.Store, key string) []byte {
	tb.Helper()
	var v []byte
	err := st.View(tb.Context(), func(tx store.Tx) error {
		var err error
		v, err = tx.Get(tb.Context(), key)
		return err
	})
	if err != nil {
		tb.Fatalf("raw Get(%s): %v", key, err)
	}
	return v
}

func mustRawList(tb testing.TB, st store.Store) []store.KV {
	tb.Helper()
	var kvs []store.KV
	err := st.View(tb.Context(), func(tx store.Tx) error {
		var err error
		kvs, err = tx.List(tb.Context(), "", "", 0)
		return err
	})
	if err != nil {
		tb.Fatalf("raw List: %v", err)
	}
	return kvs
}

func termOf(sealed []byte) uint32 {
	if len(sealed) < 4 {
		return 0
	}
	return binary.BigEndian.Uint32(sealed)
}
