package server

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/access"
	"github.com/scopevault/scopevault/internal/arm"
	"github.com/scopevault/scopevault/internal/entra"
	"github.com/scopevault/scopevault/internal/httpx"
	"github.com/scopevault/scopevault/internal/keyvault"
	"github.com/scopevault/scopevault/internal/netgate"
)

func (s *Server) buildHandlers() {
	// The network gate runs on every data-plane read, the Key Vault wire's
	// and Key Vault-backed scopes' alike (internal/netgate).
	s.Access = &access.Pipeline{Verifier: s.Identity, Authorizer: s.Authz, Gate: &netgate.Gate{Trusted: netgate.DefaultTrusted(), Network: s.network}}
	s.keyvault = keyvault.New(keyvault.Config{
		Engine:        s.Engine,
		Access:        s.Access,
		AuthorityHost: s.AuthorityURL(),
		Logger:        s.cfg.Logger,
		Audit:         s.Audit,
	})
	s.buildDatabricks()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	armHandler := arm.New(arm.Config{
		RM:             s.RM,
		Engine:         s.Engine,
		Authz:          s.Authz,
		Identity:       s.Identity,
		Access:         s.Access,
		OnVaultChanged: s.EnsureVaultListener,
		VaultURL:       s.VaultURL,
		// Workspaces (workspaces.go).
		WorkspaceURL:       s.workspaceHost,
		OnWorkspaceChanged: s.EnsureWorkspaceListener,
		OnWorkspaceDeleted: s.workspaceDeleted,
		AuthorityHost:      s.AuthorityURL(),
		Logger:             s.cfg.Logger,
		Now:                s.cfg.Now,
	})
	mux.Handle("/subscriptions", armHandler)
	mux.Handle("/subscriptions/", armHandler)
	mux.Handle("/providers/", armHandler)
	mux.Handle("/v1.0/", armHandler)
	// az cloud register --endpoint-resource-manager reads ARM's metadata
	// unauthenticated, as Azure serves it.
	mux.Handle("/metadata/endpoints", arm.MetadataHandler(s.URL()))
	s.registerInsight(mux)
	mux.Handle("POST /scopevault/placement", httpx.Handler{Serve: s.servePlacement, Render: s.renderInsightError})
	mux.Handle("GET /scopevault/hosts", httpx.Handler{Serve: s.serveHosts, Render: s.renderInsightError})
	mux.Handle("/", entra.NewHandler(s.Identity, s.cfg.Logger))
	s.control = mux
}

// ServeHTTP dispatches by the address the client connected to: a
// workspace's loopback address (or an adb-<id>.<n>.azuredatabricks.net host)
// reaches the workspace API; a vault's own loopback address (or a
// <vault>.vault.azure.net host on the main address) reaches the Key Vault
// data plane; everything else is the control plane. Workspaces are checked
// first: their addresses are loopback listeners too.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.cfg.Now()
	// One request id for the wire's response headers, its audit record and
	// this access log line, whichever wire answers.
	r, reqID := httpx.EnsureRequestID(r)
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	o := scopevault.OriginFrom(r.Context())
	_, isVaultHost := keyvault.VaultNameFromHost(r.Host)
	_, isWorkspaceHost := scopevault.WorkspaceIDFromHost(r.Host)
	switch {
	case isWorkspaceHost || (o.LocalAddr.IsValid() && s.isWorkspaceAddr(localIP(o))):
		s.databricks.ServeHTTP(sw, r)
	case isVaultHost || (o.LocalAddr.IsValid() && s.isVaultAddr(localIP(o))):
		s.keyvault.ServeHTTP(sw, r)
	default:
		s.control.ServeHTTP(sw, r)
	}
	// The access log names the path only: no query, no headers, no body.
	// Its arguments are built only when it is on (up -v).
	if !s.cfg.Logger.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	s.cfg.Logger.Info("request", "method", r.Method, "host", r.Host, "path", r.URL.Path,
		"status", sw.status, "client", o.RemoteAddr.String(), "duration", time.Since(start).Round(time.Microsecond).String(),
		"request_id", reqID)
}

// localIP is the address the connection arrived on, as text.
func localIP(o scopevault.Origin) string {
	if o.LocalIP != "" {
		return o.LocalIP
	}
	return o.LocalAddr.Addr().String()
}

func (s *Server) isVaultAddr(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.listeners[addr]
	return ok && !strings.EqualFold(addr, s.cfg.Host) && !s.workspaceAddrs[addr]
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
