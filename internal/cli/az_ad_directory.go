package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// az prints Graph's directory objects as Graph returns them.
func graphObject(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	return raw
}

func (a *azCLI) adUserCreateCommand() *cobra.Command {
	var displayName, upn, password, mailNickname, immutableID, forceChange string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a user who signs in with a password",
		Long: `Create a user (POST /v1.0/users) and print the user as Graph returns it. The user
signs in with 'az login -u UPN -p PASSWORD'. Only a directory administrator may
create users.`,
		Example: `  az ad user create --display-name Alice --user-principal-name alice@contoso.example --password "$ALICE_PASSWORD"`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := azRequired("--display-name", displayName, "--password", password, "--user-principal-name", upn); err != nil {
				return err
			}
			force := false
			if forceChange != "" {
				var err error
				if force, err = parseBool("--force-change-password-next-sign-in", forceChange); err != nil {
					return err
				}
			}
			if mailNickname == "" {
				mailNickname, _, _ = strings.Cut(upn, "@")
			}
			s, err := newSession()
			if err != nil {
				return err
			}
			u, err := s.graph.CreateUser(cmd.Context(), client.NewUser{
				AccountEnabled: true, DisplayName: displayName, UserPrincipalName: upn, MailNickname: mailNickname, ImmutableID: immutableID,
				PasswordProfile: client.PasswordProfile{Password: password, ForceChangePasswordNextSignIn: force},
			})
			if err != nil {
				return err
			}
			return a.print(cmd, graphObject(u.Raw))
		},
	}
	f := cmd.Flags()
	f.StringVar(&displayName, "display-name", "", "the user's display name")
	f.StringVar(&upn, "user-principal-name", "", "the user principal name, e.g. alice@contoso.example")
	f.StringVar(&password, "password", "", "the user's password")
	f.StringVar(&mailNickname, "mail-nickname", "", "mail alias (default: the user principal name before '@')")
	f.StringVar(&immutableID, "immutable-id", "", "the on-premises identity the user maps to")
	f.StringVar(&forceChange, "force-change-password-next-sign-in", "", "true to require a new password at the next sign-in")
	return cmd
}

func (a *azCLI) adGroupCreateCommand() *cobra.Command {
	var displayName, mailNickname, description string
	var force bool
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a security group",
		Long: `Create a security group (POST /v1.0/groups) and print it as Graph returns it. Like
az, it first looks for a group with the same display name and mail nickname and
returns that one instead, unless --force.`,
		Example: `  az ad group create --display-name data-readers --mail-nickname data-readers`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := azRequired("--display-name", displayName, "--mail-nickname", mailNickname); err != nil {
				return err
			}
			s, err := newSession()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if !force {
				// az asks Graph for displayName and mailNickname together;
				// scopevault's Graph filters on displayName only, so the
				// nickname is compared here (a group that does not return one
				// matches by its display name).
				found, err := s.graph.Groups(ctx, "displayName eq "+client.ODataString(displayName))
				if err != nil {
					return err
				}
				matches := slices.DeleteFunc(found, func(g client.Group) bool {
					return g.MailNickname != "" && !strings.EqualFold(g.MailNickname, mailNickname)
				})
				switch {
				case len(matches) > 1:
					return fmt.Errorf("There is more than one group with the same display name and mail nickname: %s", displayName)
				case len(matches) == 1:
					a.warn(cmd, "A group with the same display name and mail nickname already exists, returning.")
					return a.print(cmd, graphObject(matches[0].Raw))
				}
			}
			g, err := s.graph.CreateGroup(ctx, client.NewGroup{DisplayName: displayName, MailNickname: mailNickname,
				MailEnabled: false, SecurityEnabled: true, Description: description})
			if err != nil {
				return err
			}
			return a.print(cmd, graphObject(g.Raw))
		},
	}
	f := cmd.Flags()
	f.StringVar(&displayName, "display-name", "", "the group's display name")
	f.StringVar(&mailNickname, "mail-nickname", "", "the group's mail alias")
	f.StringVar(&description, "description", "", "what the group is for")
	f.BoolVar(&force, "force", false, "create the group even if one with the same name and nickname exists")
	return cmd
}

// groupSession opens a session and resolves --group: what every command on
// a named group starts with.
func groupSession(ctx context.Context, group string) (*session, string, error) {
	s, err := newSession()
	if err != nil {
		return nil, "", err
	}
	id, err := resolveGroup(ctx, s, group)
	return s, id, err
}

// resolveGroup turns --group (an object id or a display name) into the
// group's object id, as az's validate_group does.
func resolveGroup(ctx context.Context, s *session, group string) (string, error) {
	if guidRE.MatchString(group) {
		return group, nil
	}
	matches, err := s.graph.Groups(ctx, "displayName eq "+client.ODataString(group))
	if err != nil {
		return "", err
	}
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("No group matches the name of '%s'", group)
	case 1:
		return matches[0].ID, nil
	}
	return "", fmt.Errorf("More than one group match the name of '%s'. Please use object id", group)
}

func (a *azCLI) adGroupMemberAddCommand() *cobra.Command {
	var group, memberID string
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add a user, service principal or group to a group",
		Long: `Add a directory object to a group (POST /v1.0/groups/{id}/members/$ref). --group
takes the group's object id or display name; --member-id is the member's object id.
A role assigned to the group applies to its members.`,
		Example: `  USER_ID=$(az ad user create --display-name Bob --user-principal-name bob@contoso.example --password "$PW" --query id -o tsv)
  az ad group member add --group data-readers --member-id "$USER_ID"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := azRequired("--group/-g", group, "--member-id", memberID); err != nil {
				return err
			}
			ctx := cmd.Context()
			s, groupID, err := groupSession(ctx, group)
			if err != nil {
				return err
			}
			return s.graph.AddGroupMember(ctx, groupID, memberID)
		},
	}
	cmd.Flags().StringVarP(&group, "group", "g", "", "the group's object id or display name")
	cmd.Flags().StringVar(&memberID, "member-id", "", "the object id of the user, service principal or group to add")
	return cmd
}
