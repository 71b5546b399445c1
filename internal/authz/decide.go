package authz

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// Decision models and reasons.
const (
	ModelRBAC         = "rbac"
	ModelAccessPolicy = "accesspolicy"

	ReasonForbiddenByRbac     = "ForbiddenByRbac"
	ReasonAuthorizationFailed = "AuthorizationFailed"
	ReasonAccessDenied        = "AccessDenied"
	ReasonForbiddenByPolicy   = "ForbiddenByPolicy"

	ruleNoAssignment = "no role assignment grants the action"
)

// AuthorizeData decides a Key Vault data-plane operation on vault v.
// secretName is the addressed secret, or "" for vault-wide operations (list,
// restore); only then do secret-scoped role assignments not count.
//
// The vault's permission model picks the evaluator and the other model is
// ignored entirely: access policies on an RBAC vault grant nothing, and role
// assignments on an access-policy vault grant nothing.
func (a *Authorizer) AuthorizeData(ctx context.Context, caller *scopevault.Caller, v *scopevault.Vault, op scopevault.Operation, secretName string) (scopevault.Decision, error) {
	spec, ok := scopevault.Operations[op]
	if !ok || !spec.DataAction {
		return scopevault.Decision{}, fmt.Errorf("authz: %q is not a data-plane operation", op)
	}
	if caller == nil || v == nil {
		return scopevault.Decision{}, fmt.Errorf("authz: AuthorizeData needs a caller and a vault")
	}
	// resource is as Key Vault prints it in a 403: the vault id lower-cased,
	// the secret name as the caller wrote it. Only a denial names it.
	vaultID := v.ResourceID()
	scope := vaultID
	resource := func() string {
		r := strings.ToLower(vaultID)
		if secretName != "" {
			r += "/secrets/" + secretName
		}
		return r
	}
	if !v.EnableRBACAuthorization {
		d := decideAccessPolicy(caller, v, spec)
		d.Action = spec.Action
		if !d.Allowed {
			d.Resource = resource()
		}
		return d, nil
	}
	if secretName != "" && !strings.Contains(secretName, "/") {
		// A name with "/" is never a real secret; appending it could make a
		// grant on secret "a" cover "a/../b", so only vault-wide grants count.
		scope += "/secrets/" + secretName
	}
	d, err := a.decideRBAC(ctx, caller, spec.Action, scope, true, "")
	if err != nil {
		return scopevault.Decision{}, err
	}
	if !d.Allowed {
		d.Resource, d.Reason = resource(), ReasonForbiddenByRbac
	}
	return d, nil
}

// AuthorizeManagement decides an ARM action (e.g.
// "Microsoft.KeyVault/vaults/write") at scope from actions/notActions only:
// dataActions never grant management operations. Grants that built-in roles
// make only under a condition (Key Vault Data Access Administrator's
// roleAssignments/write) do not count here; AuthorizeRoleAssignment
// evaluates them. That also makes this the check for "unrestricted
// roleAssignments/write", which switching a vault's permission model needs.
func (a *Authorizer) AuthorizeManagement(ctx context.Context, caller *scopevault.Caller, action, scope string) (scopevault.Decision, error) {
	return a.authorizeManagement(ctx, caller, action, scope, "")
}

// AuthorizeRoleAssignment decides writing or deleting (action
// "Microsoft.Authorization/roleAssignments/write" or ".../delete") an
// assignment of role roleDefinitionID at scope. Unlike AuthorizeManagement
// it honours conditional grants, which limit the roles one may assign.
func (a *Authorizer) AuthorizeRoleAssignment(ctx context.Context, caller *scopevault.Caller, action, scope, roleDefinitionID string) (scopevault.Decision, error) {
	target := RoleGUID(roleDefinitionID)
	if target == "" {
		// An empty target must not look like "no condition applies".
		target = "-"
	}
	return a.authorizeManagement(ctx, caller, action, scope, target)
}

func (a *Authorizer) authorizeManagement(ctx context.Context, caller *scopevault.Caller, action, scope, target string) (scopevault.Decision, error) {
	if caller == nil {
		return scopevault.Decision{}, fmt.Errorf("authz: AuthorizeManagement needs a caller")
	}
	d, err := a.decideRBAC(ctx, caller, action, scope, false, target)
	if err != nil {
		return scopevault.Decision{}, err
	}
	d.Resource = scope
	if !d.Allowed {
		d.Reason = ReasonAuthorizationFailed
	}
	return d, nil
}

// decideRBAC finds an effective assignment to the caller, at resource or an
// ancestor, whose role grants action. Any one grant allows: notActions
// subtract within a block and are not denies. When several grant, the most
// specific scope is reported, the one an operator would look at first.
func (a *Authorizer) decideRBAC(ctx context.Context, caller *scopevault.Caller, action, resource string, data bool, target string) (scopevault.Decision, error) {
	d := scopevault.Decision{Model: ModelRBAC, Action: action, Rule: ruleNoAssignment}
	now := a.now()
	best := -1
	snap, err := a.snapshot(ctx)
	if err != nil {
		return scopevault.Decision{}, err
	}
	var buf [16]int
	for _, i := range snap.candidates(caller, buf[:0]) {
		ra := &snap.assignments[i]
		if !IsAncestorOrSelf(ra.Scope, resource) ||
			!ra.Seeded && now.Before(ra.Created.Add(a.PropagationDelay)) {
			continue
		}
		if best >= 0 && scopeDepth(ra.Scope) <= scopeDepth(snap.assignments[best].Scope) {
			continue
		}
		r, ok := snap.roles[ra.RoleDefinitionID]
		if !ok {
			continue // a dangling role grants nothing
		}
		granted, known := false, false
		if data && target == "" {
			granted, known = r.dataGrants[action]
		}
		if !known {
			granted = r.grants(action, data, target)
		}
		if granted {
			best = i
		}
	}
	if best >= 0 {
		d.Allowed = true
		d.AssignmentID, d.Rule = snap.ids[best], snap.rules[best]
	}
	return d, nil
}

// AssignmentID is the ARM id of an assignment, the form decisions carry.
func AssignmentID(ra scopevault.RoleAssignment) string {
	return strings.TrimRight(ra.Scope, "/") + "/providers/Microsoft.Authorization/roleAssignments/" + ra.Name
}

// candidates are the indexes, in snapshot order, of the assignments to the
// caller or to one of its groups (GroupIDs are already transitive, resolved
// by identity): a decision looks at those only, not at every assignment.
func (s *rbacSnapshot) candidates(c *scopevault.Caller, out []int) []int {
	add := func(principalID string) {
		if principalID != "" {
			out = append(out, s.byPrincipal[strings.ToLower(principalID)]...)
		}
	}
	add(c.ObjectID)
	for _, g := range c.GroupIDs {
		add(g)
	}
	if len(c.GroupIDs) > 0 {
		// Snapshot order keeps which of equally specific grants is reported.
		slices.Sort(out)
		out = slices.Compact(out)
	}
	return out
}

// grants reports whether some permission block of r allows action: a
// matching (data)action pattern and no matching not-pattern in that block.
// target is "" outside role-assignment checks: conditional grants then fail closed.
func (r role) grants(action string, data bool, target string) bool {
	if r.assignable != nil && isConditionedAction(action) && (target == "" || !r.assignable[target]) {
		return false
	}
	for _, p := range r.def.Permissions {
		allow, deny := p.Actions, p.NotActions
		if data {
			allow, deny = p.DataActions, p.NotDataActions
		}
		if anyMatch(allow, action) && !anyMatch(deny, action) {
			return true
		}
	}
	return false
}

// isConditionedAction: the actions the built-in delegation condition governs.
func isConditionedAction(action string) bool {
	return MatchAction("Microsoft.Authorization/roleAssignments/write", action) ||
		MatchAction("Microsoft.Authorization/roleAssignments/delete", action)
}

func anyMatch(patterns []string, action string) bool {
	for _, p := range patterns {
		if MatchAction(p, action) {
			return true
		}
	}
	return false
}

// rbacSnapshot is every assignment with its role resolved: what decisions
// read on the hot path, rebuilt only when something under authz/ changed.
type rbacSnapshot struct {
	assignments []scopevault.RoleAssignment
	roles       map[string]role // by role GUID; dangling roles are absent
	// byPrincipal indexes assignments by lower-cased principal id.
	byPrincipal map[string][]int
	// ids and rules are each assignment's ARM id and the rule a decision
	// it makes names, built once per snapshot rather than per request.
	ids, rules []string
}

func (a *Authorizer) snapshot(ctx context.Context) (*rbacSnapshot, error) {
	return a.cache.Get(a.st, "authz", func() (*rbacSnapshot, error) {
		snap := &rbacSnapshot{roles: map[string]role{}, byPrincipal: map[string][]int{}}
		err := a.view(ctx, func(tx store.Tx) error {
			all, err := listJSON[scopevault.RoleAssignment](ctx, tx, assignmentsPrefix)
			if err != nil {
				return err
			}
			snap.assignments = all
			for i, ra := range all {
				if ra.PrincipalID != "" {
					p := strings.ToLower(ra.PrincipalID)
					snap.byPrincipal[p] = append(snap.byPrincipal[p], i)
				}
				if _, done := snap.roles[ra.RoleDefinitionID]; done {
					continue
				}
				r, found, err := lookupRole(ctx, tx, ra.RoleDefinitionID)
				if err != nil {
					return err
				}
				if found {
					r.dataGrants = map[string]bool{}
					for _, spec := range scopevault.Operations {
						if spec.DataAction {
							r.dataGrants[spec.Action] = r.grants(spec.Action, true, "")
						}
					}
					snap.roles[ra.RoleDefinitionID] = r
				}
			}
			snap.ids, snap.rules = make([]string, len(all)), make([]string, len(all))
			for i, ra := range all {
				snap.ids[i] = AssignmentID(ra)
				if r, ok := snap.roles[ra.RoleDefinitionID]; ok {
					snap.rules[i] = fmt.Sprintf("role '%s' assigned at '%s'", r.def.RoleName, ra.Scope)
				}
			}
			return nil
		})
		return snap, err
	})
}

// principalMatches: an access policy or assignment names the caller or one
// of its groups (GroupIDs are already transitive, resolved by identity).
func principalMatches(c *scopevault.Caller, principalID string) bool {
	if principalID == "" {
		return false
	}
	if strings.EqualFold(principalID, c.ObjectID) {
		return true
	}
	for _, g := range c.GroupIDs {
		if strings.EqualFold(principalID, g) {
			return true
		}
	}
	return false
}
