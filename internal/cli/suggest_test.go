package cli

import (
	"bytes"
	"strings"
	"testing"
)

// runMain types a command line at scopevault, as a user would, without a
// server: everything these tests check happens before a request is sent.
func runMain(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Setenv("HOME", t.TempDir()) // no saved profile from the machine
	var out, errb bytes.Buffer
	code = Main(args, &out, &errb)
	return out.String(), errb.String(), code
}

// A typo in a command group names the typo and the nearest command, in the
// words of the CLI being emulated, and never blames the flags that follow.
func TestUnknownSubcommandSuggests(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"fail/az-secret-sett", []string{"az", "keyvault", "secret", "sett", "--vault-name", "x", "-n", "a", "--value", "v"}, 2,
			"ERROR: az keyvault secret: 'sett' is not in the 'az keyvault secret' command group. See 'az keyvault secret --help'.\n\n" +
				"The most similar choice to 'sett' is:\n\tset\n"},
		{"fail/az-group-typo-after-global-flag", []string{"az", "-o", "json", "grop", "list"}, 2,
			"ERROR: az: 'grop' is not in the 'az' command group. See 'az --help'.\n\nThe most similar choice to 'grop' is:\n\tgroup\n"},
		{"fail/az-nothing-close", []string{"az", "keyvault", "zzzz"}, 2,
			"ERROR: az keyvault: 'zzzz' is not in the 'az keyvault' command group. See 'az keyvault --help'.\n"},
		{"fail/databricks", []string{"databricks", "secrets", "put-secrt", "scope", "key"}, 1,
			"Error: unknown command \"put-secrt\" for \"databricks secrets\"\n\nDid you mean this?\n\tput-secret\n"},
		{"fail/root", []string{"upp", "--port", "0"}, 1,
			"Error: unknown command \"upp\" for \"scopevault\"\n\nDid you mean this?\n\tup\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := runMain(t, tc.args...)
			if code != tc.code || out != "" || !strings.Contains(errs, tc.want) {
				t.Fatalf("scopevault %s: code %d, stdout %q, stderr:\n%s\nwant code %d and stderr containing:\n%s",
					strings.Join(tc.args, " "), code, out, errs, tc.code, tc.want)
			}
			if strings.Contains(errs, "unknown flag") {
				t.Errorf("stderr blames a flag:\n%s", errs)
			}
		})
	}
}

// A known group with no subcommand still shows its help, as before.
func TestGroupWithoutSubcommandShowsHelp(t *testing.T) {
	out, errs, code := runMain(t, "az", "keyvault", "secret")
	if code != 0 || !strings.Contains(out, "Available Commands:") || errs != "" {
		t.Fatalf("code %d, stdout:\n%s\nstderr:\n%s", code, out, errs)
	}
}

// closeMatches agrees with Python's difflib.get_close_matches(word, choices,
// cutoff=0.7) on the cases az meets.
func TestCloseMatches(t *testing.T) {
	choices := []string{"set", "show", "list", "list-deleted", "delete", "purge", "recover", "download", "backup", "restore", "list-versions"}
	for _, tc := range []struct {
		word string
		want string
	}{
		{"sett", "set"},
		{"shwo", "show"}, // difflib: 2*3/8 = 0.75
		{"lsit", "list"}, // blocks l, s, t: 2*3/8 = 0.75
		{"purg", "purge"},
		{"restor", "restore"},
		{"xyz", ""},
	} {
		if got := strings.Join(closeMatches(tc.word, choices, 3, 0.7), ","); got != tc.want {
			t.Errorf("closeMatches(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
	if got := closeMatches("sett", []string{"sat", "setx", "set"}, 3, 0.7); strings.Join(got, ",") != "set,setx" {
		t.Errorf("closeMatches(sett) = %q, want best first: set,setx", got)
	}
	if r := similarity("abcd", "bcde"); r != 0.75 {
		t.Errorf("similarity(abcd, bcde) = %v, want difflib's 0.75", r)
	}
}

// The suggestion never panics or misreads a command line.
func FuzzUnknownCommand(f *testing.F) {
	f.Add("az keyvault secret sett --vault-name x")
	f.Add("databricks secrets -p x put-secrt")
	f.Add("az -o")
	f.Add("-- up")
	f.Fuzz(func(t *testing.T, line string) {
		_ = unknownCommand(NewRootCommand(), strings.Fields(line))
	})
}
