package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

func (a *azCLI) adCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "ad", Short: "Manage directory objects"}
	sp := &cobra.Command{Use: "sp", Short: "Manage service principals"}
	sp.AddCommand(a.createForRBACCommand(), a.adSPShowCommand(), a.adSPListCommand())
	user := &cobra.Command{Use: "user", Short: "Manage users"}
	user.AddCommand(a.adUserCreateCommand(), a.adUserShowCommand())
	group := &cobra.Command{Use: "group", Short: "Manage groups"}
	member := &cobra.Command{Use: "member", Short: "Manage group members"}
	member.AddCommand(a.adGroupMemberAddCommand(), a.adGroupMemberListCommand(), a.adGroupMemberCheckCommand())
	group.AddCommand(a.adGroupCreateCommand(), a.adGroupShowCommand(), member)
	cmd.AddCommand(sp, user, group)
	return cmd
}

// spCredentialJSON is what `az ad sp create-for-rbac` prints.
type spCredentialJSON struct {
	AppID       string `json:"appId"`
	DisplayName string `json:"displayName"`
	Password    string `json:"password"`
	Tenant      string `json:"tenant"`
}

func (a *azCLI) createForRBACCommand() *cobra.Command {
	var name, role string
	var scopes []string
	cmd := &cobra.Command{
		Use:   "create-for-rbac",
		Short: "Create a service principal with a client secret, optionally assigning it a role",
		Long: `Create a service principal with one client secret and print its credentials
({appId, displayName, password, tenant}) as az does. Only a directory administrator
(the bootstrap admin) may create principals. --scopes takes one or more scopes.`,
		Example: `  az ad sp create-for-rbac -n ci-deployer --role Contributor --scopes /subscriptions/$AZURE_SUBSCRIPTION_ID`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && !cmd.Flags().Changed("scopes") {
				return noArgs(cmd, args)
			}
			scopes = append(scopes, args...)
			if role != "" && len(scopes) == 0 || role == "" && len(scopes) > 0 {
				return errors.New("usage error: To create role assignments, specify both --role and --scopes.")
			}
			if name == "" {
				name = "azure-cli-" + a.now().UTC().Format("2006-01-02-15-04-05")
			}
			s, err := newSession()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			sp, err := s.graph.CreateServicePrincipal(ctx, name)
			if err != nil {
				return err
			}
			if len(sp.PasswordCredentials) == 0 || sp.PasswordCredentials[0].SecretText == nil {
				return errors.New("the directory created the service principal without returning its secret")
			}
			for _, scope := range scopes {
				if err := a.assignNew(ctx, cmd, s, role, scope, sp.ID); err != nil {
					return err
				}
			}
			a.warn(cmd, "The output includes credentials that you must protect. Be sure that you do not include these credentials in your code or check the credentials into your source control. For more information, see https://aka.ms/azadsp-cli")
			return a.print(cmd, spCredentialJSON{AppID: sp.AppID, DisplayName: sp.DisplayName, Password: *sp.PasswordCredentials[0].SecretText, Tenant: s.tenantID()})
		},
	}
	f := cmd.Flags()
	f.StringVarP(&name, "name", "n", "", "display name of the service principal")
	f.StringVar(&role, "role", "", "role to assign at --scopes")
	f.StringArrayVar(&scopes, "scopes", nil, "space-separated scopes for the role assignment")
	return cmd
}

// assignNew gives a just-created service principal role at scope.
func (a *azCLI) assignNew(ctx context.Context, cmd *cobra.Command, s *session, role, scope, principal string) error {
	sub := ""
	if parts := strings.Split(strings.Trim(scope, "/"), "/"); len(parts) >= 2 && strings.EqualFold(parts[0], "subscriptions") {
		sub = parts[1]
	}
	if sub == "" {
		var err error
		if sub, err = s.subscriptionID(ctx, a.subscription); err != nil {
			return err
		}
	}
	roleID, err := resolveRole(ctx, s, scope, sub, role)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "Creating '%s' role assignment under scope '%s'\n", role, scope)
	_, err = s.arm.CreateRoleAssignment(ctx, scope, client.NewAssignmentName(),
		client.RoleAssignmentProperties{RoleDefinitionID: roleID, PrincipalID: principal, PrincipalType: "ServicePrincipal"})
	return err
}
