package server

import (
	"context"
	"net/http"
	"time"

	"github.com/scopevault/scopevault/internal/httpx"
	"github.com/scopevault/scopevault/internal/store"
)

// Health endpoints on the control plane, unauthenticated as Kubernetes'
// probes expect:
//
//	GET /livez   200 while the process serves HTTP at all (restart it if not)
//	GET /readyz  200 when it should get traffic: started, not shutting
//	             down, and the store answers a read transaction; else 503
//	GET /healthz the older liveness answer, kept as it was
//
// Neither says more than ok or why not: no version, no paths.

// readyCheckTimeout bounds readiness' store read: a store that cannot
// begin a read in this time is not ready.
const readyCheckTimeout = 2 * time.Second

type healthBody struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

func serveLive(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, healthBody{Status: "ok"})
}

// readiness serves /readyz over st, the store the server opened (taken
// once, so a request racing shutdown never reads a field being cleared).
func (s *Server) readiness(st store.Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch s.phase.Load() {
		case phaseStarting:
			httpx.WriteJSON(w, http.StatusServiceUnavailable, healthBody{Status: "unavailable", Reason: "starting"})
			return
		case phaseStopping:
			httpx.WriteJSON(w, http.StatusServiceUnavailable, healthBody{Status: "unavailable", Reason: "shutting down"})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), readyCheckTimeout)
		defer cancel()
		if err := st.View(ctx, func(store.Tx) error { return nil }); err != nil {
			s.cfg.Logger.Warn("readyz: the store does not answer", "err", err)
			httpx.WriteJSON(w, http.StatusServiceUnavailable, healthBody{Status: "unavailable", Reason: "the store does not answer"})
			return
		}
		httpx.WriteJSON(w, http.StatusOK, healthBody{Status: "ok"})
	}
}

// The server's phases, for readiness.
const (
	phaseStarting int32 = iota
	phaseServing
	phaseStopping
)
