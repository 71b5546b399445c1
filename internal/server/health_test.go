package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scopevault/scopevault/internal/store"
)

// /livez answers while the process serves; /readyz only while it is
// started, not shutting down, and its store answers.
func TestHealthEndpoints(t *testing.T) {
	s := MustStart(t, t.TempDir())
	for _, path := range []string{"/livez", "/readyz", "/healthz"} {
		if status, body, _ := insightCall(t, s, "GET", path, "", ""); status != http.StatusOK {
			t.Errorf("%s: %d %s", path, status, body)
		}
	}

	s.phase.Store(phaseStopping)
	status, body, _ := insightCall(t, s, "GET", "/readyz", "", "")
	var got healthBody
	json.Unmarshal(body, &got)
	if status != http.StatusServiceUnavailable || got.Reason != "shutting down" {
		t.Errorf("/readyz while shutting down: %d %s", status, body)
	}
	if status, body, _ := insightCall(t, s, "GET", "/livez", "", ""); status != http.StatusOK {
		t.Errorf("/livez while shutting down: %d %s", status, body)
	}
	s.phase.Store(phaseServing)
}

// Readiness by phase and store, table-driven over the handler.
func TestReadiness(t *testing.T) {
	for _, c := range []struct {
		name   string
		phase  int32
		store  store.Store
		status int
		reason string
	}{
		{"ok", phaseServing, fakeStore{}, http.StatusOK, ""},
		{"fail/starting", phaseStarting, fakeStore{}, http.StatusServiceUnavailable, "starting"},
		{"fail/stopping", phaseStopping, fakeStore{}, http.StatusServiceUnavailable, "shutting down"},
		{"fail/store", phaseServing, fakeStore{err: errors.New("sql: database is closed")}, http.StatusServiceUnavailable, "the store does not answer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &Server{}
			s.cfg.Logger = discardLogger()
			s.phase.Store(c.phase)
			w := httptest.NewRecorder()
			s.readiness(c.store)(w, httptest.NewRequest("GET", "/readyz", nil))
			var got healthBody
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if w.Code != c.status || got.Reason != c.reason {
				t.Errorf("got %d %+v, want %d %q", w.Code, got, c.status, c.reason)
			}
		})
	}
}

type fakeStore struct {
	store.Store
	err error
}

func (f fakeStore) View(context.Context, func(store.Tx) error) error { return f.err }

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
