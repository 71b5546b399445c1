package cli

import (
	"fmt"
	"strings"

	"github.com/scopevault/scopevault/client"
	"github.com/spf13/cobra"
)

// exactArgs is cobra.ExactArgs with the CLIs' "Error: " line, exit 1.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &exitError{code: 1, msg: fmt.Sprintf("Error: accepts %d arg(s), received %d", n, len(args))}
		}
		return nil
	}
}

// aclArgs resolves scope (and principal, when withPrincipal) from the
// legacy flags or the new positional arguments.
func aclArgs(cmd *cobra.Command, args []string, scope, principal *string, n int) (legacy bool, err error) {
	if legacy, err = pickSyntax(cmd, args, n); err != nil {
		return legacy, err
	}
	if legacy {
		if n > 1 {
			if err := requireFlags(cmd, "principal"); err != nil {
				return true, err
			}
		}
		return true, nil
	}
	*scope = args[0]
	if n > 1 {
		*principal = args[1]
	}
	return false, nil
}

var permissions = []string{"MANAGE", "WRITE", "READ"}

func (d *dbxCLI) putACLCommand() *cobra.Command {
	var scope, principal, permission string
	cmd := &cobra.Command{
		Use:     "put-acl (--scope SCOPE --principal PRINCIPAL --permission MANAGE|WRITE|READ | SCOPE PRINCIPAL PERMISSION)",
		Aliases: []string{"write-acl"},
		Short:   "Give a principal MANAGE, WRITE or READ on a scope (creates or overwrites)",
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			legacy, err := aclArgs(cmd, args, &scope, &principal, 3)
			if err != nil {
				return err
			}
			if legacy {
				if err := requireFlags(cmd, "permission"); err != nil {
					return err
				}
				ok := false
				for _, p := range permissions {
					ok = ok || p == permission
				}
				if !ok {
					return usageError(cmd, fmt.Sprintf("Invalid value for '--permission': '%s' is not one of 'MANAGE', 'WRITE', 'READ'.", permission))
				}
			} else {
				permission = args[2]
			}
			w, err := d.workspace()
			if err != nil {
				return err
			}
			return render(legacy, w.PutACL(cmd.Context(), scope, principal, permission))
		},
	}
	f := cmd.Flags()
	f.StringVar(&scope, "scope", "", "the scope (legacy syntax)")
	f.StringVar(&principal, "principal", "", "a user name, group name or service principal application id")
	f.StringVar(&permission, "permission", "", "MANAGE, WRITE or READ")
	return cmd
}

// aclRows renders ACL entries for the legacy table.
func aclRows(items []client.ACLItem) [][]string {
	rows := make([][]string, len(items))
	for i, a := range items {
		rows[i] = []string{a.Principal, strings.ToUpper(a.Permission)}
	}
	return rows
}

func (d *dbxCLI) getACLCommand() *cobra.Command {
	var scope, principal string
	var out output
	cmd := &cobra.Command{
		Use:   "get-acl (--scope SCOPE --principal PRINCIPAL | SCOPE PRINCIPAL)",
		Short: "Show a principal's permission on a scope",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			legacy, err := aclArgs(cmd, args, &scope, &principal, 2)
			if err != nil {
				return err
			}
			if err := out.check(cmd, legacy); err != nil {
				return err
			}
			w, err := d.workspace()
			if err != nil {
				return err
			}
			acl, err := w.GetACL(cmd.Context(), scope, principal)
			if err != nil {
				return render(legacy, err)
			}
			if legacy && !out.isJSON() {
				return tabulate(cmd.OutOrStdout(), []string{"Principal", "Permission"}, aclRows([]client.ACLItem{acl}))
			}
			return printJSON(cmd.OutOrStdout(), acl)
		},
	}
	cmd.Flags().StringVar(&scope, "scope", "", "the scope (legacy syntax)")
	cmd.Flags().StringVar(&principal, "principal", "", "the principal")
	out.add(cmd)
	return cmd
}

func (d *dbxCLI) listACLsCommand() *cobra.Command {
	var scope string
	var out output
	cmd := &cobra.Command{
		Use:   "list-acls (--scope SCOPE | SCOPE)",
		Short: "List a scope's ACL entries",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			legacy, err := aclArgs(cmd, args, &scope, nil, 1)
			if err != nil {
				return err
			}
			if err := out.check(cmd, legacy); err != nil {
				return err
			}
			w, err := d.workspace()
			if err != nil {
				return err
			}
			items, err := w.ListACLs(cmd.Context(), scope)
			if err != nil {
				return render(legacy, err)
			}
			switch {
			case legacy && out.isJSON():
				return printJSON(cmd.OutOrStdout(), struct {
					Items []client.ACLItem `json:"items,omitempty"`
				}{items})
			case legacy:
				return tabulate(cmd.OutOrStdout(), []string{"Principal", "Permission"}, aclRows(items))
			}
			if items == nil {
				items = []client.ACLItem{}
			}
			return printJSON(cmd.OutOrStdout(), items)
		},
	}
	cmd.Flags().StringVar(&scope, "scope", "", "the scope (legacy syntax)")
	out.add(cmd)
	return cmd
}

func (d *dbxCLI) deleteACLCommand() *cobra.Command {
	var scope, principal string
	cmd := &cobra.Command{
		Use:   "delete-acl (--scope SCOPE --principal PRINCIPAL | SCOPE PRINCIPAL)",
		Short: "Remove a principal's entry from a scope's ACL",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			legacy, err := aclArgs(cmd, args, &scope, &principal, 2)
			if err != nil {
				return err
			}
			w, err := d.workspace()
			if err != nil {
				return err
			}
			return render(legacy, w.DeleteACL(cmd.Context(), scope, principal))
		},
	}
	cmd.Flags().StringVar(&scope, "scope", "", "the scope (legacy syntax)")
	cmd.Flags().StringVar(&principal, "principal", "", "the principal")
	return cmd
}
