package scopevault

import "time"

// Subscription is an Azure subscription: the root of resource ids and RBAC scopes.
type Subscription struct {
	ID          string    `json:"subscriptionId"`
	DisplayName string    `json:"displayName"`
	TenantID    string    `json:"tenantId"`
	State       string    `json:"state"`
	Created     time.Time `json:"created"`
}

// ResourceGroup is a container of resources in a subscription.
type ResourceGroup struct {
	SubscriptionID string            `json:"subscriptionId"`
	Name           string            `json:"name"`
	Location       string            `json:"location"`
	Tags           map[string]string `json:"tags,omitempty"`
	// ManagedBy is the id of the resource that created the group and
	// manages it (a Databricks workspace's managed resource group); only
	// that resource changes or deletes it.
	ManagedBy string    `json:"managedBy,omitempty"`
	Created   time.Time `json:"created"`
}

// ID is the resource group's ARM id.
func (g *ResourceGroup) ID() string {
	return "/subscriptions/" + g.SubscriptionID + "/resourceGroups/" + g.Name
}
