package cli

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// `az databricks workspace ...`, with the az databricks extension's syntax.
// az prints a workspace with its properties flattened to the top level,
// which is why `--query workspaceUrl -o tsv` prints the host.

// workspaceJSON is az's workspace output (keys in az's sorted order).
type workspaceJSON struct {
	Authorizations         []client.WorkspaceAuthorization `json:"authorizations,omitempty"`
	ComputeMode            string                          `json:"computeMode,omitempty"`
	CreatedBy              *client.WorkspaceUser           `json:"createdBy,omitempty"`
	CreatedDateTime        string                          `json:"createdDateTime,omitempty"`
	ID                     string                          `json:"id"`
	Location               string                          `json:"location"`
	ManagedResourceGroupID string                          `json:"managedResourceGroupId,omitempty"`
	Name                   string                          `json:"name"`
	Parameters             map[string]json.RawMessage      `json:"parameters,omitempty"`
	ProvisioningState      string                          `json:"provisioningState"`
	PublicNetworkAccess    string                          `json:"publicNetworkAccess,omitempty"`
	RequiredNsgRules       string                          `json:"requiredNsgRules,omitempty"`
	ResourceGroup          string                          `json:"resourceGroup"`
	SKU                    *client.WorkspaceSKU            `json:"sku,omitempty"`
	Tags                   map[string]string               `json:"tags"`
	Type                   string                          `json:"type"`
	UpdatedBy              *client.WorkspaceUser           `json:"updatedBy,omitempty"`
	WorkspaceID            string                          `json:"workspaceId"`
	WorkspaceURL           string                          `json:"workspaceUrl"`
}

func azWorkspace(w client.Workspace) workspaceJSON {
	p := w.Properties
	return workspaceJSON{
		Authorizations: p.Authorizations, ComputeMode: p.ComputeMode, CreatedBy: p.CreatedBy, CreatedDateTime: p.CreatedDateTime,
		ID: w.ID, Location: w.Location, ManagedResourceGroupID: p.ManagedResourceGroupID, Name: w.Name, Parameters: p.Parameters,
		ProvisioningState: p.ProvisioningState, PublicNetworkAccess: p.PublicNetworkAccess, RequiredNsgRules: p.RequiredNsgRules,
		ResourceGroup: w.ResourceGroup(), SKU: w.SKU, Tags: w.Tags, Type: w.Type, UpdatedBy: p.UpdatedBy,
		WorkspaceID: p.WorkspaceID, WorkspaceURL: p.WorkspaceURL,
	}
}

func (a *azCLI) databricksCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "databricks", Short: "Manage Azure Databricks workspaces"}
	ws := &cobra.Command{Use: "workspace", Short: "Manage Databricks workspaces"}
	ws.AddCommand(a.workspaceCreateCommand(), a.workspaceShowCommand(), a.workspaceListCommand(),
		a.workspaceUpdateCommand(), a.workspaceDeleteCommand())
	cmd.AddCommand(ws)
	return cmd
}

// workspaceArgs are the -g/-n pair every workspace command takes.
type workspaceArgs struct{ group, name string }

func (w *workspaceArgs) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&w.group, "resource-group", "g", "", "name of the resource group")
	f.StringVarP(&w.name, "name", "n", "", "name of the workspace")
	f.StringVar(&w.name, "workspace-name", "", "name of the workspace")
}

func (w *workspaceArgs) check() error {
	return azRequired("--resource-group/-g", w.group, "--name/-n", w.name)
}

// workspaceCreate is what `az databricks workspace create` takes.
type workspaceCreate struct {
	workspaceArgs
	location, sku, managedGroup                     string
	vnet, publicSubnet, privateSubnet, noPublicIP   string
	publicNetworkAccess, requiredNsgRules, computeM string
	tags                                            []string
	noWait                                          bool
}

func (a *azCLI) workspaceCreateCommand() *cobra.Command {
	var c workspaceCreate
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a new workspace",
		Long: `Create a workspace and wait until it is provisioned (--no-wait returns at once).
--managed-resource-group takes a name or an id; without it, az's default
databricks-rg-<name>-<random> is used. --vnet (a name in the workspace's group, or
an id) with --public-subnet and --private-subnet injects the workspace into a VNet.`,
		Example: `  az databricks workspace create -g rg-data -n ws1 -l eastus --sku premium
  az databricks workspace create -g rg-data -n ws2 -l eastus --sku standard --managed-resource-group ws2-managed --tags env=dev
  az databricks workspace create -g rg-data -n ws3 -l eastus --sku premium --vnet adb-vnet --public-subnet host --private-subnet container --enable-no-public-ip`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && !cmd.Flags().Changed("tags") {
				return noArgs(cmd, args)
			}
			if err := c.check(); err != nil {
				return err
			}
			if err := azRequired("--location/-l", c.location, "--sku", c.sku); err != nil {
				return err
			}
			tags, err := parseTags(c.tags, args)
			if err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			body, err := c.body(sub, tags)
			if err != nil {
				return err
			}
			w, err := s.arm.CreateWorkspace(cmd.Context(), sub, c.group, c.name, body, c.noWait)
			if err != nil || c.noWait {
				return err
			}
			return a.print(cmd, azWorkspace(w))
		},
	}
	c.flags(cmd)
	f := cmd.Flags()
	f.StringVarP(&c.location, "location", "l", "", "location, e.g. eastus")
	f.StringVar(&c.sku, "sku", "", "the SKU tier: standard, premium or trial")
	f.StringVar(&c.managedGroup, "managed-resource-group", "", "the managed resource group: a name or an id")
	f.StringArrayVar(&c.tags, "tags", nil, "space-separated tags: key[=value]")
	f.StringVar(&c.vnet, "vnet", "", "virtual network name or resource id")
	f.StringVar(&c.publicSubnet, "public-subnet", "", "name of the public (host) subnet in the virtual network")
	f.StringVar(&c.privateSubnet, "private-subnet", "", "name of the private (container) subnet in the virtual network")
	f.StringVar(&c.noPublicIP, "enable-no-public-ip", "", "no public IP for cluster nodes (secure cluster connectivity): true or false")
	f.Lookup("enable-no-public-ip").NoOptDefVal = "true"
	f.StringVar(&c.publicNetworkAccess, "public-network-access", "", "Enabled or Disabled")
	f.StringVar(&c.requiredNsgRules, "required-nsg-rules", "", "AllRules, NoAzureDatabricksRules or NoAzureServiceRules")
	f.StringVar(&c.computeM, "compute-mode", "", "Hybrid or Serverless")
	f.BoolVar(&c.noWait, "no-wait", false, "do not wait for the long-running operation to finish")
	return cmd
}

// body is the PUT body the flags describe.
func (c *workspaceCreate) body(sub string, tags map[string]string) (client.Workspace, error) {
	sku := strings.ToLower(c.sku)
	switch sku {
	case "standard", "premium", "trial":
	default:
		return client.Workspace{}, errors.New("argument --sku: invalid choice: '" + c.sku + "' (choose from 'premium', 'standard', 'trial')")
	}
	w := client.Workspace{Location: c.location, Tags: tags, SKU: &client.WorkspaceSKU{Name: sku}}
	p := &w.Properties
	p.PublicNetworkAccess, p.RequiredNsgRules, p.ComputeMode = c.publicNetworkAccess, c.requiredNsgRules, c.computeM
	if !strings.EqualFold(c.computeM, "Serverless") {
		p.ManagedResourceGroupID = managedGroupID(sub, c.name, c.managedGroup)
	}
	params := map[string]json.RawMessage{}
	set := func(name string, v any) {
		raw, _ := json.Marshal(map[string]any{"value": v})
		params[name] = raw
	}
	if c.vnet != "" {
		if c.publicSubnet == "" || c.privateSubnet == "" {
			return w, errors.New("usage error: --vnet requires --public-subnet and --private-subnet")
		}
		vnet := c.vnet
		if !strings.HasPrefix(vnet, "/") {
			vnet = "/subscriptions/" + sub + "/resourceGroups/" + c.group + "/providers/Microsoft.Network/virtualNetworks/" + vnet
		}
		set("customVirtualNetworkId", vnet)
		set("customPublicSubnetName", c.publicSubnet)
		set("customPrivateSubnetName", c.privateSubnet)
	} else if c.publicSubnet != "" || c.privateSubnet != "" {
		return w, errors.New("usage error: --public-subnet and --private-subnet require --vnet")
	}
	if c.noPublicIP != "" {
		b, err := parseBool("--enable-no-public-ip", c.noPublicIP)
		if err != nil {
			return w, err
		}
		set("enableNoPublicIp", b)
	}
	if len(params) > 0 {
		p.Parameters = params
	}
	return w, nil
}

// managedGroupID is az's: an id as given, a name in the subscription, or
// databricks-rg-<workspace>-<13 random characters>.
func managedGroupID(sub, workspace, given string) string {
	switch {
	case strings.HasPrefix(given, "/"):
		return given
	case given != "":
		return "/subscriptions/" + sub + "/resourceGroups/" + given
	}
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 13)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "/subscriptions/" + sub + "/resourceGroups/databricks-rg-" + workspace + "-" + string(b)
}

func (a *azCLI) workspaceShowCommand() *cobra.Command {
	var w workspaceArgs
	cmd := &cobra.Command{
		Use:     "show",
		Short:   "Show a workspace",
		Example: `  az databricks workspace show -g rg-data -n ws1 --query workspaceUrl -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := w.check(); err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			out, err := s.arm.Workspace(cmd.Context(), sub, w.group, w.name)
			if err != nil {
				return err
			}
			return a.print(cmd, azWorkspace(out))
		},
	}
	w.flags(cmd)
	return cmd
}

func (a *azCLI) workspaceListCommand() *cobra.Command {
	var group string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the workspaces of a resource group, or of the subscription",
		Example: `  az databricks workspace list -g rg-data --query "[].name" -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			all, err := s.arm.Workspaces(cmd.Context(), sub, group)
			if err != nil {
				return err
			}
			out := []workspaceJSON{}
			for _, w := range all {
				out = append(out, azWorkspace(w))
			}
			return a.print(cmd, out)
		},
	}
	cmd.Flags().StringVarP(&group, "resource-group", "g", "", "name of the resource group")
	return cmd
}

func (a *azCLI) workspaceUpdateCommand() *cobra.Command {
	var w workspaceArgs
	var tags []string
	var sku string
	var noWait bool
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Update a workspace's tags or SKU",
		Example: `  az databricks workspace update -g rg-data -n ws1 --tags env=prod
  az databricks workspace update -g rg-data -n ws1 --sku premium`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && !cmd.Flags().Changed("tags") {
				return noArgs(cmd, args)
			}
			if err := w.check(); err != nil {
				return err
			}
			if !cmd.Flags().Changed("tags") && sku == "" {
				return errors.New("usage error: give --tags or --sku")
			}
			t, err := parseTags(tags, args)
			if err != nil {
				return err
			}
			s, sub, err := a.sessionAndSubscription(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var out client.Workspace
			if sku == "" {
				out, err = s.arm.UpdateWorkspaceTags(ctx, sub, w.group, w.name, t)
			} else {
				// Like az's generic update: read, change, write back.
				if out, err = s.arm.Workspace(ctx, sub, w.group, w.name); err != nil {
					return err
				}
				out.SKU = &client.WorkspaceSKU{Name: strings.ToLower(sku)}
				if cmd.Flags().Changed("tags") {
					out.Tags = t
				}
				out.Properties = client.WorkspaceProperties{
					ManagedResourceGroupID: out.Properties.ManagedResourceGroupID, Parameters: out.Properties.Parameters,
					ComputeMode: out.Properties.ComputeMode, PublicNetworkAccess: out.Properties.PublicNetworkAccess,
					RequiredNsgRules: out.Properties.RequiredNsgRules,
				}
				out, err = s.arm.CreateWorkspace(ctx, sub, w.group, w.name, client.Workspace{
					Location: out.Location, Tags: out.Tags, SKU: out.SKU, Properties: out.Properties,
				}, noWait)
			}
			if err != nil || noWait {
				return err
			}
			return a.print(cmd, azWorkspace(out))
		},
	}
	w.flags(cmd)
	cmd.Flags().StringArrayVar(&tags, "tags", nil, `space-separated tags: key[=value]; "" clears them`)
	cmd.Flags().StringVar(&sku, "sku", "", "the SKU tier: standard, premium or trial")
	cmd.Flags().BoolVar(&noWait, "no-wait", false, "do not wait for the long-running operation to finish")
	return cmd
}

func (a *azCLI) workspaceDeleteCommand() *cobra.Command {
	var w workspaceArgs
	var yes, noWait bool
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a workspace",
		Long: `Delete a workspace with what it holds (its users, tokens, secret scopes and
secrets). Like az, it asks for confirmation unless --yes.`,
		Example: `  az databricks workspace delete -g rg-data -n ws1 --yes`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := w.check(); err != nil {
				return err
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
			return s.arm.DeleteWorkspace(cmd.Context(), sub, w.group, w.name, noWait)
		},
	}
	w.flags(cmd)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not prompt for confirmation")
	cmd.Flags().BoolVar(&noWait, "no-wait", false, "do not wait for the long-running operation to finish")
	return cmd
}
