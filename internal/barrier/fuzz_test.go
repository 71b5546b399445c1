package barrier_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/scopevault/scopevault/internal/barrier"
)

var fuzzKey = bytes.Repeat([]byte{0x5c}, 32)

var fuzzSeeds = []struct {
	path  string
	plain string
}{
	{"kv/v/secrets/db", distinctive},
	{"core/ca", ""},
	{"", "empty path"},
	{"dir/principals/p", "\x00\xff binary"},
}

func FuzzOpen(f *testing.F) {
	b, err := barrier.NewWithKey(fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	// sealedHere holds what this process sealed, to require that it opens.
	sealedHere := map[string]int{}
	for i, s := range fuzzSeeds {
		sealed := b.Seal(s.path, []byte(s.plain))
		sealedHere[string(sealed)] = i
		f.Add(s.path, sealed)
		f.Add(s.path+"/", sealed)
		f.Add(s.path, sealed[:len(sealed)-1])
		flipped := slices.Clone(sealed)
		flipped[len(flipped)/2] ^= 0x80
		f.Add(s.path, flipped)
	}
	f.Add("kv/a", []byte{})
	f.Add("kv/a", []byte{0, 0, 0, 1, 1})
	f.Add("kv/a", make([]byte, 5+12+16))

	f.Fuzz(func(t *testing.T, path string, sealed []byte) {
		got, err := b.Open(path, sealed)
		if i, ok := sealedHere[string(sealed)]; ok && fuzzSeeds[i].path == path {
			if err != nil {
				t.Fatalf("Open of a value Seal made for %q: %v", path, err)
			}
			if got, want := string(got), fuzzSeeds[i].plain; got != want {
				t.Fatalf("Open = %q, want %q", got, want)
			}
			return
		}
		if err == nil {
			// Only a seed sealed by another fuzz worker may open here, and
			// only to its own path and plaintext with an untouched header.
			if !isFuzzSeed(path, string(got)) || termOf(sealed) != 1 || sealed[4] != 1 {
				t.Fatalf("Open accepted bytes Seal never produced: path %q, %d bytes, opened to %q", path, len(sealed), got)
			}
			return
		}
		if !errors.Is(err, barrier.ErrOpen) {
			t.Fatalf("Open error = %v, want ErrOpen", err)
		}
	})
}

func FuzzSealOpen(f *testing.F) {
	b, err := barrier.NewWithKey(fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range fuzzSeeds {
		f.Add(s.path, []byte(s.plain))
	}
	f.Fuzz(func(t *testing.T, path string, plain []byte) {
		sealed := b.Seal(path, plain)
		if got, want := len(sealed), 5+12+len(plain)+16; got != want {
			t.Fatalf("sealed length = %d, want %d", got, want)
		}
		if got, want := termOf(sealed), b.ActiveTerm(); got != want {
			t.Fatalf("sealed term = %d, want %d", got, want)
		}
		got, err := b.Open(path, sealed)
		if err != nil {
			t.Fatalf("Open(Seal(%q)): %v", path, err)
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("Open(Seal(%q)) returned different bytes", path)
		}
		if _, err := b.Open(path+"\x00", sealed); !errors.Is(err, barrier.ErrOpen) {
			t.Fatalf("Open at another path: error = %v, want ErrOpen", err)
		}
	})
}

func isFuzzSeed(path, plain string) bool {
	for _, s := range fuzzSeeds {
		if s.path == path && s.plain == plain {
			return true
		}
	}
	return false
}
