package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/scopevault/scopevault/client"
	"github.com/scopevault/scopevault/internal/config"
	"github.com/spf13/cobra"
)

// dbxCLI holds `databricks`' global flag.
type dbxCLI struct {
	profile string
}

// NewDatabricksCommand returns `databricks`: the Databricks CLI's secrets,
// tokens and configure commands, in the legacy CLI's syntax (--scope, as
// the how-tos write them) and the new CLI's positional one, against a
// workspace found as the real CLIs find it (see docs/cli.md).
func NewDatabricksCommand() *cobra.Command {
	d := &dbxCLI{}
	cmd := &cobra.Command{
		Use:   "databricks",
		Short: "Databricks CLI commands against a scopevault workspace (secrets, tokens, configure)",
		Long: `Databricks CLI commands against a scopevault workspace, as a real client of its
REST API. Both syntaxes work: the legacy CLI's (databricks secrets create-scope --scope S,
put --scope S --key K, list --scope S, ...) and the new CLI's positional forms
(create-scope S, put-secret S K, get-secret S K, list-secrets S, ...).

The workspace and token come from DATABRICKS_HOST and DATABRICKS_TOKEN, else from
~/.databrickscfg (or $DATABRICKS_CONFIG_FILE), profile --profile, $DATABRICKS_CONFIG_PROFILE
or [DEFAULT]. SSL_CERT_FILE names a CA bundle trusted besides the system roots.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.PersistentFlags().StringVarP(&d.profile, "profile", "p", "", "the ~/.databrickscfg profile to use")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: 1, msg: "Error: " + err.Error()}
	})
	cmd.AddCommand(d.secretsCommand(), d.tokensCommand(), d.configureCommand())
	return cmd
}

// workspace connects to the configured workspace.
func (d *dbxCLI) workspace() (*client.Databricks, error) {
	c, err := config.ResolveDatabricks(config.Env, d.profile)
	if err != nil {
		return nil, &exitError{code: 1, msg: "Error: " + err.Error()}
	}
	w, err := client.NewDatabricks(c.Host, c.Token, c.CAPEM)
	if err != nil {
		return nil, &exitError{code: 1, msg: "Error: " + err.Error()}
	}
	if err := dialNamesAt(w, config.Env(envURL)); err != nil {
		return nil, &exitError{code: 1, msg: "Error: " + err.Error()}
	}
	return w, nil
}

// dialNamesAt makes a workspace client reach a workspace's real host name
// (DATABRICKS_HOST with up --azure-names) at scopevault's control plane when
// the environment names it (SCOPEVAULT_URL), as the az commands do.
func dialNamesAt(w *client.Databricks, serverURL string) error {
	if !routesAzureNames(serverURL) {
		return nil
	}
	return w.DialAzureNamesAt(serverURL)
}

// The legacy CLI's fixed messages for 401 and 403 (it hides the server's).
const (
	legacy401 = "Error: Your authentication information may be incorrect. Please reconfigure with ``dbfs configure``"
	legacy403 = "Error: Authorization failed. Your token may be expired or lack the valid scope"
)

// legacyError renders err as the legacy CLI prints it, exit 1: the raw
// body as a Python bytes literal, or the fixed 401/403 lines. Unlike the
// legacy CLI, a 403 that carries an error code (PERMISSION_DENIED from the
// secrets API, not an invalid token) also prints the server's message on
// a second line, so a refused read says why.
func legacyError(err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	var de *client.DatabricksError
	if !errors.As(err, &de) {
		return &exitError{code: 1, msg: "Error: " + err.Error()}
	}
	switch de.StatusCode {
	case 401:
		return &exitError{code: 1, msg: legacy401}
	case 403:
		msg := legacy403
		if de.ErrorCode != "" && de.ErrorCode != "403" {
			msg += "\n" + de.ErrorCode + ": " + de.Message
		}
		return &exitError{code: 1, msg: msg}
	}
	// Databricks' bodies end without a newline; scopevault's JSON encoder
	// adds one, which would show as \n in the bytes literal.
	return &exitError{code: 1, msg: "Error: " + pyBytesRepr(bytes.TrimRight(de.Body, "\n"))}
}

// newError renders err as the new CLI prints it: "Error: <message>", exit 1.
func newError(err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	var de *client.DatabricksError
	if errors.As(err, &de) {
		return &exitError{code: 1, msg: "Error: " + de.Message}
	}
	return &exitError{code: 1, msg: "Error: " + err.Error()}
}

// usageError is a click usage error of the legacy CLI: exit 2.
func usageError(cmd *cobra.Command, msg string) error {
	path := strings.TrimPrefix(cmd.CommandPath(), "scopevault ")
	return &exitError{code: 2, msg: fmt.Sprintf("Usage: %s [OPTIONS]\nTry '%s -h' for help.\n\nError: %s", path, path, msg)}
}

// pyBytesRepr is Python's repr() of a bytes object: b'...' (b"..." when
// the bytes hold ' but no "), printable ASCII kept, the rest escaped.
func pyBytesRepr(b []byte) string {
	quote := byte('\'')
	if strings.IndexByte(string(b), '\'') >= 0 && strings.IndexByte(string(b), '"') < 0 {
		quote = '"'
	}
	var s strings.Builder
	s.WriteByte('b')
	s.WriteByte(quote)
	for _, c := range b {
		switch {
		case c == quote || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\t':
			s.WriteString(`\t`)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\r':
			s.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&s, `\x%02x`, c)
		default:
			s.WriteByte(c)
		}
	}
	s.WriteByte(quote)
	return s.String()
}

// printJSON writes v indented by 2, as both CLIs print responses.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// isTerminal reports whether r is a terminal (a character device).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// readLine reads one line from r (without its line ending). On a terminal
// with hidden set, echo is turned off while it is typed.
func readLine(r io.Reader, hidden bool) (string, error) {
	if f, ok := r.(*os.File); ok && hidden && isTerminal(r) {
		if stty(f, "-echo") == nil {
			defer stty(f, "echo")
		}
	}
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			b.WriteByte(buf[0])
		}
		if err == io.EOF {
			if b.Len() == 0 {
				return "", io.ErrUnexpectedEOF
			}
			break
		}
		if err != nil {
			return "", err
		}
	}
	return strings.TrimSuffix(b.String(), "\r"), nil
}

func stty(f *os.File, arg string) error {
	c := exec.Command("stty", arg)
	c.Stdin = f
	return c.Run()
}
