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

// The show, list and delete commands of the network resources differ only
// in the resource's kind: the flags that name it, its --ids type and the
// client call. azResource describes a kind once; its methods build the
// commands.

// resRef names one resource: its group, its parent's name when it is a
// child (a subnet's network), and its own name.
type resRef struct{ group, parent, name string }

// fromID sets the names from a resource id (--ids): a child's parent is
// the id's resource.
func (r *resRef) fromID(id client.ResourceID) {
	r.group, r.name = id.ResourceGroup, id.Name
	if len(id.Children) > 0 {
		r.parent, r.name = id.Name, id.Children[0][1]
	}
}

// azName is one flag that names a resource.
type azName struct {
	long, short, usage string
	val                *string
	// optional: az does not require it (a list's -g; without it the
	// subscription's resources are listed).
	optional bool
}

// spelling is the flag as az's "required" message spells it: --name/-n.
func (f azName) spelling() string {
	if f.short == "" {
		return "--" + f.long
	}
	return "--" + f.long + "/-" + f.short
}

// azNames are the flags that name a resource, in the order az reports the
// missing ones.
type azNames []azName

func (n azNames) flags(cmd *cobra.Command) {
	for _, f := range n {
		cmd.Flags().StringVarP(f.val, f.long, f.short, "", f.usage)
	}
}

// check fails with az's message when a required name is empty, or a value
// of the extra pairs (the flag's az spelling, its value) the command
// requires too.
func (n azNames) check(extra ...string) error {
	var pairs []string
	for _, f := range n {
		if !f.optional {
			pairs = append(pairs, f.spelling(), *f.val)
		}
	}
	return azRequired(append(pairs, extra...)...)
}

// azCall is what a command's client call needs: the session, its
// subscription and the resource's names.
type azCall struct {
	ctx context.Context
	s   *session
	sub string
	resRef
}

// call opens the session for the names in r, as they are once the flags
// (or --ids) have set them.
func (a *azCLI) call(cmd *cobra.Command, r *resRef) (azCall, error) {
	s, sub, err := a.sessionAndSubscription(cmd)
	if err != nil {
		return azCall{}, err
	}
	return azCall{ctx: cmd.Context(), s: s, sub: sub, resRef: *r}, nil
}

// checked is call once the command's check (its names, and what else it
// requires, as az checks them before anything else) has passed:
// c, err := a.checked(cmd, &r, names.check()).
func (a *azCLI) checked(cmd *cobra.Command, r *resRef, check error) (azCall, error) {
	if check != nil {
		return azCall{}, check
	}
	return a.call(cmd, r)
}

// checkedTags is checked for a create: once the check has passed, its
// tags (--tags, or --metadata: key[=value] words) are read, then the
// session opens.
func (a *azCLI) checkedTags(cmd *cobra.Command, r *resRef, check error, tags []string) (azCall, map[string]string, error) {
	if check != nil {
		return azCall{}, nil, check
	}
	t, err := parseTags(tags, nil)
	if err != nil {
		return azCall{}, nil, err
	}
	c, err := a.call(cmd, r)
	return c, t, err
}

// azDoc is an az command's name and help.
type azDoc struct{ use, short, long, example string }

func (d azDoc) command(run func(cmd *cobra.Command) error) *cobra.Command {
	return &cobra.Command{Use: d.use, Short: d.short, Long: d.long, Example: d.example, Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return run(cmd) }}
}

// azResource is one kind of resource, T as the client reads it.
type azResource[T any] struct {
	// what the resource is, in -n's help ("name of the " + what).
	what string
	// parent is a child's flag naming its parent (--vnet-name); a
	// top-level resource has none.
	parent azName
	// nameFirst: az reports a missing -n before a missing -g.
	nameFirst bool
	// ids is the type --ids takes (namespace, type, child types); none:
	// the commands take no --ids.
	ids []string
	// confirm: a delete asks az's question unless --yes.
	confirm bool

	get  func(azCall) (T, error)
	list func(azCall) ([]T, error)
	del  func(azCall) error
}

// names are the flags naming one resource of the kind (withName) or its
// collection: a top-level kind's collection is a group's (the
// subscription's without -g), a child kind's its parent's.
func (k azResource[T]) names(r *resRef, withName bool) azNames {
	g := azName{long: "resource-group", short: "g", usage: "name of the resource group", val: &r.group}
	n := azName{long: "name", short: "n", usage: "name of the " + k.what, val: &r.name}
	switch {
	case k.parent.long != "":
		p := k.parent
		p.val = &r.parent
		if !withName {
			return azNames{g, p}
		}
		return azNames{g, p, n}
	case !withName:
		g.optional = true
		return azNames{g}
	case k.nameFirst:
		return azNames{n, g}
	}
	return azNames{g, n}
}

// withIDs gives a show or delete command the kind's --ids, if it has one.
func (k azResource[T]) withIDs(a *azCLI, cmd *cobra.Command, r *resRef) *cobra.Command {
	if len(k.ids) == 0 {
		return cmd
	}
	return a.withIDs(cmd, k.ids[0], k.ids[1], k.ids[2:], r.fromID)
}

// showCommand reads one resource and prints it with its properties lifted.
func (k azResource[T]) showCommand(a *azCLI, d azDoc) *cobra.Command {
	var r resRef
	cmd := a.fetchCommand(d, &r, k.names(&r, true), func(c azCall) (any, error) { return k.get(c) })
	return k.withIDs(a, cmd, &r)
}

// listCommand reads the collection and prints it ([] when empty).
func (k azResource[T]) listCommand(a *azCLI, d azDoc) *cobra.Command {
	var r resRef
	return a.fetchCommand(d, &r, k.names(&r, false), func(c azCall) (any, error) {
		out, err := k.list(c)
		return nonNil(out), err
	})
}

// fetchCommand checks the names, opens the session and prints what fetch
// reads, with its properties lifted.
func (a *azCLI) fetchCommand(d azDoc, r *resRef, names azNames, fetch func(azCall) (any, error)) *cobra.Command {
	cmd := d.command(func(cmd *cobra.Command) error {
		c, err := a.checked(cmd, r, names.check())
		if err != nil {
			return err
		}
		return a.printFetched(cmd)(fetch(c))
	})
	names.flags(cmd)
	return cmd
}

// deleteCommand deletes one resource, after az's question when the kind
// asks it (the private DNS deletes), and prints nothing.
func (k azResource[T]) deleteCommand(a *azCLI, d azDoc) *cobra.Command {
	var r resRef
	var yes bool
	names := k.names(&r, true)
	cmd := d.command(func(cmd *cobra.Command) error {
		if err := names.check(); err != nil {
			return err
		}
		if k.confirm {
			if ok, err := confirmDelete(cmd, yes); err != nil || !ok {
				return err
			}
		}
		c, err := a.call(cmd, &r)
		if err != nil {
			return err
		}
		return k.del(c)
	})
	names.flags(cmd)
	if k.confirm {
		cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not prompt for confirmation")
	}
	return k.withIDs(a, cmd, &r)
}

// printFetched prints what a client call returned, with its properties
// lifted, or returns the call's error:
// return a.printFetched(cmd)(s.arm.Subnet(...)).
func (a *azCLI) printFetched(cmd *cobra.Command) func(any, error) error {
	return func(out any, err error) error {
		if err != nil {
			return err
		}
		return a.printResource(cmd, out)
	}
}

// notTaken is az's check before a create: the name must be free (az's
// creates send If-None-Match: *), given what a read of it returned:
// notTaken("Zone", name)(s.arm.PrivateDNSZone(...)).
func notTaken(kind, name string) func(any, error) error {
	return func(_ any, err error) error {
		switch {
		case err == nil:
			return alreadyExists(kind, name)
		case client.IsNotFound(err):
			return nil
		}
		return err
	}
}
