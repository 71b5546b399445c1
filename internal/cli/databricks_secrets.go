package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/scopevault/scopevault/client"
	"github.com/spf13/cobra"
)

// secretsCommand is `databricks secrets`. Commands both CLIs have pick the
// syntax by what they are given: --scope means the legacy CLI (its output
// and error formats), positional arguments the new one.
func (d *dbxCLI) secretsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secrets",
		Short: "Secret scopes, secrets and their ACLs (legacy --scope syntax and new positional syntax)",
	}
	cmd.AddCommand(d.createScopeCommand(), d.listScopesCommand(), d.deleteScopeCommand(),
		d.putCommand(), d.putSecretCommand(), d.getSecretCommand(),
		d.listCommand(), d.listSecretsCommand(), d.deleteCommand(), d.deleteSecretCommand(),
		d.putACLCommand(), d.getACLCommand(), d.listACLsCommand(), d.deleteACLCommand())
	return cmd
}

// output is the -o/--output flag: JSON or TABLE for the legacy syntax,
// json or text for the new one, case-insensitive either way.
type output struct{ v string }

func (o *output) add(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&o.v, "output", "o", "", "JSON or TABLE (legacy syntax, TABLE by default), json or text (new syntax); case-insensitive")
}

func (o *output) isJSON() bool { return strings.EqualFold(o.v, "json") }

// check validates the value for the syntax in use.
func (o *output) check(cmd *cobra.Command, legacy bool) error {
	switch strings.ToLower(o.v) {
	case "", "json", "table", "text":
		return nil
	}
	if legacy {
		return usageError(cmd, fmt.Sprintf("Invalid value for '--output': '%s' is not one of 'JSON', 'TABLE'.", o.v))
	}
	return &exitError{code: 1, msg: fmt.Sprintf("Error: invalid argument %q for \"-o, --output\" flag: must be one of json, text", o.v)}
}

// pickSyntax decides between the legacy form (--scope given) and the new
// one (n positional arguments).
func pickSyntax(cmd *cobra.Command, args []string, n int) (legacy bool, err error) {
	scoped := cmd.Flags().Changed("scope")
	switch {
	case scoped && len(args) > 0:
		return false, &exitError{code: 1, msg: "Error: give the scope either as --scope (legacy syntax) or as an argument (new syntax), not both"}
	case scoped:
		return true, nil
	case len(args) == n:
		return false, nil
	case len(args) > 0:
		return false, &exitError{code: 1, msg: fmt.Sprintf("Error: accepts %d arg(s), received %d", n, len(args))}
	}
	return true, usageError(cmd, "Missing option '--scope'.")
}

// requireFlags is click's check of required options.
func requireFlags(cmd *cobra.Command, names ...string) error {
	for _, n := range names {
		if !cmd.Flags().Changed(n) {
			return usageError(cmd, fmt.Sprintf("Missing option '--%s'.", n))
		}
	}
	return nil
}

func (d *dbxCLI) createScopeCommand() *cobra.Command {
	var scope, principal, backend, resourceID, dnsName, jsonIn string
	cmd := &cobra.Command{
		Use:   "create-scope (--scope SCOPE | SCOPE | --json JSON)",
		Short: "Create a secret scope (Databricks- or Azure Key Vault-backed)",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			req := client.CreateScopeRequest{InitialManagePrincipal: principal}
			legacy := false
			switch {
			case cmd.Flags().Changed("json"):
				if len(args) > 0 {
					return &exitError{code: 1, msg: "Error: when --json flag is specified, no positional arguments are allowed. Provide 'scope' in your JSON input"}
				}
				raw, err := jsonInput(jsonIn)
				if err != nil {
					return newError(err)
				}
				if err := json.Unmarshal(raw, &req); err != nil {
					return newError(fmt.Errorf("invalid --json: %v", err))
				}
			default:
				var err error
				if legacy, err = pickSyntax(cmd, args, 1); err != nil {
					return err
				}
				req.Scope = scope
				if !legacy {
					req.Scope = args[0]
				}
			}
			if cmd.Flags().Changed("scope-backend-type") || legacy {
				if backend != client.BackendDatabricks && backend != client.BackendAzureKeyVault {
					if legacy {
						return usageError(cmd, fmt.Sprintf("Invalid value for '--scope-backend-type': '%s' is not one of 'AZURE_KEYVAULT', 'DATABRICKS'.", backend))
					}
					return &exitError{code: 1, msg: fmt.Sprintf("Error: invalid value for --scope-backend-type: %s (AZURE_KEYVAULT or DATABRICKS)", backend)}
				}
				req.ScopeBackendType = backend
			}
			// As the legacy CLI: the vault is sent only when both are given.
			if resourceID != "" && dnsName != "" {
				req.BackendAzureKeyVault = &client.AzureKeyVaultMetadata{ResourceID: resourceID, DNSName: dnsName}
			}
			w, err := d.workspace()
			if err != nil {
				return err
			}
			return render(legacy, w.CreateScope(cmd.Context(), req))
		},
	}
	f := cmd.Flags()
	f.StringVar(&scope, "scope", "", "the scope's name (legacy syntax)")
	f.StringVar(&principal, "initial-manage-principal", "", "the principal given MANAGE at creation; only \"users\" is supported")
	f.StringVar(&backend, "scope-backend-type", client.BackendDatabricks, "DATABRICKS or AZURE_KEYVAULT")
	f.StringVar(&resourceID, "resource-id", "", "the Key Vault's ARM resource id (AZURE_KEYVAULT)")
	f.StringVar(&dnsName, "dns-name", "", "the Key Vault's URL, https://<name>.vault.azure.net/ (AZURE_KEYVAULT)")
	f.StringVar(&jsonIn, "json", "", "the request body as JSON, or @FILE (new syntax)")
	return cmd
}

// jsonInput is a --json value: inline JSON or @FILE.
func jsonInput(v string) ([]byte, error) {
	if name, ok := strings.CutPrefix(v, "@"); ok {
		return os.ReadFile(name)
	}
	return []byte(v), nil
}

// render turns a call's error into the syntax's error output.
func render(legacy bool, err error) error {
	switch {
	case err == nil:
		return nil
	case legacy:
		return legacyError(err)
	}
	return newError(err)
}

func (d *dbxCLI) listScopesCommand() *cobra.Command {
	var out output
	cmd := &cobra.Command{
		Use:   "list-scopes",
		Short: "List the workspace's secret scopes (legacy table by default; -o text for the new CLI's)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			legacy := !strings.EqualFold(out.v, "text")
			if err := out.check(cmd, legacy); err != nil {
				return err
			}
			w, err := d.workspace()
			if err != nil {
				return err
			}
			scopes, err := w.ListScopes(cmd.Context())
			if err != nil {
				return render(legacy, err)
			}
			switch {
			case out.isJSON():
				return printJSON(cmd.OutOrStdout(), struct {
					Scopes []client.SecretScope `json:"scopes,omitempty"`
				}{scopes})
			case !legacy:
				rows := make([][]string, len(scopes))
				for i, s := range scopes {
					rows[i] = []string{s.Name, s.BackendType}
				}
				return textTable(cmd.OutOrStdout(), []string{"Scope", "Backend Type"}, rows)
			}
			rows := make([][]string, len(scopes))
			for i, s := range scopes {
				name, url := s.Name, "N/A"
				if len(name) > 100 {
					name = name[:100] + "..."
				}
				if s.KeyvaultMetadata != nil {
					url = s.KeyvaultMetadata.DNSName
				}
				rows[i] = []string{name, s.BackendType, url}
			}
			return tabulate(cmd.OutOrStdout(), []string{"Scope", "Backend", "KeyVault URL"}, rows)
		},
	}
	out.add(cmd)
	return cmd
}

func (d *dbxCLI) deleteScopeCommand() *cobra.Command {
	var scope string
	cmd := &cobra.Command{
		Use:   "delete-scope (--scope SCOPE | SCOPE)",
		Short: "Delete a secret scope with its secrets and ACLs",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			legacy, err := pickSyntax(cmd, args, 1)
			if err != nil {
				return err
			}
			if !legacy {
				scope = args[0]
			}
			w, err := d.workspace()
			if err != nil {
				return err
			}
			return render(legacy, w.DeleteScope(cmd.Context(), scope))
		},
	}
	cmd.Flags().StringVar(&scope, "scope", "", "the scope's name (legacy syntax)")
	return cmd
}
