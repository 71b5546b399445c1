package jsonx_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/jsonx"
)

func stdString(s string, escapeHTML bool) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	enc.Encode(s)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\s/`, "\x00\x01\x1f\t\n\r\b\f", "<a>&b", "é日本\u2028\u2029", "bad\xffutf8\xc3", "\x7f"} {
		for _, html := range []bool{true, false} {
			if got, want := jsonx.AppendString(nil, s, html), stdString(s, html); !bytes.Equal(got, want) {
				t.Errorf("AppendString(%q, %v) = %s, want %s", s, html, got, want)
			}
		}
	}
}

func TestAppendTime(t *testing.T) {
	for _, tm := range []time.Time{time.Unix(0, 0).UTC(), time.Unix(1_764_374_400, 123456789).UTC(), time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))} {
		want, _ := json.Marshal(tm)
		if got := jsonx.AppendTime(nil, tm); !bytes.Equal(got, want) {
			t.Errorf("AppendTime(%v) = %s, want %s", tm, got, want)
		}
	}
}

// FuzzAppendString: for any string, the same bytes as encoding/json.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a<b>&c", "\xff\u2028", "\"\\\n"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, html bool) {
		if got, want := jsonx.AppendString(nil, s, html), stdString(s, html); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q, %v) = %s, want %s", s, html, got, want)
		}
	})
}
