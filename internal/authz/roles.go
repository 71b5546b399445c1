package authz

import (
	"context"
	"fmt"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/store"
)

// CreateOrUpdateRole stores a custom role definition under its GUID.
// created is false when a role with that GUID already existed. Built-in
// roles are read-only, and role names are unique in the directory (built-in
// names included), compared case-insensitively as ARM does.
func (a *Authorizer) CreateOrUpdateRole(ctx context.Context, def scopevault.RoleDefinition) (_ scopevault.RoleDefinition, created bool, err error) {
	def, err = normalizeCustomRole(def)
	if err != nil {
		return scopevault.RoleDefinition{}, false, err
	}
	err = a.update(ctx, func(tx store.Tx) error {
		all, err := allRoles(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range all {
			if r.ID != def.ID && strings.EqualFold(r.RoleName, def.RoleName) {
				return scopevault.Errorf(scopevault.ECONFLICT, "RoleDefinitionWithSameNameExists",
					"A role definition cannot be updated with a name that already exists.")
			}
		}
		var old scopevault.RoleDefinition
		found, err := getJSON(ctx, tx, rolesPrefix+def.ID, &old)
		if err != nil {
			return err
		}
		created = !found
		return putJSON(ctx, tx, rolesPrefix+def.ID, def)
	})
	if err != nil {
		return scopevault.RoleDefinition{}, false, err
	}
	return cloneRole(def), created, nil
}

func normalizeCustomRole(def scopevault.RoleDefinition) (scopevault.RoleDefinition, error) {
	def = cloneRole(def)
	def.ID = RoleGUID(def.ID)
	switch {
	case !guidExactRE.MatchString(def.ID):
		return def, scopevault.Errorf(scopevault.EINVALID, "InvalidRoleDefinitionId",
			"The role definition ID '%s' is not valid. The role definition ID must be a GUID.", def.ID)
	case builtinByID[def.ID].def.ID != "":
		return def, errBuiltinReadOnly()
	case strings.TrimSpace(def.RoleName) == "":
		return def, scopevault.Errorf(scopevault.EINVALID, "InvalidRoleDefinition", "The role name must not be empty.")
	case len(def.AssignableScopes) == 0:
		return def, scopevault.Errorf(scopevault.EINVALID, "InvalidRoleDefinition",
			"The role definition must have at least one assignable scope.")
	}
	for _, s := range def.AssignableScopes {
		if !strings.HasPrefix(s, "/") {
			return def, scopevault.Errorf(scopevault.EINVALID, "InvalidRoleDefinition",
				"The assignable scope '%s' is not valid.", s)
		}
	}
	def.BuiltIn = false
	return def, nil
}

func errBuiltinReadOnly() error {
	return scopevault.Errorf(scopevault.EINVALID, "RoleDefinitionIsBuiltIn",
		"Built-in role definitions cannot be modified or deleted.")
}

func errRoleNotFound(id string) error {
	return scopevault.Errorf(scopevault.ENOTFOUND, "RoleDefinitionDoesNotExist",
		"The specified role definition with ID '%s' does not exist.", id)
}

// GetRole returns a built-in or custom role by GUID or role definition id.
func (a *Authorizer) GetRole(ctx context.Context, id string) (scopevault.RoleDefinition, error) {
	var r role
	err := a.view(ctx, func(tx store.Tx) error {
		var found bool
		var err error
		r, found, err = lookupRole(ctx, tx, id)
		if err == nil && !found {
			err = errRoleNotFound(RoleGUID(id))
		}
		return err
	})
	if err != nil {
		return scopevault.RoleDefinition{}, err
	}
	return cloneRole(r.def), nil
}

// DeleteRole removes a custom role and returns it. A role still referenced by
// an assignment stays, as in ARM: deleting it would leave grants nobody can read.
func (a *Authorizer) DeleteRole(ctx context.Context, id string) (scopevault.RoleDefinition, error) {
	guid := RoleGUID(id)
	if _, ok := builtinByID[guid]; ok {
		return scopevault.RoleDefinition{}, errBuiltinReadOnly()
	}
	var def scopevault.RoleDefinition
	err := a.update(ctx, func(tx store.Tx) error {
		r, found, err := lookupRole(ctx, tx, guid)
		if err != nil {
			return err
		}
		if !found {
			return errRoleNotFound(guid)
		}
		ras, err := listJSON[scopevault.RoleAssignment](ctx, tx, assignmentsPrefix)
		if err != nil {
			return err
		}
		for _, ra := range ras {
			if RoleGUID(ra.RoleDefinitionID) == guid {
				return scopevault.Errorf(scopevault.ECONFLICT, "RoleDefinitionHasAssignments",
					"There are existing role assignments referencing role.")
			}
		}
		def = r.def
		if err := tx.Delete(ctx, rolesPrefix+guid); err != nil {
			return fmt.Errorf("authz: delete role %s: %w", guid, err)
		}
		return nil
	})
	if err != nil {
		return scopevault.RoleDefinition{}, err
	}
	return def, nil
}

// ListRoles returns built-in roles (in a stable order) then custom roles
// (by GUID). A non-empty filterRoleName keeps only roles of that name,
// case-insensitively, like ARM's $filter=roleName eq '...'.
func (a *Authorizer) ListRoles(ctx context.Context, filterRoleName string) ([]scopevault.RoleDefinition, error) {
	var all []scopevault.RoleDefinition
	err := a.view(ctx, func(tx store.Tx) error {
		var err error
		all, err = allRoles(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, r := range all {
		if filterRoleName == "" || strings.EqualFold(r.RoleName, filterRoleName) {
			out = append(out, r)
		}
	}
	return out, nil
}

// RoleByName returns the role named name, case-insensitively.
func (a *Authorizer) RoleByName(ctx context.Context, name string) (scopevault.RoleDefinition, error) {
	rs, err := a.ListRoles(ctx, name)
	if err != nil {
		return scopevault.RoleDefinition{}, err
	}
	if len(rs) == 0 || name == "" {
		return scopevault.RoleDefinition{}, scopevault.Errorf(scopevault.ENOTFOUND, "RoleDefinitionDoesNotExist",
			"The role definition '%s' does not exist.", name)
	}
	return rs[0], nil
}

func allRoles(ctx context.Context, tx store.Tx) ([]scopevault.RoleDefinition, error) {
	custom, err := listJSON[scopevault.RoleDefinition](ctx, tx, rolesPrefix)
	if err != nil {
		return nil, err
	}
	return append(BuiltinRoles(), custom...), nil
}
