package cli

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// secretJSON is az's secret output: attributes with ISO times, name from the id.
type secretJSON struct {
	Attributes  secretAttrsJSON   `json:"attributes"`
	ContentType *string           `json:"contentType"`
	ID          string            `json:"id"`
	Kid         *string           `json:"kid,omitempty"`
	Managed     *bool             `json:"managed"`
	Name        string            `json:"name"`
	Tags        map[string]string `json:"tags"`
	Value       *string           `json:"value,omitempty"`
}

type secretAttrsJSON struct {
	Created         *string `json:"created"`
	Enabled         *bool   `json:"enabled"`
	Expires         *string `json:"expires"`
	NotBefore       *string `json:"notBefore"`
	RecoverableDays *int    `json:"recoverableDays"`
	RecoveryLevel   string  `json:"recoveryLevel"`
	Updated         *string `json:"updated"`
}

// isoTime renders Unix seconds the way az prints datetimes.
func isoTime(sec *int64) *string {
	if sec == nil {
		return nil
	}
	s := time.Unix(*sec, 0).UTC().Format("2006-01-02T15:04:05+00:00")
	return &s
}

// azSecret renders a bundle (bundle=true: with value and kid) or a list item.
func azSecret(s client.Secret, bundle bool) secretJSON {
	out := secretJSON{
		Attributes: secretAttrsJSON{
			Created: isoTime(s.Attributes.Created), Enabled: s.Attributes.Enabled, Expires: isoTime(s.Attributes.Expires),
			NotBefore: isoTime(s.Attributes.NotBefore), RecoverableDays: s.Attributes.RecoverableDays,
			RecoveryLevel: s.Attributes.RecoveryLevel, Updated: isoTime(s.Attributes.Updated),
		},
		ContentType: s.ContentType, ID: s.ID, Managed: s.Managed, Name: s.Name(), Tags: s.Tags,
	}
	if bundle {
		out.Value = s.Value
		if out.Value == nil {
			empty := ""
			out.Value = &empty
		}
	}
	return out
}

func (a *azCLI) secretCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "secret", Short: "Manage secrets in a key vault"}
	cmd.AddCommand(a.secretSetCommand(), a.secretShowCommand(), a.secretListCommand())
	return cmd
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
			if vault == "" || name == "" {
				return errors.New("the following arguments are required: --vault-name, --name/-n")
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
			return a.print(cmd, azSecret(out, true))
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
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if st.Size() > maxSecretFile {
		return "", fmt.Errorf("%s is larger than %d bytes", path, maxSecretFile)
	}
	raw, err := os.ReadFile(path)
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
	var vault, name, version, id string
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a secret's value and attributes",
		Example: `  az keyvault secret show --vault-name kv-data -n db-password --query value -o tsv
  az keyvault secret show --id https://127.1.0.2:8443/secrets/db-password/0123...`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := newSession()
			if err != nil {
				return err
			}
			var kv *client.Secrets
			switch {
			case id != "" && (vault != "" || name != ""):
				return errors.New("usage error: --id ID | --vault-name VAULT --name NAME [--version VERSION]")
			case id != "":
				var base string
				if base, name, version, err = vaultFromID(id); err != nil {
					return err
				}
				if name == "" {
					return fmt.Errorf("argument --id: %q names no secret", id)
				}
				if kv, err = client.NewSecrets(base, s.cred, s.hc); err != nil {
					return err
				}
			case vault == "" || name == "":
				return errors.New("usage error: --id ID | --vault-name VAULT --name NAME [--version VERSION]")
			default:
				if kv, err = a.vaultSecrets(cmd, s, vault); err != nil {
					return err
				}
			}
			out, err := kv.GetSecret(cmd.Context(), name, version)
			if err != nil {
				return err
			}
			return a.print(cmd, azSecret(out, true))
		},
	}
	f := cmd.Flags()
	f.StringVar(&vault, "vault-name", "", "name of the key vault")
	f.StringVarP(&name, "name", "n", "", "name of the secret")
	f.StringVarP(&version, "version", "v", "", "secret version (default: the latest)")
	f.StringVar(&id, "id", "", "the secret's id (URL), instead of --vault-name and --name")
	return cmd
}

func (a *azCLI) secretListCommand() *cobra.Command {
	var vault, id string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the secrets of a key vault (without values)",
		Example: `  az keyvault secret list --vault-name kv-data --query "[].name" -o tsv`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := newSession()
			if err != nil {
				return err
			}
			var kv *client.Secrets
			switch {
			case id != "" && vault == "":
				base, _, _, err := vaultFromID(id)
				if err != nil {
					return err
				}
				if kv, err = client.NewSecrets(base, s.cred, s.hc); err != nil {
					return err
				}
			case vault != "" && id == "":
				if kv, err = a.vaultSecrets(cmd, s, vault); err != nil {
					return err
				}
			default:
				return errors.New("usage error: --id VAULT_URL | --vault-name VAULT")
			}
			items, err := kv.ListSecrets(cmd.Context())
			if err != nil {
				return err
			}
			out := []secretJSON{}
			for _, it := range items {
				out = append(out, azSecret(it, false))
			}
			return a.print(cmd, out)
		},
	}
	cmd.Flags().StringVar(&vault, "vault-name", "", "name of the key vault")
	cmd.Flags().StringVar(&id, "id", "", "the vault's URL, instead of --vault-name")
	return cmd
}
