package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Graph is the Microsoft Graph subset scopevault serves under /v1.0/.
type Graph struct {
	rest *rest
}

// NewGraph returns a Graph client; endpoint is scopevault's control plane
// ("https://localhost:8443"), which serves Graph beside ARM.
func NewGraph(endpoint string, cred TokenCredential, hc *http.Client) (*Graph, error) {
	r, err := newREST(endpoint, ScopeGraph, cred, hc)
	if err != nil {
		return nil, err
	}
	return &Graph{rest: r}, nil
}

// ServicePrincipal is a Graph servicePrincipal. Raw is the object as Graph
// returned it; for the one CreateServicePrincipal returns, that includes the
// new secret, so print Raw only from reads.
type ServicePrincipal struct {
	ID                   string               `json:"id"`
	AppID                string               `json:"appId"`
	DisplayName          string               `json:"displayName"`
	ServicePrincipalType string               `json:"servicePrincipalType"`
	PasswordCredentials  []PasswordCredential `json:"passwordCredentials"`
	rawObject
}

// UnmarshalJSON decodes a service principal and keeps its raw form.
func (sp *ServicePrincipal) UnmarshalJSON(b []byte) error {
	type plain ServicePrincipal
	if err := json.Unmarshal(b, (*plain)(sp)); err != nil {
		return err
	}
	sp.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// PasswordCredential is a client secret's metadata; SecretText is set only
// in the response that created it.
type PasswordCredential struct {
	KeyID         string  `json:"keyId"`
	DisplayName   string  `json:"displayName"`
	Hint          string  `json:"hint"`
	SecretText    *string `json:"secretText"`
	StartDateTime string  `json:"startDateTime"`
	EndDateTime   string  `json:"endDateTime"`
}

// DirectoryObject is any principal, with its @odata.type.
type DirectoryObject struct {
	ODataType         string `json:"@odata.type"`
	ID                string `json:"id"`
	DisplayName       string `json:"displayName"`
	AppID             string `json:"appId,omitempty"`
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
	// ServicePrincipalNames are a service principal's names (its app id first).
	ServicePrincipalNames []string `json:"servicePrincipalNames,omitempty"`
	rawObject
}

// UnmarshalJSON decodes a directory object and keeps its raw form.
func (o *DirectoryObject) UnmarshalJSON(b []byte) error {
	type plain DirectoryObject
	if err := json.Unmarshal(b, (*plain)(o)); err != nil {
		return err
	}
	o.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// PrincipalType is the ARM principalType of the object: User, Group or ServicePrincipal.
func (o DirectoryObject) PrincipalType() string {
	switch strings.ToLower(strings.TrimPrefix(o.ODataType, "#microsoft.graph.")) {
	case "user":
		return "User"
	case "group":
		return "Group"
	}
	return "ServicePrincipal"
}

// CreateServicePrincipal registers an application with its service
// principal and one client secret (scopevault's single-call form of Graph's
// application + servicePrincipal + addPassword). The secret is in
// PasswordCredentials[0].SecretText and is never returned again.
func (g *Graph) CreateServicePrincipal(ctx context.Context, displayName string) (ServicePrincipal, error) {
	var out ServicePrincipal
	_, err := g.rest.do(ctx, http.MethodPost, "/v1.0/servicePrincipals", nil, map[string]string{"displayName": displayName}, &out)
	return out, err
}

// ServicePrincipalsByAppID lists the service principals with app id appID (zero or one).
func (g *Graph) ServicePrincipalsByAppID(ctx context.Context, appID string) ([]ServicePrincipal, error) {
	return g.listSPs(ctx, "appId eq '"+strings.ReplaceAll(appID, "'", "''")+"'")
}

// ServicePrincipalsByName lists the service principals with display name name.
func (g *Graph) ServicePrincipalsByName(ctx context.Context, name string) ([]ServicePrincipal, error) {
	return g.listSPs(ctx, "displayName eq '"+strings.ReplaceAll(name, "'", "''")+"'")
}

func (g *Graph) listSPs(ctx context.Context, filter string) ([]ServicePrincipal, error) {
	return g.ServicePrincipals(ctx, filter)
}

// ServicePrincipals lists the service principals matching an OData $filter
// ("appId eq '...'", "displayName eq '...'"); "" lists them all.
func (g *Graph) ServicePrincipals(ctx context.Context, filter string) ([]ServicePrincipal, error) {
	var out struct {
		Value []ServicePrincipal `json:"value"`
	}
	_, err := g.rest.do(ctx, http.MethodGet, "/v1.0/servicePrincipals", filterQuery(filter), nil, &out)
	return out.Value, err
}

// ServicePrincipal gets a service principal by object id.
func (g *Graph) ServicePrincipal(ctx context.Context, objectID string) (ServicePrincipal, error) {
	var out ServicePrincipal
	_, err := g.rest.do(ctx, http.MethodGet, "/v1.0/servicePrincipals/"+esc(objectID), nil, nil, &out)
	return out, err
}

// filterQuery is the query of a list call: $filter when one is given.
func filterQuery(filter string) url.Values {
	if filter == "" {
		return nil
	}
	return url.Values{"$filter": {filter}}
}

// User gets a user by object id or user principal name.
func (g *Graph) User(ctx context.Context, idOrUPN string) (DirectoryObject, error) {
	var out DirectoryObject
	_, err := g.rest.do(ctx, http.MethodGet, "/v1.0/users/"+esc(idOrUPN), nil, nil, &out)
	out.ODataType = "#microsoft.graph.user"
	return out, err
}

// DirectoryObject gets any principal by object id.
func (g *Graph) DirectoryObject(ctx context.Context, id string) (DirectoryObject, error) {
	var out DirectoryObject
	_, err := g.rest.do(ctx, http.MethodGet, "/v1.0/directoryObjects/"+esc(id), nil, nil, &out)
	return out, err
}

// rawObject keeps a Graph object exactly as the service returned it, so a
// caller can show it as Graph sent it (az prints Graph's responses as they are).
type rawObject struct {
	Raw json.RawMessage `json:"-"`
}

// User is a Graph user.
type User struct {
	ID                string `json:"id"`
	DisplayName       string `json:"displayName"`
	UserPrincipalName string `json:"userPrincipalName"`
	MailNickname      string `json:"mailNickname,omitempty"`
	rawObject
}

// UnmarshalJSON decodes a user and keeps its raw form.
func (u *User) UnmarshalJSON(b []byte) error {
	type plain User
	if err := json.Unmarshal(b, (*plain)(u)); err != nil {
		return err
	}
	u.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// NewUser are the inputs of CreateUser.
type NewUser struct {
	AccountEnabled    bool            `json:"accountEnabled"`
	DisplayName       string          `json:"displayName"`
	UserPrincipalName string          `json:"userPrincipalName"`
	MailNickname      string          `json:"mailNickname"`
	PasswordProfile   PasswordProfile `json:"passwordProfile"`
	ImmutableID       string          `json:"immutableId,omitempty"`
}

// PasswordProfile is a new user's initial password.
type PasswordProfile struct {
	Password                      string `json:"password"`
	ForceChangePasswordNextSignIn bool   `json:"forceChangePasswordNextSignIn"`
}

// CreateUser creates a user (POST /v1.0/users).
func (g *Graph) CreateUser(ctx context.Context, u NewUser) (User, error) {
	var out User
	_, err := g.rest.do(ctx, http.MethodPost, "/v1.0/users", nil, u, &out)
	return out, err
}

// Group is a Graph group.
type Group struct {
	ID              string `json:"id"`
	DisplayName     string `json:"displayName"`
	MailNickname    string `json:"mailNickname"`
	SecurityEnabled bool   `json:"securityEnabled"`
	rawObject
}

// UnmarshalJSON decodes a group and keeps its raw form.
func (gr *Group) UnmarshalJSON(b []byte) error {
	type plain Group
	if err := json.Unmarshal(b, (*plain)(gr)); err != nil {
		return err
	}
	gr.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// NewGroup are the inputs of CreateGroup.
type NewGroup struct {
	DisplayName     string `json:"displayName"`
	MailNickname    string `json:"mailNickname"`
	MailEnabled     bool   `json:"mailEnabled"`
	SecurityEnabled bool   `json:"securityEnabled"`
	Description     string `json:"description,omitempty"`
}

// CreateGroup creates a group (POST /v1.0/groups).
func (g *Graph) CreateGroup(ctx context.Context, gr NewGroup) (Group, error) {
	var out Group
	_, err := g.rest.do(ctx, http.MethodPost, "/v1.0/groups", nil, gr, &out)
	return out, err
}

// Groups lists the groups matching an OData $filter ("displayName eq 'x'").
func (g *Graph) Groups(ctx context.Context, filter string) ([]Group, error) {
	var out struct {
		Value []Group `json:"value"`
	}
	_, err := g.rest.do(ctx, http.MethodGet, "/v1.0/groups", filterQuery(filter), nil, &out)
	return out.Value, err
}

// Group gets a group by object id.
func (g *Graph) Group(ctx context.Context, id string) (Group, error) {
	var out Group
	_, err := g.rest.do(ctx, http.MethodGet, "/v1.0/groups/"+esc(id), nil, nil, &out)
	return out, err
}

// GroupMembers lists a group's direct members, each with its @odata.type
// (GET /v1.0/groups/{id}/members).
func (g *Graph) GroupMembers(ctx context.Context, groupID string) ([]DirectoryObject, error) {
	var out struct {
		Value []DirectoryObject `json:"value"`
	}
	_, err := g.rest.do(ctx, http.MethodGet, "/v1.0/groups/"+esc(groupID)+"/members", nil, nil, &out)
	return out.Value, err
}

// ODataString quotes s as an OData string literal.
func ODataString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// AddGroupMember adds a directory object to a group (POST /v1.0/groups/{id}/members/$ref).
func (g *Graph) AddGroupMember(ctx context.Context, groupID, memberID string) error {
	body := map[string]string{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + memberID}
	_, err := g.rest.do(ctx, http.MethodPost, "/v1.0/groups/"+esc(groupID)+"/members/$ref", nil, body, nil)
	return err
}
