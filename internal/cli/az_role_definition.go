package cli

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// roleDefinitionJSON is az's flattened role definition.
type roleDefinitionJSON struct {
	AssignableScopes []string             `json:"assignableScopes"`
	CreatedBy        *string              `json:"createdBy"`
	CreatedOn        *string              `json:"createdOn"`
	Description      string               `json:"description"`
	ID               string               `json:"id"`
	Name             string               `json:"name"`
	Permissions      []rolePermissionJSON `json:"permissions"`
	RoleName         string               `json:"roleName"`
	RoleType         string               `json:"roleType"`
	Type             string               `json:"type"`
	UpdatedBy        *string              `json:"updatedBy"`
	UpdatedOn        *string              `json:"updatedOn"`
}

type rolePermissionJSON struct {
	Actions          []string `json:"actions"`
	Condition        *string  `json:"condition"`
	ConditionVersion *string  `json:"conditionVersion"`
	DataActions      []string `json:"dataActions"`
	NotActions       []string `json:"notActions"`
	NotDataActions   []string `json:"notDataActions"`
}

func azRoleDefinition(d client.RoleDefinition) roleDefinitionJSON {
	p := d.Properties
	out := roleDefinitionJSON{
		AssignableScopes: p.AssignableScopes, CreatedBy: p.CreatedBy, CreatedOn: azTime(p.CreatedOn), Description: p.Description,
		ID: d.ID, Name: d.Name, Permissions: []rolePermissionJSON{}, RoleName: p.RoleName, RoleType: p.Type, Type: d.Type,
		UpdatedBy: p.UpdatedBy, UpdatedOn: azTime(p.UpdatedOn),
	}
	for _, x := range p.Permissions {
		out.Permissions = append(out.Permissions, rolePermissionJSON{Actions: x.Actions, Condition: x.Condition,
			ConditionVersion: x.ConditionVersion, DataActions: x.DataActions, NotActions: x.NotActions, NotDataActions: x.NotDataActions})
	}
	return out
}

func (a *azCLI) roleDefinitionCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "definition", Short: "Show role definitions"}
	cmd.AddCommand(a.roleDefinitionListCommand())
	return cmd
}

func (a *azCLI) roleDefinitionListCommand() *cobra.Command {
	var name, scope, group, customOnly string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the role definitions assignable at a scope",
		Long: `List role definitions assignable at --scope (default: the subscription; -g for a
resource group). --name matches a role name (or a role definition GUID);
--custom-role-only lists only custom roles.`,
		Example: `  az role definition list --name "Key Vault Secrets User" --query "[].{name:name, dataActions:permissions[0].dataActions}"
  az role definition list --custom-role-only true --query "[].roleName" -o tsv`,
		Args: func(cmd *cobra.Command, args []string) error {
			// --custom-role-only is az's three-state flag: bare, or followed by true/false.
			if len(args) == 1 && cmd.Flags().Changed("custom-role-only") && customOnly == "true" {
				if _, err := parseBool("--custom-role-only", args[0]); err == nil {
					customOnly = args[0]
					return nil
				}
			}
			return noArgs(cmd, args)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			only := false
			if customOnly != "" {
				var err error
				if only, err = parseBool("--custom-role-only", customOnly); err != nil {
					return err
				}
			}
			if scope != "" && group != "" {
				return errors.New("usage error: --scope SCOPE | --resource-group GROUP")
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			sc := assignmentScope(scope, group, sub)
			var defs []client.RoleDefinition
			if guidRE.MatchString(name) {
				d, err := s.arm.RoleDefinition(cmd.Context(), sc, name)
				if err != nil && !client.IsNotFound(err) {
					return err
				}
				if err == nil {
					defs = append(defs, d)
				}
			} else if defs, err = s.arm.RoleDefinitionsByName(cmd.Context(), sc, name); err != nil {
				return err
			}
			out := []roleDefinitionJSON{}
			for _, d := range defs {
				if only && !strings.EqualFold(d.Properties.Type, "CustomRole") {
					continue
				}
				out = append(out, azRoleDefinition(d))
			}
			return a.printTable(cmd, out, tableRoleDefinitions)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&name, "name", "n", "", "a role's name, e.g. \"Key Vault Secrets User\", or its GUID")
	f.StringVar(&scope, "scope", "", "scope the roles must be assignable at (default: the subscription)")
	f.StringVarP(&group, "resource-group", "g", "", "list roles assignable at this resource group")
	f.StringVar(&customOnly, "custom-role-only", "", "true to list custom roles only")
	f.Lookup("custom-role-only").NoOptDefVal = "true"
	return cmd
}
