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
	PrincipalName                      *string `json:"principalName,omitempty"`
	PrincipalType                      string  `json:"principalType"`
	ResourceGroup                      string  `json:"resourceGroup,omitempty"`
	RoleDefinitionID                   string  `json:"roleDefinitionId"`
	RoleDefinitionName                 *string `json:"roleDefinitionName,omitempty"`
	Scope                              string  `json:"scope"`
	Type                               string  `json:"type"`
	UpdatedBy                          *string `json:"updatedBy"`
	UpdatedOn                          string  `json:"updatedOn"`
}

func azAssignment(ra client.RoleAssignment) assignmentJSON {
	p := ra.Properties
	return assignmentJSON{
		Condition: p.Condition, ConditionVersion: p.ConditionVersion, CreatedBy: p.CreatedBy, CreatedOn: pyTime(p.CreatedOn),
		Description: p.Description, ID: ra.ID, Name: ra.Name, PrincipalID: p.PrincipalID, PrincipalType: p.PrincipalType,
		ResourceGroup: client.ResourceGroupOf(p.Scope), RoleDefinitionID: p.RoleDefinitionID, Scope: p.Scope, Type: ra.Type,
		UpdatedBy: p.UpdatedBy, UpdatedOn: pyTime(p.UpdatedOn),
	}
}

func (a *azCLI) roleCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "role", Short: "Manage Azure role assignments and show role definitions"}
	asg := &cobra.Command{Use: "assignment", Short: "Manage role assignments"}
	asg.AddCommand(a.roleAssignmentCreateCommand(), a.roleAssignmentListCommand(), a.roleAssignmentDeleteCommand())
	cmd.AddCommand(asg, a.roleDefinitionCommand())
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

// pyTime is azTime for a field az always prints.
func pyTime(s string) string {
	if t := azTime(s); t != nil {
		return *t
	}
	return s
}

// fillNames adds what az's role assignment list adds by default: each
// assignment's role name (from the role definitions at the subscription)
// and principal name (a user's UPN, a service principal's first name, or a
// display name). Like az, a principal the directory will not show is left
// with an empty name.
func fillNames(ctx context.Context, s *session, sub string, out []assignmentJSON, roles, principals bool) error {
	if roles {
		defs, err := s.arm.RoleDefinitionsByName(ctx, "/subscriptions/"+sub, "")
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, d := range defs {
			names[strings.ToLower(d.Name)] = d.Properties.RoleName
		}
		for i := range out {
			name := names[guidOf(out[i].RoleDefinitionID)]
			out[i].RoleDefinitionName = &name
		}
	}
	if principals {
		seen := map[string]string{}
		for i := range out {
			id := out[i].PrincipalID
			name, ok := seen[id]
			if !ok {
				obj, err := s.graph.DirectoryObject(ctx, id)
				var re *client.ResponseError
				switch {
				case errors.As(err, &re):
				case err != nil:
					return err
				case obj.UserPrincipalName != "":
					name = obj.UserPrincipalName
				case len(obj.ServicePrincipalNames) > 0:
					name = obj.ServicePrincipalNames[0]
				default:
					name = obj.DisplayName
				}
				seen[id] = name
			}
			out[i].PrincipalName = &name
		}
	}
	return nil
}

// scopeCovers says whether an assignment at scope applies at target: the
// same scope or an ancestor of it (segments compare case-insensitively).
func scopeCovers(scope, target string) bool {
	s, t := strings.ToLower(strings.TrimSuffix(scope, "/")), strings.ToLower(strings.TrimSuffix(target, "/"))
	return s == "" || s == t || strings.HasPrefix(t, s+"/")
}

// guidOf is the last segment of a role definition id.
func guidOf(id string) string { return strings.ToLower(id[strings.LastIndex(id, "/")+1:]) }

func (a *azCLI) roleAssignmentListCommand() *cobra.Command {
	var assignee, role, scope, group, fillRole, fillPrincipal string
	var all, inherited bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List role assignments",
		Long: `List the role assignments made exactly at a scope, as az does: --scope, or -g for a
resource group, or the subscription. --include-inherited adds those made above it
(which apply at it too); --all lists every assignment in the subscription.
--assignee and --role narrow the list. Each assignment gets its roleDefinitionName and
principalName (--fill-role-definition-name false / --fill-principal-name false skip the
lookups).`,
		Example: `  az role assignment list --scope "$VAULT_ID" --include-inherited --query "[].[principalName, roleDefinitionName]" -o tsv
  az role assignment list --all --assignee alice@contoso.example -o table`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if all && (scope != "" || group != "") {
				return errors.New("group or scope are not required when --all is used")
			}
			roles, err := parseBool("--fill-role-definition-name", fillRole)
			if err != nil {
				return err
			}
			principals, err := parseBool("--fill-principal-name", fillPrincipal)
			if err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			sc := assignmentScope(scope, group, sub)
			var filters []string
			if inherited && !all {
				filters = append(filters, "atScope()")
			}
			if assignee != "" {
				id, _, err := resolveAssignee(ctx, s, assignee)
				if err != nil {
					return err
				}
				filters = append(filters, "principalId eq '"+id+"'")
			}
			roleGUID := ""
			if role != "" {
				id, err := resolveRole(ctx, s, sc, sub, role)
				if err != nil {
					return err
				}
				roleGUID = guidOf(id)
			}
			ras, err := s.arm.RoleAssignments(ctx, sc, strings.Join(filters, " and "))
			if err != nil {
				return err
			}
			out := []assignmentJSON{}
			for _, ra := range ras {
				at := ra.Properties.Scope
				switch {
				case roleGUID != "" && guidOf(ra.Properties.RoleDefinitionID) != roleGUID:
				case all, strings.EqualFold(strings.TrimSuffix(at, "/"), strings.TrimSuffix(sc, "/")), inherited && scopeCovers(at, sc):
					out = append(out, azAssignment(ra))
				}
			}
			if err := fillNames(ctx, s, sub, out, roles, principals); err != nil {
				return err
			}
			return a.printTable(cmd, out, tableRoleAssignments)
		},
	}
	f := cmd.Flags()
	f.StringVar(&assignee, "assignee", "", "only assignments to this principal (app id, object id, UPN or name)")
	f.StringVar(&role, "role", "", "only assignments of this role (name or id)")
	f.StringVar(&scope, "scope", "", "scope (default: the subscription)")
	f.StringVarP(&group, "resource-group", "g", "", "list at this resource group")
	f.BoolVar(&inherited, "include-inherited", false, "also list assignments made above the scope")
	f.BoolVar(&all, "all", false, "list every assignment in the subscription, at any scope")
	f.StringVar(&fillRole, "fill-role-definition-name", "true", "add each assignment's roleDefinitionName")
	f.StringVar(&fillPrincipal, "fill-principal-name", "true", "add each assignment's principalName (a directory lookup per principal)")
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
	cmd.Flags().StringArrayVar(&ids, "ids", nil, "space-separated role assignment ids")
	return a.withNargs(cmd, "ids")
}
