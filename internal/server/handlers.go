package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/arm"
	"github.com/scopevault/scopevault/internal/entra"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/keyvault"
)

// verifier adapts identity to the Key Vault pipeline: verify, then resolve groups.
type verifier struct{ id *identity.Service }

func (v verifier) VerifyBearer(ctx context.Context, token string) (*keyvault.TokenInfo, error) {
	c, err := v.id.VerifyToken(ctx, token)
	if err != nil {
		return nil, err
	}
	caller := c.Caller()
	if caller.GroupIDs, err = v.id.GroupsOf(ctx, c.TenantID, c.ObjectID); err != nil {
		return nil, err
	}
	return &keyvault.TokenInfo{Audience: c.Audience, Issuer: c.Issuer, TenantID: c.TenantID, Caller: caller}, nil
}

func (s *Server) buildHandlers() {
	s.keyvault = keyvault.New(keyvault.Config{
		Engine:        s.Engine,
		Verifier:      verifier{s.Identity},
		Authorizer:    s.Authz,
		AuthorityHost: s.URL(),
		Logger:        s.cfg.Logger,
	})
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
		OnVaultChanged: s.EnsureVaultListener,
		VaultURL:       s.VaultURL,
		AuthorityHost:  s.URL(),
		Logger:         s.cfg.Logger,
		Now:            s.cfg.Now,
	})
	mux.Handle("/subscriptions", armHandler)
	mux.Handle("/subscriptions/", armHandler)
	mux.Handle("/providers/", armHandler)
	mux.Handle("/v1.0/", armHandler)
	mux.Handle("/", entra.NewHandler(s.Identity, s.cfg.Logger))
	s.control = mux
}

// ServeHTTP dispatches by the address the client connected to: a vault's own
// loopback address (or a <vault>.vault.azure.net host on the main address)
// reaches the Key Vault data plane; everything else is the control plane.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.cfg.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	o := scopevault.OriginFrom(r.Context())
	_, isVaultHost := keyvault.VaultNameFromHost(r.Host)
	if isVaultHost || (o.LocalAddr.IsValid() && s.isVaultAddr(o.LocalAddr.Addr().String())) {
		s.keyvault.ServeHTTP(sw, r)
	} else {
		s.control.ServeHTTP(sw, r)
	}
	// The access log names the path only: no query, no headers, no body.
	s.cfg.Logger.Info("request", "method", r.Method, "host", r.Host, "path", r.URL.Path,
		"status", sw.status, "client", o.RemoteAddr.String(), "duration", time.Since(start).Round(time.Microsecond).String(),
		"request_id", w.Header().Get("x-ms-request-id"))
}

func (s *Server) isVaultAddr(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.listeners[addr]
	return ok && !strings.EqualFold(addr, s.cfg.Host)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
