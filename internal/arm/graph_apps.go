package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// Graph applications and /me, as the real az CLI (2.45, Microsoft Graph)
// calls them:
//
//   - az keyvault create (access policies): GET /v1.0/me for a user; for a
//     service principal, servicePrincipals?$filter=servicePrincipalNames/any(c:c eq '<appId>').
//   - az ad sp show --id: the same servicePrincipalNames filter, then GET
//     /servicePrincipals/{id}.
//   - az ad sp create-for-rbac: applications?$filter=startswith(displayName,'n')
//     (PATCH and GET of a match), else POST /applications; removePassword of
//     each existing secret, addPassword; POST /servicePrincipals {"appId"};
//     then the ARM role assignment.
//   - az ad app show/list/credential reset: applications?$filter=appId eq '...',
//     GET /applications/{id}, addPassword/removePassword.
//
// In scopevault an application and its service principal are one directory
// object: the application's id is the service principal's object id, and
// POST /applications registers both. POST /servicePrincipals {"appId"} for
// that app returns its service principal (201), which is what create-for-rbac
// needs; Graph itself would create the service principal there.

// applicationJSON is Graph's default property set of an application, as
// far as scopevault keeps one.
type applicationJSON struct {
	ODataContext           string                   `json:"@odata.context,omitempty"`
	ID                     string                   `json:"id"`
	AppID                  string                   `json:"appId"`
	CreatedDateTime        string                   `json:"createdDateTime"`
	DisplayName            string                   `json:"displayName"`
	IdentifierURIs         []string                 `json:"identifierUris"`
	KeyCredentials         []any                    `json:"keyCredentials"`
	PasswordCredentials    []passwordCredentialJSON `json:"passwordCredentials"`
	PublisherDomain        *string                  `json:"publisherDomain"`
	RequiredResourceAccess []any                    `json:"requiredResourceAccess"`
	SignInAudience         string                   `json:"signInAudience"`
	Tags                   []string                 `json:"tags"`
	AppRoles               []any                    `json:"appRoles"`
	Web                    struct {
		RedirectURIs []string `json:"redirectUris"`
	} `json:"web"`
	PublicClient struct {
		RedirectURIs []string `json:"redirectUris"`
	} `json:"publicClient"`
}

func renderApplication(p *scopevault.Principal) applicationJSON {
	sp := renderServicePrincipal(p)
	out := applicationJSON{
		ID: p.ObjectID, AppID: p.AppID, CreatedDateTime: graphTime(p.Created), DisplayName: p.DisplayName,
		IdentifierURIs: []string{}, KeyCredentials: []any{}, PasswordCredentials: sp.PasswordCredentials,
		RequiredResourceAccess: []any{}, SignInAudience: "AzureADMyOrg", Tags: []string{}, AppRoles: []any{},
	}
	out.Web.RedirectURIs, out.PublicClient.RedirectURIs = []string{}, []string{}
	return out
}

// isApplication: the principals that are applications registered in the
// tenant (not managed identities, not first-party apps).
func isApplication(p *scopevault.Principal) bool {
	return p.Kind == scopevault.KindServicePrincipal && !p.FirstParty
}

// application resolves {id}: the object id, the app id (az passes either
// where Graph wants the object id) or the (appId='...') key.
func (h *Handler) application(req *request) (*scopevault.Principal, error) {
	var p *scopevault.Principal
	var err error
	if !req.route.byAppID {
		p, err = h.cfg.Identity.GetPrincipal(req.ctx(), req.caller.TenantID, req.route.name)
	}
	if req.route.byAppID || scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		p, err = h.cfg.Identity.PrincipalByAppID(req.ctx(), req.caller.TenantID, req.route.name)
	}
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND || err == nil && !isApplication(p) {
		return nil, errGraphNotFound(req.route.name)
	}
	return p, err
}

// listApplications is GET /v1.0/applications with the $filter forms az
// sends: appId eq, displayName eq, startswith(displayName,'...') and
// identifierUris/any(s:s eq '...') (scopevault's applications have none).
func (h *Handler) listApplications(w http.ResponseWriter, req *request) error {
	match := func(*scopevault.Principal) bool { return true }
	if s := req.r.URL.Query().Get("$filter"); s != "" {
		terms, err := parseGraphFilter(s)
		if err != nil {
			return errGraphQuery()
		}
		for _, t := range terms {
			prev, t := match, t
			var f func(*scopevault.Principal) bool
			switch {
			case t.Name == "appid" && !t.Call && !t.Any:
				f = func(p *scopevault.Principal) bool { return strings.EqualFold(p.AppID, t.Value) }
			case t.Name == "displayname" && !t.Call && !t.Any:
				f = func(p *scopevault.Principal) bool { return p.DisplayName == t.Value }
			case t.Name == "startswith" && t.Call && t.Prop == "displayname" && t.HasV:
				f = func(p *scopevault.Principal) bool {
					return strings.HasPrefix(strings.ToLower(p.DisplayName), strings.ToLower(t.Value))
				}
			case t.Name == "identifieruris" && t.Any:
				f = func(*scopevault.Principal) bool { return false }
			default:
				return errGraphQuery()
			}
			match = func(p *scopevault.Principal) bool { return prev(p) && f(p) }
		}
	}
	all, err := h.cfg.Identity.ListPrincipals(req.ctx(), req.caller.TenantID)
	if err != nil {
		return err
	}
	out := graphListJSON[applicationJSON]{ODataContext: graphBase + "$metadata#applications", Value: []applicationJSON{}}
	for _, p := range all {
		if isApplication(p) && match(p) {
			out.Value = append(out.Value, renderApplication(p))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) getApplication(w http.ResponseWriter, req *request) error {
	p, err := h.application(req)
	if err != nil {
		return err
	}
	out := renderApplication(p)
	out.ODataContext = graphBase + "$metadata#applications/$entity"
	writeJSON(w, http.StatusOK, out)
	return nil
}

type createApplicationIn struct {
	DisplayName    *string  `json:"displayName"`
	AppID          *string  `json:"appId"`
	KeyCredentials []any    `json:"keyCredentials"`
	IdentifierURIs []string `json:"identifierUris"`
}

// createApplication is POST /v1.0/applications: the application and its
// service principal, with no client secret yet (addPassword gives one), as
// Graph's new application has none.
func (h *Handler) createApplication(w http.ResponseWriter, req *request) error {
	var in createApplicationIn
	if err := graphDecode(req.r, &in); err != nil {
		return err
	}
	if err := refuseAppProperties(in); err != nil {
		return err
	}
	if in.DisplayName == nil || strings.TrimSpace(*in.DisplayName) == "" {
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest", "The property 'displayName' is required.")
	}
	p, _, err := h.cfg.Identity.CreateServicePrincipal(req.ctx(), req.caller.TenantID, *in.DisplayName)
	if err != nil {
		return err
	}
	// The registration's first secret was never shown; drop it.
	for _, c := range p.Credentials {
		if err := h.cfg.Identity.RemoveClientSecret(req.ctx(), req.caller.TenantID, p.ObjectID, c.KeyID); err != nil {
			return err
		}
	}
	p.Credentials = nil
	out := renderApplication(p)
	out.ODataContext = graphBase + "$metadata#applications/$entity"
	w.Header().Set("Location", graphBase+"applications/"+p.ObjectID)
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// refuseAppProperties: what scopevault cannot keep it refuses rather than
// drops (a certificate credential, identifier URIs).
func refuseAppProperties(in createApplicationIn) error {
	switch {
	case in.AppID != nil:
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"Property 'appId' is read-only and cannot be set.")
	case len(in.KeyCredentials) > 0:
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"scopevault's applications have client secrets only: keyCredentials (certificates) are not supported; use addPassword.")
	case len(in.IdentifierURIs) > 0:
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"scopevault's applications have no identifier URIs: identifierUris is not supported.")
	}
	return nil
}

// patchApplication is PATCH /v1.0/applications/{id}: 204. create-for-rbac
// patches an existing application with its own display name; scopevault
// does not rename, so another name is refused.
func (h *Handler) patchApplication(w http.ResponseWriter, req *request) error {
	var in createApplicationIn
	if err := graphDecode(req.r, &in); err != nil {
		return err
	}
	if err := refuseAppProperties(in); err != nil {
		return err
	}
	p, err := h.application(req)
	if err != nil {
		return err
	}
	if in.DisplayName != nil && *in.DisplayName != p.DisplayName {
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"scopevault does not rename applications: displayName must stay '%s'.", clip(p.DisplayName))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// createServicePrincipalForApp answers POST /v1.0/servicePrincipals
// {"appId": "..."}: the application's service principal, which scopevault
// registered with the application.
func (h *Handler) createServicePrincipalForApp(w http.ResponseWriter, req *request, appID string) error {
	p, err := h.cfg.Identity.PrincipalByAppID(req.ctx(), req.caller.TenantID, appID)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND || err == nil && !isApplication(p) {
		// Graph's words, which az's create-for-rbac recognises.
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"The appId '%s' of the service principal does not reference a valid application object.", clip(appID))
	}
	if err != nil {
		return err
	}
	out := renderServicePrincipal(p)
	out.ODataContext = graphBase + "$metadata#servicePrincipals/$entity"
	w.Header().Set("Location", graphBase+"servicePrincipals/"+p.ObjectID)
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// getMe is GET /v1.0/me: the signed-in user. An application's token has no
// user, and Graph answers 400.
func (h *Handler) getMe(w http.ResponseWriter, req *request) error {
	if req.caller.Kind != scopevault.KindUser {
		return scopevault.Errorf(scopevault.EINVALID, "BadRequest", "/me request is only valid with delegated authentication flow.")
	}
	p, err := h.cfg.Identity.GetPrincipal(req.ctx(), req.caller.TenantID, req.caller.ObjectID)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return errGraphNotFound(req.caller.ObjectID)
	}
	if err != nil {
		return err
	}
	out := renderUser(p)
	out.ODataContext = graphBase + "$metadata#users/$entity"
	writeJSON(w, http.StatusOK, out)
	return nil
}
