package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/explain"
	"github.com/scopevault/scopevault/internal/httpx"
	"github.com/scopevault/scopevault/internal/netgate"
)

// Insight is explain and the network diagram on the control plane:
//
//	POST /scopevault/explain   {"workspace","scope","key","as"} or {"vault","secret","as","from"} -> explain.Report
//	GET  /scopevault/diagram?format=svg|mermaid|dot|json
//
// Both take an ARM bearer token (as `az` sends) and answer in ARM's error
// shape. A caller learns only of what it may read: explain needs read on
// the vault (direct) or the workspace (scope read), and the diagram shows
// only the resources the caller may read.

// registerInsight mounts explain and the network diagram on the control plane.
func (s *Server) registerInsight(mux controlMux) {
	trusted := netgate.DefaultTrusted()
	if g, ok := s.Access.Gate.(*netgate.Gate); ok && g.Trusted != nil {
		trusted = g.Trusted
	}
	ex := &explain.Explainer{Vaults: s.Engine, Authz: s.Authz, Workspaces: s.Workspaces, Directory: s.Identity,
		Network:        s.network,
		Trusted:        func(app string) bool { return trusted[strings.ToLower(app)] },
		ListWorkspaces: s.RM.ListAllWorkspaces}
	mux.Handle("POST /scopevault/explain", httpx.Handler{Serve: func(w http.ResponseWriter, r *http.Request) error {
		return s.serveExplain(w, r, ex)
	}, Render: s.renderInsightError})
	mux.Handle("GET /scopevault/diagram", httpx.Handler{Serve: func(w http.ResponseWriter, r *http.Request) error {
		return s.serveDiagram(w, r, ex)
	}, Render: s.renderInsightError})
}

// ExplainRequest is the body of POST /scopevault/explain: a scope read
// (Workspace, Scope, Key) or a direct read (Vault, Secret, From). As names
// the principal (default: the caller): for a scope read a workspace user's
// userName or a service principal's application id, for a direct read an
// object id, application id or user principal name.
type ExplainRequest struct {
	Workspace string `json:"workspace,omitempty"`
	Scope     string `json:"scope,omitempty"`
	Key       string `json:"key,omitempty"`
	Vault     string `json:"vault,omitempty"`
	Secret    string `json:"secret,omitempty"`
	As        string `json:"as,omitempty"`
	From      string `json:"from,omitempty"`
}

// insightAudiences are the audiences the insight endpoints accept: ARM's.
var insightAudiences = []string{"https://management.core.windows.net", "https://management.azure.com"}

func errInsightBad(format string, args ...any) error {
	return scopevault.Errorf(scopevault.EINVALID, "InvalidRequest", format, args...)
}

// authenticateInsight verifies the bearer token as the ARM wire does.
func (s *Server) authenticateInsight(r *http.Request) (*scopevault.Caller, error) {
	a := r.Header.Get("Authorization")
	if a == "" {
		return nil, scopevault.Errorf(scopevault.EUNAUTHORIZED, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
	}
	if len(a) < 7 || !strings.EqualFold(a[:7], "bearer ") || strings.TrimSpace(a[7:]) == "" {
		return nil, scopevault.Errorf(scopevault.EUNAUTHORIZED, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided in an invalid format.")
	}
	authn, err := s.Access.Authenticate(r.Context(), strings.TrimSpace(a[7:]))
	if err != nil {
		if scopevault.ErrorCodeOf(err) == scopevault.EUNAUTHORIZED {
			return nil, scopevault.Errorf(scopevault.EUNAUTHORIZED, "InvalidAuthenticationToken", "The access token is invalid.")
		}
		return nil, err
	}
	aud := strings.TrimSuffix(authn.Claims.Audience, "/")
	for _, ok := range insightAudiences {
		if strings.EqualFold(aud, ok) {
			return authn.Caller, nil
		}
	}
	return nil, scopevault.Errorf(scopevault.EUNAUTHORIZED, "InvalidAuthenticationTokenAudience",
		"The access token has been obtained for wrong audience or resource. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.azure.com/'.")
}

// readable says whether c may read the resource of type typ (a provider's
// resource type, "Microsoft.KeyVault/vaults") and id, as ARM decides it:
// the diagram and the hosts view show only what it admits.
func (s *Server) readable(c *scopevault.Caller) func(ctx context.Context, typ, id string) bool {
	return func(ctx context.Context, typ, id string) bool {
		d, err := s.Authz.AuthorizeManagement(ctx, c, typ+"/read", id)
		return err == nil && d.Allowed
	}
}

// mayRead checks action on scope for c, as ARM does, with ARM's 403.
func (s *Server) mayRead(ctx context.Context, c *scopevault.Caller, action, scope string) error {
	d, err := s.Authz.AuthorizeManagement(ctx, c, action, scope)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return scopevault.Errorf(scopevault.EFORBIDDEN, "AuthorizationFailed",
			"The client '%s' with object id '%s' does not have authorization to perform action '%s' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.",
			c.ObjectID, c.ObjectID, action, scope)
	}
	return nil
}

func (s *Server) serveExplain(w http.ResponseWriter, r *http.Request, ex *explain.Explainer) error {
	caller, err := s.authenticateInsight(r)
	if err != nil {
		return err
	}
	body, err := httpx.ReadBody(r, 64<<10)
	if err != nil {
		return errInsightBad("The request body is too large or unreadable.")
	}
	var q ExplainRequest
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		return errInsightBad("The request body is not a valid explain request: give workspace, scope and key, or vault, secret and from.")
	}
	ctx := r.Context()
	var rep *explain.Report
	switch {
	case q.Workspace != "" && q.Vault == "":
		if q.Scope == "" || q.Key == "" || q.From != "" || q.Secret != "" {
			return errInsightBad("A scope read needs workspace, scope and key (and no secret or from).")
		}
		ws, err := ex.FindWorkspace(ctx, q.Workspace)
		if err != nil {
			return err
		}
		if err := s.mayRead(ctx, caller, "Microsoft.Databricks/workspaces/read", ws.ResourceID()); err != nil {
			return err
		}
		wc, err := s.workspaceCallerFor(ctx, ws, caller, q.As)
		if err != nil {
			return err
		}
		if rep, err = ex.Scope(ctx, wc, q.Scope, q.Key); err != nil {
			return err
		}
	case q.Vault != "" && q.Workspace == "":
		if q.Secret == "" || q.Scope != "" || q.Key != "" {
			return errInsightBad("A direct read needs vault and secret (and no scope or key).")
		}
		from, err := explain.ParseFrom(q.From)
		if err != nil {
			return err
		}
		v, err := s.Engine.Vault(ctx, q.Vault)
		if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
			return scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound", "The Key Vault '%s' was not found.", clipInsight(q.Vault))
		}
		if err != nil {
			return err
		}
		if err := s.mayRead(ctx, caller, "Microsoft.KeyVault/vaults/read", v.ResourceID()); err != nil {
			return err
		}
		// The report says whether the secret exists and is enabled: what
		// ARM shows of a secret to those who may read its properties.
		if !strings.Contains(q.Secret, "/") {
			if err := s.mayRead(ctx, caller, "Microsoft.KeyVault/vaults/secrets/read", v.ResourceID()+"/secrets/"+q.Secret); err != nil {
				return err
			}
		}
		as := caller
		if q.As != "" {
			if as, err = ex.Caller(ctx, v.TenantID, q.As); err != nil {
				return err
			}
		}
		if rep, err = ex.Direct(ctx, as, v.Name, q.Secret, from); err != nil {
			return err
		}
	default:
		return errInsightBad("Explain either a scope read (workspace, scope, key) or a direct read (vault, secret, from).")
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
	return nil
}

// workspaceCallerFor is the workspace caller a scope read is explained as:
// the principal named as, else the caller's own workspace identity.
func (s *Server) workspaceCallerFor(ctx context.Context, ws *scopevault.Workspace, c *scopevault.Caller, as string) (*scopevault.WorkspaceCaller, error) {
	if as != "" {
		return s.Workspaces.CallerAs(ctx, ws, as)
	}
	wc, err := s.Workspaces.CallerForEntra(ctx, ws, c)
	if scopevault.ErrorCodeOf(err) == scopevault.EFORBIDDEN || scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return nil, errInsightBad("You are not a member of workspace %s: name the principal to explain the read as (as).", ws.Name)
	}
	return wc, err
}

func (s *Server) serveDiagram(w http.ResponseWriter, r *http.Request, ex *explain.Explainer) error {
	caller, err := s.authenticateInsight(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "svg"
	}
	ctx := r.Context()
	visible := s.readable(caller)
	var g *explain.Diagram
	switch format {
	case "svg", "mermaid", "dot", "json":
		if g, err = ex.Diagram(ctx, visible); err != nil {
			return err
		}
	default:
		return errInsightBad("The format '%s' is not supported: use svg, mermaid, dot or json.", clipInsight(format))
	}
	switch format {
	case "json":
		httpx.WriteJSON(w, http.StatusOK, g)
		return nil
	case "svg":
		w.Header().Set("Content-Type", "image/svg+xml")
		_, err = w.Write([]byte(g.SVG()))
	case "mermaid":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, err = w.Write([]byte(g.Mermaid()))
	case "dot":
		w.Header().Set("Content-Type", "text/vnd.graphviz; charset=utf-8")
		_, err = w.Write([]byte(g.DOT()))
	}
	// A client gone mid-answer is not a failure to render.
	_ = err
	return nil
}

// renderInsightError writes a failure in ARM's shape.
func (s *Server) renderInsightError(w http.ResponseWriter, r *http.Request, err error) {
	code, reason := scopevault.ErrorCodeOf(err), scopevault.ErrorReasonOf(err)
	status, name := http.StatusInternalServerError, "InternalServerError"
	switch code {
	case scopevault.EINVALID:
		status, name = http.StatusBadRequest, "BadRequest"
	case scopevault.ENOTFOUND:
		status, name = http.StatusNotFound, "NotFound"
	case scopevault.ECONFLICT:
		status, name = http.StatusConflict, "Conflict"
	case scopevault.EFORBIDDEN:
		status, name = http.StatusForbidden, "AuthorizationFailed"
	case scopevault.EUNAUTHORIZED:
		status, name = http.StatusUnauthorized, "AuthenticationFailed"
	}
	if reason != "" && code != scopevault.EINTERNAL && strings.ToUpper(reason) != reason {
		name = reason
	}
	msg := scopevault.ErrorMessageOf(err)
	if status >= 500 {
		msg = "An internal error occurred. Request id: " + scopevault.RequestIDFrom(r.Context())
		s.cfg.Logger.Error("insight: internal error", "request_id", scopevault.RequestIDFrom(r.Context()), "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="`+s.URL()+`", error="invalid_token"`)
	}
	type body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	httpx.WriteJSON(w, status, map[string]body{"error": {Code: name, Message: msg}})
}

// clipText bounds caller-supplied text echoed in messages.
func clipInsight(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
