package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/scopevault/scopevault/client"
	"github.com/spf13/cobra"
)

func TestPyBytesRepr(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ok/json", `{"error_code":"X","message":"m"}`, `b'{"error_code":"X","message":"m"}'`},
		{"ok/quote-in-json", `{"message":"it's"}`, `b'{"message":"it\'s"}'`},
		{"ok/only-single-quote", `it's`, `b"it's"`},
		{"ok/escapes", "a\\b\n\t\x00\xff", `b'a\\b\n\t\x00\xff'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pyBytesRepr([]byte(tc.in)); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestLegacyError(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"ok/400-raw-body", &client.DatabricksError{StatusCode: 400, ErrorCode: "RESOURCE_ALREADY_EXISTS", Body: []byte(`{"error_code":"RESOURCE_ALREADY_EXISTS","message":"Scope s already exists!"}` + "\n")},
			`Error: b'{"error_code":"RESOURCE_ALREADY_EXISTS","message":"Scope s already exists!"}'`},
		{"ok/401", &client.DatabricksError{StatusCode: 401, ErrorCode: "UNAUTHENTICATED", Message: "m"}, legacy401},
		{"ok/403-invalid-token", &client.DatabricksError{StatusCode: 403, ErrorCode: "403", Message: "Invalid access token."}, legacy403},
		{"ok/403-permission-denied", &client.DatabricksError{StatusCode: 403, ErrorCode: "PERMISSION_DENIED", Message: "User u does not have READ permission on scope s to perform this action."},
			legacy403 + "\nPERMISSION_DENIED: User u does not have READ permission on scope s to perform this action."},
		{"ok/transport", errors.New("connection refused"), "Error: connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ee *exitError
			if !errors.As(legacyError(tc.err), &ee) || ee.code != 1 || ee.msg != tc.want {
				t.Errorf("got %+v, want exit 1 %q", ee, tc.want)
			}
		})
	}
}

func TestTabulate(t *testing.T) {
	var b strings.Builder
	tabulate(&b, []string{"Scope", "Backend", "KeyVault URL"}, [][]string{
		{"akv-scope", "AZURE_KEYVAULT", "https://kv1.vault.azure.net/"},
		{"s1", "DATABRICKS", "N/A"},
	})
	// Reference §7.1's example, with tabulate's padding of every cell.
	want := "Scope      Backend         KeyVault URL                \n" +
		"---------  --------------  ----------------------------\n" +
		"akv-scope  AZURE_KEYVAULT  https://kv1.vault.azure.net/\n" +
		"s1         DATABRICKS      N/A                         \n"
	if got := b.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	b.Reset()
	tabulate(&b, []string{"Key name", "Last updated"}, [][]string{{"k", "1700000000000"}})
	if got, want := b.String(), "Key name      Last updated\n----------  --------------\nk            1700000000000\n"; got != want {
		t.Errorf("numbers right-aligned: got\n%q\nwant\n%q", got, want)
	}
	b.Reset()
	tabulate(&b, []string{"Principal", "Permission"}, nil)
	if got, want := b.String(), "Principal    Permission  \n-----------  ------------\n"; got != want {
		t.Errorf("empty: got %q, want %q", got, want)
	}
}

// A command both syntaxes have picks the legacy one for --scope and the
// new one for positional arguments.
func TestPickSyntax(t *testing.T) {
	for _, tc := range []struct {
		name   string
		argv   []string
		legacy bool
		code   int
	}{
		{"ok/legacy", []string{"--scope", "s"}, true, 0},
		{"ok/new", []string{"s"}, false, 0},
		{"fail/both", []string{"s", "--scope", "s"}, false, 1},
		{"fail/neither", nil, true, 2},
		{"fail/too-many", []string{"a", "b"}, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var legacy bool
			var err error
			cmd := &cobra.Command{Use: "delete-scope", RunE: func(cmd *cobra.Command, args []string) error {
				legacy, err = pickSyntax(cmd, args, 1)
				return nil
			}}
			cmd.Flags().String("scope", "", "")
			cmd.SetArgs(tc.argv)
			if e := cmd.Execute(); e != nil {
				t.Fatal(e)
			}
			code := 0
			var ee *exitError
			if errors.As(err, &ee) {
				code = ee.code
			}
			if code != tc.code || (code == 0 && legacy != tc.legacy) {
				t.Errorf("legacy %v, code %d (%v); want %v, %d", legacy, code, err, tc.legacy, tc.code)
			}
		})
	}
}
