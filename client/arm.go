package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// API versions the ARM client speaks.
const (
	APISubscriptions  = "2022-12-01"
	APIResources      = "2022-09-01"
	APIKeyVault       = "2024-11-01"
	APIAuthorization  = "2022-04-01"
	armRoleDefPath    = "/providers/Microsoft.Authorization/roleDefinitions"
	armAssignmentPath = "/providers/Microsoft.Authorization/roleAssignments"
)

// ARM is a small Azure Resource Manager client.
type ARM struct {
	rest *rest
}

// NewARM returns a client for the ARM endpoint ("https://localhost:8443").
func NewARM(endpoint string, cred TokenCredential, hc *http.Client) (*ARM, error) {
	r, err := newREST(endpoint, ScopeARM, cred, hc)
	if err != nil {
		return nil, err
	}
	return &ARM{rest: r}, nil
}

func apiVersion(v string) url.Values { return url.Values{"api-version": {v}} }

// esc escapes one path segment.
func esc(s string) string { return url.PathEscape(s) }

// Subscription is an ARM subscription.
type Subscription struct {
	ID             string `json:"id"`
	SubscriptionID string `json:"subscriptionId"`
	TenantID       string `json:"tenantId"`
	DisplayName    string `json:"displayName"`
	State          string `json:"state"`
}

// Subscriptions lists the subscriptions the caller can see.
func (a *ARM) Subscriptions(ctx context.Context) ([]Subscription, error) {
	var out struct {
		Value []Subscription `json:"value"`
	}
	_, err := a.rest.do(ctx, http.MethodGet, "/subscriptions", apiVersion(APISubscriptions), nil, &out)
	return out.Value, err
}

// Subscription gets one subscription.
func (a *ARM) Subscription(ctx context.Context, id string) (Subscription, error) {
	var out Subscription
	_, err := a.rest.do(ctx, http.MethodGet, "/subscriptions/"+esc(id), apiVersion(APISubscriptions), nil, &out)
	return out, err
}

// ResourceGroup is an ARM resource group.
type ResourceGroup struct {
	ID         string            `json:"id,omitempty"`
	Name       string            `json:"name,omitempty"`
	Type       string            `json:"type,omitempty"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags,omitempty"`
	ManagedBy  *string           `json:"managedBy,omitempty"`
	Properties *struct {
		ProvisioningState string `json:"provisioningState"`
	} `json:"properties,omitempty"`
}

func groupPath(sub, name string) string {
	return "/subscriptions/" + esc(sub) + "/resourcegroups/" + esc(name)
}

// CreateResourceGroup creates or updates a resource group.
func (a *ARM) CreateResourceGroup(ctx context.Context, sub, name, location string, tags map[string]string) (ResourceGroup, error) {
	var out ResourceGroup
	_, err := a.rest.do(ctx, http.MethodPut, groupPath(sub, name), apiVersion(APIResources), ResourceGroup{Location: location, Tags: tags}, &out)
	return out, err
}

// ResourceGroup gets a resource group.
func (a *ARM) ResourceGroup(ctx context.Context, sub, name string) (ResourceGroup, error) {
	var out ResourceGroup
	_, err := a.rest.do(ctx, http.MethodGet, groupPath(sub, name), apiVersion(APIResources), nil, &out)
	return out, err
}

// ResourceGroups lists a subscription's resource groups.
func (a *ARM) ResourceGroups(ctx context.Context, sub string) ([]ResourceGroup, error) {
	var out struct {
		Value []ResourceGroup `json:"value"`
	}
	_, err := a.rest.do(ctx, http.MethodGet, "/subscriptions/"+esc(sub)+"/resourcegroups", apiVersion(APIResources), nil, &out)
	return out.Value, err
}

// DeleteResourceGroup deletes a resource group, waiting for the end when
// the service answers 202 with a Location to poll.
func (a *ARM) DeleteResourceGroup(ctx context.Context, sub, name string) error {
	status, h, err := a.rest.send(ctx, http.MethodDelete, a.rest.base+groupPath(sub, name), apiVersion(APIResources), nil, nil)
	if err != nil || status != http.StatusAccepted {
		return err
	}
	return a.pollLocation(ctx, h)
}

// ResourceGroupOf returns the resource group named in an ARM resource id, or "".
func ResourceGroupOf(id string) string {
	segs := strings.Split(strings.Trim(id, "/"), "/")
	for i := 0; i+1 < len(segs); i++ {
		if strings.EqualFold(segs[i], "resourceGroups") {
			return segs[i+1]
		}
	}
	return ""
}

// scopePath checks that an ARM scope is an absolute path and escapes nothing:
// scopes are ids the caller already holds.
func scopePath(scope string) (string, error) {
	if !strings.HasPrefix(scope, "/") || strings.ContainsAny(scope, "?#") {
		return "", fmt.Errorf("client: scope %q is not an ARM resource id", scope)
	}
	if scope == "/" {
		return "", nil
	}
	return strings.TrimSuffix(scope, "/"), nil
}
