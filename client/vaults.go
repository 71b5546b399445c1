package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Vault is a Microsoft.KeyVault/vaults resource.
type Vault struct {
	ID         string            `json:"id,omitempty"`
	Name       string            `json:"name,omitempty"`
	Type       string            `json:"type,omitempty"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags,omitempty"`
	Properties VaultProperties   `json:"properties"`
	// SystemData is read-only: who created and last changed the vault, and when.
	SystemData *SystemData `json:"systemData,omitempty"`
}

// SystemData is ARM's record of a resource's creation and last change.
type SystemData struct {
	CreatedBy          string `json:"createdBy,omitempty"`
	CreatedByType      string `json:"createdByType,omitempty"`
	CreatedAt          string `json:"createdAt,omitempty"`
	LastModifiedBy     string `json:"lastModifiedBy,omitempty"`
	LastModifiedByType string `json:"lastModifiedByType,omitempty"`
	LastModifiedAt     string `json:"lastModifiedAt,omitempty"`
}

// VaultProperties are a vault's properties; nil fields are absent.
// AccessPolicies is sent as null when nil (unchanged) and as [] when empty
// (no policies), so a read-modify-write can remove the last one.
type VaultProperties struct {
	TenantID                     string         `json:"tenantId,omitempty"`
	SKU                          *SKU           `json:"sku,omitempty"`
	AccessPolicies               []AccessPolicy `json:"accessPolicies"`
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
	HSMPoolResourceID            string         `json:"hsmPoolResourceId,omitempty"`
	// PrivateEndpointConnections is read-only: the vault's sides of its private endpoints.
	PrivateEndpointConnections []VaultPrivateEndpointConnection `json:"privateEndpointConnections,omitempty"`
	// CreateMode is "recover" to bring back a soft-deleted vault; never returned.
	CreateMode string `json:"createMode,omitempty"`
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
	return listPages[Vault](ctx, a, a.rest.base+path, apiVersion(APIKeyVault))
}

// GenericResource is an entry of ARM's generic resource list.
type GenericResource struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Type     string            `json:"type"`
	Location string            `json:"location"`
	Tags     map[string]string `json:"tags"`
}

// APIGenericResources is the api-version az and armkeyvault list vaults with.
const APIGenericResources = "2015-11-01"

// VaultResources lists the subscription's vaults through the generic
// resource list (resourceType eq 'Microsoft.KeyVault/vaults'), following
// nextLink, as `az keyvault list` and armkeyvault's NewListPager do.
func (a *ARM) VaultResources(ctx context.Context, sub string) ([]GenericResource, error) {
	u := a.rest.base + "/subscriptions/" + esc(sub) + "/resources"
	q := url.Values{"api-version": {APIGenericResources}, "$filter": {"resourceType eq 'Microsoft.KeyVault/vaults'"}}
	return listPages[GenericResource](ctx, a, u, q)
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

// DeleteVault deletes a vault. Vaults are soft-deleted: the vault moves to
// the subscription's deleted vaults until it is purged or recovered.
func (a *ARM) DeleteVault(ctx context.Context, sub, group, name string) error {
	_, err := a.rest.do(ctx, http.MethodDelete, vaultPath(sub, group, name), apiVersion(APIKeyVault), nil, nil)
	return err
}

// DeletedVault is a Microsoft.KeyVault/deletedVaults resource.
type DeletedVault struct {
	ID         string                 `json:"id"`
	Name       string                 `json:"name"`
	Type       string                 `json:"type"`
	Properties DeletedVaultProperties `json:"properties"`
}

// DeletedVaultProperties say where a deleted vault was and when it goes.
type DeletedVaultProperties struct {
	VaultID                string            `json:"vaultId"`
	Location               string            `json:"location"`
	DeletionDate           string            `json:"deletionDate"`
	ScheduledPurgeDate     string            `json:"scheduledPurgeDate"`
	Tags                   map[string]string `json:"tags"`
	PurgeProtectionEnabled *bool             `json:"purgeProtectionEnabled"`
}

func deletedVaultPath(sub, location, name string) string {
	return "/subscriptions/" + esc(sub) + "/providers/Microsoft.KeyVault/locations/" + esc(location) + "/deletedVaults/" + esc(name)
}

// DeletedVaults lists the subscription's soft-deleted vaults, following nextLink.
func (a *ARM) DeletedVaults(ctx context.Context, sub string) ([]DeletedVault, error) {
	return listPages[DeletedVault](ctx, a, a.rest.base+"/subscriptions/"+esc(sub)+"/providers/Microsoft.KeyVault/deletedVaults", apiVersion(APIKeyVault))
}

// listPages gets every item of an ARM list, following nextLink (which
// carries its own query) until the service stops sending one.
func listPages[T any](ctx context.Context, a *ARM, u string, q url.Values) ([]T, error) {
	var all []T
	for pages := 0; u != ""; pages++ {
		if pages > 1000 {
			return nil, fmt.Errorf("client: the list at %s does not end", u)
		}
		var page struct {
			Value    []T    `json:"value"`
			NextLink string `json:"nextLink"`
		}
		if _, _, err := a.rest.send(ctx, http.MethodGet, u, q, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Value...)
		u, q = page.NextLink, nil
	}
	return all, nil
}

// DeletedVault gets a soft-deleted vault by location and name.
func (a *ARM) DeletedVault(ctx context.Context, sub, location, name string) (DeletedVault, error) {
	var out DeletedVault
	_, err := a.rest.do(ctx, http.MethodGet, deletedVaultPath(sub, location, name), apiVersion(APIKeyVault), nil, &out)
	return out, err
}

// FindDeletedVault finds a soft-deleted vault by name in the subscription,
// as az does when no --location is given.
func (a *ARM) FindDeletedVault(ctx context.Context, sub, name string) (DeletedVault, error) {
	all, err := a.DeletedVaults(ctx, sub)
	if err != nil {
		return DeletedVault{}, err
	}
	for _, v := range all {
		if strings.EqualFold(v.Name, name) {
			return v, nil
		}
	}
	return DeletedVault{}, &ResponseError{StatusCode: http.StatusNotFound, Code: "ResourceNotFound",
		Message: "No deleted vault named '" + name + "' was found in the subscription."}
}

// PurgeDeletedVault deletes a soft-deleted vault for good. The service may
// answer 202 with a Location to poll; PurgeDeletedVault waits for the end.
func (a *ARM) PurgeDeletedVault(ctx context.Context, sub, location, name string) error {
	status, h, err := a.rest.send(ctx, http.MethodPost, a.rest.base+deletedVaultPath(sub, location, name)+"/purge", apiVersion(APIKeyVault), nil, nil)
	if err != nil || status != http.StatusAccepted {
		return err
	}
	return a.pollLocation(ctx, h)
}

// RecoverVault brings a soft-deleted vault back: a PUT of the same name in
// its original group and location with createMode "recover".
func (a *ARM) RecoverVault(ctx context.Context, sub, group, name, location, tenantID string) (Vault, error) {
	return a.CreateVault(ctx, sub, group, name, Vault{Location: location, Properties: VaultProperties{
		TenantID: tenantID, SKU: &SKU{Family: "A", Name: "standard"}, CreateMode: "recover",
	}})
}

// maxPolls bounds a long-running operation's polling.
const maxPolls = 600

// pollLocation follows an accepted operation's Location header until it
// answers 200 or 204. It waits Retry-After between polls (at most 30 s);
// without one, the first poll is immediate and later ones a second apart.
func (a *ARM) pollLocation(ctx context.Context, h http.Header) error {
	loc := h.Get("Location")
	if loc == "" {
		return fmt.Errorf("client: the service accepted the operation without a Location to poll")
	}
	for i := range maxPolls {
		wait := time.Duration(min(i, 1)) * time.Second
		if n, err := strconv.Atoi(h.Get("Retry-After")); err == nil && n >= 0 {
			wait = min(time.Duration(n)*time.Second, 30*time.Second)
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		status, next, err := a.rest.send(ctx, http.MethodGet, loc, nil, nil, nil)
		if err != nil {
			return err
		}
		if status != http.StatusAccepted {
			return nil
		}
		h = next
	}
	return fmt.Errorf("client: the operation did not finish after %d polls", maxPolls)
}
