package client

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/scopevault/scopevault"
)

// RoleAssignment is a Microsoft.Authorization/roleAssignments resource.
type RoleAssignment struct {
	ID         string                   `json:"id,omitempty"`
	Name       string                   `json:"name,omitempty"`
	Type       string                   `json:"type,omitempty"`
	Properties RoleAssignmentProperties `json:"properties"`
}

// RoleAssignmentProperties are an assignment's properties.
type RoleAssignmentProperties struct {
	RoleDefinitionID string  `json:"roleDefinitionId"`
	PrincipalID      string  `json:"principalId"`
	PrincipalType    string  `json:"principalType,omitempty"`
	Scope            string  `json:"scope,omitempty"`
	Description      *string `json:"description,omitempty"`
	Condition        *string `json:"condition,omitempty"`
	ConditionVersion *string `json:"conditionVersion,omitempty"`
	CreatedOn        string  `json:"createdOn,omitempty"`
	UpdatedOn        string  `json:"updatedOn,omitempty"`
	CreatedBy        *string `json:"createdBy,omitempty"`
	UpdatedBy        *string `json:"updatedBy,omitempty"`
}

// RoleDefinition is a Microsoft.Authorization/roleDefinitions resource.
type RoleDefinition struct {
	ID         string                   `json:"id"`
	Name       string                   `json:"name"`
	Type       string                   `json:"type"`
	Properties RoleDefinitionProperties `json:"properties"`
}

// RoleDefinitionProperties are a role's name, kind and permissions.
type RoleDefinitionProperties struct {
	RoleName string `json:"roleName"`
	// Type is "BuiltInRole" or "CustomRole".
	Type             string           `json:"type"`
	Description      string           `json:"description"`
	AssignableScopes []string         `json:"assignableScopes"`
	Permissions      []RolePermission `json:"permissions"`
	CreatedOn        string           `json:"createdOn,omitempty"`
	UpdatedOn        string           `json:"updatedOn,omitempty"`
	CreatedBy        *string          `json:"createdBy,omitempty"`
	UpdatedBy        *string          `json:"updatedBy,omitempty"`
}

// RolePermission is one block of a role's actions and data actions.
type RolePermission struct {
	Actions          []string `json:"actions"`
	NotActions       []string `json:"notActions"`
	DataActions      []string `json:"dataActions"`
	NotDataActions   []string `json:"notDataActions"`
	Condition        *string  `json:"condition,omitempty"`
	ConditionVersion *string  `json:"conditionVersion,omitempty"`
}

// NewAssignmentName returns a random GUID, the name of a new role assignment.
func NewAssignmentName() string { return scopevault.NewGUID() }

// CreateRoleAssignment puts an assignment named name (a GUID) at scope.
func (a *ARM) CreateRoleAssignment(ctx context.Context, scope, name string, p RoleAssignmentProperties) (RoleAssignment, error) {
	s, err := scopePath(scope)
	if err != nil {
		return RoleAssignment{}, err
	}
	p.Scope = ""
	var out RoleAssignment
	_, err = a.rest.do(ctx, http.MethodPut, s+armAssignmentPath+"/"+esc(name), apiVersion(APIAuthorization), RoleAssignment{Properties: p}, &out)
	return out, err
}

// RoleAssignment gets an assignment by scope and name.
func (a *ARM) RoleAssignment(ctx context.Context, scope, name string) (RoleAssignment, error) {
	s, err := scopePath(scope)
	if err != nil {
		return RoleAssignment{}, err
	}
	var out RoleAssignment
	_, err = a.rest.do(ctx, http.MethodGet, s+armAssignmentPath+"/"+esc(name), apiVersion(APIAuthorization), nil, &out)
	return out, err
}

// DeleteRoleAssignment deletes an assignment; deleted is false when there was none.
func (a *ARM) DeleteRoleAssignment(ctx context.Context, scope, name string) (deleted bool, err error) {
	s, err := scopePath(scope)
	if err != nil {
		return false, err
	}
	status, err := a.rest.do(ctx, http.MethodDelete, s+armAssignmentPath+"/"+esc(name), apiVersion(APIAuthorization), nil, nil)
	return err == nil && status == http.StatusOK, err
}

// RoleAssignments lists assignments related to scope; filter is an ARM
// $filter ("atScope()", "principalId eq '...'", "assignedTo('...')") or "".
func (a *ARM) RoleAssignments(ctx context.Context, scope, filter string) ([]RoleAssignment, error) {
	s, err := scopePath(scope)
	if err != nil {
		return nil, err
	}
	q := apiVersion(APIAuthorization)
	if filter != "" {
		q.Set("$filter", filter)
	}
	var out struct {
		Value []RoleAssignment `json:"value"`
	}
	_, err = a.rest.do(ctx, http.MethodGet, s+armAssignmentPath, q, nil, &out)
	return out.Value, err
}

// RoleDefinitionsByName lists the roles named roleName (case-insensitive) visible at scope.
func (a *ARM) RoleDefinitionsByName(ctx context.Context, scope, roleName string) ([]RoleDefinition, error) {
	s, err := scopePath(scope)
	if err != nil {
		return nil, err
	}
	q := apiVersion(APIAuthorization)
	if roleName != "" {
		q.Set("$filter", "roleName eq '"+strings.ReplaceAll(roleName, "'", "''")+"'")
	}
	var out struct {
		Value []RoleDefinition `json:"value"`
	}
	_, err = a.rest.do(ctx, http.MethodGet, s+armRoleDefPath, q, nil, &out)
	return out.Value, err
}

// RoleDefinition gets a role by GUID at scope.
func (a *ARM) RoleDefinition(ctx context.Context, scope, id string) (RoleDefinition, error) {
	s, err := scopePath(scope)
	if err != nil {
		return RoleDefinition{}, err
	}
	var out RoleDefinition
	_, err = a.rest.do(ctx, http.MethodGet, s+armRoleDefPath+"/"+url.PathEscape(id), apiVersion(APIAuthorization), nil, &out)
	return out, err
}
