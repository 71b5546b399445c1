package authz

import (
	"fmt"
	"strings"

	"github.com/scopevault/scopevault"
)

// decideAccessPolicy evaluates a vault's legacy access policies for a secret
// operation. Entries apply when their tenant is the caller's and their object
// is the caller or one of its groups; an entry with an applicationId is a
// compound identity and applies only to that application acting for the
// object. Permissions are the union over applicable entries, so the first
// entry holding the permission decides. Access policies always cover the
// whole vault: there is no per-secret policy.
func decideAccessPolicy(caller *scopevault.Caller, v *scopevault.Vault, spec scopevault.OperationSpec) scopevault.Decision {
	d := scopevault.Decision{Model: ModelAccessPolicy}
	matched := false
	for _, p := range v.AccessPolicies {
		if !policyApplies(caller, p) {
			continue
		}
		matched = true
		if hasPermission(p.Permissions.Secrets, spec.Permission) {
			d.Allowed = true
			d.Rule = fmt.Sprintf("access policy for object '%s'%s grants secrets '%s'",
				p.ObjectID, appSuffix(p), spec.Permission)
			return d
		}
	}
	if !matched {
		d.Reason = ReasonAccessDenied
		d.Rule = "caller was not found on any access policy"
		return d
	}
	d.Reason = ReasonForbiddenByPolicy
	d.Rule = fmt.Sprintf("no access policy for the caller grants secrets '%s' permission", spec.Permission)
	return d
}

func policyApplies(c *scopevault.Caller, p scopevault.AccessPolicy) bool {
	if c.TenantID == "" || !strings.EqualFold(p.TenantID, c.TenantID) {
		return false
	}
	if p.ApplicationID != "" && !strings.EqualFold(p.ApplicationID, c.AppID) {
		return false
	}
	return principalMatches(c, p.ObjectID)
}

// hasPermission: "all" grants every secret permission; verbs compare
// case-insensitively because ARM accepts "Get" as well as "get".
func hasPermission(granted []string, want string) bool {
	for _, g := range granted {
		if strings.EqualFold(g, "all") || strings.EqualFold(g, want) {
			return true
		}
	}
	return false
}

func appSuffix(p scopevault.AccessPolicy) string {
	if p.ApplicationID == "" {
		return ""
	}
	return fmt.Sprintf(" with application '%s'", p.ApplicationID)
}
