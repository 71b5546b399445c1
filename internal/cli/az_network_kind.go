package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

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
