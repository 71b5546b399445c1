package cli

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// assignmentJSON is az's flattened role assignment output.
type assignmentJSON struct {
	Condition                          *string `json:"condition"`
	ConditionVersion                   *string `json:"conditionVersion"`
	CreatedBy                          *string `json:"createdBy"`
	CreatedOn                          string  `json:"createdOn"`
	DelegatedManagedIdentityResourceID *string `json:"delegatedManagedIdentityResourceId"`
	Description                        *string `json:"description"`
	ID                                 string  `json:"id"`
	Name                               string  `json:"name"`
	PrincipalID                        string  `json:"principalId"`
	PrincipalType                      string  `json:"principalType"`
	ResourceGroup                      string  `json:"resourceGroup,omitempty"`
	RoleDefinitionID                   string  `json:"roleDefinitionId"`
	Scope                              string  `json:"scope"`
	Type                               string  `json:"type"`
	UpdatedBy                          *string `json:"updatedBy"`
	UpdatedOn                          string  `json:"updatedOn"`
}

func azAssignment(ra client.RoleAssignment) assignmentJSON {
	p := ra.Properties
	return assignmentJSON{
		Condition: p.Condition, ConditionVersion: p.ConditionVersion, CreatedBy: p.CreatedBy, CreatedOn: p.CreatedOn,
		Description: p.Description, ID: ra.ID, Name: ra.Name, PrincipalID: p.PrincipalID, PrincipalType: p.PrincipalType,
		ResourceGroup: client.ResourceGroupOf(p.Scope), RoleDefinitionID: p.RoleDefinitionID, Scope: p.Scope, Type: ra.Type,
		UpdatedBy: p.UpdatedBy, UpdatedOn: p.UpdatedOn,
	}
}

func (a *azCLI) roleCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "role", Short: "Manage Azure role assignments"}
	asg := &cobra.Command{Use: "assignment", Short: "Manage role assignments"}
	asg.AddCommand(a.roleAssignmentCreateCommand(), a.roleAssignmentListCommand(), a.roleAssignmentDeleteCommand())
	cmd.AddCommand(asg)
	return cmd
}

// assignmentScope is --scope, else the resource group's or the subscription's id.
func assignmentScope(scope, group, sub string) string {
	switch {
	case scope != "":
		return scope
	case group != "":
		return "/subscriptions/" + sub + "/resourceGroups/" + group
	}
	return "/subscriptions/" + sub
}

// resolveRole turns --role (a name, a GUID or a role definition id) into a role definition id.
func resolveRole(ctx context.Context, s *session, scope, sub, role string) (string, error) {
	if guidRE.MatchString(role) {
		return "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + role, nil
	}
	if strings.Contains(strings.ToLower(role), "/providers/microsoft.authorization/roledefinitions/") {
		return role, nil
	}
	defs, err := s.arm.RoleDefinitionsByName(ctx, scope, role)
	if err != nil {
		return "", err
	}
	switch len(defs) {
	case 0:
		return "", fmt.Errorf("Role '%s' doesn't exist.", role)
	case 1:
		return defs[0].ID, nil
	}
	return "", fmt.Errorf("Multiple roles match '%s'. Please use the role definition id instead.", role)
}

// resolveAssignee turns --assignee (an app id, object id, user principal
// name or service principal display name) into an object id and principal type.
func resolveAssignee(ctx context.Context, s *session, assignee string) (string, string, error) {
	notFound := fmt.Errorf("Cannot find user or service principal in graph database for '%s'. If the assignee is an appId, make sure the corresponding service principal is created with 'az ad sp create --id %s'.", assignee, assignee)
	if strings.Contains(assignee, "@") {
		u, err := s.graph.User(ctx, assignee)
		if client.IsNotFound(err) {
			return "", "", notFound
		}
		return u.ID, "User", err
	}
	if guidRE.MatchString(assignee) {
		sps, err := s.graph.ServicePrincipalsByAppID(ctx, assignee)
		if err != nil {
			return "", "", err
		}
		if len(sps) == 1 {
			return sps[0].ID, "ServicePrincipal", nil
		}
		obj, err := s.graph.DirectoryObject(ctx, assignee)
		if client.IsNotFound(err) {
			return "", "", notFound
		}
		return obj.ID, obj.PrincipalType(), err
	}
	sps, err := s.graph.ServicePrincipalsByName(ctx, assignee)
	if err != nil {
		return "", "", err
	}
	if len(sps) != 1 {
		return "", "", notFound
	}
	return sps[0].ID, "ServicePrincipal", nil
}

func (a *azCLI) roleAssignmentCreateCommand() *cobra.Command {
	var assignee, objectID, principalType, role, scope, group, description string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Assign a role to a user, group or service principal at a scope",
		Example: `  az role assignment create --assignee $APP_ID --role "Key Vault Secrets User" \
    --scope $(az keyvault show -n kv-data --query id -o tsv)`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if role == "" {
				return errors.New("the following arguments are required: --role")
			}
			if (assignee == "") == (objectID == "") {
				return errors.New("usage error: --assignee STRING | --assignee-object-id GUID")
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			sc := assignmentScope(scope, group, sub)
			roleID, err := resolveRole(ctx, s, sc, sub, role)
			if err != nil {
				return err
			}
			principal, ptype := objectID, principalType
			if assignee != "" {
				if principal, ptype, err = resolveAssignee(ctx, s, assignee); err != nil {
					return err
				}
			}
			p := client.RoleAssignmentProperties{RoleDefinitionID: roleID, PrincipalID: principal, PrincipalType: ptype}
			if description != "" {
				p.Description = &description
			}
			ra, err := s.arm.CreateRoleAssignment(ctx, sc, client.NewAssignmentName(), p)
			if err != nil {
				return err
			}
			return a.print(cmd, azAssignment(ra))
		},
	}
	f := cmd.Flags()
	f.StringVar(&assignee, "assignee", "", "app id, object id, user principal name or service principal name")
	f.StringVar(&objectID, "assignee-object-id", "", "the assignee's object id (skips the directory lookup)")
	f.StringVar(&principalType, "assignee-principal-type", "", "User, Group or ServicePrincipal (with --assignee-object-id)")
	f.StringVar(&role, "role", "", "role name or id, e.g. \"Key Vault Secrets User\"")
	f.StringVar(&scope, "scope", "", "scope of the assignment (default: the subscription)")
	f.StringVarP(&group, "resource-group", "g", "", "assign at this resource group")
	f.StringVar(&description, "description", "", "description of the assignment")
	return cmd
}

func (a *azCLI) roleAssignmentListCommand() *cobra.Command {
	var assignee, scope, group string
	var all bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List role assignments at a scope",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			sc := assignmentScope(scope, group, sub)
			filter := ""
			if !all {
				filter = "atScope()"
			}
			if assignee != "" {
				id, _, err := resolveAssignee(ctx, s, assignee)
				if err != nil {
					return err
				}
				filter = strings.TrimPrefix(filter+" and principalId eq '"+id+"'", " and ")
			}
			ras, err := s.arm.RoleAssignments(ctx, sc, filter)
			if err != nil {
				return err
			}
			out := []assignmentJSON{}
			for _, ra := range ras {
				out = append(out, azAssignment(ra))
			}
			return a.print(cmd, out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&assignee, "assignee", "", "only assignments to this principal")
	f.StringVar(&scope, "scope", "", "scope (default: the subscription)")
	f.StringVarP(&group, "resource-group", "g", "", "list at this resource group")
	f.BoolVar(&all, "all", false, "include assignments below the scope")
	return cmd
}

func (a *azCLI) roleAssignmentDeleteCommand() *cobra.Command {
	var ids []string
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete role assignments by id",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(ids) == 0 {
				return errors.New("usage error: --ids ID [ID ...]")
			}
			s, err := newSession()
			if err != nil {
				return err
			}
			for _, id := range ids {
				scope, name, ok := strings.Cut(id, "/providers/Microsoft.Authorization/roleAssignments/")
				if !ok || name == "" {
					return fmt.Errorf("argument --ids: %q is not a role assignment id", id)
				}
				if scope == "" {
					scope = "/"
				}
				if _, err := s.arm.DeleteRoleAssignment(cmd.Context(), scope, name); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&ids, "ids", nil, "role assignment ids")
	return cmd
}
