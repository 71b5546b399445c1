package storetest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
)

func testGet(t *testing.T, st store.Store) {
	mustPut(t, st, "get/present", []byte("v1"))
	mustPut(t, st, "get/overwritten", []byte("old"))
	mustPut(t, st, "get/overwritten", []byte("new"))
	mustPut(t, st, "get/deleted", []byte("gone soon"))
	mustDelete(t, st, "get/deleted")

	tests := []struct {
		name    string
		key     string
		want    []byte
		wantErr error
	}{
		{name: "ok", key: "get/present", want: []byte("v1")},
		{name: "ok/overwritten", key: "get/overwritten", want: []byte("new")},
		{name: "fail/missing", key: "get/never-written", wantErr: store.ErrNotFound},
		{name: "fail/deleted", key: "get/deleted", wantErr: store.ErrNotFound},
		{name: "fail/prefix-of-a-key", key: "get/pres", wantErr: store.ErrNotFound},
		{name: "fail/empty-key", key: "", wantErr: store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []byte
			err := st.View(t.Context(), func(tx store.Tx) error {
				var err error
				got, err = tx.Get(t.Context(), tt.key)
				return err
			})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Get(%q) error = %v, want errors.Is %v", tt.key, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get(%q): %v", tt.key, err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("Get(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func testPut(t *testing.T, st store.Store) {
	tests := []struct {
		name  string
		key   string
		value []byte
	}{
		{name: "ok", key: "put/plain", value: []byte("hello")},
		{name: "ok/empty-value", key: "put/empty", value: []byte{}},
		{name: "ok/nil-value", key: "put/nil", value: nil},
		{name: "ok/binary-value", key: "put/binary", value: []byte{0, 0xff, 0xc3, 0x28, '\n', 0}},
		{name: "ok/large-value", key: "put/large", value: randomBytes(1 << 20)},
		{name: "ok/non-ascii-key", key: "put/é/ü/日本", value: []byte("x")},
		{name: "ok/key-with-spaces-and-quotes", key: "put/a b'c\"d%_", value: []byte("y")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustPut(t, st, tt.key, tt.value)
			got, err := get(t, st, tt.key)
			if err != nil {
				t.Fatalf("Get(%q) after Put: %v", tt.key, err)
			}
			if got, want := len(got), len(tt.value); got != want {
				t.Fatalf("Get(%q) returned %d bytes, want %d", tt.key, got, want)
			}
			if !bytes.Equal(got, tt.value) {
				t.Errorf("Get(%q) returned different bytes than were put", tt.key)
			}
		})
	}

	t.Run("ok/caller-keeps-its-slices", func(t *testing.T) {
		buf := []byte("original")
		mustPut(t, st, "put/alias", buf)
		copy(buf, "XXXXXXXX")
		got, err := get(t, st, "put/alias")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(got), "original"; got != want {
			t.Fatalf("after changing the slice given to Put, Get = %q, want %q", got, want)
		}
		copy(got, "YYYYYYYY")
		again, err := get(t, st, "put/alias")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(again), "original"; got != want {
			t.Errorf("after changing a slice Get returned, Get = %q, want %q", got, want)
		}
	})
}

func testDelete(t *testing.T, st store.Store) {
	mustPut(t, st, "del/a", []byte("a"))
	mustPut(t, st, "del/ab", []byte("ab"))

	tests := []struct {
		name string
		key  string
	}{
		{name: "ok", key: "del/a"},
		{name: "ok/missing", key: "del/never-written"},
		{name: "ok/twice", key: "del/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustDelete(t, st, tt.key)
			if _, err := get(t, st, tt.key); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("Get(%q) after Delete: error = %v, want ErrNotFound", tt.key, err)
			}
		})
	}
	// Deleting "del/a" must not touch a key it is a prefix of.
	if got, err := get(t, st, "del/ab"); err != nil || string(got) != "ab" {
		t.Errorf("Get(del/ab) = %q, %v; want \"ab\", nil", got, err)
	}
}
