package cli

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

func (a *azCLI) secretCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "secret", Short: "Manage secrets in a key vault"}
	cmd.AddCommand(a.secretSetCommand(), a.secretShowCommand(), a.secretListCommand(), a.secretListVersionsCommand(),
		a.secretSetAttributesCommand(), a.secretDeleteCommand(), a.secretRecoverCommand(), a.secretPurgeCommand(),
		a.secretShowDeletedCommand(), a.secretListDeletedCommand(), a.secretBackupCommand(), a.secretRestoreCommand())
	return cmd
}

// secretTarget is what a data-plane command acts on: --id, or --vault-name
// with --name (and --version).
type secretTarget struct {
	vault, name, version, id string
}

// Kinds of target a command takes.
const (
	targetVault   = iota // --vault-name | --id VAULT_URL
	targetSecret         // --vault-name --name | --id SECRET_ID
	targetVersion        // --vault-name --name [--version] | --id SECRET_ID[/VERSION]
)

func (t *secretTarget) flags(cmd *cobra.Command, kind int) {
	f := cmd.Flags()
	f.StringVar(&t.vault, "vault-name", "", "name of the key vault")
	if kind == targetVault {
		f.StringVar(&t.id, "id", "", "the vault's URL, instead of --vault-name")
		return
	}
	f.StringVarP(&t.name, "name", "n", "", "name of the secret")
	f.StringVar(&t.id, "id", "", "the secret's id (URL), instead of --vault-name and --name")
	if kind == targetVersion {
		f.StringVarP(&t.version, "version", "v", "", "secret version (default: the latest)")
	}
}

func (t *secretTarget) usage(kind int) error {
	switch kind {
	case targetVault:
		return errors.New("usage error: --id VAULT_URL | --vault-name VAULT")
	case targetSecret:
		return errors.New("usage error: --id ID | --vault-name VAULT --name NAME")
	}
	return errors.New("usage error: --id ID | --vault-name VAULT --name NAME [--version VERSION]")
}

// open checks the target flags and returns the session and the vault's
// data-plane client; t.name and t.version are filled from --id.
func (a *azCLI) open(cmd *cobra.Command, t *secretTarget, kind int) (*session, *client.Secrets, error) {
	switch {
	case t.id != "" && (t.vault != "" || t.name != "" || t.version != ""):
		return nil, nil, t.usage(kind)
	case t.id == "" && (t.vault == "" || kind != targetVault && t.name == ""):
		return nil, nil, t.usage(kind)
	}
	s, err := newSession()
	if err != nil {
		return nil, nil, err
	}
	if t.id == "" {
		kv, err := a.vaultSecrets(cmd, s, t.vault)
		return s, kv, err
	}
	base, name, version, err := vaultFromID(t.id)
	if err != nil {
		return nil, nil, err
	}
	if kind != targetVault && name == "" {
		return nil, nil, fmt.Errorf("argument --id: %q names no secret", t.id)
	}
	if kind != targetVersion && version != "" {
		return nil, nil, fmt.Errorf("argument --id: %q names a version; this command takes the secret's id", t.id)
	}
	t.name, t.version = name, version
	// A real vault host name (https://{name}.vault.azure.net) is reached at
	// the server's address, as --vault-name is.
	if u, err := url.Parse(base); err == nil && strings.HasSuffix(strings.ToLower(u.Hostname()), vaultSuffix) {
		kv, err := s.secretsByHostName(strings.TrimSuffix(strings.ToLower(u.Hostname()), vaultSuffix))
		return s, kv, err
	}
	kv, err := client.NewSecrets(base, s.cred, s.hc)
	return s, kv, err
}

// secretEncodings are az's --encoding choices for --file.
var secretEncodings = map[string]bool{"utf-8": true, "ascii": true, "base64": true, "hex": true}

func (a *azCLI) secretSetCommand() *cobra.Command {
	var vault, name, value, file, encoding, contentType, disabled, expires, notBefore string
	var tags []string
	cmd := &cobra.Command{
		Use:   "set",
		Short: "Create a secret, or a new version of it",
		Example: `  az keyvault secret set --vault-name kv-data -n db-password --value 's3cr3t'
  az keyvault secret set --vault-name kv-data -n tls-key --file key.pem --content-type application/x-pem-file`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && !cmd.Flags().Changed("tags") {
				return noArgs(cmd, args)
			}
			if err := azRequired("--vault-name", vault, "--name/-n", name); err != nil {
				return err
			}
			fromValue, fromFile := cmd.Flags().Changed("value"), file != ""
			if fromValue == fromFile {
				return errors.New("usage error: --value VALUE | --file PATH")
			}
			t, err := parseTags(tags, args)
			if err != nil {
				return err
			}
			if fromFile {
				if value, err = readSecretFile(file, encoding); err != nil {
					return err
				}
				if t == nil {
					t = map[string]string{}
				}
				t["file-encoding"] = encoding
			}
			p := client.SetSecretParams{Value: value, Tags: t}
			if contentType != "" {
				p.ContentType = &contentType
			}
			attrs, err := secretAttributes(disabled, expires, notBefore)
			if err != nil {
				return err
			}
			p.Attributes = attrs
			s, err := newSession()
			if err != nil {
				return err
			}
			kv, err := a.vaultSecrets(cmd, s, vault)
			if err != nil {
				return err
			}
			out, err := kv.SetSecret(cmd.Context(), name, p)
			if err != nil {
				return err
			}
			return a.print(cmd, azSecretBundle(out))
		},
	}
	f := cmd.Flags()
	f.StringVar(&vault, "vault-name", "", "name of the key vault")
	f.StringVarP(&name, "name", "n", "", "name of the secret")
	f.StringVar(&value, "value", "", "value of the secret")
	f.StringVarP(&file, "file", "f", "", "read the value from this file")
	f.StringVarP(&encoding, "encoding", "e", "utf-8", "encoding of --file: utf-8, ascii, base64 or hex")
	f.StringVar(&contentType, "content-type", "", "content type of the secret, e.g. text/plain")
	f.StringVar(&disabled, "disabled", "", "true to create the version disabled")
	f.StringVar(&expires, "expires", "", "expiry time, ISO 8601 (2026-12-31T00:00:00Z)")
	f.StringVar(&notBefore, "not-before", "", "not-before time, ISO 8601")
	f.StringArrayVar(&tags, "tags", nil, "space-separated tags: key[=value]")
	return cmd
}

// maxSecretFile bounds --file: a secret is at most 25,600 characters.
const maxSecretFile = 1 << 20

// readSecretFile reads --file the way az does for each --encoding: utf-8 and
// ascii take the text, base64 and hex encode the bytes.
func readSecretFile(path, encoding string) (string, error) {
	if !secretEncodings[encoding] {
		return "", fmt.Errorf("argument --encoding/-e: invalid choice: '%s' (choose from 'ascii', 'base64', 'hex', 'utf-8')", encoding)
	}
	raw, err := readFileLimited(path, maxSecretFile)
	if err != nil {
		return "", err
	}
	switch encoding {
	case "base64":
		return base64.StdEncoding.EncodeToString(raw), nil
	case "hex":
		return hex.EncodeToString(raw), nil
	case "ascii":
		for _, b := range raw {
			if b > 0x7f {
				return "", fmt.Errorf("%s is not ASCII", path)
			}
		}
	}
	if !utf8.Valid(raw) {
		return "", fmt.Errorf("%s is not UTF-8 text; use --encoding base64 or hex", path)
	}
	return string(raw), nil
}

// readFileLimited reads a file of at most limit bytes.
func readFileLimited(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return os.ReadFile(path)
}

// secretAttributes builds attributes from --disabled (or set-attributes'
// --enabled, negated by the caller), --expires and --not-before.
func secretAttributes(disabled, expires, notBefore string) (*client.SecretAttributes, error) {
	if disabled == "" && expires == "" && notBefore == "" {
		return nil, nil
	}
	attrs := &client.SecretAttributes{}
	if disabled != "" {
		d, err := parseBool("--disabled", disabled)
		if err != nil {
			return nil, err
		}
		enabled := !d
		attrs.Enabled = &enabled
	}
	for _, x := range []struct {
		flag, val string
		dst       **int64
	}{{"--expires", expires, &attrs.Expires}, {"--not-before", notBefore, &attrs.NotBefore}} {
		if x.val == "" {
			continue
		}
		t, err := parseISOTime(x.val)
		if err != nil {
			return nil, fmt.Errorf("argument %s: %v", x.flag, err)
		}
		u := t.Unix()
		*x.dst = &u
	}
	return attrs, nil
}

func parseISOTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("'%s' is not an ISO 8601 time such as 2026-12-31T00:00:00Z", s)
}

func (a *azCLI) secretShowCommand() *cobra.Command {
	var t secretTarget
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a secret's value and attributes",
		Example: `  az keyvault secret show --vault-name kv-data -n db-password --query value -o tsv
  az keyvault secret show --id https://127.1.0.2:8443/secrets/db-password/0123...`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, kv, err := a.open(cmd, &t, targetVersion)
			if err != nil {
				return err
			}
			out, err := kv.GetSecret(cmd.Context(), t.name, t.version)
			if err != nil {
				return err
			}
			return a.print(cmd, azSecretBundle(out))
		},
	}
	t.flags(cmd, targetVersion)
	return cmd
}

// firstN keeps at most n items (n <= 0: all), az's --maxresults.
func firstN[T any](items []T, n int) []T {
	if n > 0 && len(items) > n {
		return items[:n]
	}
	return items
}

func (a *azCLI) secretListCommand() *cobra.Command {
	var t secretTarget
	var maxResults int
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the secrets of a key vault (without values)",
		Example: `  az keyvault secret list --vault-name kv-data --query "[].name" -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, kv, err := a.open(cmd, &t, targetVault)
			if err != nil {
				return err
			}
			items, err := kv.ListSecrets(cmd.Context())
			if err != nil {
				return err
			}
			return a.printTable(cmd, azSecretItems(firstN(items, maxResults)), tableSecrets)
		},
	}
	t.flags(cmd, targetVault)
	cmd.Flags().IntVar(&maxResults, "maxresults", 0, "return at most this many secrets")
	return cmd
}
