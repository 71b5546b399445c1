package server

import (
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
	// The verifier names each verified token's principal in the request's
	// Note, for the access log and the connection cap (logging.go).
	s.Access = &access.Pipeline{Verifier: notingVerifier{s.Identity}, Authorizer: s.Authz, Gate: &netgate.Gate{Trusted: netgate.DefaultTrusted(), Network: s.network}}
	s.keyvault = keyvault.New(keyvault.Config{
		Engine:        s.Engine,
		Access:        s.Access,
		AuthorityHost: s.AuthorityURL(),
		Logger:        s.cfg.Logger,
		Audit:         s.Audit,
	})
	s.buildDatabricks()
	mux := http.NewServeMux()
	// The server's own endpoints are named by their patterns in the access
	// log and the metrics; ARM and the token service name their own
	// operations.
	own := controlMux{mux}
	own.Handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}` + "\n"))
	}))
	own.Handle("GET /livez", http.HandlerFunc(serveLive))
	own.Handle("GET /readyz", s.readiness(s.Store))
	own.Handle("GET /metrics", http.HandlerFunc(s.metrics.serveMetrics))
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
	armHandler = onWire(wireARM, nil, armHandler)
	mux.Handle("/subscriptions", armHandler)
	mux.Handle("/subscriptions/", armHandler)
	mux.Handle("/providers/", armHandler)
	mux.Handle("/v1.0/", armHandler)
	// az cloud register --endpoint-resource-manager reads ARM's metadata
	// unauthenticated, as Azure serves it.
	mux.Handle("/metadata/endpoints", onWire(wireARM, func(*http.Request) string { return "Metadata.Endpoints" }, arm.MetadataHandler(s.URL())))
	s.registerInsight(own)
	own.Handle("POST /scopevault/placement", httpx.Handler{Serve: s.servePlacement, Render: s.renderInsightError})
	own.Handle("GET /scopevault/hosts", httpx.Handler{Serve: s.serveHosts, Render: s.renderInsightError})
	mux.Handle("/", onWire(wireEntra, nil, entra.NewHandler(s.Identity, s.cfg.Logger)))
	s.control = mux
}

// ServeHTTP dispatches by the address the client connected to: a
// workspace's loopback address (or an adb-<id>.<n>.azuredatabricks.net host)
// reaches the workspace API; a vault's own loopback address (or a
// <vault>.vault.azure.net host on the main address) reaches the Key Vault
// data plane; everything else is the control plane. Workspaces are checked
// first: their addresses are loopback listeners too.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	// One request id for the wire's response headers, its audit record and
	// the access log line, whichever wire answers; and the Note the wire
	// fills in (operation, principal). One copy of the request for both.
	st := &requestState{ResponseWriter: w, status: http.StatusOK, wire: wireControl}
	ctx := r.Context()
	reqID := scopevault.RequestIDFrom(ctx)
	if reqID == "" {
		reqID = scopevault.NewGUID()
		ctx = scopevault.WithRequestID(ctx, reqID)
	}
	ctx = httpx.WithNote(ctx, &st.note)
	r = r.WithContext(ctx)
	o := scopevault.OriginFrom(ctx)
	_, isVaultHost := keyvault.VaultNameFromHost(r.Host)
	_, isWorkspaceHost := scopevault.WorkspaceIDFromHost(r.Host)
	switch {
	case isWorkspaceHost || (o.LocalAddr.IsValid() && s.isWorkspaceAddr(localIP(o))):
		st.wire = wireDatabricks
		s.databricks.ServeHTTP(st, r)
	case isVaultHost || (o.LocalAddr.IsValid() && s.isVaultAddr(localIP(o))):
		st.wire = wireKeyVault
		s.keyvault.ServeHTTP(st, r)
	default:
		s.control.ServeHTTP(st, r)
	}
	s.finish(ctx, r, st, reqID, start)
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
