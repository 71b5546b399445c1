package barrier_test

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/scopevault/scopevault/internal/barrier"
	"github.com/scopevault/scopevault/internal/store"
)

func TestRotate(t *testing.T) {
	st := MustStore(t)
	master := barrier.NewMasterKey()
	b := MustBarrier(t, st, master)
	mustPutSealed(t, b, st, "kv/v/secrets/old", []byte("sealed under term 1"))

	term, err := b.Rotate(t.Context(), st, master)
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if got, want := term, uint32(2); got != want {
		t.Fatalf("Rotate returned term %d, want %d", got, want)
	}
	if got, want := b.ActiveTerm(), uint32(2); got != want {
		t.Errorf("ActiveTerm = %d, want %d", got, want)
	}
	if got, want := b.Terms(), []uint32{1, 2}; !slices.Equal(got, want) {
		t.Errorf("Terms = %v, want %v", got, want)
	}
	mustPutSealed(t, b, st, "kv/v/secrets/new", []byte("sealed under term 2"))

	tests := []struct {
		name     string
		key      string
		wantTerm uint32
		want     string
	}{
		{name: "ok/new-value-uses-new-term", key: "kv/v/secrets/new", wantTerm: 2, want: "sealed under term 2"},
		{name: "ok/old-value-still-opens", key: "kv/v/secrets/old", wantTerm: 1, want: "sealed under term 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := termOf(mustRawGet(t, st, tt.key)), tt.wantTerm; got != want {
				t.Errorf("stored term = %d, want %d", got, want)
			}
			// A barrier opened afresh must agree: the rotation is stored.
			for _, b := range []*barrier.Barrier{b, MustBarrier(t, st, master)} {
				got, err := getSealed(t, b, st, tt.key)
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if got, want := string(got), tt.want; got != want {
					t.Errorf("Get = %q, want %q", got, want)
				}
			}
		})
	}
}

func TestRotateWrongMasterKey(t *testing.T) {
	st := MustStore(t)
	master := barrier.NewMasterKey()
	b := MustBarrier(t, st, master)

	if _, err := b.Rotate(t.Context(), st, barrier.NewMasterKey()); !errors.Is(err, barrier.ErrOpen) {
		t.Fatalf("Rotate with a wrong master key: error = %v, want ErrOpen", err)
	}
	if got, want := b.ActiveTerm(), uint32(1); got != want {
		t.Errorf("ActiveTerm = %d, want %d", got, want)
	}
	if got, want := MustBarrier(t, st, master).Terms(), []uint32{1}; !slices.Equal(got, want) {
		t.Errorf("the real master key opens a keyring with terms %v, want %v", got, want)
	}
}

func TestRotateFromStaleBarrier(t *testing.T) {
	st := MustStore(t)
	master := barrier.NewMasterKey()
	b1, b2 := MustBarrier(t, st, master), MustBarrier(t, st, master)

	if _, err := b1.Rotate(t.Context(), st, master); err != nil {
		t.Fatal(err)
	}
	mustPutSealed(t, b1, st, "kv/v/secrets/a", []byte(distinctive))
	term, err := b2.Rotate(t.Context(), st, master)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := term, uint32(3); got != want {
		t.Errorf("second Rotate returned term %d, want %d", got, want)
	}
	fresh := MustBarrier(t, st, master)
	if got, want := fresh.Terms(), []uint32{1, 2, 3}; !slices.Equal(got, want) {
		t.Errorf("Terms = %v, want %v", got, want)
	}
	if got, err := getSealed(t, fresh, st, "kv/v/secrets/a"); err != nil || string(got) != distinctive {
		t.Errorf("value sealed under the first rotation: Get = %q, %v", got, err)
	}
}

func TestReseal(t *testing.T) {
	st := MustStore(t)
	master := barrier.NewMasterKey()
	b := MustBarrier(t, st, master)
	// More keys than Reseal handles in one transaction.
	const old = 300
	want := map[string]string{}
	err := st.Update(t.Context(), func(tx store.Tx) error {
		for i := range old {
			k := "kv/v/secrets/" + strconv.Itoa(i)
			want[k] = "value " + strconv.Itoa(i)
			if err := b.Wrap(tx).Put(t.Context(), k, []byte(want[k])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Rotate(t.Context(), st, master); err != nil {
		t.Fatal(err)
	}
	mustPutSealed(t, b, st, "kv/v/secrets/new", []byte("already term 2"))
	want["kv/v/secrets/new"] = "already term 2"

	n, err := b.Reseal(t.Context(), st)
	if err != nil {
		t.Fatalf("Reseal: %v", err)
	}
	if got, want := n, old; got != want {
		t.Errorf("Reseal rewrote %d values, want %d", got, want)
	}
	for _, kv := range mustRawList(t, st) {
		if kv.Key == barrier.KeyringPath {
			if got, want := termOf(kv.Value), uint32(0); got != want {
				t.Errorf("keyring term = %d, want %d (untouched)", got, want)
			}
			continue
		}
		if got, want := termOf(kv.Value), uint32(2); got != want {
			t.Errorf("%s: term = %d after Reseal, want %d", kv.Key, got, want)
		}
		got, err := getSealed(t, MustBarrier(t, st, master), st, kv.Key)
		if err != nil {
			t.Fatalf("%s: %v", kv.Key, err)
		}
		if got, want := string(got), want[kv.Key]; got != want {
			t.Errorf("%s = %q, want %q", kv.Key, got, want)
		}
	}

	n, err = b.Reseal(t.Context(), st)
	if err != nil {
		t.Fatalf("second Reseal: %v", err)
	}
	if got, want := n, 0; got != want {
		t.Errorf("second Reseal rewrote %d values, want %d", got, want)
	}
}

func TestRekey(t *testing.T) {
	st := MustStore(t)
	oldKey, newKey := barrier.NewMasterKey(), barrier.NewMasterKey()
	b := MustBarrier(t, st, oldKey)
	mustPutSealed(t, b, st, "kv/v/secrets/a", []byte(distinctive))

	if err := b.Rekey(t.Context(), st, newKey); err != nil {
		t.Fatalf("Rekey: %v", err)
	}
	tests := []struct {
		name    string
		key     []byte
		wantErr error
	}{
		{name: "ok/new-master-key", key: newKey},
		{name: "fail/old-master-key", key: oldKey, wantErr: barrier.ErrOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reopened, err := barrier.Open(t.Context(), st, tt.key)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Open error = %v, want errors.Is %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			got, err := getSealed(t, reopened, st, "kv/v/secrets/a")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := string(got), distinctive; got != want {
				t.Errorf("Get = %q, want %q", got, want)
			}
		})
	}

	// The barrier that rekeyed can go on: Rotate takes the new key only.
	if _, err := b.Rotate(t.Context(), st, oldKey); !errors.Is(err, barrier.ErrOpen) {
		t.Errorf("Rotate with the old master key: error = %v, want ErrOpen", err)
	}
	if _, err := b.Rotate(t.Context(), st, newKey); err != nil {
		t.Errorf("Rotate with the new master key: %v", err)
	}
}

func TestRekeyStaleBarrier(t *testing.T) {
	st := MustStore(t)
	master := barrier.NewMasterKey()
	b1, b2 := MustBarrier(t, st, master), MustBarrier(t, st, master)
	if _, err := b1.Rotate(t.Context(), st, master); err != nil {
		t.Fatal(err)
	}
	if err := b2.Rekey(t.Context(), st, barrier.NewMasterKey()); !errors.Is(err, barrier.ErrKeyringChanged) {
		t.Fatalf("Rekey from a stale barrier: error = %v, want ErrKeyringChanged", err)
	}
	if got, want := MustBarrier(t, st, master).Terms(), []uint32{1, 2}; !slices.Equal(got, want) {
		t.Errorf("Terms = %v, want %v", got, want)
	}
}
