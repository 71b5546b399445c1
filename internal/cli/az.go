package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// azCLI holds az's global flags and the clock; each command reads them.
type azCLI struct {
	output       string
	query        string
	subscription string
	onlyErrors   bool
	// now is the clock (default names such as azure-cli-2026-04-01-12-00-00).
	now func() time.Time
}

// NewAzCommand returns `az`: the Azure CLI commands scopevault serves,
// with az's flags, defaults and JSON output, talking to a running
// scopevault through its public REST APIs (see docs/cli.md).
func NewAzCommand() *cobra.Command {
	a := &azCLI{now: time.Now}
	cmd := &cobra.Command{
		Use:   "az",
		Short: "Azure CLI commands against scopevault (login, account, group, keyvault, role, ad, databricks, network)",
		Long: `Azure CLI commands against a running scopevault, as real clients of its public
REST APIs (Entra ID tokens, ARM, Microsoft Graph, Key Vault).

Credentials and endpoints come from the environment that '. .scopevault/scopevault.env'
sets (SCOPEVAULT_URL, SCOPEVAULT_ARM_ENDPOINT, AZURE_AUTHORITY_HOST, AZURE_TENANT_ID,
AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_SUBSCRIPTION_ID, SSL_CERT_FILE) or from what
'az login' saved (a service principal, a user, or a managed identity). Output is az's:
JSON by default, -o table|tsv|none, and --query takes a JMESPath expression. See
docs/cli.md.`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return a.checkGlobalFlags() },
	}
	f := cmd.PersistentFlags()
	f.StringVarP(&a.output, "output", "o", "json", "output format: json, jsonc, table, tsv, none")
	f.StringVar(&a.query, "query", "", "JMESPath query string")
	f.StringVar(&a.subscription, "subscription", "", "name or id of the subscription")
	f.BoolVar(&a.onlyErrors, "only-show-errors", false, "only show errors, suppressing warnings")
	cmd.AddCommand(a.loginCommand(), a.logoutCommand(), a.accountCommand(), a.groupCommand(),
		a.keyvaultCommand(), a.roleCommand(), a.adCommand(), a.databricksCommand(), a.networkCommand())
	return cmd
}

// checkGlobalFlags validates -o and --query before a command does anything.
func (a *azCLI) checkGlobalFlags() error {
	if !outputFormats[a.output] {
		return fmt.Errorf("argument --output/-o: invalid choice: '%s' (choose from 'json', 'jsonc', 'none', 'table', 'tsv')", a.output)
	}
	if a.query != "" {
		if _, err := parseQuery(a.query); err != nil {
			return fmt.Errorf("argument --query: invalid jmespath_type value: '%s': %v", a.query, err)
		}
	}
	return nil
}

// print writes a command's result in the chosen format.
func (a *azCLI) print(cmd *cobra.Command, result any) error {
	return writeResult(cmd.OutOrStdout(), result, a.output, a.query, nil)
}

// printTable is print for a command az gives a table transformer: -o table
// without --query shows the transformer's columns.
func (a *azCLI) printTable(cmd *cobra.Command, result any, table tableTransform) error {
	return writeResult(cmd.OutOrStdout(), result, a.output, a.query, table)
}

// warn writes an az-style warning to stderr unless --only-show-errors.
func (a *azCLI) warn(cmd *cobra.Command, format string, args ...any) {
	if !a.onlyErrors {
		fmt.Fprintf(cmd.ErrOrStderr(), "WARNING: "+format+"\n", args...)
	}
}

// parseTags reads az's space-separated "--tags k=v k2=v2": pflag keeps the
// first value, the rest arrive as positional arguments.
func parseTags(flagVals, args []string) (map[string]string, error) {
	vals := append(append([]string{}, flagVals...), args...)
	if len(vals) == 0 {
		return nil, nil
	}
	tags := map[string]string{}
	for _, kv := range vals {
		if kv == "" || kv == `""` || kv == "''" {
			continue // --tags "" clears tags
		}
		k, v, _ := strings.Cut(kv, "=")
		if k == "" {
			return nil, fmt.Errorf("usage error: --tags expects KEY[=VALUE] pairs, got %q", kv)
		}
		tags[k] = v
	}
	return tags, nil
}

// parseBool reads az's three-state flag values.
func parseBool(flag, s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "yes", "y", "on", "1":
		return true, nil
	case "false", "no", "n", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("argument %s: invalid value: '%s' (use true or false)", flag, s)
}

// noArgs refuses positional arguments, with az's wording.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unrecognized arguments: %s", strings.Join(args, " "))
	}
	return nil
}
