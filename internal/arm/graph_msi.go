package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

// scopevault's managed identities, a Graph-flavoured entity set of its own
// (Graph cannot create a managed identity; in Azure, ARM's
// Microsoft.ManagedIdentity/userAssignedIdentities does, see identities.go):
//
//	POST /v1.0/scopevault/managedIdentities {"displayName":"app-mi"}
//	  201 {"id","displayName","tenantId","clientId","principalId","identityHeader","identityEndpoint"}
//	GET  /v1.0/scopevault/managedIdentities[?$filter=displayName eq '...']
//	GET  /v1.0/scopevault/managedIdentities/{principalId}
//
// identityHeader is the X-IDENTITY-HEADER secret of the App Service managed
// identity protocol and appears in the create response only. Export it as
// IDENTITY_HEADER and identityEndpoint as IDENTITY_ENDPOINT, and
// azidentity's ManagedIdentityCredential gets tokens as this identity. The
// identity is also a servicePrincipal (servicePrincipalType
// "ManagedIdentity"): principalId is what role assignments name.

type managedIdentityJSON struct {
	ODataContext     string  `json:"@odata.context,omitempty"`
	ID               string  `json:"id"`
	DisplayName      string  `json:"displayName"`
	TenantID         string  `json:"tenantId"`
	ClientID         string  `json:"clientId"`
	PrincipalID      string  `json:"principalId"`
	IdentityHeader   *string `json:"identityHeader,omitempty"`
	IdentityEndpoint string  `json:"identityEndpoint"`
}

const msiContext = graphBase + "$metadata#scopevault.managedIdentities"

func (h *Handler) renderManagedIdentity(p *scopevault.Principal) managedIdentityJSON {
	return managedIdentityJSON{ID: p.ObjectID, DisplayName: p.DisplayName, TenantID: p.TenantID,
		ClientID: p.AppID, PrincipalID: p.ObjectID, IdentityEndpoint: h.msiEndpoint()}
}

// msiEndpoint is the App Service-style token endpoint, served beside the
// identity service on the control plane.
func (h *Handler) msiEndpoint() string { return h.cfg.AuthorityHost + "/msi/token" }

type createMIIn struct {
	DisplayName *string `json:"displayName"`
}

func (h *Handler) createManagedIdentity(w http.ResponseWriter, req *request) error {
	var in createMIIn
	if err := graphDecode(req.r, &in); err != nil {
		return err
	}
	if in.DisplayName == nil || strings.TrimSpace(*in.DisplayName) == "" {
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest", "The property 'displayName' is required.")
	}
	p, header, err := h.cfg.Identity.CreateManagedIdentity(req.ctx(), req.caller.TenantID, *in.DisplayName)
	if err != nil {
		return err
	}
	out := h.renderManagedIdentity(p)
	out.ODataContext, out.IdentityHeader = msiContext+"/$entity", &header
	w.Header().Set("Location", graphBase+"scopevault/managedIdentities/"+p.ObjectID)
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (h *Handler) listManagedIdentities(w http.ResponseWriter, req *request) error {
	f, err := graphFilter(req, "displayname")
	if err != nil {
		return err
	}
	all, err := h.cfg.Identity.ListPrincipals(req.ctx(), req.caller.TenantID)
	if err != nil {
		return err
	}
	out := graphListJSON[managedIdentityJSON]{ODataContext: msiContext, Value: []managedIdentityJSON{}}
	for _, p := range all {
		if p.Kind == scopevault.KindManagedIdentity && matches(f, "displayname", p.DisplayName, false) {
			out.Value = append(out.Value, h.renderManagedIdentity(p))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) getManagedIdentity(w http.ResponseWriter, req *request) error {
	p, err := h.graphObject(req, req.route.name, scopevault.KindManagedIdentity)
	if err != nil {
		return err
	}
	out := h.renderManagedIdentity(p)
	out.ODataContext = msiContext + "/$entity"
	writeJSON(w, http.StatusOK, out)
	return nil
}
