package arm

import (
	"net/http"
	"slices"
	"strings"

	"github.com/scopevault/scopevault"
)

// PUT .../vaults/{vault}/accessPolicies/{add|replace|remove} (reference
// §1.1, §2.5): edits a vault's access-policy list without a full vault PUT.
// Entries are identified by objectId (and applicationId, for compound
// identities):
//   - add merges each entry's permissions into the existing one, or appends it;
//   - remove takes the listed permissions away and drops entries left with none;
//   - replace makes the list exactly the given entries.

type accessPolicyParamsIn struct {
	Properties *struct {
		AccessPolicies *[]accessPolicyJSON `json:"accessPolicies"`
	} `json:"properties"`
}

type accessPolicyPropsJSON struct {
	AccessPolicies []accessPolicyJSON `json:"accessPolicies"`
}

// accessPolicyParamsJSON is VaultAccessPolicyParameters. Like the service,
// the response echoes the entries of the request, not the resulting list
// (a GET of the vault shows that).
type accessPolicyParamsJSON struct {
	ID         string                `json:"id"`
	Name       string                `json:"name"`
	Type       string                `json:"type"`
	Location   string                `json:"location"`
	Properties accessPolicyPropsJSON `json:"properties"`
}

const accessPoliciesType = "Microsoft.KeyVault/vaults/accessPolicies"

func (h *Handler) updateAccessPolicy(w http.ResponseWriter, req *request) error {
	kind := req.route.kind
	if kind != "add" && kind != "replace" && kind != "remove" {
		return badVault("The access policy operation kind '%s' is not valid. Valid values are 'add', 'replace' and 'remove'.", clip(kind))
	}
	var in accessPolicyParamsIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	if in.Properties == nil || in.Properties.AccessPolicies == nil {
		return badVault("The parameter 'properties.accessPolicies' is required.")
	}
	aps, err := parseAccessPolicies(*in.Properties.AccessPolicies)
	if err != nil {
		return err
	}
	g, err := h.cfg.RM.Group(req.ctx(), req.sub.ID, req.route.group)
	if err != nil {
		return err
	}
	v, err := h.cfg.Engine.UpdateVault(req.ctx(), req.route.name, func(v *scopevault.Vault) error {
		if !strings.EqualFold(v.SubscriptionID, g.SubscriptionID) || !strings.EqualFold(v.ResourceGroup, g.Name) {
			return errVaultNotFound(req.route.name, req.route.group)
		}
		if err := checkPolicyTenant(aps, v.TenantID); err != nil {
			return err
		}
		var next []scopevault.AccessPolicy
		switch kind {
		case "add":
			next = addPolicies(v.AccessPolicies, aps)
		case "remove":
			next = removePolicies(v.AccessPolicies, aps)
		default:
			next = aps
		}
		if len(next) > maxAccessPolicies {
			return badVault("The number of access policies (%d) exceeds the maximum of %d.", len(next), maxAccessPolicies)
		}
		v.AccessPolicies = next
		return nil
	})
	if scopevault.ErrorCodeOf(err) == scopevault.ENOTFOUND {
		return errVaultNotFound(req.route.name, req.route.group)
	}
	if err != nil {
		return err
	}
	if err := h.cfg.OnVaultChanged(v); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, accessPolicyParamsJSON{
		ID: v.ResourceID() + "/" + segAccessPolicies + "/" + kind, Name: kind, Type: accessPoliciesType, Location: v.Location,
		Properties: accessPolicyPropsJSON{AccessPolicies: renderAccessPolicies(aps)},
	})
	return nil
}

// checkPolicyTenant refuses entries of another tenant than the vault's: the
// data plane only ever sees tokens of the vault's tenant.
func checkPolicyTenant(aps []scopevault.AccessPolicy, tenant string) error {
	for i, ap := range aps {
		if !strings.EqualFold(ap.TenantID, tenant) {
			return badVault("The access policy at index %d has tenantId '%s', but every access policy must use the vault's tenant '%s'.", i, ap.TenantID, tenant)
		}
	}
	return nil
}

func samePrincipal(a, b scopevault.AccessPolicy) bool {
	return strings.EqualFold(a.ObjectID, b.ObjectID) && strings.EqualFold(a.ApplicationID, b.ApplicationID)
}

// addPolicies merges add into cur: the union of permissions per object type.
func addPolicies(cur, add []scopevault.AccessPolicy) []scopevault.AccessPolicy {
	out := clonePolicies(cur)
	for _, a := range add {
		i := slices.IndexFunc(out, func(p scopevault.AccessPolicy) bool { return samePrincipal(p, a) })
		if i < 0 {
			out = append(out, a)
			continue
		}
		p := &out[i].Permissions
		p.Keys = union(p.Keys, a.Permissions.Keys)
		p.Secrets = union(p.Secrets, a.Permissions.Secrets)
		p.Certificates = union(p.Certificates, a.Permissions.Certificates)
		p.Storage = union(p.Storage, a.Permissions.Storage)
	}
	return out
}

// removePolicies takes rm's permissions away from cur and drops the
// entries left with no permission at all.
func removePolicies(cur, rm []scopevault.AccessPolicy) []scopevault.AccessPolicy {
	out := clonePolicies(cur)
	for _, r := range rm {
		i := slices.IndexFunc(out, func(p scopevault.AccessPolicy) bool { return samePrincipal(p, r) })
		if i < 0 {
			continue
		}
		p := &out[i].Permissions
		p.Keys = minus(p.Keys, r.Permissions.Keys)
		p.Secrets = minus(p.Secrets, r.Permissions.Secrets)
		p.Certificates = minus(p.Certificates, r.Permissions.Certificates)
		p.Storage = minus(p.Storage, r.Permissions.Storage)
	}
	return slices.DeleteFunc(out, func(p scopevault.AccessPolicy) bool {
		return len(p.Permissions.Keys)+len(p.Permissions.Secrets)+len(p.Permissions.Certificates)+len(p.Permissions.Storage) == 0
	})
}

func clonePolicies(in []scopevault.AccessPolicy) []scopevault.AccessPolicy {
	out := make([]scopevault.AccessPolicy, len(in))
	for i, p := range in {
		out[i] = p
		out[i].Permissions = scopevault.Permissions{
			Keys: slices.Clone(p.Permissions.Keys), Secrets: slices.Clone(p.Permissions.Secrets),
			Certificates: slices.Clone(p.Permissions.Certificates), Storage: slices.Clone(p.Permissions.Storage),
		}
	}
	return out
}

// union appends to a the values of b it lacks (both are lower-cased).
func union(a, b []string) []string {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	return a
}

// minus is a without the values of b; nil when nothing is left.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
