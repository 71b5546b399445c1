package cli

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// groupJSON is az's resource group output.
type groupJSON struct {
	ID         string            `json:"id"`
	Location   string            `json:"location"`
	ManagedBy  *string           `json:"managedBy"`
	Name       string            `json:"name"`
	Properties map[string]string `json:"properties"`
	Tags       map[string]string `json:"tags"`
	Type       string            `json:"type"`
}

func azGroup(g client.ResourceGroup) groupJSON {
	out := groupJSON{ID: g.ID, Location: g.Location, ManagedBy: g.ManagedBy, Name: g.Name, Tags: g.Tags, Type: g.Type}
	if g.Properties != nil {
		out.Properties = map[string]string{"provisioningState": g.Properties.ProvisioningState}
	}
	return out
}

func (a *azCLI) groupCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "group", Short: "Manage resource groups"}
	var name, location string
	var tags []string
	create := &cobra.Command{
		Use:     "create",
		Short:   "Create or update a resource group",
		Example: `  az group create -n rg-data -l eastus --tags env=dev team=data`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && !cmd.Flags().Changed("tags") {
				return noArgs(cmd, args)
			}
			if err := azRequired("--name/-n/--resource-group/-g", name, "--location/-l", location); err != nil {
				return err
			}
			t, err := parseTags(tags, args)
			if err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			g, err := s.arm.CreateResourceGroup(cmd.Context(), sub, name, location, t)
			if err != nil {
				return err
			}
			return a.print(cmd, azGroup(g))
		},
	}
	create.Flags().StringVarP(&name, "name", "n", "", "name of the new resource group")
	create.Flags().StringVarP(&name, "resource-group", "g", "", "name of the new resource group")
	create.Flags().StringVarP(&location, "location", "l", "", "location, e.g. eastus")
	create.Flags().StringArrayVar(&tags, "tags", nil, "space-separated tags: key[=value]")

	var showName string
	show := &cobra.Command{
		Use:   "show",
		Short: "Show a resource group",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if showName == "" {
				return errors.New("the following arguments are required: --name/-n/--resource-group/-g")
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			g, err := s.arm.ResourceGroup(cmd.Context(), sub, showName)
			if err != nil {
				return err
			}
			return a.print(cmd, azGroup(g))
		},
	}
	show.Flags().StringVarP(&showName, "name", "n", "", "name of the resource group")
	show.Flags().StringVarP(&showName, "resource-group", "g", "", "name of the resource group")

	list := &cobra.Command{
		Use:   "list",
		Short: "List resource groups",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			gs, err := s.arm.ResourceGroups(cmd.Context(), sub)
			if err != nil {
				return err
			}
			out := []groupJSON{}
			for _, g := range gs {
				out = append(out, azGroup(g))
			}
			return a.printTable(cmd, out, tableResourceGroups)
		},
	}
	cmd.AddCommand(create, show, list, a.groupDeleteCommand())
	return cmd
}

func (a *azCLI) groupDeleteCommand() *cobra.Command {
	var name string
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a resource group",
		Long: `Delete a resource group with what it holds: its Databricks workspaces, its
vaults (soft-deleted, so they can be recovered or purged as 'az keyvault delete'
leaves them), its user-assigned managed identities and the role assignments
scoped to it. Like az, it asks for confirmation unless --yes.`,
		Example: `  az group delete -n rg-data --yes`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return errors.New("the following arguments are required: --name/-n/--resource-group/-g")
			}
			if !yes {
				ok, err := confirm(cmd, "Are you sure you want to perform this operation? (y/n): ")
				if err != nil || !ok {
					return err
				}
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			return s.arm.DeleteResourceGroup(cmd.Context(), sub, name)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&name, "name", "n", "", "name of the resource group")
	f.StringVarP(&name, "resource-group", "g", "", "name of the resource group")
	f.BoolVarP(&yes, "yes", "y", false, "do not prompt for confirmation")
	// The service deletes synchronously: there is nothing not to wait for.
	f.Bool("no-wait", false, "accepted for az compatibility; the deletion is synchronous")
	return cmd
}

// confirm asks a yes/no question on stderr and reads the answer from stdin,
// as az's prompt does; without an answer (no terminal) it fails like az.
func confirm(cmd *cobra.Command, question string) (bool, error) {
	fmt.Fprint(cmd.ErrOrStderr(), question)
	line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	if err != nil && answer == "" {
		fmt.Fprintln(cmd.ErrOrStderr())
		return false, errors.New("Unable to prompt for confirmation as no tty available. Use --yes.")
	}
	return answer == "y" || answer == "yes", nil
}

// sessionAndSubscription opens a session and resolves the subscription.
func (a *azCLI) sessionAndSubscription(cmd *cobra.Command) (*session, string, error) {
	s, err := newSession()
	if err != nil {
		return nil, "", err
	}
	sub, err := s.subscriptionID(cmd.Context(), a.subscription)
	if err != nil {
		return nil, "", err
	}
	if sub == "" {
		return nil, "", fmt.Errorf("no subscription: set %s or pass --subscription", envSubscription)
	}
	return s, sub, nil
}
