package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// The directory's read commands: az ad sp show/list, ad user show, ad group
// show, ad group member list/check. Each prints Graph's objects as Graph
// returned them, as az does.

// spListLimit is how many service principals az ad sp list shows without a
// filter or --all.
const spListLimit = 100

func (a *azCLI) adSPShowCommand() *cobra.Command {
	var id string
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a service principal by app id or object id",
		Long: `Show a service principal as Graph returns it. --id is an app id (a name in the
service principal's servicePrincipalNames) or the service principal's object id, as
in az. Every tenant holds the AzureDatabricks first-party service principal
(2ff814a6-3304-4ab8-85cb-cd0e6f879c1d).`,
		Example: `  az ad sp show --id 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --query id -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id == "" {
				return errors.New("the following arguments are required: --id")
			}
			s, err := newSession()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			// az resolves --id through servicePrincipalNames; a scopevault
			// service principal's only name is its app id.
			objectID := id
			found, err := s.graph.ServicePrincipalsByAppID(ctx, id)
			switch {
			case err != nil:
				return err
			case len(found) > 0:
				objectID = found[0].ID
			case !guidRE.MatchString(id):
				return fmt.Errorf("Service principal '%s' doesn't exist", id)
			}
			sp, err := s.graph.ServicePrincipal(ctx, objectID)
			if err != nil {
				return err
			}
			return a.print(cmd, graphObject(sp.Raw))
		},
	}
	cmd.Flags().StringVar(&id, "id", "", "the service principal's app id or object id")
	return cmd
}

func (a *azCLI) adSPListCommand() *cobra.Command {
	var displayName, spn, filter string
	var all bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List service principals",
		Long: `List service principals as Graph returns them. --display-name matches names that
start with it (az's startswith(displayName, ...)), --spn a service principal name (an
app id), --filter is passed to Graph as $filter (scopevault's Graph takes
"appId eq '...'" and "displayName eq '...'"). Without any of them az lists the first
100 and warns; --all lists every one. -o table shows DisplayName, Id and AppId,
sorted by display name.`,
		Example: `  az ad sp list --display-name AzureDatabricks --query "[].{name:displayName, appId:appId, id:id}" -o table
  az ad sp list --filter "appId eq '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d'" --query "[0].id" -o tsv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := newSession()
			if err != nil {
				return err
			}
			sps, err := s.graph.ServicePrincipals(cmd.Context(), filter)
			if err != nil {
				return err
			}
			out := []json.RawMessage{}
			for _, sp := range sps {
				if displayName != "" && !hasPrefixFold(sp.DisplayName, displayName) || spn != "" && !strings.EqualFold(sp.AppID, spn) {
					continue
				}
				out = append(out, sp.Raw)
			}
			if filter == "" && displayName == "" && spn == "" && !all && len(out) > spListLimit {
				out = out[:spListLimit]
				a.warn(cmd, "The result is not complete. You can still use '--all' to get all of them with long latency expected, or provide a filter through command arguments")
			}
			return a.printTable(cmd, out, tableServicePrincipals)
		},
	}
	f := cmd.Flags()
	f.StringVar(&displayName, "display-name", "", "only service principals whose display name starts with this")
	f.StringVar(&spn, "spn", "", "only the service principal with this name (its app id)")
	f.StringVar(&filter, "filter", "", "an OData $filter, e.g. \"displayName eq 'app1'\"")
	f.BoolVar(&all, "all", false, "list every service principal (without a filter az shows the first 100)")
	return cmd
}

// hasPrefixFold is Graph's startswith on a display name, which ignores case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func (a *azCLI) adUserShowCommand() *cobra.Command {
	var id string
	cmd := &cobra.Command{
		Use:     "show",
		Short:   "Show a user by user principal name or object id",
		Long:    `Show a user (GET /v1.0/users/{id or userPrincipalName}) as Graph returns it.`,
		Example: `  az ad user show --id alice@contoso.example --query id -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id == "" {
				return errors.New("the following arguments are required: --id")
			}
			s, err := newSession()
			if err != nil {
				return err
			}
			u, err := s.graph.User(cmd.Context(), id)
			if err != nil {
				return err
			}
			return a.print(cmd, graphObject(u.Raw))
		},
	}
	cmd.Flags().StringVar(&id, "id", "", "the user's principal name or object id")
	return cmd
}

func (a *azCLI) adGroupShowCommand() *cobra.Command {
	var group string
	cmd := &cobra.Command{
		Use:     "show",
		Short:   "Show a group by display name or object id",
		Long:    `Show a group (GET /v1.0/groups/{id}) as Graph returns it; --group takes its object id or display name.`,
		Example: `  az ad group show --group secret-readers --query id -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if group == "" {
				return errors.New("the following arguments are required: --group/-g")
			}
			s, id, err := groupSession(cmd.Context(), group)
			if err != nil {
				return err
			}
			g, err := s.graph.Group(cmd.Context(), id)
			if err != nil {
				return err
			}
			return a.print(cmd, graphObject(g.Raw))
		},
	}
	cmd.Flags().StringVarP(&group, "group", "g", "", "the group's object id or display name")
	return cmd
}

func (a *azCLI) adGroupMemberListCommand() *cobra.Command {
	var group string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List a group's direct members",
		Long: `List a group's direct members (GET /v1.0/groups/{id}/members) as Graph returns
them, each with its @odata.type; --group takes the group's object id or display name.`,
		Example: `  az ad group member list --group secret-readers --query "[].[displayName, id]" -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if group == "" {
				return errors.New("the following arguments are required: --group/-g")
			}
			s, id, err := groupSession(cmd.Context(), group)
			if err != nil {
				return err
			}
			members, err := s.graph.GroupMembers(cmd.Context(), id)
			if err != nil {
				return err
			}
			out := []json.RawMessage{}
			for _, m := range members {
				out = append(out, m.Raw)
			}
			return a.print(cmd, out)
		},
	}
	cmd.Flags().StringVarP(&group, "group", "g", "", "the group's object id or display name")
	return cmd
}

// membershipJSON is what az ad group member check prints.
type membershipJSON struct {
	Value bool `json:"value"`
}

func (a *azCLI) adGroupMemberCheckCommand() *cobra.Command {
	var group, memberID string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check whether an object is a member of a group, directly or through nested groups",
		Long: `Print {"value": true|false}: whether the object is a member of the group, directly
or through groups nested in it (what Graph's checkMemberGroups answers for az; here the
nested groups' member lists are walked). --group takes the group's object id or display
name; --member-id is the object id of a user, service principal or group.`,
		Example: `  az ad group member check --group secret-readers --member-id "$ALICE_ID" --query value -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := azRequired("--group/-g", group, "--member-id", memberID); err != nil {
				return err
			}
			ctx := cmd.Context()
			s, id, err := groupSession(ctx, group)
			if err != nil {
				return err
			}
			// Graph answers 404 for a member that does not exist.
			if _, err := s.graph.DirectoryObject(ctx, memberID); err != nil {
				return err
			}
			in, err := transitiveMember(cmd, s, id, memberID)
			if err != nil {
				return err
			}
			return a.print(cmd, membershipJSON{Value: in})
		},
	}
	cmd.Flags().StringVarP(&group, "group", "g", "", "the group's object id or display name")
	cmd.Flags().StringVar(&memberID, "member-id", "", "the object id of the user, service principal or group")
	return cmd
}

// transitiveMember walks groupID's members and the members of groups nested
// in it, each group once, looking for memberID.
func transitiveMember(cmd *cobra.Command, s *session, groupID, memberID string) (bool, error) {
	seen := map[string]bool{strings.ToLower(groupID): true}
	queue := []string{groupID}
	for len(queue) > 0 {
		g := queue[0]
		queue = queue[1:]
		members, err := s.graph.GroupMembers(cmd.Context(), g)
		if err != nil {
			return false, err
		}
		for _, m := range members {
			if strings.EqualFold(m.ID, memberID) {
				return true, nil
			}
			if k := strings.ToLower(m.ID); m.PrincipalType() == "Group" && !seen[k] {
				seen[k] = true
				queue = append(queue, m.ID)
			}
		}
	}
	return false, nil
}
