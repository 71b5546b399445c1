package authz

import (
	"context"
	"fmt"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// ListFilter selects role assignments.
type ListFilter struct {
	// Scope limits the list to assignments related to this scope; "" lists all.
	Scope string
	// AtScope keeps only assignments at or above Scope (ARM's atScope()).
	// Without it, assignments at, above or below Scope are listed, as ARM's
	// list-by-scope does.
	AtScope bool
	// PrincipalID keeps only assignments to this principal (case-insensitive).
	PrincipalID string
}

// CreateAssignment stores a role assignment under its name (a GUID).
//
// Re-putting the same name with the same principal, role and scope is
// idempotent: created is false and only description and principal type are
// updated. The same name with another principal, role or scope is refused
// (ARM does not allow moving an assignment), and so is the same principal,
// role and scope under another name. The assignment is stamped with Now();
// a caller-supplied Created is ignored, so nobody can backdate past the
// propagation delay.
func (a *Authorizer) CreateAssignment(ctx context.Context, ra scopevault.RoleAssignment) (_ scopevault.RoleAssignment, created bool, err error) {
	ra.Seeded = false
	return a.createAssignment(ctx, ra)
}

// SeedAssignment is CreateAssignment for the grants the composition root
// makes before it serves any request (the bootstrap admin's roles): they are
// effective at once and stay exempt from PropagationDelay, even when a later
// start configures a longer delay.
func (a *Authorizer) SeedAssignment(ctx context.Context, ra scopevault.RoleAssignment) (_ scopevault.RoleAssignment, created bool, err error) {
	ra.Seeded = true
	return a.createAssignment(ctx, ra)
}

func (a *Authorizer) createAssignment(ctx context.Context, ra scopevault.RoleAssignment) (_ scopevault.RoleAssignment, created bool, err error) {
	ra, err = normalizeAssignment(ra)
	if err != nil {
		return scopevault.RoleAssignment{}, false, err
	}
	err = a.update(ctx, func(tx store.Tx) error {
		r, found, err := lookupRole(ctx, tx, ra.RoleDefinitionID)
		if err != nil {
			return err
		}
		if !found || !assignableAt(r.def, ra.Scope) {
			// ARM reports a role not assignable at the scope as not existing there.
			return scopevault.Errorf(scopevault.EINVALID, "RoleDefinitionDoesNotExist",
				"The specified role definition with ID '%s' does not exist.", ra.RoleDefinitionID)
		}
		var old scopevault.RoleAssignment
		found, err = getJSON(ctx, tx, assignmentsPrefix+ra.Name, &old)
		if err != nil {
			return err
		}
		if found {
			if !sameGrant(old, ra) {
				return scopevault.Errorf(scopevault.ECONFLICT, "RoleAssignmentUpdateNotPermitted",
					"Tenant ID, application ID, principal ID, and scope are not allowed to be updated.")
			}
			old.Description, old.PrincipalType = ra.Description, ra.PrincipalType
			ra = old
			return putJSON(ctx, tx, assignmentsPrefix+ra.Name, ra)
		}
		all, err := listJSON[scopevault.RoleAssignment](ctx, tx, assignmentsPrefix)
		if err != nil {
			return err
		}
		for _, o := range all {
			if sameGrant(o, ra) {
				return scopevault.Errorf(scopevault.ECONFLICT, "RoleAssignmentExists", "The role assignment already exists.")
			}
		}
		created = true
		ra.Created = a.now()
		return putJSON(ctx, tx, assignmentsPrefix+ra.Name, ra)
	})
	if err != nil {
		return scopevault.RoleAssignment{}, false, err
	}
	return ra, created, nil
}

func normalizeAssignment(ra scopevault.RoleAssignment) (scopevault.RoleAssignment, error) {
	// Lower-case names and role GUIDs: both are GUIDs ARM compares
	// case-insensitively, and the name becomes a storage key.
	ra.Name = strings.ToLower(ra.Name)
	ra.RoleDefinitionID = RoleGUID(ra.RoleDefinitionID)
	if ra.Scope != "/" {
		ra.Scope = strings.TrimRight(ra.Scope, "/")
	}
	switch {
	case !guidExactRE.MatchString(ra.Name):
		return ra, scopevault.Errorf(scopevault.EINVALID, "InvalidRoleAssignmentId",
			"The role assignment ID '%s' is not valid. The role assignment ID must be a GUID.", ra.Name)
	case !strings.HasPrefix(ra.Scope, "/"):
		return ra, scopevault.Errorf(scopevault.EINVALID, "InvalidScope", "The scope '%s' is not valid.", ra.Scope)
	case strings.TrimSpace(ra.PrincipalID) == "":
		return ra, scopevault.Errorf(scopevault.EINVALID, "InvalidPrincipalId", "The principal ID must not be empty.")
	}
	if ra.PrincipalType == "" {
		ra.PrincipalType = scopevault.KindUser // ARM's default
	}
	return ra, nil
}

// sameGrant reports whether two assignments give the same role to the same
// principal at the same scope: ARM's identity of an assignment besides its name.
func sameGrant(x, y scopevault.RoleAssignment) bool {
	return strings.EqualFold(x.PrincipalID, y.PrincipalID) &&
		RoleGUID(x.RoleDefinitionID) == RoleGUID(y.RoleDefinitionID) &&
		sameScope(x.Scope, y.Scope)
}

func assignableAt(def scopevault.RoleDefinition, scope string) bool {
	for _, s := range def.AssignableScopes {
		if IsAncestorOrSelf(s, scope) {
			return true
		}
	}
	return false
}

func errAssignmentNotFound(name string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "RoleAssignmentNotFound",
		"The role assignment '%s' is not found.", name)
}

// GetAssignment returns the assignment with the given name.
func (a *Authorizer) GetAssignment(ctx context.Context, name string) (scopevault.RoleAssignment, error) {
	var ra scopevault.RoleAssignment
	err := a.view(ctx, func(tx store.Tx) error {
		var err error
		ra, err = getAssignment(ctx, tx, name)
		return err
	})
	return ra, err
}

func getAssignment(ctx context.Context, tx store.Tx, name string) (scopevault.RoleAssignment, error) {
	key := strings.ToLower(name)
	if !guidExactRE.MatchString(key) {
		return scopevault.RoleAssignment{}, errAssignmentNotFound(name)
	}
	var ra scopevault.RoleAssignment
	found, err := getJSON(ctx, tx, assignmentsPrefix+key, &ra)
	if err == nil && !found {
		err = errAssignmentNotFound(name)
	}
	return ra, err
}

// DeleteAssignment removes the named assignment and returns it.
func (a *Authorizer) DeleteAssignment(ctx context.Context, name string) (scopevault.RoleAssignment, error) {
	var ra scopevault.RoleAssignment
	err := a.update(ctx, func(tx store.Tx) error {
		var err error
		if ra, err = getAssignment(ctx, tx, name); err != nil {
			return err
		}
		return deleteAssignment(ctx, tx, ra)
	})
	if err != nil {
		return scopevault.RoleAssignment{}, err
	}
	return ra, nil
}

func deleteAssignment(ctx context.Context, tx store.Tx, ra scopevault.RoleAssignment) error {
	if err := tx.Delete(ctx, assignmentsPrefix+ra.Name); err != nil {
		return fmt.Errorf("authz: delete assignment %s: %w", ra.Name, err)
	}
	return nil
}

// ListAssignments returns the assignments f selects, ordered by name.
func (a *Authorizer) ListAssignments(ctx context.Context, f ListFilter) ([]scopevault.RoleAssignment, error) {
	var out []scopevault.RoleAssignment
	err := a.view(ctx, func(tx store.Tx) error {
		all, err := listJSON[scopevault.RoleAssignment](ctx, tx, assignmentsPrefix)
		if err != nil {
			return err
		}
		out = all[:0]
		for _, ra := range all {
			if f.matches(ra) {
				out = append(out, ra)
			}
		}
		return nil
	})
	return out, err
}

func (f ListFilter) matches(ra scopevault.RoleAssignment) bool {
	if f.PrincipalID != "" && !strings.EqualFold(f.PrincipalID, ra.PrincipalID) {
		return false
	}
	if f.Scope == "" {
		return true
	}
	above := IsAncestorOrSelf(ra.Scope, f.Scope)
	if f.AtScope {
		return above
	}
	return above || IsAncestorOrSelf(f.Scope, ra.Scope)
}

// DeleteAssignmentsUnder removes every assignment at scope or below it and
// returns them. Deleting a vault calls it with the vault id, so a vault
// recreated under the same name does not inherit old grants.
func (a *Authorizer) DeleteAssignmentsUnder(ctx context.Context, scope string) ([]scopevault.RoleAssignment, error) {
	var gone []scopevault.RoleAssignment
	err := a.update(ctx, func(tx store.Tx) error {
		all, err := listJSON[scopevault.RoleAssignment](ctx, tx, assignmentsPrefix)
		if err != nil {
			return err
		}
		for _, ra := range all {
			if !IsAncestorOrSelf(scope, ra.Scope) {
				continue
			}
			if err := deleteAssignment(ctx, tx, ra); err != nil {
				return err
			}
			gone = append(gone, ra)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return gone, nil
}
