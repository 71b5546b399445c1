package client

import (
	"context"
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

// ServicePrincipal is a Graph servicePrincipal.
type ServicePrincipal struct {
	ID                   string               `json:"id"`
	AppID                string               `json:"appId"`
	DisplayName          string               `json:"displayName"`
	ServicePrincipalType string               `json:"servicePrincipalType"`
	PasswordCredentials  []PasswordCredential `json:"passwordCredentials"`
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
	var out struct {
		Value []ServicePrincipal `json:"value"`
	}
	_, err := g.rest.do(ctx, http.MethodGet, "/v1.0/servicePrincipals", url.Values{"$filter": {filter}}, nil, &out)
	return out.Value, err
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
