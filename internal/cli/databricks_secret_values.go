package cli

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/scopevault/scopevault/client"
	"github.com/spf13/cobra"
)

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
