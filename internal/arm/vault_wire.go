package arm

import (
	"strings"
	"time"

	"github.com/scopevault/scopevault"
)

// Wire shapes of Microsoft.KeyVault/vaults (api-version 2024-11-01 and later;
// the shape is the same back to 2019-09-01).

type skuJSON struct {
	Family string `json:"family"`
	Name   string `json:"name"`
}

type permissionsJSON struct {
	Keys         []string `json:"keys"`
	Secrets      []string `json:"secrets"`
	Certificates []string `json:"certificates"`
	Storage      []string `json:"storage,omitempty"`
}

type accessPolicyJSON struct {
	TenantID      string          `json:"tenantId"`
	ObjectID      string          `json:"objectId"`
	ApplicationID string          `json:"applicationId,omitempty"`
	Permissions   permissionsJSON `json:"permissions"`
}

type ipRuleJSON struct {
	Value string `json:"value"`
}

type vnetRuleJSON struct {
	ID                               string `json:"id"`
	IgnoreMissingVnetServiceEndpoint bool   `json:"ignoreMissingVnetServiceEndpoint"`
}

type networkACLsJSON struct {
	Bypass              string         `json:"bypass"`
	DefaultAction       string         `json:"defaultAction"`
	IPRules             []ipRuleJSON   `json:"ipRules"`
	VirtualNetworkRules []vnetRuleJSON `json:"virtualNetworkRules"`
}

type systemDataJSON struct {
	CreatedAt      string `json:"createdAt"`
	LastModifiedAt string `json:"lastModifiedAt"`
}

type vaultPropsJSON struct {
	SKU                          skuJSON            `json:"sku"`
	TenantID                     string             `json:"tenantId"`
	AccessPolicies               []accessPolicyJSON `json:"accessPolicies"`
	EnabledForDeployment         bool               `json:"enabledForDeployment"`
	EnabledForDiskEncryption     bool               `json:"enabledForDiskEncryption"`
	EnabledForTemplateDeployment bool               `json:"enabledForTemplateDeployment"`
	EnableSoftDelete             bool               `json:"enableSoftDelete"`
	SoftDeleteRetentionInDays    int                `json:"softDeleteRetentionInDays"`
	EnableRbacAuthorization      bool               `json:"enableRbacAuthorization"`
	// EnablePurgeProtection is absent until set: the service returns null for
	// a vault created without it, and only true once it is on.
	EnablePurgeProtection *bool            `json:"enablePurgeProtection,omitempty"`
	NetworkACLs           *networkACLsJSON `json:"networkAcls,omitempty"`
	VaultURI              string           `json:"vaultUri"`
	ProvisioningState     string           `json:"provisioningState"`
	PublicNetworkAccess   string           `json:"publicNetworkAccess"`
	// PrivateEndpointConnections are the vault's sides of its private
	// endpoints' connections (network_vaultconns.go); absent when none.
	PrivateEndpointConnections []vaultPEConnItemJSON `json:"privateEndpointConnections,omitempty"`
}

type vaultJSON struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags"`
	SystemData systemDataJSON    `json:"systemData"`
	Properties vaultPropsJSON    `json:"properties"`
}

// vaultIn is VaultCreateOrUpdateParameters; pointers tell absent from zero.
type vaultIn struct {
	Location   *string           `json:"location"`
	Tags       map[string]string `json:"tags"`
	Properties *vaultPropsIn     `json:"properties"`
}

type vaultPropsIn struct {
	TenantID                     *string             `json:"tenantId"`
	SKU                          *skuJSON            `json:"sku"`
	AccessPolicies               *[]accessPolicyJSON `json:"accessPolicies"`
	EnabledForDeployment         *bool               `json:"enabledForDeployment"`
	EnabledForDiskEncryption     *bool               `json:"enabledForDiskEncryption"`
	EnabledForTemplateDeployment *bool               `json:"enabledForTemplateDeployment"`
	EnableSoftDelete             *bool               `json:"enableSoftDelete"`
	SoftDeleteRetentionInDays    *int                `json:"softDeleteRetentionInDays"`
	EnableRbacAuthorization      *bool               `json:"enableRbacAuthorization"`
	CreateMode                   *string             `json:"createMode"`
	EnablePurgeProtection        *bool               `json:"enablePurgeProtection"`
	NetworkACLs                  *networkACLsJSON    `json:"networkAcls"`
	PublicNetworkAccess          *string             `json:"publicNetworkAccess"`
}

const vaultType = "Microsoft.KeyVault/vaults"

// renderVault renders v with its private endpoint connections, read from
// net (nil renders none).
func (h *Handler) renderVault(v *scopevault.Vault, net *scopevault.Network) vaultJSON {
	tags := v.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	p := vaultPropsJSON{
		SKU:                          skuJSON{Family: "A", Name: v.SKU},
		TenantID:                     v.TenantID,
		AccessPolicies:               []accessPolicyJSON{},
		EnabledForDeployment:         v.EnabledForDeployment,
		EnabledForDiskEncryption:     v.EnabledForDiskEncryption,
		EnabledForTemplateDeployment: v.EnabledForTemplateDeploy,
		EnableSoftDelete:             true,
		SoftDeleteRetentionInDays:    v.RetentionDays(),
		EnableRbacAuthorization:      v.EnableRBACAuthorization,
		VaultURI:                     h.cfg.VaultURL(v),
		ProvisioningState:            "Succeeded",
		PublicNetworkAccess:          v.PublicNetworkAccess,
	}
	if p.SKU.Name == "" {
		p.SKU.Name = "standard"
	}
	if p.PublicNetworkAccess == "" {
		p.PublicNetworkAccess = "Enabled"
	}
	if v.EnablePurgeProtection {
		on := true
		p.EnablePurgeProtection = &on
	}
	p.AccessPolicies = renderAccessPolicies(v.AccessPolicies)
	p.PrivateEndpointConnections = vaultPEConnItems(v, net)
	if n := v.NetworkACLs; n != nil {
		acl := &networkACLsJSON{Bypass: n.Bypass, DefaultAction: n.DefaultAction, IPRules: []ipRuleJSON{}, VirtualNetworkRules: []vnetRuleJSON{}}
		for _, ip := range n.IPRules {
			acl.IPRules = append(acl.IPRules, ipRuleJSON{Value: ip})
		}
		for _, r := range n.VirtualNetworkRules {
			acl.VirtualNetworkRules = append(acl.VirtualNetworkRules, vnetRuleJSON{ID: r.ID, IgnoreMissingVnetServiceEndpoint: r.IgnoreMissingServiceEndpoint})
		}
		p.NetworkACLs = acl
	}
	return vaultJSON{
		ID: v.ResourceID(), Name: v.Name, Type: vaultType, Location: v.Location, Tags: tags,
		SystemData: systemDataJSON{CreatedAt: v.Created.UTC().Format(time.RFC3339), LastModifiedAt: v.Updated.UTC().Format(time.RFC3339)},
		Properties: p,
	}
}

func renderAccessPolicies(aps []scopevault.AccessPolicy) []accessPolicyJSON {
	out := make([]accessPolicyJSON, 0, len(aps))
	for _, ap := range aps {
		out = append(out, accessPolicyJSON{
			TenantID: ap.TenantID, ObjectID: ap.ObjectID, ApplicationID: ap.ApplicationID,
			Permissions: permissionsJSON{
				Keys: orEmpty(ap.Permissions.Keys), Secrets: orEmpty(ap.Permissions.Secrets),
				Certificates: orEmpty(ap.Permissions.Certificates), Storage: ap.Permissions.Storage,
			},
		})
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Validation of vault input. Messages follow the Key Vault resource provider's.

func badVault(format string, args ...any) error {
	return scopevault.Errorf(scopevault.EINVALID, "BadRequest", format, args...)
}

func parseSKU(s *skuJSON) (string, error) {
	if s == nil {
		return "", badVault("The parameter 'properties.sku' is required.")
	}
	if s.Family != "" && !strings.EqualFold(s.Family, "A") {
		return "", badVault("The SKU family '%s' is not valid. The only valid family is 'A'.", clip(s.Family))
	}
	switch strings.ToLower(s.Name) {
	case "standard":
		return "standard", nil
	case "premium":
		return "premium", nil
	}
	return "", badVault("The SKU name '%s' is not valid. Valid names are 'standard' and 'premium'.", clip(s.Name))
}

// maxAccessPolicies is the service's limit on create (the patch documentation says 16, the service takes 1024).
const maxAccessPolicies = 1024

var secretPermissions = map[string]bool{
	"all": true, "get": true, "list": true, "set": true, "delete": true,
	"backup": true, "restore": true, "recover": true, "purge": true,
}

func parseAccessPolicies(in []accessPolicyJSON) ([]scopevault.AccessPolicy, error) {
	if len(in) > maxAccessPolicies {
		return nil, badVault("The number of access policies (%d) exceeds the maximum of %d.", len(in), maxAccessPolicies)
	}
	out := make([]scopevault.AccessPolicy, 0, len(in))
	seen := map[string]bool{}
	for i, ap := range in {
		if !scopevault.ValidGUID(ap.TenantID) {
			return nil, badVault("The access policy at index %d has an invalid tenantId '%s'.", i, clip(ap.TenantID))
		}
		if strings.TrimSpace(ap.ObjectID) == "" {
			return nil, badVault("The access policy at index %d has no objectId.", i)
		}
		if ap.ApplicationID != "" && !scopevault.ValidGUID(ap.ApplicationID) {
			return nil, badVault("The access policy at index %d has an invalid applicationId '%s'.", i, clip(ap.ApplicationID))
		}
		key := strings.ToLower(ap.ObjectID + "/" + ap.ApplicationID)
		if seen[key] {
			return nil, badVault("The access policy for objectId '%s' appears more than once.", clip(ap.ObjectID))
		}
		seen[key] = true
		secrets := lower(ap.Permissions.Secrets)
		for _, p := range secrets {
			if !secretPermissions[p] {
				return nil, badVault("The secret permission '%s' is not valid.", clip(p))
			}
		}
		out = append(out, scopevault.AccessPolicy{
			TenantID: strings.ToLower(ap.TenantID), ObjectID: strings.ToLower(ap.ObjectID), ApplicationID: strings.ToLower(ap.ApplicationID),
			Permissions: scopevault.Permissions{
				Keys: lower(ap.Permissions.Keys), Secrets: secrets,
				Certificates: lower(ap.Permissions.Certificates), Storage: lower(ap.Permissions.Storage),
			},
		})
	}
	return out, nil
}

func lower(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(strings.TrimSpace(s))
	}
	return out
}

// rbacDefault is enableRbacAuthorization for a new vault that does not say:
// false before api-version 2026-02-01, true from it on (reference §0.4).
func rbacDefault(apiVersion string) bool {
	return len(apiVersion) >= 10 && apiVersion[:10] >= "2026-02-01"
}
