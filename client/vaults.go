package client

import (
	"context"
	"net/http"
	"strings"
)

// Vault is a Microsoft.KeyVault/vaults resource.
type Vault struct {
	ID         string            `json:"id,omitempty"`
	Name       string            `json:"name,omitempty"`
	Type       string            `json:"type,omitempty"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags,omitempty"`
	Properties VaultProperties   `json:"properties"`
}

// VaultProperties are a vault's properties; nil fields are absent.
type VaultProperties struct {
	TenantID                     string         `json:"tenantId,omitempty"`
	SKU                          *SKU           `json:"sku,omitempty"`
	AccessPolicies               []AccessPolicy `json:"accessPolicies,omitempty"`
	EnabledForDeployment         *bool          `json:"enabledForDeployment,omitempty"`
	EnabledForDiskEncryption     *bool          `json:"enabledForDiskEncryption,omitempty"`
	EnabledForTemplateDeployment *bool          `json:"enabledForTemplateDeployment,omitempty"`
	EnableSoftDelete             *bool          `json:"enableSoftDelete,omitempty"`
	SoftDeleteRetentionInDays    *int           `json:"softDeleteRetentionInDays,omitempty"`
	EnableRbacAuthorization      *bool          `json:"enableRbacAuthorization,omitempty"`
	EnablePurgeProtection        *bool          `json:"enablePurgeProtection,omitempty"`
	NetworkACLs                  *NetworkACLs   `json:"networkAcls,omitempty"`
	PublicNetworkAccess          string         `json:"publicNetworkAccess,omitempty"`
	VaultURI                     string         `json:"vaultUri,omitempty"`
	ProvisioningState            string         `json:"provisioningState,omitempty"`
}

// SKU is a vault's pricing tier.
type SKU struct {
	Family string `json:"family"`
	Name   string `json:"name"`
}

// AccessPolicy is one entry of an access-policy vault.
type AccessPolicy struct {
	TenantID      string      `json:"tenantId"`
	ObjectID      string      `json:"objectId"`
	ApplicationID string      `json:"applicationId,omitempty"`
	Permissions   Permissions `json:"permissions"`
}

// Permissions of an access policy.
type Permissions struct {
	Keys         []string `json:"keys"`
	Secrets      []string `json:"secrets"`
	Certificates []string `json:"certificates"`
	Storage      []string `json:"storage,omitempty"`
}

// NetworkACLs is a vault's firewall.
type NetworkACLs struct {
	Bypass              string     `json:"bypass,omitempty"`
	DefaultAction       string     `json:"defaultAction,omitempty"`
	IPRules             []IPRule   `json:"ipRules,omitempty"`
	VirtualNetworkRules []VNetRule `json:"virtualNetworkRules,omitempty"`
}

// IPRule is one firewall address or range.
type IPRule struct {
	Value string `json:"value"`
}

// VNetRule admits one subnet.
type VNetRule struct {
	ID                               string `json:"id"`
	IgnoreMissingVnetServiceEndpoint bool   `json:"ignoreMissingVnetServiceEndpoint,omitempty"`
}

// ResourceGroup is the vault's resource group, read from its id.
func (v Vault) ResourceGroup() string { return ResourceGroupOf(v.ID) }

func vaultPath(sub, group, name string) string {
	return groupPath(sub, group) + "/providers/Microsoft.KeyVault/vaults/" + esc(name)
}

// CreateVault creates or updates a vault. The server answers synchronously
// (provisioningState Succeeded), so there is nothing to poll.
func (a *ARM) CreateVault(ctx context.Context, sub, group, name string, v Vault) (Vault, error) {
	var out Vault
	_, err := a.rest.do(ctx, http.MethodPut, vaultPath(sub, group, name), apiVersion(APIKeyVault), v, &out)
	return out, err
}

// Vault gets a vault.
func (a *ARM) Vault(ctx context.Context, sub, group, name string) (Vault, error) {
	var out Vault
	_, err := a.rest.do(ctx, http.MethodGet, vaultPath(sub, group, name), apiVersion(APIKeyVault), nil, &out)
	return out, err
}

// Vaults lists the vaults of a resource group, or of the subscription when group is "".
func (a *ARM) Vaults(ctx context.Context, sub, group string) ([]Vault, error) {
	path := "/subscriptions/" + esc(sub) + "/providers/Microsoft.KeyVault/vaults"
	if group != "" {
		path = groupPath(sub, group) + "/providers/Microsoft.KeyVault/vaults"
	}
	var out struct {
		Value []Vault `json:"value"`
	}
	_, err := a.rest.do(ctx, http.MethodGet, path, apiVersion(APIKeyVault), nil, &out)
	return out.Value, err
}

// FindVault finds a vault by name in the subscription (names are global and
// case-insensitive), as `az keyvault show -n NAME` does without a group.
func (a *ARM) FindVault(ctx context.Context, sub, name string) (Vault, error) {
	all, err := a.Vaults(ctx, sub, "")
	if err != nil {
		return Vault{}, err
	}
	for _, v := range all {
		if strings.EqualFold(v.Name, name) {
			return v, nil
		}
	}
	return Vault{}, &ResponseError{StatusCode: http.StatusNotFound, Code: "ResourceNotFound",
		Message: "The Vault '" + name + "' not found within subscription."}
}
