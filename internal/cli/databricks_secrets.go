package cli

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
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

// put is the legacy `put`/`write`: --string-value, --binary-file, or
// (where the legacy CLI opens $EDITOR) the value piped on stdin, trailing
// newlines stripped, as the editor's text would be.
func (d *dbxCLI) putCommand() *cobra.Command {
	var scope, key, value, file string
	cmd := &cobra.Command{
		Use:     "put --scope SCOPE --key KEY [--string-value VALUE | --binary-file PATH]",
		Aliases: []string{"write"},
		Short:   "Put a secret (legacy syntax); without a value flag it is read from stdin",
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "scope", "key"); err != nil {
				return err
			}
			hasString, hasFile := cmd.Flags().Changed("string-value"), cmd.Flags().Changed("binary-file")
			if hasString && hasFile {
				return &exitError{code: 1, msg: "Error: At most one of ['string-value', 'binary-file'] should be provided."}
			}
			w, err := d.workspace()
			if err != nil {
				return err
			}
			switch {
			case hasFile:
				raw, err := os.ReadFile(file)
				if err != nil {
					return legacyError(err)
				}
				return render(true, w.PutSecretBytes(cmd.Context(), scope, key, raw))
			case !hasString:
				in := cmd.InOrStdin()
				if isTerminal(in) {
					return &exitError{code: 1, msg: "Error: give --string-value or --binary-file, or pipe the value on stdin (scopevault opens no editor)"}
				}
				raw, err := io.ReadAll(io.LimitReader(in, 1<<20))
				if err != nil {
					return legacyError(err)
				}
				value = strings.TrimRight(string(raw), "\r\n")
			}
			return render(true, w.PutSecretString(cmd.Context(), scope, key, value))
		},
	}
	f := cmd.Flags()
	f.StringVar(&scope, "scope", "", "the scope")
	f.StringVar(&key, "key", "", "the secret's key")
	f.StringVar(&value, "string-value", "", "the value, stored as UTF-8")
	f.StringVar(&file, "binary-file", "", "a file whose bytes are the value")
	return cmd
}

// put-secret is the new CLI's: --string-value, --bytes-value (raw text,
// sent base64), or all of stdin (a line typed at a terminal), as bytes.
func (d *dbxCLI) putSecretCommand() *cobra.Command {
	var value, bytesValue string
	cmd := &cobra.Command{
		Use:   "put-secret SCOPE KEY [--string-value VALUE | --bytes-value VALUE]",
		Short: "Put a secret (new syntax); without a value flag it is read from stdin",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			hasString, hasBytes := cmd.Flags().Changed("string-value"), cmd.Flags().Changed("bytes-value")
			if hasString && hasBytes {
				return &exitError{code: 1, msg: "Error: cannot specify both --bytes-value and --string-value"}
			}
			w, err := d.workspace()
			if err != nil {
				return err
			}
			ctx, scope, key := cmd.Context(), args[0], args[1]
			switch {
			case hasString:
				return render(false, w.PutSecretString(ctx, scope, key, value))
			case hasBytes:
				return render(false, w.PutSecretBytes(ctx, scope, key, []byte(bytesValue)))
			}
			in := cmd.InOrStdin()
			var raw []byte
			if isTerminal(in) {
				fmt.Fprint(cmd.ErrOrStderr(), "Please enter your secret value: ")
				line, err := readLine(in, true)
				fmt.Fprintln(cmd.ErrOrStderr())
				if err != nil {
					return newError(err)
				}
				raw = []byte(line)
			} else if raw, err = io.ReadAll(io.LimitReader(in, 1<<20)); err != nil {
				return newError(err)
			}
			return render(false, w.PutSecretBytes(ctx, scope, key, raw))
		},
	}
	cmd.Flags().StringVar(&value, "string-value", "", "the value, stored as UTF-8")
	cmd.Flags().StringVar(&bytesValue, "bytes-value", "", "the value as raw text, sent base64-encoded")
	return cmd
}

func (d *dbxCLI) getSecretCommand() *cobra.Command {
	var out output
	cmd := &cobra.Command{
		Use:   "get-secret SCOPE KEY",
		Short: "Print a secret as {\"key\", \"value\"} with the value base64-encoded (new syntax)",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := out.check(cmd, false); err != nil {
				return err
			}
			w, err := d.workspace()
			if err != nil {
				return err
			}
			v, err := w.GetSecret(cmd.Context(), args[0], args[1])
			if err != nil {
				return newError(err)
			}
			return printJSON(cmd.OutOrStdout(), map[string]string{"key": args[1], "value": base64.StdEncoding.EncodeToString(v)})
		},
	}
	out.add(cmd)
	return cmd
}

// listSecretsRun lists a scope's keys in the syntax's format.
func (d *dbxCLI) listSecretsRun(cmd *cobra.Command, scope string, out *output, legacy bool) error {
	if err := out.check(cmd, legacy); err != nil {
		return err
	}
	w, err := d.workspace()
	if err != nil {
		return err
	}
	secrets, err := w.ListSecrets(cmd.Context(), scope)
	if err != nil {
		return render(legacy, err)
	}
	rows := make([][]string, len(secrets))
	for i, s := range secrets {
		ts := "Not Available"
		if s.LastUpdatedTimestamp != 0 {
			ts = strconv.FormatInt(s.LastUpdatedTimestamp, 10)
		}
		rows[i] = []string{s.Key, ts}
	}
	switch {
	case legacy && out.isJSON():
		return printJSON(cmd.OutOrStdout(), struct {
			Secrets []client.SecretMetadata `json:"secrets,omitempty"`
		}{secrets})
	case legacy:
		return tabulate(cmd.OutOrStdout(), []string{"Key name", "Last updated"}, rows)
	case out.isJSON():
		if secrets == nil {
			secrets = []client.SecretMetadata{}
		}
		return printJSON(cmd.OutOrStdout(), secrets)
	}
	return textTable(cmd.OutOrStdout(), []string{"Key", "Last Updated Timestamp"}, rows)
}

func (d *dbxCLI) listCommand() *cobra.Command {
	var scope string
	var out output
	cmd := &cobra.Command{
		Use:   "list --scope SCOPE",
		Short: "List a scope's secrets (legacy syntax; TABLE by default)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "scope"); err != nil {
				return err
			}
			return d.listSecretsRun(cmd, scope, &out, true)
		},
	}
	cmd.Flags().StringVar(&scope, "scope", "", "the scope")
	out.add(cmd)
	return cmd
}

func (d *dbxCLI) listSecretsCommand() *cobra.Command {
	var out output
	cmd := &cobra.Command{
		Use:   "list-secrets SCOPE",
		Short: "List a scope's secrets (new syntax)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return d.listSecretsRun(cmd, args[0], &out, false)
		},
	}
	out.add(cmd)
	return cmd
}

func (d *dbxCLI) deleteCommand() *cobra.Command {
	var scope, key string
	cmd := &cobra.Command{
		Use:   "delete --scope SCOPE --key KEY",
		Short: "Delete a secret (legacy syntax)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "scope", "key"); err != nil {
				return err
			}
			w, err := d.workspace()
			if err != nil {
				return err
			}
			return render(true, w.DeleteSecret(cmd.Context(), scope, key))
		},
	}
	cmd.Flags().StringVar(&scope, "scope", "", "the scope")
	cmd.Flags().StringVar(&key, "key", "", "the secret's key")
	return cmd
}

func (d *dbxCLI) deleteSecretCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "delete-secret SCOPE KEY",
		Short: "Delete a secret (new syntax)",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := d.workspace()
			if err != nil {
				return err
			}
			return render(false, w.DeleteSecret(cmd.Context(), args[0], args[1]))
		},
	}
}
