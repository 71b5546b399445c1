package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/identity"
)

// Graph users: POST /v1.0/users, GET /v1.0/users[?$filter=], GET
// /v1.0/users/{id|userPrincipalName}. A user created here signs in with the
// resource owner password grant at the token endpoint.

// userJSON is Graph's default property set of a user, what POST and GET
// return without $select.
type userJSON struct {
	ODataContext      string   `json:"@odata.context,omitempty"`
	ODataType         string   `json:"@odata.type,omitempty"`
	ID                string   `json:"id"`
	BusinessPhones    []string `json:"businessPhones"`
	DisplayName       string   `json:"displayName"`
	GivenName         *string  `json:"givenName"`
	JobTitle          *string  `json:"jobTitle"`
	Mail              *string  `json:"mail"`
	MobilePhone       *string  `json:"mobilePhone"`
	OfficeLocation    *string  `json:"officeLocation"`
	PreferredLanguage *string  `json:"preferredLanguage"`
	Surname           *string  `json:"surname"`
	UserPrincipalName string   `json:"userPrincipalName"`
}

func renderUser(p *scopevault.Principal) userJSON {
	return userJSON{ID: p.ObjectID, BusinessPhones: []string{}, DisplayName: p.DisplayName, UserPrincipalName: p.UserPrincipalName}
}

type createUserIn struct {
	AccountEnabled    *bool   `json:"accountEnabled"`
	DisplayName       *string `json:"displayName"`
	MailNickname      *string `json:"mailNickname"`
	UserPrincipalName *string `json:"userPrincipalName"`
	PasswordProfile   *struct {
		Password                             *string `json:"password"`
		ForceChangePasswordNextSignIn        *bool   `json:"forceChangePasswordNextSignIn"`
		ForceChangePasswordNextSignInWithMfa *bool   `json:"forceChangePasswordNextSignInWithMfa"`
	} `json:"passwordProfile"`
}

func errUserProperty(name string) error {
	return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
		"Invalid value specified for property '%s' of resource 'User'.", name)
}

// createUser is POST /v1.0/users. Graph requires accountEnabled and
// mailNickname too; scopevault accepts their absence. mailNickname is kept
// but, as in Graph, not part of the default properties returned. What it cannot model
// it refuses rather than ignores: a disabled account, or a password that
// must be changed at next sign-in (Entra would refuse that user a token).
func (h *Handler) createUser(w http.ResponseWriter, req *request) error {
	var in createUserIn
	if err := graphDecode(req.r, &in); err != nil {
		return err
	}
	switch {
	case in.DisplayName == nil || strings.TrimSpace(*in.DisplayName) == "":
		return errUserProperty("displayName")
	case in.UserPrincipalName == nil || strings.TrimSpace(*in.UserPrincipalName) == "":
		return errUserProperty("userPrincipalName")
	case in.PasswordProfile == nil || in.PasswordProfile.Password == nil || *in.PasswordProfile.Password == "":
		return errUserProperty("passwordProfile")
	case in.AccountEnabled != nil && !*in.AccountEnabled:
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"scopevault does not model disabled accounts: accountEnabled must be true.")
	case isTrue(in.PasswordProfile.ForceChangePasswordNextSignIn) || isTrue(in.PasswordProfile.ForceChangePasswordNextSignInWithMfa):
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"scopevault does not model password changes at sign-in: set passwordProfile.forceChangePasswordNextSignIn to false.")
	case in.MailNickname != nil && identity.CheckMailNickname(*in.MailNickname) != nil:
		return errUserProperty("mailNickname")
	}
	p, err := h.cfg.Identity.CreateUser(req.ctx(), req.caller.TenantID, *in.UserPrincipalName, *in.DisplayName, *in.PasswordProfile.Password)
	if scopevault.ErrorCodeOf(err) == scopevault.ECONFLICT {
		return scopevault.Errorf(scopevault.EINVALID, "Request_BadRequest",
			"Another object with the same value for property userPrincipalName already exists.")
	}
	if err != nil {
		return err
	}
	if in.MailNickname != nil {
		if err := h.cfg.Identity.SetMailNickname(req.ctx(), p.TenantID, p.ObjectID, *in.MailNickname); err != nil {
			return err
		}
	}
	out := renderUser(p)
	out.ODataContext = graphBase + "$metadata#users/$entity"
	w.Header().Set("Location", graphBase+"users/"+p.ObjectID)
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func isTrue(b *bool) bool { return b != nil && *b }

// listUsers supports $filter=userPrincipalName eq '...' and displayName eq '...'.
func (h *Handler) listUsers(w http.ResponseWriter, req *request) error {
	f, err := graphFilter(req, "userprincipalname", "displayname")
	if err != nil {
		return err
	}
	all, err := h.cfg.Identity.ListPrincipals(req.ctx(), req.caller.TenantID)
	if err != nil {
		return err
	}
	out := graphListJSON[userJSON]{ODataContext: graphBase + "$metadata#users", Value: []userJSON{}}
	for _, p := range all {
		if p.Kind != scopevault.KindUser || !matches(f, "userprincipalname", p.UserPrincipalName, true) || !matches(f, "displayname", p.DisplayName, false) {
			continue
		}
		out.Value = append(out.Value, renderUser(p))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// matches reports whether a filter term, if present, equals v (UPNs and ids
// compare case-insensitively in Graph, display names exactly).
func matches(f map[string]string, name, v string, fold bool) bool {
	want, ok := f[name]
	switch {
	case !ok:
		return true
	case fold:
		return strings.EqualFold(want, v)
	}
	return want == v
}

// getUser addresses a user by object id or user principal name.
func (h *Handler) getUser(w http.ResponseWriter, req *request) error {
	var p *scopevault.Principal
	var err error
	if strings.Contains(req.route.name, "@") {
		p, err = h.cfg.Identity.PrincipalByUPN(req.ctx(), req.caller.TenantID, req.route.name)
	} else {
		p, err = h.cfg.Identity.GetPrincipal(req.ctx(), req.caller.TenantID, req.route.name)
	}
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND || err == nil && p.Kind != scopevault.KindUser {
		return errGraphNotFound(req.route.name)
	}
	if err != nil {
		return err
	}
	out := renderUser(p)
	out.ODataContext = graphBase + "$metadata#users/$entity"
	writeJSON(w, http.StatusOK, out)
	return nil
}
