package scopevault

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"
)

// Vault is a Key Vault: its ARM properties and what the data plane needs to serve it.
type Vault struct {
	Name           string            `json:"name"` // as created; vault names compare case-insensitively
	SubscriptionID string            `json:"subscriptionId"`
	ResourceGroup  string            `json:"resourceGroup"`
	Location       string            `json:"location"`
	TenantID       string            `json:"tenantId"`
	Tags           map[string]string `json:"tags,omitempty"`
	SKU            string            `json:"sku"` // standard | premium

	EnableRBACAuthorization  bool           `json:"enableRbacAuthorization"`
	SoftDeleteRetentionDays  int            `json:"softDeleteRetentionInDays"`
	EnablePurgeProtection    bool           `json:"enablePurgeProtection"`
	AccessPolicies           []AccessPolicy `json:"accessPolicies,omitempty"`
	PublicNetworkAccess      string         `json:"publicNetworkAccess,omitempty"` // Enabled | Disabled
	NetworkACLs              *NetworkACLs   `json:"networkAcls,omitempty"`
	EnabledForDeployment     bool           `json:"enabledForDeployment,omitempty"`
	EnabledForDiskEncryption bool           `json:"enabledForDiskEncryption,omitempty"`
	EnabledForTemplateDeploy bool           `json:"enabledForTemplateDeployment,omitempty"`

	// Address is the loopback IPv4 address the vault's data plane listens on:
	// its no-setup URL is https://<Address>:<port>/.
	Address string    `json:"address"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Deleted is set while the vault is soft-deleted; ScheduledPurge is then
	// Deleted plus the retention, the moment the service purges it by itself.
	Deleted        *time.Time `json:"deleted,omitempty"`
	ScheduledPurge *time.Time `json:"scheduledPurgeDate,omitempty"`
}

// NetworkACLs are the vault firewall rules, enforced by the network gate.
type NetworkACLs struct {
	Bypass              string     `json:"bypass,omitempty"`        // AzureServices | None
	DefaultAction       string     `json:"defaultAction,omitempty"` // Allow | Deny
	IPRules             []string   `json:"ipRules,omitempty"`       // IPv4 CIDRs, a single address as /32
	VirtualNetworkRules []VNetRule `json:"virtualNetworkRules,omitempty"`
}

// VNetRule admits traffic from one subnet (by its lower-cased resource id).
type VNetRule struct {
	ID string `json:"id"`
	// IgnoreMissingServiceEndpoint accepts the rule before the subnet has the
	// Microsoft.KeyVault service endpoint.
	IgnoreMissingServiceEndpoint bool `json:"ignoreMissingVnetServiceEndpoint,omitempty"`
}

// UnmarshalJSON also reads a bare subnet id, the form vaults stored before
// rules carried their flag, so existing data directories keep loading.
func (r *VNetRule) UnmarshalJSON(b []byte) error {
	var id string
	if json.Unmarshal(b, &id) == nil {
		*r = VNetRule{ID: id}
		return nil
	}
	type plain VNetRule
	return json.Unmarshal(b, (*plain)(r))
}

// AccessPolicy is one entry of a vault's legacy access-policy list.
type AccessPolicy struct {
	TenantID      string      `json:"tenantId"`
	ObjectID      string      `json:"objectId"`
	ApplicationID string      `json:"applicationId,omitempty"`
	Permissions   Permissions `json:"permissions"`
}

// Permissions of an access policy per object type; values are lower-case verbs ("get", "list", "all", ...).
type Permissions struct {
	Keys         []string `json:"keys,omitempty"`
	Secrets      []string `json:"secrets,omitempty"`
	Certificates []string `json:"certificates,omitempty"`
	Storage      []string `json:"storage,omitempty"`
}

// ResourceID is the vault's ARM id.
func (v *Vault) ResourceID() string {
	return "/subscriptions/" + v.SubscriptionID + "/resourceGroups/" + v.ResourceGroup +
		"/providers/Microsoft.KeyVault/vaults/" + v.Name
}

// RecoveryLevel is the Key Vault recoveryLevel of secrets in this vault.
func (v *Vault) RecoveryLevel() string {
	days := v.RetentionDays()
	switch {
	case v.EnablePurgeProtection && days >= 90:
		return "Recoverable"
	case v.EnablePurgeProtection:
		return "CustomizedRecoverable"
	case days >= 90:
		return "Recoverable+Purgeable"
	default:
		return "CustomizedRecoverable+Purgeable"
	}
}

// RetentionDays is the soft-delete retention, 90 unless set.
func (v *Vault) RetentionDays() int {
	if v.SoftDeleteRetentionDays == 0 {
		return 90
	}
	return v.SoftDeleteRetentionDays
}

var vaultNameRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$`)

// ValidVaultName reports whether name is a legal vault name: 3-24 characters,
// alphanumerics and hyphens, starting with a letter, ending with a letter or
// digit, with no consecutive hyphens.
func ValidVaultName(name string) bool {
	return vaultNameRE.MatchString(name) && !strings.Contains(name, "--")
}

// VaultKey is the case-insensitive identity of a vault name.
func VaultKey(name string) string { return strings.ToLower(name) }
