package cli

import (
	"slices"
	"strings"
	"testing"
)

func TestSpreadNargs(t *testing.T) {
	multi := map[string]bool{"secret-permissions": true, "ip-address": true}
	for _, tc := range []struct {
		name string
		in   []string
		want []string
	}{
		{"ok/spread", []string{"-n", "kv", "--secret-permissions", "get", "list"}, []string{"-n", "kv", "--secret-permissions", "get", "--secret-permissions", "list"}},
		{"ok/two-lists", []string{"--secret-permissions", "get", "--ip-address", "1.2.3.4", "5.6.7.8", "-o", "none"},
			[]string{"--secret-permissions", "get", "--ip-address", "1.2.3.4", "--ip-address", "5.6.7.8", "-o", "none"}},
		{"ok/other-flags-untouched", []string{"--tags", "a=b", "c=d"}, []string{"--tags", "a=b", "c=d"}},
		{"ok/equals-form", []string{"--secret-permissions=get", "list"}, []string{"--secret-permissions=get", "list"}},
		{"ok/double-dash", []string{"--", "--secret-permissions", "get"}, []string{"--", "--secret-permissions", "get"}},
		{"fail/no-values-left-for-pflag", []string{"--secret-permissions", "-n", "kv"}, []string{"--secret-permissions", "-n", "kv"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := spreadNargs(tc.in, multi); !slices.Equal(got, tc.want) {
				t.Fatalf("spreadNargs(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// Spreading never loses or reorders a word that is not a list flag.
func FuzzSpreadNargs(f *testing.F) {
	f.Add("--secret-permissions get list -n kv")
	f.Add("-- --ip-address 1.2.3.4")
	f.Fuzz(func(t *testing.T, line string) {
		in := strings.Fields(line)
		multi := map[string]bool{"secret-permissions": true, "ip-address": true}
		out := spreadNargs(in, multi)
		strip := func(args []string) []string {
			var words []string
			for i, a := range args {
				if name, ok := strings.CutPrefix(a, "--"); ok && multi[name] && !slices.Contains(args[:i], "--") {
					continue
				}
				words = append(words, a)
			}
			return words
		}
		if got, want := strip(out), strip(in); !slices.Equal(got, want) {
			t.Fatalf("spreadNargs(%q) = %q: words %q, want %q", in, out, got, want)
		}
	})
}

func TestAzTime(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ok/z", "2026-04-01T12:00:00Z", "2026-04-01T12:00:00+00:00"},
		{"ok/micro", "2026-04-01T12:00:00.1234567Z", "2026-04-01T12:00:00.123456+00:00"},
		{"ok/offset", "2026-04-01T12:00:00+02:00", "2026-04-01T12:00:00+02:00"},
		{"ok/unreadable-kept", "yesterday", "yesterday"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := azTime(tc.in); got == nil || *got != tc.want {
				t.Fatalf("azTime(%q) = %v, want %q", tc.in, got, tc.want)
			}
		})
	}
	if azTime("") != nil {
		t.Error(`azTime("") is not null`)
	}
}

func TestSameIPRule(t *testing.T) {
	for _, tc := range []struct {
		name, a, b string
		same       bool
	}{
		{"ok/bare-and-32", "203.0.113.7", "203.0.113.7/32", true},
		{"ok/unmasked-range", "198.51.100.9/24", "198.51.100.0/24", true},
		{"ok/different", "203.0.113.7", "203.0.113.8", false},
		{"ok/unparsed-compare-as-text", "x", "x", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sameIPRule(tc.a, tc.b); got != tc.same {
				t.Fatalf("sameIPRule(%q, %q) = %v", tc.a, tc.b, got)
			}
		})
	}
}

// A missing required flag names only the flags that are missing, in az's
// words, whichever spelling (-n, --name, --resource-group) gave the others.
func TestRequiredNamesOnlyMissing(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"fail/group-create-short-name", []string{"az", "group", "create", "-n", "rg5"}, "the following arguments are required: --location/-l"},
		{"fail/group-create-long-group", []string{"az", "group", "create", "--resource-group", "rg5"}, "the following arguments are required: --location/-l"},
		{"fail/group-create-location-only", []string{"az", "group", "create", "-l", "eastus"}, "the following arguments are required: --name/-n/--resource-group/-g"},
		{"fail/group-create-nothing", []string{"az", "group", "create"}, "the following arguments are required: --name/-n/--resource-group/-g, --location/-l"},
		{"fail/keyvault-create-name", []string{"az", "keyvault", "create", "-n", "kv1"}, "the following arguments are required: --resource-group/-g"},
		{"fail/secret-set-vault", []string{"az", "keyvault", "secret", "set", "--vault-name", "kv1", "--value", "v"}, "the following arguments are required: --name/-n"},
		{"fail/secret-set-name", []string{"az", "keyvault", "secret", "set", "-n", "s", "--value", "v"}, "the following arguments are required: --vault-name"},
		{"fail/databricks-workspace-group", []string{"az", "databricks", "workspace", "create", "-g", "rg", "-n", "ws", "--sku", "premium"}, "the following arguments are required: --location/-l"},
		{"fail/ad-group-create", []string{"az", "ad", "group", "create", "--display-name", "g"}, "the following arguments are required: --mail-nickname"},
		{"fail/ad-user-create", []string{"az", "ad", "user", "create", "--display-name", "A", "--user-principal-name", "a@b.c"}, "the following arguments are required: --password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := runMain(t, tc.args...)
			if code == 0 || out != "" || errs != "ERROR: "+tc.want+"\n" {
				t.Fatalf("scopevault %s: code %d, stdout %q, stderr %q; want %q",
					strings.Join(tc.args, " "), code, out, errs, "ERROR: "+tc.want+"\n")
			}
		})
	}
}
