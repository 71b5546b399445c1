package redact

import (
	"bytes"
	"strings"
	"testing"
)

func TestReplace(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		values   []string
		want     string
	}{
		{"ok/one", "pw is s3cr3t.", []string{"s3cr3t"}, "pw is [REDACTED]."},
		{"ok/twice", "s3cr3ts3cr3t", []string{"s3cr3t"}, "[REDACTED][REDACTED]"},
		{"ok/longest-wins", "abcd", []string{"ab", "abcd"}, "[REDACTED]"},
		{"ok/leftmost", "xabc", []string{"bc", "ab"}, "x[REDACTED]c"},
		{"ok/empty-value-ignored", "hello", []string{""}, "hello"},
		{"ok/no-values", "hello", nil, "hello"},
		{"ok/multiline", "a\nline1\nline2\nb", []string{"line1\nline2"}, "a\n[REDACTED]\nb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, want := string(Replace([]byte(tc.in), tc.values)), tc.want
			if got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

// writeChunks streams in through a Writer, cut at the given sizes.
func writeChunks(t testing.TB, in []byte, values []string, sizes []byte) string {
	var out bytes.Buffer
	w := NewWriter(&out, values)
	for len(in) > 0 {
		n := len(in)
		if len(sizes) > 0 {
			n = min(int(sizes[0])%8+1, len(in))
			sizes = sizes[1:]
		}
		if k, err := w.Write(in[:n]); err != nil || k != n {
			t.Fatalf("Write = %d, %v", k, err)
		}
		in = in[n:]
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestWriterSplitValue(t *testing.T) {
	values := []string{"s3cr3t-value"}
	in := "connecting with s3cr3t-value now\ns3cr3t-valu"
	for size := 1; size <= len(in); size++ {
		var out bytes.Buffer
		w := NewWriter(&out, values)
		for i := 0; i < len(in); i += size {
			w.Write([]byte(in[i:min(i+size, len(in))]))
			if held := len(w.pending); held > len(values[0])-1 {
				t.Fatalf("size %d: holds back %d bytes, more than len-1", size, held)
			}
		}
		w.Flush()
		got, want := out.String(), "connecting with [REDACTED] now\ns3cr3t-valu"
		if got != want {
			t.Errorf("size %d: got %q, want %q", size, got, want)
		}
	}
}

func TestWriterPassesThroughWithoutValues(t *testing.T) {
	got, want := writeChunks(t, []byte("plain"), []string{""}, []byte{0, 0}), "plain"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// For any input cut into any chunks, streaming equals the whole-stream
// replacement (and strings.Replacer with the values longest first), and
// no value that cannot straddle a marker survives.
func FuzzWriter(f *testing.F) {
	f.Add([]byte("echo s3cr3t and s3cr3 t"), "s3cr3t", "cr3", []byte{1, 2, 3})
	f.Add([]byte("aaaaab"), "aab", "a", []byte{0})
	f.Add([]byte("xabcabd"), "abd", "abc", []byte{5, 5, 5})
	f.Fuzz(func(t *testing.T, in []byte, v1, v2 string, sizes []byte) {
		values := []string{v1, v2}
		got := writeChunks(t, in, values, sizes)
		if want := string(Replace(in, values)); got != want {
			t.Fatalf("streamed %q, whole %q", got, want)
		}
		var pairs []string
		for _, v := range newSet(values).values {
			pairs = append(pairs, string(v), Marker)
		}
		if len(pairs) > 0 {
			if want := strings.NewReplacer(pairs...).Replace(string(in)); got != want {
				t.Fatalf("streamed %q, strings.Replacer %q", got, want)
			}
		}
		for _, v := range values {
			if v != "" && !strings.ContainsAny(v, Marker) && strings.Contains(got, v) {
				t.Fatalf("output %q contains the value %q", got, v)
			}
		}
	})
}
