package cli

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/scopevault/scopevault/internal/config"
	"github.com/spf13/cobra"
)

// configureCommand is `databricks configure`: it writes host and token to
// a ~/.databrickscfg profile (mode 0600; the token goes nowhere else).
// --token prompts for both; --aad-token takes the token from
// $DATABRICKS_AAD_TOKEN (an Entra ID token, which a Key Vault-backed scope
// needs). When stdin is not a terminal the answers are read from it, one
// line each.
func (d *dbxCLI) configureCommand() *cobra.Command {
	var host string
	var aad bool
	cmd := &cobra.Command{
		Use:   "configure [--token | --aad-token] [--host URL] [--profile NAME]",
		Short: "Save a workspace host and token in ~/.databrickscfg (or $DATABRICKS_CONFIG_FILE)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, out := cmd.InOrStdin(), cmd.OutOrStdout()
			if host == "" {
				fmt.Fprint(out, "Databricks Host (should begin with https://): ")
				line, err := readLine(in, false)
				if !isTerminal(in) {
					fmt.Fprintln(out)
				}
				if err != nil {
					return &exitError{code: 1, msg: "Error: no host given"}
				}
				host = strings.TrimSpace(line)
			}
			if u, err := url.Parse(host); err != nil || u.Scheme != "https" || u.Host == "" {
				return &exitError{code: 1, msg: "Error: the host must begin with https://"}
			}
			var token string
			if aad {
				token = config.Env(config.DatabricksAADTokenEnv)
				if token == "" {
					return &exitError{code: 1, msg: "Error: set the environment variable DATABRICKS_AAD_TOKEN to your Entra ID (AAD) token and run again"}
				}
			} else {
				fmt.Fprint(out, "Token: ")
				line, err := readLine(in, true)
				fmt.Fprintln(out)
				if err != nil || strings.TrimSpace(line) == "" {
					return &exitError{code: 1, msg: "Error: no token given"}
				}
				token = strings.TrimSpace(line)
			}
			path, err := config.DatabricksConfigPath(config.Env)
			if err != nil {
				return &exitError{code: 1, msg: "Error: " + err.Error()}
			}
			profile := d.profile
			if profile == "" {
				profile = config.DefaultDatabricksProfile
			}
			if err := config.WriteDatabricksProfile(path, profile, strings.TrimSuffix(host, "/"), token); err != nil {
				return &exitError{code: 1, msg: "Error: " + err.Error()}
			}
			return nil
		},
	}
	cmd.Flags().Bool("token", true, "configure a personal access token (the default)")
	cmd.Flags().BoolVar(&aad, "aad-token", false, "take the token from $DATABRICKS_AAD_TOKEN")
	cmd.Flags().StringVar(&host, "host", "", "the workspace URL; without it you are asked")
	return cmd
}
