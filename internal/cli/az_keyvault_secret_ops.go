package cli

import (
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

func (a *azCLI) secretListVersionsCommand() *cobra.Command {
	var t secretTarget
	var maxResults int
	cmd := &cobra.Command{
		Use:     "list-versions",
		Short:   "List the versions of a secret (without values)",
		Example: `  az keyvault secret list-versions --vault-name kv-data -n db-password --query "[?attributes.enabled].id" -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, kv, err := a.open(cmd, &t, targetSecret)
			if err != nil {
				return err
			}
			items, err := kv.ListSecretVersions(cmd.Context(), t.name)
			if err != nil {
				return err
			}
			return a.print(cmd, azSecretItems(firstN(items, maxResults)))
		},
	}
	t.flags(cmd, targetSecret)
	cmd.Flags().IntVar(&maxResults, "maxresults", 0, "return at most this many versions")
	return cmd
}

func (a *azCLI) secretSetAttributesCommand() *cobra.Command {
	var t secretTarget
	var enabled, expires, notBefore, contentType string
	var tags []string
	cmd := &cobra.Command{
		Use:   "set-attributes",
		Short: "Change a secret version's attributes, content type or tags",
		Long: `Change a secret version's attributes (the latest version unless --version or a
versioned --id): --enabled true|false, --expires and --not-before (ISO 8601),
--content-type and --tags (replacing every tag; --tags "" removes them all).`,
		Example: `  az keyvault secret set-attributes --vault-name kv-data -n db-password --enabled false
  az keyvault secret set-attributes --vault-name kv-data -n db-password --expires 2027-01-01T00:00:00Z --tags env=prod owner=data`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p := client.UpdateSecretParams{}
			if cmd.Flags().Changed("tags") {
				tg, err := parseTags(tags, nil)
				if err != nil {
					return err
				}
				if tg == nil {
					tg = map[string]string{}
				}
				p.Tags = tg
			}
			if cmd.Flags().Changed("content-type") {
				p.ContentType = &contentType
			}
			disabled := ""
			if enabled != "" {
				on, err := parseBool("--enabled", enabled)
				if err != nil {
					return err
				}
				disabled = "true"
				if on {
					disabled = "false"
				}
			}
			attrs, err := secretAttributes(disabled, expires, notBefore)
			if err != nil {
				return err
			}
			p.Attributes = attrs
			_, kv, err := a.open(cmd, &t, targetVersion)
			if err != nil {
				return err
			}
			out, err := kv.UpdateSecret(cmd.Context(), t.name, t.version, p)
			if err != nil {
				return err
			}
			return a.print(cmd, azSecretProps(out))
		},
	}
	t.flags(cmd, targetVersion)
	f := cmd.Flags()
	f.StringVar(&enabled, "enabled", "", "true or false: whether the version can be read")
	f.StringVar(&expires, "expires", "", "expiry time, ISO 8601 (2026-12-31T00:00:00Z)")
	f.StringVar(&notBefore, "not-before", "", "not-before time, ISO 8601")
	f.StringVar(&contentType, "content-type", "", "content type of the secret")
	f.StringArrayVar(&tags, "tags", nil, "space-separated tags: key[=value]; replaces every tag")
	return a.withNargs(cmd, "tags")
}

func (a *azCLI) secretDeleteCommand() *cobra.Command {
	var t secretTarget
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a secret, every version (soft delete: recoverable until purged)",
		Example: `  az keyvault secret delete --vault-name kv-data -n db-password
  az keyvault secret recover --vault-name kv-data -n db-password`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, kv, err := a.open(cmd, &t, targetSecret)
			if err != nil {
				return err
			}
			out, err := kv.DeleteSecret(cmd.Context(), t.name)
			if err != nil {
				return err
			}
			return a.print(cmd, azDeletedSecret(out))
		},
	}
	t.flags(cmd, targetSecret)
	return cmd
}

func (a *azCLI) secretRecoverCommand() *cobra.Command {
	var t secretTarget
	cmd := &cobra.Command{
		Use:     "recover",
		Short:   "Recover a soft-deleted secret, with all its versions",
		Example: `  az keyvault secret recover --vault-name kv-data -n db-password`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, kv, err := a.open(cmd, &t, targetSecret)
			if err != nil {
				return err
			}
			out, err := kv.RecoverDeletedSecret(cmd.Context(), t.name)
			if err != nil {
				return err
			}
			return a.print(cmd, azSecretProps(out))
		},
	}
	t.flags(cmd, targetSecret)
	cmd.Flags().Lookup("id").Usage = "the deleted secret's recovery id (https://.../deletedsecrets/NAME)"
	return cmd
}

func (a *azCLI) secretPurgeCommand() *cobra.Command {
	var t secretTarget
	cmd := &cobra.Command{
		Use:     "purge",
		Short:   "Permanently delete a soft-deleted secret",
		Example: `  az keyvault secret purge --vault-name kv-data -n db-password`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, kv, err := a.open(cmd, &t, targetSecret)
			if err != nil {
				return err
			}
			return kv.PurgeDeletedSecret(cmd.Context(), t.name)
		},
	}
	t.flags(cmd, targetSecret)
	cmd.Flags().Lookup("id").Usage = "the deleted secret's recovery id (https://.../deletedsecrets/NAME)"
	return cmd
}

func (a *azCLI) secretShowDeletedCommand() *cobra.Command {
	var t secretTarget
	cmd := &cobra.Command{
		Use:     "show-deleted",
		Short:   "Show a soft-deleted secret's attributes and purge date",
		Example: `  az keyvault secret show-deleted --vault-name kv-data -n db-password --query scheduledPurgeDate -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, kv, err := a.open(cmd, &t, targetSecret)
			if err != nil {
				return err
			}
			out, err := kv.GetDeletedSecret(cmd.Context(), t.name)
			if err != nil {
				return err
			}
			return a.print(cmd, azDeletedSecret(out))
		},
	}
	t.flags(cmd, targetSecret)
	cmd.Flags().Lookup("id").Usage = "the deleted secret's recovery id (https://.../deletedsecrets/NAME)"
	return cmd
}

func (a *azCLI) secretListDeletedCommand() *cobra.Command {
	var t secretTarget
	var maxResults int
	cmd := &cobra.Command{
		Use:     "list-deleted",
		Short:   "List a key vault's soft-deleted secrets",
		Example: `  az keyvault secret list-deleted --vault-name kv-data --query "[].name" -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, kv, err := a.open(cmd, &t, targetVault)
			if err != nil {
				return err
			}
			items, err := kv.ListDeletedSecrets(cmd.Context())
			if err != nil {
				return err
			}
			return a.print(cmd, azDeletedSecretItems(firstN(items, maxResults)))
		},
	}
	t.flags(cmd, targetVault)
	cmd.Flags().IntVar(&maxResults, "maxresults", 0, "return at most this many secrets")
	return cmd
}

// maxBackupFile bounds a backup file read by restore.
const maxBackupFile = 4 << 20

func (a *azCLI) secretBackupCommand() *cobra.Command {
	var t secretTarget
	var file string
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Write a secret's protected backup (every version) to a file",
		Long: `Write the backup blob of a secret, every version, to --file, as az does: the raw
bytes the service returns (base64url-decoded). The blob is protected by the vault
service and restores only into a vault of the same tenant. The file is created with
mode 0600 (an existing file is overwritten).`,
		Example: `  az keyvault secret backup --vault-name kv-data -n db-password -f db-password.bak`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return errors.New("the following arguments are required: --file/-f")
			}
			_, kv, err := a.open(cmd, &t, targetSecret)
			if err != nil {
				return err
			}
			blob, err := kv.BackupSecret(cmd.Context(), t.name)
			if err != nil {
				return err
			}
			return os.WriteFile(file, blob, 0o600)
		},
	}
	t.flags(cmd, targetSecret)
	cmd.Flags().StringVarP(&file, "file", "f", "", "file to write the backup to")
	return cmd
}

func (a *azCLI) secretRestoreCommand() *cobra.Command {
	var t secretTarget
	var file string
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Restore a secret from a backup file",
		Long: `Restore a secret, every version, from a file written by 'az keyvault secret backup'.
The secret's name must not be in use in the vault (nor soft-deleted there).`,
		Example: `  az keyvault secret restore --vault-name kv-data -f db-password.bak`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return errors.New("the following arguments are required: --file/-f")
			}
			blob, err := readFileLimited(file, maxBackupFile)
			if err != nil {
				return err
			}
			_, kv, err := a.open(cmd, &t, targetVault)
			if err != nil {
				return err
			}
			out, err := kv.RestoreSecret(cmd.Context(), blob)
			if err != nil {
				return err
			}
			return a.print(cmd, azSecretProps(out))
		},
	}
	t.flags(cmd, targetVault)
	cmd.Flags().StringVarP(&file, "file", "f", "", "backup file to restore from")
	return cmd
}
