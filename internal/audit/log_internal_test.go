package audit

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogWriteErrorIsCountedAndLogged: a write that fails is reported by
// Flush, counted, and logged naming the file and how many records, never
// their contents.
func TestLogWriteErrorIsCountedAndLogged(t *testing.T) {
	var logs bytes.Buffer
	l, err := Open(filepath.Join(t.TempDir(), FileName), Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	l.f.Close() // the disk goes away under the writer
	l.Record(Record{Service: "keyvault", Action: "GetSecret", Key: "canary-key", RequestID: "r1"})
	if err := l.Flush(); err == nil {
		t.Fatal("flush after a failed write: got nil error")
	}
	if got, want := l.Stats(), (Stats{Failed: 1}); got != want {
		t.Fatalf("stats: got %+v, want %+v", got, want)
	}
	if !strings.Contains(logs.String(), "audit: write failed") || strings.Contains(logs.String(), "canary-key") {
		t.Fatalf("log: %s", logs.String())
	}
	l.Close()
}
