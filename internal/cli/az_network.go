package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// networkCommand is 'az network': virtual networks, subnets, private
// endpoints and private DNS, as az 2.45+ spells them. Each command is a
// client of the ARM wire (Microsoft.Network api-version 2024-05-01, private
// DNS 2020-06-01) and prints the resource body as az does.
func (a *azCLI) networkCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "network", Short: "Manage virtual networks, private endpoints and private DNS"}
	cmd.AddCommand(a.vnetCommand(), a.privateEndpointCommand(), a.privateDNSCommand())
	return cmd
}

// printResource prints an ARM resource (or a list of them) as az does for
// the network, private DNS and private endpoint connection commands: the
// body as the service sent it with "properties" flattened into each object
// that has them (at any depth), and az's resourceGroup added to every
// object whose id names one.
func (a *azCLI) printResource(cmd *cobra.Command, v any) error {
	j, err := toJSONValue(v)
	if err != nil {
		return err
	}
	j = flattenProperties(j)
	addResourceGroup(j)
	return a.print(cmd, j)
}

// flattenProperties lifts the fields of every "properties" object into the
// object holding it, as the SDK models az prints declare them
// ('ttl': {'key': 'properties.ttl'}); a field of the outer object wins.
func flattenProperties(v any) any {
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = flattenProperties(x[i])
		}
	case map[string]any:
		// A lifted "properties" is lifted in turn.
		for props, ok := x["properties"].(map[string]any); ok; props, ok = x["properties"].(map[string]any) {
			delete(x, "properties")
			for k, pv := range props {
				if _, taken := x[k]; !taken {
					x[k] = pv
				}
			}
		}
		for k := range x {
			x[k] = flattenProperties(x[k])
		}
	}
	return v
}

// addResourceGroup is az's result transform: an object with an id of the
// form /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}
// gets "resourceGroup": rg, at any depth, unless it has one.
func addResourceGroup(v any) {
	switch x := v.(type) {
	case []any:
		for _, item := range x {
			addResourceGroup(item)
		}
	case map[string]any:
		if _, has := x["resourceGroup"]; !has {
			if id, _ := x["id"].(string); id != "" {
				if parts := strings.Split(id, "/"); len(parts) > 8 && strings.EqualFold(parts[3], "resourcegroups") {
					x["resourceGroup"] = parts[4]
				}
			}
		}
		for _, item := range x {
			addResourceGroup(item)
		}
	}
}

// azRequired fails with az's message when any of the flags is empty; each
// pair is the flag's az spelling ("--name/-n") and its value.
func azRequired(pairs ...string) error {
	var missing []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			missing = append(missing, pairs[i])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return errors.New("the following arguments are required: " + strings.Join(missing, ", "))
}

// groupLocation is az's default location: the resource group's.
func (s *session) groupLocation(ctx context.Context, sub, group, given string) (string, error) {
	if given != "" {
		return given, nil
	}
	g, err := s.arm.ResourceGroup(ctx, sub, group)
	if err != nil {
		return "", err
	}
	return g.Location, nil
}

// networkResourceID is az's "name or ID" argument: an id as given, else
// the named resource of the type in the group.
func networkResourceID(sub, group, typ, nameOrID string) string {
	if strings.HasPrefix(nameOrID, "/") {
		return nameOrID
	}
	return "/subscriptions/" + sub + "/resourceGroups/" + group + "/providers/Microsoft.Network/" + typ + "/" + nameOrID
}

// oneOf is az's enum argument: case-insensitive, answering with the
// choice's own spelling.
func oneOf(flag, val string, choices ...string) (string, error) {
	if val == "" {
		return "", nil
	}
	for _, c := range choices {
		if strings.EqualFold(val, c) {
			return c, nil
		}
	}
	return "", fmt.Errorf("argument %s: invalid choice: '%s' (choose from '%s')", flag, val, strings.Join(choices, "', '"))
}

// tagsFlag is --tags in az's space-separated form (the command must list
// "tags" among its nargs flags).
func tagsFlag(cmd *cobra.Command, tags *[]string) {
	cmd.Flags().StringArrayVar(tags, "tags", nil, `space-separated tags: key[=value] [key[=value] ...]; "" clears`)
}

// confirmDelete asks az's question unless --yes, as the private DNS
// deletes do.
func confirmDelete(cmd *cobra.Command, yes bool) (bool, error) {
	if yes {
		return true, nil
	}
	return confirm(cmd, "Are you sure you want to perform this operation? (y/n): ")
}

// withBareBools gives the named flags az's three-state form: bare (true),
// or followed by a value as the next word (--manual-request false), as
// argparse's nargs='?' reads them. cmd must parse its own arguments
// (withNargs); the value word is joined to its flag before that parse.
func withBareBools(cmd *cobra.Command, names ...string) *cobra.Command {
	run := cmd.RunE
	bare := map[string]bool{}
	for _, n := range names {
		bare["--"+n] = true
		cmd.Flags().Lookup(n).NoOptDefVal = "true"
	}
	cmd.RunE = func(c *cobra.Command, raw []string) error {
		out := make([]string, 0, len(raw))
		for i := 0; i < len(raw); i++ {
			if raw[i] == "--" {
				out = append(out, raw[i:]...)
				break
			}
			if bare[raw[i]] && i+1 < len(raw) && !strings.HasPrefix(raw[i+1], "-") {
				out = append(out, raw[i]+"="+raw[i+1])
				i++
				continue
			}
			out = append(out, raw[i])
		}
		return run(c, out)
	}
	return cmd
}

// withIDs gives cmd az's --ids: resource ids of one kind (namespace, type
// and child types) in place of the name arguments; fill sets those from a
// parsed id. The command runs once per id, in the id's subscription; one
// id prints its result, several the list of them, as az does.
func (a *azCLI) withIDs(cmd *cobra.Command, ns, typ string, children []string, fill func(client.ResourceID)) *cobra.Command {
	var ids []string
	cmd.Flags().StringArrayVar(&ids, "ids", nil, "one or more resource ids (space-separated), in place of the name arguments")
	run := cmd.RunE
	kind := ns + "/" + typ
	for _, c := range children {
		kind += "/" + c
	}
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(ids) == 0 {
			return run(c, args)
		}
		output, query, subscription, stdout := a.output, a.query, a.subscription, c.OutOrStdout()
		restore := func() { a.output, a.query, a.subscription = output, query, subscription; c.SetOut(stdout) }
		defer restore()
		var results []any
		for _, id := range ids {
			r, ok := client.ParseResourceID(id)
			if !ok || !r.Is(ns, typ, children...) {
				return fmt.Errorf("argument --ids: '%s' is not the id of a %s", id, kind)
			}
			fill(r)
			var buf bytes.Buffer
			c.SetOut(&buf)
			a.output, a.query, a.subscription = "json", "", r.Subscription
			if err := run(c, args); err != nil {
				return err
			}
			if len(bytes.TrimSpace(buf.Bytes())) > 0 {
				var v any
				if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
					return err
				}
				results = append(results, v)
			}
		}
		restore()
		switch len(results) {
		case 0:
			return nil
		case 1:
			return a.print(c, results[0])
		}
		return a.print(c, results)
	}
	return a.withNargs(cmd, "ids")
}
