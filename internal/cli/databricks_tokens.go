package cli

import (
	"github.com/spf13/cobra"
)

// tokensCommand is `databricks tokens`: the caller's personal access
// tokens. create, list and revoke print the response as JSON, as the
// legacy CLI does; delete is the new CLI's and prints nothing.
func (d *dbxCLI) tokensCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tokens",
		Short: "Personal access tokens: create, list, revoke (legacy) or delete (new)",
	}
	var comment string
	var lifetime int64
	create := &cobra.Command{
		Use:   "create [--comment TEXT] [--lifetime-seconds N]",
		Short: "Create a personal access token and print it with its info (the value is shown only here)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := d.workspace()
			if err != nil {
				return err
			}
			tok, err := w.CreateToken(cmd.Context(), comment, lifetime)
			if err != nil {
				return legacyError(err)
			}
			return printJSON(cmd.OutOrStdout(), tok)
		},
	}
	create.Flags().StringVar(&comment, "comment", "", "what the token is for")
	create.Flags().Int64Var(&lifetime, "lifetime-seconds", 0, "the token's lifetime; without it the workspace's default applies")

	list := &cobra.Command{
		Use:   "list",
		Short: "List your tokens (never their values)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := d.workspace()
			if err != nil {
				return err
			}
			infos, err := w.ListTokens(cmd.Context())
			if err != nil {
				return legacyError(err)
			}
			return printJSON(cmd.OutOrStdout(), map[string]any{"token_infos": infos})
		},
	}

	var tokenID string
	revoke := &cobra.Command{
		Use:   "revoke --token-id ID",
		Short: "Revoke a token (legacy syntax)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "token-id"); err != nil {
				return err
			}
			w, err := d.workspace()
			if err != nil {
				return err
			}
			if err := w.DeleteToken(cmd.Context(), tokenID); err != nil {
				return legacyError(err)
			}
			return printJSON(cmd.OutOrStdout(), struct{}{})
		},
	}
	revoke.Flags().StringVar(&tokenID, "token-id", "", "the token's id (from tokens list)")

	del := &cobra.Command{
		Use:   "delete TOKEN_ID",
		Short: "Revoke a token (new syntax)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := d.workspace()
			if err != nil {
				return err
			}
			return render(false, w.DeleteToken(cmd.Context(), args[0]))
		},
	}
	cmd.AddCommand(create, list, revoke, del)
	return cmd
}
