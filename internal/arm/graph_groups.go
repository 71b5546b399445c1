package arm

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
)

// Graph groups: POST/GET /v1.0/groups, GET /v1.0/groups/{id}, and
// membership through references: POST /v1.0/groups/{id}/members/$ref with
// {"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/{id}"},
// DELETE /v1.0/groups/{id}/members/{memberId}/$ref, GET
// /v1.0/groups/{id}/members. Only security groups exist in scopevault;
// membership counts for RBAC and access policies, nested groups included.

type graphGroupJSON struct {
	ODataContext    string   `json:"@odata.context,omitempty"`
	ODataType       string   `json:"@odata.type,omitempty"`
	ID              string   `json:"id"`
	Description     *string  `json:"description"`
	DisplayName     string   `json:"displayName"`
	GroupTypes      []string `json:"groupTypes"`
	Mail            *string  `json:"mail"`
	MailEnabled     bool     `json:"mailEnabled"`
	MailNickname    *string  `json:"mailNickname"`
	SecurityEnabled bool     `json:"securityEnabled"`
}

func renderGraphGroup(p *scopevault.Principal) graphGroupJSON {
	out := graphGroupJSON{ID: p.ObjectID, DisplayName: p.DisplayName, GroupTypes: []string{}, SecurityEnabled: true}
	if p.MailNickname != "" {
		nick := p.MailNickname
		out.MailNickname = &nick
	}
	return out
}

type createGroupIn struct {
	DisplayName     *string  `json:"displayName"`
	Description     *string  `json:"description"`
	MailEnabled     *bool    `json:"mailEnabled"`
	MailNickname    *string  `json:"mailNickname"`
	SecurityEnabled *bool    `json:"securityEnabled"`
	GroupTypes      []string `json:"groupTypes"`
}

// createGroup is POST /v1.0/groups. Microsoft 365 (mail-enabled, "Unified")
// groups are refused: they are not security principals RBAC could use.
func (h *Handler) createGroup(w http.ResponseWriter, req *request) error {
	var in createGroupIn
	if err := graphDecode(req.r, &in); err != nil {
		return err
	}
	switch {
	case in.DisplayName == nil || strings.TrimSpace(*in.DisplayName) == "":
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"Invalid value specified for property 'displayName' of resource 'Group'.")
	case isTrue(in.MailEnabled) || len(in.GroupTypes) > 0 || in.SecurityEnabled != nil && !*in.SecurityEnabled:
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"scopevault models security groups only: set securityEnabled true, mailEnabled false and no groupTypes.")
	case in.MailNickname != nil && identity.CheckMailNickname(*in.MailNickname) != nil:
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"Invalid value specified for property 'mailNickname' of resource 'Group'.")
	}
	p, err := h.cfg.Identity.CreateGroup(req.ctx(), req.caller.TenantID, *in.DisplayName)
	if err != nil {
		return err
	}
	if in.MailNickname != nil {
		if err := h.cfg.Identity.SetMailNickname(req.ctx(), p.TenantID, p.ObjectID, *in.MailNickname); err != nil {
			return err
		}
		p.MailNickname = *in.MailNickname
	}
	out := renderGraphGroup(p)
	out.ODataContext = graphBase + "$metadata#groups/$entity"
	w.Header().Set("Location", graphBase+"groups/"+p.ObjectID)
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// listGraphGroups supports $filter=displayName eq '...'.
func (h *Handler) listGraphGroups(w http.ResponseWriter, req *request) error {
	f, err := graphFilter(req, "displayname")
	if err != nil {
		return err
	}
	all, err := h.cfg.Identity.ListPrincipals(req.ctx(), req.caller.TenantID)
	if err != nil {
		return err
	}
	out := graphListJSON[graphGroupJSON]{ODataContext: graphBase + "$metadata#groups", Value: []graphGroupJSON{}}
	for _, p := range all {
		if p.Kind == scopevault.KindGroup && matches(f, "displayname", p.DisplayName, false) {
			out.Value = append(out.Value, renderGraphGroup(p))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// graphObject loads a directory object of the caller's tenant; one of
// another kind than want ("" for any) is as absent as a missing one.
func (h *Handler) graphObject(req *request, id string, want scopevault.PrincipalKind) (*scopevault.Principal, error) {
	p, err := h.cfg.Identity.GetPrincipal(req.ctx(), req.caller.TenantID, id)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND || err == nil && want != "" && p.Kind != want {
		return nil, errGraphNotFound(id)
	}
	return p, err
}

func (h *Handler) getGraphGroup(w http.ResponseWriter, req *request) error {
	g, err := h.graphObject(req, req.route.name, scopevault.KindGroup)
	if err != nil {
		return err
	}
	out := renderGraphGroup(g)
	out.ODataContext = graphBase + "$metadata#groups/$entity"
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listMembers returns the group's direct members, each with its @odata.type.
func (h *Handler) listMembers(w http.ResponseWriter, req *request) error {
	g, err := h.graphObject(req, req.route.name, scopevault.KindGroup)
	if err != nil {
		return err
	}
	out := graphListJSON[any]{ODataContext: graphBase + "$metadata#directoryObjects", Value: []any{}}
	for _, id := range g.Members {
		m, err := h.graphObject(req, id, "")
		if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		out.Value = append(out.Value, renderDirectoryObject(m, ""))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type memberRefIn struct {
	ODataID *string `json:"@odata.id"`
}

// memberSets are the entity sets an @odata.id may name a member through.
var memberSets = []string{"directoryObjects", "users", "groups", "servicePrincipals"}

// parseMemberRef reads the object id out of an @odata.id such as
// https://graph.microsoft.com/v1.0/directoryObjects/{id}. The host is not
// checked: clients pointed at scopevault may write its own.
func parseMemberRef(ref string) (string, error) {
	var segs []string
	if u, err := url.Parse(ref); err == nil {
		segs = segments(u.Path)
	}
	if len(segs) < 2 || !slices.ContainsFunc(memberSets, func(s string) bool { return eq(s, segs[len(segs)-2]) }) ||
		!scopevault.ValidGUID(segs[len(segs)-1]) {
		return "", scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"Invalid OData reference '%s': expected https://graph.microsoft.com/v1.0/directoryObjects/{id}.", clip(ref))
	}
	return strings.ToLower(segs[len(segs)-1]), nil
}

// addMember is POST /v1.0/groups/{id}/members/$ref: 204, or 400 when the
// object already is a direct member, as Graph answers.
func (h *Handler) addMember(w http.ResponseWriter, req *request) error {
	var in memberRefIn
	if err := graphDecode(req.r, &in); err != nil {
		return err
	}
	if in.ODataID == nil {
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest", "The property '@odata.id' is required.")
	}
	memberID, err := parseMemberRef(*in.ODataID)
	if err != nil {
		return err
	}
	g, err := h.graphObject(req, req.route.name, scopevault.KindGroup)
	if err != nil {
		return err
	}
	if _, err := h.graphObject(req, memberID, ""); err != nil {
		return err
	}
	if slices.Contains(g.Members, memberID) {
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"One or more added object references already exist for the following modified properties: 'members'.")
	}
	if err := h.cfg.Identity.AddMember(req.ctx(), req.caller.TenantID, g.ObjectID, memberID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// removeMember is DELETE /v1.0/groups/{id}/members/{memberId}/$ref.
func (h *Handler) removeMember(w http.ResponseWriter, req *request) error {
	g, err := h.graphObject(req, req.route.name, scopevault.KindGroup)
	if err != nil {
		return err
	}
	err = h.cfg.Identity.RemoveMember(req.ctx(), req.caller.TenantID, g.ObjectID, req.route.member)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return errGraphNotFound(req.route.member)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
