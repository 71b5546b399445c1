package cli

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// MustTable parses az's table output (tabulate's "simple" format): the
// header, then each row, cells cut at the columns the dashes line marks.
func MustTable(t *testing.T, out string) (header []string, rows [][]string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "-") {
		t.Fatalf("not a table:\n%s", out)
	}
	var spans [][2]int
	for i, dashes := range strings.Split(lines[1], "  ") {
		start := 0
		if i > 0 {
			start = spans[i-1][1] + 2
		}
		spans = append(spans, [2]int{start, start + utf8.RuneCountInString(dashes)})
	}
	cut := func(line string) []string {
		r := []rune(line)
		var cells []string
		for _, sp := range spans {
			from, to := min(sp[0], len(r)), min(sp[1], len(r))
			cells = append(cells, strings.TrimSpace(string(r[from:to])))
		}
		return cells
	}
	for _, l := range lines[2:] {
		rows = append(rows, cut(l))
	}
	return cut(lines[0]), rows
}

// -o table applies az's table transformer of each command that has one,
// and the automatic table (sorted scalar fields but id and type) elsewhere.
func TestAzTableOutput(t *testing.T) {
	e := MustAz(t)
	boot := e.srv.Boot
	tsv := func(args ...string) string {
		t.Helper()
		return strings.TrimSpace(e.MustRun(t, args...))
	}
	vaultID := tsv("keyvault", "show", "-n", boot.Vault, "--query", "id", "-o", "tsv")
	subName := tsv("account", "show", "--query", "name", "-o", "tsv")
	kvUserDesc := tsv("role", "definition", "list", "--name", "Key Vault Secrets User", "--query", "[0].description", "-o", "tsv")
	e.MustRun(t, "keyvault", "secret", "set", "--vault-name", boot.Vault, "-n", "api-key", "--value", "v1",
		"--content-type", "text/plain", "--expires", "2030-01-01T00:00:00Z", "-o", "none")
	secretID := tsv("keyvault", "secret", "show", "--vault-name", boot.Vault, "-n", "api-key", "--query", "id", "-o", "tsv")
	e.MustRun(t, "keyvault", "secret", "set", "--vault-name", boot.Vault, "-n", "old", "--value", "v", "-o", "none")
	e.MustRun(t, "keyvault", "secret", "delete", "--vault-name", boot.Vault, "-n", "old", "-o", "none")
	dbx, err := e.srv.Identity.PrincipalByAppID(t.Context(), boot.TenantID, "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d")
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		args   []string
		header []string
		first  []string // nil: only the header is checked
	}{
		{"ok/account-show-automatic", []string{"account", "show"},
			[]string{"EnvironmentName", "HomeTenantId", "IsDefault", "Name", "State", "TenantId"},
			[]string{"AzureCloud", boot.TenantID, "True", subName, "Enabled", boot.TenantID}},
		{"ok/account-list", []string{"account", "list"},
			[]string{"Name", "CloudName", "SubscriptionId", "TenantId", "State", "IsDefault"},
			[]string{subName, "AzureCloud", boot.SubscriptionID, boot.TenantID, "Enabled", "True"}},
		{"ok/group-list", []string{"group", "list"},
			[]string{"Name", "Location", "Status"}, []string{boot.ResourceGroup, boot.Location, "Succeeded"}},
		{"ok/keyvault-list-automatic", []string{"keyvault", "list"},
			[]string{"Location", "Name", "ResourceGroup"}, []string{boot.Location, boot.Vault, boot.ResourceGroup}},
		{"ok/keyvault-show-automatic", []string{"keyvault", "show", "-n", boot.Vault},
			[]string{"Location", "Name", "ResourceGroup"}, []string{boot.Location, boot.Vault, boot.ResourceGroup}},
		{"ok/role-assignment-list", []string{"role", "assignment", "list", "--scope", vaultID},
			[]string{"Principal", "Role", "Scope"}, []string{boot.ClientID, "Key Vault Administrator", vaultID}},
		{"ok/role-definition-list", []string{"role", "definition", "list", "--name", "Key Vault Secrets User"},
			[]string{"Name", "Type", "Description"}, []string{"Key Vault Secrets User", "Microsoft.Authorization/roleDefinitions", kvUserDesc}},
		{"ok/secret-list", []string{"keyvault", "secret", "list", "--vault-name", boot.Vault},
			[]string{"Name", "Id", "ContentType", "Enabled", "Expires"},
			[]string{"api-key", strings.TrimSuffix(secretID, "/"+secretID[strings.LastIndex(secretID, "/")+1:]), "text/plain", "True", "2030-01-01T00:00:00+00:00"}},
		{"ok/secret-list-versions-automatic", []string{"keyvault", "secret", "list-versions", "--vault-name", boot.Vault, "-n", "api-key"},
			[]string{"ContentType", "Name"}, []string{"text/plain", "api-key"}},
		{"ok/secret-list-deleted-automatic", []string{"keyvault", "secret", "list-deleted", "--vault-name", boot.Vault},
			[]string{"DeletedDate", "Name", "RecoveryId", "ScheduledPurgeDate"}, nil},
		{"ok/sp-list", []string{"ad", "sp", "list", "--display-name", "AzureDatabricks"},
			[]string{"DisplayName", "Id", "AppId"}, []string{"AzureDatabricks", dbx.ObjectID, dbx.AppID}},
		{"ok/query-skips-transformer", []string{"group", "list", "--query", "[].{where:location, n:name}"},
			[]string{"Where", "N"}, []string{boot.Location, boot.ResourceGroup}},
		{"ok/list-rows-are-columns", []string{"group", "list", "--query", "[].[name, location]"},
			[]string{"Column1", "Column2"}, []string{boot.ResourceGroup, boot.Location}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := e.MustRun(t, append(tc.args, "-o", "table")...)
			header, rows := MustTable(t, out)
			if !slices.Equal(header, tc.header) {
				t.Errorf("header = %q, want %q\n%s", header, tc.header, out)
			}
			if tc.first == nil {
				return
			}
			if len(rows) == 0 || !slices.Equal(rows[0], tc.first) {
				t.Errorf("first row = %q, want %q\n%s", rows, tc.first, out)
			}
		})
	}
	// Like az, a transformer that misses a field gives up on the table.
	e.MustFail(t, "Table output unavailable. Use the --query option", "role", "assignment", "list", "--scope", vaultID,
		"--fill-principal-name", "false", "-o", "table")
}
