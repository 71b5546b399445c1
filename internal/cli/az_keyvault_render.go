package cli

import (
	"strings"
	"time"

	"github.com/scopevault/scopevault/client"
)

// The vault shapes az prints. az serializes the management SDK's models
// whole, so every property is present and an unset one is null; datetimes
// come out in Python's isoformat ("2026-04-01T12:00:00+00:00").

type vaultJSON struct {
	ID            string            `json:"id"`
	Location      string            `json:"location"`
	Name          string            `json:"name"`
	Properties    vaultPropsJSON    `json:"properties"`
	ResourceGroup string            `json:"resourceGroup"`
	SystemData    *systemDataJSON   `json:"systemData"`
	Tags          map[string]string `json:"tags"`
	Type          string            `json:"type"`
}

type vaultPropsJSON struct {
	AccessPolicies               []accessPolicyJSON `json:"accessPolicies"`
	CreateMode                   *string            `json:"createMode"`
	EnablePurgeProtection        *bool              `json:"enablePurgeProtection"`
	EnableRbacAuthorization      *bool              `json:"enableRbacAuthorization"`
	EnableSoftDelete             *bool              `json:"enableSoftDelete"`
	EnabledForDeployment         *bool              `json:"enabledForDeployment"`
	EnabledForDiskEncryption     *bool              `json:"enabledForDiskEncryption"`
	EnabledForTemplateDeployment *bool              `json:"enabledForTemplateDeployment"`
	HSMPoolResourceID            *string            `json:"hsmPoolResourceId"`
	NetworkACLs                  *networkACLsJSON   `json:"networkAcls"`
	PrivateEndpointConnections   []any              `json:"privateEndpointConnections"`
	ProvisioningState            *string            `json:"provisioningState"`
	PublicNetworkAccess          *string            `json:"publicNetworkAccess"`
	SKU                          *client.SKU        `json:"sku"`
	SoftDeleteRetentionInDays    *int               `json:"softDeleteRetentionInDays"`
	TenantID                     string             `json:"tenantId"`
	VaultURI                     *string            `json:"vaultUri"`
}

type accessPolicyJSON struct {
	ApplicationID *string         `json:"applicationId"`
	ObjectID      string          `json:"objectId"`
	Permissions   permissionsJSON `json:"permissions"`
	TenantID      string          `json:"tenantId"`
}

type permissionsJSON struct {
	Certificates []string `json:"certificates"`
	Keys         []string `json:"keys"`
	Secrets      []string `json:"secrets"`
	Storage      []string `json:"storage"`
}

type networkACLsJSON struct {
	Bypass              string         `json:"bypass"`
	DefaultAction       string         `json:"defaultAction"`
	IPRules             []ipRuleJSON   `json:"ipRules"`
	VirtualNetworkRules []vnetRuleJSON `json:"virtualNetworkRules"`
}

type ipRuleJSON struct {
	Value string `json:"value"`
}

type vnetRuleJSON struct {
	ID                               string `json:"id"`
	IgnoreMissingVnetServiceEndpoint *bool  `json:"ignoreMissingVnetServiceEndpoint"`
}

type systemDataJSON struct {
	CreatedAt          *string `json:"createdAt"`
	CreatedBy          *string `json:"createdBy"`
	CreatedByType      *string `json:"createdByType"`
	LastModifiedAt     *string `json:"lastModifiedAt"`
	LastModifiedBy     *string `json:"lastModifiedBy"`
	LastModifiedByType *string `json:"lastModifiedByType"`
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// azTime re-renders a service datetime the way az prints it: Python's
// isoformat, "+00:00" for UTC, microseconds only when there are any. A
// value it cannot read is printed as the service sent it.
func azTime(s string) *string {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return &s
	}
	out := pyISO(t)
	return &out
}

func pyISO(t time.Time) string {
	layout := "2006-01-02T15:04:05"
	if t.Nanosecond()/1000 != 0 {
		layout += ".000000"
	}
	out := t.Format(layout)
	if _, off := t.Zone(); off == 0 {
		return out + "+00:00"
	}
	return out + t.Format("-07:00")
}

func azVault(v client.Vault) vaultJSON {
	p := v.Properties
	out := vaultJSON{
		ID: v.ID, Location: v.Location, Name: v.Name, ResourceGroup: v.ResourceGroup(), Tags: v.Tags, Type: v.Type,
		Properties: vaultPropsJSON{
			AccessPolicies: []accessPolicyJSON{}, CreateMode: strOrNil(p.CreateMode),
			EnablePurgeProtection: p.EnablePurgeProtection, EnableRbacAuthorization: p.EnableRbacAuthorization,
			EnableSoftDelete: p.EnableSoftDelete, EnabledForDeployment: p.EnabledForDeployment,
			EnabledForDiskEncryption: p.EnabledForDiskEncryption, EnabledForTemplateDeployment: p.EnabledForTemplateDeployment,
			HSMPoolResourceID: strOrNil(p.HSMPoolResourceID), NetworkACLs: azNetworkACLs(p.NetworkACLs),
			ProvisioningState: strOrNil(p.ProvisioningState), PublicNetworkAccess: strOrNil(p.PublicNetworkAccess),
			SKU: p.SKU, SoftDeleteRetentionInDays: p.SoftDeleteRetentionInDays, TenantID: p.TenantID, VaultURI: strOrNil(p.VaultURI),
		},
	}
	if out.Tags == nil {
		out.Tags = map[string]string{}
	}
	for _, c := range p.PrivateEndpointConnections {
		// az prints each item with its properties lifted, as for the connection itself.
		j, _ := toJSONValue(c)
		j = flattenProperties(j)
		addResourceGroup(j)
		out.Properties.PrivateEndpointConnections = append(out.Properties.PrivateEndpointConnections, j)
	}
	for _, ap := range p.AccessPolicies {
		out.Properties.AccessPolicies = append(out.Properties.AccessPolicies, accessPolicyJSON{
			ApplicationID: strOrNil(ap.ApplicationID), ObjectID: ap.ObjectID, TenantID: ap.TenantID,
			Permissions: permissionsJSON{Certificates: ap.Permissions.Certificates, Keys: ap.Permissions.Keys,
				Secrets: ap.Permissions.Secrets, Storage: ap.Permissions.Storage},
		})
	}
	if sd := v.SystemData; sd != nil {
		out.SystemData = &systemDataJSON{
			CreatedAt: azTime(sd.CreatedAt), CreatedBy: strOrNil(sd.CreatedBy), CreatedByType: strOrNil(sd.CreatedByType),
			LastModifiedAt: azTime(sd.LastModifiedAt), LastModifiedBy: strOrNil(sd.LastModifiedBy), LastModifiedByType: strOrNil(sd.LastModifiedByType),
		}
	}
	return out
}

// azNetworkACLs is a vault's network rule set as az prints it (null when the
// vault has none).
func azNetworkACLs(n *client.NetworkACLs) *networkACLsJSON {
	if n == nil {
		return nil
	}
	out := &networkACLsJSON{Bypass: n.Bypass, DefaultAction: n.DefaultAction, IPRules: []ipRuleJSON{}, VirtualNetworkRules: []vnetRuleJSON{}}
	for _, r := range n.IPRules {
		out.IPRules = append(out.IPRules, ipRuleJSON{Value: r.Value})
	}
	for _, r := range n.VirtualNetworkRules {
		ignore := r.IgnoreMissingVnetServiceEndpoint
		out.VirtualNetworkRules = append(out.VirtualNetworkRules, vnetRuleJSON{ID: r.ID, IgnoreMissingVnetServiceEndpoint: &ignore})
	}
	return out
}

// deletedVaultJSON is az's soft-deleted vault.
type deletedVaultJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Properties struct {
		DeletionDate           *string           `json:"deletionDate"`
		Location               string            `json:"location"`
		PurgeProtectionEnabled *bool             `json:"purgeProtectionEnabled"`
		ScheduledPurgeDate     *string           `json:"scheduledPurgeDate"`
		Tags                   map[string]string `json:"tags"`
		VaultID                string            `json:"vaultId"`
	} `json:"properties"`
	Type string `json:"type"`
}

func azDeletedVault(d client.DeletedVault) deletedVaultJSON {
	out := deletedVaultJSON{ID: d.ID, Name: d.Name, Type: d.Type}
	p := &out.Properties
	p.DeletionDate, p.Location, p.PurgeProtectionEnabled = azTime(d.Properties.DeletionDate), d.Properties.Location, d.Properties.PurgeProtectionEnabled
	p.ScheduledPurgeDate, p.Tags, p.VaultID = azTime(d.Properties.ScheduledPurgeDate), d.Properties.Tags, d.Properties.VaultID
	return out
}

// deletedVaultGroup is the resource group named in a deleted vault's vaultId.
func deletedVaultGroup(d client.DeletedVault) string {
	return client.ResourceGroupOf(strings.TrimSpace(d.Properties.VaultID))
}
