package barrier_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/store"
	"github.com/scopevault/scopevault/internal/store/sqlite"
)

// TestOpenRefusesDamage: a record whose key or value changed no longer
// opens (the barrier binds each value to its key), and Open refuses the
// store naming the record's key — never its value — while Check lists
// every such record. A damaged key shows as a record at a key it was not
// sealed for.
func TestOpenRefusesDamage(t *testing.T) {
	master := barrier.NewMasterKey()
	intact := []string{"dir/t/principals/p1", "kv/v/secrets/a/meta", "kv/v/secrets/b/meta", "kv/v/secrets/c/versions/1"}
	tests := []struct {
		name        string
		damage      func(t *testing.T, st store.Store) // raw writes over a sealed store
		wantDamaged []string
	}{
		{name: "ok/intact"},
		{name: "fail/key-byte-changed", damage: func(t *testing.T, st store.Store) {
			// One byte of a key changed: the row now sits at another key.
			v := mustRawGet(t, st, "kv/v/secrets/b/meta")
			mustRawDelete(t, st, "kv/v/secrets/b/meta")
			mustRawPut(t, st, "kv/v/secrets/c/meta", v)
		}, wantDamaged: []string{"kv/v/secrets/c/meta"}},
		{name: "fail/value-byte-changed", damage: func(t *testing.T, st store.Store) {
			v := mustRawGet(t, st, "kv/v/secrets/c/versions/1")
			v[len(v)-3] ^= 0x20
			mustRawPut(t, st, "kv/v/secrets/c/versions/1", v)
		}, wantDamaged: []string{"kv/v/secrets/c/versions/1"}},
		{name: "fail/term-byte-changed", damage: func(t *testing.T, st store.Store) {
			v := mustRawGet(t, st, "dir/t/principals/p1")
			v[3] = 7 // a term the keyring does not have
			mustRawPut(t, st, "dir/t/principals/p1", v)
		}, wantDamaged: []string{"dir/t/principals/p1"}},
		{name: "fail/truncated-value", damage: func(t *testing.T, st store.Store) {
			mustRawPut(t, st, "kv/v/secrets/a/meta", []byte{0, 0})
		}, wantDamaged: []string{"kv/v/secrets/a/meta"}},
		{name: "fail/two-records", damage: func(t *testing.T, st store.Store) {
			for _, k := range []string{"kv/v/secrets/a/meta", "kv/v/secrets/c/versions/1"} {
				v := mustRawGet(t, st, k)
				v[len(v)-1] ^= 1
				mustRawPut(t, st, k, v)
			}
		}, wantDamaged: []string{"kv/v/secrets/a/meta", "kv/v/secrets/c/versions/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := MustStore(t)
			b := MustBarrier(t, st, master)
			for _, k := range intact {
				mustPutSealed(t, b, st, k, []byte(distinctive))
			}
			if tt.damage != nil {
				tt.damage(t, st)
			}

			rep, err := b.Check(t.Context(), st)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if got, want := rep.Damaged, tt.wantDamaged; !slices.Equal(got, want) {
				t.Errorf("Check damaged = %q, want %q", got, want)
			}
			if got, want := rep.DamagedCount, len(tt.wantDamaged); got != want {
				t.Errorf("Check DamagedCount = %d, want %d", got, want)
			}
			if got, want := rep.ByTerm[1], rep.Records-rep.DamagedCount; got != want {
				t.Errorf("Check ByTerm[1] = %d, want the %d records that opened", got, want)
			}

			_, err = barrier.Open(t.Context(), st, master)
			if len(tt.wantDamaged) == 0 {
				if err != nil {
					t.Fatalf("Open of an intact store: %v", err)
				}
				return
			}
			var de *barrier.DamagedError
			if !errors.Is(err, barrier.ErrDamaged) || !errors.As(err, &de) {
				t.Fatalf("Open error = %v, want a *DamagedError", err)
			}
			msg := err.Error()
			for _, want := range append([]string{"Restore", "backup", "scopevault check", fmt.Sprintf("%d record(s)", len(tt.wantDamaged))}, tt.wantDamaged...) {
				if !strings.Contains(msg, want) {
					t.Errorf("Open error %q does not say %q", msg, want)
				}
			}
			if strings.Contains(msg, distinctive) {
				t.Errorf("Open error holds a value: %q", msg)
			}
		})
	}
}

// TestCheckAfterRotate: records sealed under an old term still open, and
// Check counts them by term.
func TestCheckAfterRotate(t *testing.T) {
	master := barrier.NewMasterKey()
	st := MustStore(t)
	b := MustBarrier(t, st, master)
	mustPutSealed(t, b, st, "kv/v/secrets/old", []byte("x"))
	if _, err := b.Rotate(t.Context(), st, master); err != nil {
		t.Fatal(err)
	}
	mustPutSealed(t, b, st, "kv/v/secrets/new", []byte("y"))
	b = MustBarrier(t, st, master)
	rep, err := b.Check(t.Context(), st)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rep.ByTerm, map[uint32]int{1: 1, 2: 1}; len(got) != 2 || got[1] != want[1] || got[2] != want[2] || rep.DamagedCount != 0 {
		t.Errorf("Check = %+v, want one record per term and none damaged", rep)
	}
}

func mustRawDelete(tb testing.TB, st store.Store, key string) {
	tb.Helper()
	if err := st.Update(tb.Context(), func(tx store.Tx) error { return tx.Delete(tb.Context(), key) }); err != nil {
		tb.Fatalf("raw Delete(%s): %v", key, err)
	}
}

// TestLoad reads the keyring without writing: it works on a store opened
// read-only (beside a running server) and creates no keyring.
func TestLoad(t *testing.T) {
	master := barrier.NewMasterKey()
	path := filepath.Join(t.TempDir(), "scopevault.db")
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	empty, err := sqlite.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if _, err := barrier.Load(t.Context(), empty, master); !errors.Is(err, barrier.ErrNoKeyring) {
		t.Fatalf("Load of an empty store: %v, want ErrNoKeyring", err)
	}
	b := MustBarrier(t, st, master)
	mustPutSealed(t, b, st, "kv/v/secrets/a", []byte(distinctive))

	ro, err := sqlite.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	tests := []struct {
		name    string
		key     []byte
		wantErr error
	}{
		{name: "ok", key: master},
		{name: "fail/wrong-master-key", key: barrier.NewMasterKey(), wantErr: barrier.ErrOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lb, err := barrier.Load(t.Context(), ro, tt.key)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Load: %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			rep, err := lb.Check(t.Context(), ro)
			if err != nil || rep.Records != 1 || rep.DamagedCount != 0 {
				t.Fatalf("Check after Load = %+v, %v; want 1 record, none damaged", rep, err)
			}
		})
	}
}
