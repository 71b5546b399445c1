package arm

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/access"
	"github.com/scopevault/scopevault/internal/authz"
	"github.com/scopevault/scopevault/internal/httpx"
	"github.com/scopevault/scopevault/internal/identity"
	"github.com/scopevault/scopevault/internal/rm"
	"github.com/scopevault/scopevault/internal/secrets"
)

// Config wires the handler to the services it fronts.
type Config struct {
	RM       *rm.Manager
	Engine   *secrets.Engine
	Authz    *authz.Authorizer
	Identity *identity.Service
	// Access authenticates bearer tokens (the path every wire shares).
	Access *access.Pipeline
	// OnVaultChanged runs after a vault is created or updated; the server
	// starts the vault's data-plane listener there. A failure is a 500.
	OnVaultChanged func(*scopevault.Vault) error
	// VaultURL is a vault's data-plane URL, rendered as properties.vaultUri.
	// Nil renders https://{name}.vault.azure.net/.
	VaultURL func(*scopevault.Vault) string
	// WorkspaceURL is a workspace's properties.workspaceUrl: host[:port],
	// no scheme, as Azure's "adb-123.4.azuredatabricks.net". Nil renders
	// the real host name.
	WorkspaceURL func(*scopevault.Workspace) string
	// OnWorkspaceChanged runs after a workspace is created or updated; the
	// server starts the workspace's listener there. A failure is a 500.
	OnWorkspaceChanged func(*scopevault.Workspace) error
	// OnWorkspaceDeleted runs before a workspace's record goes (alone or
	// with its resource group); the server drops what the workspace holds.
	// Nil does nothing.
	OnWorkspaceDeleted func(*scopevault.Workspace) error
	// AuthorityHost is the identity service's base URL, named in the
	// WWW-Authenticate header of a 401 so clients know where to get a token.
	AuthorityHost string
	Logger        *slog.Logger
	// Now is the clock (Graph error dates); tests replace it.
	Now func() time.Time
}

// Handler serves the ARM and Graph routes. Build it with New.
type Handler struct {
	cfg Config
}

// New returns the ARM (and minimal Graph) handler. The server mounts it on
// the control plane for /subscriptions, /providers and /v1.0/.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.AuthorityHost = strings.TrimSuffix(cfg.AuthorityHost, "/")
	if cfg.AuthorityHost == "" {
		cfg.AuthorityHost = "https://login.windows.net"
	}
	if cfg.VaultURL == nil {
		cfg.VaultURL = func(v *scopevault.Vault) string { return "https://" + strings.ToLower(v.Name) + ".vault.azure.net/" }
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Access == nil {
		cfg.Access = &access.Pipeline{Verifier: cfg.Identity, Authorizer: cfg.Authz}
	}
	if cfg.OnVaultChanged == nil {
		cfg.OnVaultChanged = func(*scopevault.Vault) error { return nil }
	}
	if cfg.WorkspaceURL == nil {
		cfg.WorkspaceURL = func(ws *scopevault.Workspace) string { return ws.RealHost() }
	}
	if cfg.OnWorkspaceChanged == nil {
		cfg.OnWorkspaceChanged = func(*scopevault.Workspace) error { return nil }
	}
	if cfg.OnWorkspaceDeleted == nil {
		cfg.OnWorkspaceDeleted = func(*scopevault.Workspace) error { return nil }
	}
	return &Handler{cfg: cfg}
}

// request is one request moving through the pipeline.
type request struct {
	r          *http.Request
	dialect    dialect
	caller     *scopevault.Caller
	apiVersion string
	route      route
	spec       opSpec
	sub        *scopevault.Subscription // set when the route names a subscription
}

func (req *request) ctx() context.Context { return req.r.Context() }

// ServeHTTP runs the pipeline and renders any failure in the caller's dialect.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, reqID := httpx.EnsureRequestID(r)
	req := &request{r: r, dialect: dialectOf(r.URL.Path)}
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("Pragma", "no-cache")
	hdr.Set("Expires", "-1")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	if req.dialect == dialectGraph {
		hdr.Set("request-id", reqID)
		if id := r.Header.Get("client-request-id"); id != "" && len(id) <= 128 {
			hdr.Set("client-request-id", id)
		}
	} else {
		hdr.Set("x-ms-request-id", reqID)
		corr := r.Header.Get("x-ms-correlation-request-id")
		if corr == "" || len(corr) > 128 {
			corr = reqID
		}
		hdr.Set("x-ms-correlation-request-id", corr)
		if id := r.Header.Get("x-ms-client-request-id"); id != "" && len(id) <= 128 {
			hdr.Set("x-ms-client-request-id", id)
		}
	}
	if err := h.serve(w, req); err != nil {
		h.writeError(w, req, err)
	}
}

// serve: authenticate, api-version, resolve the operation, subscription and
// tenant, authorize, operate. The order matters: a caller without a token
// learns nothing, and authorization runs before any existence check so a
// denied caller cannot probe for resources.
func (h *Handler) serve(w http.ResponseWriter, req *request) error {
	caller, err := h.authenticate(req)
	if err != nil {
		return err
	}
	req.caller = caller
	req.r = req.r.WithContext(scopevault.WithCaller(req.r.Context(), caller))

	if req.dialect == dialectARM {
		if req.apiVersion, err = apiVersion(req.r); err != nil {
			return err
		}
	}
	if req.route, err = parseRoute(req.r.Method, req.r.URL.Path); err != nil {
		return err
	}
	// The server's access log and metrics name it too (httpx.Note).
	httpx.SetOperation(req.ctx(), string(req.route.op))
	spec, ok := operations[req.route.op]
	if !ok {
		return scopevault.Errorf(scopevault.EINTERNAL, "", "arm: operation %q has no spec", req.route.op)
	}
	req.spec = spec
	if req.route.sub != "" {
		if req.sub, err = h.subscription(req); err != nil {
			return err
		}
	}
	if err := h.gate(req); err != nil {
		return err
	}
	return spec.run(h, w, req)
}

// subscription loads the route's subscription and checks that the caller's
// token comes from its tenant, as ARM does before authorizing.
func (h *Handler) subscription(req *request) (*scopevault.Subscription, error) {
	s, err := h.cfg.RM.Subscription(req.ctx(), req.route.sub)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(s.TenantID, req.caller.TenantID) {
		return nil, scopevault.Errorf(scopevault.EUNAUTHORIZED, "InvalidAuthenticationTokenTenant",
			"The access token is from the wrong issuer '%s'. It must match the tenant '%s' associated with this subscription. Please use the authority (URL) '%s/%s' to get the token.",
			req.caller.Issuer, identity.Issuer(s.TenantID), h.cfg.AuthorityHost, s.TenantID)
	}
	return s, nil
}
