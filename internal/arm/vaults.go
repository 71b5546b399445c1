package arm

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/scopevault/scopevault"
)

// actSwitchModel is what changing a vault's permission model needs on top of
// vaults/write: unrestricted role-assignment writes (reference §2.5).
const actSwitchModel = "Microsoft.Authorization/roleAssignments/write"

// putVault creates (201) or updates (200) a vault synchronously: the body
// carries provisioningState "Succeeded", which azcore's body poller accepts
// as a finished long-running operation.
func (h *Handler) putVault(w http.ResponseWriter, req *request) error {
	var in vaultIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	g, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return err
	}
	if in.Properties == nil {
		return badVault("The parameter 'properties' is required.")
	}
	recovering, err := parseCreateMode(in.Properties.CreateMode)
	if err != nil {
		return err
	}
	if err := h.checkVNetRules(req, in.Properties); err != nil {
		return err
	}
	existing, err := h.cfg.Engine.Vault(req.ctx(), req.route.name)
	var v *scopevault.Vault
	status := http.StatusOK
	switch {
	case scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND && recovering:
		v, err = h.recoverVault(req, g, &in)
		status = http.StatusCreated
	case scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND:
		v, err = h.createVault(req, g, &in)
		status = http.StatusCreated
	case err != nil:
		return err
	case !strings.EqualFold(existing.SubscriptionID, g.SubscriptionID) || !strings.EqualFold(existing.ResourceGroup, g.Name):
		// Vault names are global: the name is another group's vault.
		return errVaultExists(req.route.name)
	default:
		v, err = h.updateVault(req, existing, &in)
	}
	if err != nil {
		return err
	}
	if err := h.cfg.OnVaultChanged(v); err != nil {
		return err
	}
	writeJSON(w, status, h.renderVault(v, h.network(req)))
	return nil
}

func (h *Handler) createVault(req *request, g *scopevault.ResourceGroup, in *vaultIn) (*scopevault.Vault, error) {
	loc, sku, err := requiredVaultFields(in)
	if err != nil {
		return nil, err
	}
	p := in.Properties
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	v := scopevault.Vault{
		Name: req.route.name, SubscriptionID: req.sub.ID, ResourceGroup: g.Name, Location: loc,
		TenantID: strings.ToLower(*p.TenantID), Tags: in.Tags, SKU: sku,
		EnableRBACAuthorization: rbacDefault(req.apiVersion),
		PublicNetworkAccess:     "Enabled",
	}
	if p.EnableRbacAuthorization != nil {
		v.EnableRBACAuthorization = *p.EnableRbacAuthorization
	}
	if p.SoftDeleteRetentionInDays != nil {
		if *p.SoftDeleteRetentionInDays == 0 {
			return nil, errRetention()
		}
		v.SoftDeleteRetentionDays = *p.SoftDeleteRetentionInDays
	}
	if err := applyCommon(&v, p); err != nil {
		return nil, err
	}
	return h.cfg.Engine.CreateVault(req.ctx(), v)
}

// requiredVaultFields checks what every vault PUT must carry, a recover
// included: location, properties.tenantId and sku. It returns the
// normalized location and SKU name.
func requiredVaultFields(in *vaultIn) (loc, sku string, err error) {
	if in.Location == nil || strings.TrimSpace(*in.Location) == "" {
		return "", "", scopevault.Errorf(scopevault.EINVALID, "LocationRequired", "The location property is required for this definition.")
	}
	if loc, err = normalizeLocation(*in.Location); err != nil {
		return "", "", err
	}
	p := in.Properties
	if p.TenantID == nil || !scopevault.ValidGUID(*p.TenantID) {
		return "", "", badVault("The parameter 'properties.tenantId' is required and must be a GUID.")
	}
	if sku, err = parseSKU(p.SKU); err != nil {
		return "", "", err
	}
	return loc, sku, nil
}

// parseCreateMode reports whether a PUT asks to recover a soft-deleted vault.
func parseCreateMode(mode *string) (recovering bool, err error) {
	if mode == nil {
		return false, nil
	}
	switch strings.ToLower(*mode) {
	case "recover":
		return true, nil
	case "default":
		return false, nil
	}
	return false, badVault("The createMode '%s' is not valid. Valid values are 'default' and 'recover'.", clip(*mode))
}

// recoverVault is a PUT with createMode recover: the soft-deleted vault of
// that name, subscription and location comes back as it was deleted, with
// its secrets, into the request's resource group. The body's other
// properties are not applied (tenantId and sku are required by the schema
// all the same); role assignments removed by the DELETE stay removed.
func (h *Handler) recoverVault(req *request, g *scopevault.ResourceGroup, in *vaultIn) (*scopevault.Vault, error) {
	loc, _, err := requiredVaultFields(in)
	if err != nil {
		return nil, err
	}
	return h.cfg.Engine.RecoverVault(req.ctx(), req.sub.ID, loc, g.Name, req.route.name)
}

// patchVault is VaultPatchParameters: tags and properties, every field
// optional, an omitted one unchanged; networkAcls, when present, replaces
// the rule set as a whole.
func (h *Handler) patchVault(w http.ResponseWriter, req *request) error {
	var in vaultIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	in.Location = nil // not part of a patch
	g, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return err
	}
	existing, err := h.cfg.Engine.Vault(req.ctx(), req.route.name)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND ||
		err == nil && (!strings.EqualFold(existing.SubscriptionID, g.SubscriptionID) || !strings.EqualFold(existing.ResourceGroup, g.Name)) {
		return errVaultNotFound(req.route.name, req.route.group)
	}
	if err != nil {
		return err
	}
	if in.Properties != nil {
		if _, err := parseCreateMode(in.Properties.CreateMode); err != nil {
			return err
		}
	}
	if err := h.checkVNetRules(req, in.Properties); err != nil {
		return err
	}
	v, err := h.updateVault(req, existing, &in)
	if err != nil {
		return err
	}
	if err := h.cfg.OnVaultChanged(v); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.renderVault(v, h.network(req)))
	return nil
}

// updateVault applies a PUT or PATCH to an existing vault: fields the body
// carries replace the stored ones, absent fields stay. Location, retention
// and purge protection follow the service's immutability rules.
func (h *Handler) updateVault(req *request, existing *scopevault.Vault, in *vaultIn) (*scopevault.Vault, error) {
	if in.Location != nil {
		loc, err := normalizeLocation(*in.Location)
		if err != nil {
			return nil, err
		}
		if loc != existing.Location {
			return nil, scopevault.Errorf(scopevault.ECONFLICT, "InvalidResourceLocation",
				"The resource '%s' already exists in location '%s' in resource group '%s'. A resource with the same name cannot be created in location '%s'. Please select a new resource name.",
				existing.Name, existing.Location, existing.ResourceGroup, loc)
		}
	}
	p := in.Properties
	if p == nil {
		p = &vaultPropsIn{}
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	var sku string
	if p.SKU != nil {
		var err error
		if sku, err = parseSKU(p.SKU); err != nil {
			return nil, err
		}
	}
	if p.TenantID != nil && !scopevault.ValidGUID(*p.TenantID) {
		return nil, badVault("The parameter 'properties.tenantId' must be a GUID.")
	}
	if p.EnableRbacAuthorization != nil && *p.EnableRbacAuthorization != existing.EnableRBACAuthorization {
		d, err := h.cfg.Authz.AuthorizeManagement(req.ctx(), req.caller, actSwitchModel, existing.ResourceID())
		if err != nil {
			return nil, err
		}
		if !d.Allowed {
			return nil, denied(req.caller, actSwitchModel, existing.ResourceID())
		}
	}
	return h.cfg.Engine.UpdateVault(req.ctx(), existing.Name, func(v *scopevault.Vault) error {
		if p.SoftDeleteRetentionInDays != nil && *p.SoftDeleteRetentionInDays != v.RetentionDays() {
			return badVault("The property \"softDeleteRetentionInDays\" can only be set when the vault is created.")
		}
		if p.EnablePurgeProtection != nil && !*p.EnablePurgeProtection && v.EnablePurgeProtection {
			return badVault("The property \"enablePurgeProtection\" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.")
		}
		if in.Tags != nil {
			v.Tags = in.Tags
		}
		if sku != "" {
			v.SKU = sku
		}
		if p.TenantID != nil {
			v.TenantID = strings.ToLower(*p.TenantID)
		}
		if p.EnableRbacAuthorization != nil {
			v.EnableRBACAuthorization = *p.EnableRbacAuthorization
		}
		return applyCommon(v, p)
	})
}

// applyCommon sets the properties create and update treat alike.
func applyCommon(v *scopevault.Vault, p *vaultPropsIn) error {
	if p.EnableSoftDelete != nil && !*p.EnableSoftDelete {
		return badVault("The property \"enableSoftDelete\" cannot be set to false: soft delete is mandatory for every vault.")
	}
	if p.EnablePurgeProtection != nil && *p.EnablePurgeProtection {
		v.EnablePurgeProtection = true
	}
	if p.AccessPolicies != nil {
		aps, err := parseAccessPolicies(*p.AccessPolicies)
		if err != nil {
			return err
		}
		if err := checkPolicyTenant(aps, v.TenantID); err != nil {
			return err
		}
		v.AccessPolicies = aps
	}
	if p.NetworkACLs != nil {
		acl, err := parseNetworkACLs(p.NetworkACLs)
		if err != nil {
			return err
		}
		v.NetworkACLs = acl
	}
	if p.PublicNetworkAccess != nil {
		pna, err := parsePublicNetworkAccess(*p.PublicNetworkAccess)
		if err != nil {
			return err
		}
		v.PublicNetworkAccess = pna
	}
	if p.EnabledForDeployment != nil {
		v.EnabledForDeployment = *p.EnabledForDeployment
	}
	if p.EnabledForDiskEncryption != nil {
		v.EnabledForDiskEncryption = *p.EnabledForDiskEncryption
	}
	if p.EnabledForTemplateDeployment != nil {
		v.EnabledForTemplateDeploy = *p.EnabledForTemplateDeployment
	}
	return nil
}

func errRetention() error {
	return badVault("The property \"softDeleteRetentionInDays\" has an invalid value. It must be between %d and %d.",
		scopevault.MinRetentionDays, scopevault.MaxRetentionDays)
}

func errVaultExists(name string) error {
	return scopevault.Errorf(scopevault.ECONFLICT, "VaultAlreadyExists",
		"The vault name '%s' is already in use. Vault names are globally unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged after being placed in a recoverable state. If the vault is in a recoverable state then the vault will need to be purged before reusing the name. For more information about VaultAlreadyExists, soft delete and purging a vault follow this link https://go.microsoft.com/fwlink/?linkid=2147740.", clip(name))
}

func errVaultNotFound(name, group string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "ResourceNotFound",
		"The Resource 'Microsoft.KeyVault/vaults/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", clip(name), clip(group))
}

func (h *Handler) getVault(w http.ResponseWriter, req *request) error {
	g, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return err
	}
	v, err := h.cfg.Engine.Vault(req.ctx(), req.route.name)
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND ||
		err == nil && (!strings.EqualFold(v.SubscriptionID, g.SubscriptionID) || !strings.EqualFold(v.ResourceGroup, g.Name)) {
		return errVaultNotFound(req.route.name, req.route.group)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.renderVault(v, h.network(req)))
	return nil
}

// vaultsIn returns the live vaults of the request's subscription, of one
// group when group is not "".
func (h *Handler) vaultsIn(req *request, group string) ([]*scopevault.Vault, error) {
	all, err := h.cfg.Engine.ListVaults(req.ctx())
	if err != nil {
		return nil, err
	}
	var out []*scopevault.Vault
	for _, v := range all {
		if v.Deleted != nil || !strings.EqualFold(v.SubscriptionID, req.sub.ID) {
			continue
		}
		if group != "" && !strings.EqualFold(v.ResourceGroup, group) {
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

// listVaults serves both list operations; $top bounds the page.
func (h *Handler) listVaults(w http.ResponseWriter, req *request) error {
	top := 0
	if s := req.r.URL.Query().Get("$top"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return scopevault.Errorf(scopevault.EINVALID, "InvalidParameter", "The value of $top must be an integer between 1 and 1000.")
		}
		top = n
	}
	vaults, err := h.vaultsIn(req, req.route.group)
	if err != nil {
		return err
	}
	seen, err := visible(h, req, req.route.scope, vaults, func(v *scopevault.Vault) string { return v.ResourceID() })
	if err != nil {
		return err
	}
	// The group's existence is checked after authorization, so a caller
	// without access cannot probe for group names.
	if req.route.group != "" {
		if _, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group); err != nil {
			return err
		}
	}
	if top > 0 && len(seen) > top {
		seen = seen[:top]
	}
	out := listJSON[vaultJSON]{Value: []vaultJSON{}}
	for _, v := range seen {
		out.Value = append(out.Value, h.renderVault(v, h.network(req)))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
