package arm

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
)

// Microsoft Graph's directory calls, enough for `az ad`, `az role assignment
// create --assignee` and tests that build a directory: service principals
// (this file), users (graph_users.go), groups and membership
// (graph_groups.go), client secrets (graph_credentials.go) and
// scopevault's managed identities (graph_msi.go). Reads are open to every
// caller of the tenant, as Entra's default member permissions are; writes
// need DirectoryAdmin.
//
// One scopevault extension here: POST /v1.0/servicePrincipals with only a
// displayName registers the application and its service principal together
// and returns the one client secret in passwordCredentials[0].secretText,
// the only time it is ever shown (Graph proper needs POST /applications,
// POST /servicePrincipals and addPassword). The application and its service
// principal are one object: /applications/{id} accepts the app id or the
// service principal's object id.

const graphBase = "https://graph.microsoft.com/v1.0/"

type passwordCredentialJSON struct {
	CustomKeyIdentifier *string `json:"customKeyIdentifier"`
	DisplayName         string  `json:"displayName"`
	EndDateTime         string  `json:"endDateTime"`
	Hint                string  `json:"hint"`
	KeyID               string  `json:"keyId"`
	SecretText          *string `json:"secretText"`
	StartDateTime       string  `json:"startDateTime"`
}

type servicePrincipalJSON struct {
	ODataContext           string                   `json:"@odata.context,omitempty"`
	ODataType              string                   `json:"@odata.type,omitempty"`
	ID                     string                   `json:"id"`
	AccountEnabled         bool                     `json:"accountEnabled"`
	AppID                  string                   `json:"appId"`
	AppDisplayName         string                   `json:"appDisplayName"`
	AppOwnerOrganizationID string                   `json:"appOwnerOrganizationId"`
	DisplayName            string                   `json:"displayName"`
	ServicePrincipalNames  []string                 `json:"servicePrincipalNames"`
	ServicePrincipalType   string                   `json:"servicePrincipalType"`
	PasswordCredentials    []passwordCredentialJSON `json:"passwordCredentials"`
}

type graphListJSON[T any] struct {
	ODataContext string `json:"@odata.context"`
	Value        []T    `json:"value"`
}

func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func renderServicePrincipal(p *scopevault.Principal) servicePrincipalJSON {
	typ := "Application"
	if p.Kind == scopevault.KindManagedIdentity {
		typ = "ManagedIdentity"
	}
	out := servicePrincipalJSON{
		ID: p.ObjectID, AccountEnabled: true, AppID: p.AppID, AppDisplayName: p.DisplayName,
		AppOwnerOrganizationID: p.TenantID, DisplayName: p.DisplayName,
		ServicePrincipalNames: []string{p.AppID}, ServicePrincipalType: typ,
		PasswordCredentials: []passwordCredentialJSON{},
	}
	if p.Kind == scopevault.KindServicePrincipal {
		for _, c := range p.Credentials {
			out.PasswordCredentials = append(out.PasswordCredentials, passwordCredentialJSON{
				DisplayName: c.DisplayName, Hint: c.Hint, KeyID: c.KeyID,
				StartDateTime: graphTime(c.Start), EndDateTime: graphTime(c.End),
			})
		}
	}
	return out
}

func isServicePrincipal(p *scopevault.Principal) bool {
	return p.Kind == scopevault.KindServicePrincipal || p.Kind == scopevault.KindManagedIdentity
}

func errGraphNotFound(id string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "Request_ResourceNotFound",
		"Resource '%s' does not exist or one of its queried reference-property objects are not present.", clip(id))
}

type createSPIn struct {
	DisplayName *string `json:"displayName"`
	AppID       *string `json:"appId"`
}

func (h *Handler) createServicePrincipal(w http.ResponseWriter, req *request) error {
	var in createSPIn
	if err := graphDecode(req.r, &in); err != nil {
		return err
	}
	if in.AppID != nil && in.DisplayName == nil {
		return h.createServicePrincipalForApp(w, req, *in.AppID) // graph_apps.go
	}
	if in.AppID != nil {
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"scopevault registers the application with its service principal: send only displayName, not appId.")
	}
	if in.DisplayName == nil || strings.TrimSpace(*in.DisplayName) == "" {
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest", "The property 'displayName' is required.")
	}
	p, secret, err := h.cfg.Identity.CreateServicePrincipal(req.ctx(), req.caller.TenantID, *in.DisplayName)
	if err != nil {
		return err
	}
	out := renderServicePrincipal(p)
	out.ODataContext = graphBase + "$metadata#servicePrincipals/$entity"
	if len(out.PasswordCredentials) > 0 {
		out.PasswordCredentials[0].SecretText = &secret
	}
	w.Header().Set("Location", graphBase+"servicePrincipals/"+p.ObjectID)
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// listServicePrincipals supports $filter=appId eq '...' and displayName eq '...'.
func (h *Handler) listServicePrincipals(w http.ResponseWriter, req *request) error {
	var appID, name string
	if s := req.r.URL.Query().Get("$filter"); s != "" {
		terms, err := parseGraphFilter(s)
		if err != nil {
			return errGraphQuery()
		}
		for _, t := range terms {
			switch {
			// az's servicePrincipalNames/any(c:c eq '<appId>'): a service
			// principal's only name here is its app id.
			case t.Name == "appid" && !t.Call && !t.Any, t.Name == "serviceprincipalnames" && t.Any:
				appID = t.Value
			case t.Name == "displayname" && !t.Call && !t.Any:
				name = t.Value
			default:
				return errGraphQuery()
			}
		}
	}
	all, err := h.cfg.Identity.ListPrincipals(req.ctx(), req.caller.TenantID)
	if err != nil {
		return err
	}
	out := graphListJSON[servicePrincipalJSON]{ODataContext: graphBase + "$metadata#servicePrincipals", Value: []servicePrincipalJSON{}}
	for _, p := range all {
		if !isServicePrincipal(p) || appID != "" && !strings.EqualFold(p.AppID, appID) || name != "" && p.DisplayName != name {
			continue
		}
		out.Value = append(out.Value, renderServicePrincipal(p))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func errGraphQuery() error {
	return scopevault.Errorf(scopevault.EINVALID, "Request_UnsupportedQuery", "Unsupported query.")
}

func (h *Handler) getServicePrincipal(w http.ResponseWriter, req *request) error {
	var p *scopevault.Principal
	var err error
	if req.route.byAppID {
		p, err = h.cfg.Identity.PrincipalByAppID(req.ctx(), req.caller.TenantID, req.route.name)
	} else {
		p, err = h.cfg.Identity.GetPrincipal(req.ctx(), req.caller.TenantID, req.route.name)
	}
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND || err == nil && !isServicePrincipal(p) {
		return errGraphNotFound(req.route.name)
	}
	if err != nil {
		return err
	}
	out := renderServicePrincipal(p)
	out.ODataContext = graphBase + "$metadata#servicePrincipals/$entity"
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getDirectoryObject returns any principal with its @odata.type, which is
// how clients learn a principal's kind from its object id.
func (h *Handler) getDirectoryObject(w http.ResponseWriter, req *request) error {
	p, err := h.cfg.Identity.GetPrincipal(req.ctx(), req.caller.TenantID, req.route.name)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return errGraphNotFound(req.route.name)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderDirectoryObject(p, graphBase+"$metadata#directoryObjects/$entity"))
	return nil
}

// renderDirectoryObject renders any principal with its @odata.type, the
// shape of directoryObjects reads and of group member lists.
func renderDirectoryObject(p *scopevault.Principal, ctxURL string) any {
	switch p.Kind {
	case scopevault.KindUser:
		out := renderUser(p)
		out.ODataContext, out.ODataType = ctxURL, "#microsoft.graph.user"
		return out
	case scopevault.KindGroup:
		out := renderGraphGroup(p)
		out.ODataContext, out.ODataType = ctxURL, "#microsoft.graph.group"
		return out
	}
	out := renderServicePrincipal(p)
	out.ODataContext, out.ODataType = ctxURL, "#microsoft.graph.servicePrincipal"
	return out
}

// graphDecode is decode with Graph's error code: Graph answers any
// malformed body with Request_BadRequest.
func graphDecode(r *http.Request, v any) error {
	if err := decode(r, v); err != nil {
		return scopevault.Errorf(scopevault.ErrorCodeOf(err), "Request_BadRequest", "%s", scopevault.ErrorMessageOf(err))
	}
	return nil
}

// graphFilter parses a Graph $filter of "name eq 'value'" clauses joined by
// "and", keeping the names in allowed; anything else is Graph's
// Request_UnsupportedQuery.
func graphFilter(req *request, allowed ...string) (map[string]string, error) {
	out := map[string]string{}
	s := req.r.URL.Query().Get("$filter")
	if s == "" {
		return out, nil
	}
	terms, err := parseFilter(s)
	if err != nil {
		return nil, errGraphQuery()
	}
	for _, t := range terms {
		if t.Call || !slices.Contains(allowed, t.Name) {
			return nil, errGraphQuery()
		}
		out[t.Name] = t.Value
	}
	return out, nil
}
