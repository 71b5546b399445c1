package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// lineSink hands each log line written to it to a channel (the server
// logs a request after answering it, so the test waits for its line).
type lineSink struct {
	mu    sync.Mutex
	lines chan string
}

func (s *lineSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for line := range strings.Lines(string(p)) {
		s.lines <- line
	}
	return len(p), nil
}

// The JSON access log: one object a line, with the request id, wire,
// operation, principal, status and latency, and never a secret value, a
// client secret or a token.
func TestJSONAccessLog(t *testing.T) {
	sink := &lineSink{lines: make(chan string, 1024)}
	logger, err := NewLogger(sink, LogJSON, slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	s := startWith(t, Config{Logger: logger})
	// Lines from the start (none expected at info, but drop any).
	for len(sink.lines) > 0 {
		<-sink.lines
	}
	sent := opsTraffic(t, s)
	const requests = 8 // opsTraffic's
	type entry struct {
		Msg       string  `json:"msg"`
		RequestID string  `json:"request_id"`
		Wire      string  `json:"wire"`
		Operation string  `json:"operation"`
		Principal string  `json:"principal"`
		Status    int     `json:"status"`
		LatencyMS float64 `json:"latency_ms"`
		Path      string  `json:"path"`
	}
	var got []entry
	var raw []string
	deadline := time.After(10 * time.Second)
	for len(got) < requests {
		select {
		case line := <-sink.lines:
			raw = append(raw, line)
			var e entry
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("not a JSON line: %q (%v)", line, err)
			}
			if e.Msg == "request" {
				got = append(got, e)
			}
		case <-deadline:
			t.Fatalf("%d request lines after 10 s, want %d:\n%s", len(got), requests, strings.Join(raw, ""))
		}
	}
	seen := map[string]entry{}
	for _, e := range got {
		if e.RequestID == "" || e.Wire == "" || e.Status == 0 || e.LatencyMS < 0 {
			t.Errorf("incomplete line: %+v", e)
		}
		seen[e.Wire+" "+e.Operation+" "+http200(e.Status)] = e
	}
	for _, c := range []struct {
		key, principal string
	}{
		{"entra Token ok", ""},
		{"keyvault keyvault.SetSecret ok", s.Boot.ObjectID},
		{"keyvault keyvault.GetSecret ok", s.Boot.ObjectID},
		{"keyvault keyvault.GetSecret fail", ""},
		{"arm Subscriptions.List ok", s.Boot.ObjectID},
		{"control GET /readyz ok", ""},
	} {
		e, ok := seen[c.key]
		if !ok {
			t.Errorf("no line for %s", c.key)
			continue
		}
		if e.Principal != c.principal {
			t.Errorf("%s: principal %q, want %q", c.key, e.Principal, c.principal)
		}
	}
	if e := seen["databricks secrets.ListScopes ok"]; e.Principal == "" {
		t.Errorf("a personal access token's request names no principal: %+v", e)
	}
	all := strings.Join(raw, "")
	for _, v := range sent {
		if strings.Contains(all, v) {
			t.Errorf("the log carries a value or credential sent (%d bytes)", len(v))
		}
	}
	if strings.Contains(all, "Bearer") || strings.Contains(all, "client_secret") {
		t.Error("the log carries an Authorization header or a form")
	}
}

func http200(status int) string {
	if status < 300 {
		return "ok"
	}
	return "fail"
}

// --log-format takes text or json; anything else is refused by name.
func TestNewLogger(t *testing.T) {
	for _, c := range []struct {
		format string
		want   string // the start of a line, "" for an error
	}{
		{"", "time="},
		{"text", "time="},
		{"json", `{"time":`},
		{"yaml", ""},
	} {
		var buf bytes.Buffer
		l, err := NewLogger(&buf, c.format, slog.LevelInfo)
		if c.want == "" {
			if err == nil || !strings.Contains(err.Error(), "yaml") {
				t.Errorf("%q: err = %v, want one naming the format", c.format, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		l.Info("x")
		if !strings.HasPrefix(buf.String(), c.want) {
			t.Errorf("%q: %q, want a line starting %q", c.format, buf.String(), c.want)
		}
	}
}
