package audit_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scopevault/scopevault/internal/audit"
)

func MustOpen(tb testing.TB, path string, opt audit.Options) *audit.Log {
	tb.Helper()
	l, err := audit.Open(path, opt)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

func MustRead(tb testing.TB, path string, f audit.Filter) audit.Result {
	tb.Helper()
	res, err := audit.Read(path, f)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

func rec(i int) audit.Record {
	return audit.Record{
		Time: time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC), RequestID: fmt.Sprintf("req-%d", i),
		Service: "keyvault", Action: "GetSecret", Principal: "oid-1", Vault: "kv1", Key: fmt.Sprintf("k%d", i),
		SourceAddr: "127.0.0.1", Status: 200, Decision: "allow", Rule: "role assignment a1",
	}
}

func TestLogCloseWritesEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), audit.FileName)
	l := MustOpen(t, path, audit.Options{})
	const n = 1000
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				l.Record(rec(i))
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	res := MustRead(t, path, audit.Filter{})
	if got, want := len(res.Records), n; got != want {
		t.Fatalf("records: got %d, want %d", got, want)
	}
	seen := map[string]bool{}
	for _, r := range res.Records {
		seen[r.RequestID] = true
	}
	for i := range n {
		if !seen[fmt.Sprintf("req-%d", i)] {
			t.Fatalf("req-%d missing", i)
		}
	}
	if got, want := l.Stats(), (audit.Stats{Written: n}); got != want {
		t.Fatalf("stats: got %+v, want %+v", got, want)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Fatalf("mode: got %v, want %v", got, want)
	}
}

// TestLogFlushIsDurableWithoutClose: after Flush returns, the records are in
// the file for any reader, while the log stays open.
func TestLogFlushIsDurableWithoutClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), audit.FileName)
	l := MustOpen(t, path, audit.Options{})
	for i := range 3 {
		l.Record(rec(i))
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := len(MustRead(t, path, audit.Filter{}).Records), 3; got != want {
		t.Fatalf("after flush: got %d records, want %d", got, want)
	}
	// The writer gets there on its own, too: poll with a bounded deadline.
	l.Record(rec(3))
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(5 * time.Second)
	for len(MustRead(t, path, audit.Filter{}).Records) < 4 {
		select {
		case <-deadline:
			t.Fatal("a record was not written within 5s without a flush")
		case <-tick.C:
		}
	}
}

// A Flush or Close ends the writer's gathering window at once: with a
// window of an hour, records still reach the file when asked for.
func TestLogFlushEndsTheBatchWindow(t *testing.T) {
	path := filepath.Join(t.TempDir(), audit.FileName)
	l := MustOpen(t, path, audit.Options{BatchWindow: time.Hour})
	l.Record(rec(0))
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := len(MustRead(t, path, audit.Filter{}).Records); got != 1 {
		t.Fatalf("after flush: got %d records, want 1", got)
	}
	l.Record(rec(1))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got := len(MustRead(t, path, audit.Filter{}).Records); got != 2 {
		t.Fatalf("after close: got %d records, want 2", got)
	}
}

// TestLogAppendsAcrossReopen, and a line torn by a crash (no newline, half a
// record) costs only itself.
func TestLogAppendsAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), audit.FileName)
	l := MustOpen(t, path, audit.Options{})
	l.Record(rec(1))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"time":"2026-01-01T00:00:02Z","service":"keyv`)
	f.Close()
	if res := MustRead(t, path, audit.Filter{}); len(res.Records) != 1 || res.Skipped != 1 {
		t.Fatalf("torn tail: got %d records, %d skipped; want 1, 1", len(res.Records), res.Skipped)
	}

	l = MustOpen(t, path, audit.Options{})
	l.Record(rec(3))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	res := MustRead(t, path, audit.Filter{})
	var ids []string
	for _, r := range res.Records {
		ids = append(ids, r.RequestID)
	}
	if got, want := strings.Join(ids, ","), "req-1,req-3"; got != want || res.Skipped != 1 {
		t.Fatalf("after reopen: got %s (%d skipped), want %s (1 skipped)", got, res.Skipped, want)
	}
}

// TestLogFullQueueWaits: a queue of one never loses a record; Record waits
// for the writer instead.
func TestLogFullQueueWaits(t *testing.T) {
	path := filepath.Join(t.TempDir(), audit.FileName)
	l := MustOpen(t, path, audit.Options{QueueSize: 1, MaxWait: time.Minute})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				l.Record(rec(w*100 + i))
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := l.Stats(), (audit.Stats{Written: 400}); got != want {
		t.Fatalf("stats: got %+v, want %+v", got, want)
	}
	if got := len(MustRead(t, path, audit.Filter{}).Records); got != 400 {
		t.Fatalf("records: got %d, want 400", got)
	}
}

// TestLogAfterCloseCounts: a record arriving after Close is not written and
// not silently lost: it is counted.
func TestLogAfterCloseCounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), audit.FileName)
	l := MustOpen(t, path, audit.Options{})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l.Record(rec(1))
	if got := l.Stats().Dropped; got != 1 {
		t.Fatalf("dropped: got %d, want 1", got)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

// TestRecordHasNoValueField is the guard: a Record has exactly these
// fields, none of which can hold a secret value, a client secret or a token.
// Adding a field means adding it here, after asking whether it could.
func TestRecordHasNoValueField(t *testing.T) {
	want := []string{"Time", "RequestID", "Service", "Action", "Principal", "AppID", "Workspace", "Scope",
		"Vault", "Key", "Params", "SourceAddr", "Status", "Decision", "Rule", "ErrorCode"}
	var got []string
	typ := reflect.TypeFor[audit.Record]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		got = append(got, f.Name)
		name := strings.ToLower(f.Name + " " + f.Tag.Get("json"))
		for _, bad := range []string{"value", "secret", "token", "password", "credential", "body"} {
			if strings.Contains(name, bad) {
				t.Errorf("field %s names %q", f.Name, bad)
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Record fields changed:\ngot  %v\nwant %v", got, want)
	}
}

// TestLogDropsValueParams: defence in depth, a parameter named like a value
// never reaches the file even if a wire put it there.
func TestLogDropsValueParams(t *testing.T) {
	path := filepath.Join(t.TempDir(), audit.FileName)
	l := MustOpen(t, path, audit.Options{})
	r := rec(1)
	r.Params = map[string]string{"scope": "s1", "string_value": "canary-1", "Value": "canary-2", "token_value": "canary-3"}
	l.Record(r)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("canary")) {
		t.Fatalf("a value-named parameter reached the file: %s", raw)
	}
	res := MustRead(t, path, audit.Filter{})
	if got, want := res.Records[0].Params, map[string]string{"scope": "s1"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("params: got %v, want %v", got, want)
	}
	if got, want := len(r.Params), 4; got != want {
		t.Fatalf("the caller's map was changed: %d params, want %d", got, want)
	}
}

func BenchmarkRecord(b *testing.B) {
	l := MustOpen(b, filepath.Join(b.TempDir(), audit.FileName), audit.Options{})
	r := rec(1)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Record(r)
		}
	})
	b.StopTimer()
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
	if s := l.Stats(); s.Dropped != 0 || s.Failed != 0 {
		b.Fatalf("stats: %+v", s)
	}
}
