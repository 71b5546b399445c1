package arm

import (
	"context"
	"net/http"
	"regexp"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/rm"
)

// Microsoft.ManagedIdentity/userAssignedIdentities (api-version 2023-01-31),
// ARM's way to create a managed identity:
//
//	PUT|GET|DELETE /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}
//	GET /subscriptions/{sub}[/resourceGroups/{rg}]/providers/Microsoft.ManagedIdentity/userAssignedIdentities
//
// The body is Azure's: {id, name, type, location, tags, properties:{tenantId,
// principalId, clientId}}. In Azure the identity is used from inside a
// resource it is attached to; locally it is used through the App Service
// protocol, so the 201 that creates it also carries two scopevault headers,
// the only time the secret is shown:
//
//	x-scopevault-identity-header:   the IDENTITY_HEADER secret
//	x-scopevault-identity-endpoint: the IDENTITY_ENDPOINT URL (…/msi/token)
//
// DELETE removes the directory principal too: its identity header stops
// working at once.

const (
	nsManagedIdentity   = "Microsoft.ManagedIdentity"
	typeUserAssigned    = "userAssignedIdentities"
	userAssignedType    = nsManagedIdentity + "/" + typeUserAssigned
	headerIdentitySec   = "x-scopevault-identity-header"
	headerIdentityEndpt = "x-scopevault-identity-endpoint"
)

// identityNameRE is Azure's rule for user-assigned identity names.
var identityNameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$`)

func identityScope(sub, group, name string) string {
	return groupScope(sub, group) + "/" + segProviders + "/" + nsManagedIdentity + "/" + typeUserAssigned + "/" + name
}

// identitySubRoute handles /subscriptions/{sub}/providers/Microsoft.ManagedIdentity/{rest}.
func identitySubRoute(method, sub string, rest []string) (route, error) {
	if len(rest) == 1 && eq(rest[0], typeUserAssigned) {
		return methods(method, route{sub: sub, scope: subScope(sub)}, map[string]op{http.MethodGet: opListIdentitiesBySub})
	}
	return route{}, errResourceType(rest, nsManagedIdentity)
}

// identityGroupRoute handles .../resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/{rest}.
func identityGroupRoute(method string, rt route, rest []string) (route, error) {
	switch {
	case len(rest) == 1 && eq(rest[0], typeUserAssigned):
		return methods(method, rt, map[string]op{http.MethodGet: opListIdentitiesByGroup})
	case len(rest) == 2 && eq(rest[0], typeUserAssigned):
		rt.name, rt.scope = rest[1], identityScope(rt.sub, rt.group, rest[1])
		return methods(method, rt, map[string]op{http.MethodPut: opPutIdentity, http.MethodGet: opGetIdentity, http.MethodDelete: opDeleteIdentity})
	}
	return route{}, errResourceType(rest, nsManagedIdentity)
}

type identityJSON struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags"`
	Properties struct {
		TenantID    string `json:"tenantId"`
		PrincipalID string `json:"principalId"`
		ClientID    string `json:"clientId"`
	} `json:"properties"`
}

func renderIdentity(u *rm.UserAssignedIdentity) identityJSON {
	out := identityJSON{ID: u.ID(), Name: u.Name, Type: userAssignedType, Location: u.Location, Tags: u.Tags}
	if out.Tags == nil {
		out.Tags = map[string]string{}
	}
	out.Properties.TenantID, out.Properties.PrincipalID, out.Properties.ClientID = u.TenantID, u.PrincipalID, u.ClientID
	return out
}

type identityIn struct {
	Location *string           `json:"location"`
	Tags     map[string]string `json:"tags"`
}

// putIdentity creates (201, with the identity header) or updates the tags
// of (200) a user-assigned identity.
func (h *Handler) putIdentity(w http.ResponseWriter, req *request) error {
	var in identityIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	if !identityNameRE.MatchString(req.route.name) {
		return scopevault.Errorf(scopevault.EINVALID, "InvalidResourceName",
			"Resource name '%s' is invalid: it must be 3 to 128 letters, digits, '-' or '_', starting with a letter or digit.", clip(req.route.name))
	}
	if in.Location == nil || strings.TrimSpace(*in.Location) == "" {
		return scopevault.Errorf(scopevault.EINVALID, "LocationRequired", "The location property is required for this definition.")
	}
	loc, err := normalizeLocation(*in.Location)
	if err != nil {
		return err
	}
	if err := validateTags(in.Tags); err != nil {
		return err
	}
	g, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return err
	}
	old, err := h.cfg.RM.Identity(req.ctx(), req.sub.ID, g.Name, req.route.name)
	switch {
	case err == nil && old.Location != loc:
		return scopevault.Errorf(scopevault.ECONFLICT, "InvalidResourceLocation",
			"The resource '%s' already exists in location '%s' in resource group '%s'. A resource with the same name cannot be created in location '%s'. Please select a new resource name.",
			old.Name, old.Location, g.Name, loc)
	case err == nil:
		u, err := h.cfg.RM.UpdateIdentityTags(req.ctx(), req.sub.ID, g.Name, req.route.name, in.Tags)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, renderIdentity(u))
		return nil
	case scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND:
		return err
	}
	p, header, err := h.cfg.Identity.CreateManagedIdentity(req.ctx(), req.sub.TenantID, req.route.name)
	if err != nil {
		return err
	}
	u, err := h.cfg.RM.CreateIdentity(req.ctx(), rm.UserAssignedIdentity{
		SubscriptionID: req.sub.ID, ResourceGroup: g.Name, Name: req.route.name, Location: loc, Tags: in.Tags,
		TenantID: p.TenantID, PrincipalID: p.ObjectID, ClientID: p.AppID,
	})
	if err != nil {
		// A racing create won: this principal must not outlive the race.
		if derr := h.cfg.Identity.DeleteManagedIdentity(req.ctx(), p.TenantID, p.ObjectID); derr != nil {
			h.cfg.Logger.Error("arm: orphaned managed identity", "object_id", p.ObjectID, "err", derr)
		}
		return err
	}
	w.Header().Set(headerIdentitySec, header)
	w.Header().Set(headerIdentityEndpt, h.msiEndpoint())
	writeJSON(w, http.StatusCreated, renderIdentity(u))
	return nil
}

func (h *Handler) getIdentity(w http.ResponseWriter, req *request) error {
	if _, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group); err != nil {
		return err
	}
	u, err := h.cfg.RM.Identity(req.ctx(), req.sub.ID, req.route.group, req.route.name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderIdentity(u))
	return nil
}

// deleteIdentity answers 200 when it deleted, 204 when there was nothing.
func (h *Handler) deleteIdentity(w http.ResponseWriter, req *request) error {
	err := h.removeIdentity(req.ctx(), req.sub.ID, req.route.group, req.route.name)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// removeIdentity is the one way a user-assigned identity goes, alone or
// with its resource group: its directory principal first, so it can get no
// token from then on (and a retry after a failure finishes the job), then
// the record. ENOTFOUND: there is no such identity.
func (h *Handler) removeIdentity(ctx context.Context, sub, group, name string) error {
	u, err := h.cfg.RM.Identity(ctx, sub, group, name)
	if err != nil {
		return err
	}
	err = h.cfg.Identity.DeleteManagedIdentity(ctx, u.TenantID, u.PrincipalID)
	if err != nil && scopevault.ErrorCodeOf(err) != scopevault.ENOTFOUND {
		return err
	}
	_, err = h.cfg.RM.DeleteIdentity(ctx, sub, group, name)
	return err
}

// listIdentities serves the subscription and resource-group lists.
func (h *Handler) listIdentities(w http.ResponseWriter, req *request) error {
	all, err := h.cfg.RM.ListIdentities(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return err
	}
	seen, err := visible(h, req, req.route.scope, all, func(u *rm.UserAssignedIdentity) string { return u.ID() })
	if err != nil {
		return err
	}
	if req.route.group != "" {
		if _, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group); err != nil {
			return err
		}
	}
	out := listJSON[identityJSON]{Value: []identityJSON{}}
	for _, u := range seen {
		out.Value = append(out.Value, renderIdentity(u))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
